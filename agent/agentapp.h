// AgentApp: arena-agent's parts wired together — collector, fleet directory, audit trail, control
// channel, action executor and the WebSocket/HTTP service — built from the agent's configuration.
#pragma once

#include "shared/core/metricsregistry.h"
#include "shared/core/taskregistry.h"
#include "shared/result.h"

#include <QJsonObject>
#include <QObject>
#include <QString>

#include <memory>

namespace arena {

class ActionExecutor;
class AgentCollector;
class AgentService;
class AuditTrail;
class Config;
class ControlChannel;
class FleetDirectory;
class RedisClient;
class RedisSubscriber;

class AgentApp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentApp)

public:
    AgentApp();
    ~AgentApp() override;

    // Reads the settings, opens the port and starts collecting. The agent is ready (readyChanged)
    // once it knows its instance's id: at once with --instance-id, else after the server's first answer.
    Result<void> init(const Config &config);
    bool isReady() const { return !m_instance.isEmpty(); }
    // "arena-agent ready port=4602 instance=host-a redis=redis://…" (redis=none without Redis).
    QString readyLine() const;

    quint16 port() const;
    QString instance() const { return m_instance; }

public Q_SLOTS:
    void shutdown();

Q_SIGNALS:
    void ready();
    void finished();

private:
    void onSnapshot(QJsonObject snapshot);

    TaskRegistry m_tasks;
    MetricsRegistry m_metrics;
    QString m_fixedInstance;
    QString m_instance;
    QString m_redisUrl;
    AgentCollector *m_collector = nullptr;
    RedisClient *m_redis = nullptr;          // publishing and the audit stream (separate from the probe's)
    RedisSubscriber *m_subscriber = nullptr; // control requests, replies, audit events
    FleetDirectory *m_fleet = nullptr;
    AuditTrail *m_audit = nullptr;
    ControlChannel *m_control = nullptr;
    ActionExecutor *m_executor = nullptr;
    AgentService *m_service = nullptr;
};

} // namespace arena
