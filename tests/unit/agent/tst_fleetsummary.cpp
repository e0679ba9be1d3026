// The agent's pure transformations of a snapshot: the fleet summary and instance state
// (FleetDirectory), and the Prometheus gauges of /metrics (snapshotMetrics). A directory without
// Redis holds its own instance only.
#include "agent/fleetdirectory.h"
#include "agent/snapshotmetrics.h"

#include <QJsonDocument>
#include <QSignalSpy>
#include <QTest>

using namespace arena;
using protocol::InstanceState;

namespace {

QJsonObject snapshot(const char *state, bool draining = false)
{
    QJsonObject s = QJsonDocument::fromJson(R"({
        "format": 1, "seq": 7, "time": 1795363201123, "interval_ms": 1000, "instance": "host-a",
        "server": {"state": "up", "status": "ok", "draining": false, "pid": 4711,
                   "process": {"cpu_percent": 1.5, "rss_kb": 38436, "exists": true, "command": "arena-server"}},
        "sessions": {"total": 3, "connected": 2},
        "rooms": {"total": 2, "by_type": {"duel": 1, "relay": 1}, "clients_by_type": {"duel": 2, "relay": 1}},
        "matches": {"active": 1, "formed_total": 4},
        "queues": [{"room_type": "duel", "team_size": 1, "tickets": 5}],
        "matchmaking": {"wait": {"duel": {"count": 2, "p99_s": 0.25, "buckets": [{"le": 0.1, "count": 0}]}}},
        "workers": {"list": [{"id": "w1", "pid": 4720, "state": "ready", "matches": 1, "cpu_percent": 0.8}],
                    "totals": {"total_workers": 1, "total_matches": 1}},
        "redis": {"reachable": true, "ping_p99_ms": 0.143, "keyspace": {"db0": {"keys": 9, "expires": 4}}},
        "host": {"name": "a.example", "cpus": 2, "load1": 0.48}
    })").object();
    QJsonObject server = s.value(QStringLiteral("server")).toObject();
    server.insert(QStringLiteral("state"), QLatin1String(state));
    server.insert(QStringLiteral("draining"), draining);
    s.insert(QStringLiteral("server"), server);
    return s;
}

} // namespace

class TestFleetSummary final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void summaryOfASnapshot()
    {
        FleetDirectory::Entry e{.instance = QStringLiteral("host-a"), .figures = snapshot("up"), .time = 1795363201123,
                                .lastSeen = 1795363201000};
        const auto s = FleetDirectory::summarize(e);
        QCOMPARE(s.id, QStringLiteral("host-a"));
        QCOMPARE(s.host, QStringLiteral("a.example"));
        QCOMPARE(s.state, InstanceState::Up);
        QCOMPARE(s.sessions, 3u);
        QCOMPARE(s.rooms, 2u);
        QCOMPARE(s.matches, 1u);
        QCOMPARE(s.workers, 1u);
        QCOMPARE(s.lastSeen, quint64(1795363201000));
    }

    void states()
    {
        FleetDirectory::Entry e{.instance = QStringLiteral("h"), .figures = snapshot("up")};
        QCOMPARE(FleetDirectory::stateOf(e), InstanceState::Up);
        e.figures = snapshot("draining", true);
        QCOMPARE(FleetDirectory::stateOf(e), InstanceState::Draining);
        e.figures = snapshot("down");
        QCOMPARE(FleetDirectory::stateOf(e), InstanceState::Down);
        e.figures = snapshot("unknown");
        QCOMPARE(FleetDirectory::stateOf(e), InstanceState::Down);
        e.figures = snapshot("up");
        e.expired = true; // its agent is gone: whatever it said last no longer holds
        QCOMPARE(FleetDirectory::stateOf(e), InstanceState::Down);
        // Figures missing or of the wrong type count as zero, never as garbage.
        e = FleetDirectory::Entry{.instance = QStringLiteral("h"), .figures = QJsonObject{{QStringLiteral("sessions"), QStringLiteral("many")}}};
        QCOMPARE(FleetDirectory::summarize(e).sessions, 0u);
    }

    void withoutRedisOnlyItsOwn()
    {
        FleetDirectory fleet(nullptr, "arena:", std::chrono::milliseconds(1000));
        QSignalSpy arrived(&fleet, &FleetDirectory::snapshotArrived);
        QSignalSpy refreshed(&fleet, &FleetDirectory::refreshed);
        QVERIFY(fleet.entries().isEmpty());
        fleet.publishOwn(snapshot("up"));
        QCOMPARE(arrived.size(), 1);
        QCOMPARE(arrived[0][0].toString(), QStringLiteral("host-a"));
        fleet.refresh();
        QCOMPARE(refreshed.size(), 1);
        QCOMPARE(fleet.ownInstance(), QStringLiteral("host-a"));
        QCOMPARE(fleet.summaries().size(), 1);
        QVERIFY(fleet.entry(QStringLiteral("host-a"))->own);
        QVERIFY(!fleet.entry(QStringLiteral("host-b")));
        QCOMPARE(fleet.state(QStringLiteral("host-b")), InstanceState::Down);
        QCOMPARE(fleet.liveInstances(), QStringList{QStringLiteral("host-a")});
        fleet.publishOwn(snapshot("down"));
        QVERIFY(fleet.liveInstances().isEmpty());
    }

    void metricsOfASnapshot()
    {
        const QByteArray text = snapshotMetrics(snapshot("up"));
        const auto has = [&](const char *line) {
            if (!text.contains(QByteArray(line) + '\n'))
                qWarning("missing: %s\n%s", line, text.constData());
            return text.contains(QByteArray(line) + '\n');
        };
        QVERIFY(has("arena_snapshot_server_up{instance=\"host-a\"} 1"));
        QVERIFY(has("arena_snapshot_sessions_total{instance=\"host-a\"} 3"));
        QVERIFY(has("arena_snapshot_server_process_rss_kb{instance=\"host-a\"} 38436"));
        QVERIFY(has("arena_snapshot_server_process_exists{instance=\"host-a\"} 1"));
        QVERIFY(has("arena_snapshot_rooms_by_type{instance=\"host-a\",room_type=\"duel\"} 1"));
        QVERIFY(has("arena_snapshot_rooms_clients_by_type{instance=\"host-a\",room_type=\"relay\"} 1"));
        QVERIFY(has("arena_snapshot_matchmaking_wait_p99_s{instance=\"host-a\",room_type=\"duel\"} 0.25"));
        QVERIFY(has("arena_snapshot_worker_cpu_percent{instance=\"host-a\",worker=\"w1\"} 0.8"));
        QVERIFY(has("arena_snapshot_queue_tickets{instance=\"host-a\",room_type=\"duel\",team_size=\"1\"} 5"));
        QVERIFY(has("arena_snapshot_redis_keyspace_keys{instance=\"host-a\",db=\"db0\"} 9"));
        QVERIFY(has("# TYPE arena_snapshot_sessions_total gauge"));
        // Strings, bookkeeping and histogram buckets are left out.
        QVERIFY(!text.contains("arena_snapshot_seq"));
        QVERIFY(!text.contains("command"));
        QVERIFY(!text.contains("buckets"));
        QVERIFY(!text.contains("_le"));
        // Each family announced once.
        QCOMPARE(text.count("# TYPE arena_snapshot_rooms_by_type gauge"), 1);

        QVERIFY(snapshotMetrics(snapshot("down")).contains("arena_snapshot_server_up{instance=\"host-a\"} 0\n"));
        // Label values are escaped.
        QJsonObject odd = snapshot("up");
        odd.insert(QStringLiteral("instance"), QStringLiteral("a\"b\\c"));
        QVERIFY(snapshotMetrics(odd).contains("arena_snapshot_server_up{instance=\"a\\\"b\\\\c\"} 1"));
    }
};

QTEST_GUILESS_MAIN(TestFleetSummary)
#include "tst_fleetsummary.moc"
