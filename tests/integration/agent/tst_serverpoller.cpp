// ServerPoller against real arena-server processes and a port nobody listens on: a server that never
// answers is down within 3 s of starting; a hung (SIGSTOPped) server is down within 3 s and up again
// once it answers; the bearer token is sent, and a wrong one is reported with the HTTP status.
#include "agent/serverpoller.h"
#include "tests/support/arenaserver.h"

#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QTest>

#include <csignal>
#include <memory>

using namespace arena;
using namespace std::chrono_literals;

namespace {

ServerPoller::Settings settingsFor(quint16 port, const QByteArray &token = {})
{
    ServerPoller::Settings s;
    s.baseUrl = QUrl(QStringLiteral("http://127.0.0.1:%1").arg(port));
    s.token = token;
    return s;
}

} // namespace

class TestServerPoller final : public QObject
{
    Q_OBJECT

private:
    std::unique_ptr<test::ArenaServer> m_server;
    quint16 m_admin = 0;

    bool start(const QStringList &extra)
    {
        m_server = std::make_unique<test::ArenaServer>();
        if (!m_server->start(QStringLiteral(ARENA_SERVER_BINARY),
                             QStringList{QStringLiteral("--workers-max"), QStringLiteral("0")} + extra, 15000)) {
            qWarning("%s", qPrintable(m_server->lastError()));
            return false;
        }
        m_admin = m_server->adminPort();
        return true;
    }

private Q_SLOTS:
    void cleanup()
    {
        if (QTest::currentTestFailed() && m_server)
            qWarning("arena-server said:\n%s", m_server->output().constData());
        if (m_server)
            m_server->process().sendSignal(SIGCONT);
        m_server.reset();
    }

    void invalidSettingsAreRefused()
    {
        TaskRegistry tasks;
        ServerPoller::Settings s = settingsFor(4601);
        s.baseUrl = QUrl(QStringLiteral("ftp://127.0.0.1:4601"));
        ServerPoller poller(s, tasks);
        const Result<void> started = poller.start();
        QVERIFY(!started.ok());
        QCOMPARE(started.error().code, QStringLiteral("invalid_settings"));

        ServerPoller::Settings zero = settingsFor(4601);
        zero.interval = 0ms;
        ServerPoller other(zero, tasks);
        QVERIFY(!other.start().ok());
        QVERIFY(tasks.list().isEmpty());
    }

    void urlsKeepTheBasePath()
    {
        TaskRegistry tasks;
        ServerPoller::Settings s = settingsFor(4601);
        s.baseUrl = QUrl(QStringLiteral("http://10.0.0.5:4601/arena/"));
        ServerPoller poller(s, tasks);
        QCOMPARE(poller.urlFor(QStringLiteral("/health/stats")).toString(),
                 QStringLiteral("http://10.0.0.5:4601/arena/health/stats"));
        QCOMPARE(ServerPoller(settingsFor(4601), tasks).urlFor(QStringLiteral("/metrics")).toString(),
                 QStringLiteral("http://127.0.0.1:4601/metrics"));
    }

    void nobodyListening()
    {
        TaskRegistry tasks;
        ServerPoller poller(settingsFor(test::freePort()), tasks);
        QSignalSpy down(&poller, &ServerPoller::serverDown);
        QSignalSpy polled(&poller, &ServerPoller::polled);
        QCOMPARE(poller.state(), ServerPoller::State::Unknown);
        QElapsedTimer clock;
        clock.start();
        QVERIFY(poller.start().ok());
        QTRY_COMPARE_WITH_TIMEOUT(down.size(), 1, 4000);
        QCOMPARE(poller.state(), ServerPoller::State::Down);
        QVERIFY(clock.elapsed() >= 2900); // the 3 s are counted from start(), not from the first failure
        QVERIFY2(poller.downReason().contains(QStringLiteral("within 3000 ms of starting")), qPrintable(poller.downReason()));
        QVERIFY2(poller.downReason().contains(QStringLiteral("GET /health/stats")), qPrintable(poller.downReason()));
        QVERIFY(!poller.lastSuccess().isValid());
        QVERIFY(poller.instanceId().isEmpty());
        QCOMPARE(poller.serverPid(), qint64(0));
        // It keeps polling, and reports down once.
        const qsizetype before = polled.size();
        QTRY_VERIFY_WITH_TIMEOUT(polled.size() >= before + 2, 4000);
        QCOMPARE(polled.last().at(0).toBool(), false);
        QCOMPARE(down.size(), 1);
    }

    void hungServerIsDownThenUpAgain()
    {
        QVERIFY(start({QStringLiteral("--instance-id"), QStringLiteral("poller-1")}));
        TaskRegistry tasks;
        ServerPoller poller(settingsFor(m_admin), tasks);
        QSignalSpy up(&poller, &ServerPoller::serverUp);
        QSignalSpy down(&poller, &ServerPoller::serverDown);
        QVERIFY(poller.start().ok());
        QTRY_COMPARE_WITH_TIMEOUT(up.size(), 1, 5000);
        QCOMPARE(poller.state(), ServerPoller::State::Up);
        QCOMPARE(poller.instanceId(), QStringLiteral("poller-1"));
        QCOMPARE(poller.serverPid(), m_server->process().processId());
        QVERIFY(poller.lastSuccess().isValid());
        // --workers-max 0: /workers/stats is 503, which is no error.
        QVERIFY(!poller.workers().has_value());
        QVERIFY(poller.workersError().isEmpty());
        QVERIFY(poller.workerPids().isEmpty());
        QVERIFY2(poller.metricsError().isEmpty(), qPrintable(poller.metricsError()));

        // The process is there but answers nothing: connections open, requests time out.
        m_server->process().sendSignal(SIGSTOP);
        QTRY_COMPARE_WITH_TIMEOUT(down.size(), 1, 4000);
        QCOMPARE(poller.state(), ServerPoller::State::Down);
        QVERIFY2(poller.downReason().contains(QStringLiteral("no successful poll for 3000 ms")), qPrintable(poller.downReason()));
        QVERIFY2(poller.downReason().contains(QStringLiteral("no answer within 1000 ms")), qPrintable(poller.downReason()));
        // The last figures are kept for whoever wants to know what it was.
        QCOMPARE(poller.instanceId(), QStringLiteral("poller-1"));

        m_server->process().sendSignal(SIGCONT);
        QTRY_COMPARE_WITH_TIMEOUT(up.size(), 2, 5000);
        QCOMPARE(poller.state(), ServerPoller::State::Up);
        QVERIFY(poller.downReason().isEmpty());
        QVERIFY(poller.lastError().isEmpty());
        QCOMPARE(down.size(), 1);
    }

    void bearerToken()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QString tokens = dir.filePath(QStringLiteral("tokens"));
        {
            QFile f(tokens);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write("viewer view-secret-0123456789\noperator op-secret-0123456789abc\n");
        }
        QVERIFY(start({QStringLiteral("--admin-token-file"), tokens}));

        TaskRegistry tasks;
        ServerPoller viewer(settingsFor(m_admin, "view-secret-0123456789"), tasks);
        QSignalSpy viewerUp(&viewer, &ServerPoller::serverUp);
        QVERIFY(viewer.start().ok());
        QTRY_COMPARE_WITH_TIMEOUT(viewerUp.size(), 1, 5000);
        QVERIFY2(viewer.metricsError().isEmpty(), qPrintable(viewer.metricsError())); // /metrics took the token too

        // Task names are per registry: a second poller needs its own.
        TaskRegistry otherTasks;
        ServerPoller wrong(settingsFor(m_admin, "not-the-right-token-at-all"), otherTasks);
        QSignalSpy wrongDown(&wrong, &ServerPoller::serverDown);
        QVERIFY(wrong.start().ok());
        QTRY_COMPARE_WITH_TIMEOUT(wrongDown.size(), 1, 5000);
        QVERIFY2(wrong.downReason().contains(QStringLiteral("HTTP 401")), qPrintable(wrong.downReason()));
        QCOMPARE(viewer.state(), ServerPoller::State::Up);
    }
};

QTEST_GUILESS_MAIN(TestServerPoller)
#include "tst_serverpoller.moc"
