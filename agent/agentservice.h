// AgentService: the agent's port — the admin protocol over WebSocket for consoles and arena-ctl, and
// HTTP /live, /metrics and /snapshot on the same port — and the dispatch of actions and queries to this
// agent's own server or, through Redis, to the agent of another instance.
#pragma once

#include "shared/core/accesscontrol.h"
#include "shared/protocol/adminmessages.h"
#include "shared/result.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QObject>

#include <chrono>
#include <functional>
#include <memory>

class QHttpServerRequest;
class QWebSocket;

namespace arena {

class ActionExecutor;
class AgentCollector;
class AuditTrail;
class ControlChannel;
class FleetDirectory;
class MetricsRegistry;

class AgentService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AgentService)

public:
    struct Settings
    {
        QHostAddress bind = QHostAddress::LocalHost;
        quint16 port = 4602;
        std::chrono::milliseconds authTimeout{5000};
        qsizetype maxMessageBytes = 64 * 1024;
        qsizetype maxOutboundBytes = 8 * 1024 * 1024; // a client that lags further behind is dropped
        // Token bucket per connection: messages per second sustained, and burst. A message that finds
        // the bucket empty gets rate_limited; the third in a row closes the connection (1008).
        double messagesPerSecond = 20;
        double messageBurst = 60;
    };
    struct Parts
    {
        FleetDirectory &fleet;
        ActionExecutor &executor;
        AuditTrail &audit;
        MetricsRegistry &metrics;
        ControlChannel *control = nullptr; // null without Redis
    };

    // An answer on the HTTP side of the port.
    struct HttpAnswer
    {
        int status = 200;
        QByteArray body;
        QByteArray contentType = QByteArrayLiteral("application/json");
    };

    AgentService(Settings settings, AccessControl access, Parts parts, QObject *parent = nullptr);
    ~AgentService() override;

    // Returns the port (useful with port 0); failure names the address and port.
    Result<quint16> listen();
    quint16 port() const { return m_port; }
    int clientCount() const { return int(m_clients.size()); }

    // Pushes `fleet` to every authenticated client (the agent calls it every interval).
    void pushFleet();

private:
    struct Client;
    class HttpServer;
    using Reply = std::function<void(Result<QJsonObject>)>;

    HttpAnswer serveHttp(const QHttpServerRequest &request);
    void accept();
    void onText(Client *client, const QString &text);
    void send(Client *client, const QByteArray &json);
    void drop(Client *client);
    void handle(Client *client, const protocol::Auth &auth);
    void handle(Client *client, const protocol::Subscribe &subscribe);
    void handle(Client *client, const protocol::Action &action);
    void handle(Client *client, const protocol::Query &query);
    void pushSnapshot(const QString &instance);
    void pushAudit(const protocol::AuditEntry &entry);

    // Runs an action on `target` (own instance here, another through the control channel) and audits
    // what this agent carried out or failed to route.
    void runAction(const protocol::Action &action, const QString &actor, Reply done);
    void runFleetCleanup(const protocol::Action &action, const QString &actor, Reply done);
    void runLocally(const protocol::Action &action, const QString &actor, Reply done);
    void onControlRequest(const QString &origin, const QString &requestId, const QJsonObject &request);
    void audit(const protocol::Action &action, const QString &actor, protocol::Role role, const Result<QJsonObject> &result);
    // Checks that `target` is known and up; the error otherwise.
    std::optional<Error> checkTarget(const QString &target) const;

    Settings m_settings;
    AccessControl m_access;
    Parts m_parts;
    std::unique_ptr<HttpServer> m_http;
    QList<Client *> m_clients;
    quint16 m_port = 0;
};

} // namespace arena
