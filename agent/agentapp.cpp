#include "agent/agentapp.h"

#include "agent/actionexecutor.h"
#include "agent/agentcollector.h"
#include "agent/agentlog.h"
#include "agent/agentservice.h"
#include "agent/audittrail.h"
#include "agent/controlchannel.h"
#include "agent/fleetdirectory.h"
#include "agent/serverpoller.h"
#include "shared/core/accesscontrol.h"
#include "shared/core/config.h"
#include "shared/redis/redisclient.h"
#include "shared/redis/redisoptions.h"
#include "shared/redis/redissubscriber.h"

#include <QSslCertificate>
#include <QSslConfiguration>

namespace arena {

AgentApp::AgentApp() = default;

AgentApp::~AgentApp()
{
    // Routed requests still waiting are failed into the service's callbacks, so the channel goes
    // while the service is still there; then the service, which refers to every other part.
    delete m_control;
    m_control = nullptr;
    delete m_service;
    m_service = nullptr;
    m_tasks.cancelAll();
}

Result<void> AgentApp::init(const Config &config)
{
    // The agent acts on its server, so it presents an operator token if the file has one (a viewer
    // token still lets it collect).
    QByteArray serverToken;
    if (const QString file = config.stringValue(QStringLiteral("server-token-file")); !file.isEmpty()) {
        const auto token = readTokenFile(file, Role::Operator);
        if (!token)
            return token.error();
        serverToken = token.value();
    }
    AccessControl access;
    if (const QString file = config.stringValue(QStringLiteral("token-file")); !file.isEmpty()) {
        auto loaded = AccessControl::fromTokenFile(file);
        if (!loaded)
            return loaded.error();
        access = std::move(loaded.value());
    } else {
        qCWarning(lcAgent) << "no --token-file: serving loopback clients only, as operator";
    }
    const QHostAddress bind(config.stringValue(QStringLiteral("bind")));
    if (bind.isNull())
        return Error{QStringLiteral("invalid_config"),
                     QStringLiteral("bind: \"%1\" is not an IP address").arg(config.stringValue(QStringLiteral("bind")))};

    const auto interval = config.duration(QStringLiteral("interval"));
    const QByteArray prefix = config.stringValue(QStringLiteral("redis-prefix")).toUtf8();
    AgentCollector::Settings collect;
    collect.server = config.urlValue(QStringLiteral("server"));
    collect.token = serverToken;
    collect.interval = interval;
    collect.requestTimeout = std::min(interval, std::chrono::milliseconds(1000));
    if (const QString caFile = config.stringValue(QStringLiteral("server-ca-file")); !caFile.isEmpty()) {
        const QList<QSslCertificate> trusted = QSslCertificate::fromPath(caFile);
        if (trusted.isEmpty())
            return Error{QStringLiteral("invalid_config"),
                         QStringLiteral("server-ca-file: %1 holds no PEM certificate").arg(caFile)};
        QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
        tls.setCaCertificates(tls.caCertificates() + trusted);
        collect.serverTls = tls;
    }
    std::optional<RedisOptions> redis;
    if (const QUrl url = config.urlValue(QStringLiteral("redis")); !url.isEmpty()) {
        auto options = RedisOptions::fromUrl(url.toString());
        if (!options)
            return options.error();
        redis = options.value();
        m_redisUrl = redis->displayUrl();
        collect.redis = redis;
    }
    m_collector = new AgentCollector(collect, m_tasks, this);
    if (redis) {
        m_redis = new RedisClient(*redis, this);
        m_subscriber = new RedisSubscriber(*redis, this);
    }
    m_fleet = new FleetDirectory(m_redis, prefix, interval, this);
    m_audit = new AuditTrail(m_redis, m_subscriber, prefix, int(config.intValue(QStringLiteral("audit-max-entries"))), this);
    if (redis)
        m_control = new ControlChannel(m_redis, m_subscriber, prefix, config.duration(QStringLiteral("action-timeout")), this);
    m_executor = new ActionExecutor(m_collector->poller(), serverToken, std::chrono::milliseconds(30000), this);

    AgentService::Settings serve;
    serve.bind = bind;
    serve.port = quint16(config.intValue(QStringLiteral("port")));
    m_service = new AgentService(serve, std::move(access),
                                 AgentService::Parts{*m_fleet, *m_executor, *m_audit, m_metrics, m_control});
    if (const auto listening = m_service->listen(); !listening)
        return listening.error();

    m_metrics.callbackGauge(QStringLiteral("arena_agent_snapshot_publish_failures"),
                            QStringLiteral("Snapshots that could not be written to Redis"),
                            [this] { return double(m_fleet->publishFailures()); });
    m_metrics.callbackGauge(QStringLiteral("arena_agent_fleet_instances"), QStringLiteral("Instances this agent knows of"),
                            [this] { return double(m_fleet->entries().size()); });
    m_metrics.callbackGauge(QStringLiteral("arena_agent_audit_entries_written"),
                            QStringLiteral("Audit entries this agent wrote"), [this] { return double(m_audit->written()); });
    m_metrics.callbackGauge(QStringLiteral("arena_agent_routed_pending"),
                            QStringLiteral("Requests to other instances' agents awaiting an answer"),
                            [this] { return double(m_control ? m_control->pending() : 0); });

    connect(m_collector, &AgentCollector::snapshotReady, this, &AgentApp::onSnapshot);
    // The fleet goes out once the other agents' snapshots are read, not one interval later.
    connect(m_fleet, &FleetDirectory::refreshed, m_service, &AgentService::pushFleet);
    if (m_redis)
        m_redis->open();
    if (m_subscriber)
        m_subscriber->open();
    m_fixedInstance = config.stringValue(QStringLiteral("instance-id"));
    if (const auto started = m_collector->start(); !started)
        return started.error();
    if (!m_fixedInstance.isEmpty()) {
        m_instance = m_fixedInstance;
        if (m_control)
            m_control->setInstance(m_instance);
    }
    return {};
}

void AgentApp::onSnapshot(QJsonObject snapshot)
{
    const QString fromServer = snapshot.value(QStringLiteral("instance")).toString();
    const QString id = m_fixedInstance.isEmpty() ? fromServer : m_fixedInstance;
    if (id.isEmpty())
        return; // the server has not answered yet: nothing to say whose figures these are
    const bool first = m_instance.isEmpty();
    if (id != m_instance) {
        if (!first)
            qCWarning(lcAgent).noquote() << "the server's instance id changed from" << m_instance << "to" << id;
        m_instance = id;
        if (m_control)
            m_control->setInstance(id);
    }
    snapshot.insert(QStringLiteral("instance"), id);
    m_fleet->publishOwn(snapshot);
    m_fleet->refresh(); // then pushFleet

    if (first)
        emit ready();
}

QString AgentApp::readyLine() const
{
    return QStringLiteral("arena-agent ready port=%1 instance=%2 redis=%3")
        .arg(port())
        .arg(m_instance, m_redisUrl.isEmpty() ? QStringLiteral("none") : m_redisUrl);
}

quint16 AgentApp::port() const
{
    return m_service ? m_service->port() : 0;
}

void AgentApp::shutdown()
{
    qCInfo(lcAgent) << "shutting down";
    m_collector->stop();
    m_tasks.cancelAll();
    emit finished();
}

} // namespace arena
