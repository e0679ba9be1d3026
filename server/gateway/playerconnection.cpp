#include "server/gateway/playerconnection.h"

#include "server/serverlog.h"

#include <QWebSocket>

namespace arena {

using protocol::ErrorCode;
using protocol::ErrorMessage;

PlayerConnection::PlayerConnection(QWebSocket *socket, const ConnectionLimits &limits, QObject *parent)
    : QObject(parent), m_socket(socket), m_limits(limits), m_tokens(limits.messageBurst)
{
    socket->setParent(this);
    m_peer = socket->peerAddress().toString() + QLatin1Char(':') + QString::number(socket->peerPort());
    // Qt closes with 1009 (too much data) by itself when a frame or message passes these bounds.
    socket->setMaxAllowedIncomingMessageSize(quint64(limits.maxMessageBytes));
    socket->setMaxAllowedIncomingFrameSize(quint64(limits.maxMessageBytes));
    m_refill.start();
    connect(socket, &QWebSocket::textMessageReceived, this, &PlayerConnection::onText);
    connect(socket, &QWebSocket::binaryMessageReceived, this, &PlayerConnection::onBinary);
    // A close frame (from either side) makes Qt call close(), which announces aboutToClose(); a dropped
    // connection does not, and Qt then still reports close code 1000, so the code alone cannot tell.
    connect(socket, &QWebSocket::aboutToClose, this, [this] { m_closeHandshake = true; });
    connect(socket, &QWebSocket::disconnected, this, [this] {
        if (std::exchange(m_closedEmitted, true))
            return;
        const quint16 code = m_socket && m_closeHandshake ? quint16(m_socket->closeCode()) : 1006;
        const QString reason = m_socket ? m_socket->closeReason() : QString();
        emit closed(code, reason);
        deleteLater();
    });
}

PlayerConnection::~PlayerConnection() = default;

bool PlayerConnection::isOpen() const
{
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState && !m_closing;
}

bool PlayerConnection::send(const protocol::ServerMessage &message)
{
    return sendEncoded(protocol::encode(message));
}

bool PlayerConnection::sendEncoded(const QByteArray &text)
{
    if (!isOpen())
        return false;
    if (m_socket->bytesToWrite() > m_limits.maxOutboundBytes) {
        // The client stopped reading: keeping its backlog would let it grow the server's memory.
        qCInfo(lcServer) << "disconnecting" << m_peer << "- it stopped reading (" << m_socket->bytesToWrite()
                         << "bytes waiting)";
        abort();
        return false;
    }
    m_socket->sendTextMessage(QString::fromUtf8(text));
    return true;
}

void PlayerConnection::sendError(ErrorCode code, const QString &message, std::optional<quint64> rid)
{
    send(ErrorMessage::make(code, message, rid));
}

void PlayerConnection::closeWith(const QString &reason, quint16 closeCode, std::optional<quint64> retryAfterMs)
{
    if (!isOpen())
        return;
    protocol::SessionClosing closing;
    closing.reason = reason;
    closing.code = closeCode;
    closing.retryAfterMs = retryAfterMs;
    send(closing);
    m_closing = true;
    m_socket->close(QWebSocketProtocol::CloseCode(closeCode), reason);
}

void PlayerConnection::abort()
{
    m_closing = true;
    if (m_socket)
        m_socket->abort();
}

bool PlayerConnection::takeToken()
{
    const double elapsed = double(m_refill.restart()) / 1000.0;
    m_tokens = qMin(m_limits.messageBurst, m_tokens + elapsed * m_limits.messagesPerSecond);
    if (m_tokens < 1.0)
        return false;
    m_tokens -= 1.0;
    return true;
}

void PlayerConnection::refuse(const ErrorMessage &error, bool countsAsViolation)
{
    send(error);
    if (countsAsViolation && ++m_violations >= m_limits.rateViolationsBeforeClose) {
        qCInfo(lcServer) << "closing" << m_peer << "after" << m_violations << "messages over the rate limit";
        closeWith(QStringLiteral("rate_limited"), *protocol::closeCode(ErrorCode::RateLimited));
    }
}

void PlayerConnection::onText(const QString &text)
{
    if (m_closing)
        return;
    ++m_messagesIn;
    if (!takeToken()) {
        const auto retry = quint64(1000.0 / qMax(0.001, m_limits.messagesPerSecond));
        ErrorMessage e = ErrorMessage::make(ErrorCode::RateLimited,
                                            QStringLiteral("too many messages: at most %1 per second")
                                                .arg(m_limits.messagesPerSecond));
        e.retryAfterMs = retry;
        refuse(e, true);
        return;
    }
    const QByteArray utf8 = text.toUtf8();
    auto decoded = protocol::decodeClientMessage(utf8);
    if (!decoded.ok()) {
        refuse(ErrorMessage::fromDecodeError(decoded.error()), false);
        return;
    }
    emit messageReceived(decoded.value());
}

void PlayerConnection::onBinary(const QByteArray &)
{
    if (m_closing)
        return;
    refuse(ErrorMessage::make(ErrorCode::BadRequest, QStringLiteral("binary frames are not part of the protocol; "
                                                                     "send JSON text messages")),
           false);
}

} // namespace arena
