#include "tests/support/redisserver.h"

#include <QProcess>
#include <QStandardPaths>
#include <QThread>

#include <csignal>

namespace arena::test {

RedisServer::RedisServer() = default;

RedisServer::~RedisServer()
{
    if (m_process && m_process->state() != QProcess::NotRunning) {
        resume(); // a stopped process ignores SIGTERM until continued
        m_process->kill();
        m_process->waitForFinished(5000);
    }
}

bool RedisServer::start(const QStringList &extraArgs)
{
    m_extraArgs = extraArgs;
    // A port found free can be taken by someone else before redis binds it: try a few.
    for (int attempt = 0; attempt < 5; ++attempt) {
        m_port = freePort();
        if (launch())
            return true;
        if (!m_lastError.contains(QStringLiteral("Address already in use")))
            break;
    }
    return false;
}

bool RedisServer::launch()
{
    const QString program = QStandardPaths::findExecutable(QStringLiteral("redis-server"));
    if (program.isEmpty()) {
        m_lastError = QStringLiteral("redis-server is not installed (apt-get install redis-server)");
        return false;
    }
    QStringList args{QStringLiteral("--port"), QString::number(m_port),
                     QStringLiteral("--bind"), QStringLiteral("127.0.0.1"),
                     QStringLiteral("--save"), QString(),
                     QStringLiteral("--appendonly"), QStringLiteral("no"),
                     QStringLiteral("--dir"), m_dir.path(),
                     QStringLiteral("--daemonize"), QStringLiteral("no")};
    args += m_extraArgs;
    m_process = std::make_unique<ChildProcess>();
    if (m_process->startAndWait(program, args, QRegularExpression(QStringLiteral("Ready to accept connections")),
                                10000))
        return true;
    m_lastError = m_process->lastError();
    m_process->kill();
    m_process->waitForFinished(2000);
    return false;
}

void RedisServer::stop()
{
    if (!m_process)
        return;
    resume();
    m_process->stop(5000);
}

void RedisServer::kill()
{
    if (!m_process)
        return;
    m_process->kill();
    m_process->waitForFinished(5000);
}

bool RedisServer::restart()
{
    stop();
    // The port was just released; retry briefly in case the kernel has not let go of it yet.
    for (int attempt = 0; attempt < 20; ++attempt) {
        if (launch())
            return true;
        QThread::msleep(100);
    }
    return false;
}

void RedisServer::pause()
{
    if (m_process)
        m_process->sendSignal(SIGSTOP);
}

void RedisServer::resume()
{
    if (m_process)
        m_process->sendSignal(SIGCONT);
}

bool RedisServer::isRunning() const
{
    return m_process && m_process->state() == QProcess::Running;
}

QString RedisServer::url(int db) const
{
    return QStringLiteral("redis://127.0.0.1:%1/%2").arg(m_port).arg(db);
}

QByteArray RedisServer::cli(const QStringList &args) const
{
    QProcess p;
    QStringList all{QStringLiteral("-p"), QString::number(m_port)};
    all += args;
    p.start(QStringLiteral("redis-cli"), all);
    p.waitForFinished(5000);
    return p.readAllStandardOutput().trimmed();
}

} // namespace arena::test
