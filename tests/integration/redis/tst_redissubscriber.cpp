// RedisSubscriber against a real redis-server: messages, patterns, unsubscribe, and re-subscription
// with a gap signal after Redis restarts.
#include "shared/redis/redisclient.h"
#include "shared/redis/redissubscriber.h"
#include "tests/support/redisserver.h"

#include <QSignalSpy>
#include <QTest>

using namespace arena;
using namespace std::chrono_literals;

namespace {
RedisOptions optionsFor(const test::RedisServer &server)
{
    RedisOptions options = RedisOptions::fromUrl(server.url()).value();
    options.reconnectMin = 20ms;
    options.reconnectMax = 200ms;
    options.connectTimeout = 1000ms;
    return options;
}
} // namespace

class TestRedisSubscriber final : public QObject
{
    Q_OBJECT

private:
    test::RedisServer m_redis;

    qint64 publish(RedisClient &client, const QByteArray &channel, const QByteArray &payload)
    {
        qint64 receivers = -1;
        bool done = false;
        client.command({"PUBLISH", channel, payload}, nullptr, [&](Result<Reply> r) {
            receivers = r.ok() ? r->integer() : -1;
            done = true;
        });
        [&] { QTRY_VERIFY_WITH_TIMEOUT(done, 5000); }();
        return receivers;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_redis.start(), qPrintable(m_redis.lastError())); }

    void messagesAndPatterns()
    {
        RedisSubscriber subscriber(optionsFor(m_redis));
        QSignalSpy ready(&subscriber, &RedisSubscriber::ready);
        QSignalSpy messages(&subscriber, &RedisSubscriber::message);
        QSignalSpy patterned(&subscriber, &RedisSubscriber::patternMessage);
        subscriber.subscribe("events:a");
        subscriber.psubscribe("control:*");
        subscriber.open();
        QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 5000);
        QCOMPARE(subscriber.confirmed(), 2);

        RedisClient publisher(optionsFor(m_redis));
        publisher.open();
        QCOMPARE(publish(publisher, "events:a", "hello"), 1);
        QCOMPARE(publish(publisher, "control:host-1", "drain"), 1);
        QCOMPARE(publish(publisher, "events:b", "not for us"), 0);
        QTRY_COMPARE_WITH_TIMEOUT(messages.count(), 1, 3000);
        QCOMPARE(messages.at(0).at(0).toByteArray(), QByteArray("events:a"));
        QCOMPARE(messages.at(0).at(1).toByteArray(), QByteArray("hello"));
        QTRY_COMPARE_WITH_TIMEOUT(patterned.count(), 1, 3000);
        QCOMPARE(patterned.at(0).at(0).toByteArray(), QByteArray("control:*"));
        QCOMPARE(patterned.at(0).at(1).toByteArray(), QByteArray("control:host-1"));
        QCOMPARE(patterned.at(0).at(2).toByteArray(), QByteArray("drain"));

        // Subscribing later on a live connection works too; unsubscribing stops delivery.
        subscriber.subscribe("events:b");
        QTRY_COMPARE_WITH_TIMEOUT(subscriber.confirmed(), 3, 3000);
        subscriber.unsubscribe("events:a");
        QTRY_COMPARE_WITH_TIMEOUT(publish(publisher, "events:a", "gone"), 0, 3000);
        QCOMPARE(publish(publisher, "events:b", "now yes"), 1);
        QTRY_COMPARE_WITH_TIMEOUT(messages.count(), 2, 3000);
        QCOMPARE(messages.at(1).at(1).toByteArray(), QByteArray("now yes"));
    }

    void resubscribesAfterRestartAndSignalsGap()
    {
        RedisSubscriber subscriber(optionsFor(m_redis));
        QSignalSpy ready(&subscriber, &RedisSubscriber::ready);
        QSignalSpy resubscribed(&subscriber, &RedisSubscriber::resubscribed);
        QSignalSpy disconnected(&subscriber, &RedisSubscriber::disconnected);
        QSignalSpy messages(&subscriber, &RedisSubscriber::message);
        subscriber.subscribe("events:x");
        subscriber.psubscribe("room:*");
        subscriber.open();
        QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 5000);
        QCOMPARE(resubscribed.count(), 0); // the first connect is not a gap

        QVERIFY(m_redis.restart());
        QTRY_COMPARE_WITH_TIMEOUT(disconnected.count(), 1, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(resubscribed.count(), 1, 5000);
        QCOMPARE(ready.count(), 2);
        QCOMPARE(subscriber.confirmed(), 2);

        RedisClient publisher(optionsFor(m_redis));
        publisher.open();
        QCOMPARE(publish(publisher, "events:x", "after restart"), 1);
        QTRY_COMPARE_WITH_TIMEOUT(messages.count(), 1, 3000);
        QCOMPARE(messages.at(0).at(1).toByteArray(), QByteArray("after restart"));
    }

    void survivesLongOutage()
    {
        RedisSubscriber subscriber(optionsFor(m_redis));
        QSignalSpy resubscribed(&subscriber, &RedisSubscriber::resubscribed);
        QSignalSpy ready(&subscriber, &RedisSubscriber::ready);
        subscriber.subscribe("events:y");
        subscriber.open();
        QTRY_COMPARE_WITH_TIMEOUT(ready.count(), 1, 5000);
        m_redis.kill();
        QTest::qWait(600); // several failed reconnect attempts
        QVERIFY(!subscriber.isConnected());
        QVERIFY(m_redis.restart());
        QTRY_COMPARE_WITH_TIMEOUT(resubscribed.count(), 1, 5000);
        QVERIFY(subscriber.isConnected());
    }

    void destroyWhileSubscribed()
    {
        for (int round = 0; round < 10; ++round) {
            auto subscriber = std::make_unique<RedisSubscriber>(optionsFor(m_redis));
            subscriber->subscribe("a");
            subscriber->psubscribe("b*");
            subscriber->open();
            QTest::qWait(round * 3);
            subscriber.reset();
        }
    }
};

QTEST_GUILESS_MAIN(TestRedisSubscriber)
#include "tst_redissubscriber.moc"
