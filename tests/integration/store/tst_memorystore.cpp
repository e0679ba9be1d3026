// MemoryStore and MemoryData behaviour beyond the conformance suite: shared data between stores,
// the purge timer, subscriber bookkeeping, glob matching and error mapping.
#include "shared/store/globmatch.h"
#include "shared/store/memorydata.h"
#include "shared/store/memorystore.h"
#include "tests/integration/store/storetestsupport.h"

#include <QRegularExpression>
#include <QSignalSpy>
#include <QTest>

#include <memory>

using namespace arena;
using namespace arena::test;

using Keys = StateStore::Keys;
using SetMode = StateStore::SetMode;

class TestMemoryStore : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void identity();
    void storesSharingDataSeeEachOther();
    void separateStoresAreIsolated();
    void publishReachesEveryStoreSharingData();
    void subscribingTwiceCountsOnce();
    void destroyedStoreStopsCounting();
    void messageDroppedWhenStoreDestroyedBeforeDelivery();
    void callbackWithNullContextDroppedWithStore();
    void purgeTimerFreesExpiredKeys();
    void purgeIntervalCanBeStopped();
    void lazyExpiryOnAccess();
    void purgeExpiredCountsOnlyExpiredKeys();
    void operationsArePerStore();
    void operationWithoutMemoryFunctionFails();
    void operationCanPublish();
    void typeNames();
    void clearDropsKeysKeepsSubscriptions();
    void globMatch_data();
    void globMatch();
    void errorMapping_data();
    void errorMapping();
};

void TestMemoryStore::identity()
{
    MemoryStore store;
    QCOMPARE(store.backendName(), QStringLiteral("memory"));
    QVERIFY(store.isAvailable());
    QVERIFY(store.data());
    QCOMPARE(store.purgeInterval(), MemoryStore::DefaultPurgeInterval);
}

void TestMemoryStore::storesSharingDataSeeEachOther()
{
    auto data = std::make_shared<MemoryData>();
    MemoryStore a(data);
    MemoryStore b(data);
    QCOMPARE(a.data(), b.data());

    STORE_COMPARE(call(a, &StateStore::set, QByteArray("k"), QByteArray("from a"), qint64(0), SetMode::Always), true);
    STORE_COMPARE(call(b, &StateStore::get, QByteArray("k")), QByteArray("from a"));
    STORE_COMPARE(call(b, &StateStore::sadd, QByteArray("s"), Keys{"x"}), 1);
    STORE_COMPARE(call(a, &StateStore::smembers, QByteArray("s")), Keys{"x"});
    // The synchronous core sees the same state.
    QCOMPARE(data->get("k").value(), std::optional<QByteArray>("from a"));
    QCOMPARE(data->keyCount(), 2);
}

void TestMemoryStore::separateStoresAreIsolated()
{
    MemoryStore a;
    MemoryStore b;
    QVERIFY(a.data() != b.data());
    STORE_COMPARE(call(a, &StateStore::set, QByteArray("k"), QByteArray("v"), qint64(0), SetMode::Always), true);
    STORE_COMPARE(call(b, &StateStore::exists, QByteArray("k")), false);

    // A null MemoryData gets replaced by a fresh one rather than crashing later.
    MemoryStore c(std::shared_ptr<MemoryData>{});
    QVERIFY(c.data());
    STORE_COMPARE(call(c, &StateStore::exists, QByteArray("k")), false);
}

void TestMemoryStore::publishReachesEveryStoreSharingData()
{
    auto data = std::make_shared<MemoryData>();
    MemoryStore publisher(data);
    MemoryStore b(data);
    MemoryStore c(data);
    QSignalSpy publisherSpy(&publisher, &StateStore::message);
    QSignalSpy bSpy(&b, &StateStore::message);
    QSignalSpy cSpy(&c, &StateStore::message);
    b.subscribe("ch");
    c.subscribe("ch");
    c.subscribe("other");
    QCOMPARE(data->subscriberCount("ch"), 2);

    STORE_COMPARE(call(publisher, &StateStore::publish, QByteArray("ch"), QByteArray("hello")), 2);
    QTRY_COMPARE(bSpy.size(), 1);
    QTRY_COMPARE(cSpy.size(), 1);
    QCOMPARE(bSpy.at(0), (QList<QVariant>{QByteArray("ch"), QByteArray("hello")}));
    QCOMPARE(cSpy.at(0), (QList<QVariant>{QByteArray("ch"), QByteArray("hello")}));
    QTest::qWait(20);
    QCOMPARE(publisherSpy.size(), 0);
    QCOMPARE(bSpy.size(), 1);

    // Messages are emitted from the event loop, never inside publish().
    bSpy.clear();
    QCOMPARE(data->publish("ch", "direct"), 2);
    QCOMPARE(bSpy.size(), 0);
    QTRY_COMPARE(bSpy.size(), 1);
}

void TestMemoryStore::subscribingTwiceCountsOnce()
{
    auto data = std::make_shared<MemoryData>();
    MemoryStore publisher(data);
    MemoryStore subscriber(data);
    QSignalSpy spy(&subscriber, &StateStore::message);
    subscriber.subscribe("ch");
    subscriber.subscribe("ch");
    STORE_COMPARE(call(publisher, &StateStore::publish, QByteArray("ch"), QByteArray("once")), 1);
    QTRY_COMPARE(spy.size(), 1);
    QTest::qWait(20);
    QCOMPARE(spy.size(), 1);
    // One unsubscribe undoes both.
    subscriber.unsubscribe("ch");
    QCOMPARE(data->subscriberCount("ch"), 0);
    STORE_COMPARE(call(publisher, &StateStore::publish, QByteArray("ch"), QByteArray("none")), 0);
}

void TestMemoryStore::destroyedStoreStopsCounting()
{
    auto data = std::make_shared<MemoryData>();
    MemoryStore publisher(data);
    auto a = std::make_unique<MemoryStore>(data);
    MemoryStore b(data);
    a->subscribe("ch");
    b.subscribe("ch");
    STORE_COMPARE(call(publisher, &StateStore::publish, QByteArray("ch"), QByteArray("1")), 2);
    a.reset();
    QCOMPARE(data->subscriberCount("ch"), 1);
    STORE_COMPARE(call(publisher, &StateStore::publish, QByteArray("ch"), QByteArray("2")), 1);
}

void TestMemoryStore::messageDroppedWhenStoreDestroyedBeforeDelivery()
{
    auto data = std::make_shared<MemoryData>();
    MemoryStore publisher(data);
    auto subscriber = std::make_unique<MemoryStore>(data);
    int received = 0;
    connect(subscriber.get(), &StateStore::message, this, [&] { ++received; });
    subscriber->subscribe("ch");
    QCOMPARE(data->publish("ch", "in flight"), 1);
    subscriber.reset(); // the queued emission must not reach a destroyed store
    QTest::qWait(50);
    QCOMPARE(received, 0);
    QCOMPARE(data->publish("ch", "after"), 0);
}

void TestMemoryStore::callbackWithNullContextDroppedWithStore()
{
    auto store = std::make_unique<MemoryStore>();
    bool called = false;
    store->set("k", "v", 0, SetMode::Always, nullptr, [&](Result<bool>) { called = true; });
    const std::shared_ptr<MemoryData> data = store->data();
    store.reset();
    QTest::qWait(50);
    QVERIFY(!called);
    // The write happened all the same.
    QCOMPARE(data->get("k").value(), std::optional<QByteArray>("v"));
}

void TestMemoryStore::purgeTimerFreesExpiredKeys()
{
    auto data = std::make_shared<MemoryData>();
    MemoryStore store(data);
    store.setPurgeInterval(std::chrono::milliseconds(20));
    QCOMPARE(store.purgeInterval(), std::chrono::milliseconds(20));
    for (int i = 0; i < 50; ++i)
        QVERIFY(data->set("temp:" + QByteArray::number(i), "v", 30).value());
    QVERIFY(data->hset("temp:hash", {{"f", "v"}}).ok());
    QVERIFY(data->expire("temp:hash", 30).value());
    QVERIFY(data->set("keep", "v").value());
    QCOMPARE(data->keyCount(), 52);
    // Nobody reads the keys again: the timer alone must free them.
    QTRY_COMPARE(data->keyCount(), 1);
    QCOMPARE(data->get("keep").value(), std::optional<QByteArray>("v"));
}

void TestMemoryStore::purgeIntervalCanBeStopped()
{
    auto data = std::make_shared<MemoryData>();
    MemoryStore store(data);
    store.setPurgeInterval(std::chrono::milliseconds(0));
    QCOMPARE(store.purgeInterval(), std::chrono::milliseconds(0));
    QVERIFY(data->set("temp", "v", 20).value());
    QTest::qWait(100);
    QCOMPARE(data->keyCount(), 1); // not purged, but...
    STORE_COMPARE(call(store, &StateStore::exists, QByteArray("temp")), false); // ...absent to readers
    QCOMPARE(data->keyCount(), 0);
}

void TestMemoryStore::lazyExpiryOnAccess()
{
    MemoryData data;
    QVERIFY(data.sadd("s", {"a"}).ok());
    QVERIFY(data.expire("s", 20).value());
    QVERIFY(data.set("str", "v", 20).value());
    QTest::qWait(60);
    QCOMPARE(data.keyCount(), 2);
    QCOMPARE(data.scard("s").value(), 0);
    QCOMPARE(data.keyCount(), 1);
    QCOMPARE(data.scan("*"), Keys());
    QCOMPARE(data.keyCount(), 0);
}

void TestMemoryStore::purgeExpiredCountsOnlyExpiredKeys()
{
    MemoryData data;
    QVERIFY(data.set("a", "1", 10).value());
    QVERIFY(data.set("b", "1", 10).value());
    QVERIFY(data.set("c", "1", 60000).value());
    QVERIFY(data.set("d", "1").value());
    // A TTL that was replaced or cleared does not count any more.
    QVERIFY(data.set("e", "1", 10).value());
    QVERIFY(data.set("e", "2").value());
    QVERIFY(data.set("f", "1", 10).value());
    QVERIFY(data.expire("f", 60000).value());
    QVERIFY(data.rpush("g", {"x"}).ok());
    QVERIFY(data.expire("g", 10).value());
    QVERIFY(data.ltrim("g", 5, 10).ok()); // emptied, so deleted with its TTL
    QTest::qWait(40);
    QCOMPARE(data.purgeExpired(), 2);
    QCOMPARE(data.purgeExpired(), 0);
    QCOMPARE(data.scan("*"), (Keys{"c", "d", "e", "f"}));
}

void TestMemoryStore::operationsArePerStore()
{
    auto data = std::make_shared<MemoryData>();
    MemoryStore a(data);
    MemoryStore b(data);
    StateStore::Operation op;
    op.lua = "return redis.call('INCR', KEYS[1])";
    op.memory = [](MemoryData &d, const Keys &keys, const StateStore::Args &) {
        const Result<qint64> v = d.incrBy(keys.value(0), 1);
        return v ? Reply::integer(*v) : Reply::error(v.error().message.toUtf8());
    };
    a.registerOperation("incr", op);
    STORE_COMPARE(call(a, &StateStore::run, QByteArray("incr"), Keys{"n"}, StateStore::Args{}), Reply::integer(1));
    STORE_ERROR(call(b, &StateStore::run, QByteArray("incr"), Keys{"n"}, StateStore::Args{}), "unknown_operation");
    // The operation ran against the shared data.
    STORE_COMPARE(call(b, &StateStore::get, QByteArray("n")), QByteArray("1"));
}

void TestMemoryStore::operationWithoutMemoryFunctionFails()
{
    MemoryStore store;
    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("no in-memory implementation")));
    store.registerOperation("luaOnly", StateStore::Operation{"return 1", {}});
    const Result<Reply> result = call(store, &StateStore::run, QByteArray("luaOnly"), Keys{}, StateStore::Args{});
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, QStringLiteral("script_error"));
    QVERIFY(result.error().message.contains(QLatin1String("luaOnly")));
}

void TestMemoryStore::operationCanPublish()
{
    auto data = std::make_shared<MemoryData>();
    MemoryStore store(data);
    MemoryStore listener(data);
    QSignalSpy spy(&listener, &StateStore::message);
    listener.subscribe("events");
    StateStore::Operation op;
    op.lua = "redis.call('SET', KEYS[1], ARGV[1]) return redis.call('PUBLISH', 'events', ARGV[1])";
    op.memory = [](MemoryData &d, const Keys &keys, const StateStore::Args &args) {
        const Result<bool> written = d.set(keys.value(0), args.value(0));
        if (!written)
            return Reply::error(written.error().message.toUtf8());
        return Reply::integer(d.publish("events", args.value(0)));
    };
    store.registerOperation("setAndNotify", op);
    STORE_COMPARE(call(store, &StateStore::run, QByteArray("setAndNotify"), Keys{"k"}, StateStore::Args{"v"}),
                  Reply::integer(1));
    QTRY_COMPARE(spy.size(), 1);
    QCOMPARE(spy.at(0), (QList<QVariant>{QByteArray("events"), QByteArray("v")}));
}

void TestMemoryStore::typeNames()
{
    MemoryData data;
    QVERIFY(data.set("s", "v").value());
    QVERIFY(data.hset("h", {{"f", "v"}}).ok());
    QVERIFY(data.sadd("set", {"m"}).ok());
    QVERIFY(data.zadd("z", {{"m", 1}}).ok());
    QVERIFY(data.rpush("l", {"v"}).ok());
    QCOMPARE(data.type("s"), QByteArray("string"));
    QCOMPARE(data.type("h"), QByteArray("hash"));
    QCOMPARE(data.type("set"), QByteArray("set"));
    QCOMPARE(data.type("z"), QByteArray("zset"));
    QCOMPARE(data.type("l"), QByteArray("list"));
    QCOMPARE(data.type("missing"), QByteArray("none"));
}

void TestMemoryStore::clearDropsKeysKeepsSubscriptions()
{
    auto data = std::make_shared<MemoryData>();
    MemoryStore store(data);
    store.subscribe("ch");
    QVERIFY(data->set("a", "1", 60000).value());
    QVERIFY(data->set("b", "1").value());
    data->clear();
    QCOMPARE(data->keyCount(), 0);
    QCOMPARE(data->purgeExpired(), 0);
    QCOMPARE(data->publish("ch", "still here"), 1);
}

void TestMemoryStore::globMatch_data()
{
    QTest::addColumn<QByteArray>("pattern");
    QTest::addColumn<QByteArray>("string");
    QTest::addColumn<bool>("matches");

    // Each row agrees with Redis 7's KEYS on the same pattern and key.
    QTest::newRow("literal") << QByteArray("abc") << QByteArray("abc") << true;
    QTest::newRow("literal, longer string") << QByteArray("abc") << QByteArray("abcd") << false;
    QTest::newRow("empty pattern, empty string") << QByteArray() << QByteArray() << true;
    QTest::newRow("empty pattern") << QByteArray() << QByteArray("a") << false;
    QTest::newRow("star alone, empty string") << QByteArray("*") << QByteArray() << false;
    QTest::newRow("stars collapse") << QByteArray("a***c") << QByteArray("abbbc") << true;
    QTest::newRow("trailing stars match nothing") << QByteArray("ab**") << QByteArray("ab") << true;
    QTest::newRow("question mark needs a byte") << QByteArray("ab?") << QByteArray("ab") << false;
    QTest::newRow("class") << QByteArray("[xyz]1") << QByteArray("y1") << true;
    QTest::newRow("class miss") << QByteArray("[xyz]1") << QByteArray("a1") << false;
    QTest::newRow("negated class") << QByteArray("[^xyz]") << QByteArray("a") << true;
    QTest::newRow("negated class miss") << QByteArray("[^xyz]") << QByteArray("x") << false;
    QTest::newRow("range") << QByteArray("[0-9]") << QByteArray("7") << true;
    QTest::newRow("reversed range") << QByteArray("[9-0]") << QByteArray("7") << true;
    QTest::newRow("dash at the end is a range to ]") << QByteArray("[a-]") << QByteArray("^") << true;
    QTest::newRow("escaped dash in class") << QByteArray("[a\\-z]") << QByteArray("-") << true;
    QTest::newRow("escaped dash is no range") << QByteArray("[a\\-z]") << QByteArray("m") << false;
    QTest::newRow("escaped close bracket") << QByteArray("[\\]]") << QByteArray("]") << true;
    QTest::newRow("unterminated class") << QByteArray("a[bc") << QByteArray("ac") << true;
    QTest::newRow("unterminated negation") << QByteArray("a[^") << QByteArray("ax") << true;
    QTest::newRow("escaped star") << QByteArray("\\*") << QByteArray("*") << true;
    QTest::newRow("escaped star is literal") << QByteArray("\\*") << QByteArray("a") << false;
    QTest::newRow("trailing backslash is literal") << QByteArray("a\\") << QByteArray("a\\") << true;
    QTest::newRow("high bytes in a range") << QByteArray("[\x80-\xff]") << QByteArray("\xe9") << true;
    QTest::newRow("high bytes are below ASCII in ranges") << QByteArray("[\x01-z]") << QByteArray("\xe9") << false;
    QTest::newRow("embedded NUL") << QByteArray("a?c") << QByteArray("a\0c", 3) << true;
    QTest::newRow("pathological backtracking gives up") << QByteArray("*a*a*a*a*a*a*a*a*a*a*b")
                                                        << QByteArray(200, 'a') << false;
}

void TestMemoryStore::globMatch()
{
    QFETCH(QByteArray, pattern);
    QFETCH(QByteArray, string);
    QFETCH(bool, matches);
    QCOMPARE(arena::globMatch(pattern, string), matches);
}

void TestMemoryStore::errorMapping_data()
{
    QTest::addColumn<QByteArray>("message");
    QTest::addColumn<QString>("code");
    QTest::newRow("wrong type") << QByteArray("WRONGTYPE Operation against a key holding the wrong kind of value")
                                << QStringLiteral("wrong_type");
    QTest::newRow("not an integer") << QByteArray("ERR value is not an integer or out of range")
                                    << QStringLiteral("not_integer");
    QTest::newRow("hash not an integer") << QByteArray("ERR hash value is not an integer") << QStringLiteral("not_integer");
    QTest::newRow("overflow") << QByteArray("ERR increment or decrement would overflow") << QStringLiteral("overflow");
    QTest::newRow("arity") << QByteArray("ERR wrong number of arguments for 'del' command")
                           << QStringLiteral("invalid_argument");
    QTest::newRow("expire time") << QByteArray("ERR invalid expire time in 'set' command")
                                 << QStringLiteral("invalid_argument");
    QTest::newRow("float") << QByteArray("ERR value is not a valid float") << QStringLiteral("invalid_argument");
    QTest::newRow("range float") << QByteArray("ERR min or max is not a float") << QStringLiteral("invalid_argument");
    QTest::newRow("other") << QByteArray("ERR unknown command 'FOO'") << QStringLiteral("command_error");
}

void TestMemoryStore::errorMapping()
{
    QFETCH(QByteArray, message);
    QFETCH(QString, code);
    const Error error = storeErrorFromRedis(message);
    QCOMPARE(error.code, code);
    QCOMPARE(error.message, QString::fromUtf8(message));
}

QTEST_GUILESS_MAIN(TestMemoryStore)
#include "tst_memorystore.moc"
