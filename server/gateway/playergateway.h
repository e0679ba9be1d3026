// PlayerGateway: the player WebSocket port (TCP_NODELAY on every connection). Accepts connections, puts each on a
// transport (NativeWebSocketTransport, or WebSocketTransport over Qt's QWebSocketServer) under a PlayerConnection
// with the connection limits, and hands it to the PlayerService.
#pragma once

#include "server/gateway/playerconnection.h"
#include "shared/result.h"

#include <QHostAddress>
#include <QObject>
#include <QSslConfiguration>

#include <chrono>
#include <optional>

class QWebSocketServer;

namespace arena {

class NativeWebSocketServer;
class WriteFlusher;

class PlayerService;

class PlayerGateway final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PlayerGateway)

public:
    enum class Transport : quint8 {
        Native, // NativeWebSocketServer: the server's own HTTP upgrade and framing over plain sockets
        Qt,     // QWebSocketServer and a QWebSocket per connection
    };

    // With `tls`, the port serves wss:// (on the Qt transport, whichever `transport` says).
    PlayerGateway(PlayerService &players, ConnectionLimits limits, std::chrono::milliseconds handshakeTimeout,
                  Transport transport = Transport::Native, std::optional<QSslConfiguration> tls = std::nullopt,
                  QObject *parent = nullptr);
    ~PlayerGateway() override;

    // Returns the port (useful with port 0); failure names the address and port.
    Result<quint16> listen(const QHostAddress &address, quint16 port);
    // Stops accepting new connections (shutdown); open ones stay.
    void stopListening();
    quint16 port() const { return m_port; }
    quint64 accepted() const { return m_accepted; }

private:
    void onNewConnection();
    void adopt(std::unique_ptr<ClientTransport> transport);

    PlayerService &m_players;
    ConnectionLimits m_limits;
    // One of the two, by Transport.
    NativeWebSocketServer *m_native = nullptr;
    QWebSocketServer *m_server = nullptr;
    WriteFlusher *m_flusher = nullptr;
    quint16 m_port = 0;
    quint64 m_accepted = 0;
};

} // namespace arena
