// The worker pool with real processes: arena-server starts arena-worker children that host the duels;
// kill -9 a worker and its matches continue elsewhere from their snapshots; kill -9 the server and no
// worker is left; scale, restart and drain keep every match; the watchdog kills a blocked worker; idle
// workers are suspended.
#include "tests/support/adminhttp.h"
#include "tests/support/arenaserver.h"
#include "tests/support/testplayer.h"

#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

#include <sys/types.h>

using namespace arena;
using namespace arena::protocol;
using test::TestPlayer;

namespace {

bool processAlive(qint64 pid)
{
    // A zombie still answers kill(0); look at its state instead.
    QFile stat(QStringLiteral("/proc/%1/stat").arg(pid));
    if (!stat.open(QIODevice::ReadOnly))
        return false;
    const QByteArray line = stat.readAll();
    const qsizetype close = line.lastIndexOf(')');
    return close > 0 && line.size() > close + 2 && line.at(close + 2) != 'Z';
}

// Two players in one duel, with long turns so no timer interferes.
struct Duel
{
    TestPlayer a;
    TestPlayer b;
    QString roomId;
    QJsonObject state; // the latest room_state seen by a

    bool start(quint16 port, const QString &name)
    {
        if (!a.connectAs(port, name + QStringLiteral("-a")) || !b.connectAs(port, name + QStringLiteral("-b")))
            return false;
        Create create;
        create.roomType = QStringLiteral("duel");
        create.metadata = RawJson::fromJsonObject({{QStringLiteral("turnSeconds"), 300}});
        a.client->send(create);
        const auto joinedA = a.next<Joined>();
        if (!joinedA)
            return false;
        roomId = joinedA->roomId;
        Join join;
        join.roomId = roomId;
        b.client->send(join);
        if (!b.next<Joined>())
            return false;
        return waitFor([](const QJsonObject &s) { return s.value(QStringLiteral("phase")).toString() == QLatin1String("playing"); });
    }

    // Reads a's room_states until one satisfies `accept`.
    template<typename F>
    bool waitFor(F accept, int timeoutMs = 5000)
    {
        QDeadlineTimer until(timeoutMs);
        while (!until.hasExpired()) {
            const auto s = a.next<RoomState>(int(qMax<qint64>(1, until.remainingTime())));
            if (!s)
                return false;
            if (s->roomId != roomId)
                continue;
            state = s->state.toJsonObject();
            if (accept(state))
                return true;
        }
        return false;
    }

    QString turn() const { return state.value(QStringLiteral("turn")).toString(); }
    int round() const { return state.value(QStringLiteral("round")).toInt(); }
    int hpOf(const QString &sessionId) const
    {
        return state.value(QStringLiteral("players")).toObject().value(sessionId).toObject().value(QStringLiteral("hp")).toInt(-1);
    }
    int totalHp() const { return hpOf(a.client->sessionId()) + hpOf(b.client->sessionId()); }

    // The player whose turn it is attacks; true when acknowledged and the new state shows the damage.
    bool attack()
    {
        const QString actor = turn();
        const int before = totalHp();
        TestPlayer &p = actor == a.client->sessionId() ? a : b;
        RoomMessage m;
        m.roomId = roomId;
        m.data = RawJson::fromJsonObject({{QStringLiteral("action"), QStringLiteral("attack")}});
        const quint64 rid = p.client->send(m);
        QDeadlineTimer until(5000);
        while (!until.hasExpired()) {
            if (const auto e = p.errorFor(rid, 20)) {
                qWarning("attack refused: %s %s", qPrintable(errorCodeName(e->code).toString()), qPrintable(e->message));
                return false;
            }
            if (const auto ack = p.next<Ack>(20); ack && ack->rid == rid)
                return waitFor([&](const QJsonObject &) { return totalHp() < before; });
        }
        return false;
    }
};

} // namespace

class TestWorkerPool final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<test::ArenaServer> m_server;
    quint16 m_port = 0;
    quint16 m_admin = 0;
    QByteArray m_token; // for the admin API when the server has a token file

    bool start(const QStringList &extra = {}, const QStringList &env = {})
    {
        m_server = std::make_unique<test::ArenaServer>();
        QStringList args{QStringLiteral("--instance-id"), QStringLiteral("pool-1")};
        args += extra;
        if (!m_server->start(QStringLiteral(ARENA_SERVER_BINARY), args, 10000, env)) {
            qWarning("%s", qPrintable(m_server->lastError()));
            return false;
        }
        m_port = m_server->playerPort();
        m_admin = m_server->adminPort();
        return true;
    }

    QJsonObject stats() { return test::getJson(m_admin, QStringLiteral("/workers/stats"), m_token); }
    QJsonObject pool() { return stats().value(QStringLiteral("pool")).toObject(); }
    QJsonArray workers() { return stats().value(QStringLiteral("workers")).toArray(); }
    int readyWorkers()
    {
        int ready = 0;
        for (const QJsonValue &w : workers())
            ready += w[QStringLiteral("state")].toString() == QLatin1String("ready") ? 1 : 0;
        return ready;
    }
    // Room id -> where it runs (worker id, "moving" or "server").
    QHash<QString, QString> hosts()
    {
        QHash<QString, QString> out;
        for (const QJsonValue &room :
             test::getJson(m_admin, QStringLiteral("/rooms"), m_token).value(QStringLiteral("rooms")).toArray())
            out.insert(room[QStringLiteral("id")].toString(), room[QStringLiteral("host")].toString());
        return out;
    }
    QJsonObject post(const QString &path, const QByteArray &token = {})
    {
        const auto r = test::http("POST", m_admin, path, token);
        if (r.status != 200)
            qWarning("POST %s: %d %s", qPrintable(path), r.status, r.body.constData());
        return r.status == 200 ? r.json() : QJsonObject();
    }

    // Every duel plays one more attack, and its hp carried on from before.
    void everyDuelContinues(std::vector<std::unique_ptr<Duel>> &duels)
    {
        for (auto &duel : duels) {
            const int before = duel->totalHp();
            const int round = duel->round();
            QVERIFY2(duel->attack(), qPrintable(duel->roomId));
            QVERIFY(duel->totalHp() < before);
            QVERIFY(duel->round() >= round);
        }
    }

private Q_SLOTS:
    void cleanup()
    {
        if (QTest::currentTestFailed() && m_server)
            qWarning("arena-server said:\n%s", m_server->output().constData());
        m_server.reset();
        m_token.clear();
    }

    void killedWorkerIsReplacedAndItsMatchesRestored()
    {
        QVERIFY(start({QStringLiteral("--workers-min"), QStringLiteral("2"), QStringLiteral("--workers-max"),
                       QStringLiteral("2")}));
        QTRY_COMPARE_WITH_TIMEOUT(readyWorkers(), 2, 10000);
        std::vector<std::unique_ptr<Duel>> duels;
        for (int i = 0; i < 20; ++i) {
            duels.push_back(std::make_unique<Duel>());
            QVERIFY2(duels.back()->start(m_port, QStringLiteral("d%1").arg(i)), qPrintable(QString::number(i)));
            QVERIFY(duels.back()->attack()); // some state worth keeping
        }
        QCOMPARE(pool().value(QStringLiteral("total_matches")).toInt(), 20);

        // The worker with the most matches goes.
        QJsonObject victim;
        for (const QJsonValue &w : workers()) {
            if (w[QStringLiteral("matches")].toInt() > victim.value(QStringLiteral("matches")).toInt())
                victim = w.toObject();
        }
        const QString victimId = victim.value(QStringLiteral("id")).toString();
        const qint64 victimPid = victim.value(QStringLiteral("pid")).toInteger();
        QVERIFY(victimPid > 0);
        QSet<QString> onVictim;
        for (auto [room, host] : hosts().asKeyValueRange())
            if (host == victimId)
                onVictim.insert(room);
        QCOMPARE(onVictim.size(), victim.value(QStringLiteral("matches")).toInt());
        QVERIFY(!onVictim.isEmpty());
        std::map<QString, int> hpBefore;
        for (auto &duel : duels)
            hpBefore[duel->roomId] = duel->totalHp();

        QCOMPARE(::kill(pid_t(victimPid), SIGKILL), 0);

        // Its players are told, the match is back, and a replacement worker exists.
        for (auto &duel : duels) {
            if (!onVictim.contains(duel->roomId))
                continue;
            for (TestPlayer *p : {&duel->a, &duel->b}) {
                const auto restored = p->next<MatchRestored>(10000);
                QVERIFY2(restored, qPrintable(duel->roomId));
                QCOMPARE(restored->roomId, duel->roomId);
            }
        }
        QTRY_COMPARE_WITH_TIMEOUT(readyWorkers(), 2, 10000);
        const QJsonObject p = pool();
        QCOMPARE(p.value(QStringLiteral("deaths")).toInt(), 1);
        QCOMPARE(p.value(QStringLiteral("matches_restored")).toInt(), int(onVictim.size()));
        QCOMPARE(p.value(QStringLiteral("matches_lost")).toInt(), 0);
        QCOMPARE(p.value(QStringLiteral("total_matches")).toInt(), 20);
        bool replaced = false;
        for (const QJsonValue &w : workers())
            replaced |= w[QStringLiteral("replaces")].toString() == victimId && w[QStringLiteral("restarts")].toInt() == 1;
        QVERIFY(replaced);
        for (auto [room, host] : hosts().asKeyValueRange())
            QVERIFY2(host != victimId && host.startsWith(QLatin1Char('w')), qPrintable(room + QLatin1Char(' ') + host));

        // Every match continues from its last snapshot: same hp as before the kill, then one more attack.
        for (auto &duel : duels)
            QCOMPARE(duel->totalHp(), hpBefore[duel->roomId]);
        everyDuelContinues(duels);

        // The same figures for Prometheus, per worker and for the pool.
        const QByteArray metrics = test::http("GET", m_admin, QStringLiteral("/metrics")).body;
        QVERIFY(metrics.contains("arena_worker_deaths_total 1\n"));
        QVERIFY(metrics.contains("arena_worker_matches 20\n"));
        QVERIFY(!metrics.contains("arena_worker_hosted_matches{worker=\"" + victimId.toUtf8() + "\"}"));
        int hosted = 0;
        for (const QJsonValue &w : workers()) {
            const QByteArray line = "arena_worker_hosted_matches{worker=\"" + w[QStringLiteral("id")].toString().toUtf8()
                                    + "\"} " + QByteArray::number(w[QStringLiteral("matches")].toInt()) + "\n";
            QVERIFY2(metrics.contains(line), line.constData());
            hosted += w[QStringLiteral("matches")].toInt();
            QVERIFY(metrics.contains("arena_worker_resident_memory_bytes{worker=\"" + w[QStringLiteral("id")].toString().toUtf8()));
        }
        QCOMPARE(hosted, 20);
    }

    void killedServerLeavesNoWorker()
    {
        QVERIFY(start({QStringLiteral("--workers-min"), QStringLiteral("2"), QStringLiteral("--workers-max"),
                       QStringLiteral("2")}));
        QTRY_COMPARE_WITH_TIMEOUT(readyWorkers(), 2, 10000);
        QList<qint64> pids;
        for (const QJsonValue &w : workers())
            pids.append(w[QStringLiteral("pid")].toInteger());
        for (qint64 pid : pids)
            QVERIFY(processAlive(pid));
        m_server->process().sendSignal(SIGKILL);
        QTRY_COMPARE_WITH_TIMEOUT(m_server->process().state(), QProcess::NotRunning, 5000);
        for (qint64 pid : pids)
            QTRY_VERIFY2_WITH_TIMEOUT(!processAlive(pid), qPrintable(QString::number(pid)), 5000);
    }

    void scaleRestartAndDrainKeepEveryMatch()
    {
        QTemporaryDir dir;
        const QString tokens = dir.filePath(QStringLiteral("tokens"));
        {
            QFile f(tokens);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("operator op-secret-0123456789\nviewer view-secret-0123456789\n");
        }
        const QString audit = dir.filePath(QStringLiteral("audit.jsonl"));
        QVERIFY(start({QStringLiteral("--workers-min"), QStringLiteral("1"), QStringLiteral("--workers-max"),
                       QStringLiteral("3"), QStringLiteral("--admin-token-file"), tokens, QStringLiteral("--audit-log"),
                       audit}));
        const QByteArray op = "op-secret-0123456789";
        m_token = "view-secret-0123456789";
        const auto ready = [&] { return readyWorkers(); };
        std::vector<std::unique_ptr<Duel>> duels;
        for (int i = 0; i < 6; ++i) {
            duels.push_back(std::make_unique<Duel>());
            QVERIFY(duels.back()->start(m_port, QStringLiteral("s%1").arg(i)));
            QVERIFY(duels.back()->attack());
        }

        // A viewer may look but not act; no token at all is 401.
        QCOMPARE(test::http("POST", m_admin, QStringLiteral("/workers/scale?workers=3"), "view-secret-0123456789").status, 403);
        QCOMPARE(test::http("POST", m_admin, QStringLiteral("/workers/scale?workers=3")).status, 401);
        QCOMPARE(test::http("POST", m_admin, QStringLiteral("/workers/scale?workers=99"), op).status, 400);

        // Scale up: new workers, matches stay where they are; new matches spread.
        const QJsonObject up = post(QStringLiteral("/workers/scale?workers=3"), op);
        QCOMPARE(up.value(QStringLiteral("workers")).toInt(), 3);
        QTRY_COMPARE_WITH_TIMEOUT(ready(), 3, 10000);
        everyDuelContinues(duels);

        // Scale down to one: the others' matches move to it first.
        const QJsonObject down = post(QStringLiteral("/workers/scale?workers=1"), op);
        QCOMPARE(down.value(QStringLiteral("matches_failed")).toInt(), 0);
        QTRY_COMPARE_WITH_TIMEOUT(stats().value(QStringLiteral("pool")).toObject().value(QStringLiteral("total_workers")).toInt(), 1, 10000);
        everyDuelContinues(duels);

        // Restart the one worker: a replacement takes every match.
        const QString only = stats().value(QStringLiteral("workers")).toArray().first()[QStringLiteral("id")].toString();
        const QJsonObject restarted = post(QStringLiteral("/workers/%1/restart").arg(only), op);
        QCOMPARE(restarted.value(QStringLiteral("restarted")).toString(), only);
        QCOMPARE(restarted.value(QStringLiteral("matches_moved")).toInt(), 6);
        const QString replacement = restarted.value(QStringLiteral("replacement")).toString();
        QTRY_COMPARE_WITH_TIMEOUT(hosts().values(), QList<QString>(6, replacement), 10000);
        everyDuelContinues(duels);
        QCOMPARE(test::http("POST", m_admin, QStringLiteral("/workers/w999/restart"), op).status, 404);

        // Drain it with a short deadline: the matches go on, so they move at the deadline; then it stops
        // and the minimum brings up another.
        const QJsonObject drained = post(QStringLiteral("/workers/%1/drain?deadline_ms=300").arg(replacement), op);
        QCOMPARE(drained.value(QStringLiteral("draining")).toString(), replacement);
        QCOMPARE(drained.value(QStringLiteral("matches")).toInt(), 6);
        QTRY_VERIFY_WITH_TIMEOUT(!hosts().values().contains(replacement) && !hosts().values().contains(QStringLiteral("moving")), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
            for (const QJsonValue &w : stats().value(QStringLiteral("workers")).toArray())
                if (w[QStringLiteral("id")].toString() == replacement)
                    return false;
            return true;
        }()), 10000);
        everyDuelContinues(duels);
        QCOMPARE(stats().value(QStringLiteral("pool")).toObject().value(QStringLiteral("total_matches")).toInt(), 6);

        // Every action is audited: who (a token fingerprint, never the token), what, and the result.
        const QJsonArray entries = test::getJson(m_admin, QStringLiteral("/audit"), "view-secret-0123456789").value(QStringLiteral("entries")).toArray();
        QStringList actions;
        for (const QJsonValue &e : entries)
            actions.prepend(e[QStringLiteral("action")].toString() + QLatin1Char(':') + (e[QStringLiteral("ok")].toBool() ? QStringLiteral("ok") : QStringLiteral("error")));
        QCOMPARE(actions, (QStringList{QStringLiteral("workers.scale:error"), QStringLiteral("workers.scale:ok"),
                                       QStringLiteral("workers.scale:ok"), QStringLiteral("workers.restart:ok"),
                                       QStringLiteral("workers.restart:error"), QStringLiteral("workers.drain:ok")}));
        const QJsonObject last = entries.first().toObject();
        QVERIFY(last.value(QStringLiteral("who")).toString().startsWith(QStringLiteral("operator token sha256:")));
        QVERIFY(!last.value(QStringLiteral("who")).toString().contains(QStringLiteral("op-secret")));
        QCOMPARE(last.value(QStringLiteral("target")).toString(), replacement);
        QFile file(audit);
        QVERIFY(file.open(QIODevice::ReadOnly));
        QCOMPARE(file.readAll().count('\n'), qsizetype(6));
    }

    void watchdogKillsABlockedWorker()
    {
        QVERIFY(start({QStringLiteral("--workers-min"), QStringLiteral("1"), QStringLiteral("--workers-max"),
                       QStringLiteral("2"), QStringLiteral("--worker-watchdog-timeout"), QStringLiteral("1s")},
                      {QStringLiteral("ARENA_TEST_ROOM_TYPES=1")}));
        QTRY_COMPARE_WITH_TIMEOUT(readyWorkers(), 1, 10000);
        const QString first = workers().first()[QStringLiteral("id")].toString();
        TestPlayer p;
        QVERIFY(p.connectAs(m_port, QStringLiteral("blocker")));
        Create create;
        create.roomType = QStringLiteral("block");
        p.client->send(create);
        const auto joined = p.next<Joined>();
        QVERIFY(joined);
        RoomMessage block;
        block.roomId = joined->roomId;
        block.data = RawJson::fromJsonObject({{QStringLiteral("action"), QStringLiteral("block")}, {QStringLiteral("ms"), 60000}});
        const quint64 rid = p.client->send(block);
        // The worker stops answering; the watchdog kills it within about its timeout, and the request
        // that was in it fails with a clear error rather than hanging.
        const auto failed = p.errorFor(rid, 10000);
        QVERIFY(failed);
        QCOMPARE(failed->code, ErrorCode::Unavailable);
        QTRY_COMPARE_WITH_TIMEOUT(pool().value(QStringLiteral("deaths")).toInt(), 1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
            const QJsonArray ws = workers();
            return ws.size() == 1 && ws.first()[QStringLiteral("id")].toString() != first
                && ws.first()[QStringLiteral("state")].toString() == QLatin1String("ready");
        }()), 10000);
        QVERIFY(m_server->output().contains("has not answered for"));
    }

    void idleWorkersAreSuspended()
    {
        QVERIFY(start({QStringLiteral("--workers-min"), QStringLiteral("1"), QStringLiteral("--workers-max"),
                       QStringLiteral("3"), QStringLiteral("--worker-match-limit"), QStringLiteral("1"),
                       QStringLiteral("--worker-idle-timeout"), QStringLiteral("500ms")}));
        std::vector<std::unique_ptr<Duel>> duels;
        for (int i = 0; i < 3; ++i) {
            duels.push_back(std::make_unique<Duel>());
            QVERIFY(duels.back()->start(m_port, QStringLiteral("i%1").arg(i)));
        }
        // One match per worker: three workers, each with its match.
        QCOMPARE(pool().value(QStringLiteral("total_workers")).toInt(), 3);
        const QList<QString> placed = hosts().values();
        QCOMPARE(QSet<QString>(placed.begin(), placed.end()).size(), 3);
        // A fourth match has nowhere to go: refused with a clear error, not queued forever.
        Duel extra;
        QVERIFY(extra.a.connectAs(m_port, QStringLiteral("extra")));
        Create create;
        create.roomType = QStringLiteral("duel");
        const auto full = extra.a.errorFor(extra.a.client->send(create));
        QVERIFY(full);
        QCOMPARE(full->code, ErrorCode::ServerBusy);

        // The matches end (both players leave): the workers idle, and all but the minimum stop.
        for (auto &duel : duels) {
            Leave leave;
            leave.roomId = duel->roomId;
            for (TestPlayer *p : {&duel->a, &duel->b}) {
                p->client->send(leave);
                QVERIFY(p->next<Left>());
            }
        }
        QTRY_COMPARE_WITH_TIMEOUT(pool().value(QStringLiteral("total_matches")).toInt(), 0, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(pool().value(QStringLiteral("total_workers")).toInt(), 1, 10000);
        QTest::qWait(1200);
        QCOMPARE(pool().value(QStringLiteral("total_workers")).toInt(), 1);
        QVERIFY(m_server->output().contains("suspending idle worker"));
    }

    void missingWorkerBinaryIsAStartupError()
    {
        test::ArenaServer server;
        QVERIFY(!server.start(QStringLiteral(ARENA_SERVER_BINARY),
                              {QStringLiteral("--worker-binary"), QStringLiteral("/nonexistent/arena-worker")}));
        QTRY_COMPARE_WITH_TIMEOUT(server.process().state(), QProcess::NotRunning, 5000);
        QCOMPARE(server.process().exitCode(), 1);
        QVERIFY(server.output().contains("/nonexistent/arena-worker"));
    }

    void withoutWorkersDuelsRunInTheServer()
    {
        QVERIFY(start({QStringLiteral("--workers-max"), QStringLiteral("0"), QStringLiteral("--workers-min"), QStringLiteral("0")}));
        QCOMPARE(test::http("GET", m_admin, QStringLiteral("/workers/stats")).status, 503);
        Duel duel;
        QVERIFY(duel.start(m_port, QStringLiteral("inproc")));
        QVERIFY(duel.attack());
        QCOMPARE(hosts().value(duel.roomId), QStringLiteral("server"));
    }
};

QTEST_GUILESS_MAIN(TestWorkerPool)
#include "tst_workerpool.moc"
