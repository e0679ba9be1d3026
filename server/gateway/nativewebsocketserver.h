// NativeWebSocketServer: the player port without Qt's socket classes — a listening socket, accept4() on
// its read notifier, and each new connection on a NativeWebSocketTransport until it has upgraded to
// WebSocket (or its handshake time is up).
#pragma once

#include "server/gateway/nativewebsockettransport.h"
#include "shared/result.h"

#include <QHostAddress>
#include <QObject>

#include <chrono>
#include <functional>
#include <list>
#include <memory>
#include <unordered_map>

class QSocketNotifier;
class QTimer;

namespace arena {

class NativeWebSocketServer final : public QObject, private NativeWebSocketTransport::HandshakeObserver
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(NativeWebSocketServer)

public:
    // Receives each connection that upgraded; called from the transport's read handler, so it should
    // attach the transport (give it to a PlayerConnection) before it returns.
    using UpgradeHandler = std::function<void(std::unique_ptr<NativeWebSocketTransport>)>;

    NativeWebSocketServer(qsizetype maxMessageBytes, std::chrono::milliseconds handshakeTimeout,
                          UpgradeHandler onUpgrade, QObject *parent = nullptr);
    ~NativeWebSocketServer() override;

    // TCP_NODELAY is set on the listening socket, so every accepted socket has it. Returns the port
    // (useful with port 0); failure names the address and port.
    Result<quint16> listen(const QHostAddress &address, quint16 port);
    // Stops accepting; connections still in their handshake go on.
    void close();
    qsizetype pendingHandshakes() const { return qsizetype(m_pending.size()); }

private:
    using Clock = std::chrono::steady_clock;
    struct Pending
    {
        Clock::time_point deadline;
        std::unique_ptr<NativeWebSocketTransport> transport;
    };

    void acceptConnections();
    void expireHandshakes();
    void scheduleExpiry();
    void handshakeDone(NativeWebSocketTransport &transport, bool upgraded) override;

    qsizetype m_maxMessageBytes;
    std::chrono::milliseconds m_handshakeTimeout;
    UpgradeHandler m_onUpgrade;
    int m_fd = -1;
    QSocketNotifier *m_notifier = nullptr;
    QTimer *m_expiry;
    // In accept order, which is deadline order (one timeout for all).
    std::list<Pending> m_pending;
    std::unordered_map<NativeWebSocketTransport *, std::list<Pending>::iterator> m_pendingIndex;
};

} // namespace arena
