// NativeWebSocketTransport: a ClientTransport straight over one accepted non-blocking TCP socket — the
// HTTP upgrade, then RFC 6455 frames — with one read notifier and no buffer while idle (docs/BENCHMARKS.md:
// Qt's QTcpSocket + QWebSocket cost about 17 KB of RSS per idle session).
#pragma once

#include "server/gateway/clienttransport.h"
#include "server/gateway/websocketframer.h"

#include <QString>

#include <memory>

class QSocketNotifier;

namespace arena {

class WebSocketHandshake;

class NativeWebSocketTransport final : public ClientTransport
{
public:
    // Told once whether the upgrade succeeded. It may delete the transport inside the call (the transport
    // touches nothing afterwards); on success it hands the transport to a PlayerConnection, which attaches.
    class HandshakeObserver
    {
    public:
        virtual void handshakeDone(NativeWebSocketTransport &transport, bool upgraded) = 0;

    protected:
        ~HandshakeObserver() = default;
    };

    // Takes ownership of `fd` (connected, non-blocking) and starts reading the upgrade request.
    // Messages larger than `maxMessageBytes` close the connection with 1009.
    NativeWebSocketTransport(int fd, QString peer, qsizetype maxMessageBytes, HandshakeObserver &observer);
    ~NativeWebSocketTransport() override;

    void attach(PlayerConnection &connection) override;
    void sendText(const QByteArray &utf8) override;
    void close(quint16 code, const QString &reason) override;
    void abort() override;
    qint64 backlogBytes() const override { return m_backlog.size() - m_backlogSent; }
    bool isOpen() const override { return m_state == State::Open; }
    QString peer() const override { return m_peer; }

private:
    enum class State : quint8 {
        Handshake, // reading the HTTP upgrade request
        Refusing,  // sent the refusal; reading what the client still sends until it closes (or time is up)
        Open,
        Closing, // sent a close frame; waiting for the client's, or the end of the connection
        Closed,  // the socket is closed (and the end reported, if a connection was attached)
    };
    // Tells a caller up the stack that the transport was deleted under it.
    class DeletionGuard;

    void readable();
    void writable();
    void processHandshake(char *data, qsizetype size, const DeletionGuard &guard);
    void processFrames(char *data, qsizetype size, const DeletionGuard &guard);
    // The client closed the connection (or it failed).
    void peerEnded();
    // After a refusal or a protocol error: no more from this side (FIN after the last frame), and the
    // client's remaining input is read and dropped until it closes, so that closing the socket with
    // unread input does not send a reset that could destroy the answer before the client reads it.
    void linger();
    void sendFrame(WebSocketFramer::Opcode opcode, QByteArrayView payload);
    // Writes `first` then `second` now; what the kernel does not take waits in the backlog.
    void send(QByteArrayView first, QByteArrayView second = {});
    // Closes the socket and reports the end to the connection (once); the connection may delete this.
    void finish(quint16 code, const QString &reason);
    void closeSocket();

    int m_fd;
    State m_state = State::Handshake;
    bool m_sendFailed = false; // the kernel refused a write: the read side reports the end
    quint16 m_closeCode = 1000;
    std::unique_ptr<QSocketNotifier> m_readNotifier;
    std::unique_ptr<QSocketNotifier> m_writeNotifier; // only while there is a backlog
    std::unique_ptr<WebSocketHandshake> m_handshake;  // only until the upgrade
    WebSocketFramer m_framer;
    QByteArray m_backlog;
    qsizetype m_backlogSent = 0; // bytes at the front of m_backlog already written
    PlayerConnection *m_connection = nullptr;
    HandshakeObserver *m_observer;
    QString m_peer;
    QString m_closeReason;
    bool *m_deleted = nullptr; // the innermost DeletionGuard's flag
};

} // namespace arena
