// The real arena-loadtest against the real arena-server (memory store, ports 0): short runs in each mode
// whose --json report is checked, and runs that must fail cleanly — no server, a server that dies
// mid-run, an interrupt, a pid that does not exist, bad usage.
#include "tests/support/adminhttp.h"
#include "tests/support/arenaserver.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <csignal>
#include <memory>

using namespace arena;

namespace {

struct RunResult
{
    int exitCode = -1;
    bool finished = false;
    qint64 elapsedMs = 0;
    QByteArray out;
    QByteArray err;
    QJsonObject json;
};

// Command-line arguments from plain literals (QT_NO_CAST_FROM_ASCII is on).
QStringList cli(std::initializer_list<const char *> list)
{
    QStringList out;
    for (const char *a : list)
        out << QString::fromUtf8(a);
    return out;
}

QJsonObject obj(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toObject();
}

double num(const QJsonObject &o, const char *key)
{
    return o.value(QLatin1String(key)).toDouble(-1);
}

} // namespace

class TestLoadTest final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<test::ArenaServer> m_server;
    quint16 m_playerPort = 0;
    quint16 m_adminPort = 0;

    bool startServer(const QStringList &extra = {})
    {
        m_server = std::make_unique<test::ArenaServer>();
        QStringList args{QStringLiteral("--instance-id"), QStringLiteral("loadtest-1"),
                         QStringLiteral("--matchmaking-interval"), QStringLiteral("100ms")};
        args += extra;
        if (!m_server->start(QStringLiteral(ARENA_SERVER_BINARY), args, 15000)) {
            qWarning("%s", qPrintable(m_server->lastError()));
            return false;
        }
        m_playerPort = m_server->playerPort();
        m_adminPort = m_server->adminPort();
        return true;
    }
    QString playerUrl() const { return QStringLiteral("ws://127.0.0.1:%1").arg(m_playerPort); }
    QString adminUrl() const { return QStringLiteral("http://127.0.0.1:%1").arg(m_adminPort); }

    // Runs arena-loadtest to its end (or kills it after timeoutMs), spinning the event loop meanwhile so
    // the server's output keeps being read. `during` runs once, `afterMs` into the run.
    RunResult runLoadtest(const QStringList &args, int timeoutMs, std::function<void(QProcess &)> during = {},
                          int afterMs = 0)
    {
        test::ChildProcess process;
        process.setProcessChannelMode(QProcess::SeparateChannels);
        RunResult r;
        QElapsedTimer clock;
        clock.start();
        if (!process.startAndWait(QStringLiteral(ARENA_LOADTEST_BINARY), args, QRegularExpression(), 10000)) {
            qWarning("%s", qPrintable(process.lastError()));
            return r;
        }
        bool didDuring = !during;
        QDeadlineTimer deadline(timeoutMs);
        while (process.state() != QProcess::NotRunning && !deadline.hasExpired()) {
            if (!didDuring && clock.elapsed() >= afterMs) {
                during(process);
                didDuring = true;
            }
            QTest::qWait(20);
        }
        r.elapsedMs = clock.elapsed();
        r.finished = process.state() == QProcess::NotRunning;
        if (!r.finished) {
            process.kill();
            process.waitForFinished(5000);
        }
        r.exitCode = process.exitStatus() == QProcess::NormalExit ? process.exitCode() : -1;
        r.out = process.readAllStandardOutput();
        r.err = process.readAllStandardError();
        r.json = QJsonDocument::fromJson(r.out.trimmed()).object();
        return r;
    }

    static void checkLatencyOrdered(const QJsonObject &latency)
    {
        for (const char *key : {"count", "min", "mean", "p50", "p95", "p99", "p999", "max"})
            QVERIFY2(latency.contains(QLatin1String(key)), key);
        QVERIFY(num(latency, "min") >= 0);
        QVERIFY(num(latency, "min") <= num(latency, "p50"));
        QVERIFY(num(latency, "p50") <= num(latency, "p95"));
        QVERIFY(num(latency, "p95") <= num(latency, "p99"));
        QVERIFY(num(latency, "p99") <= num(latency, "p999"));
        QVERIFY(num(latency, "p999") <= num(latency, "max"));
        QVERIFY(num(latency, "p50") > 0);
    }

private Q_SLOTS:
    void cleanup()
    {
        if (QTest::currentTestFailed() && m_server)
            qWarning("arena-server said:\n%s", m_server->output().constData());
        m_server.reset();
    }

    void relayRoomsReport()
    {
        QVERIFY(startServer());
        const RunResult r = runLoadtest(QStringList{QStringLiteral("--url"), playerUrl(), QStringLiteral("--admin-url"),
                                                    adminUrl()}
                                            + cli({"--clients", "20", "--room-size", "4", "--rate", "10", "--duration",
                                                   "3", "--drain-timeout", "5", "--json"}),
                                        90000);
        QVERIFY2(r.finished, r.err.constData());
        QVERIFY2(r.exitCode == 0, r.err.constData());
        QVERIFY2(!r.json.isEmpty(), r.out.constData());
        const QJsonObject &j = r.json;
        QCOMPARE(j.value(QStringLiteral("passed")).toBool(), true);
        QCOMPARE(j.value(QStringLiteral("exit_code")).toInt(), 0);

        const QJsonObject clients = obj(j, "clients");
        QCOMPARE(clients.value(QStringLiteral("joined")).toInt(), 20);
        QCOMPARE(clients.value(QStringLiteral("failed")).toInt(), 0);
        QCOMPARE(clients.value(QStringLiteral("rooms")).toInt(), 5); // 20 clients, 4 to a room

        const QJsonObject messages = obj(j, "messages");
        // 20 clients x 10/s x 3 s, each fanned out to the 4 members of its room, sender included.
        QCOMPARE(num(messages, "sent"), 600.0);
        QCOMPARE(num(messages, "expected_deliveries"), 2400.0);
        QCOMPARE(num(messages, "delivered"), 2400.0);
        QCOMPARE(num(messages, "lost"), 0.0);
        QCOMPARE(num(messages, "out_of_order"), 0.0);
        QVERIFY(num(messages, "delivered_per_second") > 0);

        const QJsonObject latency = obj(j, "latency_ms");
        checkLatencyOrdered(latency);
        QCOMPARE(num(latency, "count"), 2400.0);
        checkLatencyOrdered(obj(j, "join_ms"));

        QCOMPARE(num(obj(j, "errors"), "total"), 0.0);
        QCOMPARE(num(j, "disconnects"), 0.0);

        // The server's pid came from /health; its CPU and memory were read from /proc.
        const QJsonObject server = obj(j, "server");
        QCOMPARE(qint64(num(server, "pid")), m_server->process().processId());
        QVERIFY(num(server, "cpu_seconds") >= 0);
        QVERIFY(num(server, "cpu_us_per_delivery") >= 0);
        QVERIFY(num(obj(server, "before_connect"), "rss_kb") > 0);
        QVERIFY(num(obj(server, "after"), "rss_kb") > 0);

        // The human summary went to stderr.
        QVERIFY2(r.err.contains("PASSED"), r.err.constData());
        QVERIFY(r.err.contains("latency"));
    }

    void matchmakingRooms()
    {
        QVERIFY(startServer());
        const QStringList target{QStringLiteral("--url"), playerUrl(), QStringLiteral("--server-pid"),
                                 QString::number(m_server->process().processId())};
        const RunResult r = runLoadtest(target
                                            + cli({"--mode", "matchmaking", "--clients", "8", "--room-size", "4",
                                                   "--rate", "5", "--duration", "2", "--drain-timeout", "5", "--json",
                                                   "--quiet"}),
                                        90000);
        QVERIFY2(r.finished && r.exitCode == 0, r.err.constData());
        const QJsonObject clients = obj(r.json, "clients");
        QCOMPARE(clients.value(QStringLiteral("joined")).toInt(), 8);
        QCOMPARE(clients.value(QStringLiteral("rooms")).toInt(), 2);
        const QJsonObject messages = obj(r.json, "messages");
        QCOMPARE(num(messages, "sent"), 80.0);
        QCOMPARE(num(messages, "delivered"), 320.0);
        checkLatencyOrdered(obj(r.json, "latency_ms"));
        QCOMPARE(num(obj(r.json, "errors"), "total"), 0.0);
        QCOMPARE(qint64(num(obj(r.json, "server"), "pid")), m_server->process().processId());
        // --quiet: no progress and no summary on stderr.
        QVERIFY2(!r.err.contains("PASSED"), r.err.constData());
    }

    void idleSessionsMemory()
    {
        QVERIFY(startServer());
        const RunResult r = runLoadtest(QStringList{QStringLiteral("--url"), playerUrl(), QStringLiteral("--admin-url"),
                                                    adminUrl()}
                                            + cli({"--mode", "connect", "--rate", "0", "--clients", "30", "--duration",
                                                   "1", "--json"}),
                                        60000);
        QVERIFY2(r.finished && r.exitCode == 0, r.err.constData());
        QCOMPARE(obj(r.json, "clients").value(QStringLiteral("joined")).toInt(), 30);
        QCOMPARE(obj(r.json, "clients").value(QStringLiteral("welcomed")).toInt(), 30);
        QCOMPARE(num(obj(r.json, "messages"), "sent"), 0.0);
        const QJsonObject server = obj(r.json, "server");
        QVERIFY(server.contains(QStringLiteral("rss_kb_per_session")));
        QVERIFY(num(obj(server, "before_send"), "rss_kb") > 0);
    }

    void spreadOverSeveralServersAndWatchedPids()
    {
        QVERIFY(startServer());
        test::ArenaServer second;
        QVERIFY2(second.start(QStringLiteral(ARENA_SERVER_BINARY), {QStringLiteral("--instance-id"), QStringLiteral("loadtest-2")}),
                 qPrintable(second.lastError()));
        const RunResult r = runLoadtest(
            QStringList{QStringLiteral("--url"), playerUrl(), QStringLiteral("--url"),
                        QStringLiteral("ws://127.0.0.1:%1").arg(second.playerPort()), QStringLiteral("--watch-pid"),
                        QString::number(second.process().processId())}
                + cli({"--mode", "connect", "--rate", "0", "--clients", "10", "--duration", "1", "--json"}),
            60000);
        QVERIFY2(r.finished && r.exitCode == 0, r.err.constData());
        QCOMPARE(obj(r.json, "clients").value(QStringLiteral("welcomed")).toInt(), 10);
        // Client i used the (i mod 2)-th server: five sessions each.
        for (const quint16 admin : {m_adminPort, second.adminPort()}) {
            const QByteArray metrics = test::http("GET", admin, QStringLiteral("/metrics")).body;
            QVERIFY2(metrics.contains("arena_sessions_started_total 5\n"), metrics.constData());
        }
        const QJsonArray watched = r.json.value(QStringLiteral("watched")).toArray();
        QCOMPARE(watched.size(), 1);
        QCOMPARE(watched.first().toObject().value(QStringLiteral("pid")).toInteger(), second.process().processId());
        QVERIFY(watched.first().toObject().value(QStringLiteral("rss_kb")).toInteger() > 0);
        second.stop();
    }

    void errorsByCode()
    {
        // A server that holds 5 sessions: 3 of the 8 clients are refused with server_busy, which the report
        // counts by code and which fails the run (3 errors in 8 joins and 50 messages is above 1 %).
        QVERIFY(startServer(cli({"--session-limit", "5"})));
        const RunResult r = runLoadtest(QStringList{QStringLiteral("--url"), playerUrl()}
                                            + cli({"--clients", "8", "--rate", "10", "--duration", "1", "--json",
                                                   "--quiet"}),
                                        60000);
        QVERIFY(r.finished);
        QCOMPARE(r.exitCode, 1);
        const QJsonObject clients = obj(r.json, "clients");
        QCOMPARE(clients.value(QStringLiteral("welcomed")).toInt(), 5);
        QCOMPARE(clients.value(QStringLiteral("joined")).toInt(), 5);
        QCOMPARE(clients.value(QStringLiteral("failed")).toInt(), 3);
        QCOMPARE(num(obj(obj(r.json, "errors"), "by_code"), "server_busy"), 3.0);
        QCOMPARE(num(obj(r.json, "errors"), "total"), 3.0);
        QVERIFY(r.json.value(QStringLiteral("failure")).toString().contains(QStringLiteral("error rate")));
        QVERIFY(num(obj(r.json, "messages"), "delivered") > 0);
    }

    void serverNotRunning()
    {
        // A port nobody listens on: one clear error, exit code 2, well within the probe timeout.
        const quint16 port = test::freePort();
        QVERIFY(port > 0);
        const QStringList target{QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:%1").arg(port)};
        const RunResult r = runLoadtest(target + cli({"--clients", "5", "--join-timeout", "3", "--json"}), 30000);
        QVERIFY(r.finished);
        QCOMPARE(r.exitCode, 2);
        QVERIFY(r.elapsedMs < 10000);
        QVERIFY2(r.err.contains("cannot reach ws://127.0.0.1:"), r.err.constData());
        QVERIFY2(r.err.toLower().contains("refused"), r.err.constData());
        QCOMPARE(r.json.value(QStringLiteral("passed")).toBool(true), false);
        QVERIFY(r.json.value(QStringLiteral("failure")).toString().contains(QStringLiteral("cannot reach")));
        QCOMPARE(obj(r.json, "clients").value(QStringLiteral("opened")).toInt(), 0);
    }

    void adminNotRunning()
    {
        QVERIFY(startServer());
        const quint16 port = test::freePort();
        const RunResult r = runLoadtest({QStringLiteral("--url"), playerUrl(), QStringLiteral("--admin-url"),
                                         QStringLiteral("http://127.0.0.1:%1").arg(port), QStringLiteral("--quiet")},
                                        30000);
        QVERIFY(r.finished);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("cannot read the server's pid"), r.err.constData());
    }

    void unknownServerPid()
    {
        QVERIFY(startServer());
        const RunResult r =
            runLoadtest(QStringList{QStringLiteral("--url"), playerUrl()} + cli({"--server-pid", "4194303", "--quiet"}),
                        30000);
        QVERIFY(r.finished);
        QCOMPARE(r.exitCode, 2);
        QVERIFY2(r.err.contains("--server-pid 4194303"), r.err.constData());
    }

    void serverDiesMidRun()
    {
        // The clients lose their connections; the run still ends by itself, on time, and fails.
        QVERIFY(startServer());
        const RunResult r = runLoadtest(
            QStringList{QStringLiteral("--url"), playerUrl()}
                + cli({"--clients", "8", "--rate", "10", "--duration", "5", "--json", "--quiet"}),
            60000, [this](QProcess &) { m_server->process().kill(); }, 2500);
        QVERIFY(r.finished);
        QCOMPARE(r.exitCode, 1);
        QVERIFY(r.elapsedMs < 30000);
        // Every client either lost its connection in its room or (on a slow machine) never got there.
        QVERIFY(num(r.json, "disconnects") >= 1);
        QCOMPARE(num(r.json, "disconnects") + obj(r.json, "clients").value(QStringLiteral("failed")).toInt(), 8.0);
        QVERIFY(r.json.value(QStringLiteral("failure")).toString().contains(QStringLiteral("error rate")));
        QVERIFY(num(obj(r.json, "messages"), "delivered") > 0);
        m_server.reset();
    }

    void interruptStillReports()
    {
        QVERIFY(startServer());
        const RunResult r = runLoadtest(
            QStringList{QStringLiteral("--url"), playerUrl()}
                + cli({"--clients", "4", "--duration", "60", "--json", "--quiet"}),
            30000, [](QProcess &p) { ::kill(pid_t(p.processId()), SIGINT); }, 2500);
        QVERIFY(r.finished);
        QCOMPARE(r.exitCode, 3);
        QVERIFY(r.elapsedMs < 20000);
        QVERIFY(r.json.value(QStringLiteral("failure")).toString().contains(QStringLiteral("interrupted")));
        QVERIFY(num(obj(r.json, "messages"), "sent") > 0);
    }

    void badUsage_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        QTest::newRow("remote") << cli({"--url", "ws://203.0.113.5:4600"}) << QStringLiteral("not a loopback address");
        QTest::newRow("clients") << cli({"--clients", "-3"}) << QStringLiteral("--clients");
        QTest::newRow("unknown option") << cli({"--bogus"}) << QStringLiteral("bogus");
    }
    void badUsage()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const RunResult r = runLoadtest(args, 20000);
        QVERIFY(r.finished);
        QVERIFY(r.exitCode != 0);
        QVERIFY2(QString::fromUtf8(r.err).contains(message), r.err.constData());
        QVERIFY(r.out.isEmpty());
    }

    void helpListsOptions()
    {
        const RunResult r = runLoadtest(cli({"--help"}), 20000);
        QVERIFY(r.finished);
        QCOMPARE(r.exitCode, 0);
        for (const char *option : {"--clients", "--connect-rate", "--room-size", "--room-type", "--mode", "--rate",
                                   "--duration", "--json", "--server-pid", "--admin-url", "--max-error-rate",
                                   "--allow-remote"})
            QVERIFY2(r.out.contains(option), option);
    }
};

QTEST_GUILESS_MAIN(TestLoadTest)
#include "tst_loadtest.moc"
