// ArenaServer: a real arena-server process for a test, started with free ports (--player-port 0
// --admin-port 0) plus the test's own flags, with the ports and instance id read from its ready line.
#pragma once

#include "tests/support/childprocess.h"

#include <QRegularExpression>
#include <QUrl>

#include <memory>

namespace arena::test {

inline const QRegularExpression &serverReadyLine()
{
    static const QRegularExpression line(
        QStringLiteral("^arena-server ready player=(\\d+) admin=(\\d+) instance=(\\S+) store=(\\w+)"));
    return line;
}

class ArenaServer
{
public:
    // False (with the reason in lastError()) if it exits or is not ready within timeoutMs. `env`: extra
    // "NAME=value" variables on top of the test's environment.
    bool start(const QString &binary, const QStringList &extraArgs = {}, int timeoutMs = 10000,
               const QStringList &env = {})
    {
        m_process = std::make_unique<ChildProcess>();
        QProcessEnvironment environment = QProcessEnvironment::systemEnvironment();
        for (const QString &pair : env)
            environment.insert(pair.section(QLatin1Char('='), 0, 0), pair.section(QLatin1Char('='), 1));
        m_process->setProcessEnvironment(environment);
        QStringList args{QStringLiteral("--player-port"), QStringLiteral("0"), QStringLiteral("--admin-port"),
                         QStringLiteral("0")};
        args += extraArgs;
        if (!m_process->startAndWait(binary, args, serverReadyLine(), timeoutMs))
            return false;
        const QRegularExpressionMatch ready = m_process->readyMatch();
        m_playerPort = quint16(ready.captured(1).toUInt());
        m_adminPort = quint16(ready.captured(2).toUInt());
        m_instance = ready.captured(3);
        return true;
    }
    // SIGTERM, then SIGKILL after graceMs.
    void stop(int graceMs = 5000)
    {
        if (m_process)
            m_process->stop(graceMs);
    }

    bool isStarted() const { return bool(m_process); }
    quint16 playerPort() const { return m_playerPort; }
    quint16 adminPort() const { return m_adminPort; }
    QString instance() const { return m_instance; }
    QUrl playerUrl() const { return QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(m_playerPort)); }
    QString lastError() const { return m_process ? m_process->lastError() : QStringLiteral("not started"); }
    QByteArray output() const { return m_process ? m_process->output() : QByteArray(); }
    ChildProcess &process() { return *m_process; }

private:
    std::unique_ptr<ChildProcess> m_process;
    quint16 m_playerPort = 0;
    quint16 m_adminPort = 0;
    QString m_instance;
};

} // namespace arena::test
