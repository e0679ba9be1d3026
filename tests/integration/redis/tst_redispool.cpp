// RedisPool figures (total / connected / idle / busy / waiting / failed) and key affinity.
#include "shared/redis/redispool.h"
#include "tests/support/redisserver.h"

#include <QSignalSpy>
#include <QTest>

using namespace arena;
using namespace std::chrono_literals;

class TestRedisPool final : public QObject
{
    Q_OBJECT

private:
    test::RedisServer m_redis;

    RedisOptions options() const
    {
        RedisOptions o = RedisOptions::fromUrl(m_redis.url()).value();
        o.reconnectMin = 20ms;
        o.reconnectMax = 100ms;
        o.clientName = "pooltest";
        return o;
    }

private Q_SLOTS:
    void initTestCase() { QVERIFY2(m_redis.start(), qPrintable(m_redis.lastError())); }

    void figures()
    {
        RedisPool pool(options(), 3);
        QSignalSpy availability(&pool, &RedisPool::availabilityChanged);
        QCOMPARE(pool.stats().total, 3);
        QCOMPARE(pool.stats().connected, 0);
        QVERIFY(!pool.isAvailable());

        // Before the pool is open, commands wait and are counted as waiting.
        pool.client("a")->command({"PING"});
        QCOMPARE(pool.stats().waiting, 1);

        pool.open();
        QTRY_COMPARE_WITH_TIMEOUT(pool.stats().connected, 3, 5000);
        QCOMPARE(availability.first().first().toBool(), true);
        QTRY_COMPARE_WITH_TIMEOUT(pool.stats().idle, 3, 3000);
        QCOMPARE(pool.stats().waiting, 0);
        QCOMPARE(m_redis.cli({QStringLiteral("CLIENT"), QStringLiteral("LIST")}).count("name=pooltest-"), 3);

        // A blocked command makes its connection busy.
        RedisClient *c = pool.client("blocker");
        c->command({"BLPOP", "nothing", "1"}, nullptr, [](Result<Reply>) {});
        QTRY_COMPARE_WITH_TIMEOUT(pool.stats().busy, 1, 3000);
        QCOMPARE(pool.stats().inFlight, 1);
        QTRY_COMPARE_WITH_TIMEOUT(pool.stats().idle, 3, 3000);

        // Redis goes away: nothing is connected, failures are counted, availability flips.
        m_redis.kill();
        QTRY_COMPARE_WITH_TIMEOUT(pool.stats().connected, 0, 3000);
        QTRY_VERIFY_WITH_TIMEOUT(pool.stats().failed >= 3, 3000);
        QCOMPARE(availability.last().first().toBool(), false);
        QVERIFY(!pool.isAvailable());

        QVERIFY(m_redis.restart());
        QTRY_COMPARE_WITH_TIMEOUT(pool.stats().connected, 3, 5000);
        QCOMPARE(pool.stats().reconnects, quint64(3));
        QVERIFY(pool.isAvailable());
    }

    void affinityIsStable()
    {
        RedisPool pool(options(), 4);
        QSet<RedisClient *> used;
        for (int i = 0; i < 200; ++i) {
            const QByteArray key = "room:" + QByteArray::number(i);
            QCOMPARE(pool.client(key), pool.client(key));
            used.insert(pool.client(key));
        }
        QCOMPARE(used.size(), 4); // keys spread over every connection
    }

    void sameKeyKeepsOrder()
    {
        RedisPool pool(options(), 4);
        pool.open();
        QList<qint64> seen;
        for (int i = 0; i < 500; ++i) {
            const QByteArray key = "order:" + QByteArray::number(i % 7);
            pool.client(key)->command({"INCR", key}, nullptr, [&seen, i](Result<Reply> r) {
                if (r.ok() && i % 7 == 3)
                    seen.append(r->integer());
            });
        }
        QTRY_COMPARE_WITH_TIMEOUT(seen.size(), 71, 5000);
        for (int i = 0; i < seen.size(); ++i)
            QCOMPARE(seen[i], i + 1);
    }
};

QTEST_GUILESS_MAIN(TestRedisPool)
#include "tst_redispool.moc"
