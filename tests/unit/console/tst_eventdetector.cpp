// EventDetector: fleet, snapshot and audit pushes into events; describeAuditEntry() sentences.
#include "console/core/eventdetector.h"
#include "console/core/eventlogmodel.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using arena::console::Event;
using arena::console::EventDetector;
using arena::protocol::ActionKind;
using arena::protocol::AuditEntry;
using arena::protocol::Fleet;
using arena::protocol::InstanceState;
using arena::protocol::InstanceSummary;
using arena::protocol::RawJson;
using arena::protocol::Snapshot;

namespace {

constexpr quint64 T0 = 1'795'363'200'000;

InstanceSummary instance(const QString &id, InstanceState state = InstanceState::Up)
{
    InstanceSummary s;
    s.id = id;
    s.host = id;
    s.state = state;
    s.lastSeen = T0;
    return s;
}

Fleet fleet(quint64 time, QList<InstanceSummary> instances)
{
    Fleet f;
    f.time = time;
    f.instances = std::move(instances);
    return f;
}

QJsonObject fixture()
{
    QFile file(QFINDTESTDATA("data/snapshot.json"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("data/snapshot.json not found");
    return QJsonDocument::fromJson(file.readAll()).object();
}

// The fixture with the given worker totals, worker list and Redis reachability.
Snapshot snapshot(const QString &id, quint64 time, int deaths, int restored, int lost, int workers,
                  QJsonArray list = {}, bool redisReachable = true)
{
    QJsonObject figures = fixture();
    QJsonObject w = figures.value(QStringLiteral("workers")).toObject();
    QJsonObject totals = w.value(QStringLiteral("totals")).toObject();
    totals.insert(QStringLiteral("deaths"), deaths);
    totals.insert(QStringLiteral("matches_restored"), restored);
    totals.insert(QStringLiteral("matches_lost"), lost);
    totals.insert(QStringLiteral("total_workers"), workers);
    w.insert(QStringLiteral("totals"), totals);
    if (!list.isEmpty())
        w.insert(QStringLiteral("list"), list);
    figures.insert(QStringLiteral("workers"), w);
    QJsonObject redis = figures.value(QStringLiteral("redis")).toObject();
    redis.insert(QStringLiteral("reachable"), redisReachable);
    if (!redisReachable)
        redis.insert(QStringLiteral("error"), QStringLiteral("not connected: Connection refused"));
    figures.insert(QStringLiteral("redis"), redis);
    Snapshot s;
    s.instance = id;
    s.time = time;
    s.figures = RawJson::fromJsonObject(figures);
    return s;
}

QJsonObject workerEntry(const QString &id, int restarts)
{
    return QJsonObject{{QStringLiteral("id"), id}, {QStringLiteral("restarts"), restarts}};
}

QJsonObject cleanupResult(bool dryRun, int sessions, int rooms, int tickets)
{
    // As the server's POST /health/cleanup answers (CleanupReport::toJson).
    return QJsonObject{{QStringLiteral("dryRun"), dryRun},
                       {QStringLiteral("counts"), QJsonObject{{QStringLiteral("sessions"), sessions},
                                                              {QStringLiteral("rooms"), rooms},
                                                              {QStringLiteral("tickets"), tickets}}},
                       {QStringLiteral("total"), sessions + rooms + tickets},
                       {QStringLiteral("items"), QJsonObject{}},
                       {QStringLiteral("durationMs"), 3}};
}

AuditEntry audit(ActionKind kind, const QString &target, const QJsonObject &params, bool dryRun, bool ok,
                 const QJsonObject &result = {})
{
    AuditEntry e;
    e.id = QStringLiteral("1795363201400-0");
    e.time = T0 + 1400;
    e.actor = QStringLiteral("ops-1");
    e.actionId = QStringLiteral("c-1");
    e.kind = kind;
    if (!target.isEmpty())
        e.target = target;
    e.params = RawJson::fromJsonObject(params);
    e.dryRun = dryRun;
    e.ok = ok;
    e.result = RawJson::fromJsonObject(result);
    if (!ok)
        e.error = arena::protocol::ErrorInfo{arena::protocol::ErrorCode::NotFound, QStringLiteral("no instance host-z in the fleet")};
    return e;
}

Event only(const QSignalSpy &spy)
{
    if (spy.size() != 1)
        qWarning() << "expected one event, got" << spy.size();
    return spy.isEmpty() ? Event{} : spy.at(0).at(0).value<Event>();
}

} // namespace

class TestEventDetector : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void firstFleetOnlyReportsDownInstances();
    void fleetTransitions();
    void workerDeath();
    void workerDeathNamesTheWorker();
    void workerDeathWithLostMatches();
    void workerCountAndRedis();
    void serverRestartIsSilent();
    void cleanupAuditEntry();
    void fleetCleanupAuditEntry();
    void cleanupWithKindErrors();
    void otherActions_data();
    void otherActions();
    void connectionEvents();
    void feedsTheLogModel();
};

void TestEventDetector::firstFleetOnlyReportsDownInstances()
{
    EventDetector detector;
    QSignalSpy spy(&detector, &EventDetector::event);
    detector.onFleet(fleet(T0, {instance(QStringLiteral("host-a")), instance(QStringLiteral("host-c"), InstanceState::Down)}));
    const Event e = only(spy);
    QCOMPARE(e.kind, Event::Kind::Instance);
    QCOMPARE(e.severity, Event::Severity::Error);
    QCOMPARE(e.instance, QStringLiteral("host-c"));
    QCOMPARE(e.text, QStringLiteral("host-c is down"));
    QCOMPARE(e.time, qint64(T0));
}

void TestEventDetector::fleetTransitions()
{
    EventDetector detector;
    detector.onFleet(fleet(T0, {instance(QStringLiteral("host-a")), instance(QStringLiteral("host-b"))}));
    QSignalSpy spy(&detector, &EventDetector::event);
    detector.onFleet(fleet(T0 + 1000, {instance(QStringLiteral("host-a")), instance(QStringLiteral("host-b"))}));
    QCOMPARE(spy.size(), 0);

    detector.onFleet(fleet(T0 + 2000, {instance(QStringLiteral("host-a"), InstanceState::Down), instance(QStringLiteral("host-b"))}));
    Event e = only(spy);
    QCOMPARE(e.severity, Event::Severity::Error);
    QCOMPARE(e.kind, Event::Kind::Instance);
    QCOMPARE(e.text, QStringLiteral("host-a is down"));
    spy.clear();

    detector.onFleet(fleet(T0 + 74'000, {instance(QStringLiteral("host-a")), instance(QStringLiteral("host-b"), InstanceState::Draining)}));
    QCOMPARE(spy.size(), 2);
    QCOMPARE(spy.at(0).at(0).value<Event>().text, QStringLiteral("host-a is back up after 00:01:12"));
    QCOMPARE(spy.at(0).at(0).value<Event>().severity, Event::Severity::Info);
    QCOMPARE(spy.at(1).at(0).value<Event>().text, QStringLiteral("host-b started draining"));
    QCOMPARE(spy.at(1).at(0).value<Event>().severity, Event::Severity::Warning);
    spy.clear();

    detector.onFleet(fleet(T0 + 75'000, {instance(QStringLiteral("host-b")), instance(QStringLiteral("host-d"))}));
    QCOMPARE(spy.size(), 3);
    QCOMPARE(spy.at(0).at(0).value<Event>().text, QStringLiteral("host-b stopped draining"));
    QCOMPARE(spy.at(1).at(0).value<Event>().text, QStringLiteral("host-d joined the fleet"));
    QCOMPARE(spy.at(2).at(0).value<Event>().text, QStringLiteral("host-a left the fleet (no snapshot for 10 minutes)"));
    QCOMPARE(spy.at(2).at(0).value<Event>().severity, Event::Severity::Warning);
    spy.clear();

    detector.reset();
    detector.onFleet(fleet(T0 + 76'000, {instance(QStringLiteral("host-b"))}));
    QCOMPARE(spy.size(), 0);
}

void TestEventDetector::workerDeath()
{
    EventDetector detector;
    QSignalSpy spy(&detector, &EventDetector::event);
    const QString a = QStringLiteral("host-a");
    detector.onSnapshot(snapshot(a, T0, 2, 10, 0, 2));
    detector.onSnapshot(snapshot(a, T0 + 1000, 2, 10, 0, 2));
    QCOMPARE(spy.size(), 0); // the first snapshot only learns the counters
    detector.onSnapshot(snapshot(a, T0 + 2000, 3, 24, 0, 2));
    const Event e = only(spy);
    QCOMPARE(e.kind, Event::Kind::Worker);
    QCOMPARE(e.severity, Event::Severity::Warning);
    QCOMPARE(e.instance, a);
    QCOMPARE(e.text, QStringLiteral("worker died on host-a, 14 matches restored"));
    QCOMPARE(e.time, qint64(T0 + 2000));
    // An older snapshot arriving late is not a second death, nor a "recovery".
    detector.onSnapshot(snapshot(a, T0 + 1500, 2, 10, 0, 2));
    detector.onSnapshot(snapshot(a, T0 + 3000, 3, 24, 0, 2));
    QCOMPARE(spy.size(), 1);
}

void TestEventDetector::workerDeathNamesTheWorker()
{
    EventDetector detector;
    QSignalSpy spy(&detector, &EventDetector::event);
    const QString a = QStringLiteral("host-a");
    detector.onSnapshot(snapshot(a, T0, 0, 0, 0, 2, {workerEntry(QStringLiteral("w1"), 0), workerEntry(QStringLiteral("w3"), 0)}));
    detector.onSnapshot(snapshot(a, T0 + 1000, 1, 1, 0, 2, {workerEntry(QStringLiteral("w1"), 0), workerEntry(QStringLiteral("w3"), 1)}));
    QCOMPARE(only(spy).text, QStringLiteral("worker w3 died on host-a, 1 match restored"));
    spy.clear();
    detector.onSnapshot(snapshot(a, T0 + 2000, 3, 1, 0, 2, {workerEntry(QStringLiteral("w1"), 1), workerEntry(QStringLiteral("w3"), 2)}));
    QCOMPARE(only(spy).text, QStringLiteral("2 workers died on host-a (w1, w3), 0 matches restored"));
}

void TestEventDetector::workerDeathWithLostMatches()
{
    EventDetector detector;
    QSignalSpy spy(&detector, &EventDetector::event);
    detector.onSnapshot(snapshot(QStringLiteral("host-a"), T0, 0, 0, 0, 1));
    detector.onSnapshot(snapshot(QStringLiteral("host-a"), T0 + 1000, 1, 3, 2, 1));
    const Event e = only(spy);
    QCOMPARE(e.text, QStringLiteral("worker died on host-a, 3 matches restored, 2 matches lost"));
    QCOMPARE(e.severity, Event::Severity::Error);
}

void TestEventDetector::workerCountAndRedis()
{
    EventDetector detector;
    QSignalSpy spy(&detector, &EventDetector::event);
    const QString b = QStringLiteral("host-b");
    detector.onSnapshot(snapshot(b, T0, 0, 0, 0, 1));
    detector.onSnapshot(snapshot(b, T0 + 1000, 0, 0, 0, 2));
    Event e = only(spy);
    QCOMPARE(e.kind, Event::Kind::Worker);
    QCOMPARE(e.severity, Event::Severity::Info);
    QCOMPARE(e.text, QStringLiteral("workers on host-b: 1 → 2"));
    spy.clear();

    detector.onSnapshot(snapshot(b, T0 + 2000, 0, 0, 0, 2, {}, false));
    e = only(spy);
    QCOMPARE(e.severity, Event::Severity::Error);
    QCOMPARE(e.text, QStringLiteral("Redis unreachable from host-b: not connected: Connection refused"));
    spy.clear();
    detector.onSnapshot(snapshot(b, T0 + 3000, 0, 0, 0, 2, {}, false));
    QCOMPARE(spy.size(), 0);
    detector.onSnapshot(snapshot(b, T0 + 4000, 0, 0, 0, 2, {}, true));
    e = only(spy);
    QCOMPARE(e.severity, Event::Severity::Info);
    QCOMPARE(e.text, QStringLiteral("Redis reachable again from host-b"));
}

void TestEventDetector::serverRestartIsSilent()
{
    EventDetector detector;
    QSignalSpy spy(&detector, &EventDetector::event);
    detector.onSnapshot(snapshot(QStringLiteral("host-a"), T0, 5, 50, 0, 2));
    // While down the workers part is absent: nothing to compare, the baseline stays.
    Snapshot down;
    down.instance = QStringLiteral("host-a");
    down.time = T0 + 1000;
    down.figures = RawJson::fromJsonObject(QJsonObject{{QStringLiteral("server"), QJsonObject{{QStringLiteral("state"), QStringLiteral("down")}}}});
    detector.onSnapshot(down);
    // A new server process starts counting from 0.
    detector.onSnapshot(snapshot(QStringLiteral("host-a"), T0 + 2000, 0, 0, 0, 2));
    QCOMPARE(spy.size(), 0);
    detector.onSnapshot(snapshot(QStringLiteral("host-a"), T0 + 3000, 1, 4, 0, 2));
    QCOMPARE(only(spy).text, QStringLiteral("worker died on host-a, 4 matches restored"));
}

void TestEventDetector::cleanupAuditEntry()
{
    EventDetector detector;
    QSignalSpy spy(&detector, &EventDetector::event);
    detector.onAuditEntry(audit(ActionKind::Cleanup, QStringLiteral("host-a"), {}, true, true, cleanupResult(true, 0, 3, 41)));
    Event e = only(spy);
    QCOMPARE(e.kind, Event::Kind::Cleanup);
    QCOMPARE(e.severity, Event::Severity::Info);
    QCOMPARE(e.instance, QStringLiteral("host-a"));
    QCOMPARE(e.time, qint64(T0 + 1400));
    QCOMPARE(e.text, QStringLiteral("cleanup by ops-1 on host-a: 0 sessions, 3 rooms, 41 tickets removed (dry run)"));
    spy.clear();

    detector.onAuditEntry(audit(ActionKind::Cleanup, QStringLiteral("host-a"), {}, false, true, cleanupResult(false, 1, 1, 0)));
    QCOMPARE(only(spy).text, QStringLiteral("cleanup by ops-1 on host-a: 1 session, 1 room, 0 tickets removed"));
    spy.clear();
    // The server's kinds in the order it runs them: a dead instance's leftovers come after the rooms.
    QCOMPARE(arena::console::describeCleanupCounts(QJsonObject{{QStringLiteral("counts"),
                                                QJsonObject{{QStringLiteral("states"), 2}, {QStringLiteral("instances"), 5},
                                                            {QStringLiteral("rooms"), 0}, {QStringLiteral("sessions"), 1},
                                                            {QStringLiteral("tickets"), 0}}}}),
             QStringLiteral("1 session, 0 rooms, 5 instances, 0 tickets, 2 states removed"));

    detector.onAuditEntry(audit(ActionKind::Cleanup, QStringLiteral("host-z"), {}, false, false));
    e = only(spy);
    QCOMPARE(e.severity, Event::Severity::Error);
    QCOMPARE(e.text, QStringLiteral("cleanup by ops-1 on host-z failed: not_found: no instance host-z in the fleet"));
}

void TestEventDetector::fleetCleanupAuditEntry()
{
    EventDetector detector;
    QSignalSpy spy(&detector, &EventDetector::event);
    const QJsonObject result{
        {QStringLiteral("instances"),
         QJsonObject{{QStringLiteral("host-a"), cleanupResult(false, 0, 3, 41)},
                     {QStringLiteral("host-b"), QJsonObject{{QStringLiteral("error"),
                                                             QJsonObject{{QStringLiteral("code"), QStringLiteral("unavailable")},
                                                                         {QStringLiteral("message"), QStringLiteral("no answer in 10 s")}}}}}}},
        {QStringLiteral("failed"), 1}};
    AuditEntry entry = audit(ActionKind::Cleanup, QString(), {}, false, false, result);
    entry.error = arena::protocol::ErrorInfo{arena::protocol::ErrorCode::Unavailable, QStringLiteral("1 instance failed")};
    detector.onAuditEntry(entry);
    const Event e = only(spy);
    QCOMPARE(e.instance, QString());
    QCOMPARE(e.severity, Event::Severity::Error);
    QCOMPARE(e.text, QStringLiteral("cleanup by ops-1 on fleet: host-a: 0 sessions, 3 rooms, 41 tickets removed; "
                                    "host-b failed: no answer in 10 s"));
}

void TestEventDetector::cleanupWithKindErrors()
{
    EventDetector detector;
    QSignalSpy spy(&detector, &EventDetector::event);
    QJsonObject result = cleanupResult(false, 2, 0, 0);
    QJsonObject counts = result.value(QStringLiteral("counts")).toObject();
    counts.insert(QStringLiteral("states"), 0);
    result.insert(QStringLiteral("counts"), counts);
    result.insert(QStringLiteral("errors"), QJsonObject{{QStringLiteral("states"), QStringLiteral("SCAN failed")}});
    detector.onAuditEntry(audit(ActionKind::Cleanup, QStringLiteral("host-a"), {}, false, true, result));
    const Event e = only(spy);
    QCOMPARE(e.severity, Event::Severity::Warning);
    QCOMPARE(e.text, QStringLiteral("cleanup by ops-1 on host-a: 2 sessions, 0 rooms, 0 tickets, 0 states removed; "
                                    "states failed: SCAN failed"));
}

void TestEventDetector::otherActions_data()
{
    QTest::addColumn<ActionKind>("kind");
    QTest::addColumn<QJsonObject>("params");
    QTest::addColumn<bool>("dryRun");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("text");
    QTest::newRow("scale") << ActionKind::ScaleWorkers << QJsonObject{{QStringLiteral("workers"), 2}} << false << true
                           << QStringLiteral("ops-1 scaled workers on host-b to 2");
    QTest::newRow("scale dry run") << ActionKind::ScaleWorkers << QJsonObject{{QStringLiteral("workers"), 2}} << true << true
                                   << QStringLiteral("ops-1 scaled workers on host-b to 2 (dry run)");
    QTest::newRow("scale failed") << ActionKind::ScaleWorkers << QJsonObject{{QStringLiteral("workers"), 2}} << false << false
                                  << QStringLiteral("ops-1 could not scale workers on host-b to 2: not_found: no instance host-z in the fleet");
    QTest::newRow("restart") << ActionKind::RestartWorker << QJsonObject{{QStringLiteral("worker"), QStringLiteral("w1")}} << false
                             << true << QStringLiteral("ops-1 restarted worker w1 on host-b");
    QTest::newRow("drain worker") << ActionKind::DrainWorker
                                  << QJsonObject{{QStringLiteral("worker"), QStringLiteral("w1")}, {QStringLiteral("deadline_ms"), 30000}}
                                  << false << true << QStringLiteral("ops-1 drained worker w1 on host-b (deadline 30000 ms)");
    QTest::newRow("drain instance") << ActionKind::DrainInstance << QJsonObject{{QStringLiteral("deadline_ms"), 1000}} << false
                                    << true << QStringLiteral("ops-1 drained host-b");
    QTest::newRow("cancel drain") << ActionKind::DrainInstance << QJsonObject{{QStringLiteral("cancel"), true}} << false << true
                                  << QStringLiteral("ops-1 cancelled draining host-b");
    QTest::newRow("dispose room") << ActionKind::DisposeRoom << QJsonObject{{QStringLiteral("room_id"), QStringLiteral("r-1")}}
                                  << false << true << QStringLiteral("ops-1 disposed of room r-1 on host-b");
}

void TestEventDetector::otherActions()
{
    QFETCH(ActionKind, kind);
    QFETCH(QJsonObject, params);
    QFETCH(bool, dryRun);
    QFETCH(bool, ok);
    QFETCH(QString, text);
    EventDetector detector;
    QSignalSpy spy(&detector, &EventDetector::event);
    detector.onAuditEntry(audit(kind, QStringLiteral("host-b"), params, dryRun, ok));
    const Event e = only(spy);
    QCOMPARE(e.kind, Event::Kind::Action);
    QCOMPARE(e.severity, ok ? Event::Severity::Info : Event::Severity::Error);
    QCOMPARE(e.instance, QStringLiteral("host-b"));
    QCOMPARE(e.text, text);
}

void TestEventDetector::connectionEvents()
{
    EventDetector detector;
    detector.setClock([] { return qint64(T0 + 5); });
    QSignalSpy spy(&detector, &EventDetector::event);
    detector.onConnectionState(QStringLiteral("connection to ws://a:4602 lost, retrying in 2 s"), Event::Severity::Warning);
    const Event e = only(spy);
    QCOMPARE(e.kind, Event::Kind::Connection);
    QCOMPARE(e.severity, Event::Severity::Warning);
    QCOMPARE(e.time, qint64(T0 + 5));
    QVERIFY(e.instance.isEmpty());
}

void TestEventDetector::feedsTheLogModel()
{
    EventDetector detector;
    arena::console::EventLogModel log;
    connect(&detector, &EventDetector::event, &log, &arena::console::EventLogModel::append);
    detector.onFleet(fleet(T0, {instance(QStringLiteral("host-c"), InstanceState::Down)}));
    detector.onAuditEntry(audit(ActionKind::Cleanup, QStringLiteral("host-a"), {}, true, true, cleanupResult(true, 0, 3, 41)));
    QCOMPARE(log.rowCount(), 2);
    QCOMPARE(log.eventAt(1).kind, Event::Kind::Cleanup);
}

QTEST_GUILESS_MAIN(TestEventDetector)
#include "tst_eventdetector.moc"
