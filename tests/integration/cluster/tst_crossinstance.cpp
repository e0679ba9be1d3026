// Rooms and matchmaking across instances: three arena-server processes on one redis-server. Players on
// different instances are matched together and exchange messages both ways; a room on one instance is
// listed, joined by id and by join_or_create, left and locked from the others; a resumed player gets its
// remote room back; the players of an instance killed with kill -9 resume on a survivor, as the same
// sessions, back in their rooms there and on a third instance, while one that never comes back leaves
// after the host's resume grace; the players of a room whose host dies are told it is lost; forged
// resume tokens change nothing; a Redis restart (a lost subscription) resyncs a remote member with the
// room as it is now; and malformed publishes on an instance's channel are dropped.
#include "tests/support/adminhttp.h"
#include "tests/support/arenaserver.h"
#include "tests/support/redisserver.h"
#include "tests/support/serverfleet.h"
#include "tests/support/testplayer.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>
#include <QWebSocket>

#include <csignal>

using namespace arena;
using test::TestPlayer;

namespace {

protocol::RawJson json(const QJsonObject &object)
{
    return protocol::RawJson::fromJsonObject(object);
}

QJsonObject object(const protocol::RawJson &raw)
{
    return QJsonDocument::fromJson(raw.json()).object();
}

} // namespace

class TestCrossInstance final : public QObject
{
    Q_OBJECT

private:
    test::ServerFleet m_fleet;

    test::ArenaServer *startServer(const QString &id, const QStringList &extra = {}) { return m_fleet.start(id, extra); }
    QByteArray cli(const QStringList &args) const { return m_fleet.cli(args); }
    QString hostOf(const QString &roomId) const
    {
        return QString::fromUtf8(cli({QStringLiteral("HGET"), QStringLiteral("arena:room:{%1}").arg(roomId),
                                      QStringLiteral("instance")}));
    }
    // A relay room created by `p`; returns its id.
    static QString createRelay(TestPlayer &p, int maxClients = 8)
    {
        protocol::Create create;
        create.roomType = QStringLiteral("relay");
        create.maxClients = quint32(maxClients);
        create.metadata = json({{QStringLiteral("mode"), QStringLiteral("ctf")}});
        p.client->send(create);
        const auto joined = p.next<protocol::Joined>();
        return joined ? joined->roomId : QString();
    }
    // `from` sends `n` to the room (acknowledged); every member, `from` included (a relay room sends each
    // message to all its members), gets it as a room_event from `from`'s session, with one seq.
    static bool relays(TestPlayer &from, std::initializer_list<TestPlayer *> members, const QString &roomId, int n)
    {
        protocol::RoomMessage message;
        message.roomId = roomId;
        message.data = json({{QStringLiteral("n"), n}});
        const quint64 rid = from.client->send(message);
        const auto ack = from.next<protocol::Ack>();
        if (!ack || ack->rid != rid) {
            qWarning("no ack for message %d", n);
            return false;
        }
        std::optional<quint64> seq;
        for (TestPlayer *to : members) {
            const auto event = to->next<protocol::RoomEvent>();
            if (!event) {
                qWarning("message %d did not reach %s", n, qPrintable(to->client->sessionId()));
                return false;
            }
            if (event->roomId != roomId || object(event->data).value(QStringLiteral("n")).toInt() != n
                || event->from.value_or(QString()) != from.client->sessionId() || event->seq != seq.value_or(event->seq)) {
                qWarning("message %d reached %s as %s from %s in %s, seq %llu", n, qPrintable(to->client->sessionId()),
                         event->data.json().constData(), qPrintable(event->from.value_or(QString())),
                         qPrintable(event->roomId), event->seq);
                return false;
            }
            seq = event->seq;
        }
        return true;
    }

    // Resumes `p`'s session on the server at `url`: refused (unavailable) while the instance that held it
    // keeps its lease, so it is tried again for up to 10 s.
    static bool resumeOn(TestPlayer &p, const QUrl &url)
    {
        for (QDeadlineTimer deadline(10000); !deadline.hasExpired();) {
            if (p.resume(1500, url))
                return true;
            QTest::qWait(300);
        }
        return false;
    }

    // `by` sends a duel action; every member sees it as an action event (kept: its hp in m_lastHp).
    bool act(TestPlayer &by, std::initializer_list<TestPlayer *> members, const QString &roomId, const QString &action)
    {
        protocol::RoomMessage message;
        message.roomId = roomId;
        message.data = json({{QStringLiteral("action"), action}});
        const quint64 rid = by.client->send(message);
        const auto ack = by.next<protocol::Ack>();
        if (!ack || ack->rid != rid) {
            if (const auto error = by.errorFor(rid, 100))
                qWarning("%s refused: %s", qPrintable(action), qPrintable(error->message));
            return false;
        }
        for (TestPlayer *p : members) {
            for (;;) {
                const auto event = p->next<protocol::RoomEvent>();
                if (!event || event->roomId != roomId) {
                    qWarning("%s did not reach %s", qPrintable(action), qPrintable(p->client->sessionId()));
                    return false;
                }
                const QJsonObject data = object(event->data);
                if (data.value(QStringLiteral("kind")).toString() != QLatin1String("action"))
                    continue;
                m_lastHp = data.value(QStringLiteral("hp")).toObject();
                break;
            }
        }
        return true;
    }
    QJsonObject m_lastHp;

private Q_SLOTS:
    void init() { QVERIFY2(m_fleet.startRedis(), qPrintable(m_fleet.lastError())); }
    void cleanup() { m_fleet.stopAll(); }

    void matchedAcrossInstancesAndMessagesBothWays()
    {
        test::ArenaServer *a = startServer(QStringLiteral("alpha"));
        test::ArenaServer *b = startServer(QStringLiteral("beta"));
        test::ArenaServer *c = startServer(QStringLiteral("gamma"));
        QVERIFY(a && b && c);
        TestPlayer pa, pb;
        QVERIFY(pa.connectAs(a->playerPort(), QStringLiteral("ann")));
        QVERIFY(pb.connectAs(b->playerPort(), QStringLiteral("bob")));
        protocol::Queue queue;
        queue.roomType = QStringLiteral("relay");
        queue.level = 7;
        pa.client->send(queue);
        pb.client->send(queue);
        QVERIFY(pa.next<protocol::Queued>());
        QVERIFY(pb.next<protocol::Queued>());

        // Whichever instance formed the match hosts it; both players are told, wherever they are.
        const auto fa = pa.next<protocol::MatchFound>();
        const auto fb = pb.next<protocol::MatchFound>();
        QVERIFY(fa && fb);
        QCOMPARE(fa->roomId, fb->roomId);
        QCOMPARE(fa->players.size(), 2);
        const QString roomId = fa->roomId;
        const QString host = hostOf(roomId);
        QVERIFY2(QStringList({QStringLiteral("alpha"), QStringLiteral("beta"), QStringLiteral("gamma")}).contains(host),
                 qPrintable(host));

        // The seats are held for the match's players: another instance's player is refused while they are.
        TestPlayer pc;
        QVERIFY(pc.connectAs(c->playerPort(), QStringLiteral("cid")));
        protocol::Join join;
        join.roomId = roomId;
        pa.client->send(join);
        QVERIFY(pa.next<protocol::Joined>());
        const quint64 refused = pc.client->send(join);
        const auto error = pc.errorFor(refused);
        QVERIFY(error);
        QVERIFY2(error->code == protocol::ErrorCode::Forbidden, qPrintable(error->message));
        pb.client->send(join);
        const auto joined = pb.next<protocol::Joined>();
        QVERIFY(joined);
        QCOMPARE(joined->roomId, roomId);
        QCOMPARE(joined->members.size(), 2);
        // Both may queue again: the match took them out of the queue on their own instances too.
        protocol::Queue again = queue;
        again.roomType = QStringLiteral("duel");
        const quint64 rid = pa.client->send(again);
        const auto queued = pa.next<protocol::Queued>();
        QVERIFY(queued);
        QCOMPARE(queued->rid, rid);

        for (int n = 1; n <= 20; ++n) {
            QVERIFY(relays(pa, {&pa, &pb}, roomId, n));
            QVERIFY(relays(pb, {&pa, &pb}, roomId, 100 + n));
        }
        QCOMPARE(pa.undecodable + pb.undecodable + pc.undecodable, 0);
    }

    // A match runs on the least-loaded instance, whichever formed it and wherever its players are; one
    // placed on an instance that has just died runs on the instance that formed it.
    void matchesRunOnTheLeastLoadedInstance()
    {
        test::ArenaServer *a = startServer(QStringLiteral("alpha"));
        test::ArenaServer *b = startServer(QStringLiteral("beta"));
        test::ArenaServer *c = startServer(QStringLiteral("gamma"));
        QVERIFY(a && b && c);
        // alpha and beta host three rooms each, gamma none.
        TestPlayer busyA, busyB;
        QVERIFY(busyA.connectAs(a->playerPort(), QStringLiteral("busy-a")));
        QVERIFY(busyB.connectAs(b->playerPort(), QStringLiteral("busy-b")));
        for (int i = 0; i < 3; ++i) {
            QVERIFY(!createRelay(busyA).isEmpty());
            QVERIFY(!createRelay(busyB).isEmpty());
        }
        for (const char *id : {"alpha", "beta"}) {
            QTRY_COMPARE_WITH_TIMEOUT(cli({QStringLiteral("HGET"), QStringLiteral("arena:instance:{%1}").arg(QLatin1String(id)),
                                           QStringLiteral("rooms")}),
                                      QByteArray("3"), 3000);
        }
        QTest::qWait(1500); // every instance has read the fleet's records since

        const auto matchOf = [](TestPlayer &p, TestPlayer &q, int level) -> QString {
            protocol::Queue queue;
            queue.roomType = QStringLiteral("relay");
            queue.level = level;
            p.client->send(queue);
            q.client->send(queue);
            const auto fp = p.next<protocol::MatchFound>(8000);
            const auto fq = q.next<protocol::MatchFound>(8000);
            if (!fp || !fq || fp->roomId != fq->roomId)
                return {};
            protocol::Join join;
            join.roomId = fp->roomId;
            p.client->send(join);
            q.client->send(join);
            if (!p.next<protocol::Joined>() || !q.next<protocol::Joined>())
                return {};
            return fp->roomId;
        };
        TestPlayer ann, bob;
        QVERIFY(ann.connectAs(a->playerPort(), QStringLiteral("ann")));
        QVERIFY(bob.connectAs(b->playerPort(), QStringLiteral("bob")));
        const QString room = matchOf(ann, bob, 3);
        QVERIFY(!room.isEmpty());
        QCOMPARE(hostOf(room), QStringLiteral("gamma"));
        QVERIFY(relays(ann, {&ann, &bob}, room, 1));
        QVERIFY(relays(bob, {&ann, &bob}, room, 2));

        // gamma dies. Until its lease runs out it may still look least loaded: a match sent there is
        // heard by nobody and runs on the instance that formed it.
        c->process().sendSignal(SIGKILL);
        QVERIFY(c->process().waitForFinished(5000));
        TestPlayer cid, dan;
        QVERIFY(cid.connectAs(a->playerPort(), QStringLiteral("cid")));
        QVERIFY(dan.connectAs(b->playerPort(), QStringLiteral("dan")));
        const QString second = matchOf(cid, dan, 9);
        QVERIFY(!second.isEmpty());
        QVERIFY2(QStringList({QStringLiteral("alpha"), QStringLiteral("beta")}).contains(hostOf(second)),
                 qPrintable(hostOf(second)));
        QVERIFY(relays(cid, {&cid, &dan}, second, 3));
        QVERIFY(relays(dan, {&cid, &dan}, second, 4));
    }

    void roomsSpanInstances()
    {
        test::ArenaServer *a = startServer(QStringLiteral("alpha"));
        test::ArenaServer *b = startServer(QStringLiteral("beta"));
        test::ArenaServer *c = startServer(QStringLiteral("gamma"));
        QVERIFY(a && b && c);
        TestPlayer pa, pb, pc, pd;
        QVERIFY(pa.connectAs(a->playerPort(), QStringLiteral("ann")));
        QVERIFY(pb.connectAs(b->playerPort(), QStringLiteral("bob")));
        QVERIFY(pc.connectAs(c->playerPort(), QStringLiteral("cid")));
        QVERIFY(pd.connectAs(b->playerPort(), QStringLiteral("dan")));
        const QString roomId = createRelay(pa, 3);
        QVERIFY(!roomId.isEmpty());
        QTRY_COMPARE_WITH_TIMEOUT(hostOf(roomId), QStringLiteral("alpha"), 3000);

        // beta lists alpha's room and joins it by id.
        protocol::ListRooms list;
        list.roomType = QStringLiteral("relay");
        pb.client->send(list);
        const auto listed = pb.next<protocol::RoomList>();
        QVERIFY(listed);
        QCOMPARE(listed->rooms.size(), 1);
        QCOMPARE(listed->rooms.first().roomId, roomId);
        QCOMPARE(listed->rooms.first().clients, 1u);
        QCOMPARE(object(listed->rooms.first().metadata).value(QStringLiteral("mode")).toString(), QStringLiteral("ctf"));
        protocol::Join join;
        join.roomId = roomId;
        pb.client->send(join);
        const auto joinedB = pb.next<protocol::Joined>();
        QVERIFY(joinedB);
        QCOMPARE(joinedB->members.size(), 2);
        const auto seenByA = pa.next<protocol::MemberJoined>();
        QVERIFY(seenByA);
        QCOMPARE(seenByA->playerId, QStringLiteral("bob"));

        // gamma has no relay room of its own: join_or_create puts its player in alpha's open room.
        protocol::JoinOrCreate joc;
        joc.roomType = QStringLiteral("relay");
        joc.filter = json({{QStringLiteral("mode"), QStringLiteral("ctf")}});
        pc.client->send(joc);
        const auto joinedC = pc.next<protocol::Joined>();
        QVERIFY(joinedC);
        QCOMPARE(joinedC->roomId, roomId);
        QCOMPARE(joinedC->members.size(), 3);
        QVERIFY(pb.next<protocol::MemberJoined>());
        QVERIFY(relays(pc, {&pa, &pb, &pc}, roomId, 1));
        QVERIFY(relays(pb, {&pa, &pb, &pc}, roomId, 2));
        QVERIFY(relays(pa, {&pa, &pb, &pc}, roomId, 3));

        // Full now: a fourth player gets the host's answer, in words.
        const quint64 full = pd.client->send(join);
        auto error = pd.errorFor(full);
        QVERIFY(error);
        QCOMPARE(error->code, protocol::ErrorCode::RoomFull);

        // A remote member leaves; the others are told; it may come back.
        protocol::Leave leave;
        leave.roomId = roomId;
        pb.client->send(leave);
        const auto left = pb.next<protocol::Left>();
        QVERIFY(left);
        QCOMPARE(left->reason, QStringLiteral("requested"));
        const auto goneA = pa.next<protocol::MemberLeft>();
        QVERIFY(goneA);
        QCOMPARE(goneA->playerId, QStringLiteral("bob"));
        QVERIFY(pc.next<protocol::MemberLeft>());
        // Not a member any more: its messages are refused by its own instance.
        protocol::RoomMessage stray;
        stray.roomId = roomId;
        stray.data = json({});
        const quint64 strayRid = pb.client->send(stray);
        error = pb.errorFor(strayRid);
        QVERIFY(error);

        // A remote member locks the room; a join from another instance is refused.
        protocol::LockRoom lock;
        lock.roomId = roomId;
        const quint64 lockRid = pc.client->send(lock);
        const auto locked = pc.next<protocol::Ack>();
        QVERIFY(locked);
        QCOMPARE(locked->rid, lockRid);
        QTRY_COMPARE_WITH_TIMEOUT(cli({QStringLiteral("HGET"), QStringLiteral("arena:room:{%1}").arg(roomId),
                                       QStringLiteral("locked")}),
                                  QByteArray("1"), 3000);
        const quint64 lockedOut = pd.client->send(join);
        error = pd.errorFor(lockedOut);
        QVERIFY(error);
        QCOMPARE(error->code, protocol::ErrorCode::RoomLocked);

        // Unknown rooms are not found, whoever is asked.
        protocol::Join nowhere;
        nowhere.roomId = QStringLiteral("r-000000000000000000000000");
        const quint64 missing = pd.client->send(nowhere);
        error = pd.errorFor(missing);
        QVERIFY(error);
        QCOMPARE(error->code, protocol::ErrorCode::NotFound);

        // Room records carry no stand-ins: beta and gamma host nothing.
        QCOMPARE(cli({QStringLiteral("SCARD"), QStringLiteral("arena:instance:beta:rooms")}), QByteArray("0"));
        QCOMPARE(cli({QStringLiteral("SCARD"), QStringLiteral("arena:instance:alpha:rooms")}), QByteArray("1"));
    }

    void resumeAndInstanceDeath()
    {
        // alpha keeps a dead instance's players in its rooms for 3 s (its resume grace).
        test::ArenaServer *a = startServer(QStringLiteral("alpha"), {QStringLiteral("--resume-grace"), QStringLiteral("3s")});
        test::ArenaServer *b = startServer(QStringLiteral("beta"));
        test::ArenaServer *c = startServer(QStringLiteral("gamma"));
        QVERIFY(a && b && c);
        TestPlayer pa, pb, pc, pd;
        QVERIFY(pa.connectAs(a->playerPort(), QStringLiteral("ann")));
        QVERIFY(pb.connectAs(b->playerPort(), QStringLiteral("bob")));
        QVERIFY(pc.connectAs(c->playerPort(), QStringLiteral("cid")));
        QVERIFY(pd.connectAs(b->playerPort(), QStringLiteral("dan")));
        const QString roomId = createRelay(pa);
        QVERIFY(!roomId.isEmpty());
        protocol::Join join;
        join.roomId = roomId;
        for (TestPlayer *p : {&pb, &pd}) {
            p->client->send(join);
            QVERIFY(p->next<protocol::Joined>());
            QVERIFY(pa.next<protocol::MemberJoined>());
        }

        // bob's connection drops; he resumes on his instance and is given the remote room again.
        pb.client->abort();
        QVERIFY(pb.waitDisconnected());
        QVERIFY(pb.resume());
        const auto back = pb.next<protocol::Joined>();
        QVERIFY(back);
        QCOMPARE(back->roomId, roomId);
        QCOMPARE(back->members.size(), 3);
        QVERIFY(relays(pa, {&pa, &pb, &pd}, roomId, 1));
        QVERIFY(relays(pb, {&pa, &pb, &pd}, roomId, 2));

        // eve (beta) is in a room of gamma's.
        TestPlayer pe;
        QVERIFY(pe.connectAs(b->playerPort(), QStringLiteral("eve")));
        const QString gammaRoom = createRelay(pc);
        protocol::Join joinGamma;
        joinGamma.roomId = gammaRoom;
        pe.client->send(joinGamma);
        QVERIFY(pe.next<protocol::Joined>());

        // beta dies. bob resumes on gamma with the same token: refused while beta's lease lives, then
        // gamma takes the session over and he is in alpha's room again, as the same session.
        const QString bobSession = pb.client->sessionId();
        b->process().sendSignal(SIGKILL);
        QVERIFY(pb.waitDisconnected());
        QVERIFY(pd.waitDisconnected());
        QVERIFY(resumeOn(pb, c->playerUrl()));
        QCOMPARE(pb.client->sessionId(), bobSession);
        const auto again = pb.next<protocol::Joined>();
        QVERIFY(again);
        QCOMPARE(again->roomId, roomId);
        QCOMPARE(again->members.size(), 3); // dan keeps his place too, for now
        QCOMPARE(QString::fromUtf8(cli({QStringLiteral("HGET"), QStringLiteral("arena:session:") + bobSession,
                                        QStringLiteral("instance")})),
                 QStringLiteral("gamma"));
        QVERIFY(relays(pa, {&pa, &pb}, roomId, 3));
        QVERIFY(relays(pb, {&pa, &pb}, roomId, 4));
        // eve resumes on gamma, the host of her room: her seat there is her session's again.
        const QString eveSession = pe.client->sessionId();
        QVERIFY(resumeOn(pe, c->playerUrl()));
        QCOMPARE(pe.client->sessionId(), eveSession);
        const auto eveBack = pe.next<protocol::Joined>();
        QVERIFY(eveBack);
        QCOMPARE(eveBack->roomId, gammaRoom);
        QCOMPARE(eveBack->members.size(), 2);
        QVERIFY(relays(pe, {&pc, &pe}, gammaRoom, 5));
        QVERIFY(relays(pc, {&pc, &pe}, gammaRoom, 6));
        QCOMPARE(test::getJson(c->adminPort(), QStringLiteral("/health")).value(QStringLiteral("cluster")).toObject()
                     .value(QStringLiteral("standIns")).toInt(),
                 0);
        pc.client->send(join);
        QVERIFY(pc.next<protocol::Joined>());

        // dan never comes back: after alpha's resume grace he leaves the room.
        const auto gone = pa.next<protocol::MemberLeft>(10000);
        QVERIFY(gone);
        QCOMPARE(gone->playerId, QStringLiteral("dan"));
        QCOMPARE(gone->reason, QStringLiteral("disconnected"));

        // alpha dies with its room: gamma, home of both its live members now, takes the room over and
        // they are in it there; ann (alpha's own player) keeps her place for the resume grace.
        a->process().sendSignal(SIGKILL);
        for (TestPlayer *p : {&pb, &pc}) {
            const auto moved = p->next<protocol::Joined>(10000);
            QVERIFY(moved);
            QCOMPARE(moved->roomId, roomId);
            QCOMPARE(moved->members.size(), 3);
            const auto restored = p->next<protocol::MatchRestored>();
            QVERIFY(restored);
            QCOMPARE(restored->roomId, roomId);
        }
        QCOMPARE(hostOf(roomId), QStringLiteral("gamma"));
        QVERIFY(relays(pc, {&pb, &pc}, roomId, 7));
        QVERIFY(relays(pb, {&pb, &pc}, roomId, 8));
        QCOMPARE(pb.undecodable + pc.undecodable, 0);
    }

    // A duel whose host is killed goes on on a survivor: the home of one player takes it over from its
    // snapshot (hit points, turn, round) and runs it in one of its worker processes, the other player
    // resumes on a third instance and is in it again there, and the match plays on. The sweep that
    // follows leaves the moved room alone.
    void matchSurvivesItsHost()
    {
        const QStringList quiet{QStringLiteral("--cleanup-interval"), QStringLiteral("1h")}; // sweeps on demand
        // alpha runs duels in its own process; beta and gamma in worker processes, so the duel moves
        // from one kind of host to the other.
        const QStringList workers = quiet + QStringList{QStringLiteral("--workers-max"), QStringLiteral("2")};
        test::ArenaServer *a = startServer(QStringLiteral("alpha"), quiet);
        test::ArenaServer *b = startServer(QStringLiteral("beta"), workers);
        test::ArenaServer *c = startServer(QStringLiteral("gamma"), workers);
        QVERIFY(a && b && c);
        TestPlayer ann, bob;
        QVERIFY(ann.connectAs(a->playerPort(), QStringLiteral("ann")));
        QVERIFY(bob.connectAs(b->playerPort(), QStringLiteral("bob")));
        protocol::Create create;
        create.roomType = QStringLiteral("duel");
        create.maxClients = 2;
        create.metadata = json({{QStringLiteral("turnSeconds"), 300}});
        ann.client->send(create);
        const auto created = ann.next<protocol::Joined>();
        QVERIFY(created);
        const QString roomId = created->roomId;
        protocol::Join join;
        join.roomId = roomId;
        bob.client->send(join);
        QVERIFY(bob.next<protocol::Joined>());
        // ann moves first: 15 damage in round 1.
        QVERIFY(act(ann, {&ann, &bob}, roomId, QStringLiteral("attack")));
        const QString key = QStringLiteral("arena:room:{%1}").arg(roomId);
        QTRY_VERIFY_WITH_TIMEOUT(cli({QStringLiteral("GET"), key + QStringLiteral(":state")}).contains("85"), 3000);
        QCOMPARE(cli({QStringLiteral("EXISTS"), key + QStringLiteral(":snapshot")}), QByteArray("1"));

        a->process().sendSignal(SIGKILL);
        QVERIFY(ann.waitDisconnected());
        // beta gives alpha up once its lease is gone and restores the duel from its snapshot.
        const auto moved = bob.next<protocol::Joined>(15000);
        QVERIFY(moved);
        QCOMPARE(moved->roomId, roomId);
        QCOMPARE(moved->members.size(), 2);
        const QJsonObject state = object(moved->state);
        QCOMPARE(state.value(QStringLiteral("phase")).toString(), QStringLiteral("playing"));
        QCOMPARE(state.value(QStringLiteral("turn")).toString(), bob.client->sessionId());
        QVERIFY(bob.next<protocol::MatchRestored>());
        QCOMPARE(hostOf(roomId), QStringLiteral("beta"));

        // ann resumes on gamma, as the same session, and is in the duel on beta.
        const QString annSession = ann.client->sessionId();
        QVERIFY(resumeOn(ann, c->playerUrl()));
        QCOMPARE(ann.client->sessionId(), annSession);
        const auto back = ann.next<protocol::Joined>(10000);
        QVERIFY(back);
        QCOMPARE(back->roomId, roomId);
        QCOMPARE(object(back->state).value(QStringLiteral("turn")).toString(), bob.client->sessionId());

        // Play goes on where it stopped: bob hits back (round 1: 15), ann again (round 2: 20).
        ann.clear();
        bob.clear();
        const auto hp = [&](TestPlayer &p) { return act(p, {&ann, &bob}, roomId, QStringLiteral("attack")); };
        QVERIFY(hp(bob));
        QVERIFY(hp(ann));
        QCOMPARE(m_lastHp.value(bob.client->sessionId()).toInt(), 65);
        QCOMPARE(m_lastHp.value(annSession).toInt(), 85);

        // A sweep after alpha's death: the duel is beta's now and stays as it is.
        const QByteArray before = cli({QStringLiteral("HGETALL"), QStringLiteral("arena:room:{%1}").arg(roomId)});
        const test::HttpResult swept = test::http("POST", c->adminPort(), QStringLiteral("/health/cleanup"));
        QCOMPARE(swept.status, 200);
        const QJsonArray items = swept.json()[QStringLiteral("items")][QStringLiteral("instances")].toArray();
        for (const QJsonValue &v : items)
            QVERIFY2(!v.toString().contains(roomId), qPrintable(v.toString()));
        QCOMPARE(cli({QStringLiteral("HGETALL"), QStringLiteral("arena:room:{%1}").arg(roomId)}), before);
        QCOMPARE(cli({QStringLiteral("SISMEMBER"), QStringLiteral("arena:instance:beta:rooms"), roomId}), QByteArray("1"));
        QCOMPARE(ann.undecodable + bob.undecodable, 0);
    }

    // SIGTERM with other instances alive hands the instance's rooms and sessions over: a duel with a
    // player of another instance and a room only its own players were in are restored on survivors, its
    // players resume elsewhere (told to reconnect in a second) and find their rooms there, play goes on,
    // and none of the instance's own keys is left.
    void shutdownHandsRoomsOver()
    {
        test::ArenaServer *a = startServer(QStringLiteral("alpha"));
        test::ArenaServer *b = startServer(QStringLiteral("beta"));
        test::ArenaServer *c = startServer(QStringLiteral("gamma"));
        QVERIFY(a && b && c);
        TestPlayer ann, bob, cid;
        QVERIFY(ann.connectAs(a->playerPort(), QStringLiteral("ann")));
        QVERIFY(bob.connectAs(b->playerPort(), QStringLiteral("bob")));
        QVERIFY(cid.connectAs(a->playerPort(), QStringLiteral("cid")));
        protocol::Create create;
        create.roomType = QStringLiteral("duel");
        create.maxClients = 2;
        create.metadata = json({{QStringLiteral("turnSeconds"), 300}});
        ann.client->send(create);
        const auto duel = ann.next<protocol::Joined>();
        QVERIFY(duel);
        protocol::Join join;
        join.roomId = duel->roomId;
        bob.client->send(join);
        QVERIFY(bob.next<protocol::Joined>());
        QVERIFY(act(ann, {&ann, &bob}, duel->roomId, QStringLiteral("attack")));
        const QString relay = createRelay(cid);
        QVERIFY(!relay.isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(cli({QStringLiteral("GET"), QStringLiteral("arena:room:{%1}").arg(duel->roomId)
                                                                 + QStringLiteral(":state")}).contains("85"),
                                 3000);
        QTest::qWait(1200); // alpha has read the fleet's records: it knows where rooms can go

        QElapsedTimer clock;
        clock.start();
        a->process().sendSignal(SIGTERM);
        QVERIFY(a->process().waitForFinished(10000));
        QCOMPARE(a->process().exitCode(), 0);
        qInfo("alpha shut down in %lld ms", clock.elapsed());
        for (TestPlayer *p : {&ann, &cid}) {
            const auto closing = p->next<protocol::SessionClosing>();
            QVERIFY(closing);
            QCOMPARE(closing->reason, QStringLiteral("shutdown"));
            QVERIFY(p->waitDisconnected());
        }
        // bob is in the duel on its new host at once.
        const auto moved = bob.next<protocol::Joined>(5000);
        QVERIFY(moved);
        QCOMPARE(moved->roomId, duel->roomId);
        QCOMPARE(object(moved->state).value(QStringLiteral("turn")).toString(), bob.client->sessionId());
        QVERIFY(bob.next<protocol::MatchRestored>());
        const QString duelHost = hostOf(duel->roomId);
        QVERIFY2(duelHost == QLatin1String("beta") || duelHost == QLatin1String("gamma"), qPrintable(duelHost));

        // ann and cid resume elsewhere, without waiting for a lease to run out, and are back in their rooms.
        const QString annSession = ann.client->sessionId();
        QVERIFY(ann.resume(3000, c->playerUrl()));
        QCOMPARE(ann.client->sessionId(), annSession);
        const auto annBack = ann.next<protocol::Joined>();
        QVERIFY(annBack);
        QCOMPARE(annBack->roomId, duel->roomId);
        QVERIFY(cid.resume(3000, b->playerUrl()));
        const auto cidBack = cid.next<protocol::Joined>();
        QVERIFY(cidBack);
        QCOMPARE(cidBack->roomId, relay);
        QCOMPARE(cidBack->members.size(), 1);
        QVERIFY(relays(cid, {&cid}, relay, 1));
        ann.clear();
        bob.clear();
        QVERIFY(act(bob, {&ann, &bob}, duel->roomId, QStringLiteral("attack")));
        QCOMPARE(m_lastHp.value(annSession).toInt(), 85);
        QCOMPARE(m_lastHp.value(bob.client->sessionId()).toInt(), 85);

        // Nothing of alpha's own is left; the rooms are their new hosts'.
        QCOMPARE(cli({QStringLiteral("EXISTS"), QStringLiteral("arena:instance:{alpha}")}), QByteArray("0"));
        QCOMPARE(cli({QStringLiteral("EXISTS"), QStringLiteral("arena:instance:alpha:rooms")}), QByteArray("0"));
        QCOMPARE(cli({QStringLiteral("EXISTS"), QStringLiteral("arena:instance:alpha:sessions")}), QByteArray("0"));
        QCOMPARE(cli({QStringLiteral("ZSCORE"), QStringLiteral("arena:instances"), QStringLiteral("alpha")}), QByteArray());
        QVERIFY(hostOf(relay) == QLatin1String("beta") || hostOf(relay) == QLatin1String("gamma"));
    }

    void redisRestartResyncsRemoteMembers()
    {
        test::ArenaServer *a = startServer(QStringLiteral("alpha"));
        test::ArenaServer *b = startServer(QStringLiteral("beta"));
        QVERIFY(a && b);
        TestPlayer pa, pb;
        QVERIFY(pa.connectAs(a->playerPort(), QStringLiteral("ann")));
        QVERIFY(pb.connectAs(b->playerPort(), QStringLiteral("bob")));
        const QString roomId = createRelay(pa);
        protocol::Join join;
        join.roomId = roomId;
        pb.client->send(join);
        QVERIFY(pb.next<protocol::Joined>());
        QVERIFY(pa.next<protocol::MemberJoined>());

        // Redis goes away: both instances keep their own players; a message from the remote member is
        // lost with the publish. Redis comes back: the subscriptions are made again, and bob gets
        // `joined` with the room as it is now.
        QElapsedTimer sinceRestart;
        QVERIFY(m_fleet.redis().restart());
        sinceRestart.start();
        QTRY_VERIFY_WITH_TIMEOUT(test::getJson(b->adminPort(), QStringLiteral("/health"))
                                         .value(QStringLiteral("store")).toObject()
                                         .value(QStringLiteral("available")).toBool(),
                                 10000);
        const auto resynced = pb.next<protocol::Joined>(10000);
        QVERIFY(resynced);
        qInfo("Redis back → bob's room resynced in %lld ms", sinceRestart.elapsed());
        QCOMPARE(resynced->roomId, roomId);
        QCOMPARE(resynced->members.size(), 2);
        QVERIFY(relays(pa, {&pa, &pb}, roomId, 1));
        QVERIFY(relays(pb, {&pa, &pb}, roomId, 2));
    }

    void forgedResumeTokensAreRefused()
    {
        test::ArenaServer *a = startServer(QStringLiteral("alpha"));
        test::ArenaServer *b = startServer(QStringLiteral("beta"));
        QVERIFY(a && b);
        TestPlayer pa;
        QVERIFY(pa.connectAs(a->playerPort(), QStringLiteral("ann")));
        const QString sid = pa.client->sessionId();
        QTRY_COMPARE_WITH_TIMEOUT(cli({QStringLiteral("HGET"), QStringLiteral("arena:session:") + sid,
                                       QStringLiteral("instance")}),
                                  QByteArray("alpha"), 3000);

        // On beta, hellos with tokens that name alpha's session (wrong secret), an unknown session, or
        // no session at all: each is session_expired, the connection stays open, and nothing changes.
        QWebSocket ws;
        QStringList received;
        connect(&ws, &QWebSocket::textMessageReceived, this, [&received](const QString &m) { received.append(m); });
        ws.open(b->playerUrl());
        QTRY_COMPARE_WITH_TIMEOUT(ws.state(), QAbstractSocket::ConnectedState, 5000);
        const QStringList tokens{sid + QStringLiteral(".rt-0123456789abcdef0123456789abcdef"),
                                 QStringLiteral("s-00000000000000000000000000000000.rt-1"), QStringLiteral("no-dot-at-all")};
        for (int i = 0; i < tokens.size(); ++i) {
            ws.sendTextMessage(QStringLiteral("{\"type\":\"hello\",\"rid\":%1,\"resume_token\":\"%2\",\"protocol\":1}")
                                   .arg(i + 1)
                                   .arg(tokens.at(i)));
            QTRY_COMPARE_WITH_TIMEOUT(received.size(), i + 1, 5000);
            const auto reply = protocol::decodeServerMessage(received.last().toUtf8(), protocol::DecodeLimits::trusted());
            QVERIFY(reply.ok());
            const auto *error = std::get_if<protocol::ErrorMessage>(&reply.value());
            QVERIFY2(error, received.last().toUtf8().constData());
            QCOMPARE(error->code, protocol::ErrorCode::SessionExpired);
            QCOMPARE(error->rid, quint64(i + 1));
        }
        QCOMPARE(ws.state(), QAbstractSocket::ConnectedState);
        QCOMPARE(cli({QStringLiteral("HGET"), QStringLiteral("arena:session:") + sid, QStringLiteral("instance")}),
                 QByteArray("alpha"));
        // The real session goes on where it is.
        const QString roomId = createRelay(pa);
        QVERIFY(!roomId.isEmpty());
        QVERIFY(relays(pa, {&pa}, roomId, 1));
    }

    void malformedPublishesAreDropped()
    {
        test::ArenaServer *a = startServer(QStringLiteral("alpha"));
        QVERIFY(a);
        TestPlayer pa;
        QVERIFY(pa.connectAs(a->playerPort(), QStringLiteral("ann")));
        const QString roomId = createRelay(pa);
        for (const QString &payload : {QStringLiteral("hello"), QStringLiteral("AB1\x05zz"), QString()})
            cli({QStringLiteral("PUBLISH"), QStringLiteral("arena:events:alpha"), payload});
        QTest::qWait(200);
        QCOMPARE(a->process().state(), QProcess::Running);
        QVERIFY(a->output().contains("malformed publish"));
        TestPlayer pb;
        QVERIFY(pb.connectAs(a->playerPort(), QStringLiteral("bob")));
        protocol::Join join;
        join.roomId = roomId;
        pb.client->send(join);
        QVERIFY(pb.next<protocol::Joined>());
        QVERIFY(relays(pa, {&pa, &pb}, roomId, 1));
    }
};

QTEST_GUILESS_MAIN(TestCrossInstance)
#include "tst_crossinstance.moc"
