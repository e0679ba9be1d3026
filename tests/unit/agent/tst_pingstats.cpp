// RedisProbe's figures without a Redis: the nearest-rank percentile, the PING statistics of one
// interval, and the JSON form of reachable and unreachable figures.
#include "agent/redisprobe.h"

#include <QJsonObject>
#include <QTest>

using namespace arena;

class TestPingStats final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void percentile_data()
    {
        QTest::addColumn<QList<double>>("sorted");
        QTest::addColumn<double>("q");
        QTest::addColumn<double>("expected"); // -1: none

        QList<double> hundred;
        for (int i = 1; i <= 100; ++i)
            hundred.append(i);
        QList<double> ten;
        for (int i = 1; i <= 10; ++i)
            ten.append(i / 10.0);

        QTest::newRow("none") << QList<double>() << 0.5 << -1.0;
        QTest::newRow("one value: p50") << QList<double>{0.3} << 0.5 << 0.3;
        QTest::newRow("one value: p99") << QList<double>{0.3} << 0.99 << 0.3;
        QTest::newRow("100 values: p50") << hundred << 0.5 << 50.0;
        QTest::newRow("100 values: p99") << hundred << 0.99 << 99.0;
        QTest::newRow("100 values: max") << hundred << 1.0 << 100.0;
        QTest::newRow("10 values: p50") << ten << 0.5 << 0.5;
        // With 10 PINGs an interval, p99 is the slowest one.
        QTest::newRow("10 values: p99") << ten << 0.99 << 1.0;
        QTest::newRow("10 values: p10") << ten << 0.1 << 0.1;
        QTest::newRow("two values: p50 is the lower") << QList<double>{1.0, 9.0} << 0.5 << 1.0;
        QTest::newRow("q = 0 is not a percentile") << ten << 0.0 << -1.0;
        QTest::newRow("q above 1") << ten << 1.01 << -1.0;
    }

    void percentile()
    {
        QFETCH(QList<double>, sorted);
        QFETCH(double, q);
        QFETCH(double, expected);
        const std::optional<double> p = RedisProbe::percentile(sorted, q);
        if (expected < 0) {
            QVERIFY(!p.has_value());
        } else {
            QVERIFY(p.has_value());
            QCOMPARE(*p, expected);
        }
    }

    void pingStatsOfAnInterval()
    {
        // Arrival order, not sorted; one slow outlier.
        const RedisProbe::PingStats s = RedisProbe::PingStats::from({0.12, 0.10, 4.5, 0.11, 0.13, 0.09, 0.10, 0.12, 0.11, 0.10}, 2);
        QCOMPARE(s.count, 10);
        QCOMPARE(s.failures, 2);
        QCOMPARE(s.p50Ms.value_or(-1), 0.11);
        QCOMPARE(s.p99Ms.value_or(-1), 4.5);
        QCOMPARE(s.maxMs.value_or(-1), 4.5);

        const RedisProbe::PingStats none = RedisProbe::PingStats::from({}, 10);
        QCOMPARE(none.count, 0);
        QCOMPARE(none.failures, 10);
        QVERIFY(!none.p50Ms && !none.p99Ms && !none.maxMs);
    }

    void figuresJson()
    {
        RedisProbe::Figures up;
        up.reachable = true;
        up.ping = RedisProbe::PingStats::from({0.2, 0.1, 0.3}, 0);
        RedisInfo info;
        info.version = QStringLiteral("7.0.15");
        info.usedMemory = 1024;
        up.info = info;
        const QJsonObject a = up.toJson();
        QCOMPARE(a.value(QStringLiteral("reachable")).toBool(), true);
        QVERIFY(!a.contains(QStringLiteral("error")));
        QCOMPARE(a.value(QStringLiteral("pings")).toInt(), 3);
        QCOMPARE(a.value(QStringLiteral("ping_failures")).toInt(), 0);
        QCOMPARE(a.value(QStringLiteral("ping_p50_ms")).toDouble(), 0.2);
        QCOMPARE(a.value(QStringLiteral("ping_p99_ms")).toDouble(), 0.3);
        QCOMPARE(a.value(QStringLiteral("ping_max_ms")).toDouble(), 0.3);
        QCOMPARE(a.value(QStringLiteral("version")).toString(), QStringLiteral("7.0.15"));
        QCOMPARE(a.value(QStringLiteral("used_memory")).toInteger(), qint64(1024));

        RedisProbe::Figures down;
        down.reachable = false;
        down.error = QStringLiteral("not connected: Connection refused");
        down.unreachableSince = QDateTime::fromMSecsSinceEpoch(1'700'000'000'000, Qt::UTC);
        down.ping = RedisProbe::PingStats::from({}, 10);
        down.infoError = QStringLiteral("not connected: Connection refused");
        const QJsonObject b = down.toJson();
        QCOMPARE(b.value(QStringLiteral("reachable")).toBool(true), false);
        QCOMPARE(b.value(QStringLiteral("error")).toString(), down.error);
        QCOMPARE(b.value(QStringLiteral("unreachable_since")).toString(), QStringLiteral("2023-11-14T22:13:20.000Z"));
        QCOMPARE(b.value(QStringLiteral("ping_failures")).toInt(), 10);
        QVERIFY(!b.contains(QStringLiteral("ping_p99_ms")));
        QVERIFY(!b.contains(QStringLiteral("version")));
        QCOMPARE(b.value(QStringLiteral("info_error")).toString(), down.infoError);
    }
};

QTEST_GUILESS_MAIN(TestPingStats)
#include "tst_pingstats.moc"
