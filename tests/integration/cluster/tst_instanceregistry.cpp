// The instance registry: its operations on MemoryStore and on a real redis-server (register, renew and
// release fenced by epoch; another process's live record refused; an epoch never handed out twice; a
// a dead owner's session claimed with its resume token (never while the owner lives, never with a wrong
// or spent token); a dead host's room adopted by exactly one of two instances trying at once, an orphaned
// room by anyone;
// match placement on the least-loaded live instance that is not draining),
// InstanceRegistry itself (lost when its record is taken over or it misses its TTL, then registered
// again with a new epoch; released at stop), and real arena-server processes on one Redis: the record
// and index they write, a second process with the same id refused at start, kill -9 (the record
// expires), SIGSTOP past the TTL (renewals with the old epoch refused, no new work, registered again),
// and SIGTERM (the record removed).
#include "server/cluster/instanceregistry.h"
#include "server/cluster/matchplacement.h"
#include "server/cluster/ownedwrites.h"
#include "server/cluster/registryoperations.h"
#include "server/cluster/roomadoption.h"
#include "server/cluster/roomkeys.h"
#include "server/cluster/sessionclaim.h"
#include "shared/store/memorydata.h"
#include "shared/store/memorystore.h"
#include "shared/store/redisstore.h"
#include "tests/support/adminhttp.h"
#include "tests/support/arenaserver.h"
#include "tests/support/await.h"
#include "tests/support/redisserver.h"
#include "tests/support/testplayer.h"

#include <QSignalSpy>
#include <QTest>

#include <csignal>

using namespace arena;
using namespace std::chrono_literals;
using test::TestPlayer;

namespace {

Result<Reply> run(StateStore &store, const char *op, const StateStore::Keys &keys, const StateStore::Args &args)
{
    return test::awaitCallback<Result<Reply>>([&](auto cb) { store.run(op, keys, args, &store, cb); })
        .value_or(Error{QStringLiteral("timeout"), QStringLiteral("no answer")});
}

// Registers instance `id` (process "p-<id>", a 60 s lease) and returns its epoch.
qint64 registerAs(StateStore &store, const char *id)
{
    const QString name = QString::fromLatin1(id);
    const Result<Reply> r = run(store, RegistryOperations::RegisterName,
                                {InstanceRegistry::recordKey(name), InstanceRegistry::epochKey(name)},
                                {QByteArray("p-") + id, "60000", "1000", "1"});
    return r.ok() && r->elements().size() > 1 ? r->elements().at(1).toInteger().value_or(-1) : -1;
}

bool del(StateStore &store, const QByteArray &key)
{
    return test::awaitCallback<Result<qint64>>([&](auto cb) { store.del({key}, &store, cb); })
        .value_or(Error{QStringLiteral("timeout"), QString()})
        .ok();
}

StateStore::Fields hgetAll(StateStore &store, const QByteArray &key)
{
    return test::awaitCallback<Result<StateStore::Fields>>([&](auto cb) { store.hgetAll(key, &store, cb); })
        .value_or(Error{QStringLiteral("timeout"), QString()})
        .valueOr({});
}

StateStore::Keys members(StateStore &store, const QByteArray &key)
{
    return test::awaitCallback<Result<StateStore::Keys>>([&](auto cb) { store.smembers(key, &store, cb); })
        .value_or(Error{QStringLiteral("timeout"), QString()})
        .valueOr({});
}

bool hsetRaw(StateStore &store, const QByteArray &key, const StateStore::Fields &fields)
{
    return test::awaitCallback<Result<qint64>>([&](auto cb) { store.hset(key, fields, &store, cb); })
        .value_or(Error{QStringLiteral("timeout"), QString()})
        .ok();
}

qint64 ttl(StateStore &store, const QByteArray &key)
{
    return test::awaitCallback<Result<qint64>>([&](auto cb) { store.ttl(key, &store, cb); })
        .value_or(Error{QStringLiteral("timeout"), QString()})
        .valueOr(-3);
}

} // namespace

class TestInstanceRegistry final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<test::RedisServer> m_redis;
    int m_index = 0;
    QByteArray m_namespace;

    std::unique_ptr<StateStore> makeStore()
    {
        QFETCH_GLOBAL(QString, backend);
        std::unique_ptr<StateStore> store;
        if (backend == QLatin1String("memory")) {
            store = std::make_unique<MemoryStore>(std::make_shared<MemoryData>());
        } else {
            RedisOptions options;
            options.port = m_redis->port();
            auto redis = std::make_unique<RedisStore>(options, m_namespace, 2);
            redis->open();
            QDeadlineTimer deadline(5000);
            while (!redis->isAvailable() && !deadline.hasExpired())
                QTest::qWait(10);
            if (!redis->isAvailable())
                return nullptr;
            store = std::move(redis);
        }
        RegistryOperations::registerAll(*store);
        return store;
    }

private Q_SLOTS:
    void initTestCase_data()
    {
        QTest::addColumn<QString>("backend");
        QTest::newRow("memory") << QStringLiteral("memory");
        QTest::newRow("redis") << QStringLiteral("redis");
    }
    void initTestCase()
    {
        m_redis = std::make_unique<test::RedisServer>();
        QVERIFY2(m_redis->start(), qPrintable(m_redis->lastError()));
    }
    void init() { m_namespace = "regtest:" + QByteArray::number(++m_index) + ':'; }

    void operationsFenceByEpoch()
    {
        auto store = makeStore();
        QVERIFY(store);
        const QByteArray record = InstanceRegistry::recordKey(QStringLiteral("a"));
        const QByteArray counter = InstanceRegistry::epochKey(QStringLiteral("a"));
        QCOMPARE(record, QByteArray("instance:{a}"));

        // First registration: epoch 1, the fields, the process, a TTL.
        Result<Reply> r = run(*store, RegistryOperations::RegisterName, {record, counter},
                              {"p1", "60000", "1000", "1", "host", "h1", "sessions", "0"});
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QCOMPARE(r->elements().at(0).toInteger(), 1);
        QCOMPARE(r->elements().at(1).toInteger(), 1);
        StateStore::Fields fields = hgetAll(*store, record);
        QCOMPARE(fields.value("epoch"), QByteArray("1"));
        QCOMPARE(fields.value("process"), QByteArray("p1"));
        QCOMPARE(fields.value("host"), QByteArray("h1"));
        QCOMPARE(fields.value("lease_until"), QByteArray("1000"));
        QVERIFY(ttl(*store, record) > 0 && ttl(*store, record) <= 60000);

        // Another process cannot take a live record; the holder is named and nothing changes.
        r = run(*store, RegistryOperations::RegisterName, {record, counter}, {"p2", "60000", "1000", "1"});
        QVERIFY(r.ok());
        QCOMPARE(r->elements().at(0).toInteger(), 0);
        QCOMPARE(r->elements().at(1).bytes(), QByteArray("p1"));
        QCOMPARE(hgetAll(*store, record).value("process"), QByteArray("p1"));

        // Renewals: only with the current epoch.
        r = run(*store, RegistryOperations::RenewName, {record}, {"1", "60000", "2000", "sessions", "5"});
        QCOMPARE(r->toInteger(), 1);
        QCOMPARE(hgetAll(*store, record).value("sessions"), QByteArray("5"));
        QCOMPARE(hgetAll(*store, record).value("lease_until"), QByteArray("2000"));

        // The same process registers again (after losing its lease): a new epoch, the record replaced.
        r = run(*store, RegistryOperations::RegisterName, {record, counter}, {"p1", "60000", "3000", "2"});
        QCOMPARE(r->elements().at(1).toInteger(), 2);
        QVERIFY(!hgetAll(*store, record).contains("host")); // only the new registration's fields
        // A write with the old epoch is refused and changes nothing.
        r = run(*store, RegistryOperations::RenewName, {record}, {"1", "60000", "9999", "sessions", "99"});
        QCOMPARE(r->toInteger(), 0);
        QCOMPARE(hgetAll(*store, record).value("lease_until"), QByteArray("3000"));
        QCOMPARE(run(*store, RegistryOperations::ReleaseName, {record}, {"1"})->toInteger(), 0);
        QCOMPARE(hgetAll(*store, record).value("epoch"), QByteArray("2"));

        // An epoch is never handed out twice, even when the counter was lost (a Redis without its data).
        QVERIFY(del(*store, counter));
        QCOMPARE(run(*store, RegistryOperations::ReleaseName, {record}, {"2"})->toInteger(), 1);
        QVERIFY(hgetAll(*store, record).isEmpty());
        r = run(*store, RegistryOperations::RegisterName, {record, counter}, {"p1", "60000", "4000", "3"});
        QCOMPARE(r->elements().at(1).toInteger(), 3);
        r = run(*store, RegistryOperations::RegisterName, {record, counter}, {"p1", "60000", "4000", "1"});
        QCOMPARE(r->elements().at(1).toInteger(), 4); // the counter went on from the floor

        // Malformed calls are errors, not half-done writes.
        const Result<Reply> odd = run(*store, RegistryOperations::RenewName, {record}, {"4", "60000", "1", "odd"});
        QVERIFY(!odd.ok() || odd->isError());
        QCOMPARE(hgetAll(*store, record).value("lease_until"), QByteArray("4000"));
    }

    void ownedWritesAreFencedByTheRegistration()
    {
        auto store = makeStore();
        QVERIFY(store);
        OwnedWrites owned(*store, QStringLiteral("a"));
        const QByteArray record = InstanceRegistry::recordKey(QStringLiteral("a"));
        const auto write = [&](const QByteArray &key, const StateStore::Fields &fields,
                               const QList<OwnedWrites::IndexChange> &indexes) {
            std::optional<OwnedWrites::Outcome> outcome;
            owned.write(key, fields, 60000, indexes, [&outcome](OwnedWrites::Outcome o) { outcome = o; });
            QDeadlineTimer deadline(5000);
            while (!outcome && !deadline.hasExpired())
                QTest::qWait(1);
            return outcome.value_or(OwnedWrites::Outcome::Failed);
        };
        // Not registered yet: nothing goes out.
        QCOMPARE(write("room:r1", {{"type", "relay"}}, {}), OwnedWrites::Outcome::NotRegistered);

        QCOMPARE(run(*store, RegistryOperations::RegisterName, {record, InstanceRegistry::epochKey(QStringLiteral("a"))},
                     {"p1", "60000", "1000", "1"})->elements().at(1).toInteger(), 1);
        owned.setEpoch(1);
        QCOMPARE(write("room:r1", {{"type", "relay"}, {"clients", "1"}},
                       {{"instance:a:rooms", "r1", true}, {"rooms:relay:open", "r1", true}}),
                 OwnedWrites::Outcome::Written);
        StateStore::Fields room = hgetAll(*store, "room:r1");
        QCOMPARE(room.value("instance"), QByteArray("a"));
        QCOMPARE(room.value("epoch"), QByteArray("1"));
        QCOMPARE(room.value("clients"), QByteArray("1"));
        QVERIFY(ttl(*store, "room:r1") > 0);
        QCOMPARE(members(*store, "instance:a:rooms"), StateStore::Keys{"r1"});
        QCOMPARE(members(*store, "rooms:relay:open"), StateStore::Keys{"r1"});
        // An index entry goes as the record changes.
        QCOMPARE(write("room:r1", {{"clients", "4"}}, {{"rooms:relay:open", "r1", false}}), OwnedWrites::Outcome::Written);
        QVERIFY(members(*store, "rooms:relay:open").isEmpty());

        // Registered again (the lease was lost): writes of the old epoch are refused and change nothing.
        QCOMPARE(run(*store, RegistryOperations::RegisterName, {record, InstanceRegistry::epochKey(QStringLiteral("a"))},
                     {"p1", "60000", "2000", "1"})->elements().at(1).toInteger(), 2);
        QCOMPARE(write("room:r1", {{"clients", "0"}}, {{"instance:a:rooms", "r2", true}}), OwnedWrites::Outcome::StaleEpoch);
        QCOMPARE(hgetAll(*store, "room:r1").value("clients"), QByteArray("4"));
        QCOMPARE(members(*store, "instance:a:rooms"), StateStore::Keys{"r1"});
        std::optional<OwnedWrites::Outcome> setOutcome;
        owned.set("room:r1:state", "{}", [&setOutcome](OwnedWrites::Outcome o) { setOutcome = o; });
        QTRY_VERIFY(setOutcome.has_value());
        QCOMPARE(*setOutcome, OwnedWrites::Outcome::StaleEpoch);
        QCOMPARE(owned.refused(), 2u);
        owned.setEpoch(2);
        setOutcome.reset();
        owned.set("room:r1:state", "{\"n\":1}", [&setOutcome](OwnedWrites::Outcome o) { setOutcome = o; });
        QTRY_VERIFY(setOutcome.has_value());
        QCOMPARE(*setOutcome, OwnedWrites::Outcome::Written);

        // A record of another instance is not this one's to write.
        QVERIFY(hsetRaw(*store, "room:theirs", {{"instance", "b"}}));
        QCOMPARE(write("room:theirs", {{"clients", "9"}}, {}), OwnedWrites::Outcome::OtherOwner);
        QCOMPARE(hgetAll(*store, "room:theirs").value("instance"), QByteArray("b"));
        QVERIFY(!hgetAll(*store, "room:theirs").contains("clients"));

        // No lease record at all (a Redis restarted empty): refused until the instance registers again.
        QVERIFY(del(*store, record));
        QCOMPARE(write("room:r1", {{"clients", "1"}}, {}), OwnedWrites::Outcome::StaleEpoch);
    }

    void deadOwnersSessionIsClaimedOnce()
    {
        auto store = makeStore();
        QVERIFY(store);
        QCOMPARE(registerAs(*store, "a"), 1);
        QCOMPARE(registerAs(*store, "b"), 1);
        const QString token = QStringLiteral("s-1.secret");
        QVERIFY(hsetRaw(*store, "session:s-1",
                        {{"player", "ann"}, {"instance", "a"}, {"epoch", "1"}, {"created", "5"},
                         {"token", SessionClaim::tokenHash(token)}, {"rooms", "r-1,r-2"}}));
        QVERIFY(test::awaitCallback<Result<qint64>>([&](auto cb) { store->sadd("instance:a:sessions", {"s-1"}, store.get(), cb); })
                    .value_or(Error{}).ok());
        SessionClaim byB(*store, QStringLiteral("b"));
        const auto claim = [&](const QString &resumeToken, qint64 epoch) {
            return test::awaitCallback<Result<SessionClaim::Claimed>>([&](auto cb) {
                byB.claim(resumeToken, QStringLiteral("s-1.next"), epoch, 60000, cb);
            }).value_or(Error{QStringLiteral("timeout"), QString()});
        };
        // Its owner holds its lease: retry later. A wrong secret or no session: expired.
        Result<SessionClaim::Claimed> c = claim(token, 1);
        QVERIFY(!c.ok());
        QCOMPARE(c.error().code, QStringLiteral("unavailable"));
        c = claim(QStringLiteral("s-1.wrong"), 1);
        QCOMPARE(c.error().code, QStringLiteral("session_expired"));
        c = claim(QStringLiteral("s-9.secret"), 1);
        QCOMPARE(c.error().code, QStringLiteral("session_expired"));
        // A stale registration of the claimer is refused too.
        c = claim(token, 7);
        QCOMPARE(c.error().code, QStringLiteral("unavailable"));
        QCOMPARE(hgetAll(*store, "session:s-1").value("instance"), QByteArray("a"));

        // a is gone: b claims it, with what the record said, and the record and index are b's now.
        QCOMPARE(run(*store, RegistryOperations::ReleaseName, {InstanceRegistry::recordKey(QStringLiteral("a"))}, {"1"})
                     ->toInteger(),
                 1);
        c = claim(token, 1);
        QVERIFY2(c.ok(), qPrintable(c.ok() ? QString() : c.error().message));
        QCOMPARE(c->playerId, QStringLiteral("ann"));
        QCOMPARE(c->rooms, (QStringList{QStringLiteral("r-1"), QStringLiteral("r-2")}));
        QCOMPARE(c->previousOwner, QStringLiteral("a"));
        const StateStore::Fields record = hgetAll(*store, "session:s-1");
        QCOMPARE(record.value("instance"), QByteArray("b"));
        QCOMPARE(record.value("token"), SessionClaim::tokenHash(QStringLiteral("s-1.next")));
        QVERIFY(members(*store, "instance:a:sessions").isEmpty());
        QCOMPARE(members(*store, "instance:b:sessions"), StateStore::Keys{"s-1"});
        // The old token is spent; the new one names a live owner (b itself).
        QCOMPARE(claim(token, 1).error().code, QStringLiteral("session_expired"));
        QCOMPARE(claim(QStringLiteral("s-1.next"), 1).error().code, QStringLiteral("unavailable"));

        // The sweep's orphan: only with the right owner; then anyone may claim it.
        QCOMPARE(run(*store, SessionClaim::OrphanName, {"session:s-1"}, {"a", "60000"})->toInteger(), 0);
        QCOMPARE(run(*store, SessionClaim::OrphanName, {"session:s-1"}, {"b", "60000"})->toInteger(), 1);
        QCOMPARE(hgetAll(*store, "session:s-1").value("instance"), QByteArray());
        QVERIFY(ttl(*store, "session:s-1") > 0);
        c = claim(QStringLiteral("s-1.next"), 1);
        QVERIFY(c.ok());
        QCOMPARE(c->previousOwner, QString());
    }

    void deadHostsRoomIsAdoptedOnce()
    {
        auto store = makeStore();
        QVERIFY(store);
        QCOMPARE(registerAs(*store, "a"), 1);
        QCOMPARE(registerAs(*store, "b"), 1);
        QCOMPARE(registerAs(*store, "c"), 1);
        // A room's keys share its id as their hash tag.
        QCOMPARE(roomkeys::record(QStringLiteral("r1")), QByteArray("room:{r1}"));
        QCOMPARE(roomkeys::snapshot(QStringLiteral("r1")), QByteArray("room:{r1}:snapshot"));
        QCOMPARE(roomkeys::idOf("room:{r-9}:state"), QStringLiteral("r-9"));
        QCOMPARE(roomkeys::idOf("session:s-1"), QString());
        // a hosts r1: its record (with its members and their homes), state and snapshot.
        OwnedWrites ownedA(*store, QStringLiteral("a"));
        ownedA.setEpoch(1);
        const QList<RoomAdoption::Member> who{{QStringLiteral("s-1"), QStringLiteral("ann"), QStringLiteral("a")},
                                              {QStringLiteral("s-2"), QStringLiteral("bob"), QStringLiteral("b")}};
        std::optional<OwnedWrites::Outcome> written;
        ownedA.write("room:{r1}",
                     {{"type", "duel"}, {"clients", "2"}, {"max_clients", "2"}, {"locked", "1"}, {"private", "0"},
                      {"created", "1700"}, {"metadata", R"({"turnSeconds":30})"},
                      {"members", RoomAdoption::encodeMembers(who)}},
                     0, {{"instance:a:rooms", "r1", true}}, [&](OwnedWrites::Outcome o) { written = o; });
        QTRY_COMPARE(written, std::optional(OwnedWrites::Outcome::Written));
        written.reset();
        ownedA.set("room:{r1}:state", R"({"hp":85})", [&](OwnedWrites::Outcome o) { written = o; });
        QTRY_COMPARE(written, std::optional(OwnedWrites::Outcome::Written));
        written.reset();
        ownedA.set("room:{r1}:snapshot", R"({"hp":85,"turnEndsAt":1})", [&](OwnedWrites::Outcome o) { written = o; });
        QTRY_COMPARE(written, std::optional(OwnedWrites::Outcome::Written));

        RoomAdoption byB(*store, QStringLiteral("b"));
        RoomAdoption byC(*store, QStringLiteral("c"));
        const auto adopt = [](RoomAdoption &by, const QString &room, qint64 epoch) {
            return test::awaitCallback<Result<RoomAdoption::Outcome>>([&](auto cb) { by.adopt(room, epoch, cb); })
                .value_or(Error{QStringLiteral("timeout"), QString()});
        };
        // Its host holds its lease: nobody takes it.
        Result<RoomAdoption::Outcome> o = adopt(byB, QStringLiteral("r1"), 1);
        QVERIFY(o.ok());
        QCOMPARE(o->kind, RoomAdoption::Outcome::HostedElsewhere);
        QCOMPARE(o->host, QStringLiteral("a"));
        QCOMPARE(hgetAll(*store, "room:{r1}").value("instance"), QByteArray("a"));

        // a is gone. b and c both try at once: exactly one adopts it, the other is sent there.
        QCOMPARE(run(*store, RegistryOperations::ReleaseName, {InstanceRegistry::recordKey(QStringLiteral("a"))}, {"1"})
                     ->toInteger(),
                 1);
        std::optional<Result<RoomAdoption::Outcome>> fromB, fromC;
        byB.adopt(QStringLiteral("r1"), 1, [&](Result<RoomAdoption::Outcome> r) { fromB = r; });
        byC.adopt(QStringLiteral("r1"), 1, [&](Result<RoomAdoption::Outcome> r) { fromC = r; });
        QTRY_VERIFY(fromB && fromC);
        QVERIFY(fromB->ok() && fromC->ok());
        const bool bWon = (*fromB)->kind == RoomAdoption::Outcome::Adopted;
        const RoomAdoption::Outcome &won = bWon ? fromB->value() : fromC->value();
        const RoomAdoption::Outcome &lost = bWon ? fromC->value() : fromB->value();
        const QString winner = bWon ? QStringLiteral("b") : QStringLiteral("c");
        QCOMPARE(won.kind, RoomAdoption::Outcome::Adopted);
        QCOMPARE(lost.kind, RoomAdoption::Outcome::HostedElsewhere);
        QCOMPARE(lost.host, winner);
        QCOMPARE(won.room.type, QStringLiteral("duel"));
        QCOMPARE(won.room.maxClients, 2u);
        QVERIFY(won.room.locked);
        QCOMPARE(won.room.createdAt, 1700);
        QCOMPARE(won.room.metadata.value(QStringLiteral("turnSeconds")).toInt(), 30);
        QCOMPARE(won.room.members.size(), 2);
        QCOMPARE(won.room.members.at(1).playerId, QStringLiteral("bob"));
        QCOMPARE(won.room.members.at(1).home, QStringLiteral("b"));
        QCOMPARE(won.room.snapshot, QByteArray(R"({"hp":85,"turnEndsAt":1})"));
        QCOMPARE(won.room.state, QByteArray(R"({"hp":85})"));
        QCOMPARE(won.room.previousHost, QStringLiteral("a"));
        QCOMPARE(hgetAll(*store, "room:{r1}").value("instance"), winner.toUtf8());
        QVERIFY(members(*store, "instance:a:rooms").isEmpty());
        QCOMPARE(members(*store, "instance:" + winner.toUtf8() + ":rooms"), StateStore::Keys{"r1"});
        // a's writes, were it only paused, are refused now: the record names another host.
        written.reset();
        ownedA.write("room:{r1}", {{"clients", "0"}}, 0, {}, [&](OwnedWrites::Outcome o2) { written = o2; });
        QTRY_VERIFY(written.has_value());
        QVERIFY(*written != OwnedWrites::Outcome::Written);

        // The sweep makes a dead host's room an orphan: owned by nobody, for a while (state and snapshot
        // too); only with the right host named.
        QVERIFY(hsetRaw(*store, "room:{r2}", {{"type", "relay"}, {"instance", "a"}, {"epoch", "1"}, {"members", "[]"}}));
        QCOMPARE(run(*store, RoomAdoption::OrphanName, {"room:{r2}", "room:{r2}:state", "room:{r2}:snapshot"}, {"b", "60000"})
                     ->toInteger(),
                 0);
        QCOMPARE(run(*store, RoomAdoption::OrphanName, {"room:{r2}", "room:{r2}:state", "room:{r2}:snapshot"}, {"a", "60000"})
                     ->toInteger(),
                 1);
        QCOMPARE(hgetAll(*store, "room:{r2}").value("instance"), QByteArray());
        QVERIFY(ttl(*store, "room:{r2}") > 0);
        // An orphan is anyone's to adopt; it keeps no expiry then.
        o = adopt(byC, QStringLiteral("r2"), 1);
        QVERIFY(o.ok());
        QCOMPARE(o->kind, RoomAdoption::Outcome::Adopted);
        QCOMPARE(o->room.previousHost, QString());
        QVERIFY(o->room.snapshot.isEmpty());
        QCOMPARE(ttl(*store, "room:{r2}"), -1);
        QCOMPARE(hgetAll(*store, "room:{r2}").value("instance"), QByteArray("c"));

        // No such room; a stale registration adopts nothing.
        o = adopt(byB, QStringLiteral("r-none"), 1);
        QVERIFY(o.ok());
        QCOMPARE(o->kind, RoomAdoption::Outcome::Gone);
        QVERIFY(hsetRaw(*store, "room:{r3}", {{"type", "relay"}, {"instance", ""}, {"epoch", ""}}));
        o = adopt(byB, QStringLiteral("r3"), 7);
        QVERIFY(!o.ok());
        QCOMPARE(o.error().code, QStringLiteral("unavailable"));
        QCOMPARE(hgetAll(*store, "room:{r3}").value("instance"), QByteArray());
    }

    void matchPlacementPicksTheLeastLoaded()
    {
        auto store = makeStore();
        QVERIFY(store);
        // The fleet as the registry shows it: b hosts 5 rooms, c 1 but drains, d 2; e's lease ran out
        // (its index entry is in the past), f's record is gone.
        const double future = double(QDateTime::currentMSecsSinceEpoch() + 60000);
        const double past = double(QDateTime::currentMSecsSinceEpoch() - 60000);
        QList<StateStore::ScoredMember> index{{"a", future}, {"b", future}, {"c", future}, {"d", future},
                                              {"e", past}, {"f", future}};
        QVERIFY(test::awaitCallback<Result<qint64>>([&](auto cb) { store->zadd(InstanceRegistry::indexKey(), index, store.get(), cb); })
                    .value_or(Error{}).ok());
        const auto record = [&](const char *id, const char *rooms, const char *draining) {
            return hsetRaw(*store, InstanceRegistry::recordKey(QString::fromLatin1(id)),
                           {{"epoch", "1"}, {"rooms", rooms}, {"sessions", "10"}, {"draining", draining}});
        };
        QVERIFY(record("b", "5", "0"));
        QVERIFY(record("c", "1", "1"));
        QVERIFY(record("d", "2", "0"));
        QVERIFY(record("e", "0", "0"));
        MatchPlacement::Load own{3, 40, true};
        MatchPlacement placement(*store, QStringLiteral("a"), [&own] { return own; }, std::chrono::hours(1));
        QSignalSpy refreshed(&placement, &MatchPlacement::refreshed);
        QTRY_COMPARE(refreshed.count(), 1);
        QCOMPARE(placement.peers().size(), 3); // b, c and d: e's lease ran out, f has no record
        QVERIFY(!placement.peers().value(QStringLiteral("c")).takesMatches);
        QVERIFY(placement.hasPeers());

        // d (2 rooms) beats this instance (3) and b (5); c drains.
        QCOMPARE(placement.place({}), QStringLiteral("d"));
        // d now counts 3, like this instance: the tie goes to an instance where a player is...
        QCOMPARE(placement.place({QStringLiteral("d")}), QStringLiteral("d"));
        // ...and then d counts 4: this instance is the least loaded.
        QCOMPARE(placement.place({}), QStringLiteral("a"));
        // Elsewhere only: d (4) before b (5); then d (5) ties with b, and the lower id wins.
        QCOMPARE(placement.placeElsewhere({}), QStringLiteral("d"));
        QCOMPARE(placement.placeElsewhere({}), QStringLiteral("b"));
        // Draining itself, this instance takes no match; the counts start over with a fresh read.
        own.takesMatches = false;
        placement.refresh();
        QTRY_COMPARE(refreshed.count(), 2);
        QCOMPARE(placement.place({}), QStringLiteral("d"));
        // Nobody else takes matches either: a match formed here stays here, and there is nowhere else.
        QVERIFY(record("b", "5", "1"));
        QVERIFY(record("d", "2", "1"));
        placement.refresh();
        QTRY_COMPARE(refreshed.count(), 3);
        QVERIFY(!placement.hasPeers());
        QCOMPARE(placement.place({}), QStringLiteral("a"));
        QCOMPARE(placement.placeElsewhere({}), QString());
    }

    void registryLosesItsLeaseAndRegistersAgain()
    {
        auto store = makeStore();
        QVERIFY(store);
        InstanceRegistry::Settings settings;
        settings.instanceId = QStringLiteral("b");
        settings.leaseTtl = 600ms;
        settings.renewInterval = 100ms;
        settings.info = {{"host", "h"}};
        InstanceRegistry registry(*store, settings);
        registry.setLoadProvider([] { return StateStore::Fields{{"sessions", "7"}}; });
        QSignalSpy lost(&registry, &InstanceRegistry::leaseLost);
        QSignalSpy acquired(&registry, &InstanceRegistry::leaseAcquired);
        const auto started = test::awaitCallback<Result<qint64>>([&](auto cb) { registry.start(cb); });
        QVERIFY(started && started->ok());
        QCOMPARE(started->value(), 1);
        QCOMPARE(registry.state(), InstanceRegistry::State::Held);
        const QByteArray record = InstanceRegistry::recordKey(QStringLiteral("b"));
        QTRY_COMPARE_WITH_TIMEOUT(hgetAll(*store, record).value("sessions"), QByteArray("7"), 3000);
        QCOMPARE(hgetAll(*store, record).value("host"), QByteArray("h"));

        // Someone else's registration takes the record over (as after this process was paused past its
        // TTL): the next renewal is refused, the lease is lost, and the registry registers again.
        QVERIFY(del(*store, record));
        QVERIFY(run(*store, RegistryOperations::RegisterName, {record, InstanceRegistry::epochKey(QStringLiteral("b"))},
                    {"intruder", "300", "1", "1"}).ok());
        QTRY_VERIFY_WITH_TIMEOUT(lost.size() >= 1, 3000);
        QCOMPARE(lost.first().at(0).toLongLong(), 1);
        // Held by "intruder" until its 300 ms run out; then registered again with a larger epoch.
        QTRY_VERIFY_WITH_TIMEOUT(registry.state() == InstanceRegistry::State::Held && registry.epoch() > 2, 5000);
        QCOMPARE(acquired.last().at(0).toLongLong(), registry.epoch());
        QCOMPARE(hgetAll(*store, record).value("epoch"), QByteArray::number(registry.epoch()));
        QCOMPARE(registry.toJson().value(QStringLiteral("lost")).toInt(), 1);

        // Stop releases the record and the index entry.
        const auto stopped = test::awaitCallback<bool>([&](auto cb) { registry.stop([cb] { cb(true); }); });
        QVERIFY(stopped);
        QVERIFY(hgetAll(*store, record).isEmpty());
        QCOMPARE(registry.state(), InstanceRegistry::State::Unregistered);
    }
};

QTEST_GUILESS_MAIN(TestInstanceRegistry)
#include "tst_instanceregistry.moc"
