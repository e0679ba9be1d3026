#include "agent/agentservice.h"

#include "agent/actionexecutor.h"
#include "agent/agentlog.h"
#include "agent/audittrail.h"
#include "agent/controlchannel.h"
#include "agent/fleetdirectory.h"
#include "agent/snapshotmetrics.h"
#include "shared/core/metricsregistry.h"
#include "shared/protocol/codec.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QAbstractHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonArray>
#include <QJsonDocument>
#include <QPointer>
#include <QSet>
#include <QTimer>
#include <QWebSocket>

namespace arena {

namespace P = protocol;

struct AgentService::Client
{
    QWebSocket *socket = nullptr;
    QTimer *authTimer = nullptr;
    bool authenticated = false;
    AccessControl::Identity identity;
    bool all = false;
    QSet<QString> instances;
    double tokens = 0;         // rate-limit bucket
    QElapsedTimer refilled;    // when the bucket was last topped up
    int refusedInARow = 0;
};

namespace {

P::Role wireRole(Role role)
{
    return role == Role::Operator ? P::Role::Operator : P::Role::Viewer;
}

P::ErrorInfo errorInfo(const Error &error)
{
    return P::ErrorInfo{P::errorCodeOf(error).value_or(P::ErrorCode::Internal), error.message.left(1024)};
}

P::RawJson rawJson(const QJsonObject &object)
{
    return P::RawJson::fromJsonObject(object);
}

QJsonObject toObject(const P::RawJson &raw)
{
    return raw.toJsonValue().toObject();
}

using HttpAnswer = AgentService::HttpAnswer;

HttpAnswer jsonAnswer(const QJsonObject &body, int status = 200)
{
    return HttpAnswer{status, QJsonDocument(body).toJson(QJsonDocument::Compact)};
}

HttpAnswer errorAnswer(const Error &error)
{
    const auto code = P::errorCodeOf(error).value_or(P::ErrorCode::Internal);
    return jsonAnswer({{QStringLiteral("error"), error.code}, {QStringLiteral("message"), error.message}},
                      P::httpStatus(code));
}

} // namespace

// The agent's one port. QAbstractHttpServer 6.4 turns an upgrade request into a WebSocket connection
// only when handleRequest() accepts it (returns true) without answering; QHttpServer's router answers
// every request itself (404 when no route matches), so it never does. This server accepts upgrades
// that way and answers the few HTTP paths itself.
class AgentService::HttpServer final : public QAbstractHttpServer
{
public:
    using Handler = std::function<HttpAnswer(const QHttpServerRequest &)>;
    explicit HttpServer(Handler handler) : m_handler(std::move(handler)) {}

protected:
    bool handleRequest(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        if (request.value("upgrade").compare("websocket", Qt::CaseInsensitive) == 0)
            return true; // QAbstractHttpServer hands the socket to its QWebSocketServer
        const HttpAnswer answer = m_handler(request);
        makeResponder(request, socket).write(answer.body, answer.contentType, QHttpServerResponder::StatusCode(answer.status));
        return true;
    }
    void missingHandler(const QHttpServerRequest &request, QTcpSocket *socket) override
    {
        const HttpAnswer answer = errorAnswer(Error{QStringLiteral("bad_request"), QStringLiteral("not a WebSocket upgrade")});
        makeResponder(request, socket).write(answer.body, answer.contentType, QHttpServerResponder::StatusCode(answer.status));
    }

private:
    Handler m_handler;
};


AgentService::AgentService(Settings settings, AccessControl access, Parts parts, QObject *parent)
    : QObject(parent), m_settings(settings), m_access(std::move(access)), m_parts(parts),
      m_http(std::make_unique<HttpServer>([this](const QHttpServerRequest &request) { return serveHttp(request); }))
{
    connect(&m_parts.fleet, &FleetDirectory::snapshotArrived, this, &AgentService::pushSnapshot);
    connect(&m_parts.audit, &AuditTrail::entryAdded, this, &AgentService::pushAudit);
    if (m_parts.control)
        connect(m_parts.control, &ControlChannel::requestReceived, this, &AgentService::onControlRequest);
    connect(m_http.get(), &QAbstractHttpServer::newWebSocketConnection, this, &AgentService::accept);

    m_parts.metrics.callbackGauge(QStringLiteral("arena_agent_clients"),
                                  QStringLiteral("Console and arena-ctl connections to this agent"),
                                  [this] { return double(m_clients.size()); });

}

HttpAnswer AgentService::serveHttp(const QHttpServerRequest &request)
{
    const QString path = request.url().path();
    if (request.method() != QHttpServerRequest::Method::Get)
        return errorAnswer(Error{QStringLiteral("bad_request"), QStringLiteral("only GET is served here")});
    if (path == QLatin1String("/live"))
        return jsonAnswer({{QStringLiteral("status"), QStringLiteral("ok")}, {QStringLiteral("instance"), m_parts.fleet.ownInstance()}});
    if (path != QLatin1String("/metrics") && path != QLatin1String("/snapshot"))
        return errorAnswer(Error{QStringLiteral("not_found"), QStringLiteral("no %1 here (/live, /metrics, /snapshot, or a WebSocket)").arg(path)});
    if (const auto role = m_access.authorize(request.value("Authorization"), request.remoteAddress(), Role::Viewer); !role)
        return errorAnswer(role.error());
    const auto own = m_parts.fleet.entry(m_parts.fleet.ownInstance());
    if (path == QLatin1String("/metrics")) {
        QByteArray text = m_parts.metrics.exposition();
        if (own)
            text += snapshotMetrics(own->figures);
        return HttpAnswer{200, text, QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8")};
    }
    if (!own)
        return errorAnswer(Error{QStringLiteral("unavailable"), QStringLiteral("no snapshot yet")});
    return jsonAnswer(own->figures);
}

AgentService::~AgentService()
{
    for (Client *client : std::as_const(m_clients)) {
        client->socket->disconnect(this);
        delete client->socket;
        delete client;
    }
}

Result<quint16> AgentService::listen()
{
    const quint16 port = m_http->listen(m_settings.bind, m_settings.port);
    if (port == 0)
        return Error{QStringLiteral("listen_failed"),
                     QStringLiteral("cannot listen on %1:%2").arg(m_settings.bind.toString()).arg(m_settings.port)};
    m_port = port;
    return port;
}

void AgentService::accept()
{
    while (m_http->hasPendingWebSocketConnections()) {
        auto *client = new Client;
        client->socket = m_http->nextPendingWebSocketConnection().release();
        client->socket->setParent(this);
        client->socket->setMaxAllowedIncomingMessageSize(quint64(m_settings.maxMessageBytes));
        client->authTimer = new QTimer(client->socket);
        client->authTimer->setSingleShot(true);
        m_clients.append(client);
        connect(client->authTimer, &QTimer::timeout, this, [this, client] {
            send(client, P::encode(P::ErrorMessage::make(P::ErrorCode::Unauthorized, QStringLiteral("no auth in time"))));
            client->socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("no auth in time"));
        });
        client->authTimer->start(m_settings.authTimeout);
        client->tokens = m_settings.messageBurst;
        client->refilled.start();
        connect(client->socket, &QWebSocket::textMessageReceived, this,
                [this, client](const QString &text) { onText(client, text); });
        connect(client->socket, &QWebSocket::binaryMessageReceived, this, [this, client] {
            send(client, P::encode(P::ErrorMessage::make(P::ErrorCode::BadRequest,
                                                         QStringLiteral("binary frames are not part of the protocol"))));
        });
        connect(client->socket, &QWebSocket::disconnected, this, [this, client] { drop(client); });
        qCDebug(lcAgent) << "client connected from" << client->socket->peerAddress().toString();
    }
}

void AgentService::drop(Client *client)
{
    if (!m_clients.removeOne(client))
        return;
    if (client->authenticated)
        qCInfo(lcAgent) << "client" << client->identity.name << "from" << client->socket->peerAddress().toString()
                        << "left";
    client->socket->disconnect(this);
    client->socket->deleteLater();
    delete client;
}

void AgentService::send(Client *client, const QByteArray &json)
{
    // A client that does not read cannot grow the agent's memory without bound.
    if (client->socket->bytesToWrite() > m_settings.maxOutboundBytes) {
        qCWarning(lcAgent) << "dropping client" << client->identity.name << "that stopped reading";
        client->socket->abort();
        return;
    }
    client->socket->sendTextMessage(QString::fromUtf8(json));
}

void AgentService::onText(Client *client, const QString &text)
{
    // A console that floods the agent would flood its servers with admin calls: refuse the excess.
    client->tokens = std::min(m_settings.messageBurst,
                              client->tokens + double(client->refilled.restart()) * m_settings.messagesPerSecond / 1000.0);
    if (client->tokens < 1.0) {
        auto refused = P::ErrorMessage::make(P::ErrorCode::RateLimited,
                                             QStringLiteral("more than %1 messages a second").arg(m_settings.messagesPerSecond));
        refused.retryAfterMs = quint64(1000.0 / m_settings.messagesPerSecond);
        send(client, P::encode(refused));
        if (++client->refusedInARow >= 3)
            client->socket->close(QWebSocketProtocol::CloseCodePolicyViolated, QStringLiteral("rate limited"));
        return;
    }
    client->tokens -= 1.0;
    client->refusedInARow = 0;
    const QByteArray bytes = text.toUtf8();
    auto decoded = P::decodeAdminClientMessage(bytes);
    if (!decoded) {
        send(client, P::encode(P::ErrorMessage::fromDecodeError(decoded.error())));
        return;
    }
    if (!client->authenticated && !std::holds_alternative<P::Auth>(decoded.value())) {
        send(client, P::encode(P::ErrorMessage::make(P::ErrorCode::Unauthorized, QStringLiteral("send auth first"),
                                                     P::requestId(decoded.value()))));
        return;
    }
    std::visit([this, client](const auto &message) { handle(client, message); }, decoded.value());
}

void AgentService::handle(Client *client, const P::Auth &auth)
{
    if (client->authenticated) {
        send(client, P::encode(P::ErrorMessage::make(P::ErrorCode::Conflict, QStringLiteral("already authenticated"), auth.rid)));
        return;
    }
    const auto identity = m_access.identify(auth.token.toUtf8(), client->socket->peerAddress());
    if (!identity) {
        qCInfo(lcAgent) << "refused a client from" << client->socket->peerAddress().toString() << ":" << identity.error().message;
        const auto code = P::errorCodeOf(identity.error()).value_or(P::ErrorCode::Unauthorized);
        send(client, P::encode(P::ErrorMessage::make(code, identity.error().message, auth.rid)));
        client->socket->close(QWebSocketProtocol::CloseCodePolicyViolated, identity.error().code);
        return;
    }
    client->authTimer->stop();
    client->authenticated = true;
    client->identity = identity.value();
    qCInfo(lcAgent) << "client" << client->identity.name << "connected from" << client->socket->peerAddress().toString()
                    << "as" << roleName(client->identity.role);
    send(client, P::encode(P::AuthOk{.role = wireRole(client->identity.role),
                                     .instance = m_parts.fleet.ownInstance(),
                                     .rid = auth.rid}));
    send(client, P::encode(P::Fleet{.time = quint64(QDateTime::currentMSecsSinceEpoch()),
                                    .instances = m_parts.fleet.summaries()}));
}

void AgentService::handle(Client *client, const P::Subscribe &subscribe)
{
    client->all = subscribe.all;
    client->instances = QSet<QString>(subscribe.instances.cbegin(), subscribe.instances.cend());
    // Whatever is known now comes at once, so a new dashboard does not wait an interval.
    for (const auto &entry : m_parts.fleet.entries()) {
        if (!entry.expired && (client->all || client->instances.contains(entry.instance)))
            send(client, P::encode(P::Snapshot{.instance = entry.instance, .time = quint64(entry.time),
                                               .figures = rawJson(entry.figures)}));
    }
}

void AgentService::handle(Client *client, const P::Action &action)
{
    const QPointer<QWebSocket> socket = client->socket;
    if (client->identity.role != Role::Operator) {
        const Error refused{QStringLiteral("forbidden"), QStringLiteral("a viewer token cannot run actions")};
        audit(action, client->identity.name, P::Role::Viewer, refused);
        send(client, P::encode(P::ErrorMessage::make(P::ErrorCode::Forbidden, refused.message, action.rid)));
        return;
    }
    runAction(action, client->identity.name, [this, socket, client, action](Result<QJsonObject> result) {
        if (!socket || !m_clients.contains(client))
            return; // the client left; the action was carried out and audited all the same
        P::ActionResult reply{.id = action.id, .ok = result.ok(), .rid = action.rid};
        if (result)
            reply.result = rawJson(result.value());
        else
            reply.error = errorInfo(result.error());
        send(client, P::encode(reply));
    });
}

void AgentService::handle(Client *client, const P::Query &query)
{
    const QPointer<QWebSocket> socket = client->socket;
    const QString target = query.target.value_or(m_parts.fleet.ownInstance());
    auto reply = [this, socket, client, query, target](Result<QJsonObject> result) {
        if (!socket || !m_clients.contains(client))
            return;
        P::QueryResult answer{.kind = query.kind, .target = query.target, .ok = result.ok(), .rid = query.rid};
        if (result)
            answer.result = rawJson(result.value());
        else
            answer.error = errorInfo(result.error());
        send(client, P::encode(answer));
    };
    const QJsonObject params = toObject(query.params);
    switch (query.kind) {
    case P::QueryKind::Snapshot: {
        const auto entry = m_parts.fleet.entry(target);
        if (!entry) {
            reply(Error{QStringLiteral("not_found"), QStringLiteral("no instance %1 in the fleet").arg(target)});
        } else if (entry->expired) {
            reply(Error{QStringLiteral("unavailable"),
                        QStringLiteral("instance %1 has had no agent since %2")
                            .arg(target, QDateTime::fromMSecsSinceEpoch(entry->lastSeen, Qt::UTC).toString(Qt::ISODate))});
        } else {
            reply(QJsonObject{{QStringLiteral("instance"), target},
                              {QStringLiteral("time"), entry->time},
                              {QStringLiteral("state"), P::instanceStateName(FleetDirectory::stateOf(*entry))},
                              {QStringLiteral("figures"), entry->figures}});
        }
        return;
    }
    case P::QueryKind::Audit: {
        const int count = params.contains(QStringLiteral("count")) ? params.value(QStringLiteral("count")).toInt(-1) : 50;
        if (count < 1 || count > AuditTrail::maxQueryCount) {
            reply(Error{QStringLiteral("bad_request"),
                        QStringLiteral("params.count: 1 to %1 entries").arg(AuditTrail::maxQueryCount)});
            return;
        }
        m_parts.audit.recent(count, [reply](Result<QList<P::AuditEntry>> entries) {
            if (!entries) {
                reply(entries.error());
                return;
            }
            QJsonArray list;
            for (P::AuditEntry entry : entries.value()) {
                QJsonObject e = QJsonDocument::fromJson(P::encode(entry)).object();
                e.remove(QStringLiteral("type"));
                list.append(e);
            }
            reply(QJsonObject{{QStringLiteral("entries"), list}});
        });
        return;
    }
    case P::QueryKind::Rooms: {
        if (const auto refused = checkTarget(target)) {
            reply(*refused);
            return;
        }
        if (target == m_parts.fleet.ownInstance()) {
            m_parts.executor.rooms(params, reply);
            return;
        }
        m_parts.control->send(target, QJsonObject{{QStringLiteral("op"), QStringLiteral("rooms")}, {QStringLiteral("params"), params}},
                              reply);
        return;
    }
    }
}

std::optional<Error> AgentService::checkTarget(const QString &target) const
{
    const auto entry = m_parts.fleet.entry(target);
    if (!entry)
        return Error{QStringLiteral("not_found"), QStringLiteral("no instance %1 in the fleet").arg(target)};
    if (target == m_parts.fleet.ownInstance())
        return std::nullopt; // the own server answers (or says why not) directly
    if (!m_parts.control)
        return Error{QStringLiteral("unavailable"), QStringLiteral("this agent runs without Redis, so it reaches only its own instance")};
    if (entry->expired)
        return Error{QStringLiteral("unavailable"),
                     QStringLiteral("instance %1 has had no agent since %2")
                         .arg(target, QDateTime::fromMSecsSinceEpoch(entry->lastSeen, Qt::UTC).toString(Qt::ISODate))};
    return std::nullopt;
}

void AgentService::runAction(const P::Action &action, const QString &actor, Reply done)
{
    if (!action.target && action.kind == P::ActionKind::Cleanup) {
        runFleetCleanup(action, actor, std::move(done));
        return;
    }
    const QString target = action.target.value_or(m_parts.fleet.ownInstance());
    if (const auto refused = checkTarget(target)) {
        audit(action, actor, P::Role::Operator, *refused);
        done(*refused);
        return;
    }
    if (target == m_parts.fleet.ownInstance()) {
        runLocally(action, actor, std::move(done));
        return;
    }
    // The target's agent carries it out and audits it; this agent audits only a failure to get there.
    const QJsonObject request{{QStringLiteral("op"), QStringLiteral("action")},
                              {QStringLiteral("action"), QJsonDocument::fromJson(P::encode(action)).object()},
                              {QStringLiteral("actor"), actor}};
    m_parts.control->send(target, request, [this, action, actor, done = std::move(done)](Result<QJsonObject> result) {
        if (!result && result.error().code == QLatin1String("unavailable"))
            audit(action, actor, P::Role::Operator, result);
        done(std::move(result));
    });
}

void AgentService::runFleetCleanup(const P::Action &action, const QString &actor, Reply done)
{
    const QStringList targets = m_parts.fleet.liveInstances();
    if (targets.isEmpty()) {
        done(Error{QStringLiteral("unavailable"), QStringLiteral("no instance of the fleet is up")});
        return;
    }
    struct Gather
    {
        QJsonObject instances;
        int failed = 0;
        int left = 0;
        Reply done;
    };
    auto gather = std::make_shared<Gather>();
    gather->left = int(targets.size());
    gather->done = std::move(done);
    for (const QString &target : targets) {
        P::Action one = action;
        one.target = target;
        runAction(one, actor, [gather, target](Result<QJsonObject> result) {
            if (result) {
                gather->instances.insert(target, result.value());
            } else {
                ++gather->failed;
                gather->instances.insert(target, QJsonObject{{QStringLiteral("error"),
                                                              QJsonObject{{QStringLiteral("code"), result.error().code},
                                                                          {QStringLiteral("message"), result.error().message}}}});
            }
            if (--gather->left > 0)
                return;
            const QJsonObject summary{{QStringLiteral("instances"), gather->instances}, {QStringLiteral("failed"), gather->failed}};
            if (gather->failed > 0)
                gather->done(Error{QStringLiteral("unavailable"),
                                   QStringLiteral("cleanup failed on %1 of %2 instances: %3")
                                       .arg(gather->failed)
                                       .arg(gather->instances.size())
                                       .arg(QString::fromUtf8(QJsonDocument(summary).toJson(QJsonDocument::Compact)).left(700))});
            else
                gather->done(summary);
        });
    }
}

void AgentService::runLocally(const P::Action &action, const QString &actor, Reply done)
{
    m_parts.metrics.counter(QStringLiteral("arena_agent_actions_total"), QStringLiteral("Actions carried out on this agent's server"),
                            {QStringLiteral("kind")})
        .labels({P::actionKindName(action.kind)})
        .inc();
    m_parts.executor.execute(action.kind, toObject(action.params), action.dryRun,
                             [this, action, actor, done = std::move(done)](Result<QJsonObject> result) {
                                 audit(action, actor, P::Role::Operator, result);
                                 done(std::move(result));
                             });
}

void AgentService::onControlRequest(const QString &origin, const QString &requestId, const QJsonObject &request)
{
    const QString op = request.value(QStringLiteral("op")).toString();
    auto answer = [this, origin, requestId](Result<QJsonObject> result) {
        if (m_parts.control)
            m_parts.control->answer(origin, requestId, result);
    };
    if (op == QLatin1String("rooms")) {
        m_parts.executor.rooms(request.value(QStringLiteral("params")).toObject(), answer);
        return;
    }
    if (op != QLatin1String("action")) {
        answer(Error{QStringLiteral("bad_request"), QStringLiteral("unknown control request \"%1\"").arg(op)});
        return;
    }
    auto decoded = P::decodeAdminClientMessage(QJsonDocument(request.value(QStringLiteral("action")).toObject()).toJson(QJsonDocument::Compact));
    const auto *action = decoded ? std::get_if<P::Action>(&decoded.value()) : nullptr;
    if (!action) {
        answer(Error{QStringLiteral("bad_request"),
                     QStringLiteral("malformed routed action: ") + (decoded ? QStringLiteral("not an action") : decoded.error().toString())});
        return;
    }
    QString actor = request.value(QStringLiteral("actor")).toString();
    if (actor.isEmpty())
        actor = QStringLiteral("unknown");
    qCInfo(lcAgent).noquote() << "action" << P::actionKindName(action->kind) << "from agent" << origin << "by" << actor;
    runLocally(*action, actor, answer);
}

void AgentService::audit(const P::Action &action, const QString &actor, P::Role role, const Result<QJsonObject> &result)
{
    // No target means the agent's own instance, except for cleanup, where it means the fleet (each
    // instance's part is audited on its own, with its target).
    const bool fleetWide = !action.target && action.kind == P::ActionKind::Cleanup;
    P::AuditEntry entry{.id = QStringLiteral("pending"),
                        .actor = actor.left(128),
                        .role = role,
                        .actionId = action.id,
                        .kind = action.kind,
                        .target = fleetWide ? std::nullopt : std::optional<QString>(action.target.value_or(m_parts.fleet.ownInstance())),
                        .params = action.params,
                        .dryRun = action.dryRun,
                        .ok = result.ok()};
    if (result)
        entry.result = rawJson(result.value());
    else
        entry.error = errorInfo(result.error());
    m_parts.audit.record(std::move(entry));
}

void AgentService::pushFleet()
{
    const QByteArray fleet = P::encode(P::Fleet{.time = quint64(QDateTime::currentMSecsSinceEpoch()),
                                                .instances = m_parts.fleet.summaries()});
    for (Client *client : QList<Client *>(m_clients)) {
        if (client->authenticated)
            send(client, fleet);
    }
}

void AgentService::pushSnapshot(const QString &instance)
{
    QByteArray message;
    for (Client *client : QList<Client *>(m_clients)) {
        if (!client->authenticated || !(client->all || client->instances.contains(instance)))
            continue;
        if (message.isEmpty()) {
            const auto entry = m_parts.fleet.entry(instance);
            if (!entry)
                return;
            message = P::encode(P::Snapshot{.instance = instance, .time = quint64(entry->time), .figures = rawJson(entry->figures)});
        }
        send(client, message);
    }
}

void AgentService::pushAudit(const P::AuditEntry &entry)
{
    const QByteArray message = P::encode(entry);
    for (Client *client : QList<Client *>(m_clients)) {
        if (client->authenticated)
            send(client, message);
    }
}

} // namespace arena
