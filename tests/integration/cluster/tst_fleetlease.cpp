// arena-server processes sharing one redis-server, seen through the instance registry: each writes its
// lease record (instance:{<id>}: epoch, process, ports, load) with the lease TTL and indexes itself in
// `instances`; a second process with the same id is refused at start; kill -9 leaves a record that
// expires within the TTL; an instance stopped (SIGSTOP) past its TTL while another process took its id
// has its old-epoch renewals refused, takes no new work (/ready 503 lease_lost, hello unavailable) and
// registers again with a new epoch once the id is free; SIGTERM removes the record; a Redis restarted
// empty sees every instance register again and write back its session and room records; and the cleanup kind "instances" removes what a killed
// instance left — its sessions, rooms, tickets and indexes, nothing of the live ones — with a dry run
// listing exactly what two sweeps running at once on the survivors then remove between them.
#include "tests/support/adminhttp.h"
#include "tests/support/arenaserver.h"
#include "tests/support/redisserver.h"
#include "tests/support/serverfleet.h"
#include "tests/support/testplayer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSet>
#include <QTest>

#include <csignal>

using namespace arena;
using test::TestPlayer;

class TestFleetLease final : public QObject
{
    Q_OBJECT

private:
    test::ServerFleet m_fleet;

    test::ArenaServer *startServer(const QString &id, const QStringList &extra = {}) { return m_fleet.start(id, extra); }
    QByteArray cli(const QStringList &args) const { return m_fleet.cli(args); }
    QByteArray field(const QString &id, const char *name) const
    {
        return cli({QStringLiteral("HGET"), QStringLiteral("arena:instance:{%1}").arg(id), QLatin1String(name)});
    }
    static QJsonObject lease(const test::ArenaServer &server)
    {
        return test::getJson(server.adminPort(), QStringLiteral("/health")).value(QStringLiteral("lease")).toObject();
    }

private Q_SLOTS:
    void init() { QVERIFY2(m_fleet.startRedis(), qPrintable(m_fleet.lastError())); }
    void cleanup() { m_fleet.stopAll(); }

    void recordsIndexAndDuplicateIds()
    {
        test::ArenaServer *a = startServer(QStringLiteral("alpha"));
        test::ArenaServer *b = startServer(QStringLiteral("beta"));
        QVERIFY(a && b);
        QCOMPARE(field(QStringLiteral("alpha"), "epoch"), QByteArray("1"));
        QCOMPARE(field(QStringLiteral("alpha"), "player_port"), QByteArray::number(a->playerPort()));
        QCOMPARE(field(QStringLiteral("beta"), "admin_port"), QByteArray::number(b->adminPort()));
        QVERIFY(field(QStringLiteral("alpha"), "process").contains(':'));
        const qint64 pttl = cli({QStringLiteral("PTTL"), QStringLiteral("arena:instance:{alpha}")}).toLongLong();
        QVERIFY2(pttl > 0 && pttl <= 1000, QByteArray::number(pttl).constData());
        QCOMPARE(cli({QStringLiteral("ZRANGE"), QStringLiteral("arena:instances"), QStringLiteral("0"), QStringLiteral("-1")}),
                 QByteArray("alpha\nbeta"));
        const QJsonObject l = lease(*a);
        QCOMPARE(l.value(QStringLiteral("state")).toString(), QStringLiteral("held"));
        QCOMPARE(l.value(QStringLiteral("epoch")).toInt(), 1);
        QCOMPARE(l.value(QStringLiteral("ttl_ms")).toInt(), 1000);

        // Load goes with every renewal.
        TestPlayer p;
        QVERIFY(p.connectAs(a->playerPort(), QStringLiteral("p")));
        QTRY_COMPARE_WITH_TIMEOUT(field(QStringLiteral("alpha"), "sessions"), QByteArray("1"), 3000);

        // The same id again, while alpha's process lives: refused before it says it is ready.
        test::ArenaServer twin;
        QVERIFY(!twin.start(test::ServerFleet::binary(),
                            {QStringLiteral("--redis"), m_fleet.redis().url(), QStringLiteral("--instance-id"),
                             QStringLiteral("alpha"), QStringLiteral("--workers-max"), QStringLiteral("0")}));
        QTRY_COMPARE_WITH_TIMEOUT(twin.process().state(), QProcess::NotRunning, 5000);
        QCOMPARE(twin.process().exitCode(), 1);
        QVERIFY2(twin.output().contains("held by another live process"), twin.output().constData());
        QCOMPARE(field(QStringLiteral("alpha"), "epoch"), QByteArray("1")); // untouched

        // An id that cannot be a key is refused too.
        test::ArenaServer bad;
        QVERIFY(!bad.start(test::ServerFleet::binary(), {QStringLiteral("--instance-id"), QStringLiteral("a{b}")}));
        QTRY_COMPARE_WITH_TIMEOUT(bad.process().state(), QProcess::NotRunning, 5000);
        QVERIFY(bad.output().contains("instance-id"));
    }

    void killedRecordExpiresAndTermRemovesIt()
    {
        test::ArenaServer *a = startServer(QStringLiteral("alpha"));
        test::ArenaServer *b = startServer(QStringLiteral("beta"));
        QVERIFY(a && b);
        a->process().sendSignal(SIGKILL);
        QVERIFY(a->process().waitForFinished(5000));
        // Nobody renews it: gone within the TTL (1 s), while beta's stays.
        QTRY_COMPARE_WITH_TIMEOUT(cli({QStringLiteral("EXISTS"), QStringLiteral("arena:instance:{alpha}")}), QByteArray("0"),
                                  3000);
        QCOMPARE(cli({QStringLiteral("EXISTS"), QStringLiteral("arena:instance:{beta}")}), QByteArray("1"));
        // Its index entry stays, scored by a lease end now in the past: what a sweep looks for.
        const double until = cli({QStringLiteral("ZSCORE"), QStringLiteral("arena:instances"), QStringLiteral("alpha")}).toDouble();
        QVERIFY(until > 0 && until < double(QDateTime::currentMSecsSinceEpoch()));

        b->stop(5000);
        QCOMPARE(b->process().exitCode(), 0);
        QCOMPARE(cli({QStringLiteral("EXISTS"), QStringLiteral("arena:instance:{beta}")}), QByteArray("0"));
        QCOMPARE(cli({QStringLiteral("ZSCORE"), QStringLiteral("arena:instances"), QStringLiteral("beta")}), QByteArray());
    }

    void pausedPastItsTtlTakesNoNewWorkUntilRegisteredAgain()
    {
        test::ArenaServer *a = startServer(QStringLiteral("alpha"));
        QVERIFY(a);
        // A player in a room of alpha's: the room record carries alpha's epoch.
        TestPlayer owner;
        QVERIFY(owner.connectAs(a->playerPort(), QStringLiteral("owner")));
        protocol::Create create;
        create.roomType = QStringLiteral("relay");
        owner.client->send(create);
        const auto room = owner.next<protocol::Joined>();
        QVERIFY(room);
        const QString roomKey = QStringLiteral("arena:room:{%1}").arg(room->roomId);
        QTRY_COMPARE_WITH_TIMEOUT(cli({QStringLiteral("HGET"), roomKey, QStringLiteral("epoch")}), QByteArray("1"), 3000);
        a->process().sendSignal(SIGSTOP);
        // Past the TTL the record is gone; another process takes the id (epoch 2) meanwhile.
        QTRY_COMPARE_WITH_TIMEOUT(cli({QStringLiteral("EXISTS"), QStringLiteral("arena:instance:{alpha}")}), QByteArray("0"),
                                  3000);
        test::ArenaServer *successor = startServer(QStringLiteral("alpha"));
        QVERIFY(successor);
        QCOMPARE(field(QStringLiteral("alpha"), "epoch"), QByteArray("2"));
        const QByteArray successorProcess = field(QStringLiteral("alpha"), "process");

        a->process().sendSignal(SIGCONT);
        // Its renewals carry epoch 1: refused; the record stays the successor's.
        QTRY_COMPARE_WITH_TIMEOUT(lease(*a).value(QStringLiteral("state")).toString(), QStringLiteral("lost"), 5000);
        QCOMPARE(field(QStringLiteral("alpha"), "process"), successorProcess);
        QCOMPARE(field(QStringLiteral("alpha"), "epoch"), QByteArray("2"));
        // No new work while the lease is lost.
        const test::HttpResult ready = test::http("GET", a->adminPort(), QStringLiteral("/ready"));
        QCOMPARE(ready.status, 503);
        QCOMPARE(ready.json().value(QStringLiteral("reason")).toString(), QStringLiteral("lease_lost"));
        QCOMPARE(test::getJson(a->adminPort(), QStringLiteral("/health")).value(QStringLiteral("status")).toString(),
                 QStringLiteral("degraded"));
        TestPlayer newcomer;
        newcomer.client->open(a->playerUrl(), QStringLiteral("newcomer"));
        const auto refused = newcomer.next<protocol::ErrorMessage>(5000);
        QVERIFY(refused);
        QCOMPARE(refused->code, protocol::ErrorCode::Unavailable);
        QVERIFY2(refused->message.contains(QLatin1String("lease")), qPrintable(refused->message));
        QVERIFY(test::http("GET", a->adminPort(), QStringLiteral("/metrics")).body.contains("arena_lease_lost_total 1"));
        // Its writes carry epoch 1 too: the room's record refuses them and stays as it was.
        protocol::LockRoom lock;
        lock.roomId = room->roomId;
        owner.client->send(lock);
        QVERIFY(owner.next<protocol::Ack>());
        QTRY_VERIFY_WITH_TIMEOUT(test::http("GET", a->adminPort(), QStringLiteral("/metrics"))
                                     .body.contains("arena_store_fenced_writes_total 1"),
                                 3000);
        QCOMPARE(cli({QStringLiteral("HGET"), roomKey, QStringLiteral("locked")}), QByteArray("0"));
        QCOMPARE(cli({QStringLiteral("HGET"), roomKey, QStringLiteral("epoch")}), QByteArray("1"));

        // Once the successor is gone, the instance registers again with a new epoch and takes work again.
        successor->stop(5000);
        QTRY_COMPARE_WITH_TIMEOUT(lease(*a).value(QStringLiteral("state")).toString(), QStringLiteral("held"), 5000);
        QCOMPARE(lease(*a).value(QStringLiteral("epoch")).toInt(), 3);
        QCOMPARE(field(QStringLiteral("alpha"), "epoch"), QByteArray("3"));
        QCOMPARE(test::http("GET", a->adminPort(), QStringLiteral("/ready")).status, 200);
        QVERIFY(newcomer.connectAs(a->playerPort(), QStringLiteral("newcomer")));
        // Registered again, it writes back what it holds with the new epoch.
        QTRY_COMPARE_WITH_TIMEOUT(cli({QStringLiteral("HGET"), roomKey, QStringLiteral("locked")}), QByteArray("1"), 3000);
        QCOMPARE(cli({QStringLiteral("HGET"), roomKey, QStringLiteral("epoch")}), QByteArray("3"));
    }

    void sweepRemovesWhatADeadInstanceLeft()
    {
        const QStringList quiet{QStringLiteral("--cleanup-interval"), QStringLiteral("1h")}; // sweeps on demand only
        test::ArenaServer *alpha = startServer(QStringLiteral("alpha"), quiet);
        test::ArenaServer *beta = startServer(QStringLiteral("beta"), quiet);
        test::ArenaServer *gamma = startServer(QStringLiteral("gamma"), quiet);
        QVERIFY(alpha && beta && gamma);

        // alpha: two sessions, one in a relay room, one with a queue ticket; beta: one session in a room.
        TestPlayer a1, a2, b1;
        QVERIFY(a1.connectAs(alpha->playerPort(), QStringLiteral("alpha-p1")));
        QVERIFY(a2.connectAs(alpha->playerPort(), QStringLiteral("alpha-p2")));
        QVERIFY(b1.connectAs(beta->playerPort(), QStringLiteral("beta-p1")));
        protocol::JoinOrCreate relay;
        relay.roomType = QStringLiteral("relay");
        a1.client->send(relay);
        const auto alphaRoom = a1.next<protocol::Joined>();
        protocol::Create own; // join_or_create would join alpha's open room, across instances
        own.roomType = QStringLiteral("relay");
        b1.client->send(own);
        const auto betaRoom = b1.next<protocol::Joined>();
        QVERIFY(alphaRoom && betaRoom);
        protocol::Queue queue;
        queue.roomType = QStringLiteral("relay");
        queue.teamSize = 2; // four players to a match: this ticket stays queued
        a2.client->send(queue);
        const auto ticket = a2.next<protocol::Queued>();
        QVERIFY(ticket);
        const QStringList alphaIds{QStringLiteral("alpha"), a1.client->sessionId(), a2.client->sessionId(),
                                   alphaRoom->roomId, ticket->ticket, QStringLiteral("mm:{relay:2}")};
        const auto isAlphas = [&alphaIds](const QByteArray &key) {
            return std::any_of(alphaIds.cbegin(), alphaIds.cend(),
                               [&key](const QString &id) { return key.contains(id.toUtf8()); });
        };
        QTRY_VERIFY_WITH_TIMEOUT(!cli({QStringLiteral("KEYS"), QStringLiteral("arena:room:{%1}").arg(alphaRoom->roomId)}).isEmpty(), 3000);

        alpha->process().sendSignal(SIGKILL);
        QVERIFY(alpha->process().waitForFinished(5000));
        QTRY_COMPARE_WITH_TIMEOUT(cli({QStringLiteral("EXISTS"), QStringLiteral("arena:instance:{alpha}")}), QByteArray("0"),
                                  3000);
        const auto keys = [this] {
            const QList<QByteArray> list = cli({QStringLiteral("KEYS"), QStringLiteral("arena:*")}).split('\n');
            return QSet<QByteArray>(list.cbegin(), list.cend());
        };
        const QSet<QByteArray> before = keys();

        // The dry run lists alpha's leftovers and changes nothing.
        const test::HttpResult dry = test::http("POST", beta->adminPort(), QStringLiteral("/health/cleanup?dry_run=1"));
        QCOMPARE(dry.status, 200);
        QStringList listed;
        for (const QJsonValue &v : dry.json()[QStringLiteral("items")][QStringLiteral("instances")].toArray())
            listed.append(v.toString());
        listed.sort();
        QStringList expected{QStringLiteral("alpha: instance"),
                             QStringLiteral("alpha: room ") + alphaRoom->roomId,
                             QStringLiteral("alpha: session ") + a1.client->sessionId(),
                             QStringLiteral("alpha: session ") + a2.client->sessionId(),
                             QStringLiteral("alpha: ticket ") + ticket->ticket};
        expected.sort();
        QCOMPARE(listed, expected);
        QCOMPARE(keys(), before);

        // An orphaned room state too (its room record gone): the "states" kind, also reported once.
        cli({QStringLiteral("SET"), QStringLiteral("arena:room:{ghost}:state"), QStringLiteral("{}")});

        // Two real sweeps at once, on beta and gamma: each item removed (and reported) once.
        const auto sweep = [](quint16 port) {
            auto curl = std::make_unique<QProcess>();
            curl->start(QStringLiteral("curl"), {QStringLiteral("-sS"), QStringLiteral("-X"), QStringLiteral("POST"),
                                                 QStringLiteral("http://127.0.0.1:%1/health/cleanup").arg(port)});
            return curl;
        };
        auto onBeta = sweep(beta->adminPort());
        auto onGamma = sweep(gamma->adminPort());
        QVERIFY(onBeta->waitForFinished(10000) && onGamma->waitForFinished(10000));
        QStringList removed;
        QSet<QString> seen;
        QStringList states;
        for (QProcess *p : {onBeta.get(), onGamma.get()}) {
            const QJsonObject report = QJsonDocument::fromJson(p->readAllStandardOutput()).object();
            QVERIFY2(!report.contains(QStringLiteral("errors")), QJsonDocument(report).toJson().constData());
            for (const QJsonValue &v : report[QStringLiteral("items")][QStringLiteral("instances")].toArray()) {
                QVERIFY2(!seen.contains(v.toString()), qPrintable(v.toString())); // reported once
                seen.insert(v.toString());
                removed.append(v.toString());
            }
            for (const QJsonValue &v : report[QStringLiteral("items")][QStringLiteral("states")].toArray())
                states.append(v.toString());
        }
        removed.sort();
        QCOMPARE(removed, expected);
        QCOMPARE(states, QStringList{QStringLiteral("ghost")});
        QCOMPARE(cli({QStringLiteral("EXISTS"), QStringLiteral("arena:room:{ghost}:state")}), QByteArray("0"));

        // Nothing of alpha's is left but its epoch counter, its sessions' records and the record of its
        // room with a player in it, which belong to nobody now and live only for the rest of the resume
        // grace (their players may still resume them elsewhere, and get the room back there); every key
        // of the live instances is still there.
        const QSet<QByteArray> after = keys();
        const QSet<QByteArray> orphans{"arena:session:" + a1.client->sessionId().toUtf8(),
                                       "arena:session:" + a2.client->sessionId().toUtf8(),
                                       "arena:room:{" + alphaRoom->roomId.toUtf8() + "}"};
        for (const QByteArray &key : after)
            QVERIFY2(!isAlphas(key) || key == "arena:instance:{alpha}:epoch" || orphans.contains(key), key.constData());
        for (const QByteArray &key : orphans) {
            QVERIFY2(after.contains(key), key.constData());
            QCOMPARE(cli({QStringLiteral("HGET"), QString::fromUtf8(key), QStringLiteral("instance")}), QByteArray());
            const qint64 pttl = cli({QStringLiteral("PTTL"), QString::fromUtf8(key)}).toLongLong();
            QVERIFY2(pttl > 0 && pttl <= 5 * 60 * 1000, QByteArray::number(pttl).constData());
        }
        for (const QByteArray &key : before) {
            if (!isAlphas(key) && !key.startsWith("arena:health:")) // health keys come and go with checks
                QVERIFY2(after.contains(key), key.constData());
        }
        QVERIFY(after.contains("arena:room:{" + betaRoom->roomId.toUtf8() + "}"));
        QVERIFY(after.contains("arena:instance:{alpha}:epoch"));
        QCOMPARE(cli({QStringLiteral("ZSCORE"), QStringLiteral("arena:instances"), QStringLiteral("alpha")}), QByteArray());
        QCOMPARE(cli({QStringLiteral("SISMEMBER"), QStringLiteral("arena:rooms:relay"), alphaRoom->roomId}), QByteArray("0"));

        // A second sweep finds nothing more.
        const test::HttpResult again = test::http("POST", beta->adminPort(), QStringLiteral("/health/cleanup"));
        QVERIFY(again.json()[QStringLiteral("items")][QStringLiteral("instances")].toArray().isEmpty());

        // alpha's player resumes on beta and gets the orphaned room back, hosted there now.
        QVERIFY(a1.waitDisconnected());
        QVERIFY(a1.resume(5000, beta->playerUrl()));
        const auto back = a1.next<protocol::Joined>();
        QVERIFY(back);
        QCOMPARE(back->roomId, alphaRoom->roomId);
        QCOMPARE(back->members.size(), 1);
        QCOMPARE(cli({QStringLiteral("HGET"), QStringLiteral("arena:room:{%1}").arg(alphaRoom->roomId), QStringLiteral("instance")}),
                 QByteArray("beta"));
        QCOMPARE(cli({QStringLiteral("PTTL"), QStringLiteral("arena:room:{%1}").arg(alphaRoom->roomId)}), QByteArray("-1"));
        QCOMPARE(cli({QStringLiteral("SISMEMBER"), QStringLiteral("arena:instance:beta:rooms"), alphaRoom->roomId}),
                 QByteArray("1"));
    }

    void redisRestartedEmptySeesEveryoneRegisterAgain()
    {
        test::ArenaServer *a = startServer(QStringLiteral("alpha"));
        test::ArenaServer *b = startServer(QStringLiteral("beta"));
        QVERIFY(a && b);
        TestPlayer player;
        QVERIFY(player.connectAs(a->playerPort(), QStringLiteral("p")));
        protocol::JoinOrCreate relay;
        relay.roomType = QStringLiteral("relay");
        player.client->send(relay);
        const auto joined = player.next<protocol::Joined>();
        QVERIFY(joined);
        const QString sessionKey = QStringLiteral("arena:session:") + player.client->sessionId();
        const QString roomKey = QStringLiteral("arena:room:{%1}").arg(joined->roomId);
        QTRY_COMPARE_WITH_TIMEOUT(cli({QStringLiteral("EXISTS"), sessionKey, roomKey}), QByteArray("2"), 3000);

        QVERIFY2(m_fleet.redis().restart(), qPrintable(m_fleet.lastError()));
        QTRY_COMPARE_WITH_TIMEOUT(cli({QStringLiteral("ZCARD"), QStringLiteral("arena:instances")}), QByteArray("2"), 10000);
        // The counters were lost with the data; the epochs still went up.
        QTRY_VERIFY_WITH_TIMEOUT(lease(*a).value(QStringLiteral("epoch")).toInt() >= 2
                                     && lease(*b).value(QStringLiteral("epoch")).toInt() >= 2
                                     && lease(*a).value(QStringLiteral("state")).toString() == QLatin1String("held")
                                     && lease(*b).value(QStringLiteral("state")).toString() == QLatin1String("held"),
                                 10000);
        QCOMPARE(field(QStringLiteral("alpha"), "epoch"), QByteArray::number(lease(*a).value(QStringLiteral("epoch")).toInt()));
        // Registered anew, alpha wrote back what it holds: the session and room records and their indexes.
        QTRY_COMPARE_WITH_TIMEOUT(cli({QStringLiteral("EXISTS"), sessionKey, roomKey}), QByteArray("2"), 5000);
        QCOMPARE(cli({QStringLiteral("SISMEMBER"), QStringLiteral("arena:instance:alpha:rooms"), joined->roomId}), QByteArray("1"));
        QCOMPARE(cli({QStringLiteral("SISMEMBER"), QStringLiteral("arena:instance:alpha:sessions"), player.client->sessionId()}),
                 QByteArray("1"));
        QCOMPARE(cli({QStringLiteral("HGET"), roomKey, QStringLiteral("instance")}), QByteArray("alpha"));
    }
};

QTEST_GUILESS_MAIN(TestFleetLease)
#include "tst_fleetlease.moc"
