#include "shared/client/playerclient.h"

#include <QWebSocket>

namespace arena {

PlayerClient::PlayerClient(QObject *parent) : QObject(parent) {}

PlayerClient::~PlayerClient()
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
    }
}

void PlayerClient::open(const QUrl &url, const QString &playerId, const QString &token)
{
    m_url = url;
    protocol::Hello hello;
    if (!playerId.isEmpty())
        hello.playerId = playerId;
    if (!token.isEmpty())
        hello.token = token;
    connectSocket(hello);
}

void PlayerClient::resume(const QUrl &url)
{
    if (!url.isEmpty())
        m_url = url; // another instance of the fleet (the session's died, say)
    protocol::Hello hello;
    hello.playerId = m_welcome.playerId;
    hello.resumeToken = m_welcome.resumeToken;
    if (m_pendingHello.token)
        hello.token = m_pendingHello.token;
    connectSocket(hello);
}

void PlayerClient::connectSocket(protocol::Hello hello)
{
    if (m_socket) {
        m_socket->disconnect(this);
        m_socket->abort();
        m_socket->deleteLater();
    }
    m_closeCode = 0;
    m_closeReason.clear();
    m_pendingHello = hello;
    m_socket = new QWebSocket(QString(), QWebSocketProtocol::VersionLatest, this);
    m_socket->setMaxAllowedIncomingMessageSize(quint64(protocol::DecodeLimits::trusted().maxMessageBytes));
    if (m_ssl)
        m_socket->setSslConfiguration(*m_ssl);
    connect(m_socket, &QWebSocket::connected, this, [this] {
        setState(State::AwaitingWelcome);
        protocol::Hello h = m_pendingHello;
        request(h, [this](const protocol::ServerMessage &reply) {
            if (const auto *w = std::get_if<protocol::Welcome>(&reply)) {
                m_welcome = *w;
                setState(State::Ready);
                emit welcomed(*w);
            } else if (const auto *e = std::get_if<protocol::ErrorMessage>(&reply)) {
                emit helloRefused(*e);
            }
        });
    });
    connect(m_socket, &QWebSocket::textMessageReceived, this, &PlayerClient::onText);
    connect(m_socket, &QWebSocket::disconnected, this, [this, socket = m_socket] {
        if (socket != m_socket)
            return;
        m_closeCode = quint16(socket->closeCode());
        m_closeReason = socket->closeReason();
        m_waiting.clear();
        setState(State::Disconnected);
        emit disconnected(m_closeCode, m_closeReason);
    });
    setState(State::Connecting);
    m_socket->open(m_url);
}

void PlayerClient::close()
{
    if (m_socket)
        m_socket->close(QWebSocketProtocol::CloseCodeNormal);
}

void PlayerClient::abort()
{
    if (m_socket)
        m_socket->abort();
}

quint64 PlayerClient::send(protocol::ClientMessage message)
{
    quint64 rid = 0;
    std::visit(
        [&](auto &m) {
            if (!m.rid)
                m.rid = m_nextRid++;
            rid = *m.rid;
        },
        message);
    if (m_socket)
        m_socket->sendTextMessage(QString::fromUtf8(protocol::encode(message)));
    return rid;
}

quint64 PlayerClient::request(protocol::ClientMessage message, ReplyHandler onReply)
{
    const quint64 rid = send(std::move(message));
    m_waiting.insert(rid, std::move(onReply));
    return rid;
}

void PlayerClient::sendRaw(const QByteArray &text)
{
    if (m_socket)
        m_socket->sendTextMessage(QString::fromUtf8(text));
}

qint64 PlayerClient::bytesToWrite() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

void PlayerClient::onText(const QString &text)
{
    const QByteArray utf8 = text.toUtf8();
    auto decoded = protocol::decodeServerMessage(utf8);
    if (!decoded.ok()) {
        emit undecodable(decoded.error().toString(), utf8);
        return;
    }
    const protocol::ServerMessage &message = decoded.value();
    if (const auto rid = protocol::requestId(message)) {
        if (auto handler = m_waiting.take(*rid))
            handler(message);
    }
    emit received(message);
}

void PlayerClient::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

} // namespace arena
