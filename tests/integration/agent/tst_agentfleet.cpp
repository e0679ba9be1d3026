// The agent as a whole, with real processes: one redis-server, two arena-server instances (alpha,
// beta; each its own Redis database until the multi-instance issue lands) with their workers, and two
// arena-agent processes sharing Redis database 0. Snapshots of both instances arrive through either
// agent; an action sent to agent A for instance beta is carried out by beta and audited; a viewer
// token and a wrong token are refused; a killed server shows down; without Redis each agent serves its
// own instance; a killed agent affects no match.
#include "tests/support/adminhttp.h"
#include "tests/support/childprocess.h"
#include "tests/support/redisserver.h"
#include "tests/support/testadmin.h"
#include "tests/support/testplayer.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

using namespace arena;
using namespace arena::protocol;
using test::TestAdmin;
using test::TestPlayer;

namespace {

const QRegularExpression serverReady(
    QStringLiteral("^arena-server ready player=(\\d+) admin=(\\d+) instance=(\\S+) store=(\\w+)"));
const QRegularExpression agentReady(QStringLiteral("^arena-agent ready port=(\\d+) instance=(\\S+) redis=(\\S+)"));

const QByteArray serverToken("server-operator-token-0123456789");
const QString operatorToken = QStringLiteral("agent-operator-token-0123456789");
const QString viewerToken = QStringLiteral("agent-viewer-token-0123456789");

RawJson json(const char *text)
{
    return RawJson::fromJsonValue(QJsonDocument::fromJson(text).object());
}

QJsonObject object(const RawJson &raw)
{
    return raw.toJsonValue().toObject();
}

struct Instance
{
    QString id;
    std::unique_ptr<test::ChildProcess> server;
    std::unique_ptr<test::ChildProcess> agent;
    quint16 playerPort = 0;
    quint16 adminPort = 0;
    quint16 agentPort = 0;
};

std::optional<InstanceSummary> find(const Fleet &fleet, const QString &id)
{
    for (const InstanceSummary &s : fleet.instances) {
        if (s.id == id)
            return s;
    }
    return std::nullopt;
}

} // namespace

class TestAgentFleet final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    std::unique_ptr<test::RedisServer> m_redis;
    Instance m_alpha;
    Instance m_beta;

    QString file(const QString &name, const QByteArray &text)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (f.open(QIODevice::WriteOnly))
            f.write(text);
        return path;
    }

    bool startServer(Instance &instance, int db)
    {
        instance.server = std::make_unique<test::ChildProcess>();
        const QStringList args{QStringLiteral("--player-port"), QStringLiteral("0"),
                               QStringLiteral("--admin-port"), QStringLiteral("0"),
                               QStringLiteral("--instance-id"), instance.id,
                               QStringLiteral("--redis"), m_redis->url(db),
                               QStringLiteral("--admin-token-file"), m_dir.filePath(QStringLiteral("server-tokens")),
                               QStringLiteral("--workers-min"), QStringLiteral("1"),
                               QStringLiteral("--workers-max"), QStringLiteral("3")};
        if (!instance.server->startAndWait(QStringLiteral(ARENA_SERVER_BINARY), args, serverReady, 20000)) {
            qWarning("%s", qPrintable(instance.server->lastError()));
            return false;
        }
        instance.playerPort = quint16(instance.server->readyMatch().captured(1).toUInt());
        instance.adminPort = quint16(instance.server->readyMatch().captured(2).toUInt());
        return true;
    }

    bool startAgent(Instance &instance, const QStringList &extra = {})
    {
        instance.agent = std::make_unique<test::ChildProcess>();
        QStringList args{QStringLiteral("--server"), QStringLiteral("http://127.0.0.1:%1").arg(instance.adminPort),
                         QStringLiteral("--server-token-file"), m_dir.filePath(QStringLiteral("server-tokens")),
                         QStringLiteral("--port"), QStringLiteral("0"),
                         QStringLiteral("--redis"), m_redis->url(0),
                         QStringLiteral("--token-file"), m_dir.filePath(QStringLiteral("agent-tokens")),
                         QStringLiteral("--action-timeout"), QStringLiteral("3s")};
        args += extra;
        if (!instance.agent->startAndWait(QStringLiteral(ARENA_AGENT_BINARY), args, agentReady, 20000)) {
            qWarning("%s", qPrintable(instance.agent->lastError()));
            return false;
        }
        instance.agentPort = quint16(instance.agent->readyMatch().captured(1).toUInt());
        return instance.agent->readyMatch().captured(2) == instance.id;
    }

    // Waits for a fleet push in which `match` holds.
    static std::optional<Fleet> fleetWhere(TestAdmin &admin, std::function<bool(const Fleet &)> match, int timeoutMs = 15000)
    {
        return admin.next<Fleet>(timeoutMs, std::move(match));
    }

    static bool bothUp(const Fleet &f)
    {
        const auto a = find(f, QStringLiteral("alpha"));
        const auto b = find(f, QStringLiteral("beta"));
        return a && b && a->state == InstanceState::Up && b->state == InstanceState::Up;
    }

    void dumpOnFailure()
    {
        if (!QTest::currentTestFailed())
            return;
        for (Instance *i : {&m_alpha, &m_beta}) {
            if (i->server)
                qWarning("%s server said:\n%s", qPrintable(i->id), i->server->output().right(4000).constData());
            if (i->agent)
                qWarning("%s agent said:\n%s", qPrintable(i->id), i->agent->output().right(4000).constData());
        }
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        file(QStringLiteral("server-tokens"), "operator " + serverToken + "\n");
        file(QStringLiteral("agent-tokens"),
             "viewer " + viewerToken.toUtf8() + " watcher\noperator " + operatorToken.toUtf8() + " ops-1\n");
    }

    void init()
    {
        m_redis = std::make_unique<test::RedisServer>();
        QVERIFY2(m_redis->start(), qPrintable(m_redis->lastError()));
        m_alpha.id = QStringLiteral("alpha");
        m_beta.id = QStringLiteral("beta");
        QVERIFY(startServer(m_alpha, 1));
        QVERIFY(startServer(m_beta, 2));
        QVERIFY(startAgent(m_alpha));
        QVERIFY(startAgent(m_beta));
    }

    void cleanup()
    {
        dumpOnFailure();
        for (Instance *i : {&m_alpha, &m_beta}) {
            if (i->agent)
                i->agent->stop(3000);
            if (i->server)
                i->server->stop(5000);
            i->agent.reset();
            i->server.reset();
        }
        m_redis.reset();
    }

    void bothInstancesThroughEitherAgent()
    {
        for (Instance *via : {&m_alpha, &m_beta}) {
            TestAdmin admin;
            const auto ok = admin.connectTo(via->agentPort, viewerToken);
            QVERIFY(ok);
            QCOMPARE(ok->role, Role::Viewer);
            QCOMPARE(ok->instance, via->id);
            const auto fleet = fleetWhere(admin, bothUp);
            QVERIFY2(fleet, "both instances up in the fleet");
            QCOMPARE(find(*fleet, QStringLiteral("alpha"))->workers, 1u);

            admin.send(Subscribe{.all = true});
            for (const QString &id : {QStringLiteral("alpha"), QStringLiteral("beta")}) {
                const auto snapshot = admin.next<Snapshot>(10000, [&](const Snapshot &s) { return s.instance == id; });
                QVERIFY2(snapshot, qPrintable(id));
                const QJsonObject figures = object(snapshot->figures);
                QCOMPARE(figures.value(QStringLiteral("instance")).toString(), id);
                QCOMPARE(figures.value(QStringLiteral("server")).toObject().value(QStringLiteral("state")).toString(),
                         QStringLiteral("up"));
                QVERIFY(figures.value(QStringLiteral("redis")).toObject().value(QStringLiteral("reachable")).toBool());
            }
            // A narrower subscription stops the other instance's snapshots.
            admin.send(Subscribe{.instances = {QStringLiteral("beta")}});
            QTest::qWait(300);
            admin.clear();
            QVERIFY(admin.next<Snapshot>(5000, [](const Snapshot &s) { return s.instance == QLatin1String("beta"); }));
            QVERIFY(!admin.next<Snapshot>(2500, [](const Snapshot &s) { return s.instance == QLatin1String("alpha"); }));
            QCOMPARE(admin.undecodable, 0);
        }
    }

    void routedActionIsCarriedOutAndAudited()
    {
        TestAdmin ops, watcher;
        QVERIFY(ops.connectTo(m_alpha.agentPort, operatorToken));
        QVERIFY(watcher.connectTo(m_beta.agentPort, viewerToken));
        QVERIFY(fleetWhere(ops, bothUp));

        // Dry run first: nothing changes on beta.
        auto dry = ops.act(Action{.id = QStringLiteral("scale-dry"), .kind = ActionKind::ScaleWorkers,
                                  .target = QStringLiteral("beta"), .params = json(R"({"workers":2})"), .dryRun = true});
        QVERIFY(std::holds_alternative<ActionResult>(dry));
        QVERIFY(std::get<ActionResult>(dry).ok);
        QCOMPARE(object(std::get<ActionResult>(dry).result).value(QStringLiteral("requested")).toInt(), 2);
        QCOMPARE(test::getJson(m_beta.adminPort, QStringLiteral("/workers/stats"), serverToken)
                     .value(QStringLiteral("workers")).toArray().size(), 1);

        auto done = ops.act(Action{.id = QStringLiteral("scale-1"), .kind = ActionKind::ScaleWorkers,
                                   .target = QStringLiteral("beta"), .params = json(R"({"workers":2})")});
        QVERIFY(std::holds_alternative<ActionResult>(done));
        const ActionResult result = std::get<ActionResult>(done);
        QVERIFY2(result.ok, result.error ? qPrintable(result.error->message) : "");
        QCOMPARE(result.id, QStringLiteral("scale-1"));
        // Beta did it: its pool has two workers, alpha's still one.
        QTRY_COMPARE_WITH_TIMEOUT(test::getJson(m_beta.adminPort, QStringLiteral("/workers/stats"), serverToken)
                                      .value(QStringLiteral("workers")).toArray().size(), 2, 10000);
        QCOMPARE(test::getJson(m_alpha.adminPort, QStringLiteral("/workers/stats"), serverToken)
                     .value(QStringLiteral("workers")).toArray().size(), 1);
        // Beta's server audited the call as coming from its agent.
        const QJsonArray serverAudit = test::getJson(m_beta.adminPort, QStringLiteral("/audit"), serverToken)
                                           .value(QStringLiteral("entries")).toArray();
        QVERIFY2(QJsonDocument(serverAudit).toJson().contains("workers.scale"), QJsonDocument(serverAudit).toJson().constData());

        // Every client of every agent hears of it, with who asked.
        for (TestAdmin *client : {&ops, &watcher}) {
            const auto entry = client->next<AuditEntry>(10000, [](const AuditEntry &e) { return e.actionId == QLatin1String("scale-1"); });
            QVERIFY(entry);
            QCOMPARE(entry->actor, QStringLiteral("ops-1"));
            QCOMPARE(entry->target, std::optional<QString>(QStringLiteral("beta")));
            QCOMPARE(entry->kind, ActionKind::ScaleWorkers);
            QVERIFY(entry->ok);
            QVERIFY(!entry->dryRun);
        }
        // And the stream keeps it, dry run included, newest first.
        auto audit = watcher.query(Query{.kind = QueryKind::Audit, .params = json(R"({"count":10})")});
        QVERIFY(std::holds_alternative<QueryResult>(audit));
        const QJsonArray entries = object(std::get<QueryResult>(audit).result).value(QStringLiteral("entries")).toArray();
        QVERIFY(entries.size() >= 2);
        QCOMPARE(entries[0].toObject().value(QStringLiteral("action_id")).toString(), QStringLiteral("scale-1"));
        QCOMPARE(entries[1].toObject().value(QStringLiteral("action_id")).toString(), QStringLiteral("scale-dry"));
        QVERIFY(entries[1].toObject().value(QStringLiteral("dry_run")).toBool());
        QCOMPARE(m_redis->cli({QStringLiteral("-n"), QStringLiteral("0"), QStringLiteral("XLEN"), QStringLiteral("arena:audit")}),
                 QByteArray("2"));

        // A room on beta, listed and disposed through alpha's agent.
        TestPlayer player;
        QVERIFY(player.connectAs(m_beta.playerPort, QStringLiteral("ann")));
        player.client->send(Create{.roomType = QStringLiteral("relay"), .metadata = json(R"({"mode":"ffa"})")});
        const auto joined = player.next<Joined>();
        QVERIFY(joined);
        auto rooms = ops.query(Query{.kind = QueryKind::Rooms, .target = QStringLiteral("beta")});
        QVERIFY(std::holds_alternative<QueryResult>(rooms));
        const QJsonArray listed = object(std::get<QueryResult>(rooms).result).value(QStringLiteral("rooms")).toArray();
        QCOMPARE(listed.size(), 1);
        QCOMPARE(listed[0].toObject().value(QStringLiteral("id")).toString(), joined->roomId);
        auto dispose = ops.act(Action{.kind = ActionKind::DisposeRoom, .target = QStringLiteral("beta"),
                                      .params = RawJson::fromJsonValue(QJsonObject{{QStringLiteral("room_id"), joined->roomId}})});
        QVERIFY(std::holds_alternative<ActionResult>(dispose) && std::get<ActionResult>(dispose).ok);
        QVERIFY(player.next<Left>());

        // A fleet cleanup (no target) runs on both instances.
        auto sweep = ops.act(Action{.kind = ActionKind::Cleanup, .dryRun = true});
        QVERIFY(std::holds_alternative<ActionResult>(sweep));
        const ActionResult swept = std::get<ActionResult>(sweep);
        QVERIFY2(swept.ok, swept.error ? qPrintable(swept.error->message) : "");
        const QJsonObject perInstance = object(swept.result).value(QStringLiteral("instances")).toObject();
        QVERIFY(perInstance.contains(QStringLiteral("alpha")));
        QVERIFY(perInstance.contains(QStringLiteral("beta")));
    }

    void drainThroughAnotherAgent()
    {
        TestAdmin ops;
        QVERIFY(ops.connectTo(m_alpha.agentPort, operatorToken));
        QVERIFY(fleetWhere(ops, bothUp));
        TestPlayer player;
        QVERIFY(player.connectAs(m_beta.playerPort, QStringLiteral("ann")));

        auto dry = ops.act(Action{.kind = ActionKind::DrainInstance, .target = QStringLiteral("beta"), .dryRun = true});
        QVERIFY(std::holds_alternative<ActionResult>(dry));
        const QJsonObject preview = object(std::get<ActionResult>(dry).result);
        QCOMPARE(preview.value(QStringLiteral("would")).toString(), QStringLiteral("drain"));
        QCOMPARE(preview.value(QStringLiteral("remaining")).toObject().value(QStringLiteral("sessions")).toInt(), 1);
        QCOMPARE(test::http("GET", m_beta.adminPort, QStringLiteral("/ready")).status, 200);

        auto drain = ops.act(Action{.id = QStringLiteral("drain-b"), .kind = ActionKind::DrainInstance,
                                    .target = QStringLiteral("beta")});
        QVERIFY(std::holds_alternative<ActionResult>(drain));
        QVERIFY(std::get<ActionResult>(drain).ok);
        QVERIFY(object(std::get<ActionResult>(drain).result).value(QStringLiteral("draining")).toBool());
        QCOMPARE(test::http("GET", m_beta.adminPort, QStringLiteral("/ready")).status, 503);
        // The fleet shows it, through either agent; its player keeps the session.
        QVERIFY(fleetWhere(ops, [](const Fleet &f) {
            const auto b = find(f, QStringLiteral("beta"));
            return b && b->state == InstanceState::Draining;
        }));
        QVERIFY(player.client->state() == PlayerClient::State::Ready);
        // A fleet cleanup still reaches a draining instance.
        auto sweep = ops.act(Action{.kind = ActionKind::Cleanup, .dryRun = true});
        QVERIFY(std::holds_alternative<ActionResult>(sweep) && std::get<ActionResult>(sweep).ok);
        QVERIFY(object(std::get<ActionResult>(sweep).result).value(QStringLiteral("instances")).toObject().contains(QStringLiteral("beta")));

        auto undo = ops.act(Action{.kind = ActionKind::DrainInstance, .target = QStringLiteral("beta"),
                                   .params = json(R"({"cancel":true})")});
        QVERIFY(std::holds_alternative<ActionResult>(undo) && std::get<ActionResult>(undo).ok);
        QCOMPARE(test::http("GET", m_beta.adminPort, QStringLiteral("/ready")).status, 200);
        QVERIFY(fleetWhere(ops, bothUp));
    }

    void refusals()
    {
        // A viewer may look, not act: refused, audited as refused, nothing done.
        TestAdmin viewer;
        QVERIFY(viewer.connectTo(m_alpha.agentPort, viewerToken));
        auto refused = viewer.act(Action{.id = QStringLiteral("v-1"), .kind = ActionKind::ScaleWorkers,
                                         .target = QStringLiteral("alpha"), .params = json(R"({"workers":3})")});
        QVERIFY(std::holds_alternative<ErrorMessage>(refused));
        QCOMPARE(std::get<ErrorMessage>(refused).code, ErrorCode::Forbidden);
        const auto entry = viewer.next<AuditEntry>(10000, [](const AuditEntry &e) { return e.actionId == QLatin1String("v-1"); });
        QVERIFY(entry);
        QCOMPARE(entry->role, Role::Viewer);
        QCOMPARE(entry->actor, QStringLiteral("watcher"));
        QVERIFY(!entry->ok);
        QCOMPARE(test::getJson(m_alpha.adminPort, QStringLiteral("/workers/stats"), serverToken)
                     .value(QStringLiteral("workers")).toArray().size(), 1);

        // Unknown instance, bad params.
        TestAdmin ops;
        QVERIFY(ops.connectTo(m_alpha.agentPort, operatorToken));
        QVERIFY(fleetWhere(ops, bothUp));
        auto unknown = ops.act(Action{.kind = ActionKind::ScaleWorkers, .target = QStringLiteral("gamma"),
                                      .params = json(R"({"workers":2})")});
        QVERIFY(std::holds_alternative<ActionResult>(unknown));
        QCOMPARE(std::get<ActionResult>(unknown).error->code, ErrorCode::NotFound);
        auto bad = ops.act(Action{.kind = ActionKind::ScaleWorkers, .target = QStringLiteral("beta"), .params = json(R"({"workers":"two"})")});
        QVERIFY(std::holds_alternative<ActionResult>(bad));
        QVERIFY2(std::get<ActionResult>(bad).error, "refused");
        QVERIFY2(std::get<ActionResult>(bad).error->code == ErrorCode::BadRequest, qPrintable(std::get<ActionResult>(bad).error->message));
        auto noWorker = ops.act(Action{.kind = ActionKind::RestartWorker, .target = QStringLiteral("beta"), .params = json(R"({"worker":"w99"})")});
        QVERIFY(std::holds_alternative<ActionResult>(noWorker));
        QCOMPARE(std::get<ActionResult>(noWorker).error->code, ErrorCode::NotFound);

        // Messages before auth, malformed ones, a wrong token.
        TestAdmin early;
        early.socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(m_alpha.agentPort)));
        QTRY_COMPARE_WITH_TIMEOUT(early.socket.state(), QAbstractSocket::ConnectedState, 5000);
        early.send(Subscribe{.all = true, .rid = 5});
        const auto notYet = early.next<ErrorMessage>();
        QVERIFY(notYet);
        QCOMPARE(notYet->code, ErrorCode::Unauthorized);
        QCOMPARE(notYet->rid, std::optional<quint64>(5));
        early.socket.sendTextMessage(QStringLiteral("{\"type\":\"auth\",\"token\":"));
        QCOMPARE(early.next<ErrorMessage>()->code, ErrorCode::BadRequest);
        early.send(Auth{.token = QStringLiteral("not-a-token-of-this-agent"), .rid = 6});
        const auto wrong = early.next<ErrorMessage>();
        QVERIFY(wrong);
        QCOMPARE(wrong->code, ErrorCode::Unauthorized);
        QTRY_COMPARE_WITH_TIMEOUT(early.closeCode, int(QWebSocketProtocol::CloseCodePolicyViolated), 5000);

        // A flood is refused, then cut off: 200 queries at once against a burst of 60.
        TestAdmin flood;
        QVERIFY(flood.connectTo(m_alpha.agentPort, viewerToken));
        for (int i = 0; i < 200; ++i)
            flood.send(Query{.kind = QueryKind::Snapshot, .rid = quint64(1000 + i)});
        const auto limited = flood.next<ErrorMessage>(10000, [](const ErrorMessage &e) { return e.code == ErrorCode::RateLimited; });
        QVERIFY(limited);
        QVERIFY(limited->retryAfterMs);
        QTRY_COMPARE_WITH_TIMEOUT(flood.closeCode, int(QWebSocketProtocol::CloseCodePolicyViolated), 10000);
        // Requests within the limit were answered before the cut.
        QVERIFY(flood.next<QueryResult>(1000, [](const QueryResult &r) { return r.rid == 1000u && r.ok; }));

        // The HTTP side asks for a token too.
        QCOMPARE(test::http("GET", m_alpha.agentPort, QStringLiteral("/metrics")).status, 401);
        const auto metrics = test::http("GET", m_alpha.agentPort, QStringLiteral("/metrics"), viewerToken.toUtf8());
        QCOMPARE(metrics.status, 200);
        QVERIFY(metrics.body.contains("arena_snapshot_server_up{instance=\"alpha\"} 1"));
        QVERIFY(metrics.body.contains("arena_agent_clients"));
        QCOMPARE(test::http("GET", m_alpha.agentPort, QStringLiteral("/live")).status, 200);
    }

    void killedServerShowsDown()
    {
        TestAdmin admin;
        QVERIFY(admin.connectTo(m_alpha.agentPort, viewerToken));
        QVERIFY(fleetWhere(admin, bothUp));
        QElapsedTimer sinceKill;
        m_beta.server->sendSignal(SIGKILL);
        sinceKill.start();
        const auto down = fleetWhere(admin, [](const Fleet &f) {
            const auto b = find(f, QStringLiteral("beta"));
            return b && b->state == InstanceState::Down;
        });
        QVERIFY(down);
        qInfo("beta shown down through alpha's agent %lld ms after kill -9", sinceKill.elapsed());
        QCOMPARE(find(*down, QStringLiteral("alpha"))->state, InstanceState::Up);
        // Actions for it fail in words an operator understands; the agents keep running.
        TestAdmin ops;
        QVERIFY(ops.connectTo(m_beta.agentPort, operatorToken));
        auto r = ops.act(Action{.kind = ActionKind::Cleanup, .target = QStringLiteral("beta")});
        QVERIFY(std::holds_alternative<ActionResult>(r));
        QCOMPARE(std::get<ActionResult>(r).error->code, ErrorCode::Unavailable);
        QVERIFY(m_beta.agent->state() == QProcess::Running);
    }

    void withoutRedisEachAgentServesItsOwn()
    {
        TestAdmin a;
        QVERIFY(a.connectTo(m_alpha.agentPort, operatorToken));
        QVERIFY(fleetWhere(a, bothUp));
        m_redis->kill();
        const auto alone = fleetWhere(a, [](const Fleet &f) { return f.instances.size() == 1; });
        QVERIFY(alone);
        QCOMPARE(alone->instances[0].id, QStringLiteral("alpha"));
        // Still its own snapshots, its own actions (audited in memory), and a clear error for the other.
        a.send(Subscribe{.all = true});
        QVERIFY(a.next<Snapshot>(5000, [](const Snapshot &s) { return s.instance == QLatin1String("alpha"); }));
        auto own = a.act(Action{.id = QStringLiteral("own-1"), .kind = ActionKind::Cleanup,
                                .target = QStringLiteral("alpha"), .dryRun = true});
        QVERIFY(std::holds_alternative<ActionResult>(own));
        QVERIFY(std::get<ActionResult>(own).ok);
        QVERIFY(a.next<AuditEntry>(5000, [](const AuditEntry &e) { return e.actionId == QLatin1String("own-1"); }));
        auto other = a.act(Action{.kind = ActionKind::Cleanup, .target = QStringLiteral("beta")});
        QVERIFY(std::holds_alternative<ActionResult>(other));
        QCOMPARE(std::get<ActionResult>(other).error->code, ErrorCode::NotFound);
        TestAdmin b;
        QVERIFY(b.connectTo(m_beta.agentPort, viewerToken));
        QVERIFY(fleetWhere(b, [](const Fleet &f) { return f.instances.size() == 1 && f.instances[0].id == QLatin1String("beta"); }));

        // Redis back: the fleet is whole again.
        QVERIFY(m_redis->restart());
        QVERIFY(fleetWhere(a, bothUp, 30000));
    }

    void agentWithoutRedis()
    {
        // A third agent beside alpha, configured without Redis: alpha only, audit kept in memory.
        Instance solo;
        solo.id = m_alpha.id;
        solo.adminPort = m_alpha.adminPort;
        solo.agent = std::make_unique<test::ChildProcess>();
        const QStringList args{QStringLiteral("--server"), QStringLiteral("http://127.0.0.1:%1").arg(m_alpha.adminPort),
                               QStringLiteral("--server-token-file"), m_dir.filePath(QStringLiteral("server-tokens")),
                               QStringLiteral("--port"), QStringLiteral("0")};
        QVERIFY2(solo.agent->startAndWait(QStringLiteral(ARENA_AGENT_BINARY), args, agentReady, 20000),
                 qPrintable(solo.agent->lastError()));
        QCOMPARE(solo.agent->readyMatch().captured(3), QStringLiteral("none"));
        const quint16 port = quint16(solo.agent->readyMatch().captured(1).toUInt());

        // No token file: loopback clients are operators whatever token they send.
        TestAdmin admin;
        const auto ok = admin.connectTo(port, QStringLiteral("anything"));
        QVERIFY(ok);
        QCOMPARE(ok->role, Role::Operator);
        const auto fleet = fleetWhere(admin, [](const Fleet &f) { return !f.instances.isEmpty(); });
        QVERIFY(fleet);
        QCOMPARE(fleet->instances.size(), 1);
        QCOMPARE(fleet->instances[0].id, QStringLiteral("alpha"));
        auto dry = admin.act(Action{.id = QStringLiteral("solo-1"), .kind = ActionKind::Cleanup, .dryRun = true});
        QVERIFY(std::holds_alternative<ActionResult>(dry));
        QVERIFY(std::get<ActionResult>(dry).ok);
        QVERIFY(object(std::get<ActionResult>(dry).result).value(QStringLiteral("instances")).toObject().contains(QStringLiteral("alpha")));
        const auto entry = admin.next<AuditEntry>(5000, [](const AuditEntry &e) { return e.actionId == QLatin1String("solo-1"); });
        QVERIFY(entry);
        QCOMPARE(entry->actor, QStringLiteral("loopback"));
        auto audit = admin.query(Query{.kind = QueryKind::Audit});
        QVERIFY(std::holds_alternative<QueryResult>(audit));
        const QJsonArray entries = object(std::get<QueryResult>(audit).result).value(QStringLiteral("entries")).toArray();
        QCOMPARE(entries.size(), 1);
        QCOMPARE(entries[0].toObject().value(QStringLiteral("action_id")).toString(), QStringLiteral("solo-1"));
        // Rooms of another instance cannot be reached without Redis.
        auto rooms = admin.query(Query{.kind = QueryKind::Rooms, .target = QStringLiteral("beta")});
        QVERIFY(std::holds_alternative<QueryResult>(rooms));
        QCOMPARE(std::get<QueryResult>(rooms).error->code, ErrorCode::NotFound);
        solo.agent->stop(3000);
    }

    void killedAgentAffectsNoMatch()
    {
        // A duel on beta (in beta's worker), then beta's agent dies.
        TestPlayer ann, bob;
        QVERIFY(ann.connectAs(m_beta.playerPort, QStringLiteral("ann")));
        QVERIFY(bob.connectAs(m_beta.playerPort, QStringLiteral("bob")));
        ann.client->send(Queue{.roomType = QStringLiteral("duel")});
        bob.client->send(Queue{.roomType = QStringLiteral("duel")});
        const auto foundA = ann.next<MatchFound>(15000);
        const auto foundB = bob.next<MatchFound>(15000);
        QVERIFY(foundA && foundB);
        ann.client->send(Join{.roomId = foundA->roomId});
        bob.client->send(Join{.roomId = foundA->roomId});
        QVERIFY(ann.next<Joined>(10000));
        QVERIFY(bob.next<Joined>(10000));

        TestAdmin a;
        QVERIFY(a.connectTo(m_alpha.agentPort, operatorToken));
        QVERIFY(fleetWhere(a, bothUp));
        m_beta.agent->sendSignal(SIGKILL);
        QTRY_VERIFY_WITH_TIMEOUT(m_beta.agent->state() == QProcess::NotRunning, 5000);

        // Its snapshot expires: beta shows down; actions for it say why.
        QVERIFY(fleetWhere(a, [](const Fleet &f) {
            const auto b = find(f, QStringLiteral("beta"));
            return b && b->state == InstanceState::Down;
        }));
        auto r = a.act(Action{.kind = ActionKind::ScaleWorkers, .target = QStringLiteral("beta"), .params = json(R"({"workers":2})")});
        QVERIFY(std::holds_alternative<ActionResult>(r));
        QCOMPARE(std::get<ActionResult>(r).error->code, ErrorCode::Unavailable);

        // The match plays on: both still in the room, and the worker's duel logic takes an attack from
        // whichever player's turn it is (the other is told it is not theirs).
        QVERIFY(ann.client->state() == PlayerClient::State::Ready);
        RoomMessage attack{.roomId = foundA->roomId, .data = RawJson::fromJsonObject({{QStringLiteral("action"), QStringLiteral("attack")}})};
        const quint64 ridA = ann.client->send(attack);
        const quint64 ridB = bob.client->send(attack);
        bool acked = false;
        QDeadlineTimer until(10000);
        while (!acked && !until.hasExpired()) {
            if (const auto x = ann.next<Ack>(20); x && x->rid == ridA)
                acked = true;
            if (const auto y = bob.next<Ack>(20); y && y->rid == ridB)
                acked = true;
        }
        QVERIFY2(acked, "the duel took an attack after the agent died");
        const QJsonObject rooms = test::getJson(m_beta.adminPort, QStringLiteral("/rooms"), serverToken);
        QCOMPARE(rooms.value(QStringLiteral("count")).toInt(), 1);
        QCOMPARE(rooms.value(QStringLiteral("rooms")).toArray()[0].toObject().value(QStringLiteral("clients")).toInt(), 2);
    }
};

QTEST_GUILESS_MAIN(TestAgentFleet)
#include "tst_agentfleet.moc"
