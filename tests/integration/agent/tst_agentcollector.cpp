// AgentCollector against real processes: a redis-server and an arena-server (with its worker) on
// that Redis. The snapshot shows the server up with its sessions, workers with /proc figures, Redis
// with PING percentiles; Redis stopped and restarted is reported unreachable and then reachable while
// snapshots keep coming; a server without workers or Redis gives a snapshot without those parts; and a
// server killed with SIGKILL is reported down within 3 s while the collector goes on.
#include "agent/agentcollector.h"
#include "agent/redisprobe.h"
#include "agent/serverpoller.h"
#include "tests/support/arenaserver.h"
#include "tests/support/redisserver.h"
#include "tests/support/testplayer.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QTcpServer>
#include <QTest>

#include <csignal>
#include <memory>

using namespace arena;
using test::TestPlayer;
using namespace std::chrono_literals;

namespace {

QJsonObject obj(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toObject();
}

QString serverState(const QJsonObject &snapshot)
{
    return obj(snapshot, "server").value(QStringLiteral("state")).toString();
}

} // namespace

class TestAgentCollector final : public QObject
{
    Q_OBJECT

private:
    test::RedisServer m_redis;
    test::ArenaServer m_server;
    quint16 m_playerPort = 0;
    quint16 m_adminPort = 0;

    static bool startServer(test::ArenaServer &server, const QStringList &args)
    {
        if (!server.start(QStringLiteral(ARENA_SERVER_BINARY), args, 15000)) {
            qWarning("%s", qPrintable(server.lastError()));
            return false;
        }
        return true;
    }

    AgentCollector::Settings settings(quint16 adminPort, bool withRedis) const
    {
        AgentCollector::Settings s;
        s.server = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(adminPort));
        if (withRedis) {
            const Result<RedisOptions> redis = RedisOptions::fromUrl(m_redis.url());
            if (redis.ok())
                s.redis = redis.value();
        }
        return s;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_redis.start(), qPrintable(m_redis.lastError()));
        QVERIFY(startServer(m_server,
                            {QStringLiteral("--redis"), m_redis.url(), QStringLiteral("--instance-id"),
                             QStringLiteral("agent-it-1"), QStringLiteral("--workers-min"), QStringLiteral("1"),
                             QStringLiteral("--workers-max"), QStringLiteral("1")}));
        m_playerPort = m_server.playerPort();
        m_adminPort = m_server.adminPort();
    }

    void cleanup()
    {
        if (QTest::currentTestFailed())
            qWarning("arena-server said:\n%s", m_server.output().constData());
    }

    void snapshotOfARunningServer()
    {
        TaskRegistry tasks;
        AgentCollector collector(settings(m_adminPort, true), tasks);
        QSignalSpy snapshots(&collector, &AgentCollector::snapshotReady);
        const Result<void> started = collector.start();
        QVERIFY2(started.ok(), qPrintable(started.ok() ? QString() : started.error().message));

        // Up, its worker ready, Redis answering.
        QTRY_VERIFY_WITH_TIMEOUT(serverState(collector.lastSnapshot()) == QLatin1String("up")
                                     && !obj(obj(collector.lastSnapshot(), "workers"), "totals").isEmpty()
                                     && obj(collector.lastSnapshot(), "redis").contains(QStringLiteral("ping_p99_ms")),
                                 15000);

        TestPlayer a, b, c;
        QVERIFY(a.connectAs(m_playerPort, QStringLiteral("ann")));
        QVERIFY(b.connectAs(m_playerPort, QStringLiteral("bob")));
        QVERIFY(c.connectAs(m_playerPort, QStringLiteral("cid")));
        QTRY_COMPARE_WITH_TIMEOUT(obj(collector.lastSnapshot(), "sessions").value(QStringLiteral("total")).toInt(), 3, 5000);
        // One more snapshot, so every process has been sampled twice and has a CPU figure.
        const qsizetype seen = snapshots.size();
        QTRY_VERIFY_WITH_TIMEOUT(snapshots.size() > seen, 3000);

        const QJsonObject s = collector.lastSnapshot();
        QCOMPARE(s.value(QStringLiteral("format")).toInt(), 1);
        QCOMPARE(s.value(QStringLiteral("instance")).toString(), QStringLiteral("agent-it-1"));
        QVERIFY(qAbs(s.value(QStringLiteral("time")).toInteger() - QDateTime::currentMSecsSinceEpoch()) < 10000);
        QCOMPARE(s.value(QStringLiteral("interval_ms")).toInt(), 1000);
        QVERIFY(snapshots.last().at(0).toJsonObject() == s);
        QVERIFY(snapshots.first().at(0).toJsonObject().value(QStringLiteral("seq")).toInteger()
                < s.value(QStringLiteral("seq")).toInteger());

        const QJsonObject server = obj(s, "server");
        QCOMPARE(server.value(QStringLiteral("state")).toString(), QStringLiteral("up"));
        QCOMPARE(server.value(QStringLiteral("status")).toString(), QStringLiteral("ok"));
        QCOMPARE(server.value(QStringLiteral("pid")).toInteger(), m_server.process().processId());
        QCOMPARE(server.value(QStringLiteral("player_port")).toInt(), int(m_playerPort));
        // Its lease in the fleet registry (the server is on Redis): held, a first epoch.
        QCOMPARE(obj(server, "lease").value(QStringLiteral("state")).toString(), QStringLiteral("held"));
        QVERIFY(obj(server, "lease").value(QStringLiteral("epoch")).toInt() >= 1);
        QVERIFY(!server.contains(QStringLiteral("reason")));
        const QJsonObject process = obj(server, "process");
        QCOMPARE(process.value(QStringLiteral("pid")).toInteger(), m_server.process().processId());
        QCOMPARE(process.value(QStringLiteral("exists")).toBool(), true);
        QVERIFY(process.value(QStringLiteral("rss_kb")).toInteger() > 0);
        QVERIFY(process.value(QStringLiteral("fds")).toInteger() > 3); // listening sockets, players, Redis
        QVERIFY(process.value(QStringLiteral("threads")).toInteger() >= 1);
        QVERIFY(process.value(QStringLiteral("cpu_percent")).toDouble(-1) >= 0.0);

        const QJsonObject sessions = obj(s, "sessions");
        QCOMPARE(sessions.value(QStringLiteral("total")).toInt(), 3);
        QCOMPARE(sessions.value(QStringLiteral("connected")).toInt(), 3);
        QCOMPARE(sessions.value(QStringLiteral("awaiting_resume")).toInt(-1), 0);
        QCOMPARE(obj(s, "rooms").value(QStringLiteral("total")).toInt(-1), 0);
        QVERIFY(s.value(QStringLiteral("queues")).isArray());
        QCOMPARE(obj(s, "matches").value(QStringLiteral("active")).toInt(-1), 0);
        QCOMPARE(obj(s, "matches").value(QStringLiteral("formed_total")).toInt(-1), 0);
        QVERIFY(obj(s, "matchmaking").value(QStringLiteral("wait")).isObject());
        QVERIFY(!obj(s, "matchmaking").contains(QStringLiteral("error")));
        QVERIFY(obj(s, "traffic").value(QStringLiteral("messages_total")).toInteger() >= 3); // the hellos

        const QJsonObject workers = obj(s, "workers");
        const QJsonArray list = workers.value(QStringLiteral("list")).toArray();
        QCOMPARE(list.size(), 1);
        qint64 rssSum = 0;
        for (const QJsonValue &v : list) {
            const QJsonObject w = v.toObject();
            const qint64 pid = w.value(QStringLiteral("pid")).toInteger();
            QVERIFY(pid > 0);
            QVERIFY(pid != m_server.process().processId());
            QCOMPARE(w.value(QStringLiteral("exists")).toBool(), true);
            QVERIFY(w.value(QStringLiteral("rss_kb")).toInteger() > 0);
            QVERIFY(w.value(QStringLiteral("fds")).toInteger() > 0);
            QVERIFY(w.value(QStringLiteral("threads")).toInteger() >= 1);
            QVERIFY(w.value(QStringLiteral("cpu_percent")).toDouble(-1) >= 0.0);
            QVERIFY(!w.value(QStringLiteral("id")).toString().isEmpty());
            rssSum += w.value(QStringLiteral("rss_kb")).toInteger();
        }
        const QJsonObject totals = obj(workers, "totals");
        QCOMPARE(totals.value(QStringLiteral("total_workers")).toInt(), 1);
        QCOMPARE(totals.value(QStringLiteral("rss_kb")).toInteger(), rssSum);
        QVERIFY(totals.contains(QStringLiteral("fds")));
        QVERIFY(totals.contains(QStringLiteral("threads")));

        QCOMPARE(obj(s, "store").value(QStringLiteral("backend")).toString(), QStringLiteral("redis"));
        QCOMPARE(obj(s, "store").value(QStringLiteral("available")).toBool(), true);
        const QJsonObject pool = obj(s, "redis_pool");
        QVERIFY(pool.value(QStringLiteral("total")).toInt() >= 1);
        QVERIFY(pool.contains(QStringLiteral("idle")));
        QVERIFY(pool.contains(QStringLiteral("waiting")));
        QVERIFY(pool.contains(QStringLiteral("failed")));

        const QJsonObject redis = obj(s, "redis");
        QCOMPARE(redis.value(QStringLiteral("reachable")).toBool(), true);
        QVERIFY(!redis.contains(QStringLiteral("error")));
        QCOMPARE(redis.value(QStringLiteral("url")).toString(), m_redis.url());
        QVERIFY(redis.value(QStringLiteral("pings")).toInt() > 0);
        QVERIFY(redis.value(QStringLiteral("ping_p50_ms")).toDouble() > 0.0);
        QVERIFY(redis.value(QStringLiteral("ping_p99_ms")).toDouble() >= redis.value(QStringLiteral("ping_p50_ms")).toDouble());
        QVERIFY(redis.value(QStringLiteral("ping_max_ms")).toDouble() >= redis.value(QStringLiteral("ping_p99_ms")).toDouble());
        QVERIFY(!redis.value(QStringLiteral("version")).toString().isEmpty());
        QVERIFY(redis.value(QStringLiteral("used_memory")).toInteger() > 0);
        QVERIFY(redis.value(QStringLiteral("connected_clients")).toInt() >= 2); // the server's pool and the agent
        QVERIFY(redis.value(QStringLiteral("keys")).toInteger() > 0);           // the server's sessions, at least
        QVERIFY(redis.contains(QStringLiteral("pubsub_channels")));
        QVERIFY(redis.contains(QStringLiteral("total_commands")));
        // The agent's connection is named, so operators can tell it apart in CLIENT LIST.
        QVERIFY(m_redis.cli({QStringLiteral("CLIENT"), QStringLiteral("LIST")}).contains("name=arena-agent"));

        const QJsonObject host = obj(s, "host");
        QVERIFY(host.value(QStringLiteral("cpus")).toInt() >= 1);
        QVERIFY(host.value(QStringLiteral("mem_total_kb")).toInteger() > 0);
        QVERIFY(host.contains(QStringLiteral("load1")));
    }

    // Players relaying room messages: the snapshot's traffic has rates and handling percentiles.
    void trafficOfPlayersSendingRoomMessages()
    {
        TaskRegistry tasks;
        AgentCollector::Settings s = settings(m_adminPort, false);
        s.interval = 300ms; // a few polls within the sending
        AgentCollector collector(s, tasks);
        QVERIFY(collector.start().ok());
        QTRY_COMPARE_WITH_TIMEOUT(serverState(collector.lastSnapshot()), QStringLiteral("up"), 10000);

        TestPlayer players[3];
        QString roomId;
        for (int i = 0; i < 3; ++i) {
            QVERIFY(players[i].connectAs(m_playerPort, QStringLiteral("traffic-%1").arg(i)));
            protocol::JoinOrCreate join;
            join.roomType = QStringLiteral("relay");
            join.metadata = protocol::RawJson::fromJsonObject({{QStringLiteral("test"), QStringLiteral("traffic")}});
            join.filter = join.metadata;
            players[i].client->send(join);
            const auto joined = players[i].next<protocol::Joined>();
            QVERIFY(joined);
            QVERIFY(roomId.isEmpty() || joined->roomId == roomId);
            roomId = joined->roomId;
        }

        // 3 players x 10 messages a second (within the rate limit), each delivered to all 3, until the
        // collector has seen a poll interval with messages in it.
        QElapsedTimer sending;
        sending.start();
        QJsonObject traffic;
        while (sending.elapsed() < 10000) {
            for (TestPlayer &p : players) {
                protocol::RoomMessage message;
                message.roomId = roomId;
                message.data = protocol::RawJson::fromJsonObject({{QStringLiteral("n"), sending.elapsed()}});
                p.client->send(message);
            }
            QTest::qWait(100);
            for (TestPlayer &p : players)
                p.clear();
            traffic = obj(collector.lastSnapshot(), "traffic");
            if (traffic.value(QStringLiteral("messages_per_s")).toDouble() > 0
                && traffic.contains(QStringLiteral("handle_p99_ms")))
                break;
        }
        QVERIFY2(traffic.value(QStringLiteral("messages_per_s")).toDouble() > 0, QJsonDocument(traffic).toJson());
        QVERIFY2(traffic.contains(QStringLiteral("handle_p99_ms")), QJsonDocument(traffic).toJson());
        QVERIFY(traffic.value(QStringLiteral("messages_total")).toInteger() >= 6); // hellos and joins, at least
        QVERIFY(traffic.value(QStringLiteral("deliveries_per_s")).toDouble() > 0);
        const double p50 = traffic.value(QStringLiteral("handle_p50_ms")).toDouble(-1);
        const double p99 = traffic.value(QStringLiteral("handle_p99_ms")).toDouble(-1);
        QVERIFY(p50 > 0.0);
        QVERIFY(p99 >= p50);
        QVERIFY(p99 < 200.0); // within the histogram's finite buckets

        // Once they stop, an interval without messages: a rate of 0 and no percentiles.
        QTRY_VERIFY_WITH_TIMEOUT(
            obj(collector.lastSnapshot(), "traffic").value(QStringLiteral("messages_per_s")).toDouble(-1) == 0.0
                && !obj(collector.lastSnapshot(), "traffic").contains(QStringLiteral("handle_p99_ms")),
            5000);
    }

    void redisGoesAwayAndComesBack()
    {
        TaskRegistry tasks;
        AgentCollector collector(settings(m_adminPort, true), tasks);
        QSignalSpy snapshots(&collector, &AgentCollector::snapshotReady);
        QSignalSpy reachability(collector.redisProbe(), &RedisProbe::reachabilityChanged);
        QVERIFY(collector.start().ok());
        QTRY_VERIFY_WITH_TIMEOUT(obj(collector.lastSnapshot(), "redis").value(QStringLiteral("reachable")).toBool(), 10000);

        m_redis.stop();
        QTRY_VERIFY_WITH_TIMEOUT(!obj(collector.lastSnapshot(), "redis").value(QStringLiteral("reachable")).toBool(true),
                                 5000);
        {
            const QJsonObject redis = obj(collector.lastSnapshot(), "redis");
            QVERIFY(!redis.value(QStringLiteral("error")).toString().isEmpty());
            QVERIFY(redis.contains(QStringLiteral("unreachable_since")));
        }
        QVERIFY(reachability.size() >= 2); // reachable at first, then not
        QCOMPARE(reachability.last().at(0).toBool(), false);
        QVERIFY(!reachability.last().at(1).toString().isEmpty());

        // The collector carries on: more snapshots, the server still answering its admin API.
        const qsizetype before = snapshots.size();
        QTRY_VERIFY_WITH_TIMEOUT(snapshots.size() >= before + 2, 5000);
        const QJsonObject whileDown = collector.lastSnapshot();
        QCOMPARE(serverState(whileDown), QStringLiteral("up"));
        const QJsonObject redisDown = obj(whileDown, "redis");
        QCOMPARE(redisDown.value(QStringLiteral("reachable")).toBool(true), false);
        QVERIFY(!redisDown.contains(QStringLiteral("used_memory"))); // no stale INFO figures
        QVERIFY(!redisDown.contains(QStringLiteral("ping_p99_ms")));
        QVERIFY(redisDown.value(QStringLiteral("ping_failures")).toInt() > 0);

        QVERIFY2(m_redis.restart(), qPrintable(m_redis.lastError()));
        QTRY_VERIFY_WITH_TIMEOUT(obj(collector.lastSnapshot(), "redis").value(QStringLiteral("reachable")).toBool()
                                     && obj(collector.lastSnapshot(), "redis").contains(QStringLiteral("ping_p99_ms"))
                                     && obj(collector.lastSnapshot(), "redis").contains(QStringLiteral("used_memory")),
                                 10000);
        QVERIFY(!obj(collector.lastSnapshot(), "redis").contains(QStringLiteral("error")));
        QCOMPARE(reachability.last().at(0).toBool(), true);
    }

    // The first poll usually answers before Redis does; the first snapshot still says what is known
    // about Redis, never "not checked yet", or a console would flash (and log) Redis as unreachable.
    void firstSnapshotWaitsForTheRedisProbe()
    {
        {
            TaskRegistry tasks;
            AgentCollector collector(settings(m_adminPort, true), tasks);
            QSignalSpy snapshots(&collector, &AgentCollector::snapshotReady);
            QVERIFY(collector.start().ok());
            QVERIFY(snapshots.wait(5000));
            const QJsonObject first = snapshots.first().at(0).toJsonObject();
            QCOMPARE(serverState(first), QStringLiteral("up"));
            QVERIFY2(obj(first, "redis").value(QStringLiteral("reachable")).toBool(),
                     QJsonDocument(obj(first, "redis")).toJson().constData());
        }
        // A "Redis" that accepts connections and never answers: the first snapshot comes once the probe
        // has timed out, and says why Redis is unreachable.
        QTcpServer silent;
        QVERIFY(silent.listen(QHostAddress::LocalHost));
        AgentCollector::Settings s = settings(m_adminPort, false);
        const Result<RedisOptions> redis =
            RedisOptions::fromUrl(QStringLiteral("redis://127.0.0.1:%1").arg(silent.serverPort()));
        QVERIFY(redis.ok());
        s.redis = redis.value();
        s.requestTimeout = 300ms;
        TaskRegistry tasks;
        AgentCollector collector(s, tasks);
        QSignalSpy snapshots(&collector, &AgentCollector::snapshotReady);
        QVERIFY(collector.start().ok());
        QVERIFY(snapshots.wait(5000));
        const QJsonObject first = obj(snapshots.first().at(0).toJsonObject(), "redis");
        QCOMPARE(first.value(QStringLiteral("reachable")).toBool(true), false);
        const QString error = first.value(QStringLiteral("error")).toString();
        QVERIFY2(!error.isEmpty() && error != QLatin1String("not checked yet"), qPrintable(error));
        QCOMPARE(serverState(snapshots.first().at(0).toJsonObject()), QStringLiteral("up"));
    }

    void serverWithoutWorkersOrRedis()
    {
        test::ArenaServer server;
        QVERIFY(startServer(server, {QStringLiteral("--workers-max"), QStringLiteral("0"), QStringLiteral("--instance-id"),
                                     QStringLiteral("agent-it-solo")}));
        const quint16 adminPort = server.adminPort();
        TaskRegistry tasks;
        AgentCollector collector(settings(adminPort, false), tasks);
        QVERIFY(collector.redisProbe() == nullptr);
        QVERIFY(collector.start().ok());
        QTRY_COMPARE_WITH_TIMEOUT(serverState(collector.lastSnapshot()), QStringLiteral("up"), 5000);
        const QJsonObject s = collector.lastSnapshot();
        QCOMPARE(s.value(QStringLiteral("instance")).toString(), QStringLiteral("agent-it-solo"));
        // /workers/stats answers 503 without a pool: no workers part, and no error either.
        QVERIFY(!s.contains(QStringLiteral("workers")));
        QVERIFY(collector.poller().workersError().isEmpty());
        QVERIFY(!obj(s, "matches").contains(QStringLiteral("active")));
        QVERIFY(!s.contains(QStringLiteral("redis")));
        QVERIFY(!s.contains(QStringLiteral("redis_pool")));
        QCOMPARE(obj(s, "store").value(QStringLiteral("backend")).toString(), QStringLiteral("memory"));
        QCOMPARE(obj(s, "sessions").value(QStringLiteral("total")).toInt(-1), 0);
        QCOMPARE(obj(obj(s, "server"), "process").value(QStringLiteral("pid")).toInteger(), server.process().processId());
    }

    // Last: it kills the shared server.
    void killedServerIsReportedDown()
    {
        TaskRegistry tasks;
        AgentCollector collector(settings(m_adminPort, true), tasks);
        QSignalSpy snapshots(&collector, &AgentCollector::snapshotReady);
        QSignalSpy down(&collector.poller(), &ServerPoller::serverDown);
        QVERIFY(collector.start().ok());
        QTRY_COMPARE_WITH_TIMEOUT(serverState(collector.lastSnapshot()), QStringLiteral("up"), 10000);
        const QJsonArray workersBefore = obj(collector.lastSnapshot(), "workers").value(QStringLiteral("list")).toArray();
        QVERIFY(!workersBefore.isEmpty());

        const qint64 pid = m_server.process().processId();
        m_server.process().sendSignal(SIGKILL);
        QVERIFY(m_server.process().waitForFinished(5000)); // reaped: gone from /proc, not a zombie
        // Down within 3 s of the last answer; the test allows 4 s.
        QTRY_COMPARE_WITH_TIMEOUT(serverState(collector.lastSnapshot()), QStringLiteral("down"), 4000);
        QCOMPARE(down.size(), 1);
        QVERIFY(!down.first().at(0).toString().isEmpty());

        const QJsonObject s = collector.lastSnapshot();
        const QJsonObject server = obj(s, "server");
        QVERIFY(server.value(QStringLiteral("reason")).toString().contains(QStringLiteral("no successful poll")));
        QVERIFY(!server.value(QStringLiteral("error")).toString().isEmpty());
        QCOMPARE(server.value(QStringLiteral("pid")).toInteger(), pid);
        QCOMPARE(obj(server, "process").value(QStringLiteral("exists")).toBool(true), false);
        QCOMPARE(s.value(QStringLiteral("instance")).toString(), QStringLiteral("agent-it-1")); // last known
        for (const char *part : {"sessions", "rooms", "matches", "queues", "traffic", "workers", "redis_pool"})
            QVERIFY2(!s.contains(QLatin1String(part)), part);

        // The collector goes on: snapshots keep coming, Redis and the host are still reported.
        const qsizetype before = snapshots.size();
        QTRY_VERIFY_WITH_TIMEOUT(snapshots.size() >= before + 2, 5000);
        const QJsonObject later = collector.lastSnapshot();
        QCOMPARE(serverState(later), QStringLiteral("down"));
        QVERIFY(obj(later, "redis").value(QStringLiteral("reachable")).toBool());
        QVERIFY(obj(later, "host").value(QStringLiteral("cpus")).toInt() >= 1);
        QCOMPARE(down.size(), 1); // reported once, not on every failed poll

        // Its workers died with it (PR_SET_PDEATHSIG).
        for (const QJsonValue &w : workersBefore) {
            const qint64 workerPid = w.toObject().value(QStringLiteral("pid")).toInteger();
            QTRY_VERIFY_WITH_TIMEOUT(!ProcessSampler().sample(workerPid).exists, 5000);
        }
    }
};

QTEST_GUILESS_MAIN(TestAgentCollector)
#include "tst_agentcollector.moc"
