// ServerApp: one arena-server instance — store, the player service (sessions, rooms, matchmaking),
// cleanup, the player port and the admin API — built from a loaded Config; the thin main only parses,
// calls init() and runs.
#pragma once

#include "shared/core/metricsregistry.h"
#include "shared/core/taskregistry.h"
#include "shared/result.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>

#include <chrono>
#include <functional>
#include <memory>

namespace arena {

class AuditLog;
class WorkerPool;

class AdminApi;
class CleanupSweep;
class Config;
class DrainControl;
class InstanceBus;
class InstanceRegistry;
class PlayerAuth;
class PlayerGateway;
class PlayerService;
class RedisStore;
class RoomTypeRegistry;
class StateStore;
struct AdminRequest;
struct AdminResponse;

class ServerApp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerApp)

public:
    explicit ServerApp(QObject *parent = nullptr);
    ~ServerApp() override;

    // Builds everything and starts listening. A failure (bad token file, port taken) says why.
    Result<void> init(const Config &config);

    // "arena-server ready player=4600 admin=4601 instance=host-1234 store=memory"
    QString readyLine() const;
    QString instanceId() const { return m_instanceId; }
    quint16 playerPort() const;
    quint16 adminPort() const;
    StateStore *store() const { return m_store; }
    TaskRegistry &tasks() { return m_tasks; }
    MetricsRegistry &metrics() { return m_metrics; }

    QJsonObject health() const;
    QJsonObject stats() const;
    bool isShuttingDown() const { return m_shuttingDown; }
    bool isDraining() const;

public Q_SLOTS:
    // Stops accepting, tells every client (close 1001), disposes rooms, cancels every task, drops this
    // instance's keys and emits finished() — at the latest when the shutdown deadline passes.
    void shutdown();

Q_SIGNALS:
    void finished();

private:
    Result<void> initStore(const Config &config);
    void registerMetrics();
    void registerAdminRoutes();
    void registerWorkerRoutes();
    void registerDrainRoutes();
    void registerSessionRoutes();
    Result<void> startRegistry(std::chrono::milliseconds leaseTtl);
    // The answer of an audited POST: records the action with its result, then responds.
    std::function<void(Result<QJsonObject>)> audited(const AdminRequest &request, const QString &action,
                                                     const QString &target, const QJsonObject &parameters,
                                                     std::function<void(const AdminResponse &)> respond);
    Result<void> startWorkerPool(const Config &config, bool testRoomTypes);
    void registerCleanupKinds();
    // Keys room:{<id>}<suffix> whose room:{<id>} record is gone; deleted unless `dryRun`.
    void sweepOrphanRoomKeys(const QByteArray &suffix, const QString &label, bool dryRun,
                             std::function<void(Result<QStringList>)> done);
    void checkStore(TaskRegistry::Done done);

    QString m_instanceId;
    QDateTime m_startedAt;
    QElapsedTimer m_uptime;
    TaskRegistry m_tasks;
    MetricsRegistry m_metrics;
    StateStore *m_store = nullptr;
    RedisStore *m_redisStore = nullptr; // same object as m_store when Redis is configured
    std::unique_ptr<PlayerAuth> m_auth;
    std::unique_ptr<RoomTypeRegistry> m_roomTypes;
    PlayerService *m_players = nullptr;
    DrainControl *m_drain = nullptr;
    InstanceRegistry *m_registry = nullptr;
    InstanceBus *m_bus = nullptr; // with Redis only: the link to the other instances
    WorkerPool *m_workers = nullptr; // null with --workers-max 0
    std::unique_ptr<AuditLog> m_audit;
    CleanupSweep *m_cleanup = nullptr;
    PlayerGateway *m_gateway = nullptr;
    AdminApi *m_admin = nullptr;
    Histogram *m_storeRoundTrip = nullptr; // series owned by m_metrics
    Counter *m_storeCheckFailures = nullptr;
    Counter *m_leaseLost = nullptr;
    std::chrono::milliseconds m_storeCheckInterval{5000};
    std::chrono::milliseconds m_shutdownDeadline{30000};
    std::chrono::milliseconds m_cleanupInterval{60000};
    bool m_shuttingDown = false;
    struct TlsPorts
    {
        bool player = false;
        bool admin = false;
    } m_tlsPorts; // which ports serve TLS (--tls-cert, --tls-ports)

    // Result of the latest store round trip, for /health.
    QDateTime m_lastStoreCheck;
    double m_lastStoreRoundTripMs = -1;
    QString m_lastStoreError;
    QJsonObject m_lastCleanup;
};

} // namespace arena
