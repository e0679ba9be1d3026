// Parsing redis:// URLs into RedisOptions.
#include "shared/redis/redisoptions.h"
#include "shared/redis/redisscript.h"

#include <QTest>

using namespace arena;

class TestRedisOptions final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parses_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QByteArray>("host");
        QTest::addColumn<int>("port");
        QTest::addColumn<QByteArray>("user");
        QTest::addColumn<QByteArray>("password");
        QTest::addColumn<int>("db");
        QTest::newRow("host only") << "redis://cache.example" << QByteArray("cache.example") << 6379
                                   << QByteArray() << QByteArray() << 0;
        QTest::newRow("port and db") << "redis://127.0.0.1:7000/3" << QByteArray("127.0.0.1") << 7000
                                     << QByteArray() << QByteArray() << 3;
        QTest::newRow("password only") << "redis://:s3cret@localhost/1" << QByteArray("localhost") << 6379
                                       << QByteArray() << QByteArray("s3cret") << 1;
        QTest::newRow("acl user, escaped password") << "redis://arena:p%40ss%3Aw@10.0.0.5:6380"
                                                    << QByteArray("10.0.0.5") << 6380 << QByteArray("arena")
                                                    << QByteArray("p@ss:w") << 0;
        QTest::newRow("ipv6") << "redis://[::1]:6390/2" << QByteArray("::1") << 6390 << QByteArray()
                              << QByteArray() << 2;
    }
    void parses()
    {
        QFETCH(QString, url);
        const auto r = RedisOptions::fromUrl(url);
        QVERIFY2(r.ok(), qPrintable(r.ok() ? QString() : r.error().message));
        QTEST(r->host, "host");
        QTEST(int(r->port), "port");
        QTEST(r->username, "user");
        QTEST(r->password, "password");
        QTEST(r->database, "db");
    }

    void rejects_data()
    {
        QTest::addColumn<QString>("url");
        QTest::addColumn<QString>("reason");
        QTest::newRow("wrong scheme") << "http://localhost:6379" << "scheme";
        QTest::newRow("tls") << "rediss://localhost" << "TLS";
        QTest::newRow("no host") << "redis://" << "host";
        QTest::newRow("bad db") << "redis://localhost/abc" << "database";
        QTest::newRow("negative db") << "redis://localhost/-1" << "database";
        QTest::newRow("bad port") << "redis://localhost:99999" << "";
        QTest::newRow("user without password") << "redis://bob@localhost" << "password";
        QTest::newRow("query") << "redis://localhost?timeout=3" << "query";
    }
    void rejects()
    {
        QFETCH(QString, url);
        QFETCH(QString, reason);
        const auto r = RedisOptions::fromUrl(url);
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("bad_url"));
        QVERIFY2(r.error().message.contains(url), qPrintable(r.error().message));
        QVERIFY2(r.error().message.contains(reason), qPrintable(r.error().message));
    }

    void displayUrlHidesPassword()
    {
        const auto r = RedisOptions::fromUrl(QStringLiteral("redis://arena:topsecret@db:6380/4"));
        QVERIFY(r.ok());
        QCOMPARE(r->displayUrl(), QStringLiteral("redis://arena:***@db:6380/4"));
        QVERIFY(!r->displayUrl().contains(QStringLiteral("topsecret")));
    }

    void scriptSha()
    {
        // SHA1 of "return 1", as SCRIPT LOAD reports it.
        QCOMPARE(RedisScript(QByteArrayLiteral("return 1")).sha1(),
                 QByteArray("e0e1f9fabfc9d4800c877a703b823ac0578ff8db"));
    }
};

QTEST_GUILESS_MAIN(TestRedisOptions)
#include "tst_redisoptions.moc"
