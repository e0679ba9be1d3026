// RedisServer: a real redis-server on a free loopback port for one test, which dies with the test
// and can be stopped, restarted on the same port, paused (SIGSTOP) and resumed.
#pragma once

#include "tests/support/childprocess.h"

#include <QString>
#include <QTemporaryDir>

#include <memory>

namespace arena::test {

class RedisServer final
{
    Q_DISABLE_COPY_MOVE(RedisServer)

public:
    RedisServer();
    ~RedisServer();

    // `extraArgs` are passed through, e.g. {"--requirepass", "secret"}.
    bool start(const QStringList &extraArgs = {});
    void stop();          // SIGTERM and wait
    void kill();          // SIGKILL, no goodbye to clients
    bool restart();       // stop (if running), start again on the same port with the same arguments
    void pause();         // SIGSTOP: the socket stays open but nothing answers
    void resume();        // SIGCONT

    bool isRunning() const;
    quint16 port() const { return m_port; }
    QString url(int db = 0) const;
    QString lastError() const { return m_lastError; }

    // Runs redis-cli against the server and returns its trimmed output (for assertions).
    QByteArray cli(const QStringList &args) const;

private:
    bool launch();

    std::unique_ptr<ChildProcess> m_process;
    QTemporaryDir m_dir;
    QStringList m_extraArgs;
    QString m_lastError;
    quint16 m_port = 0;
};

} // namespace arena::test
