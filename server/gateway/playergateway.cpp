#include "server/gateway/playergateway.h"

#include "server/gateway/nativewebsocketserver.h"
#include "server/gateway/websockettransport.h"
#include "server/gateway/writeflusher.h"
#include "server/playerservice.h"
#include "server/serverlog.h"

#include <QWebSocket>
#include <QWebSocketServer>

#include <cerrno>
#include <cstring>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

namespace arena {

PlayerGateway::PlayerGateway(PlayerService &players, ConnectionLimits limits,
                             std::chrono::milliseconds handshakeTimeout, Transport transport,
                             std::optional<QSslConfiguration> tls, QObject *parent)
    : QObject(parent), m_players(players), m_limits(limits)
{
    // The handshake timeout bounds the WebSocket upgrade itself; the hello that follows has its own.
    if (transport == Transport::Native && !tls) {
        m_native = new NativeWebSocketServer(
            m_limits.maxMessageBytes, handshakeTimeout,
            [this](std::unique_ptr<NativeWebSocketTransport> upgraded) { adopt(std::move(upgraded)); }, this);
        return;
    }
    m_server = new QWebSocketServer(QStringLiteral("arena-server"),
                                    tls ? QWebSocketServer::SecureMode : QWebSocketServer::NonSecureMode, this);
    if (tls) {
        m_server->setSslConfiguration(*tls);
        // A client that gives up during the TLS handshake (wrong port, untrusted certificate) is its own
        // problem: a debug line, not a warning per attempt.
        connect(m_server, &QWebSocketServer::sslErrors, this, [](const QList<QSslError> &errors) {
            qCDebug(lcServer) << "TLS handshake on the player port failed:" << errors;
        });
    }
    m_flusher = new WriteFlusher(this);
    m_server->setHandshakeTimeout(handshakeTimeout);
    connect(m_server, &QWebSocketServer::newConnection, this, &PlayerGateway::onNewConnection);
    connect(m_server, &QWebSocketServer::acceptError, this, [](QAbstractSocket::SocketError error) {
        qCWarning(lcServer) << "player port accept error" << error;
    });
}

PlayerGateway::~PlayerGateway() = default;

Result<quint16> PlayerGateway::listen(const QHostAddress &address, quint16 port)
{
    if (m_native) {
        auto listening = m_native->listen(address, port);
        if (listening.ok())
            m_port = listening.value();
        return listening;
    }
    if (!m_server->listen(address, port))
        return Error{QStringLiteral("listen_failed"), QStringLiteral("cannot listen on player port %1 at %2: %3")
                                                          .arg(port)
                                                          .arg(address.toString(), m_server->errorString())};
    // Accepted sockets inherit TCP_NODELAY from the listening socket on Linux. Game traffic is small
    // frames written back to back; with Nagle's algorithm on, the second one waits for the client's
    // delayed ACK (40 ms: docs/BENCHMARKS.md).
    const int one = 1;
    if (::setsockopt(int(m_server->socketDescriptor()), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
        qCWarning(lcServer) << "cannot turn Nagle's algorithm off on the player port:" << std::strerror(errno);
    m_port = m_server->serverPort();
    return m_port;
}

void PlayerGateway::stopListening()
{
    if (m_native)
        m_native->close();
    else
        m_server->close();
}

void PlayerGateway::onNewConnection()
{
    while (QWebSocket *socket = m_server->nextPendingConnection())
        adopt(std::make_unique<WebSocketTransport>(socket, m_limits.maxMessageBytes, *m_flusher));
}

void PlayerGateway::adopt(std::unique_ptr<ClientTransport> transport)
{
    ++m_accepted;
    auto *connection = new PlayerConnection(std::move(transport), m_limits, this);
    m_players.adopt(connection);
}

} // namespace arena
