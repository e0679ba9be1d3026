// ChildProcess: a QProcess for tests that dies with the test (PR_SET_PDEATHSIG) and can wait for a
// ready line on stdout.
#pragma once

#include <QProcess>
#include <QRegularExpression>
#include <QStringList>

namespace arena::test {

class ChildProcess final : public QProcess
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChildProcess)

public:
    explicit ChildProcess(QObject *parent = nullptr);
    ~ChildProcess() override;

    // Starts the program and waits until a stdout line matches `readyLine` (or just for the start when
    // it is empty). Returns false with the output so far in lastError() when it exits or times out.
    bool startAndWait(const QString &program, const QStringList &args, const QRegularExpression &readyLine,
                      int timeoutMs = 10000);
    // The first match of `readyLine`'s captures, once ready.
    QRegularExpressionMatch readyMatch() const { return m_readyMatch; }
    QString lastError() const { return m_lastError; }
    // Everything the child wrote to stdout and stderr so far.
    QByteArray output();

    void sendSignal(int signal);
    // SIGTERM, then SIGKILL after `graceMs`.
    void stop(int graceMs = 5000);

private:
    QByteArray m_output;
    QRegularExpressionMatch m_readyMatch;
    QString m_lastError;
};

// A TCP port that was free a moment ago on 127.0.0.1.
quint16 freePort();

} // namespace arena::test
