// ServerFleet: one real redis-server and the arena-server processes of a test that share it — each
// with --redis, its instance id, a 1 s lease (so that leases lapse within the test) and no worker
// processes, plus the test's own flags.
#pragma once

#include "tests/support/arenaserver.h"
#include "tests/support/redisserver.h"

#include <QTest>

#include <csignal>
#include <memory>
#include <vector>

namespace arena::test {

class ServerFleet
{
public:
    // Starts redis-server; false (with the reason in lastError()) if it does not come up.
    bool startRedis()
    {
        m_redis = std::make_unique<RedisServer>();
        return m_redis->start();
    }
    RedisServer &redis() { return *m_redis; }
    QString lastError() const { return m_redis ? m_redis->lastError() : QStringLiteral("no redis-server"); }
    QByteArray cli(const QStringList &args) const { return m_redis->cli(args); }

    // A server in the fleet, or null (its error logged) if it does not start.
    ArenaServer *start(const QString &id, const QStringList &extra = {})
    {
        auto server = std::make_unique<ArenaServer>();
        if (!server->start(binary(),
                           QStringList{QStringLiteral("--redis"), m_redis->url(), QStringLiteral("--instance-id"), id,
                                       QStringLiteral("--lease-ttl"), QStringLiteral("1s"),
                                       QStringLiteral("--workers-max"), QStringLiteral("0")}
                               + extra)) {
            qWarning("%s", qPrintable(server->lastError()));
            return nullptr;
        }
        m_servers.push_back(std::move(server));
        return m_servers.back().get();
    }

    // Stops every server (a stopped one is continued first) and Redis; when the current test failed,
    // prints what each server said.
    void stopAll()
    {
        for (auto &server : m_servers) {
            if (QTest::currentTestFailed())
                qWarning("%s said:\n%s", qPrintable(server->instance()), server->output().constData());
            server->process().sendSignal(SIGCONT);
            server->stop(3000);
        }
        m_servers.clear();
        m_redis.reset();
    }

    static QString binary() { return QStringLiteral(ARENA_SERVER_BINARY); }

private:
    std::unique_ptr<RedisServer> m_redis;
    std::vector<std::unique_ptr<ArenaServer>> m_servers;
};

} // namespace arena::test
