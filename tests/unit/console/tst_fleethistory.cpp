// FleetHistory: ingesting snapshots per instance, and the fleet's series on one grid.
#include "console/core/fleethistory.h"

#include "shared/protocol/adminmessages.h"

#include <QSignalSpy>
#include <QTest>

using arena::console::FleetHistory;
using arena::console::MetricHistory;
using arena::console::SeriesId;
using arena::console::SeriesPoint;

namespace {

constexpr qint64 T0 = 1'795'363'200'000;

QJsonObject figures(double sessions, double redisPing)
{
    return QJsonObject{
        {QStringLiteral("sessions"), QJsonObject{{QStringLiteral("total"), sessions}}},
        {QStringLiteral("redis"), QJsonObject{{QStringLiteral("reachable"), true}, {QStringLiteral("ping_p99_ms"), redisPing}}},
    };
}

} // namespace

class TestFleetHistory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void ingestAddsExtractableSeries();
    void ingestSnapshotSlot();
    void fleetSumAndMax();
    void fleetSumHoldsOutOfPhaseSamples();
    void fleetInstanceStoppedReporting();
    void fleetRespectsMaxPoints();
    void fleetCombinesPerCatalog();
    void forgetFreesMemory();
};

void TestFleetHistory::ingestAddsExtractableSeries()
{
    FleetHistory fleet;
    QSignalSpy spy(&fleet, &FleetHistory::ingested);
    fleet.ingest(QStringLiteral("host-a"), T0, figures(12, 0.2));
    QCOMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0).at(0).toString(), QStringLiteral("host-a"));
    QVERIFY(fleet.history(QStringLiteral("host-a"), SeriesId::Sessions));
    QCOMPARE(*fleet.history(QStringLiteral("host-a"), SeriesId::Sessions)->last(), 12.0);
    QCOMPARE(*fleet.history(QStringLiteral("host-a"), SeriesId::RedisPingP99Ms)->last(), 0.2);
    QVERIFY(!fleet.history(QStringLiteral("host-a"), SeriesId::Rooms)); // never had a value
    QVERIFY(!fleet.history(QStringLiteral("host-b"), SeriesId::Sessions));
    QCOMPARE(fleet.instances(), QStringList{QStringLiteral("host-a")});
    fleet.ingest(QString(), T0, figures(1, 1)); // an agent that does not know its server yet
    QCOMPARE(fleet.instances().size(), 1);
}

void TestFleetHistory::ingestSnapshotSlot()
{
    FleetHistory fleet;
    arena::protocol::Snapshot snapshot;
    snapshot.instance = QStringLiteral("host-b");
    snapshot.time = T0;
    snapshot.figures = arena::protocol::RawJson::fromJsonObject(figures(5, 0.1));
    fleet.ingestSnapshot(snapshot);
    QCOMPARE(fleet.points(QStringLiteral("host-b"), SeriesId::Sessions, T0 - 1000, T0 + 1000, 10),
             (QList<SeriesPoint>{{T0, 5, 5, 5}}));
}

void TestFleetHistory::fleetSumAndMax()
{
    FleetHistory fleet;
    for (int k = 0; k < 10; ++k) {
        fleet.ingest(QStringLiteral("host-a"), T0 + k * 1000, figures(100 + k, 0.1));
        fleet.ingest(QStringLiteral("host-b"), T0 + k * 1000, figures(10, k == 4 ? 9.0 : 0.3));
    }
    const QList<SeriesPoint> sessions = fleet.fleetPoints(SeriesId::Sessions, T0, T0 + 9000, 100);
    QCOMPARE(sessions.size(), 10);
    for (int k = 0; k < 10; ++k)
        QCOMPARE(sessions.at(k), (SeriesPoint{T0 + k * 1000, 110.0 + k, 110.0 + k, 110.0 + k}));
    const QList<SeriesPoint> ping = fleet.fleetPoints(SeriesId::RedisPingP99Ms, T0, T0 + 9000, 100);
    QCOMPARE(ping.size(), 10);
    QCOMPARE(ping.at(3).value, 0.3);
    QCOMPARE(ping.at(4).value, 9.0);
}

void TestFleetHistory::fleetSumHoldsOutOfPhaseSamples()
{
    FleetHistory fleet;
    // host-a samples at .100, host-b at .900 of each second, and misses one second (a slow poll).
    for (int k = 0; k < 10; ++k) {
        fleet.ingest(QStringLiteral("host-a"), T0 + k * 1000 + 100, figures(100, 0.1));
        if (k != 5)
            fleet.ingest(QStringLiteral("host-b"), T0 + k * 1000 + 900, figures(50, 0.1));
    }
    const QList<SeriesPoint> sessions = fleet.fleetPoints(SeriesId::Sessions, T0, T0 + 9999, 100);
    QCOMPARE(sessions.size(), 10);
    for (const SeriesPoint &p : sessions) {
        QCOMPARE(p.t % 1000, 0);
        QCOMPARE(p.value, 150.0); // no dip at second 5
    }
}

void TestFleetHistory::fleetInstanceStoppedReporting()
{
    FleetHistory fleet;
    for (int k = 0; k < 30; ++k) {
        fleet.ingest(QStringLiteral("host-a"), T0 + k * 1000, figures(100, 0.1));
        if (k < 10)
            fleet.ingest(QStringLiteral("host-b"), T0 + k * 1000, figures(50, 0.1));
    }
    const QList<SeriesPoint> sessions = fleet.fleetPoints(SeriesId::Sessions, T0, T0 + 29'000, 100);
    QCOMPARE(sessions.size(), 30);
    QCOMPARE(sessions.at(9).value, 150.0);
    QCOMPARE(sessions.at(29).value, 100.0); // host-b's last value is not held for ever
}

void TestFleetHistory::fleetRespectsMaxPoints()
{
    FleetHistory fleet;
    for (int k = 0; k < 600; ++k) {
        fleet.ingest(QStringLiteral("host-a"), T0 + k * 1000 + 250, figures(k == 300 ? 1000 : 10, 0.1));
        fleet.ingest(QStringLiteral("host-b"), T0 + k * 1000 + 750, figures(20, 0.1));
    }
    const QList<SeriesPoint> sessions = fleet.fleetPoints(SeriesId::Sessions, T0, T0 + 599'999, 61);
    QVERIFY(sessions.size() <= 61);
    QVERIFY(sessions.size() >= 59);
    bool spike = false;
    for (const SeriesPoint &p : sessions) {
        QCOMPARE(p.t % 10'000, 0);
        QCOMPARE(p.min, 30.0);
        spike = spike || p.max == 1020.0;
    }
    QVERIFY(spike);

    // A window one instance's raw ring no longer covers: everyone goes on the 10 s grid.
    for (int k = 600; k < 1200; ++k)
        fleet.ingest(QStringLiteral("host-a"), T0 + k * 1000 + 250, figures(10, 0.1));
    const QList<SeriesPoint> hour = fleet.fleetPoints(SeriesId::Sessions, T0, T0 + 1'199'999, 1000);
    QCOMPARE(hour.size(), 120);
    QCOMPARE(hour.at(1).t - hour.at(0).t, MetricHistory::TenSecondsMs);
    QCOMPARE(hour.at(0).value, 30.0);
    QCOMPARE(hour.last().value, 10.0);
}

void TestFleetHistory::fleetCombinesPerCatalog()
{
    // Sessions are summed, Redis PING is the worst instance's.
    FleetHistory fleet;
    fleet.ingest(QStringLiteral("a"), T0, figures(1, 2));
    fleet.ingest(QStringLiteral("b"), T0, figures(3, 4));
    QCOMPARE(fleet.fleetPoints(SeriesId::Sessions, T0, T0, 10).at(0).value, 4.0);
    QCOMPARE(fleet.fleetPoints(SeriesId::RedisPingP99Ms, T0, T0, 10).at(0).value, 4.0);
    QVERIFY(fleet.fleetPoints(SeriesId::Rooms, T0, T0, 10).isEmpty());
}

void TestFleetHistory::forgetFreesMemory()
{
    FleetHistory fleet;
    const qsizetype empty = fleet.memoryBytes();
    fleet.ingest(QStringLiteral("host-a"), T0, figures(1, 1));
    const qsizetype one = fleet.memoryBytes();
    QVERIFY(one > empty + 2 * MetricHistory().memoryBytes() - 1);
    for (int k = 1; k < 5000; ++k)
        fleet.ingest(QStringLiteral("host-a"), T0 + k * 1000, figures(k, 1));
    QCOMPARE(fleet.memoryBytes(), one);
    fleet.forget(QStringLiteral("host-a"));
    QCOMPARE(fleet.memoryBytes(), empty);
    QVERIFY(fleet.instances().isEmpty());
}

QTEST_GUILESS_MAIN(TestFleetHistory)
#include "tst_fleethistory.moc"
