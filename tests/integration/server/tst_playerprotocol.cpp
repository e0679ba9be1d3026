// The player protocol against the real arena-server process: sessions, rooms, errors, limits, resume,
// duplicate players, idle expiry, the session cap, floods, oversized and malformed messages, a client
// that stops reading, and SIGTERM with clients connected.
#include "server/auth/playerauth.h"
#include "tests/support/adminhttp.h"
#include "tests/support/arenaserver.h"
#include "tests/support/testplayer.h"

#include <QJsonArray>
#include <QTcpSocket>
#include <QWebSocket>
#include <QTemporaryFile>
#include <QTest>

#include <csignal>

using namespace arena;
using namespace arena::protocol;
using test::TestPlayer;

namespace {

// A client-to-server WebSocket text frame (clients must mask).
QByteArray maskedTextFrame(const QByteArray &payload)
{
    QByteArray frame;
    frame.append(char(0x81));
    if (payload.size() < 126) {
        frame.append(char(0x80 | payload.size()));
    } else {
        frame.append(char(0x80 | 126));
        frame.append(char((payload.size() >> 8) & 0xff));
        frame.append(char(payload.size() & 0xff));
    }
    const char mask[4] = {0x12, 0x34, 0x56, 0x78};
    frame.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        frame.append(char(payload[i] ^ mask[i % 4]));
    return frame;
}

}

class TestPlayerProtocol final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<test::ArenaServer> m_server;
    quint16 m_port = 0;

    bool start(const QStringList &extra = {})
    {
        m_server = std::make_unique<test::ArenaServer>();
        QStringList args{QStringLiteral("--instance-id"), QStringLiteral("proto-1")};
        args += extra;
        if (!m_server->start(QStringLiteral(ARENA_SERVER_BINARY), args, 10000)) {
            qWarning("%s", qPrintable(m_server->lastError()));
            return false;
        }
        m_port = m_server->playerPort();
        return true;
    }

private Q_SLOTS:
    void init() { QVERIFY(start()); }
    void cleanup()
    {
        if (QTest::currentTestFailed() && m_server)
            qWarning("arena-server said:\n%s", m_server->output().constData());
        m_server.reset();
    }

    void helloWelcomePing()
    {
        TestPlayer p;
        QVERIFY(p.connectAs(m_port, QStringLiteral("alice")));
        const Welcome &w = p.client->welcome();
        QCOMPARE(w.playerId, QStringLiteral("alice"));
        QCOMPARE(w.instance, QStringLiteral("proto-1"));
        QVERIFY(w.sessionId.startsWith(QStringLiteral("s-")));
        QVERIFY(!w.resumeToken.isEmpty());
        QVERIFY(!w.resumed);
        QCOMPARE(w.limits.maxMessageBytes, quint64(65536));
        QVERIFY(w.heartbeatMs > 0);

        Ping ping;
        ping.time = 1234.5;
        const quint64 rid = p.client->send(ping);
        const auto pong = p.next<Pong>();
        QVERIFY(pong);
        QCOMPARE(pong->time, 1234.5);
        QCOMPARE(pong->rid, rid);
        QVERIFY(pong->serverTime > 0);

        // A guest gets a generated player id.
        TestPlayer guest;
        QVERIFY(guest.connectAs(m_port));
        QVERIFY(guest.client->welcome().playerId.startsWith(QStringLiteral("guest-")));
    }

    void helloWithAnotherProtocolVersionIsRefused()
    {
        QWebSocket ws;
        QStringList received;
        connect(&ws, &QWebSocket::textMessageReceived, this, [&received](const QString &m) { received.append(m); });
        ws.open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_port)));
        QTRY_COMPARE_WITH_TIMEOUT(ws.state(), QAbstractSocket::ConnectedState, 5000);
        ws.sendTextMessage(QStringLiteral("{\"type\":\"hello\",\"rid\":1,\"player_id\":\"old\",\"protocol\":2}"));
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), 1, 5000);
        const auto refused = protocol::decodeServerMessage(received.first().toUtf8(), protocol::DecodeLimits::trusted());
        QVERIFY(refused.ok());
        const auto *error = std::get_if<ErrorMessage>(&refused.value());
        QVERIFY(error);
        QCOMPARE(error->code, ErrorCode::BadRequest);
        QCOMPARE(error->field, QStringLiteral("protocol"));
        QCOMPARE(error->rid, 1u);
        // The connection stays open for a hello in this server's version.
        ws.sendTextMessage(QStringLiteral("{\"type\":\"hello\",\"rid\":2,\"player_id\":\"old\",\"protocol\":1}"));
        QTRY_COMPARE_WITH_TIMEOUT(received.size(), 2, 5000);
        const auto welcome = protocol::decodeServerMessage(received.last().toUtf8(), protocol::DecodeLimits::trusted());
        QVERIFY(welcome.ok());
        QVERIFY(std::holds_alternative<Welcome>(welcome.value()));
    }

    void firstMessageMustBeHello()
    {
        TestPlayer p;
        p.client->open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_port)));
        QTRY_VERIFY(p.client->state() != PlayerClient::State::Connecting);
        // The client sends hello on connect; a second hello on the session is a conflict.
        QVERIFY(p.waitWelcome());
        Hello again;
        const quint64 rid = p.client->send(again);
        const auto e = p.errorFor(rid);
        QVERIFY(e);
        QCOMPARE(e->code, ErrorCode::Conflict);
    }

    void relayRoomFansOut()
    {
        TestPlayer a, b, c;
        QVERIFY(a.connectAs(m_port, QStringLiteral("a")));
        QVERIFY(b.connectAs(m_port, QStringLiteral("b")));
        QVERIFY(c.connectAs(m_port, QStringLiteral("c")));
        JoinOrCreate joc;
        joc.roomType = QStringLiteral("relay");
        joc.metadata = RawJson::fromJsonObject({{QStringLiteral("map"), QStringLiteral("docks")}});
        a.client->send(joc);
        const auto joinedA = a.next<Joined>();
        QVERIFY(joinedA);
        QCOMPARE(joinedA->roomType, QStringLiteral("relay"));
        QCOMPARE(joinedA->members.size(), 1);
        QCOMPARE(joinedA->metadata.toJsonObject().value(QStringLiteral("map")).toString(), QStringLiteral("docks"));

        // join_or_create with a matching filter joins the same room; a different filter creates another.
        JoinOrCreate same = joc;
        same.filter = RawJson::fromJsonObject({{QStringLiteral("map"), QStringLiteral("docks")}});
        b.client->send(same);
        const auto joinedB = b.next<Joined>();
        QVERIFY(joinedB);
        QCOMPARE(joinedB->roomId, joinedA->roomId);
        QCOMPARE(joinedB->members.size(), 2);
        const auto memberJoined = a.next<MemberJoined>();
        QVERIFY(memberJoined);
        QCOMPARE(memberJoined->playerId, QStringLiteral("b"));

        JoinOrCreate other = joc;
        other.filter = RawJson::fromJsonObject({{QStringLiteral("map"), QStringLiteral("castle")}});
        other.metadata = other.filter;
        c.client->send(other);
        const auto joinedC = c.next<Joined>();
        QVERIFY(joinedC);
        QVERIFY(joinedC->roomId != joinedA->roomId);

        RoomMessage msg;
        msg.roomId = joinedA->roomId;
        msg.data = RawJson::parse("{\"x\":1,\"moves\":[1,2,3]}").value();
        const quint64 rid = a.client->send(msg);
        for (TestPlayer *p : {&a, &b}) {
            const auto event = p->next<RoomEvent>();
            QVERIFY(event);
            QCOMPARE(event->roomId, joinedA->roomId);
            QCOMPARE(event->from, a.client->sessionId());
            QCOMPARE(event->data.json(), QByteArray("{\"x\":1,\"moves\":[1,2,3]}"));
            QVERIFY(event->seq > joinedA->seq);
        }
        QVERIFY(a.next<Ack>()->rid == rid);
        QCOMPARE(c.next<RoomEvent>(200), std::nullopt); // other room: nothing

        // list_rooms with a type and a filter.
        ListRooms list;
        list.roomType = QStringLiteral("relay");
        list.filter = RawJson::fromJsonObject({{QStringLiteral("map"), QStringLiteral("docks")}});
        c.client->send(list);
        const auto rooms = c.next<RoomList>();
        QVERIFY(rooms);
        QCOMPARE(rooms->rooms.size(), 1);
        QCOMPARE(rooms->rooms.first().roomId, joinedA->roomId);
        QCOMPARE(rooms->rooms.first().clients, 2u);

        // leave: the leaver gets left, the others member_left; the last one out disposes the room.
        Leave leave;
        leave.roomId = joinedA->roomId;
        b.client->send(leave);
        QCOMPARE(b.next<Left>()->reason, QStringLiteral("requested"));
        QCOMPARE(a.next<MemberLeft>()->playerId, QStringLiteral("b"));
        a.client->send(leave);
        QVERIFY(a.next<Left>());
        Join join;
        join.roomId = joinedA->roomId;
        const quint64 gone = b.client->send(join);
        QCOMPARE(b.errorFor(gone)->code, ErrorCode::NotFound);
    }

    void roomErrors()
    {
        TestPlayer a, b, c;
        QVERIFY(a.connectAs(m_port, QStringLiteral("a")));
        QVERIFY(b.connectAs(m_port, QStringLiteral("b")));
        QVERIFY(c.connectAs(m_port, QStringLiteral("c")));

        Create create;
        create.roomType = QStringLiteral("nosuchtype");
        QCOMPARE(a.errorFor(a.client->send(create))->code, ErrorCode::NotFound);
        create.roomType = QStringLiteral("relay");
        create.maxClients = 100000;
        QCOMPARE(a.errorFor(a.client->send(create))->code, ErrorCode::BadRequest);

        create.maxClients = 2;
        create.isPrivate = true;
        a.client->send(create);
        const auto room = a.next<Joined>();
        QVERIFY(room);

        // Private: not listed, but joinable by id.
        ListRooms list;
        c.client->send(list);
        QVERIFY(c.next<RoomList>()->rooms.isEmpty());
        Join join;
        join.roomId = room->roomId;
        b.client->send(join);
        QVERIFY(b.next<Joined>());
        QCOMPARE(b.errorFor(b.client->send(join))->code, ErrorCode::Conflict); // already in it
        QCOMPARE(c.errorFor(c.client->send(join))->code, ErrorCode::RoomFull);

        // Lock: members only; a locked room refuses joiners.
        LockRoom lock;
        lock.roomId = room->roomId;
        QCOMPARE(c.errorFor(c.client->send(lock))->code, ErrorCode::Forbidden);
        const quint64 locked = a.client->send(lock);
        QCOMPARE(a.next<Ack>()->rid, locked);
        Leave leave;
        leave.roomId = room->roomId;
        b.client->send(leave);
        QVERIFY(b.next<Left>());
        QCOMPARE(c.errorFor(c.client->send(join))->code, ErrorCode::RoomLocked);
        UnlockRoom unlock;
        unlock.roomId = room->roomId;
        a.client->send(unlock);
        QVERIFY(a.next<Ack>());
        c.client->send(join);
        QVERIFY(c.next<Joined>());

        // Messages to a room one is not in, or that does not exist.
        RoomMessage msg;
        msg.roomId = room->roomId;
        msg.data = RawJson::fromJsonObject({{QStringLiteral("hi"), 1}});
        QCOMPARE(b.errorFor(b.client->send(msg))->code, ErrorCode::Forbidden);
        msg.roomId = QStringLiteral("r-nope");
        QCOMPARE(b.errorFor(b.client->send(msg))->code, ErrorCode::NotFound);
        Leave notIn;
        notIn.roomId = QStringLiteral("r-nope");
        QCOMPARE(b.errorFor(b.client->send(notIn))->code, ErrorCode::NotFound);
    }

    void duelPlaysToTheEnd()
    {
        TestPlayer a, b;
        QVERIFY(a.connectAs(m_port, QStringLiteral("a")));
        QVERIFY(b.connectAs(m_port, QStringLiteral("b")));
        JoinOrCreate joc;
        joc.roomType = QStringLiteral("duel");
        a.client->send(joc);
        const auto room = a.next<Joined>();
        QVERIFY(room);
        b.client->send(joc);
        QVERIFY(b.next<Joined>());
        // The game starts with the second player: a state with phase playing and whose turn it is.
        QString turn;
        QTRY_VERIFY_WITH_TIMEOUT(([&] {
            while (auto s = a.next<RoomState>(50)) {
                const QJsonObject state = s->state.toJsonObject();
                if (state.value(QStringLiteral("phase")).toString() == QLatin1String("playing"))
                    turn = state.value(QStringLiteral("turn")).toString();
            }
            return !turn.isEmpty();
        }()), 3000);
        // Acting out of turn is a conflict.
        TestPlayer &idle = turn == a.client->sessionId() ? b : a;
        RoomMessage attack;
        attack.roomId = room->roomId;
        attack.data = RawJson::fromJsonObject({{QStringLiteral("action"), QStringLiteral("attack")}});
        QCOMPARE(idle.errorFor(idle.client->send(attack))->code, ErrorCode::Conflict);
        RoomMessage bogus = attack;
        bogus.data = RawJson::fromJsonObject({{QStringLiteral("action"), QStringLiteral("fly")}});
        QCOMPARE(idle.errorFor(idle.client->send(bogus))->code, ErrorCode::BadRequest);

        // Both attack in turn until someone wins.
        QString winner;
        for (int round = 0; round < 60 && winner.isEmpty(); ++round) {
            TestPlayer &actor = turn == a.client->sessionId() ? a : b;
            const quint64 acted = actor.client->send(attack);
            const auto ack = actor.next<Ack>(2000);
            QVERIFY2(ack, "an accepted duel action is acknowledged");
            QCOMPARE(ack->rid, acted);
            std::optional<RoomState> s;
            while ((s = a.next<RoomState>(300))) {
                const QJsonObject state = s->state.toJsonObject();
                turn = state.value(QStringLiteral("turn")).toString();
                if (state.value(QStringLiteral("phase")).toString() == QLatin1String("finished"))
                    winner = state.value(QStringLiteral("winner")).toString();
            }
        }
        QVERIFY2(!winner.isEmpty(), "the duel never finished");
        QVERIFY(winner == a.client->sessionId() || winner == b.client->sessionId());
    }

    void malformedAndUnknownMessages()
    {
        TestPlayer p;
        QVERIFY(p.connectAs(m_port, QStringLiteral("m")));
        p.client->sendRaw("{not json");
        auto e = p.next<ErrorMessage>();
        QVERIFY(e);
        QCOMPARE(e->code, ErrorCode::BadRequest);
        p.client->sendRaw("{\"type\":\"teleport\",\"rid\":5}");
        e = p.next<ErrorMessage>();
        QCOMPARE(e->code, ErrorCode::UnknownType);
        QCOMPARE(e->rid, 5u);
        p.client->sendRaw("{\"type\":\"join\",\"rid\":6}");
        e = p.next<ErrorMessage>();
        QCOMPARE(e->code, ErrorCode::BadRequest);
        QCOMPARE(e->field, QStringLiteral("room_id"));
        // The session survives all of it.
        Ping ping;
        p.client->send(ping);
        QVERIFY(p.next<Pong>());
    }

    void oversizedMessageClosesWith1009()
    {
        TestPlayer p;
        QVERIFY(p.connectAs(m_port, QStringLiteral("big")));
        p.client->sendRaw("{\"type\":\"ping\",\"time\":1,\"pad\":\"" + QByteArray(70 * 1024, 'x') + "\"}");
        QVERIFY(p.waitDisconnected());
        QCOMPARE(p.client->closeCode(), quint16(1009));
    }

    void configuredMessageLimitIsTheOneEnforced()
    {
        // welcome announces --max-message-bytes, and the decoder accepts what the transport let through.
        QVERIFY(start({QStringLiteral("--max-message-bytes"), QStringLiteral("131072")}));
        TestPlayer p;
        p.client->open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_port)), QStringLiteral("roomy"), {});
        const auto welcome = p.next<Welcome>();
        QVERIFY(welcome);
        QCOMPARE(welcome->limits.maxMessageBytes, quint64(131072));
        // 100 KiB of JSON whitespace around a ping: over the default 64 KiB, under this server's limit.
        p.client->sendRaw("{\"type\":\"ping\",\"time\":7" + QByteArray(100 * 1024, ' ') + "}");
        const auto pong = p.next<Pong>();
        QVERIFY(pong);
        QCOMPARE(p.next<ErrorMessage>(100), std::nullopt);
    }

    void rateViolationsAreForgivenOnceTheBucketRefills()
    {
        // Bursts over the rate, each followed by a pause long enough to refill the bucket (3 tokens at
        // 2/s: 1.5 s): each burst is refused in part (hello took a token, so the first burst twice, the
        // others once), and the refusals, 4 in all, do not add up to a close after the third.
        QVERIFY(start({QStringLiteral("--messages-per-second"), QStringLiteral("2"), QStringLiteral("--message-burst"),
                       QStringLiteral("3")}));
        TestPlayer p;
        QVERIFY(p.connectAs(m_port, QStringLiteral("bursty")));
        int refusals = 0;
        for (int burst = 0; burst < 3; ++burst) {
            for (int i = 0; i < 4; ++i) {
                Ping ping;
                p.client->send(ping);
            }
            const auto e = p.next<ErrorMessage>(2000);
            QVERIFY(e);
            QCOMPARE(e->code, ErrorCode::RateLimited);
            ++refusals;
            while (p.next<ErrorMessage>(200))
                ++refusals;
            QTest::qWait(2000);
        }
        QVERIFY2(refusals >= 3, qPrintable(QString::number(refusals)));
        Ping ping;
        p.client->send(ping);
        QVERIFY(p.next<Pong>());
        QCOMPARE(p.client->state(), PlayerClient::State::Ready);
    }

    void floodIsRateLimitedThenClosed()
    {
        QVERIFY(start({QStringLiteral("--messages-per-second"), QStringLiteral("5"), QStringLiteral("--message-burst"),
                       QStringLiteral("5")}));
        TestPlayer p;
        QVERIFY(p.connectAs(m_port, QStringLiteral("flood")));
        for (int i = 0; i < 50; ++i) {
            Ping ping;
            p.client->send(ping);
        }
        const auto e = p.next<ErrorMessage>();
        QVERIFY(e);
        QCOMPARE(e->code, ErrorCode::RateLimited);
        QVERIFY(e->retryAfterMs);
        QVERIFY(p.waitDisconnected());
        QCOMPARE(p.client->closeCode(), quint16(1008));
        const auto closing = p.next<SessionClosing>(100);
        QVERIFY(closing);
        QCOMPARE(closing->reason, QStringLiteral("rate_limited"));
    }

    void sessionCap()
    {
        QVERIFY(start({QStringLiteral("--session-limit"), QStringLiteral("2")}));
        TestPlayer a, b, c;
        QVERIFY(a.connectAs(m_port, QStringLiteral("a")));
        QVERIFY(b.connectAs(m_port, QStringLiteral("b")));
        QVERIFY(!c.connectAs(m_port, QStringLiteral("c"), {}, 2000));
        QVERIFY(c.waitDisconnected());
        const auto busy = c.next<ErrorMessage>(100);
        QVERIFY(busy);
        QCOMPARE(busy->code, ErrorCode::ServerBusy);
        QVERIFY(busy->retryAfterMs);
        // The server closes with 1013 (try again later), as session_closing announces. Qt's own client
        // refuses 1012-1014 as close codes (it predates them) and reports 1002 instead; browsers accept it.
        const auto closing = c.next<SessionClosing>(100);
        QVERIFY(closing);
        QCOMPARE(closing->code, 1013u);
        QCOMPARE(closing->reason, QStringLiteral("server_busy"));
        // When one leaves (a clean close ends the session at once), there is room again.
        a.client->close();
        QVERIFY(a.waitDisconnected());
        QTest::qWait(200);
        TestPlayer d;
        QVERIFY(d.connectAs(m_port, QStringLiteral("d")));
    }

    void resumeKeepsTheSeat()
    {
        TestPlayer a, b;
        QVERIFY(a.connectAs(m_port, QStringLiteral("a")));
        QVERIFY(b.connectAs(m_port, QStringLiteral("b")));
        JoinOrCreate joc;
        joc.roomType = QStringLiteral("relay");
        a.client->send(joc);
        const auto room = a.next<Joined>();
        b.client->send(joc);
        QVERIFY(b.next<Joined>());
        const QString sid = a.client->sessionId();
        const QString oldToken = a.client->welcome().resumeToken;

        a.client->abort(); // the network drops
        QVERIFY(a.waitDisconnected());
        QVERIFY(a.resume());
        QCOMPARE(a.client->sessionId(), sid);
        QVERIFY(a.client->welcome().resumed);
        QVERIFY(a.client->welcome().resumeToken != oldToken);
        const auto back = a.next<Joined>();
        QVERIFY(back);
        QCOMPARE(back->roomId, room->roomId);
        QCOMPARE(back->members.size(), 2);
        QCOMPARE(b.next<MemberLeft>(200), std::nullopt); // b never saw a leave

        // The old token is spent.
        TestPlayer thief;
        thief.client->open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_port)));
        QVERIFY(thief.waitWelcome());
        Hello stale;
        stale.resumeToken = oldToken;
        QCOMPARE(thief.errorFor(thief.client->send(stale))->code, ErrorCode::Conflict); // has a session already
    }

    void resumeAfterGraceFails()
    {
        QVERIFY(start({QStringLiteral("--resume-grace"), QStringLiteral("200ms"), QStringLiteral("--cleanup-interval"),
                       QStringLiteral("100ms")}));
        TestPlayer a, b;
        QVERIFY(a.connectAs(m_port, QStringLiteral("a")));
        QVERIFY(b.connectAs(m_port, QStringLiteral("b")));
        JoinOrCreate joc;
        joc.roomType = QStringLiteral("relay");
        a.client->send(joc);
        QVERIFY(a.next<Joined>());
        b.client->send(joc);
        QVERIFY(b.next<Joined>());
        a.client->abort();
        const auto left = b.next<MemberLeft>(3000);
        QVERIFY(left);
        QCOMPARE(left->reason, QStringLiteral("disconnected"));
        a.client->resume();
        const auto refused = a.next<ErrorMessage>();
        QVERIFY(refused);
        QCOMPARE(refused->code, ErrorCode::SessionExpired);
    }

    void duplicatePlayerLeavesOneSession()
    {
        TestPlayer first, second;
        QVERIFY(first.connectAs(m_port, QStringLiteral("twin")));
        QVERIFY(second.connectAs(m_port, QStringLiteral("twin")));
        const auto closing = first.next<SessionClosing>();
        QVERIFY(closing);
        QCOMPARE(closing->reason, QStringLiteral("replaced"));
        QVERIFY(first.waitDisconnected());
        QVERIFY(second.client->sessionId() != first.client->sessionId());
        Ping ping;
        second.client->send(ping);
        QVERIFY(second.next<Pong>());
    }

    void idleSessionsExpire()
    {
        QVERIFY(start({QStringLiteral("--session-idle-timeout"), QStringLiteral("1s"), QStringLiteral("--cleanup-interval"),
                       QStringLiteral("200ms")}));
        TestPlayer idle, busy;
        QVERIFY(idle.connectAs(m_port, QStringLiteral("idle")));
        QVERIFY(busy.connectAs(m_port, QStringLiteral("busy")));
        QDeadlineTimer until(1800);
        while (!until.hasExpired()) {
            Ping ping;
            busy.client->send(ping);
            QTest::qWait(150);
        }
        const auto closing = idle.next<SessionClosing>(2000);
        QVERIFY(closing);
        QCOMPARE(closing->reason, QStringLiteral("idle"));
        QVERIFY(idle.waitDisconnected());
        QCOMPARE(idle.client->closeCode(), quint16(1000));
        QCOMPARE(busy.client->state(), PlayerClient::State::Ready);
    }

    void helloTimeout()
    {
        QVERIFY(start({QStringLiteral("--hello-timeout"), QStringLiteral("300ms")}));
        TestPlayer player;
        QVERIFY(player.connectAs(m_port, QStringLiteral("prompt")));
        QTcpSocket raw;
        raw.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(raw.waitForConnected(2000));
        // No WebSocket upgrade at all: the server hangs up.
        QTRY_COMPARE_WITH_TIMEOUT(raw.state(), QAbstractSocket::UnconnectedState, 3000);
        // A player that upgraded and said hello in time is not touched by either timeout.
        QTest::qWait(500);
        QCOMPARE(player.client->state(), PlayerClient::State::Ready);
    }

    // A raw TCP client whose upgrade request is not one gets 400 and is closed.
    void badHandshakeGets400()
    {
        QTcpSocket raw;
        raw.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(raw.waitForConnected(2000));
        raw.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n");
        QByteArray response;
        QTRY_VERIFY_WITH_TIMEOUT((response += raw.readAll()).contains("\r\n\r\n"), 3000);
        QVERIFY2(response.startsWith("HTTP/1.1 400 "), response.constData());
        QTRY_COMPARE_WITH_TIMEOUT(raw.state(), QAbstractSocket::UnconnectedState, 3000);
    }

    void rawFramesAfterTheUpgrade_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<QByteArray>("replyStart"); // the first bytes of the server's answering frame
        QTest::addColumn<int>("closeCode"); // 0: the connection stays open
        QByteArray ping = maskedTextFrame("hi");
        ping[0] = char(0x89);
        QTest::newRow("unmasked frame: close 1002") << QByteArray("\x81\x02hi", 4) << QByteArray("\x88") << 1002;
        QTest::newRow("invalid UTF-8: close 1007") << maskedTextFrame("ok\xff\xfe") << QByteArray("\x88") << 1007;
        QTest::newRow("ping: pong") << ping << QByteArray("\x8a\x02hi", 4) << 0;
    }

    // Speaks WebSocket by hand after a valid upgrade and checks the server's frame in reply.
    void rawFramesAfterTheUpgrade()
    {
        QFETCH(QByteArray, input);
        QFETCH(QByteArray, replyStart);
        QFETCH(int, closeCode);
        QTcpSocket raw;
        raw.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(raw.waitForConnected(2000));
        raw.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                  "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        QByteArray received;
        QTRY_VERIFY_WITH_TIMEOUT((received += raw.readAll()).contains("\r\n\r\n"), 3000);
        QVERIFY2(received.startsWith("HTTP/1.1 101 "), received.constData());
        QVERIFY(received.contains("\r\nSec-WebSocket-Accept: s3pPLMBiTxaQ9kYGzzhZRbK+xOo=\r\n"));
        received = received.sliced(received.indexOf("\r\n\r\n") + 4);
        raw.write(input);
        // One server frame (control frames have 7-bit lengths).
        QTRY_VERIFY_WITH_TIMEOUT((received += raw.readAll()).size() >= 2 && received.size() >= 2 + (quint8(received[1]) & 0x7f),
                                 3000);
        QVERIFY2(received.startsWith(replyStart), received.toHex().constData());
        if (closeCode != 0) {
            QVERIFY(received.size() >= 4);
            QCOMPARE((quint8(received[2]) << 8) | quint8(received[3]), closeCode);
            QTRY_COMPARE_WITH_TIMEOUT(raw.state(), QAbstractSocket::UnconnectedState, 3000);
        } else {
            QTest::qWait(200);
            QCOMPARE(raw.state(), QAbstractSocket::ConnectedState);
        }
    }

    void clientThatStopsReadingIsDropped()
    {
        QVERIFY(start({QStringLiteral("--max-outbound-bytes"), QStringLiteral("1048576"), QStringLiteral("--messages-per-second"),
                       QStringLiteral("100000"), QStringLiteral("--message-burst"), QStringLiteral("100000")}));
        const quint16 adminPort = m_server->adminPort();
        // The reader speaks WebSocket by hand, joins a relay room, then never reads again.
        QTcpSocket reader;
        reader.connectToHost(QHostAddress::LocalHost, m_port);
        QVERIFY(reader.waitForConnected(2000));
        reader.write("GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                     "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
        QTRY_VERIFY_WITH_TIMEOUT(reader.bytesAvailable() > 0 && reader.peek(4096).contains("\r\n\r\n"), 3000);
        QVERIFY(reader.readAll().startsWith("HTTP/1.1 101"));
        reader.write(maskedTextFrame("{\"type\":\"hello\",\"rid\":1,\"player_id\":\"reader\"}"));
        reader.write(maskedTextFrame("{\"type\":\"join_or_create\",\"rid\":2,\"room_type\":\"relay\"}"));
        QTest::qWait(300);
        reader.setReadBufferSize(1); // stop taking data off the kernel: its buffers fill, the server's backlog grows

        TestPlayer writer;
        QVERIFY(writer.connectAs(m_port, QStringLiteral("writer")));
        JoinOrCreate joc;
        joc.roomType = QStringLiteral("relay");
        writer.client->send(joc);
        const auto room = writer.next<Joined>();
        QVERIFY(room);
        QCOMPARE(room->members.size(), 2);
        RoomMessage msg;
        msg.roomId = room->roomId;
        msg.data = RawJson::fromJsonValue(QString(15000, QLatin1Char('z')));
        const auto connected = [&] {
            return test::getJson(adminPort, QStringLiteral("/health")).value(QStringLiteral("connected")).toInt();
        };
        QCOMPARE(connected(), 2);
        for (int burst = 0; burst < 60 && connected() == 2; ++burst) {
            for (int i = 0; i < 20; ++i) // 300 KB a burst: the writer, who reads, keeps up
                writer.client->send(msg);
            QTest::qWait(100);
            writer.clear();
        }
        QTRY_COMPARE_WITH_TIMEOUT(connected(), 1, 5000);
        QCOMPARE(writer.client->state(), PlayerClient::State::Ready); // the writer, who reads, is fine
    }

    void lobbyListsRoomsLive()
    {
        TestPlayer watcher, host;
        QVERIFY(watcher.connectAs(m_port, QStringLiteral("watcher")));
        QVERIFY(host.connectAs(m_port, QStringLiteral("host")));
        JoinOrCreate lobby;
        lobby.roomType = QStringLiteral("lobby");
        watcher.client->send(lobby);
        const auto joined = watcher.next<Joined>();
        QVERIFY(joined);
        // The listing sent to the joiner alone still comes after `joined` in the room's sequence.
        const auto first = watcher.next<RoomEvent>();
        QVERIFY(first);
        QVERIFY2(first->seq > joined->seq, qPrintable(QStringLiteral("%1 after %2").arg(first->seq).arg(joined->seq)));
        QCOMPARE(first->data.toJsonObject().value(QStringLiteral("kind")).toString(), QStringLiteral("rooms"));

        // A new public room shows up in the watcher's listing without asking.
        Create create;
        create.roomType = QStringLiteral("relay");
        create.metadata = RawJson::fromJsonObject({{QStringLiteral("map"), QStringLiteral("harbour")}});
        host.client->send(create);
        const auto created = host.next<Joined>();
        QVERIFY(created);
        QString listedId;
        quint64 lastSeq = first->seq;
        QDeadlineTimer until(5000);
        while (listedId.isEmpty() && !until.hasExpired()) {
            const auto update = watcher.next<RoomEvent>(int(until.remainingTime()));
            if (!update)
                break;
            QVERIFY(update->seq > lastSeq);
            lastSeq = update->seq;
            for (const QJsonValue &room : update->data.toJsonObject().value(QStringLiteral("rooms")).toArray()) {
                if (room[QStringLiteral("id")].toString() == created->roomId) {
                    listedId = created->roomId;
                    QCOMPARE(room[QStringLiteral("type")].toString(), QStringLiteral("relay"));
                    QCOMPARE(room[QStringLiteral("metadata")][QStringLiteral("map")].toString(), QStringLiteral("harbour"));
                }
            }
        }
        QCOMPARE(listedId, created->roomId);
    }

    void matchmakingFormsAMatchAndReservesTheRoom()
    {
        QVERIFY(start({QStringLiteral("--matchmaking-interval"), QStringLiteral("50ms")}));
        TestPlayer a, b, c;
        QVERIFY(a.connectAs(m_port, QStringLiteral("a")));
        QVERIFY(b.connectAs(m_port, QStringLiteral("b")));
        QVERIFY(c.connectAs(m_port, QStringLiteral("c")));
        Queue queue;
        queue.level = 10;
        queue.teamSize = 1;
        queue.roomType = QStringLiteral("duel");
        const quint64 rid = a.client->send(queue);
        const auto queued = a.next<Queued>();
        QVERIFY(queued);
        QCOMPARE(queued->rid, rid);
        QVERIFY(!queued->ticket.isEmpty());
        QCOMPARE(a.errorFor(a.client->send(queue))->code, ErrorCode::Conflict); // one ticket per session

        queue.level = 15;
        b.client->send(queue);
        QVERIFY(b.next<Queued>());
        const auto foundA = a.next<MatchFound>();
        const auto foundB = b.next<MatchFound>();
        QVERIFY(foundA && foundB);
        QCOMPARE(foundA->roomId, foundB->roomId);
        QCOMPARE(foundA->matchId, foundB->matchId);
        QCOMPARE(foundA->roomType, QStringLiteral("duel"));
        QCOMPARE(foundA->players.size(), 2);

        // The room is private and reserved for the matched players.
        Join join;
        join.roomId = foundA->roomId;
        QCOMPARE(c.errorFor(c.client->send(join))->code, ErrorCode::Forbidden);
        a.client->send(join);
        QVERIFY(a.next<Joined>());
        b.client->send(join);
        QVERIFY(b.next<Joined>());

        // Cancel: only a queued session has something to cancel.
        CancelQueue cancel;
        QCOMPARE(c.errorFor(c.client->send(cancel))->code, ErrorCode::NotFound);
        queue.level = 500;
        c.client->send(queue);
        QVERIFY(c.next<Queued>());
        const quint64 cancelRid = c.client->send(cancel);
        const auto cancelled = c.next<QueueCancelled>();
        if (!cancelled) {
            const auto e = c.errorFor(cancelRid, 100);
            QFAIL(qPrintable(e ? e->message : QStringLiteral("no reply to cancel_queue")));
        }
        QCOMPARE(cancelled->rid, cancelRid);
        QCOMPARE(cancelled->reason, QStringLiteral("requested"));

        Queue bad = queue;
        bad.roomType = QStringLiteral("nosuchtype");
        QCOMPARE(c.errorFor(c.client->send(bad))->code, ErrorCode::BadRequest);

        // Two teams of two do not fit a duel (two seats): refused at once, and the session is not left
        // queued (it can queue with a size that fits).
        Queue tooBig = queue;
        tooBig.teamSize = 2;
        const auto refused = c.errorFor(c.client->send(tooBig));
        QVERIFY(refused);
        QCOMPARE(refused->code, ErrorCode::BadRequest);
        QCOMPARE(refused->field, QStringLiteral("team_size"));
        c.client->send(queue);
        QVERIFY(c.next<Queued>());
    }

    void signedPlayerTokens()
    {
        QTemporaryFile secret;
        QVERIFY(secret.open());
        secret.write(QByteArray(48, 'k'));
        secret.flush();
        QVERIFY(start({QStringLiteral("--player-token-secret-file"), secret.fileName()}));
        const auto auth = PlayerAuth::fromSecretFile(secret.fileName());
        QVERIFY(auth.ok());
        const QString token = auth->issue(QStringLiteral("carol"), std::chrono::seconds(60)).value();

        TestPlayer good;
        QVERIFY(good.connectAs(m_port, {}, token));
        QCOMPARE(good.client->welcome().playerId, QStringLiteral("carol"));

        TestPlayer anonymous;
        anonymous.client->open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_port)), QStringLiteral("mallory"));
        const auto refused = anonymous.next<ErrorMessage>();
        QVERIFY(refused);
        QCOMPARE(refused->code, ErrorCode::Unauthorized);

        TestPlayer forged;
        QString tampered = token;
        tampered[tampered.size() - 2] = tampered[tampered.size() - 2] == QLatin1Char('A') ? QLatin1Char('B')
                                                                                        : QLatin1Char('A');
        forged.client->open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_port)), {}, tampered);
        const auto bad = forged.next<ErrorMessage>();
        QVERIFY(bad);
        QCOMPARE(bad->code, ErrorCode::Unauthorized);

        TestPlayer impostor; // a valid token, but claiming another player id
        impostor.client->open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_port)), QStringLiteral("dave"), token);
        QCOMPARE(impostor.next<ErrorMessage>()->code, ErrorCode::Forbidden);
    }

    void sigtermClosesClientsWith1001()
    {
        TestPlayer a;
        QVERIFY(a.connectAs(m_port, QStringLiteral("a")));
        m_server->process().sendSignal(SIGTERM);
        const auto closing = a.next<SessionClosing>();
        QVERIFY(closing);
        QCOMPARE(closing->reason, QStringLiteral("shutdown"));
        QCOMPARE(closing->code, 1001u);
        QVERIFY(closing->retryAfterMs);
        QVERIFY(a.waitDisconnected());
        QCOMPARE(a.client->closeCode(), quint16(1001));
        QVERIFY(m_server->process().waitForFinished(5000));
        QCOMPARE(m_server->process().exitCode(), 0);
    }
};

QTEST_MAIN(TestPlayerProtocol)
#include "tst_playerprotocol.moc"
