#include "server/gateway/websockettransport.h"

#include "server/gateway/playerconnection.h"
#include "server/gateway/writeflusher.h"

#include <QWebSocket>

namespace arena {

WebSocketTransport::WebSocketTransport(QWebSocket *socket, qsizetype maxMessageBytes, WriteFlusher &flusher)
    : m_socket(socket), m_flusher(flusher)
{
    m_peer = socket->peerAddress().toString() + QLatin1Char(':') + QString::number(socket->peerPort());
    socket->setMaxAllowedIncomingMessageSize(quint64(maxMessageBytes));
    socket->setMaxAllowedIncomingFrameSize(quint64(maxMessageBytes));
}

WebSocketTransport::~WebSocketTransport() = default;

void WebSocketTransport::attach(PlayerConnection &connection)
{
    QWebSocket *socket = m_socket;
    socket->setParent(&connection);
    QObject::connect(socket, &QWebSocket::textMessageReceived, &connection, &PlayerConnection::receiveText);
    QObject::connect(socket, &QWebSocket::binaryMessageReceived, &connection, &PlayerConnection::receiveBinary);
    // A close frame (from either side) makes Qt call close(), which announces aboutToClose(); a dropped
    // connection does not, and Qt then still reports close code 1000, so the code alone cannot tell.
    QObject::connect(socket, &QWebSocket::aboutToClose, &connection, [this] { m_closeHandshake = true; });
    QObject::connect(socket, &QWebSocket::disconnected, &connection, [this, &connection] {
        const quint16 code = m_socket && m_closeHandshake ? quint16(m_socket->closeCode()) : 1006;
        const QString reason = m_socket ? m_socket->closeReason() : QString();
        connection.transportClosed(code, reason);
    });
}

void WebSocketTransport::sendText(const QByteArray &utf8)
{
    if (!m_socket)
        return;
    const bool wasIdle = m_socket->bytesToWrite() == 0;
    m_socket->sendTextMessage(QString::fromUtf8(utf8));
    if (wasIdle)
        m_flusher.schedule(m_socket);
}

void WebSocketTransport::close(quint16 code, const QString &reason)
{
    if (m_socket)
        m_socket->close(QWebSocketProtocol::CloseCode(code), reason);
}

void WebSocketTransport::abort()
{
    if (m_socket)
        m_socket->abort();
}

qint64 WebSocketTransport::backlogBytes() const
{
    return m_socket ? m_socket->bytesToWrite() : 0;
}

bool WebSocketTransport::isOpen() const
{
    return m_socket && m_socket->state() == QAbstractSocket::ConnectedState;
}

} // namespace arena
