// ServerApp: one arena-server instance — its store, task registry, metrics and admin API — built from
// a loaded Config; the thin main only parses, calls init() and runs the event loop.
#pragma once

#include "shared/core/metricsregistry.h"
#include "shared/core/taskregistry.h"
#include "shared/result.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>

#include <chrono>
#include <memory>

namespace arena {

class AdminApi;
class Config;
class StateStore;
class RedisStore;

class ServerApp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerApp)

public:
    explicit ServerApp(QObject *parent = nullptr);
    ~ServerApp() override;

    // Builds everything and starts listening. A failure (bad token file, port taken) says why.
    Result<void> init(const Config &config);

    // "arena-server ready admin=4601 instance=host-1234 store=memory"
    QString readyLine() const;
    QString instanceId() const { return m_instanceId; }
    quint16 adminPort() const;
    StateStore *store() const { return m_store; }
    TaskRegistry &tasks() { return m_tasks; }
    MetricsRegistry &metrics() { return m_metrics; }

    QJsonObject health() const;
    bool isShuttingDown() const { return m_shuttingDown; }

public Q_SLOTS:
    // Stops taking work, cancels every task and emits finished() (at the latest after the deadline).
    void shutdown();

Q_SIGNALS:
    void finished();

private:
    void registerMetrics();
    void checkStore(TaskRegistry::Done done);

    QString m_instanceId;
    QDateTime m_startedAt;
    QElapsedTimer m_uptime;
    StateStore *m_store = nullptr;
    RedisStore *m_redisStore = nullptr; // same object as m_store when Redis is configured
    AdminApi *m_admin = nullptr;
    TaskRegistry m_tasks;
    MetricsRegistry m_metrics;
    Histogram *m_storeRoundTrip = nullptr; // series owned by m_metrics
    Counter *m_storeCheckFailures = nullptr;
    std::chrono::milliseconds m_storeCheckInterval{5000};
    std::chrono::milliseconds m_shutdownDeadline{30000};
    bool m_shuttingDown = false;

    // Result of the latest store round trip, for /health.
    QDateTime m_lastStoreCheck;
    double m_lastStoreRoundTripMs = -1;
    QString m_lastStoreError;
};

} // namespace arena
