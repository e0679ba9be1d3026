// The console's number, size and duration formats.
#include "console/core/format.h"

#include <QTest>

namespace format = arena::console::format;

class TestFormat : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void formats();
};

void TestFormat::formats()
{
    QCOMPARE(format::count(1204), QStringLiteral("1,204"));
    QCOMPARE(format::count(7), QStringLiteral("7"));
    QCOMPARE(format::percent(3.2), QStringLiteral("3.2 %"));
    QCOMPARE(format::mebibytes(38.44), QStringLiteral("38.4 MiB"));
    QCOMPARE(format::milliseconds(0.143), QStringLiteral("0.14 ms"));
    QCOMPARE(format::uptime(2 * 86400 + 3 * 3600 + 14 * 60 + 30), QStringLiteral("2d 03:14"));
    QCOMPARE(format::uptime(41.2), QStringLiteral("00:00:41"));
    QCOMPARE(format::duration(4000), QStringLiteral("00:00:04"));
    QCOMPARE(format::duration(86'400'000 + 61'000), QStringLiteral("1d 00:01:01"));
    QCOMPARE(format::age(400), QStringLiteral("0.4 s ago"));
    QCOMPARE(format::age(59'900), QStringLiteral("59.9 s ago"));
    QCOMPARE(format::age(252'000), QStringLiteral("00:04:12 ago"));
    QCOMPARE(format::age(-5), QStringLiteral("just now"));
}

QTEST_GUILESS_MAIN(TestFormat)
#include "tst_format.moc"
