// AgentCollector: the agent's collection half — every interval one JSON snapshot of its server (admin
// API), the server's and workers' processes (/proc), Redis (INFO, PING) and the host.
#pragma once

#include "agent/hostsampler.h"
#include "agent/processsampler.h"
#include "agent/trafficmetrics.h"
#include "shared/core/taskregistry.h"
#include "shared/redis/redisoptions.h"
#include "shared/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QSslConfiguration>
#include <QUrl>

#include <chrono>
#include <optional>

namespace arena {

class RedisClient;
class RedisProbe;
class ServerPoller;

// The snapshot's fields are documented in agent/SNAPSHOT.md. A snapshot is made after every successful
// poll of the server, and by the periodic job in any interval without one (server down or hung), plus
// one at once when the server goes down or comes back, so a change is reported without waiting for
// the next tick. The collector's periodic job is the task
// "agent.collect" of the given registry (which must outlive the collector); the poller and probe add
// theirs ("agent.server.poll", "agent.redis.info", "agent.redis.ping"), so one registry holds one
// collector.
class AgentCollector final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentCollector)

public:
    struct Settings
    {
        QUrl server = QUrl(QStringLiteral("http://127.0.0.1:4601")); // the server's admin API
        QByteArray token;                     // bearer token for the admin API; empty: none
        std::optional<RedisOptions> redis;    // none: no Redis figures in the snapshot
        std::chrono::milliseconds interval{1000};
        std::chrono::milliseconds requestTimeout{1000};
        std::chrono::milliseconds downAfter{3000};
        std::optional<QSslConfiguration> serverTls; // for an https:// admin API (ServerPoller::Settings::tls)
        int redisPingsPerInterval = 10;
        QString procRoot = QStringLiteral("/proc");
    };

    AgentCollector(Settings settings, TaskRegistry &tasks, QObject *parent = nullptr);
    ~AgentCollector() override; // stop()

    // Starts polling, probing (opening the Redis connection) and the snapshot job. Errors:
    // "invalid_settings", or the task registry's.
    Result<void> start();
    // Cancels every job and closes the Redis connection.
    void stop();

    // Builds a snapshot now from the latest figures, keeps it as lastSnapshot() and emits
    // snapshotReady (the periodic job calls this).
    QJsonObject collect();
    const QJsonObject &lastSnapshot() const { return m_lastSnapshot; }

    const Settings &settings() const { return m_settings; }
    ServerPoller &poller() { return *m_poller; }
    // Null without Settings::redis. The client is the collector's; others may send commands on it
    // (publishing the snapshot, say) but must not close it.
    RedisProbe *redisProbe() const { return m_probe; }
    RedisClient *redisClient() const { return m_redis; }

Q_SIGNALS:
    void snapshotReady(const QJsonObject &snapshot);

private:
    QJsonObject serverJson(const QJsonObject &stats, bool live);
    QJsonObject workersJson(const QJsonObject &workerStats);
    void addTrafficScrape();
    // collect(), or, while the Redis probe has not settled, once it has.
    void collectOnceSettled();

    Settings m_settings;
    TaskRegistry &m_tasks;
    ServerPoller *m_poller;
    RedisClient *m_redis = nullptr;
    RedisProbe *m_probe = nullptr;
    ProcessSampler m_processes;
    HostSampler m_host;
    TrafficMetrics m_traffic;
    QDateTime m_trafficPolledAt;    // the poll m_traffic last took, so each poll counts once
    QString m_trafficServer;        // pid and start time of the process whose counters it holds
    QJsonObject m_lastSnapshot;
    quint64 m_sequence = 0;
    bool m_started = false;
    bool m_snapshotHeld = false; // a snapshot is due once the Redis probe settles
};

} // namespace arena
