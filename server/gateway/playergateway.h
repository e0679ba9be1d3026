// PlayerGateway: the player WebSocket port (TCP_NODELAY on every connection). Accepts connections, puts each on a WebSocketTransport
// under a PlayerConnection with the connection limits, and hands it to the PlayerService.
#pragma once

#include "server/gateway/playerconnection.h"
#include "shared/result.h"

#include <QHostAddress>
#include <QObject>

#include <chrono>

class QWebSocketServer;

namespace arena {

class WriteFlusher;

class PlayerService;

class PlayerGateway final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PlayerGateway)

public:
    PlayerGateway(PlayerService &players, ConnectionLimits limits, std::chrono::milliseconds handshakeTimeout,
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

    PlayerService &m_players;
    ConnectionLimits m_limits;
    QWebSocketServer *m_server;
    WriteFlusher *m_flusher;
    quint16 m_port = 0;
    quint64 m_accepted = 0;
};

} // namespace arena
