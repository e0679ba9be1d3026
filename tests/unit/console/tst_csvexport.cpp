// seriesToCsv(): one time column, one column per series, aligned by time.
#include "console/core/csvexport.h"

#include <QTest>

using arena::console::SeriesPoint;

class TestCsvExport : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void alignsByTime();
    void quotesNames();
    void empty();
};

void TestCsvExport::alignsByTime()
{
    constexpr qint64 t = 1'795'363'200'000; // 2026-11-22T16:00:00Z
    const QList<SeriesPoint> sessions{{t, 1204, 1204, 1204}, {t + 1000, 1205, 1205, 1205}, {t + 2000, 1206.5, 1200, 1210}};
    const QList<SeriesPoint> latency{{t + 1000, 0.071, 0.071, 0.071}, {t + 3500, 0.25, 0.25, 0.25}};
    const QByteArray csv = arena::console::seriesToCsv({QStringLiteral("sessions"), QStringLiteral("latency_p99_ms")}, {sessions, latency});
    QCOMPARE(csv, QByteArray("time,sessions,latency_p99_ms\r\n"
                             "2026-11-22T16:00:00.000Z,1204,\r\n"
                             "2026-11-22T16:00:01.000Z,1205,0.071\r\n"
                             "2026-11-22T16:00:02.000Z,1206.5,\r\n"
                             "2026-11-22T16:00:03.500Z,,0.25\r\n"));
}

void TestCsvExport::quotesNames()
{
    const QByteArray csv = arena::console::seriesToCsv({QStringLiteral("CPU, %"), QStringLiteral("say \"hi\"")},
                                                       {{{0, 1, 1, 1}}, {}, {{0, 3, 3, 3}}});
    QCOMPARE(csv, QByteArray("time,\"CPU, %\",\"say \"\"hi\"\"\",series 3\r\n"
                             "1970-01-01T00:00:00.000Z,1,,3\r\n"));
}

void TestCsvExport::empty()
{
    QCOMPARE(arena::console::seriesToCsv({}, {}), QByteArray("time\r\n"));
}

QTEST_GUILESS_MAIN(TestCsvExport)
#include "tst_csvexport.moc"
