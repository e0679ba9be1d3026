// Conformance suite: every StateStore backend must pass every test here, row by row.
#include "shared/store/memorydata.h"
#include "shared/store/memorystore.h"
#include "shared/store/redisstore.h"
#include "tests/integration/store/storetestsupport.h"
#include "tests/support/redisserver.h"

#include <QDeadlineTimer>
#include <QRandomGenerator>
#include <QSignalSpy>
#include <QTest>

#include <algorithm>
#include <limits>
#include <memory>

using namespace arena;
using namespace arena::test;

namespace {

using Keys = StateStore::Keys;
using Fields = StateStore::Fields;
using ScoredMember = StateStore::ScoredMember;
using SetMode = StateStore::SetMode;
using ScoredList = QList<ScoredMember>;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr qint64 kMax = std::numeric_limits<qint64>::max();

// A probe runs one store call and reports its error, if any (for table-driven error tests).
using Probe = std::function<std::optional<Error>(StateStore &)>;

template<typename Method, typename... Args>
Probe probe(Method method, Args... args)
{
    return [=](StateStore &store) { return errorOf(call(store, method, args...)); };
}

bool received(const QSignalSpy &spy, const QByteArray &channel, const QByteArray &payload)
{
    for (const QList<QVariant> &args : spy) {
        if (args.value(0).toByteArray() == channel && args.value(1).toByteArray() == payload)
            return true;
    }
    return false;
}

QList<QByteArray> payloadsOn(const QSignalSpy &spy, const QByteArray &channel, const QByteArray &skip = {})
{
    QList<QByteArray> payloads;
    for (const QList<QVariant> &args : spy) {
        const QByteArray payload = args.value(1).toByteArray();
        if (args.value(0).toByteArray() == channel && payload != skip)
            payloads.append(payload);
    }
    return payloads;
}

// Subscriptions may take effect asynchronously (Redis): publish probes until `expected` stores
// receive them.
bool waitForSubscribers(StateStore &publisher, const QByteArray &channel, qint64 expected)
{
    QDeadlineTimer deadline(kAwaitTimeoutMs);
    while (!deadline.hasExpired()) {
        const Result<qint64> count = call(publisher, &StateStore::publish, channel, QByteArray("probe"));
        if (count.ok() && *count == expected)
            return true;
        QTest::qWait(20);
    }
    return false;
}

// ---- named operations used by the tests: a realistic Lua script and its C++ twin each

// claim(lock; owner, ttlMs) -> {1, owner} when taken, {0, current owner} when someone holds it.
StateStore::Operation claimOperation()
{
    StateStore::Operation op;
    op.lua = QByteArrayLiteral(R"(
local ok = redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2])
if ok then return {1, ARGV[1]} end
return {0, redis.call('GET', KEYS[1])}
)");
    op.memory = [](MemoryData &data, const Keys &keys, const StateStore::Args &args) -> Reply {
        if (keys.size() != 1 || args.size() != 2)
            return Reply::error("ERR claim needs one key and two arguments");
        bool ok = false;
        const qint64 ttl = args[1].toLongLong(&ok);
        if (!ok || ttl <= 0)
            return Reply::error("ERR value is not an integer or out of range");
        const Result<bool> taken = data.set(keys[0], args[0], ttl, SetMode::IfAbsent);
        if (!taken)
            return Reply::error(taken.error().message.toUtf8());
        if (*taken)
            return Reply::array({Reply::integer(1), Reply::string(args[0])});
        const Result<std::optional<QByteArray>> owner = data.get(keys[0]);
        if (!owner)
            return Reply::error(owner.error().message.toUtf8());
        return Reply::array({Reply::integer(0), owner->has_value() ? Reply::string(**owner) : Reply::nil()});
    };
    return op;
}

// moveMember(from, to; member) -> 1 when moved, 0 when `from` did not hold it.
StateStore::Operation moveMemberOperation()
{
    StateStore::Operation op;
    op.lua = QByteArrayLiteral(R"(
if redis.call('SREM', KEYS[1], ARGV[1]) == 1 then
  redis.call('SADD', KEYS[2], ARGV[1])
  return 1
end
return 0
)");
    op.memory = [](MemoryData &data, const Keys &keys, const StateStore::Args &args) -> Reply {
        if (keys.size() != 2 || args.size() != 1)
            return Reply::error("ERR moveMember needs two keys and one argument");
        const Result<qint64> removed = data.srem(keys[0], {args[0]});
        if (!removed)
            return Reply::error(removed.error().message.toUtf8());
        if (*removed == 0)
            return Reply::integer(0);
        const Result<qint64> added = data.sadd(keys[1], {args[0]});
        if (!added)
            return Reply::error(added.error().message.toUtf8());
        return Reply::integer(1);
    };
    return op;
}

// popGroup(queue; n) -> the n lowest-scored members, removed; {} (and nothing removed) when fewer wait.
StateStore::Operation popGroupOperation()
{
    StateStore::Operation op;
    op.lua = QByteArrayLiteral(R"(
local n = tonumber(ARGV[1])
local members = redis.call('ZRANGE', KEYS[1], 0, n - 1)
if #members < n then return {} end
redis.call('ZREM', KEYS[1], unpack(members))
return members
)");
    op.memory = [](MemoryData &data, const Keys &keys, const StateStore::Args &args) -> Reply {
        const qint64 n = args.value(0).toLongLong();
        const Result<QList<ScoredMember>> range = data.zrangeByScore(keys.value(0), -kInf, kInf, 0, n);
        if (!range)
            return Reply::error(range.error().message.toUtf8());
        if (range->size() < n)
            return Reply::array({});
        Keys members;
        QList<Reply> replies;
        for (const ScoredMember &m : *range) {
            members.append(m.member);
            replies.append(Reply::string(m.member));
        }
        const Result<qint64> removed = data.zrem(keys.value(0), members);
        if (!removed)
            return Reply::error(removed.error().message.toUtf8());
        return Reply::array(replies);
    };
    return op;
}

// withdraw(balance; amount) -> new balance, or fails (changing nothing) when it would go negative.
StateStore::Operation withdrawOperation()
{
    StateStore::Operation op;
    op.lua = QByteArrayLiteral(R"(
local balance = tonumber(redis.call('GET', KEYS[1]) or '0')
local amount = tonumber(ARGV[1])
if amount > balance then
  return redis.error_reply('INSUFFICIENT_FUNDS balance ' .. balance)
end
return redis.call('DECRBY', KEYS[1], amount)
)");
    op.memory = [](MemoryData &data, const Keys &keys, const StateStore::Args &args) -> Reply {
        const Result<std::optional<QByteArray>> current = data.get(keys.value(0));
        if (!current)
            return Reply::error(current.error().message.toUtf8());
        const qint64 balance = current->value_or(QByteArrayLiteral("0")).toLongLong();
        const qint64 amount = args.value(0).toLongLong();
        if (amount > balance)
            return Reply::error("INSUFFICIENT_FUNDS balance " + QByteArray::number(balance));
        const Result<qint64> next = data.incrBy(keys.value(0), -amount);
        if (!next)
            return Reply::error(next.error().message.toUtf8());
        return Reply::integer(*next);
    };
    return op;
}

// roomFull() -> always fails, as a script refusing a join does.
StateStore::Operation roomFullOperation()
{
    StateStore::Operation op;
    op.lua = QByteArrayLiteral("return redis.error_reply('ROOM_FULL room is full')");
    op.memory = [](MemoryData &, const Keys &, const StateStore::Args &) { return Reply::error("ROOM_FULL room is full"); };
    return op;
}

StateStore::Operation constantOperation(qint64 value)
{
    StateStore::Operation op;
    op.lua = "return " + QByteArray::number(value);
    op.memory = [value](MemoryData &, const Keys &, const StateStore::Args &) { return Reply::integer(value); };
    return op;
}

} // namespace

Q_DECLARE_METATYPE(Probe)
Q_DECLARE_METATYPE(arena::StateStore::SetMode)

#define MAKE_STORE(var)                                                                                     \
    const std::unique_ptr<StateStore> var = makeStore();                                                   \
    QVERIFY2(var, "could not set up the store for this backend")

class TestStoreConformance : public QObject
{
    Q_OBJECT

private:
    // A new store on this test's keyspace. Stores made within one test share that keyspace, as
    // instances sharing one Redis do; every test (and data row) starts from an empty one.
    std::unique_ptr<StateStore> makeStore();

    std::shared_ptr<MemoryData> m_memoryData; // the "memory" keyspace of the current test
    QByteArray m_namespace; // unique per test function and row, e.g. a Redis key prefix
    std::unique_ptr<test::RedisServer> m_redis;
    const QByteArray m_runId = QByteArray::number(QRandomGenerator::global()->generate64(), 36);
    int m_testIndex = 0;

private Q_SLOTS:
    void initTestCase_data();
    void init();
    void cleanup();

    void backendIdentity();

    void getSetRoundTrip();
    void setModes_data();
    void setModes();
    void setWithTtlExpires();
    void writeWithoutTtlClearsTtl();
    void setRejectsBadTtl();
    void setReplacesOtherTypes();
    void expiredKeyIsAbsentForEveryType();
    void incrBy();
    void incrByRejectsNonIntegers_data();
    void incrByRejectsNonIntegers();
    void incrByOverflow();

    void delCountsExistingKeys();
    void existsAndTtl();
    void expireSetsDeadline();
    void expireNonPositiveDeletes();
    void expireRejectsOverflow();
    void scanMatchesGlob_data();
    void scanMatchesGlob();
    void scanSkipsExpiredKeys();

    void hashes();
    void hashVanishesWhenEmpty();
    void hincrBy();

    void sets();
    void sscanWalksEveryMemberInPages();
    void unlinkCountsLikeDel();
    void setMembersSortedBytewise();
    void setVanishesWhenEmpty();

    void zaddAndScores();
    void zrangeByScore_data();
    void zrangeByScore();
    void zsetVanishesWhenEmpty();
    void zsetRejectsNaN();

    void pushOrder();
    void lrange_data();
    void lrange();
    void ltrim_data();
    void ltrim();

    void wrongType_data();
    void wrongType();
    void emptyArgumentListsRejected_data();
    void emptyArgumentListsRejected();

    void callbacksAreAsynchronousAndOnce();
    void callbackDroppedWhenContextDestroyed();
    void nullContextAndNullCallback();

    void publishReachesSubscribers();
    void publishCountsEverySubscriber();
    void publishWithoutSubscribersCountsZero();
    void unsubscribeStopsDelivery();

    void claimOperation();
    void moveMemberOperation();
    void popGroupOperation();
    void failingOperation();
    void conditionalFailureChangesNothing();
    void unknownOperation();
    void registerOperationReplaces();
};

// ---- backends

// One row per backend: every test function runs once per row.
void TestStoreConformance::initTestCase_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("memory") << QStringLiteral("memory");
    QTest::newRow("redis") << QStringLiteral("redis");
}

void TestStoreConformance::init()
{
    m_namespace = QByteArrayLiteral("conformance:") + m_runId + ':' + QByteArray::number(++m_testIndex) + ':';
    m_memoryData.reset();
}

void TestStoreConformance::cleanup()
{
    m_memoryData.reset();
}

std::unique_ptr<StateStore> TestStoreConformance::makeStore()
{
    QFETCH_GLOBAL(QString, backend);
    if (backend == QLatin1String("memory")) {
        if (!m_memoryData)
            m_memoryData = std::make_shared<MemoryData>();
        return std::make_unique<MemoryStore>(m_memoryData);
    }
    if (backend == QLatin1String("redis")) {
        // One real redis-server for the whole run; each test has its own key prefix (m_namespace).
        if (!m_redis) {
            m_redis = std::make_unique<test::RedisServer>();
            if (!m_redis->start()) {
                qWarning("%s", qPrintable(m_redis->lastError()));
                return nullptr;
            }
        }
        RedisOptions options;
        options.port = m_redis->port();
        auto store = std::make_unique<RedisStore>(options, m_namespace);
        store->open();
        QDeadlineTimer deadline(5000);
        while (!store->isAvailable() && !deadline.hasExpired())
            QTest::qWait(10);
        if (!store->isAvailable())
            return nullptr;
        return store;
    }
    return nullptr;
}

void TestStoreConformance::backendIdentity()
{
    QFETCH_GLOBAL(QString, backend);
    MAKE_STORE(store);
    QCOMPARE(store->backendName(), backend);
    QVERIFY(store->isAvailable());
    STORE_COMPARE(call(*store, &StateStore::scan, QByteArray("*")), Keys());
}

// ---- strings

void TestStoreConformance::getSetRoundTrip()
{
    MAKE_STORE(store);
    const QByteArray binary("\0\xff\r\nvalue with spaces", 21);
    const QByteArray binaryKey("key \x01\xfe", 6);

    STORE_ABSENT(call(*store, &StateStore::get, QByteArray("k")));
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("k"), QByteArray("one"), qint64(0), SetMode::Always), true);
    STORE_COMPARE(call(*store, &StateStore::get, QByteArray("k")), QByteArray("one"));
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("k"), QByteArray("two"), qint64(0), SetMode::Always), true);
    STORE_COMPARE(call(*store, &StateStore::get, QByteArray("k")), QByteArray("two"));

    STORE_COMPARE(call(*store, &StateStore::set, binaryKey, binary, qint64(0), SetMode::Always), true);
    STORE_COMPARE(call(*store, &StateStore::get, binaryKey), binary);

    // An empty value is still a value.
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("empty"), QByteArray(), qint64(0), SetMode::Always), true);
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("empty")), true);
    STORE_COMPARE(call(*store, &StateStore::get, QByteArray("empty")), QByteArray(""));

    // A second store on the same keyspace sees the writes.
    MAKE_STORE(other);
    STORE_COMPARE(call(*other, &StateStore::get, QByteArray("k")), QByteArray("two"));
}

void TestStoreConformance::setModes_data()
{
    QTest::addColumn<bool>("present");
    QTest::addColumn<SetMode>("mode");
    QTest::addColumn<bool>("written");

    QTest::newRow("always, absent") << false << SetMode::Always << true;
    QTest::newRow("always, present") << true << SetMode::Always << true;
    QTest::newRow("if-absent, absent") << false << SetMode::IfAbsent << true;
    QTest::newRow("if-absent, present") << true << SetMode::IfAbsent << false;
    QTest::newRow("if-present, absent") << false << SetMode::IfPresent << false;
    QTest::newRow("if-present, present") << true << SetMode::IfPresent << true;
}

void TestStoreConformance::setModes()
{
    QFETCH(bool, present);
    QFETCH(SetMode, mode);
    QFETCH(bool, written);
    MAKE_STORE(store);

    if (present)
        STORE_COMPARE(call(*store, &StateStore::set, QByteArray("k"), QByteArray("old"), qint64(0), SetMode::Always), true);
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("k"), QByteArray("new"), qint64(0), mode), written);

    std::optional<QByteArray> expected;
    if (written)
        expected = QByteArray("new");
    else if (present)
        expected = QByteArray("old");
    STORE_COMPARE(call(*store, &StateStore::get, QByteArray("k")), expected);

    // The same modes with a TTL: the TTL applies only when written.
    if (present)
        STORE_COMPARE(call(*store, &StateStore::set, QByteArray("t"), QByteArray("old"), qint64(0), SetMode::Always), true);
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("t"), QByteArray("new"), qint64(60000), mode), written);
    const Result<qint64> ttl = call(*store, &StateStore::ttl, QByteArray("t"));
    QVERIFY(ttl.ok());
    if (written)
        QVERIFY2(*ttl > 0 && *ttl <= 60000, qPrintable(QString::number(*ttl)));
    else
        QCOMPARE(*ttl, present ? qint64(-1) : qint64(-2));
}

void TestStoreConformance::setWithTtlExpires()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("k"), QByteArray("v"), qint64(100), SetMode::Always), true);
    const Result<qint64> ttl = call(*store, &StateStore::ttl, QByteArray("k"));
    QVERIFY(ttl.ok());
    QVERIFY2(*ttl >= 0 && *ttl <= 100, qPrintable(QString::number(*ttl)));

    QTRY_VERIFY(call(*store, &StateStore::get, QByteArray("k")).valueOr(QByteArray("error")) == std::nullopt);
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("k")), false);
    STORE_COMPARE(call(*store, &StateStore::ttl, QByteArray("k")), -2);
    // An expired key is absent for IfAbsent / IfPresent too.
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("k"), QByteArray("v"), qint64(0), SetMode::IfPresent), false);
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("k"), QByteArray("w"), qint64(0), SetMode::IfAbsent), true);
    STORE_COMPARE(call(*store, &StateStore::get, QByteArray("k")), QByteArray("w"));
}

void TestStoreConformance::writeWithoutTtlClearsTtl()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("k"), QByteArray("v"), qint64(60000), SetMode::Always), true);
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("k"), QByteArray("v2"), qint64(0), SetMode::Always), true);
    STORE_COMPARE(call(*store, &StateStore::ttl, QByteArray("k")), -1);

    // IfPresent without a TTL clears it as well (SET XX).
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("k"), QByteArray("v"), qint64(60000), SetMode::Always), true);
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("k"), QByteArray("v3"), qint64(0), SetMode::IfPresent), true);
    STORE_COMPARE(call(*store, &StateStore::ttl, QByteArray("k")), -1);

    // Modifying commands keep the TTL.
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("n"), QByteArray("1"), qint64(60000), SetMode::Always), true);
    STORE_COMPARE(call(*store, &StateStore::incrBy, QByteArray("n"), qint64(1)), 2);
    const Result<qint64> ttl = call(*store, &StateStore::ttl, QByteArray("n"));
    QVERIFY(ttl.ok() && *ttl > 0);
    STORE_COMPARE(call(*store, &StateStore::sadd, QByteArray("s"), Keys{"a"}), 1);
    STORE_COMPARE(call(*store, &StateStore::expire, QByteArray("s"), qint64(60000)), true);
    STORE_COMPARE(call(*store, &StateStore::sadd, QByteArray("s"), Keys{"b"}), 1);
    const Result<qint64> setTtl = call(*store, &StateStore::ttl, QByteArray("s"));
    QVERIFY(setTtl.ok() && *setTtl > 0);
}

void TestStoreConformance::setRejectsBadTtl()
{
    MAKE_STORE(store);
    STORE_ERROR(call(*store, &StateStore::set, QByteArray("k"), QByteArray("v"), qint64(-1), SetMode::Always),
                "invalid_argument");
    STORE_ERROR(call(*store, &StateStore::set, QByteArray("k"), QByteArray("v"), kMax, SetMode::Always),
                "invalid_argument");
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("k")), false);
}

void TestStoreConformance::setReplacesOtherTypes()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::sadd, QByteArray("k"), Keys{"a", "b"}), 2);
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("k"), QByteArray("v"), qint64(0), SetMode::IfPresent), true);
    STORE_COMPARE(call(*store, &StateStore::get, QByteArray("k")), QByteArray("v"));
    STORE_ERROR(call(*store, &StateStore::smembers, QByteArray("k")), "wrong_type");
}

void TestStoreConformance::expiredKeyIsAbsentForEveryType()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("k"), QByteArray("v"), qint64(100), SetMode::Always), true);
    STORE_COMPARE(call(*store, &StateStore::rpush, QByteArray("l"), Keys{"a"}), 1);
    STORE_COMPARE(call(*store, &StateStore::expire, QByteArray("l"), qint64(100)), true);
    QTRY_VERIFY(call(*store, &StateStore::exists, QByteArray("k")).valueOr(true) == false);
    QTRY_VERIFY(call(*store, &StateStore::exists, QByteArray("l")).valueOr(true) == false);

    // The old types no longer stand in the way.
    STORE_COMPARE(call(*store, &StateStore::sadd, QByteArray("k"), Keys{"m"}), 1);
    STORE_COMPARE(call(*store, &StateStore::llen, QByteArray("l")), 0);
    STORE_COMPARE(call(*store, &StateStore::hset, QByteArray("l"), (Fields{{"f", "v"}})), 1);
    STORE_COMPARE(call(*store, &StateStore::ttl, QByteArray("k")), -1);
}

void TestStoreConformance::incrBy()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::incrBy, QByteArray("n"), qint64(5)), 5);
    STORE_COMPARE(call(*store, &StateStore::incrBy, QByteArray("n"), qint64(-8)), -3);
    STORE_COMPARE(call(*store, &StateStore::incrBy, QByteArray("n"), qint64(0)), -3);
    STORE_COMPARE(call(*store, &StateStore::get, QByteArray("n")), QByteArray("-3"));

    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("m"), QByteArray("41"), qint64(0), SetMode::Always), true);
    STORE_COMPARE(call(*store, &StateStore::incrBy, QByteArray("m"), qint64(1)), 42);
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("min"), QByteArray("-9223372036854775808"), qint64(0),
                       SetMode::Always),
                  true);
    STORE_COMPARE(call(*store, &StateStore::incrBy, QByteArray("min"), qint64(1)), std::numeric_limits<qint64>::min() + 1);
}

void TestStoreConformance::incrByRejectsNonIntegers_data()
{
    QTest::addColumn<QByteArray>("value");
    QTest::newRow("letters") << QByteArray("abc");
    QTest::newRow("fraction") << QByteArray("1.5");
    QTest::newRow("leading space") << QByteArray(" 1");
    QTest::newRow("trailing space") << QByteArray("1 ");
    QTest::newRow("plus sign") << QByteArray("+1");
    QTest::newRow("leading zero") << QByteArray("01");
    QTest::newRow("minus zero") << QByteArray("-0");
    QTest::newRow("empty") << QByteArray("");
    QTest::newRow("too large") << QByteArray("9223372036854775808");
}

void TestStoreConformance::incrByRejectsNonIntegers()
{
    QFETCH(QByteArray, value);
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("n"), value, qint64(0), SetMode::Always), true);
    STORE_ERROR(call(*store, &StateStore::incrBy, QByteArray("n"), qint64(1)), "not_integer");
    STORE_COMPARE(call(*store, &StateStore::get, QByteArray("n")), value);
}

void TestStoreConformance::incrByOverflow()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::incrBy, QByteArray("n"), kMax), kMax);
    STORE_ERROR(call(*store, &StateStore::incrBy, QByteArray("n"), qint64(1)), "overflow");
    STORE_COMPARE(call(*store, &StateStore::get, QByteArray("n")), QByteArray::number(kMax));
    STORE_COMPARE(call(*store, &StateStore::incrBy, QByteArray("m"), qint64(-1)), -1);
    STORE_ERROR(call(*store, &StateStore::incrBy, QByteArray("m"), std::numeric_limits<qint64>::min()), "overflow");
}

// ---- keys

void TestStoreConformance::delCountsExistingKeys()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("a"), QByteArray("1"), qint64(0), SetMode::Always), true);
    STORE_COMPARE(call(*store, &StateStore::sadd, QByteArray("b"), Keys{"x"}), 1);
    STORE_COMPARE(call(*store, &StateStore::rpush, QByteArray("c"), Keys{"x"}), 1);
    STORE_COMPARE(call(*store, &StateStore::del, Keys{"a", "b", "missing", "a"}), 2);
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("a")), false);
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("b")), false);
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("c")), true);
    STORE_COMPARE(call(*store, &StateStore::del, Keys{"missing"}), 0);
}

void TestStoreConformance::existsAndTtl()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("k")), false);
    STORE_COMPARE(call(*store, &StateStore::ttl, QByteArray("k")), -2);
    STORE_COMPARE(call(*store, &StateStore::hset, QByteArray("k"), (Fields{{"f", "v"}})), 1);
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("k")), true);
    STORE_COMPARE(call(*store, &StateStore::ttl, QByteArray("k")), -1);
}

void TestStoreConformance::expireSetsDeadline()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::expire, QByteArray("missing"), qint64(1000)), false);
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("missing")), false);

    STORE_COMPARE(call(*store, &StateStore::zadd, QByteArray("z"), ScoredList{{"m", 1}}), 1);
    STORE_COMPARE(call(*store, &StateStore::expire, QByteArray("z"), qint64(60000)), true);
    Result<qint64> ttl = call(*store, &StateStore::ttl, QByteArray("z"));
    QVERIFY(ttl.ok());
    QVERIFY2(*ttl > 100 && *ttl <= 60000, qPrintable(QString::number(*ttl)));

    // A new expire replaces the deadline, shorter or longer.
    STORE_COMPARE(call(*store, &StateStore::expire, QByteArray("z"), qint64(100)), true);
    ttl = call(*store, &StateStore::ttl, QByteArray("z"));
    QVERIFY(ttl.ok());
    QVERIFY2(*ttl >= 0 && *ttl <= 100, qPrintable(QString::number(*ttl)));
    QTRY_VERIFY(call(*store, &StateStore::zcard, QByteArray("z")).valueOr(-1) == 0);
    STORE_COMPARE(call(*store, &StateStore::ttl, QByteArray("z")), -2);
}

void TestStoreConformance::expireNonPositiveDeletes()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::expire, QByteArray("missing"), qint64(0)), false);
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("a"), QByteArray("1"), qint64(0), SetMode::Always), true);
    STORE_COMPARE(call(*store, &StateStore::expire, QByteArray("a"), qint64(0)), true);
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("a")), false);
    STORE_COMPARE(call(*store, &StateStore::sadd, QByteArray("b"), Keys{"x"}), 1);
    STORE_COMPARE(call(*store, &StateStore::expire, QByteArray("b"), qint64(-5)), true);
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("b")), false);
}

void TestStoreConformance::expireRejectsOverflow()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("k"), QByteArray("v"), qint64(0), SetMode::Always), true);
    STORE_ERROR(call(*store, &StateStore::expire, QByteArray("k"), kMax), "invalid_argument");
    STORE_COMPARE(call(*store, &StateStore::ttl, QByteArray("k")), -1);
}

void TestStoreConformance::scanMatchesGlob_data()
{
    QTest::addColumn<QByteArray>("pattern");
    QTest::addColumn<Keys>("expected"); // sorted bytewise

    QTest::newRow("everything") << QByteArray("*")
                                << Keys{"a*b",  "a?b",  "a[b",  "a\\b", "h-llo",  "hallo",  "heeeello", "hello",
                                        "hllo", "hxllo", "room:a", "room:b", "roomx", "user:1", "user:10", "user:2"};
    QTest::newRow("prefix star") << QByteArray("user:*") << Keys{"user:1", "user:10", "user:2"};
    QTest::newRow("question mark") << QByteArray("user:?") << Keys{"user:1", "user:2"};
    QTest::newRow("class") << QByteArray("room:[ab]") << Keys{"room:a", "room:b"};
    QTest::newRow("negated class") << QByteArray("room[^:]") << Keys{"roomx"};
    QTest::newRow("range") << QByteArray("h[a-e]llo") << Keys{"hallo", "hello"};
    QTest::newRow("reversed range") << QByteArray("h[e-a]llo") << Keys{"hallo", "hello"};
    QTest::newRow("negated range") << QByteArray("h[^a-e]llo") << Keys{"h-llo", "hxllo"};
    QTest::newRow("dash first in class") << QByteArray("h[-x]llo") << Keys{"h-llo", "hxllo"};
    QTest::newRow("star in the middle") << QByteArray("h*llo")
                                        << Keys{"h-llo", "hallo", "heeeello", "hello", "hllo", "hxllo"};
    QTest::newRow("escaped star") << QByteArray("a\\*b") << Keys{"a*b"};
    QTest::newRow("escaped question mark") << QByteArray("a\\?b") << Keys{"a?b"};
    QTest::newRow("escaped bracket in class") << QByteArray("a[\\[]b") << Keys{"a[b"};
    QTest::newRow("escaped backslash") << QByteArray("a\\\\b") << Keys{"a\\b"};
    QTest::newRow("any middle byte") << QByteArray("a?b") << Keys{"a*b", "a?b", "a[b", "a\\b"};
    QTest::newRow("exact") << QByteArray("hello") << Keys{"hello"};
    QTest::newRow("no match") << QByteArray("nomatch*") << Keys{};
    QTest::newRow("case sensitive") << QByteArray("HELLO") << Keys{};
}

void TestStoreConformance::scanMatchesGlob()
{
    QFETCH(QByteArray, pattern);
    QFETCH(Keys, expected);
    MAKE_STORE(store);

    STORE_COMPARE(call(*store, &StateStore::scan, pattern), Keys());
    const Keys keys{"user:1", "user:2",  "user:10", "room:a", "room:b", "roomx", "a*b",   "a?b",
                    "a[b",    "a\\b",    "hello",   "hallo",  "hxllo",  "hllo",  "heeeello", "h-llo"};
    for (const QByteArray &key : keys) {
        // Keys of every type are listed.
        if (key.startsWith("room"))
            STORE_COMPARE(call(*store, &StateStore::sadd, key, Keys{"m"}), 1);
        else
            STORE_COMPARE(call(*store, &StateStore::set, key, QByteArray("v"), qint64(0), SetMode::Always), true);
    }
    Result<Keys> found = call(*store, &StateStore::scan, pattern);
    QVERIFY2(found.ok(), qPrintable(describeError(found)));
    Keys sorted = *found;
    std::sort(sorted.begin(), sorted.end());
    QCOMPARE(sorted, expected);
}

void TestStoreConformance::scanSkipsExpiredKeys()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("gone"), QByteArray("v"), qint64(100), SetMode::Always), true);
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("stay"), QByteArray("v"), qint64(0), SetMode::Always), true);
    QTRY_COMPARE(call(*store, &StateStore::scan, QByteArray("*")).valueOr(Keys{"error"}), Keys{"stay"});
}

// ---- hashes

void TestStoreConformance::hashes()
{
    MAKE_STORE(store);
    STORE_ABSENT(call(*store, &StateStore::hget, QByteArray("h"), QByteArray("f")));
    STORE_COMPARE(call(*store, &StateStore::hgetAll, QByteArray("h")), Fields());
    STORE_COMPARE(call(*store, &StateStore::hdel, QByteArray("h"), Keys{"f"}), 0);

    STORE_COMPARE(call(*store, &StateStore::hset, QByteArray("h"), (Fields{{"f1", "v1"}, {"f2", "v2"}})), 2);
    // Updating an existing field does not count as new.
    STORE_COMPARE(call(*store, &StateStore::hset, QByteArray("h"), (Fields{{"f2", "new"}, {"f3", "v3"}})), 1);
    STORE_COMPARE(call(*store, &StateStore::hget, QByteArray("h"), QByteArray("f2")), QByteArray("new"));
    STORE_ABSENT(call(*store, &StateStore::hget, QByteArray("h"), QByteArray("nope")));
    STORE_COMPARE(call(*store, &StateStore::hgetAll, QByteArray("h")),
                  (Fields{{"f1", "v1"}, {"f2", "new"}, {"f3", "v3"}}));
    STORE_COMPARE(call(*store, &StateStore::hdel, QByteArray("h"), Keys{"f1", "nope", "f1"}), 1);
    STORE_COMPARE(call(*store, &StateStore::hgetAll, QByteArray("h")), (Fields{{"f2", "new"}, {"f3", "v3"}}));

    const QByteArray binary("\0\x01\xff", 3);
    STORE_COMPARE(call(*store, &StateStore::hset, QByteArray("h"), (Fields{{binary, binary}})), 1);
    STORE_COMPARE(call(*store, &StateStore::hget, QByteArray("h"), binary), binary);
}

void TestStoreConformance::hashVanishesWhenEmpty()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::hset, QByteArray("h"), (Fields{{"a", "1"}, {"b", "2"}})), 2);
    STORE_COMPARE(call(*store, &StateStore::expire, QByteArray("h"), qint64(60000)), true);
    STORE_COMPARE(call(*store, &StateStore::hdel, QByteArray("h"), Keys{"a", "b"}), 2);
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("h")), false);
    STORE_COMPARE(call(*store, &StateStore::ttl, QByteArray("h")), -2);
    // Recreated, it starts without the old TTL.
    STORE_COMPARE(call(*store, &StateStore::hset, QByteArray("h"), (Fields{{"a", "1"}})), 1);
    STORE_COMPARE(call(*store, &StateStore::ttl, QByteArray("h")), -1);
}

void TestStoreConformance::hincrBy()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::hincrBy, QByteArray("h"), QByteArray("n"), qint64(5)), 5);
    STORE_COMPARE(call(*store, &StateStore::hincrBy, QByteArray("h"), QByteArray("n"), qint64(-7)), -2);
    STORE_COMPARE(call(*store, &StateStore::hget, QByteArray("h"), QByteArray("n")), QByteArray("-2"));
    STORE_COMPARE(call(*store, &StateStore::hincrBy, QByteArray("h"), QByteArray("m"), qint64(1)), 1);

    STORE_COMPARE(call(*store, &StateStore::hset, QByteArray("h"), (Fields{{"text", "abc"}, {"big", "9223372036854775807"}})), 2);
    STORE_ERROR(call(*store, &StateStore::hincrBy, QByteArray("h"), QByteArray("text"), qint64(1)), "not_integer");
    STORE_ERROR(call(*store, &StateStore::hincrBy, QByteArray("h"), QByteArray("big"), qint64(1)), "overflow");
    STORE_COMPARE(call(*store, &StateStore::hget, QByteArray("h"), QByteArray("text")), QByteArray("abc"));
    STORE_COMPARE(call(*store, &StateStore::hget, QByteArray("h"), QByteArray("big")), QByteArray("9223372036854775807"));
}

// ---- sets

void TestStoreConformance::sets()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::smembers, QByteArray("s")), Keys());
    STORE_COMPARE(call(*store, &StateStore::scard, QByteArray("s")), 0);
    STORE_COMPARE(call(*store, &StateStore::sismember, QByteArray("s"), QByteArray("a")), false);
    STORE_COMPARE(call(*store, &StateStore::srem, QByteArray("s"), Keys{"a"}), 0);

    STORE_COMPARE(call(*store, &StateStore::sadd, QByteArray("s"), Keys{"a", "b", "a"}), 2);
    STORE_COMPARE(call(*store, &StateStore::sadd, QByteArray("s"), Keys{"b", "c"}), 1);
    STORE_COMPARE(call(*store, &StateStore::scard, QByteArray("s")), 3);
    STORE_COMPARE(call(*store, &StateStore::sismember, QByteArray("s"), QByteArray("c")), true);
    STORE_COMPARE(call(*store, &StateStore::sismember, QByteArray("s"), QByteArray("z")), false);
    STORE_COMPARE(call(*store, &StateStore::srem, QByteArray("s"), Keys{"a", "z"}), 1);
    STORE_COMPARE(call(*store, &StateStore::smembers, QByteArray("s")), (Keys{"b", "c"}));
}

void TestStoreConformance::sscanWalksEveryMemberInPages()
{
    MAKE_STORE(store);
    const auto empty = call(*store, &StateStore::sscan, QByteArray("none"), QByteArray("0"), qint64(10));
    QVERIFY2(empty.ok(), qPrintable(describeError(empty)));
    QCOMPARE(empty.value().cursor, QByteArray("0"));
    QVERIFY(empty.value().items.isEmpty());

    Keys members;
    for (int i = 0; i < 1500; ++i)
        members.append("m" + QByteArray::number(i));
    STORE_COMPARE(call(*store, &StateStore::sadd, QByteArray("big"), members), 1500);
    // Walk it while members come and go: every member present throughout comes back, none invented.
    QSet<QByteArray> seen;
    QByteArray cursor("0");
    int pages = 0;
    do {
        const auto page = call(*store, &StateStore::sscan, QByteArray("big"), cursor, qint64(100));
        QVERIFY2(page.ok(), qPrintable(describeError(page)));
        QVERIFY(std::is_sorted(page.value().items.cbegin(), page.value().items.cend()));
        for (const QByteArray &m : page.value().items)
            seen.insert(m);
        cursor = page.value().cursor;
        if (++pages == 3) {
            STORE_COMPARE(call(*store, &StateStore::sadd, QByteArray("big"), Keys{"late"}), 1);
            STORE_COMPARE(call(*store, &StateStore::srem, QByteArray("big"), Keys{"m7"}), 1);
        }
        QVERIFY(pages < 1000);
    } while (cursor != "0");
    QVERIFY2(pages > 2, "a big set comes back in several pages");
    for (const QByteArray &m : std::as_const(members)) {
        if (m != "m7")
            QVERIFY2(seen.contains(m), m.constData());
    }
    for (const QByteArray &m : std::as_const(seen))
        QVERIFY2(members.contains(m) || m == "late", m.constData());

    // Not a set: the type error, as for every set command.
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("str"), QByteArray("v"), qint64(0), SetMode::Always), true);
    STORE_ERROR(call(*store, &StateStore::sscan, QByteArray("str"), QByteArray("0"), qint64(10)), "wrong_type");
}

void TestStoreConformance::unlinkCountsLikeDel()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("a"), QByteArray("1"), qint64(0), SetMode::Always), true);
    STORE_COMPARE(call(*store, &StateStore::sadd, QByteArray("b"), Keys{"x"}), 1);
    STORE_COMPARE(call(*store, &StateStore::unlink, Keys{"a", "b", "missing"}), 2);
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("a")), false);
    STORE_COMPARE(call(*store, &StateStore::unlink, Keys{"a"}), 0);
}

void TestStoreConformance::setMembersSortedBytewise()
{
    MAKE_STORE(store);
    const QByteArray withNul("a\0b", 3);
    STORE_COMPARE(call(*store, &StateStore::sadd, QByteArray("s"), Keys{"b", "\xff", "a", "B", withNul, "10", "9", ""}), 8);
    STORE_COMPARE(call(*store, &StateStore::smembers, QByteArray("s")), (Keys{"", "10", "9", "B", "a", withNul, "b", "\xff"}));
}

void TestStoreConformance::setVanishesWhenEmpty()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::sadd, QByteArray("s"), Keys{"a", "b"}), 2);
    STORE_COMPARE(call(*store, &StateStore::srem, QByteArray("s"), Keys{"a", "b"}), 2);
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("s")), false);
    STORE_COMPARE(call(*store, &StateStore::scan, QByteArray("*")), Keys());
    // Gone means gone: the key can take another type now.
    STORE_COMPARE(call(*store, &StateStore::rpush, QByteArray("s"), Keys{"x"}), 1);
}

// ---- sorted sets

void TestStoreConformance::zaddAndScores()
{
    MAKE_STORE(store);
    STORE_ABSENT(call(*store, &StateStore::zscore, QByteArray("z"), QByteArray("a")));
    STORE_COMPARE(call(*store, &StateStore::zcard, QByteArray("z")), 0);
    STORE_COMPARE(call(*store, &StateStore::zrem, QByteArray("z"), Keys{"a"}), 0);

    STORE_COMPARE(call(*store, &StateStore::zadd, QByteArray("z"), ScoredList{{"a", 1.5}, {"b", -2}, {"a", 3}}), 2);
    STORE_COMPARE(call(*store, &StateStore::zscore, QByteArray("z"), QByteArray("a")), 3.0);
    // Updating a score is not an addition.
    STORE_COMPARE(call(*store, &StateStore::zadd, QByteArray("z"), ScoredList{{"a", 0.25}, {"c", 1e300}}), 1);
    STORE_COMPARE(call(*store, &StateStore::zscore, QByteArray("z"), QByteArray("a")), 0.25);
    STORE_COMPARE(call(*store, &StateStore::zscore, QByteArray("z"), QByteArray("c")), 1e300);
    STORE_ABSENT(call(*store, &StateStore::zscore, QByteArray("z"), QByteArray("nope")));
    STORE_COMPARE(call(*store, &StateStore::zcard, QByteArray("z")), 3);
    STORE_COMPARE(call(*store, &StateStore::zrangeByScore, QByteArray("z"), -kInf, kInf, qint64(0), qint64(-1)),
                  (ScoredList{{"b", -2}, {"a", 0.25}, {"c", 1e300}}));
    STORE_COMPARE(call(*store, &StateStore::zrem, QByteArray("z"), Keys{"a", "nope", "a"}), 1);
    STORE_COMPARE(call(*store, &StateStore::zcard, QByteArray("z")), 2);
}

void TestStoreConformance::zrangeByScore_data()
{
    QTest::addColumn<double>("min");
    QTest::addColumn<double>("max");
    QTest::addColumn<qint64>("offset");
    QTest::addColumn<qint64>("limit");
    QTest::addColumn<Keys>("expected");

    const Keys all{"low", "a", "B", "b", "c", "d", "e", "top"};
    QTest::newRow("everything") << -kInf << kInf << qint64(0) << qint64(-1) << all;
    QTest::newRow("inclusive bounds, ties by member") << 2.0 << 3.0 << qint64(0) << qint64(-1) << Keys{"B", "b", "c", "d"};
    QTest::newRow("one score") << 2.0 << 2.0 << qint64(0) << qint64(-1) << Keys{"B", "b", "c"};
    QTest::newRow("offset and limit within ties") << 2.0 << 2.0 << qint64(1) << qint64(1) << Keys{"b"};
    QTest::newRow("offset and limit across scores") << -kInf << kInf << qint64(2) << qint64(3) << Keys{"B", "b", "c"};
    QTest::newRow("limit past the end") << 2.0 << 2.0 << qint64(0) << qint64(10) << Keys{"B", "b", "c"};
    QTest::newRow("offset past the end") << 2.0 << 2.0 << qint64(5) << qint64(-1) << Keys{};
    QTest::newRow("zero limit") << -kInf << kInf << qint64(0) << qint64(0) << Keys{};
    QTest::newRow("any negative limit is no limit") << -kInf << 1.0 << qint64(0) << qint64(-5) << Keys{"low", "a"};
    QTest::newRow("negative offset") << -kInf << kInf << qint64(-1) << qint64(5) << Keys{};
    QTest::newRow("min above max") << 3.0 << 2.0 << qint64(0) << qint64(-1) << Keys{};
    QTest::newRow("fractional bounds") << 1.5 << 5.5 << qint64(0) << qint64(-1) << Keys{"B", "b", "c", "d", "e"};
    QTest::newRow("only infinities") << kInf << kInf << qint64(0) << qint64(-1) << Keys{"top"};
    QTest::newRow("nothing in range") << 3.5 << 5.0 << qint64(0) << qint64(-1) << Keys{};
}

void TestStoreConformance::zrangeByScore()
{
    QFETCH(double, min);
    QFETCH(double, max);
    QFETCH(qint64, offset);
    QFETCH(qint64, limit);
    QFETCH(Keys, expected);
    MAKE_STORE(store);

    const ScoredList members{{"c", 2}, {"top", kInf}, {"e", 5.5}, {"b", 2}, {"a", 1}, {"d", 3}, {"low", -kInf}, {"B", 2}};
    STORE_COMPARE(call(*store, &StateStore::zadd, QByteArray("z"), members), 8);
    STORE_COMPARE(call(*store, &StateStore::zrangeByScore, QByteArray("missing"), min, max, offset, limit), ScoredList());

    const Result<ScoredList> range = call(*store, &StateStore::zrangeByScore, QByteArray("z"), min, max, offset, limit);
    QVERIFY2(range.ok(), qPrintable(describeError(range)));
    ScoredList expectedScored;
    for (const QByteArray &member : expected) {
        const auto it = std::find_if(members.cbegin(), members.cend(), [&](const ScoredMember &m) { return m.member == member; });
        expectedScored.append(*it);
    }
    QCOMPARE(*range, expectedScored);
}

void TestStoreConformance::zsetVanishesWhenEmpty()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::zadd, QByteArray("z"), ScoredList{{"a", 1}, {"b", 2}}), 2);
    STORE_COMPARE(call(*store, &StateStore::zrem, QByteArray("z"), Keys{"a", "b"}), 2);
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("z")), false);
    STORE_COMPARE(call(*store, &StateStore::zcard, QByteArray("z")), 0);
}

void TestStoreConformance::zsetRejectsNaN()
{
    MAKE_STORE(store);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    STORE_ERROR(call(*store, &StateStore::zadd, QByteArray("z"), ScoredList{{"a", 1}, {"b", nan}}), "invalid_argument");
    // Nothing was added: the scores are all checked first.
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("z")), false);
    STORE_COMPARE(call(*store, &StateStore::zadd, QByteArray("z"), ScoredList{{"a", 1}}), 1);
    STORE_ERROR(call(*store, &StateStore::zrangeByScore, QByteArray("z"), nan, 1.0, qint64(0), qint64(-1)),
                "invalid_argument");
    STORE_ERROR(call(*store, &StateStore::zrangeByScore, QByteArray("z"), 0.0, nan, qint64(0), qint64(-1)),
                "invalid_argument");
}

// ---- lists

void TestStoreConformance::pushOrder()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::llen, QByteArray("l")), 0);
    STORE_COMPARE(call(*store, &StateStore::lrange, QByteArray("l"), qint64(0), qint64(-1)), Keys());
    STORE_COMPARE(call(*store, &StateStore::ltrim, QByteArray("l"), qint64(0), qint64(1)), true);
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("l")), false);

    STORE_COMPARE(call(*store, &StateStore::rpush, QByteArray("l"), Keys{"a", "b"}), 2);
    STORE_COMPARE(call(*store, &StateStore::lpush, QByteArray("l"), Keys{"x", "y"}), 4);
    STORE_COMPARE(call(*store, &StateStore::rpush, QByteArray("l"), Keys{"a"}), 5);
    STORE_COMPARE(call(*store, &StateStore::lrange, QByteArray("l"), qint64(0), qint64(-1)), (Keys{"y", "x", "a", "b", "a"}));
    STORE_COMPARE(call(*store, &StateStore::llen, QByteArray("l")), 5);
}

void TestStoreConformance::lrange_data()
{
    QTest::addColumn<qint64>("start");
    QTest::addColumn<qint64>("stop");
    QTest::addColumn<Keys>("expected");

    const Keys all{"a", "b", "c", "d", "e"};
    QTest::newRow("0..-1") << qint64(0) << qint64(-1) << all;
    QTest::newRow("0..0") << qint64(0) << qint64(0) << Keys{"a"};
    QTest::newRow("1..3") << qint64(1) << qint64(3) << Keys{"b", "c", "d"};
    QTest::newRow("-2..-1") << qint64(-2) << qint64(-1) << Keys{"d", "e"};
    QTest::newRow("2..-3") << qint64(2) << qint64(-3) << Keys{"c"};
    QTest::newRow("-3..2") << qint64(-3) << qint64(2) << Keys{"c"};
    QTest::newRow("clamped both ends") << qint64(-100) << qint64(100) << all;
    QTest::newRow("-6..0 clamps start") << qint64(-6) << qint64(0) << Keys{"a"};
    QTest::newRow("start after stop") << qint64(3) << qint64(1) << Keys{};
    QTest::newRow("start past the end") << qint64(5) << qint64(10) << Keys{};
    QTest::newRow("-1..-2") << qint64(-1) << qint64(-2) << Keys{};
    QTest::newRow("stop before the start of the list") << qint64(0) << qint64(-6) << Keys{};
    QTest::newRow("last") << qint64(4) << qint64(4) << Keys{"e"};
}

void TestStoreConformance::lrange()
{
    QFETCH(qint64, start);
    QFETCH(qint64, stop);
    QFETCH(Keys, expected);
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::rpush, QByteArray("l"), Keys{"a", "b", "c", "d", "e"}), 5);
    STORE_COMPARE(call(*store, &StateStore::lrange, QByteArray("l"), start, stop), expected);
    STORE_COMPARE(call(*store, &StateStore::lrange, QByteArray("missing"), start, stop), Keys());
}

void TestStoreConformance::ltrim_data()
{
    QTest::addColumn<qint64>("start");
    QTest::addColumn<qint64>("stop");
    QTest::addColumn<Keys>("expected");

    QTest::newRow("keep all") << qint64(0) << qint64(-1) << Keys{"a", "b", "c", "d", "e"};
    QTest::newRow("inner") << qint64(1) << qint64(-2) << Keys{"b", "c", "d"};
    QTest::newRow("last two") << qint64(-2) << qint64(-1) << Keys{"d", "e"};
    QTest::newRow("first two, start clamped") << qint64(-100) << qint64(1) << Keys{"a", "b"};
    QTest::newRow("first") << qint64(0) << qint64(0) << Keys{"a"};
    QTest::newRow("stop clamped") << qint64(3) << qint64(100) << Keys{"d", "e"};
    QTest::newRow("start past the end empties") << qint64(5) << qint64(10) << Keys{};
    QTest::newRow("start after stop empties") << qint64(3) << qint64(1) << Keys{};
}

void TestStoreConformance::ltrim()
{
    QFETCH(qint64, start);
    QFETCH(qint64, stop);
    QFETCH(Keys, expected);
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::rpush, QByteArray("l"), Keys{"a", "b", "c", "d", "e"}), 5);
    STORE_COMPARE(call(*store, &StateStore::ltrim, QByteArray("l"), start, stop), true);
    STORE_COMPARE(call(*store, &StateStore::lrange, QByteArray("l"), qint64(0), qint64(-1)), expected);
    STORE_COMPARE(call(*store, &StateStore::llen, QByteArray("l")), expected.size());
    // Trimmed to nothing, the list is gone.
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("l")), !expected.isEmpty());
}

// ---- errors common to every command

void TestStoreConformance::wrongType_data()
{
    QTest::addColumn<Probe>("probe");

    // "str" holds a string and "list" a list: every command meets the wrong kind.
    QTest::newRow("get") << probe(&StateStore::get, QByteArray("list"));
    QTest::newRow("incrBy") << probe(&StateStore::incrBy, QByteArray("list"), qint64(1));
    QTest::newRow("hset") << probe(&StateStore::hset, QByteArray("str"), Fields{{"f", "v"}});
    QTest::newRow("hget") << probe(&StateStore::hget, QByteArray("str"), QByteArray("f"));
    QTest::newRow("hgetAll") << probe(&StateStore::hgetAll, QByteArray("str"));
    QTest::newRow("hdel") << probe(&StateStore::hdel, QByteArray("str"), Keys{"f"});
    QTest::newRow("hincrBy") << probe(&StateStore::hincrBy, QByteArray("str"), QByteArray("f"), qint64(1));
    QTest::newRow("sadd") << probe(&StateStore::sadd, QByteArray("str"), Keys{"m"});
    QTest::newRow("srem") << probe(&StateStore::srem, QByteArray("str"), Keys{"m"});
    QTest::newRow("smembers") << probe(&StateStore::smembers, QByteArray("str"));
    QTest::newRow("sismember") << probe(&StateStore::sismember, QByteArray("str"), QByteArray("m"));
    QTest::newRow("scard") << probe(&StateStore::scard, QByteArray("str"));
    QTest::newRow("zadd") << probe(&StateStore::zadd, QByteArray("str"), ScoredList{{"m", 1}});
    QTest::newRow("zrem") << probe(&StateStore::zrem, QByteArray("str"), Keys{"m"});
    QTest::newRow("zscore") << probe(&StateStore::zscore, QByteArray("str"), QByteArray("m"));
    QTest::newRow("zrangeByScore") << probe(&StateStore::zrangeByScore, QByteArray("str"), -kInf, kInf, qint64(0),
                                            qint64(-1));
    QTest::newRow("zcard") << probe(&StateStore::zcard, QByteArray("str"));
    QTest::newRow("rpush") << probe(&StateStore::rpush, QByteArray("str"), Keys{"v"});
    QTest::newRow("lpush") << probe(&StateStore::lpush, QByteArray("str"), Keys{"v"});
    QTest::newRow("lrange") << probe(&StateStore::lrange, QByteArray("str"), qint64(0), qint64(-1));
    QTest::newRow("ltrim") << probe(&StateStore::ltrim, QByteArray("str"), qint64(0), qint64(-1));
    QTest::newRow("llen") << probe(&StateStore::llen, QByteArray("str"));
}

void TestStoreConformance::wrongType()
{
    QFETCH(Probe, probe);
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("str"), QByteArray("x"), qint64(0), SetMode::Always), true);
    STORE_COMPARE(call(*store, &StateStore::rpush, QByteArray("list"), Keys{"a", "b"}), 2);

    const std::optional<Error> error = probe(*store);
    QVERIFY2(error, "the command succeeded on a key of the wrong type");
    QCOMPARE(error->code, QStringLiteral("wrong_type"));
    QVERIFY2(error->message.startsWith(QLatin1String("WRONGTYPE")), qPrintable(error->message));

    // Nothing changed.
    STORE_COMPARE(call(*store, &StateStore::get, QByteArray("str")), QByteArray("x"));
    STORE_COMPARE(call(*store, &StateStore::lrange, QByteArray("list"), qint64(0), qint64(-1)), (Keys{"a", "b"}));
}

void TestStoreConformance::emptyArgumentListsRejected_data()
{
    QTest::addColumn<Probe>("probe");
    QTest::newRow("del") << probe(&StateStore::del, Keys{});
    QTest::newRow("hset") << probe(&StateStore::hset, QByteArray("k"), Fields{});
    QTest::newRow("hdel") << probe(&StateStore::hdel, QByteArray("k"), Keys{});
    QTest::newRow("sadd") << probe(&StateStore::sadd, QByteArray("k"), Keys{});
    QTest::newRow("srem") << probe(&StateStore::srem, QByteArray("k"), Keys{});
    QTest::newRow("zadd") << probe(&StateStore::zadd, QByteArray("k"), ScoredList{});
    QTest::newRow("zrem") << probe(&StateStore::zrem, QByteArray("k"), Keys{});
    QTest::newRow("rpush") << probe(&StateStore::rpush, QByteArray("k"), Keys{});
    QTest::newRow("lpush") << probe(&StateStore::lpush, QByteArray("k"), Keys{});
}

void TestStoreConformance::emptyArgumentListsRejected()
{
    QFETCH(Probe, probe);
    MAKE_STORE(store);
    const std::optional<Error> error = probe(*store);
    QVERIFY2(error, "an empty argument list was accepted");
    QCOMPARE(error->code, QStringLiteral("invalid_argument"));
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("k")), false);
}

// ---- callback delivery

void TestStoreConformance::callbacksAreAsynchronousAndOnce()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::sadd, QByteArray("set"), Keys{"m"}), 1);

    QObject context;
    int successes = 0;
    int failures = 0;
    int unknowns = 0;
    int publishes = 0;
    QList<qint64> counts;
    for (int i = 0; i < 3; ++i)
        store->incrBy("n", 1, &context, [&](Result<qint64> r) { counts.append(r.valueOr(-1)); });
    store->get("set", &context, [&](Result<std::optional<QByteArray>> r) { failures += r.ok() ? 100 : 1; });
    store->exists("set", &context, [&](Result<bool> r) { successes += r.valueOr(false) ? 1 : 100; });
    store->run("no such operation", {}, {}, &context, [&](Result<Reply> r) { unknowns += r.ok() ? 100 : 1; });
    store->publish("nobody", "hello", &context, [&](Result<qint64> r) { publishes += r.valueOr(-1) == 0 ? 1 : 100; });

    // Nothing may be delivered inside the calls, successes and failures alike.
    QVERIFY(counts.isEmpty());
    QCOMPARE(successes + failures + unknowns + publishes, 0);

    QTRY_VERIFY(counts.size() == 3 && successes == 1 && failures == 1 && unknowns == 1 && publishes == 1);
    std::sort(counts.begin(), counts.end());
    QCOMPARE(counts, (QList<qint64>{1, 2, 3}));

    // ... and each exactly once.
    QTest::qWait(100);
    QCOMPARE(counts.size(), 3);
    QCOMPARE(successes + failures + unknowns + publishes, 4);
}

void TestStoreConformance::callbackDroppedWhenContextDestroyed()
{
    MAKE_STORE(store);
    bool called = false;
    {
        QObject context;
        store->set("k", "v", 0, SetMode::Always, &context, [&](Result<bool>) { called = true; });
        store->incrBy("k", 1, &context, [&](Result<qint64>) { called = true; }); // an error reply
        store->get("k", &context, [&](Result<std::optional<QByteArray>>) { called = true; });
    }
    // The write itself still happens; only the replies are dropped.
    QTRY_COMPARE(call(*store, &StateStore::get, QByteArray("k")).valueOr(QByteArray("error")), QByteArray("v"));
    QTest::qWait(100);
    QVERIFY(!called);
}

void TestStoreConformance::nullContextAndNullCallback()
{
    MAKE_STORE(store);
    // A null callback: the command runs, nothing is delivered.
    store->set("k", "v", 0, SetMode::Always, nullptr, StoreCallback<bool>());
    // A null context: delivered with the store as context.
    std::optional<Result<std::optional<QByteArray>>> got;
    store->get("k", nullptr, [&](Result<std::optional<QByteArray>> r) { got.emplace(std::move(r)); });
    QVERIFY(!got);
    QTRY_VERIFY(got.has_value());
    QVERIFY(got->ok());
    QCOMPARE(got->value(), std::optional<QByteArray>(QByteArray("v")));
}

// ---- publish/subscribe

void TestStoreConformance::publishReachesSubscribers()
{
    MAKE_STORE(publisher);
    MAKE_STORE(subscriber);
    QSignalSpy spy(subscriber.get(), &StateStore::message);
    subscriber->subscribe("room-events");
    QVERIFY(waitForSubscribers(*publisher, "room-events", 1));

    const QByteArray binary("\0\xff payload", 10);
    STORE_COMPARE(call(*publisher, &StateStore::publish, QByteArray("room-events"), QByteArray("one")), 1);
    STORE_COMPARE(call(*publisher, &StateStore::publish, QByteArray("room-events"), QByteArray("two")), 1);
    STORE_COMPARE(call(*publisher, &StateStore::publish, QByteArray("room-events"), binary), 1);
    STORE_COMPARE(call(*publisher, &StateStore::publish, QByteArray("other"), QByteArray("not for us")), 0);

    // In publish order, on the subscribed channel only.
    QTRY_COMPARE(payloadsOn(spy, "room-events", "probe").size(), 3);
    QCOMPARE(payloadsOn(spy, "room-events", "probe"), (QList<QByteArray>{"one", "two", binary}));
    QTest::qWait(50);
    QVERIFY(!received(spy, "other", "not for us"));
    for (const QList<QVariant> &args : spy)
        QCOMPARE(args.value(0).toByteArray(), QByteArray("room-events"));

    // A store receives what it publishes itself when it subscribed.
    QSignalSpy selfSpy(publisher.get(), &StateStore::message);
    publisher->subscribe("self");
    QVERIFY(waitForSubscribers(*publisher, "self", 1));
    STORE_COMPARE(call(*publisher, &StateStore::publish, QByteArray("self"), QByteArray("echo")), 1);
    QTRY_VERIFY(received(selfSpy, "self", "echo"));
}

void TestStoreConformance::publishCountsEverySubscriber()
{
    MAKE_STORE(publisher);
    MAKE_STORE(first);
    MAKE_STORE(second);
    QSignalSpy firstSpy(first.get(), &StateStore::message);
    QSignalSpy secondSpy(second.get(), &StateStore::message);
    first->subscribe("broadcast");
    second->subscribe("broadcast");
    QVERIFY(waitForSubscribers(*publisher, "broadcast", 2));

    STORE_COMPARE(call(*publisher, &StateStore::publish, QByteArray("broadcast"), QByteArray("hi")), 2);
    QTRY_VERIFY(received(firstSpy, "broadcast", "hi"));
    QTRY_VERIFY(received(secondSpy, "broadcast", "hi"));
    QCOMPARE(payloadsOn(firstSpy, "broadcast", "probe"), QList<QByteArray>{"hi"});
}

void TestStoreConformance::publishWithoutSubscribersCountsZero()
{
    MAKE_STORE(store);
    STORE_COMPARE(call(*store, &StateStore::publish, QByteArray("nobody"), QByteArray("hello")), 0);
    // Publishing writes no keys.
    STORE_COMPARE(call(*store, &StateStore::scan, QByteArray("*")), Keys());
}

void TestStoreConformance::unsubscribeStopsDelivery()
{
    MAKE_STORE(publisher);
    MAKE_STORE(subscriber);
    QSignalSpy spy(subscriber.get(), &StateStore::message);
    subscriber->subscribe("a");
    subscriber->subscribe("b");
    QVERIFY(waitForSubscribers(*publisher, "a", 1));
    QVERIFY(waitForSubscribers(*publisher, "b", 1));

    subscriber->unsubscribe("a");
    QVERIFY(waitForSubscribers(*publisher, "a", 0));
    spy.clear();
    STORE_COMPARE(call(*publisher, &StateStore::publish, QByteArray("a"), QByteArray("after")), 0);
    STORE_COMPARE(call(*publisher, &StateStore::publish, QByteArray("b"), QByteArray("still")), 1);
    QTRY_VERIFY(received(spy, "b", "still"));
    QTest::qWait(50);
    QVERIFY(!received(spy, "a", "after"));

    // Unsubscribing from a channel never subscribed is harmless.
    subscriber->unsubscribe("never");
    STORE_COMPARE(call(*publisher, &StateStore::publish, QByteArray("b"), QByteArray("again")), 1);
}

// ---- named operations

void TestStoreConformance::claimOperation()
{
    MAKE_STORE(alice);
    MAKE_STORE(bob);
    alice->registerOperation("claim", ::claimOperation());
    bob->registerOperation("claim", ::claimOperation());

    STORE_COMPARE(call(*alice, &StateStore::run, QByteArray("claim"), Keys{"lock"}, StateStore::Args{"alice", "60000"}),
                  Reply::array({Reply::integer(1), Reply::string("alice")}));
    STORE_COMPARE(call(*bob, &StateStore::run, QByteArray("claim"), Keys{"lock"}, StateStore::Args{"bob", "60000"}),
                  Reply::array({Reply::integer(0), Reply::string("alice")}));
    STORE_COMPARE(call(*bob, &StateStore::get, QByteArray("lock")), QByteArray("alice"));
    const Result<qint64> ttl = call(*bob, &StateStore::ttl, QByteArray("lock"));
    QVERIFY(ttl.ok() && *ttl > 0 && *ttl <= 60000);

    // A short claim lapses and can then be taken.
    STORE_COMPARE(call(*alice, &StateStore::run, QByteArray("claim"), Keys{"short"}, StateStore::Args{"alice", "100"}),
                  Reply::array({Reply::integer(1), Reply::string("alice")}));
    QTRY_VERIFY(call(*bob, &StateStore::exists, QByteArray("short")).valueOr(true) == false);
    STORE_COMPARE(call(*bob, &StateStore::run, QByteArray("claim"), Keys{"short"}, StateStore::Args{"bob", "60000"}),
                  Reply::array({Reply::integer(1), Reply::string("bob")}));

    // Bad input fails the operation and writes nothing.
    STORE_ERROR(call(*alice, &StateStore::run, QByteArray("claim"), Keys{"other"}, StateStore::Args{"alice", "soon"}),
                "script_error");
    STORE_COMPARE(call(*alice, &StateStore::exists, QByteArray("other")), false);
}

void TestStoreConformance::moveMemberOperation()
{
    MAKE_STORE(store);
    store->registerOperation("moveMember", ::moveMemberOperation());
    STORE_COMPARE(call(*store, &StateStore::sadd, QByteArray("waiting"), Keys{"p1", "p2"}), 2);

    STORE_COMPARE(call(*store, &StateStore::run, QByteArray("moveMember"), Keys{"waiting", "playing"}, StateStore::Args{"p1"}),
                  Reply::integer(1));
    STORE_COMPARE(call(*store, &StateStore::smembers, QByteArray("waiting")), Keys{"p2"});
    STORE_COMPARE(call(*store, &StateStore::smembers, QByteArray("playing")), Keys{"p1"});

    STORE_COMPARE(call(*store, &StateStore::run, QByteArray("moveMember"), Keys{"waiting", "playing"}, StateStore::Args{"p9"}),
                  Reply::integer(0));
    STORE_COMPARE(call(*store, &StateStore::run, QByteArray("moveMember"), Keys{"waiting", "playing"}, StateStore::Args{"p2"}),
                  Reply::integer(1));
    // The source set emptied and vanished.
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("waiting")), false);
    STORE_COMPARE(call(*store, &StateStore::smembers, QByteArray("playing")), (Keys{"p1", "p2"}));

    // A wrong-type key inside the operation fails it.
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("str"), QByteArray("x"), qint64(0), SetMode::Always), true);
    STORE_ERROR(call(*store, &StateStore::run, QByteArray("moveMember"), Keys{"str", "playing"}, StateStore::Args{"p1"}),
                "script_error");
}

void TestStoreConformance::popGroupOperation()
{
    MAKE_STORE(store);
    store->registerOperation("popGroup", ::popGroupOperation());
    STORE_COMPARE(call(*store, &StateStore::zadd, QByteArray("queue"), ScoredList{{"p3", 30}, {"p1", 10}, {"p2", 20}}), 3);

    STORE_COMPARE(call(*store, &StateStore::run, QByteArray("popGroup"), Keys{"queue"}, StateStore::Args{"2"}),
                  Reply::array({Reply::string("p1"), Reply::string("p2")}));
    STORE_COMPARE(call(*store, &StateStore::zcard, QByteArray("queue")), 1);
    // Too few waiting: nothing popped.
    STORE_COMPARE(call(*store, &StateStore::run, QByteArray("popGroup"), Keys{"queue"}, StateStore::Args{"2"}),
                  Reply::array({}));
    STORE_COMPARE(call(*store, &StateStore::zcard, QByteArray("queue")), 1);
    STORE_COMPARE(call(*store, &StateStore::run, QByteArray("popGroup"), Keys{"queue"}, StateStore::Args{"1"}),
                  Reply::array({Reply::string("p3")}));
    STORE_COMPARE(call(*store, &StateStore::exists, QByteArray("queue")), false);
}

void TestStoreConformance::failingOperation()
{
    MAKE_STORE(store);
    store->registerOperation("joinFullRoom", roomFullOperation());
    const Result<Reply> result = call(*store, &StateStore::run, QByteArray("joinFullRoom"), Keys{"room"}, StateStore::Args{});
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, QStringLiteral("script_error"));
    QVERIFY2(result.error().message.contains(QLatin1String("room is full")), qPrintable(result.error().message));
}

void TestStoreConformance::conditionalFailureChangesNothing()
{
    MAKE_STORE(store);
    store->registerOperation("withdraw", withdrawOperation());
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("balance"), QByteArray("10"), qint64(0), SetMode::Always), true);

    STORE_COMPARE(call(*store, &StateStore::run, QByteArray("withdraw"), Keys{"balance"}, StateStore::Args{"3"}),
                  Reply::integer(7));
    const Result<Reply> refused = call(*store, &StateStore::run, QByteArray("withdraw"), Keys{"balance"}, StateStore::Args{"8"});
    QVERIFY(!refused.ok());
    QCOMPARE(refused.error().code, QStringLiteral("script_error"));
    QVERIFY2(refused.error().message.contains(QLatin1String("INSUFFICIENT_FUNDS balance 7")),
             qPrintable(refused.error().message));
    STORE_COMPARE(call(*store, &StateStore::get, QByteArray("balance")), QByteArray("7"));
    STORE_COMPARE(call(*store, &StateStore::run, QByteArray("withdraw"), Keys{"balance"}, StateStore::Args{"7"}),
                  Reply::integer(0));
}

void TestStoreConformance::unknownOperation()
{
    MAKE_STORE(store);
    store->registerOperation("known", constantOperation(1));
    STORE_ERROR(call(*store, &StateStore::run, QByteArray("unknown"), Keys{}, StateStore::Args{}), "unknown_operation");
    // Operations are registered per store.
    MAKE_STORE(other);
    STORE_ERROR(call(*other, &StateStore::run, QByteArray("known"), Keys{}, StateStore::Args{}), "unknown_operation");
}

void TestStoreConformance::registerOperationReplaces()
{
    MAKE_STORE(store);
    store->registerOperation("version", constantOperation(1));
    STORE_COMPARE(call(*store, &StateStore::run, QByteArray("version"), Keys{}, StateStore::Args{}), Reply::integer(1));
    store->registerOperation("version", constantOperation(2));
    STORE_COMPARE(call(*store, &StateStore::run, QByteArray("version"), Keys{}, StateStore::Args{}), Reply::integer(2));
}

QTEST_GUILESS_MAIN(TestStoreConformance)
#include "tst_storeconformance.moc"
