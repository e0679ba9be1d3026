#include "shared/client/adminclient.h"

#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QWebSocket>

#include <algorithm>
#include <cmath>
#include <limits>

namespace arena {

namespace {

Q_LOGGING_CATEGORY(lcAdminClient, "arena.client.admin")

using protocol::ErrorCode;
using protocol::ErrorInfo;

QString randomHex(int digits)
{
    QString hex;
    while (hex.size() < digits)
        hex += QString::number(QRandomGenerator::global()->generate64(), 16).rightJustified(16, QLatin1Char('0'));
    return hex.left(digits);
}

} // namespace

AdminClient::AdminClient(QObject *parent) : QObject(parent)
{
    m_reconnectTimer.setSingleShot(true);
    connect(&m_reconnectTimer, &QTimer::timeout, this, &AdminClient::openSocket);
    m_handshakeTimer.setSingleShot(true);
    m_handshakeTimer.setInterval(10000);
    connect(&m_handshakeTimer, &QTimer::timeout, this, [this] {
        if (!m_socket || m_state == State::Ready)
            return;
        m_attemptFailed = true;
        const QUrl url = currentUrl();
        const quint64 generation = m_generation;
        emit failed(ErrorInfo{ErrorCode::Unavailable, QStringLiteral("no answer from %1 within %2 ms")
                                                          .arg(url.toDisplayString())
                                                          .arg(m_handshakeTimer.interval())});
        // A slot may have started another connection.
        if (generation == m_generation && m_socket)
            m_socket->abort(); // onSocketGone() decides about the next attempt
    });
}

AdminClient::~AdminClient()
{
    // No callbacks from here: their owners may already be half destroyed.
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void AdminClient::connectTo(const QUrl &agent, const QByteArray &token)
{
    m_urls = QList<QUrl>{agent} + m_fallbackUrls;
    m_urlIndex = 0;
    m_token = token;
    m_wanted = true;
    m_attempt = 0;
    m_reconnectTimer.stop();
    openSocket();
}

void AdminClient::disconnectFromAgent()
{
    m_wanted = false;
    ++m_generation;
    m_reconnectTimer.stop();
    m_handshakeTimer.stop();
    const bool wasReady = m_wasReady;
    m_wasReady = false;
    const bool hadSocket = m_socket != nullptr;
    dropSocket();
    setState(State::Disconnected);
    failAllPending(ErrorInfo{ErrorCode::Unavailable, QStringLiteral("disconnected from the agent")});
    if (hadSocket && wasReady)
        emit disconnected();
}

void AdminClient::setReconnect(bool enabled)
{
    m_reconnect = enabled;
    if (!enabled)
        m_reconnectTimer.stop();
}

void AdminClient::setFallbackUrls(const QList<QUrl> &urls)
{
    m_fallbackUrls = urls;
    if (!m_urls.isEmpty()) {
        const QUrl current = currentUrl();
        m_urls = QList<QUrl>{m_urls.first()} + urls;
        m_urlIndex = std::max<qsizetype>(0, m_urls.indexOf(current));
    }
}

void AdminClient::setReconnectDelays(std::chrono::milliseconds initial, std::chrono::milliseconds max, double jitter)
{
    m_initialDelay = std::max(initial, std::chrono::milliseconds(1));
    m_maxDelay = std::max(max, m_initialDelay);
    m_jitter = std::clamp(jitter, 0.0, 1.0);
}

void AdminClient::setRequestTimeout(std::chrono::milliseconds timeout)
{
    m_requestTimeout = std::max(timeout, std::chrono::milliseconds(1));
}

void AdminClient::setHandshakeTimeout(std::chrono::milliseconds timeout)
{
    m_handshakeTimer.setInterval(int(std::clamp<qint64>(timeout.count(), 1, std::numeric_limits<int>::max())));
}

void AdminClient::setActionIdPrefix(const QString &prefix)
{
    m_actionIdPrefix = prefix;
}

void AdminClient::subscribeAll()
{
    protocol::Subscribe s;
    s.all = true;
    m_subscription = s;
    sendSubscription();
}

void AdminClient::subscribe(const QStringList &instances)
{
    protocol::Subscribe s;
    s.instances = instances;
    m_subscription = s;
    sendSubscription();
}

QString AdminClient::action(protocol::ActionKind kind, const std::optional<QString> &target, const QJsonObject &params,
                            bool dryRun, ActionCallback callback)
{
    Pending pending;
    pending.kind = Pending::Kind::Action;
    pending.actionId = m_actionIdPrefix + QLatin1Char('-') + randomHex(12);
    pending.target = target;
    pending.onAction = std::move(callback);
    const QString id = pending.actionId;
    if (m_state != State::Ready) {
        // Asynchronously, so the callback never runs inside the caller's call.
        QTimer::singleShot(0, this, [this, pending = std::move(pending)]() mutable {
            failRequest(std::move(pending), ErrorInfo{ErrorCode::Unavailable, QStringLiteral("not connected to an agent")});
        });
        return id;
    }
    protocol::Action message;
    message.id = id;
    message.kind = kind;
    message.target = target;
    message.params = protocol::RawJson::fromJsonObject(params);
    message.dryRun = dryRun;
    const quint64 rid = sendRequest(message);
    m_pending.insert(rid, std::move(pending));
    QTimer::singleShot(m_requestTimeout, this, [this, rid] { requestTimedOut(rid); });
    return id;
}

void AdminClient::query(protocol::QueryKind kind, const std::optional<QString> &target, const QJsonObject &params,
                        QueryCallback callback)
{
    Pending pending;
    pending.kind = Pending::Kind::Query;
    pending.queryKind = kind;
    pending.target = target;
    pending.onQuery = std::move(callback);
    if (m_state != State::Ready) {
        QTimer::singleShot(0, this, [this, pending = std::move(pending)]() mutable {
            failRequest(std::move(pending), ErrorInfo{ErrorCode::Unavailable, QStringLiteral("not connected to an agent")});
        });
        return;
    }
    protocol::Query message;
    message.kind = kind;
    message.target = target;
    message.params = protocol::RawJson::fromJsonObject(params);
    const quint64 rid = sendRequest(message);
    m_pending.insert(rid, std::move(pending));
    QTimer::singleShot(m_requestTimeout, this, [this, rid] { requestTimedOut(rid); });
}

QUrl AdminClient::currentUrl() const
{
    return m_urls.isEmpty() ? QUrl() : m_urls.at(m_urlIndex % m_urls.size());
}

void AdminClient::openSocket()
{
    const bool replacingReady = m_socket && m_wasReady;
    dropSocket();
    const quint64 generation = ++m_generation;
    m_wasReady = false;
    m_attemptFailed = false;
    m_authRefused = false;
    m_authRid = 0;
    m_socketError.clear();
    if (!m_pending.isEmpty())
        failAllPending(ErrorInfo{ErrorCode::Unavailable, QStringLiteral("the connection to the agent was replaced")});
    if (replacingReady)
        emit disconnected();
    if (generation != m_generation)
        return; // a slot connected elsewhere meanwhile

    auto *socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket = socket;
    socket->setMaxAllowedIncomingMessageSize(quint64(protocol::DecodeLimits::trusted().maxMessageBytes));
    connect(socket, &QWebSocket::connected, this, [this, socket] {
        if (socket == m_socket)
            onConnected();
    });
    connect(socket, &QWebSocket::textMessageReceived, this, [this, socket](const QString &text) {
        if (socket == m_socket)
            onText(text);
    });
#if QT_VERSION >= QT_VERSION_CHECK(6, 5, 0)
    connect(socket, &QWebSocket::errorOccurred, this, [this, socket](QAbstractSocket::SocketError) {
#else
    connect(socket, QOverload<QAbstractSocket::SocketError>::of(&QWebSocket::error), this,
            [this, socket](QAbstractSocket::SocketError) {
#endif
        if (socket == m_socket)
            m_socketError = socket->errorString();
    });
    connect(socket, &QWebSocket::disconnected, this, [this, socket] {
        if (socket == m_socket)
            onSocketGone();
    });
    setState(State::Connecting);
    m_handshakeTimer.start();
    qCDebug(lcAdminClient) << "connecting to" << currentUrl().toDisplayString();
    socket->open(currentUrl());
}

void AdminClient::dropSocket()
{
    if (!m_socket)
        return;
    QWebSocket *socket = m_socket;
    m_socket = nullptr;
    socket->disconnect(this);
    if (socket->state() == QAbstractSocket::ConnectedState) {
        // Let the close handshake finish, but not forever.
        connect(socket, &QWebSocket::disconnected, socket, &QObject::deleteLater);
        QTimer::singleShot(5000, socket, [socket] {
            socket->abort();
            socket->deleteLater();
        });
        socket->close(QWebSocketProtocol::CloseCodeNormal);
    } else {
        socket->abort();
        socket->deleteLater();
    }
}

void AdminClient::onConnected()
{
    setState(State::Authenticating);
    protocol::Auth auth;
    // The protocol needs a token of at least one byte; an agent without a token file takes any.
    auth.token = m_token.isEmpty() ? QStringLiteral("-") : QString::fromUtf8(m_token);
    m_authRid = sendRequest(auth);
}

void AdminClient::onSocketGone()
{
    QWebSocket *socket = m_socket;
    const bool wasReady = m_wasReady;
    QString reason = m_socketError;
    if (reason.isEmpty() && socket->error() != QAbstractSocket::UnknownSocketError)
        reason = socket->errorString();
    if (reason.isEmpty() && m_state == State::Connecting)
        reason = QStringLiteral("the connection failed");
    if (reason.isEmpty()) {
        reason = QStringLiteral("closed by the agent (code %1").arg(int(socket->closeCode()));
        if (!socket->closeReason().isEmpty())
            reason += QStringLiteral(": ") + socket->closeReason();
        reason += QLatin1Char(')');
    }
    m_socket = nullptr;
    socket->disconnect(this);
    socket->deleteLater();
    m_handshakeTimer.stop();
    m_wasReady = false;

    const quint64 generation = m_generation;
    // State first, so a callback can tell that the connection is gone.
    setState(State::Disconnected);
    failAllPending(ErrorInfo{ErrorCode::Unavailable,
                             QStringLiteral("connection to the agent lost before the answer: %1").arg(reason)});
    if (generation != m_generation)
        return; // a callback started another connection
    if (wasReady) {
        qCInfo(lcAdminClient) << "connection to" << currentUrl().toDisplayString() << "lost:" << reason;
        emit disconnected();
        if (generation == m_generation && m_wanted && m_reconnect)
            scheduleReconnect(); // the same URL first: it was working
        return;
    }
    if (!m_attemptFailed) {
        m_attemptFailed = true;
        emit failed(ErrorInfo{ErrorCode::Unavailable,
                              QStringLiteral("cannot connect to %1: %2").arg(currentUrl().toDisplayString(), reason)});
        if (generation != m_generation)
            return;
    }
    if (m_authRefused) {
        m_wanted = false; // the same token would be refused again
        return;
    }
    if (m_wanted && m_reconnect) {
        ++m_attempt;
        if (!m_urls.isEmpty())
            m_urlIndex = (m_urlIndex + 1) % m_urls.size();
        scheduleReconnect();
    }
}

void AdminClient::scheduleReconnect()
{
    const double base = std::min(double(m_maxDelay.count()),
                                 double(m_initialDelay.count()) * std::pow(2.0, std::min(m_attempt, 30)));
    const double factor = 1.0 + m_jitter * (2.0 * QRandomGenerator::global()->generateDouble() - 1.0);
    const int delay = int(std::clamp(base * factor, 1.0, double(std::numeric_limits<int>::max())));
    m_reconnectTimer.start(delay);
    qCInfo(lcAdminClient) << "reconnecting to" << currentUrl().toDisplayString() << "in" << delay << "ms";
    emit reconnectScheduled(currentUrl(), delay);
}

void AdminClient::onText(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    auto decoded = protocol::decodeAdminServerMessage(utf8);
    if (!decoded.ok()) {
        // An agent bug or a newer agent: nothing to act on, and no reason to drop the connection.
        qCWarning(lcAdminClient) << "ignoring a message the agent sent that does not decode:"
                                 << decoded.error().toString() << utf8.left(300);
        return;
    }
    handle(decoded.value());
}

void AdminClient::handle(const protocol::AdminServerMessage &message)
{
    if (const auto *ok = std::get_if<protocol::AuthOk>(&message)) {
        onAuthOk(*ok);
    } else if (const auto *fleet = std::get_if<protocol::Fleet>(&message)) {
        emit fleetReceived(*fleet);
    } else if (const auto *snapshot = std::get_if<protocol::Snapshot>(&message)) {
        emit snapshotReceived(*snapshot);
    } else if (const auto *entry = std::get_if<protocol::AuditEntry>(&message)) {
        emit auditEntryReceived(*entry);
    } else if (const auto *result = std::get_if<protocol::ActionResult>(&message)) {
        if (result->rid)
            complete(*result->rid, *result, std::nullopt, {});
        else
            qCWarning(lcAdminClient) << "action_result without rid for action" << result->id;
    } else if (const auto *result = std::get_if<protocol::QueryResult>(&message)) {
        if (result->rid)
            complete(*result->rid, std::nullopt, *result, {});
        else
            qCWarning(lcAdminClient) << "query_result without rid";
    } else if (const auto *error = std::get_if<protocol::ErrorMessage>(&message)) {
        onError(*error);
    }
}

void AdminClient::onAuthOk(const protocol::AuthOk &ok)
{
    if (m_state != State::Authenticating || (ok.rid && *ok.rid != m_authRid)) {
        qCWarning(lcAdminClient) << "ignoring an unexpected auth_ok";
        return;
    }
    if (ok.protocol != protocol::ProtocolVersion)
        qCWarning(lcAdminClient) << "the agent speaks admin protocol" << ok.protocol << "; this client"
                                 << protocol::ProtocolVersion;
    m_handshakeTimer.stop();
    m_wasReady = true;
    m_attempt = 0;
    m_role = ok.role;
    m_instance = ok.instance;
    setState(State::Ready);
    sendSubscription();
    emit authenticated(ok.role, ok.instance);
}

void AdminClient::onError(const protocol::ErrorMessage &error)
{
    const ErrorInfo info{error.code, error.message};
    if (m_state == State::Authenticating && (!error.rid || *error.rid == m_authRid)) {
        m_attemptFailed = true;
        m_authRefused = error.code == ErrorCode::Unauthorized || error.code == ErrorCode::Forbidden;
        m_handshakeTimer.stop();
        const quint64 generation = m_generation;
        emit failed(info);
        if (generation == m_generation && m_socket)
            m_socket->close(QWebSocketProtocol::CloseCodePolicyViolated);
        return;
    }
    if (error.rid && m_pending.contains(*error.rid)) {
        complete(*error.rid, std::nullopt, std::nullopt, info);
        return;
    }
    qCWarning(lcAdminClient).noquote() << "error from the agent:" << protocol::errorCodeName(error.code)
                                       << error.message;
}

void AdminClient::sendSubscription()
{
    if (!m_subscription || m_state != State::Ready)
        return;
    protocol::Subscribe s = *m_subscription;
    s.rid.reset();
    sendRequest(s);
}

quint64 AdminClient::sendRequest(protocol::AdminClientMessage message)
{
    const quint64 rid = m_nextRid++;
    std::visit([rid](auto &m) { m.rid = rid; }, message);
    if (m_socket)
        m_socket->sendTextMessage(QString::fromUtf8(protocol::encode(message)));
    return rid;
}

void AdminClient::complete(quint64 rid, const std::optional<protocol::ActionResult> &action,
                           const std::optional<protocol::QueryResult> &query, const ErrorInfo &error)
{
    auto it = m_pending.find(rid);
    if (it == m_pending.end()) {
        // Typically an answer that came after its request timed out.
        qCInfo(lcAdminClient) << "ignoring an answer to request" << rid << "that is no longer waited for";
        return;
    }
    Pending pending = std::move(it.value());
    m_pending.erase(it);
    if (pending.kind == Pending::Kind::Action) {
        if (action) {
            pending.onAction(*action);
        } else if (query) {
            failRequest(std::move(pending), ErrorInfo{ErrorCode::Internal, QStringLiteral("the agent answered an action with a query_result")});
        } else {
            failRequest(std::move(pending), error);
        }
    } else {
        if (query) {
            pending.onQuery(*query);
        } else if (action) {
            failRequest(std::move(pending), ErrorInfo{ErrorCode::Internal, QStringLiteral("the agent answered a query with an action_result")});
        } else {
            failRequest(std::move(pending), error);
        }
    }
}

void AdminClient::failRequest(Pending pending, const ErrorInfo &error)
{
    if (pending.kind == Pending::Kind::Action) {
        protocol::ActionResult result;
        result.id = pending.actionId;
        result.ok = false;
        result.error = error;
        if (pending.onAction)
            pending.onAction(result);
    } else {
        protocol::QueryResult result;
        result.kind = pending.queryKind;
        result.target = pending.target;
        result.ok = false;
        result.error = error;
        if (pending.onQuery)
            pending.onQuery(result);
    }
}

void AdminClient::failAllPending(const ErrorInfo &error)
{
    // Taken out first: a callback may send new requests.
    QHash<quint64, Pending> pending;
    pending.swap(m_pending);
    QList<quint64> rids = pending.keys();
    std::sort(rids.begin(), rids.end()); // in the order they were sent
    for (quint64 rid : rids)
        failRequest(pending.take(rid), error);
}

void AdminClient::requestTimedOut(quint64 rid)
{
    auto it = m_pending.find(rid);
    if (it == m_pending.end())
        return;
    Pending pending = std::move(it.value());
    m_pending.erase(it);
    failRequest(std::move(pending),
                ErrorInfo{ErrorCode::Unavailable, QStringLiteral("no answer from the agent within %1 ms")
                                                      .arg(qint64(m_requestTimeout.count()))});
}

void AdminClient::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

} // namespace arena
