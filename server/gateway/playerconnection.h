// PlayerConnection: one player's WebSocket with the limits that protect the server — message size,
// message rate (token bucket), and a bounded outbound buffer for clients that stop reading.
#pragma once

#include "shared/protocol/codec.h"

#include <QElapsedTimer>
#include <QObject>
#include <QPointer>

#include <chrono>

class QWebSocket;

namespace arena {

struct ConnectionLimits
{
    qsizetype maxMessageBytes = 64 * 1024;
    double messagesPerSecond = 20;  // sustained rate
    double messageBurst = 40;       // bucket size
    int rateViolationsBeforeClose = 3; // over the rate: an error each time, the connection closed after this many
    qint64 maxOutboundBytes = 1024 * 1024; // unsent bytes a client may leave before it is disconnected
};

class PlayerConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PlayerConnection)

public:
    // Takes ownership of the socket.
    PlayerConnection(QWebSocket *socket, const ConnectionLimits &limits, QObject *parent = nullptr);
    ~PlayerConnection() override;

    // Encodes and sends; returns false (and closes the connection) when the client's outbound backlog
    // passed the limit.
    bool send(const protocol::ServerMessage &message);
    // Sends already-encoded text (one encoding shared by many receivers).
    bool sendEncoded(const QByteArray &text);
    void sendError(protocol::ErrorCode code, const QString &message, std::optional<quint64> rid = std::nullopt);
    // session_closing with the reason, then a close frame with `closeCode`.
    void closeWith(const QString &reason, quint16 closeCode, std::optional<quint64> retryAfterMs = std::nullopt);
    // Drops the TCP connection without a goodbye (for clients that do not read).
    void abort();

    bool isOpen() const;
    QString peer() const { return m_peer; }
    quint64 messagesIn() const { return m_messagesIn; }

Q_SIGNALS:
    void messageReceived(const arena::protocol::ClientMessage &message);
    // The socket is gone; the object is deleted later. `closeCode` is the close frame's code, or 1006
    // when the connection dropped without a close handshake.
    void closed(quint16 closeCode, const QString &reason);

private:
    void onText(const QString &text);
    void onBinary(const QByteArray &data);
    bool takeToken();
    void refuse(const protocol::ErrorMessage &error, bool countsAsViolation);

    QPointer<QWebSocket> m_socket;
    ConnectionLimits m_limits;
    QString m_peer;
    double m_tokens;
    QElapsedTimer m_refill;
    int m_violations = 0;
    quint64 m_messagesIn = 0;
    bool m_closing = false;
    bool m_closedEmitted = false;
    bool m_closeHandshake = false;
};

} // namespace arena
