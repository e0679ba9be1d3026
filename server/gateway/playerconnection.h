// PlayerConnection: one player's connection with the limits that protect the server — message rate
// (token bucket), decoding, and a bounded outbound buffer for clients that stop reading — over any
// ClientTransport (a WebSocket on the player port, an in-memory pipe in the fuzzer).
#pragma once

#include "server/gateway/clienttransport.h"
#include "shared/protocol/codec.h"

#include "shared/protocol/decodelimits.h"

#include <QElapsedTimer>
#include <QObject>

#include <chrono>
#include <memory>

namespace arena {

class Counter;
class Histogram;

// Where a connection counts the text messages it receives and times their handling; series of a
// MetricsRegistry that outlives the connection (PlayerService registers them). Null: not measured.
struct MessageMetrics
{
    Counter *handled = nullptr;         // arena_player_messages_total{outcome="ok"}
    Counter *refused = nullptr;         // {outcome="refused"}: over the rate limit, or undecodable
    Histogram *handleSeconds = nullptr; // arena_player_message_seconds: decode start to handler return
};

struct ConnectionLimits
{
    qsizetype maxMessageBytes = 64 * 1024; // enforced by the transport (close 1009)
    double messagesPerSecond = 20;  // sustained rate
    double messageBurst = 40;       // bucket size
    // Over the rate: an error each time; the connection is closed after this many refusals without the
    // bucket filling up again in between.
    int rateViolationsBeforeClose = 3;
    qint64 maxOutboundBytes = 1024 * 1024; // unsent bytes a client may leave before it is disconnected
    // A connection the server closed that is still closing after this is dropped: its client does not
    // read what is left, and a socket would wait for that without a limit, holding the unsent bytes.
    std::chrono::milliseconds closeTimeout{std::chrono::seconds(5)};
    // What the decoder accepts; its maxMessageBytes matches the transport's.
    protocol::DecodeLimits decode;
};

class PlayerConnection final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PlayerConnection)

public:
    // Takes ownership of the transport and attaches itself to it.
    PlayerConnection(std::unique_ptr<ClientTransport> transport, const ConnectionLimits &limits,
                     QObject *parent = nullptr);
    ~PlayerConnection() override;

    // Encodes and sends; returns false (and closes the connection) when the client's outbound backlog
    // passed the limit.
    bool send(const protocol::ServerMessage &message);
    // Sends already-encoded text (one encoding shared by many receivers).
    bool sendEncoded(const QByteArray &text);
    void sendError(protocol::ErrorCode code, const QString &message, std::optional<quint64> rid = std::nullopt);
    // session_closing with the reason, then a close frame with `closeCode`; dropped after the close
    // timeout if the close has not finished by then.
    void closeWith(const QString &reason, quint16 closeCode, std::optional<quint64> retryAfterMs = std::nullopt);
    // Drops the connection without a goodbye (for clients that do not read).
    void abort();

    bool isOpen() const;
    QString peer() const { return m_transport->peer(); }
    quint64 messagesIn() const { return m_messagesIn; }
    void setMetrics(const MessageMetrics &metrics) { m_metrics = metrics; }

    // Called by the transport: one whole message from the client.
    void receiveText(const QString &text);
    void receiveBinary(const QByteArray &data);
    // Called by the transport once the connection is gone: emits closed() once, then deletes this later.
    void transportClosed(quint16 closeCode, const QString &reason);

Q_SIGNALS:
    void messageReceived(const arena::protocol::ClientMessage &message);
    // The transport is gone; the object is deleted later. `closeCode` is the close frame's code, or 1006
    // when the connection dropped without a close handshake.
    void closed(quint16 closeCode, const QString &reason);

private:
    bool takeToken();
    void refuse(const protocol::ErrorMessage &error, bool countsAsViolation);

    std::unique_ptr<ClientTransport> m_transport;
    ConnectionLimits m_limits;
    MessageMetrics m_metrics;
    double m_tokens;
    QElapsedTimer m_refill;
    int m_violations = 0;
    quint64 m_messagesIn = 0;
    bool m_closing = false;
    bool m_closedEmitted = false;
};

} // namespace arena
