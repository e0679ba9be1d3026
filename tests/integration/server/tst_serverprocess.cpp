// The real arena-server process: ready line, admin endpoints, token rules, bad configuration,
// a taken port, Redis going away and coming back, and graceful shutdown on SIGTERM.
#include "tests/support/adminhttp.h"
#include "tests/support/childprocess.h"
#include "tests/support/redisserver.h"
#include "tests/support/testplayer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTcpServer>
#include <QTemporaryFile>
#include <QTest>
#include <QTimer>

#include <csignal>

using namespace arena;

namespace {

const QRegularExpression readyLine(QStringLiteral("^arena-server ready player=\\d+ admin=(\\d+) instance=(\\S+) store=(\\w+)"));

using test::HttpResult;

HttpResult get(quint16 port, const QString &path, const QByteArray &token = {})
{
    return test::http("GET", port, path, token);
}

} // namespace

class TestServerProcess final : public QObject
{
    Q_OBJECT

private:
    bool startServer(test::ChildProcess &server, const QStringList &args)
    {
        QStringList all{QStringLiteral("--admin-port"), QStringLiteral("0"), QStringLiteral("--player-port"),
                        QStringLiteral("0")};
        all += args;
        return server.startAndWait(QStringLiteral(ARENA_SERVER_BINARY), all, readyLine, 10000);
    }
    static quint16 adminPort(const test::ChildProcess &server)
    {
        return quint16(server.readyMatch().captured(1).toUInt());
    }

private Q_SLOTS:
    void healthyOnMemoryStore()
    {
        test::ChildProcess server;
        QVERIFY2(startServer(server, {QStringLiteral("--instance-id"), QStringLiteral("mem-1")}),
                 qPrintable(server.lastError()));
        QCOMPARE(server.readyMatch().captured(2), QStringLiteral("mem-1"));
        QCOMPARE(server.readyMatch().captured(3), QStringLiteral("memory"));
        const quint16 port = adminPort(server);

        QCOMPARE(get(port, QStringLiteral("/live")).status, 200);
        QCOMPARE(get(port, QStringLiteral("/ready")).json().value(QStringLiteral("ready")).toBool(), true);
        QTRY_VERIFY_WITH_TIMEOUT(!get(port, QStringLiteral("/health")).json()[QStringLiteral("store")]
                                      .toObject()[QStringLiteral("lastCheck")].toString().isEmpty(), 5000);
        const QJsonObject health = get(port, QStringLiteral("/health")).json();
        QCOMPARE(health[QStringLiteral("status")].toString(), QStringLiteral("ok"));
        QCOMPARE(health[QStringLiteral("instance")].toString(), QStringLiteral("mem-1"));
        QCOMPARE(health[QStringLiteral("store")].toObject()[QStringLiteral("backend")].toString(), QStringLiteral("memory"));
        QStringList tasks;
        for (const QJsonValue &t : health[QStringLiteral("tasks")].toArray())
            tasks.append(t.toObject()[QStringLiteral("name")].toString());
        QVERIFY2(tasks.contains(QStringLiteral("store-check")) && tasks.contains(QStringLiteral("cleanup")),
                 qPrintable(tasks.join(QLatin1Char(','))));

        const HttpResult metrics = get(port, QStringLiteral("/metrics"));
        QCOMPARE(metrics.status, 200);
        QVERIFY(metrics.body.contains("arena_store_available 1\n"));
        QVERIFY(metrics.body.contains("arena_store_roundtrip_seconds_count{backend=\"memory\"} "));
        QCOMPARE(get(port, QStringLiteral("/nope")).status, 404);

        server.sendSignal(SIGTERM);
        QVERIFY(server.waitForFinished(5000));
        QCOMPARE(server.exitStatus(), QProcess::NormalExit);
        QCOMPARE(server.exitCode(), 0);
    }

    void tokensGuardMetrics()
    {
        QTemporaryFile tokens;
        QVERIFY(tokens.open());
        tokens.write("# roles and tokens\nviewer view-token-0123456789\noperator op-token-0123456789ab\n");
        tokens.flush();
        test::ChildProcess server;
        QVERIFY2(startServer(server, {QStringLiteral("--admin-token-file"), tokens.fileName()}),
                 qPrintable(server.lastError()));
        const quint16 port = adminPort(server);
        QCOMPARE(get(port, QStringLiteral("/health")).status, 200); // never needs a token
        const HttpResult missing = get(port, QStringLiteral("/metrics"));
        QCOMPARE(missing.status, 401);
        QCOMPARE(missing.json()[QStringLiteral("error")].toString(), QStringLiteral("unauthorized"));
        QCOMPARE(get(port, QStringLiteral("/metrics"), "wrong-token-0123456789").status, 401);
        QCOMPARE(get(port, QStringLiteral("/metrics"), "view-token-0123456789").status, 200);
        QCOMPARE(get(port, QStringLiteral("/metrics"), "op-token-0123456789ab").status, 200);
    }

    void adminRoomsStatsAndCleanup()
    {
        test::RedisServer redis;
        QVERIFY2(redis.start(), qPrintable(redis.lastError()));
        QTemporaryFile tokens;
        QVERIFY(tokens.open());
        tokens.write("viewer view-token-0123456789\noperator op-token-0123456789ab\n");
        tokens.flush();
        const QByteArray viewer("view-token-0123456789");
        const QByteArray op("op-token-0123456789ab");
        test::ChildProcess server;
        QVERIFY2(startServer(server, {QStringLiteral("--admin-token-file"), tokens.fileName(), QStringLiteral("--redis"),
                                      redis.url(), QStringLiteral("--instance-id"), QStringLiteral("adm-1"),
                                      QStringLiteral("--cleanup-interval"), QStringLiteral("1h"),
                                      QStringLiteral("--session-idle-timeout"), QStringLiteral("1s")}),
                 qPrintable(server.lastError()));
        const quint16 port = adminPort(server);
        const quint16 playerPort = quint16(server.readyMatch().captured(0).section(QStringLiteral("player="), 1)
                                               .section(QLatin1Char(' '), 0, 0).toUInt());

        test::TestPlayer a;
        QVERIFY(a.connectAs(playerPort, QStringLiteral("a")));
        protocol::Create create;
        create.roomType = QStringLiteral("relay");
        create.metadata = protocol::RawJson::fromJsonObject({{QStringLiteral("mode"), QStringLiteral("ctf")}});
        a.client->send(create);
        const auto joined = a.next<protocol::Joined>();
        QVERIFY(joined);
        QTRY_COMPARE_WITH_TIMEOUT(redis.cli({QStringLiteral("HGET"), QStringLiteral("arena:room:{%1}").arg(joined->roomId),
                                             QStringLiteral("type")}),
                                  QByteArray("relay"), 3000);

        // Rooms: viewers read, operators dispose; players are told.
        QCOMPARE(get(port, QStringLiteral("/rooms")).status, 401);
        const QJsonObject rooms = get(port, QStringLiteral("/rooms"), viewer).json();
        QCOMPARE(rooms[QStringLiteral("count")].toInt(), 1);
        const QJsonObject room = rooms[QStringLiteral("rooms")].toArray().first().toObject();
        QCOMPARE(room[QStringLiteral("id")].toString(), joined->roomId);
        QCOMPARE(room[QStringLiteral("metadata")].toObject()[QStringLiteral("mode")].toString(), QStringLiteral("ctf"));
        QCOMPARE(room[QStringLiteral("members")].toArray().first().toObject()[QStringLiteral("playerId")].toString(),
                 QStringLiteral("a"));
        const QString path = QStringLiteral("/rooms/") + joined->roomId;
        QCOMPARE(test::http("DELETE", port, path, viewer).status, 403);
        QCOMPARE(test::http("DELETE", port, path, op).status, 200);
        const auto left = a.next<protocol::Left>();
        QVERIFY(left);
        QCOMPARE(left->reason, QStringLiteral("disposed"));
        QCOMPARE(test::http("DELETE", port, path, op).status, 404);
        QTRY_COMPARE_WITH_TIMEOUT(redis.cli({QStringLiteral("EXISTS"), QStringLiteral("arena:room:{%1}").arg(joined->roomId)}),
                                  QByteArray("0"), 3000);

        const QJsonObject stats = get(port, QStringLiteral("/health/stats"), viewer).json();
        QCOMPARE(stats[QStringLiteral("sessions")].toObject()[QStringLiteral("total")].toInt(), 1);
        QCOMPARE(stats[QStringLiteral("rooms")].toObject()[QStringLiteral("total")].toInt(), 0);

        // Cleanup: an orphaned game state and an idle session. The dry run lists them and changes nothing.
        redis.cli({QStringLiteral("SET"), QStringLiteral("arena:room:{r-ghost}:state"), QStringLiteral("{}")});
        redis.cli({QStringLiteral("SET"), QStringLiteral("arena:room:{r-gone}:snapshot"), QStringLiteral("{}")});
        QTest::qWait(1200); // a's session is now idle past its 1 s timeout
        QCOMPARE(test::http("POST", port, QStringLiteral("/health/cleanup?dry_run=1"), viewer).status, 403);
        const test::HttpResult dry = test::http("POST", port, QStringLiteral("/health/cleanup?dry_run=1"), op);
        QCOMPARE(dry.status, 200);
        const QJsonObject dryReport = dry.json();
        QCOMPARE(dryReport[QStringLiteral("dryRun")].toBool(), true);
        QCOMPARE(dryReport[QStringLiteral("items")].toObject()[QStringLiteral("states")].toArray(),
                 (QJsonArray{QStringLiteral("r-ghost"), QStringLiteral("r-gone (snapshot)")}));
        QCOMPARE(dryReport[QStringLiteral("items")].toObject()[QStringLiteral("sessions")].toArray(),
                 QJsonArray{a.client->sessionId()});
        QCOMPARE(dryReport[QStringLiteral("counts")].toObject()[QStringLiteral("sessions")].toInt(), 1);
        QVERIFY(dryReport.contains(QStringLiteral("durationMs")));
        QCOMPARE(redis.cli({QStringLiteral("EXISTS"), QStringLiteral("arena:room:{r-ghost}:state")}), QByteArray("1"));
        QCOMPARE(a.client->state(), PlayerClient::State::Ready);

        const QJsonObject report = test::http("POST", port, QStringLiteral("/health/cleanup"), op).json();
        QCOMPARE(report[QStringLiteral("dryRun")].toBool(), false);
        QCOMPARE(report[QStringLiteral("total")].toInt(), dryReport[QStringLiteral("total")].toInt());
        QTRY_COMPARE_WITH_TIMEOUT(redis.cli({QStringLiteral("EXISTS"), QStringLiteral("arena:room:{r-ghost}:state")}),
                                  QByteArray("0"), 3000);
        QTRY_COMPARE_WITH_TIMEOUT(redis.cli({QStringLiteral("EXISTS"), QStringLiteral("arena:room:{r-gone}:snapshot")}),
                                  QByteArray("0"), 3000);
        const auto closing = a.next<protocol::SessionClosing>();
        QVERIFY(closing);
        QCOMPARE(closing->reason, QStringLiteral("idle"));
        // Run again: nothing left, the sweep is idempotent.
        const QJsonObject again = test::http("POST", port, QStringLiteral("/health/cleanup"), op).json();
        QCOMPARE(again[QStringLiteral("total")].toInt(), 0);
    }

    void badConfigurationIsAClearError_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QStringList>("env");
        QTest::addColumn<int>("exitCode");
        QTest::addColumn<QString>("message");
        QTest::newRow("not a number") << QStringList{QStringLiteral("--admin-port"), QStringLiteral("abc")}
                                      << QStringList() << 2 << QStringLiteral("admin-port");
        QTest::newRow("from environment") << QStringList() << QStringList{QStringLiteral("ARENA_ADMIN_PORT=70000")}
                                          << 2 << QStringLiteral("ARENA_ADMIN_PORT");
        QTest::newRow("wrong scheme") << QStringList{QStringLiteral("--redis"), QStringLiteral("http://x")}
                                      << QStringList() << 2 << QStringLiteral("redis");
        QTest::newRow("missing token file") << QStringList{QStringLiteral("--admin-token-file"),
                                                           QStringLiteral("/nonexistent/tokens")}
                                            << QStringList() << 2 << QStringLiteral("admin-token-file");
        QTest::newRow("bad bind") << QStringList{QStringLiteral("--bind"), QStringLiteral("not-an-ip")}
                                  << QStringList() << 1 << QStringLiteral("bind");
    }
    void badConfigurationIsAClearError()
    {
        QFETCH(QStringList, args);
        QFETCH(QStringList, env);
        QFETCH(int, exitCode);
        QFETCH(QString, message);
        test::ChildProcess server;
        QProcessEnvironment e = QProcessEnvironment::systemEnvironment();
        for (const QString &kv : env)
            e.insert(kv.section(QLatin1Char('='), 0, 0), kv.section(QLatin1Char('='), 1));
        server.setProcessEnvironment(e);
        QVERIFY(!startServer(server, args));
        QVERIFY(server.state() == QProcess::NotRunning || server.waitForFinished(5000));
        QCOMPARE(server.exitCode(), exitCode);
        const QString output = QString::fromUtf8(server.output());
        QVERIFY2(output.contains(message), qPrintable(output));
    }

    void takenPortIsFatalAndNamed()
    {
        QTcpServer squatter;
        QVERIFY(squatter.listen(QHostAddress::LocalHost, 0));
        test::ChildProcess server;
        QVERIFY(!server.startAndWait(QStringLiteral(ARENA_SERVER_BINARY),
                                     {QStringLiteral("--player-port"), QStringLiteral("0"), QStringLiteral("--admin-port"),
                                      QString::number(squatter.serverPort())},
                                     readyLine, 5000));
        QVERIFY(server.state() == QProcess::NotRunning || server.waitForFinished(5000));
        QCOMPARE(server.exitCode(), 1);
        QVERIFY2(server.output().contains(QByteArray::number(squatter.serverPort())), server.output().constData());
    }

    void redisStoreDegradesAndRecovers()
    {
        test::RedisServer redis;
        QVERIFY2(redis.start(), qPrintable(redis.lastError()));
        test::ChildProcess server;
        QVERIFY2(startServer(server, {QStringLiteral("--redis"), redis.url(), QStringLiteral("--instance-id"),
                                      QStringLiteral("r-1"), QStringLiteral("--store-check-interval"),
                                      QStringLiteral("200ms"), QStringLiteral("--redis-command-timeout"),
                                      QStringLiteral("300ms")}),
                 qPrintable(server.lastError()));
        const quint16 port = adminPort(server);
        QCOMPARE(server.readyMatch().captured(3), QStringLiteral("redis"));
        QTRY_COMPARE_WITH_TIMEOUT(get(port, QStringLiteral("/health")).json()[QStringLiteral("status")].toString(),
                                  QStringLiteral("ok"), 5000);
        QTRY_COMPARE_WITH_TIMEOUT(redis.cli({QStringLiteral("EXISTS"), QStringLiteral("arena:health:r-1")}),
                                  QByteArray("1"), 3000);
        const QJsonObject pool = get(port, QStringLiteral("/health")).json()[QStringLiteral("store")].toObject()
                               [QStringLiteral("pool")].toObject();
        QCOMPARE(pool[QStringLiteral("total")].toInt(), 2);
        QCOMPARE(pool[QStringLiteral("connected")].toInt(), 2);

        redis.kill();
        QTRY_COMPARE_WITH_TIMEOUT(get(port, QStringLiteral("/health")).json()[QStringLiteral("status")].toString(),
                                  QStringLiteral("degraded"), 5000);
        QVERIFY(get(port, QStringLiteral("/metrics")).body.contains("arena_store_available 0\n"));
        QCOMPARE(get(port, QStringLiteral("/live")).status, 200); // the process itself is fine

        QVERIFY(redis.restart());
        QTRY_COMPARE_WITH_TIMEOUT(get(port, QStringLiteral("/health")).json()[QStringLiteral("status")].toString(),
                                  QStringLiteral("ok"), 8000);
        // Both pooled connections come back (availability needs only one, so wait for the second).
        QTRY_VERIFY_WITH_TIMEOUT(get(port, QStringLiteral("/health")).json()[QStringLiteral("store")].toObject()
                                         [QStringLiteral("pool")].toObject()[QStringLiteral("reconnects")].toInt() >= 2,
                                 5000);
        QTRY_COMPARE_WITH_TIMEOUT(redis.cli({QStringLiteral("EXISTS"), QStringLiteral("arena:health:r-1")}),
                                  QByteArray("1"), 3000);

        // A graceful stop removes the instance's own keys.
        server.sendSignal(SIGTERM);
        QVERIFY(server.waitForFinished(5000));
        QCOMPARE(server.exitCode(), 0);
        QCOMPARE(redis.cli({QStringLiteral("EXISTS"), QStringLiteral("arena:health:r-1")}), QByteArray("0"));
    }
};

QTEST_GUILESS_MAIN(TestServerProcess)
#include "tst_serverprocess.moc"
