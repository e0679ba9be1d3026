// TestFleet: a real fleet for the admin-client tests — one redis-server, two arena-server instances (each on
// its own Redis database, with 1 to 3 workers) and an arena-agent beside each (both agents on database 0,
// so they share the fleet), with the token files the tests use.
#pragma once

#include "tests/support/childprocess.h"
#include "tests/support/redisserver.h"

#include <QFile>
#include <QTemporaryDir>

#include <memory>

namespace arena::test {

struct FleetInstance
{
    std::unique_ptr<ChildProcess> server;
    std::unique_ptr<ChildProcess> agent;
    QString id;
    quint16 playerPort = 0;
    quint16 adminPort = 0;
    quint16 agentPort = 0;

    QString agentUrl() const { return QStringLiteral("ws://127.0.0.1:%1").arg(agentPort); }
};

class TestFleet final
{
    Q_DISABLE_COPY_MOVE(TestFleet)

public:
    static constexpr const char *ServerOperatorToken = "srv-op-secret-0123456789";
    static constexpr const char *ServerViewerToken = "srv-view-secret-0123456789";
    static constexpr const char *ViewerToken = "view-secret-0123456789";     // name "watcher"
    static constexpr const char *OperatorToken = "op-secret-0123456789";     // name "ops-1"

    TestFleet() = default;

    // Starts Redis and instances `idA` (server on db 1) and `idB` (db 2). False with lastError() set.
    bool start(const QString &idA, const QString &idB)
    {
        if (!m_dir.isValid())
            return fail(QStringLiteral("no temporary directory"));
        write(QStringLiteral("server-tokens"), QByteArray("operator ") + ServerOperatorToken + " agent\nviewer "
                                                   + ServerViewerToken + "\n");
        write(QStringLiteral("agent-tokens"),
              QByteArray("viewer ") + ViewerToken + " watcher\noperator " + OperatorToken + " ops-1\n");
        write(QStringLiteral("ctl-operator"), QByteArray("# the first token is the one used\noperator ") + OperatorToken
                                                  + " ops-1\n");
        write(QStringLiteral("ctl-viewer"), QByteArray("viewer ") + ViewerToken + " watcher\n");
        if (!redis.start())
            return fail(redis.lastError());
        return startServer(a, idA, 1) && startAgent(a) && startServer(b, idB, 2) && startAgent(b);
    }

    // Starts the instance's agent (again), on `port` (0: a free one).
    bool startAgent(FleetInstance &instance, quint16 port = 0)
    {
        static const QRegularExpression ready(QStringLiteral("^arena-agent ready port=(\\d+) instance=(\\S+)"));
        instance.agent = std::make_unique<ChildProcess>();
        const QStringList args{QStringLiteral("--server"), QStringLiteral("http://127.0.0.1:%1").arg(instance.adminPort),
                               QStringLiteral("--server-token-file"), path(QStringLiteral("server-tokens")),
                               QStringLiteral("--port"), QString::number(port),
                               QStringLiteral("--redis"), redis.url(0),
                               QStringLiteral("--token-file"), path(QStringLiteral("agent-tokens"))};
        if (!instance.agent->startAndWait(QStringLiteral(ARENA_AGENT_BINARY), args, ready, 15000))
            return fail(instance.agent->lastError());
        instance.agentPort = quint16(instance.agent->readyMatch().captured(1).toUInt());
        if (instance.agent->readyMatch().captured(2) != instance.id)
            return fail(QStringLiteral("agent reports instance %1, expected %2")
                            .arg(instance.agent->readyMatch().captured(2), instance.id));
        return true;
    }

    QString path(const QString &name) const { return m_dir.filePath(name); }
    QString lastError() const { return m_lastError; }

    RedisServer redis;
    FleetInstance a;
    FleetInstance b;

private:
    bool startServer(FleetInstance &instance, const QString &id, int db)
    {
        static const QRegularExpression ready(
            QStringLiteral("^arena-server ready player=(\\d+) admin=(\\d+) instance=(\\S+) store=(\\w+)"));
        instance.id = id;
        instance.server = std::make_unique<ChildProcess>();
        const QStringList args{QStringLiteral("--player-port"), QStringLiteral("0"),
                               QStringLiteral("--admin-port"), QStringLiteral("0"),
                               QStringLiteral("--redis"), redis.url(db),
                               QStringLiteral("--instance-id"), id,
                               QStringLiteral("--admin-token-file"), path(QStringLiteral("server-tokens")),
                               QStringLiteral("--workers-min"), QStringLiteral("1"),
                               QStringLiteral("--workers-max"), QStringLiteral("3")};
        if (!instance.server->startAndWait(QStringLiteral(ARENA_SERVER_BINARY), args, ready, 15000))
            return fail(instance.server->lastError());
        instance.playerPort = quint16(instance.server->readyMatch().captured(1).toUInt());
        instance.adminPort = quint16(instance.server->readyMatch().captured(2).toUInt());
        return true;
    }

    void write(const QString &name, const QByteArray &text)
    {
        QFile f(path(name));
        if (f.open(QIODevice::WriteOnly))
            f.write(text);
    }

    bool fail(const QString &error)
    {
        m_lastError = error;
        return false;
    }

    QTemporaryDir m_dir;
    QString m_lastError;
};

} // namespace arena::test
