#include "tests/support/childprocess.h"

#include <QDeadlineTimer>
#include <QTcpServer>

#include <csignal>
#include <sys/prctl.h>
#include <unistd.h>

namespace arena::test {

ChildProcess::ChildProcess(QObject *parent) : QProcess(parent)
{
    setProcessChannelMode(QProcess::MergedChannels);
    setChildProcessModifier([] {
        // Die with the test, so a crashed test never leaves a server holding ctest's pipes.
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    });
}

ChildProcess::~ChildProcess()
{
    if (state() != QProcess::NotRunning) {
        kill();
        waitForFinished(5000);
    }
}

bool ChildProcess::startAndWait(const QString &program, const QStringList &args,
                                const QRegularExpression &readyLine, int timeoutMs)
{
    m_output.clear();
    m_readyMatch = {};
    start(program, args);
    if (!waitForStarted(timeoutMs)) {
        m_lastError = QStringLiteral("%1 did not start: %2").arg(program, errorString());
        return false;
    }
    if (readyLine.pattern().isEmpty())
        return true;
    QDeadlineTimer deadline(timeoutMs);
    while (!deadline.hasExpired()) {
        if (state() == QProcess::NotRunning)
            break;
        waitForReadyRead(int(qMin<qint64>(100, deadline.remainingTime())));
        m_output += readAll();
        for (const QByteArray &line : m_output.split('\n')) {
            const auto match = readyLine.match(QString::fromUtf8(line));
            if (match.hasMatch()) {
                m_readyMatch = match;
                return true;
            }
        }
    }
    m_output += readAll();
    m_lastError = QStringLiteral("%1 not ready within %2 ms (state %3); output:\n%4")
                      .arg(program)
                      .arg(timeoutMs)
                      .arg(int(state()))
                      .arg(QString::fromUtf8(m_output));
    return false;
}

QByteArray ChildProcess::output()
{
    m_output += readAll();
    return m_output;
}

void ChildProcess::sendSignal(int signal)
{
    if (processId() > 0)
        ::kill(pid_t(processId()), signal);
}

void ChildProcess::stop(int graceMs)
{
    if (state() == QProcess::NotRunning)
        return;
    terminate();
    if (!waitForFinished(graceMs)) {
        kill();
        waitForFinished(5000);
    }
}

quint16 freePort()
{
    QTcpServer server;
    if (!server.listen(QHostAddress::LocalHost, 0))
        return 0;
    return server.serverPort();
}

} // namespace arena::test
