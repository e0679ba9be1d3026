// Draining the real arena-server process (POST /drain): readiness, refused hellos, rooms and queue
// tickets, what keeps running, resume, the deadline, cancel, roles and the audit log.
#include "tests/support/adminhttp.h"
#include "tests/support/arenaserver.h"
#include "tests/support/testplayer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryFile>
#include <QTest>

using namespace arena;
using namespace arena::protocol;
using test::HttpResult;
using test::TestPlayer;

namespace {

const QByteArray viewer("view-token-0123456789");
const QByteArray op("op-token-0123456789ab");

} // namespace

class TestDrain final : public QObject
{
    Q_OBJECT

private:
    QTemporaryFile m_tokens;
    std::unique_ptr<test::ArenaServer> m_server;
    quint16 m_player = 0;
    quint16 m_admin = 0;
    int m_moves = 0;

    bool start(const QStringList &extra = {})
    {
        m_server = std::make_unique<test::ArenaServer>();
        const bool started = m_server->start(QStringLiteral(ARENA_SERVER_BINARY),
                                             QStringList{QStringLiteral("--instance-id"), QStringLiteral("drain-1"),
                                                         QStringLiteral("--admin-token-file"), m_tokens.fileName()}
                                                 + extra);
        if (!started) {
            qWarning("%s", qPrintable(m_server->lastError()));
            return false;
        }
        m_player = m_server->playerPort();
        m_admin = m_server->adminPort();
        return true;
    }
    HttpResult get(const QString &path, const QByteArray &token = viewer) const
    {
        return test::http("GET", m_admin, path, token);
    }
    HttpResult post(const QString &path, const QByteArray &token = op, const QByteArray &body = {}) const
    {
        return test::http("POST", m_admin, path, token, body);
    }
    QUrl playerUrl() const { return m_server->playerUrl(); }

    // Two players in one relay room; returns its id.
    QString twoInARoom(TestPlayer &a, TestPlayer &b)
    {
        if (!a.connectAs(m_player, QStringLiteral("a")) || !b.connectAs(m_player, QStringLiteral("b")))
            return {};
        JoinOrCreate joc;
        joc.roomType = QStringLiteral("relay");
        a.client->send(joc);
        const auto joinedA = a.next<Joined>();
        b.client->send(joc);
        const auto joinedB = b.next<Joined>();
        if (!joinedA || !joinedB || joinedA->roomId != joinedB->roomId)
            return {};
        return joinedA->roomId;
    }
    // `from` sends a room message; true when `to` gets it (other events on the way are skipped: the
    // relay echoes to the sender too).
    bool exchange(TestPlayer &from, TestPlayer &to, const QString &roomId)
    {
        RoomMessage msg;
        msg.roomId = roomId;
        const QByteArray data = "{\"move\":" + QByteArray::number(++m_moves) + "}";
        msg.data = RawJson::parse(data).value();
        from.client->send(msg);
        while (const auto event = to.next<RoomEvent>(10000)) {
            if (event->roomId == roomId && event->from == from.client->sessionId() && event->data.json() == data)
                return true;
        }
        return false;
    }
    // A hello for a new session: the error that refused it, if it was refused.
    std::optional<ErrorMessage> refusedHello(TestPlayer &p, const QString &playerId)
    {
        p.client->open(playerUrl(), playerId);
        const auto refused = p.next<ErrorMessage>(10000);
        if (refused && p.client->state() == PlayerClient::State::Ready)
            return std::nullopt;
        return refused;
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tokens.open());
        m_tokens.write("viewer " + viewer + "\noperator " + op + "\n");
        m_tokens.flush();
    }
    void cleanup()
    {
        if (QTest::currentTestFailed() && m_server)
            qWarning("arena-server said:\n%s", m_server->output().constData());
        m_server.reset();
    }

    void drainRefusesNewWorkWhileExistingWorkRuns()
    {
        QVERIFY(start({QStringLiteral("--matchmaking-interval"), QStringLiteral("50ms")}));
        TestPlayer a, b, c, d, e;
        const QString roomId = twoInARoom(a, b);
        QVERIFY(!roomId.isEmpty());
        // d and e are matched (a match room); c waits in the queue with nobody near its level.
        QVERIFY(c.connectAs(m_player, QStringLiteral("c")));
        QVERIFY(d.connectAs(m_player, QStringLiteral("d")));
        QVERIFY(e.connectAs(m_player, QStringLiteral("e")));
        Queue queue;
        queue.roomType = QStringLiteral("duel");
        queue.teamSize = 1;
        queue.level = 10;
        d.client->send(queue);
        e.client->send(queue);
        const auto found = d.next<MatchFound>(10000);
        QVERIFY(found);
        QVERIFY(e.next<MatchFound>(10000));
        queue.level = 900;
        c.client->send(queue);
        const auto queued = c.next<Queued>();
        QVERIFY(queued);

        QCOMPARE(test::http("GET", m_admin, QStringLiteral("/ready")).status, 200);
        QCOMPARE(get(QStringLiteral("/health")).json()[QStringLiteral("draining")].toBool(), false);
        QVERIFY(get(QStringLiteral("/metrics")).body.contains("\narena_draining 0\n"));

        // Only operators drain.
        QCOMPARE(post(QStringLiteral("/drain"), {}).status, 401);
        QCOMPARE(post(QStringLiteral("/drain"), viewer).status, 403);
        QCOMPARE(test::http("GET", m_admin, QStringLiteral("/ready")).status, 200);

        const HttpResult drained = post(QStringLiteral("/drain"));
        QCOMPARE(drained.status, 200);
        const QJsonObject state = drained.json();
        QCOMPARE(state[QStringLiteral("draining")].toBool(), true);
        QCOMPARE(state[QStringLiteral("changed")].toBool(), true);
        const QString since = state[QStringLiteral("since")].toString();
        QVERIFY2(QDateTime::fromString(since, Qt::ISODateWithMs).isValid(), drained.body.constData());
        QVERIFY(state[QStringLiteral("deadline_ms")].isNull());
        QCOMPARE(state[QStringLiteral("tickets_cancelled")].toInt(), 1);
        const QJsonObject remaining = state[QStringLiteral("remaining")].toObject();
        QCOMPARE(remaining[QStringLiteral("sessions")].toInt(), 5);
        QCOMPARE(remaining[QStringLiteral("rooms")].toInt(), 2);
        QCOMPARE(remaining[QStringLiteral("matches")].toInt(), 1);
        QCOMPARE(remaining[QStringLiteral("queued_tickets")].toInt(), 0); // c's was cancelled

        // c's ticket went with the drain.
        const auto cancelled = c.next<QueueCancelled>(10000);
        QVERIFY(cancelled);
        QCOMPARE(cancelled->ticket, queued->ticket);
        QCOMPARE(cancelled->reason, QStringLiteral("draining"));

        // Readiness, health, stats and metrics say so.
        const HttpResult ready = test::http("GET", m_admin, QStringLiteral("/ready"));
        QCOMPARE(ready.status, 503);
        QCOMPARE(ready.json()[QStringLiteral("draining")].toBool(), true);
        QCOMPARE(ready.json()[QStringLiteral("ready")].toBool(), false);
        QCOMPARE(test::http("GET", m_admin, QStringLiteral("/live")).status, 200);
        const QJsonObject health = test::getJson(m_admin, QStringLiteral("/health"));
        QCOMPARE(health[QStringLiteral("draining")].toBool(), true);
        const QJsonObject drain = health[QStringLiteral("drain")].toObject();
        QCOMPARE(drain[QStringLiteral("since")].toString(), since);
        QCOMPARE(drain[QStringLiteral("remaining")].toObject()[QStringLiteral("sessions")].toInt(), 5);
        QCOMPARE(get(QStringLiteral("/health/stats")).json()[QStringLiteral("draining")].toBool(), true);
        const QByteArray metrics = get(QStringLiteral("/metrics")).body;
        QVERIFY(metrics.contains("# HELP arena_draining "));
        QVERIFY(metrics.contains("\narena_draining 1\n"));

        // No new sessions: a stranger, and a known player without its resume token (that would start a
        // new session and end the old one), are refused; the connection stays open for a resume.
        TestPlayer stranger;
        const auto refused = refusedHello(stranger, QStringLiteral("f"));
        QVERIFY(refused);
        QCOMPARE(refused->code, ErrorCode::Unavailable);
        QVERIFY(refused->message.contains(QStringLiteral("draining")));
        QVERIFY(refused->retryAfterMs);
        QCOMPARE(stranger.client->state(), PlayerClient::State::AwaitingWelcome);
        TestPlayer twin;
        const auto twinRefused = refusedHello(twin, QStringLiteral("a"));
        QVERIFY(twinRefused);
        QCOMPARE(twinRefused->code, ErrorCode::Unavailable);
        QCOMPARE(a.next<SessionClosing>(200), std::nullopt); // a's session was not replaced

        // The existing room goes on.
        QVERIFY(exchange(a, b, roomId));
        QVERIFY(exchange(b, a, roomId));

        // No new rooms: create, and a join_or_create that finds nothing to join, are refused.
        Create create;
        create.roomType = QStringLiteral("relay");
        const auto noCreate = c.errorFor(c.client->send(create));
        QVERIFY(noCreate);
        QCOMPARE(noCreate->code, ErrorCode::Unavailable);
        JoinOrCreate lobby;
        lobby.roomType = QStringLiteral("lobby");
        const auto noLobby = c.errorFor(c.client->send(lobby));
        QVERIFY(noLobby);
        QCOMPARE(noLobby->code, ErrorCode::Unavailable);
        // Joining an existing room with a free seat still works.
        JoinOrCreate relay;
        relay.roomType = QStringLiteral("relay");
        c.client->send(relay);
        const auto joinedC = c.next<Joined>();
        QVERIFY(joinedC);
        QCOMPARE(joinedC->roomId, roomId);
        // So does taking a seat in the match formed before the drain.
        Join join;
        join.roomId = found->roomId;
        d.client->send(join);
        QVERIFY(d.next<Joined>());

        // No new tickets.
        const auto noQueue = c.errorFor(c.client->send(queue));
        QVERIFY(noQueue);
        QCOMPARE(noQueue->code, ErrorCode::Unavailable);
        QVERIFY(noQueue->message.contains(QStringLiteral("draining")));

        // A dropped player takes its session back.
        const QString sid = a.client->sessionId();
        a.client->abort();
        QVERIFY(a.waitDisconnected());
        QVERIFY(a.resume(10000));
        QVERIFY(a.client->welcome().resumed);
        QCOMPARE(a.client->sessionId(), sid);
        const auto back = a.next<Joined>();
        QVERIFY(back);
        QCOMPARE(back->roomId, roomId);
        QVERIFY(exchange(a, b, roomId));

        // Draining again changes nothing.
        const HttpResult again = post(QStringLiteral("/drain"));
        QCOMPARE(again.status, 200);
        QCOMPARE(again.json()[QStringLiteral("changed")].toBool(), false);
        QCOMPARE(again.json()[QStringLiteral("since")].toString(), since);

        // Cancel: ready, welcoming and queueing again.
        QCOMPARE(post(QStringLiteral("/drain?cancel=1"), viewer).status, 403);
        QCOMPARE(post(QStringLiteral("/drain?cancel=1"), {}).status, 401);
        const HttpResult resumed = post(QStringLiteral("/drain?cancel=1"));
        QCOMPARE(resumed.status, 200);
        QCOMPARE(resumed.json()[QStringLiteral("draining")].toBool(), false);
        QCOMPARE(resumed.json()[QStringLiteral("changed")].toBool(), true);
        QCOMPARE(test::http("GET", m_admin, QStringLiteral("/ready")).status, 200);
        const QJsonObject healthAfter = test::getJson(m_admin, QStringLiteral("/health"));
        QCOMPARE(healthAfter[QStringLiteral("draining")].toBool(), false);
        QVERIFY(!healthAfter.contains(QStringLiteral("drain")));
        QVERIFY(get(QStringLiteral("/metrics")).body.contains("\narena_draining 0\n"));
        TestPlayer newcomer;
        QVERIFY(newcomer.connectAs(m_player, QStringLiteral("g"), {}, 10000));
        c.client->send(queue);
        QVERIFY(c.next<Queued>());
        c.client->send(create);
        QVERIFY(c.next<Joined>());
        // Cancelling when not draining is a no-op.
        const HttpResult noop = post(QStringLiteral("/drain?cancel=1"));
        QCOMPARE(noop.status, 200);
        QCOMPARE(noop.json()[QStringLiteral("changed")].toBool(), false);
        QCOMPARE(noop.json()[QStringLiteral("draining")].toBool(), false);

        // Every drain and cancel is audited (refused requests never reach the action).
        const QJsonArray entries = get(QStringLiteral("/audit")).json()[QStringLiteral("entries")].toArray();
        QStringList actions;
        for (const QJsonValue &entry : entries) {
            const QJsonObject o = entry.toObject();
            actions.append(o[QStringLiteral("action")].toString());
            QVERIFY(o[QStringLiteral("who")].toString().startsWith(QStringLiteral("operator")));
            QCOMPARE(o[QStringLiteral("target")].toString(), QStringLiteral("drain-1"));
            QCOMPARE(o[QStringLiteral("ok")].toBool(), true);
        }
        // Newest first.
        QCOMPARE(actions, (QStringList{QStringLiteral("drain_cancel"), QStringLiteral("drain_cancel"),
                                       QStringLiteral("drain"), QStringLiteral("drain")}));
        QCOMPARE(entries.last().toObject()[QStringLiteral("result")].toObject()[QStringLiteral("since")].toString(),
                 since);
    }

    void deadlineClosesWhatIsLeft()
    {
        QVERIFY(start());
        TestPlayer a, b;
        const QString roomId = twoInARoom(a, b);
        QVERIFY(!roomId.isEmpty());

        QCOMPARE(post(QStringLiteral("/drain"), op, "{\"deadline_ms\": \"soon\"}").status, 400);
        QCOMPARE(post(QStringLiteral("/drain?deadline_ms=-5")).status, 400);
        QCOMPARE(post(QStringLiteral("/drain?cancel=maybe")).status, 400);
        QCOMPARE(test::http("GET", m_admin, QStringLiteral("/ready")).status, 200); // refused: still not draining

        const HttpResult drained = post(QStringLiteral("/drain"), op, "{\"deadline_ms\": 500}");
        QCOMPARE(drained.status, 200);
        const QJsonObject state = drained.json();
        QCOMPARE(state[QStringLiteral("deadline_ms")].toInt(), 500);
        QVERIFY(QDateTime::fromString(state[QStringLiteral("deadline_at")].toString(), Qt::ISODateWithMs).isValid());
        QCOMPARE(state[QStringLiteral("remaining")].toObject()[QStringLiteral("sessions")].toInt(), 2);
        QCOMPARE(state[QStringLiteral("remaining")].toObject()[QStringLiteral("rooms")].toInt(), 1);

        // At the deadline both are told, as at shutdown but with their own reason, and closed.
        for (TestPlayer *p : {&a, &b}) {
            const auto closing = p->next<SessionClosing>(15000);
            QVERIFY(closing);
            QCOMPARE(closing->reason, QStringLiteral("draining"));
            QCOMPARE(closing->code, 1001u);
            QVERIFY(closing->retryAfterMs);
            QVERIFY(p->waitDisconnected(10000));
            QCOMPARE(p->client->closeCode(), quint16(1001));
        }
        // The process goes on, empty and still draining.
        QTRY_COMPARE_WITH_TIMEOUT(test::getJson(m_admin, QStringLiteral("/health"))[QStringLiteral("drain")]
                                      .toObject()[QStringLiteral("deadline_passed")].toBool(),
                                  true, 10000);
        const QJsonObject health = test::getJson(m_admin, QStringLiteral("/health"));
        const QJsonObject remaining = health[QStringLiteral("drain")].toObject()[QStringLiteral("remaining")].toObject();
        QCOMPARE(remaining[QStringLiteral("sessions")].toInt(), 0);
        QCOMPARE(remaining[QStringLiteral("rooms")].toInt(), 0);
        QCOMPARE(m_server->process().state(), QProcess::Running);
        QCOMPARE(test::http("GET", m_admin, QStringLiteral("/live")).status, 200);
        QCOMPARE(test::http("GET", m_admin, QStringLiteral("/ready")).status, 503);
        TestPlayer late;
        const auto refused = refusedHello(late, QStringLiteral("h"));
        QVERIFY(refused);
        QCOMPARE(refused->code, ErrorCode::Unavailable);

        QCOMPARE(post(QStringLiteral("/drain?cancel=1")).status, 200);
        QCOMPARE(test::http("GET", m_admin, QStringLiteral("/ready")).status, 200);
        TestPlayer back;
        QVERIFY(back.connectAs(m_player, QStringLiteral("a"), {}, 10000));
        QCOMPARE(m_server->process().state(), QProcess::Running);
    }
};

QTEST_MAIN(TestDrain)
#include "tst_drain.moc"
