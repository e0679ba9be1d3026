// RedisClient against a real redis-server: commands, pipelines, transactions, scripts, and the
// failure paths (restart, kill, pause, wrong password, destruction at awkward moments).
#include "shared/redis/redisclient.h"
#include "tests/support/await.h"
#include "tests/support/redisserver.h"

#include <QSignalSpy>
#include <QTest>

using namespace arena;
using namespace std::chrono_literals;
using arena::test::awaitCallback;

namespace {

RedisOptions optionsFor(const test::RedisServer &server)
{
    auto o = RedisOptions::fromUrl(server.url());
    Q_ASSERT(o.ok());
    RedisOptions options = o.value();
    options.connectTimeout = 1000ms;
    options.commandTimeout = 2000ms;
    options.reconnectMin = 20ms;
    options.reconnectMax = 200ms;
    return options;
}

Result<Reply> run(RedisClient &client, RedisClient::Args args, RedisClient::Timeout timeout = 0ms)
{
    auto r = awaitCallback<Result<Reply>>([&](auto done) { client.command(std::move(args), nullptr, done, timeout); });
    if (!r)
        return Error{QStringLiteral("test_hang"), QStringLiteral("the callback never ran")};
    return *r;
}

} // namespace

class TestRedisClient final : public QObject
{
    Q_OBJECT

private:
    test::RedisServer m_redis;

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_redis.start(), qPrintable(m_redis.lastError())); }
    void init()
    {
        if (!m_redis.isRunning())
            QVERIFY2(m_redis.restart(), qPrintable(m_redis.lastError()));
        m_redis.resume();
        m_redis.cli({QStringLiteral("FLUSHALL")});
    }

    void commandsAndReplyTypes()
    {
        RedisClient client(optionsFor(m_redis));
        QSignalSpy connected(&client, &RedisClient::connected);
        client.open();

        auto set = run(client, {"SET", "greeting", "hello"});
        QVERIFY(set.ok());
        QCOMPARE(set->type(), Reply::Type::Status);
        QCOMPARE(set->bytes(), QByteArray("OK"));
        QCOMPARE(connected.count(), 1);

        auto get = run(client, {"GET", "greeting"});
        QVERIFY(get.ok());
        QCOMPARE(*get, Reply::string("hello"));

        auto missing = run(client, {"GET", "nope"});
        QVERIFY(missing.ok());
        QVERIFY(missing->isNil());

        auto incr = run(client, {"INCRBY", "n", "41"});
        QCOMPARE(incr->integer(), 41);

        // Binary-safe values survive the round trip.
        const QByteArray binary("a\0b\r\nc", 6);
        QVERIFY(run(client, {"SET", "bin", binary}).ok());
        QCOMPARE(run(client, {"GET", "bin"})->bytes(), binary);

        QVERIFY(run(client, {"RPUSH", "list", "x", "y"}).ok());
        auto range = run(client, {"LRANGE", "list", "0", "-1"});
        QCOMPARE(*range, Reply::array({Reply::string("x"), Reply::string("y")}));

        auto wrong = run(client, {"INCR", "greeting"});
        QVERIFY(!wrong.ok());
        QCOMPARE(wrong.error().code, QStringLiteral("redis_error"));
        QVERIFY(wrong.error().message.startsWith(QStringLiteral("ERR value is not an integer")));

        auto unknown = run(client, {"NOSUCHCOMMAND"});
        QVERIFY(!unknown.ok());
        QVERIFY(unknown.error().message.contains(QStringLiteral("unknown command")));
    }

    void commandsBeforeConnectWait()
    {
        RedisClient client(optionsFor(m_redis));
        std::optional<Result<Reply>> first;
        client.command({"SET", "early", "1"}, nullptr, [&](Result<Reply> r) { first.emplace(r); });
        QCOMPARE(client.queued(), 1);
        client.open();
        auto get = run(client, {"GET", "early"});
        QVERIFY(first && first->ok());
        QCOMPARE(get->bytes(), QByteArray("1"));
    }

    void pipelineKeepsOrder()
    {
        RedisClient client(optionsFor(m_redis));
        client.open();
        QList<RedisClient::Args> commands;
        for (int i = 0; i < 1000; ++i)
            commands.append(RedisClient::Args{"RPUSH", "seq", QByteArray::number(i)});
        commands.append(RedisClient::Args{"INCR", "seq"}); // an error reply stays inside the list
        commands.append(RedisClient::Args{"LLEN", "seq"});
        auto r = awaitCallback<Result<QList<Reply>>>([&](auto done) { client.pipeline(commands, nullptr, done); });
        QVERIFY(r && r->ok());
        const QList<Reply> &replies = r->value();
        QCOMPARE(replies.size(), 1002);
        for (int i = 0; i < 1000; ++i)
            QCOMPARE(replies[i].integer(), i + 1);
        QVERIFY(replies[1000].isError());
        QVERIFY(replies[1000].bytes().startsWith("WRONGTYPE"));
        QCOMPARE(replies[1001].integer(), 1000);
    }

    void transactions()
    {
        RedisClient client(optionsFor(m_redis));
        client.open();
        auto ok = awaitCallback<Result<QList<Reply>>>([&](auto done) {
            client.transaction({{"SET", "a", "1"}, {"INCR", "a"}, {"GET", "a"}}, nullptr, done);
        });
        QVERIFY(ok && ok->ok());
        QCOMPARE(ok->value().size(), 3);
        QCOMPARE(ok->value().at(2), Reply::string("2"));

        // A command Redis refuses to queue aborts the whole transaction: nothing is applied.
        auto aborted = awaitCallback<Result<QList<Reply>>>([&](auto done) {
            client.transaction({{"SET", "b", "1"}, {"SET", "b"}}, nullptr, done);
        });
        QVERIFY(aborted && !aborted->ok());
        QVERIFY2(aborted->error().message.contains(QStringLiteral("EXECABORT")), qPrintable(aborted->error().message));
        QVERIFY(run(client, {"GET", "b"})->isNil());
    }

    void scriptsBySha()
    {
        RedisClient client(optionsFor(m_redis));
        client.open();
        const RedisScript script(QByteArrayLiteral(
            "redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCRBY', KEYS[2], ARGV[2])"));
        const auto evalOnce = [&] {
            return awaitCallback<Result<Reply>>([&](auto done) {
                client.eval(script, {"k", "counter"}, {"v", "5"}, nullptr, done);
            });
        };
        auto first = evalOnce();
        QVERIFY(first && first->ok());
        QCOMPARE(first->value().integer(), 5);
        QCOMPARE(m_redis.cli({QStringLiteral("SCRIPT"), QStringLiteral("EXISTS"), QString::fromLatin1(script.sha1())}),
                 QByteArray("1"));

        // Redis forgets its scripts: the NOSCRIPT fallback sends the source and the call still works.
        m_redis.cli({QStringLiteral("SCRIPT"), QStringLiteral("FLUSH")});
        auto second = evalOnce();
        QVERIFY(second);
        QVERIFY2(second->ok(), second->ok() ? "" : qPrintable(second->error().message));
        QCOMPARE(second->value().integer(), 10);

        const RedisScript failing(QByteArrayLiteral("return redis.error_reply('ROOM_FULL room is full')"));
        auto err = awaitCallback<Result<Reply>>([&](auto done) { client.eval(failing, {}, {}, nullptr, done); });
        QVERIFY(err && !err->ok());
        QCOMPARE(err->error().code, QStringLiteral("redis_error"));
        QCOMPARE(err->error().message, QStringLiteral("ROOM_FULL room is full"));
    }

    void authAndDatabase()
    {
        test::RedisServer secured;
        QVERIFY2(secured.start({QStringLiteral("--requirepass"), QStringLiteral("s3cret")}),
                 qPrintable(secured.lastError()));
        auto options = optionsFor(secured);
        options.password = "s3cret";
        options.database = 3;
        options.clientName = "arena-test";
        RedisClient good(options);
        good.open();
        QVERIFY(run(good, {"SET", "in-db-3", "yes"}).ok());
        QCOMPARE(run(good, {"CLIENT", "GETNAME"})->bytes(), QByteArray("arena-test"));
        QCOMPARE(secured.cli({QStringLiteral("-a"), QStringLiteral("s3cret"), QStringLiteral("--no-auth-warning"),
                              QStringLiteral("-n"), QStringLiteral("3"), QStringLiteral("GET"),
                              QStringLiteral("in-db-3")}),
                 QByteArray("yes"));

        options.password = "wrong";
        RedisClient bad(options);
        bad.open();
        auto refused = run(bad, {"GET", "in-db-3"});
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, QStringLiteral("auth_failed"));
        QVERIFY2(refused.error().message.contains(QStringLiteral("WRONGPASS")), qPrintable(refused.error().message));
        QVERIFY(bad.connectFailures() >= 1);
    }

    void unreachableFailsWithinTimeout()
    {
        auto options = optionsFor(m_redis);
        options.port = test::freePort(); // nobody listens there
        RedisClient client(options);
        client.open();
        QElapsedTimer t;
        t.start();
        auto r = run(client, {"PING"}, 300ms);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("timeout"));
        QVERIFY2(r.error().message.contains(QStringLiteral("not reachable")), qPrintable(r.error().message));
        QVERIFY(client.connectFailures() >= 1);
        QCOMPARE(client.state(), RedisClient::State::Connecting);
    }

    void queueBoundFailsFast()
    {
        auto options = optionsFor(m_redis);
        options.port = test::freePort();
        options.maxQueued = 2;
        RedisClient client(options);
        client.open();
        client.command({"PING"});
        client.command({"PING"});
        auto r = run(client, {"PING"});
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("unavailable"));
        QCOMPARE(client.queued(), 2);
    }

    void reconnectsAfterRestart()
    {
        RedisClient client(optionsFor(m_redis));
        QSignalSpy disconnected(&client, &RedisClient::disconnected);
        QSignalSpy connected(&client, &RedisClient::connected);
        client.open();
        QVERIFY(run(client, {"SET", "k", "before"}).ok());

        QVERIFY(m_redis.restart());
        QTRY_COMPARE_WITH_TIMEOUT(disconnected.count(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(connected.count(), 2, 5000);
        QCOMPARE(client.reconnects(), quint64(1));
        // The data is gone (no persistence in the test server) but the connection works again.
        QVERIFY(run(client, {"GET", "k"})->isNil());
        QVERIFY(run(client, {"SET", "k", "after"}).ok());
    }

    void killFailsInFlightCommands()
    {
        RedisClient client(optionsFor(m_redis));
        client.open();
        QVERIFY(run(client, {"PING"}).ok());
        // BLPOP keeps the command in flight until the connection dies.
        std::optional<Result<Reply>> blocked;
        client.command({"BLPOP", "never", "0"}, nullptr, [&](Result<Reply> r) { blocked.emplace(r); }, 10000ms);
        QTest::qWait(100);
        m_redis.kill();
        QTRY_VERIFY_WITH_TIMEOUT(blocked.has_value(), 3000);
        QVERIFY(!blocked->ok());
        QCOMPARE(blocked->error().code, QStringLiteral("disconnected"));

        // While Redis is down, new commands fail within their own timeout, never hang.
        auto down = run(client, {"PING"}, 400ms);
        QVERIFY(!down.ok());
        QCOMPARE(down.error().code, QStringLiteral("timeout"));
    }

    void pausedServerTimesOutThenRecovers()
    {
        RedisClient client(optionsFor(m_redis));
        client.open();
        QVERIFY(run(client, {"SET", "p", "1"}).ok());
        m_redis.pause();
        QElapsedTimer t;
        t.start();
        auto stalled = run(client, {"INCR", "p"}, 300ms);
        QVERIFY(!stalled.ok());
        QCOMPARE(stalled.error().code, QStringLiteral("timeout"));
        QCOMPARE(client.timeouts(), quint64(1));
        m_redis.resume();
        // The late reply to INCR is discarded, and the next reply is matched to the next command.
        auto get = run(client, {"GET", "p"});
        QVERIFY(get.ok());
        QCOMPARE(get->bytes(), QByteArray("2"));
        auto echo = run(client, {"ECHO", "mine"});
        QCOMPARE(echo->bytes(), QByteArray("mine"));
    }

    void handshakeTimeoutCountsAsFailedConnect()
    {
        test::RedisServer secured;
        QVERIFY(secured.start({QStringLiteral("--requirepass"), QStringLiteral("pw")}));
        auto options = optionsFor(secured);
        options.password = "pw";
        options.connectTimeout = 200ms;
        secured.pause(); // TCP still connects (kernel backlog), AUTH never answers
        RedisClient client(options);
        client.open();
        QTRY_VERIFY_WITH_TIMEOUT(client.connectFailures() >= 1, 3000);
        QVERIFY(!client.isConnected());
        secured.resume();
        QTRY_VERIFY_WITH_TIMEOUT(client.isConnected(), 5000);
        QVERIFY(run(client, {"PING"}).ok());
    }

    void contextGuardDropsCallback()
    {
        RedisClient client(optionsFor(m_redis));
        client.open();
        bool called = false;
        auto *context = new QObject;
        client.command({"PING"}, context, [&](Result<Reply>) { called = true; });
        delete context;
        QVERIFY(run(client, {"PING"}).ok()); // replies are in order: the first one has arrived too
        QVERIFY(!called);
    }

    void closeFailsPending()
    {
        RedisClient client(optionsFor(m_redis));
        client.open();
        QVERIFY(run(client, {"PING"}).ok());
        std::optional<Result<Reply>> pending;
        client.command({"BLPOP", "never", "0"}, nullptr, [&](Result<Reply> r) { pending.emplace(r); }, 10000ms);
        client.close();
        QVERIFY(pending.has_value());
        QCOMPARE(pending->error().code, QStringLiteral("closed"));
        auto after = run(client, {"PING"});
        QCOMPARE(after.error().code, QStringLiteral("closed"));
    }

    // Destruction at the awkward moments; ASan turns any use-after-free here into a failure.
    void destroyInsideReplyCallback()
    {
        auto *client = new RedisClient(optionsFor(m_redis));
        client->open();
        QVERIFY(run(*client, {"PING"}).ok());
        int calls = 0;
        QList<RedisClient::Args> burst;
        for (int i = 0; i < 50; ++i)
            client->command({"PING"}, nullptr, [&](Result<Reply>) {
                ++calls;
                delete client; // more replies for this client are still in hiredis' buffer
                client = nullptr;
            });
        QTRY_COMPARE_WITH_TIMEOUT(calls, 1, 3000);
        QTest::qWait(100);
        QCOMPARE(calls, 1);
        QVERIFY(client == nullptr);
    }

    void destroyInsideDisconnectedCallback()
    {
        auto *client = new RedisClient(optionsFor(m_redis));
        client->open();
        QVERIFY(run(*client, {"PING"}).ok());
        bool deleted = false;
        client->command({"BLPOP", "never", "0"}, nullptr, [&](Result<Reply> r) {
            QVERIFY(!r.ok());
            delete client;
            deleted = true;
        }, 10000ms);
        client->command({"BLPOP", "never2", "0"}, nullptr, [&](Result<Reply>) { QFAIL("must not run"); }, 10000ms);
        QTest::qWait(50);
        m_redis.kill();
        QTRY_VERIFY_WITH_TIMEOUT(deleted, 3000);
        QTest::qWait(100);
    }

    void destroyWhileConnectedAndBusy()
    {
        for (int round = 0; round < 20; ++round) {
            auto client = std::make_unique<RedisClient>(optionsFor(m_redis));
            client->open();
            int calls = 0;
            for (int i = 0; i < 100; ++i)
                client->command({"SET", "x", QByteArray::number(i)}, nullptr, [&calls](Result<Reply>) { ++calls; });
            QTest::qWait(round % 3); // sometimes still connecting, sometimes mid-reply
            const int before = calls;
            client.reset();
            QTest::qWait(20);
            QCOMPARE(calls, before); // pending callbacks are dropped, never called late
        }
    }

    void destroyWhileConnecting()
    {
        auto options = optionsFor(m_redis);
        options.port = test::freePort();
        for (int round = 0; round < 10; ++round) {
            auto client = std::make_unique<RedisClient>(options);
            client->open();
            QTest::qWait(round * 5);
            client.reset();
        }
    }
};

QTEST_GUILESS_MAIN(TestRedisClient)
#include "tst_redisclient.moc"
