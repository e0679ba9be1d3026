#include "server/gateway/playerconnection.h"

#include "server/serverlog.h"
#include "shared/core/counter.h"
#include "shared/core/histogram.h"

#include <QTimer>

#include <chrono>

namespace arena {

using protocol::ErrorCode;
using protocol::ErrorMessage;

PlayerConnection::PlayerConnection(std::unique_ptr<ClientTransport> transport, const ConnectionLimits &limits,
                                   QObject *parent)
    : QObject(parent), m_transport(std::move(transport)), m_limits(limits), m_tokens(limits.messageBurst)
{
    m_refill.start();
    m_transport->attach(*this);
}

PlayerConnection::~PlayerConnection() = default;

bool PlayerConnection::isOpen() const
{
    return m_transport->isOpen() && !m_closing;
}

bool PlayerConnection::send(const protocol::ServerMessage &message)
{
    return sendEncoded(protocol::encode(message));
}

bool PlayerConnection::sendEncoded(const QByteArray &text)
{
    if (!isOpen())
        return false;
    if (const qint64 backlog = m_transport->backlogBytes(); backlog > m_limits.maxOutboundBytes) {
        // The client stopped reading: keeping its backlog would let it grow the server's memory.
        qCInfo(lcServer) << "disconnecting" << peer() << "- it stopped reading (" << backlog << "bytes waiting)";
        abort();
        return false;
    }
    m_transport->sendText(text);
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
    m_transport->close(closeCode, reason);
    if (!m_closedEmitted) {
        QTimer::singleShot(m_limits.closeTimeout, this, [this] {
            if (m_closedEmitted)
                return;
            qCInfo(lcServer) << "dropping" << peer() << "- it did not finish closing within"
                             << m_limits.closeTimeout.count() << "ms";
            abort();
        });
    }
}

void PlayerConnection::abort()
{
    m_closing = true;
    m_transport->abort();
}

bool PlayerConnection::takeToken()
{
    const double elapsed = double(m_refill.restart()) / 1000.0;
    m_tokens = qMin(m_limits.messageBurst, m_tokens + elapsed * m_limits.messagesPerSecond);
    // A client whose bucket filled up again has kept to the rate since its last refusal: forgive those.
    if (m_tokens >= m_limits.messageBurst)
        m_violations = 0;
    if (m_tokens < 1.0)
        return false;
    m_tokens -= 1.0;
    return true;
}

void PlayerConnection::refuse(const ErrorMessage &error, bool countsAsViolation)
{
    send(error);
    if (countsAsViolation && ++m_violations >= m_limits.rateViolationsBeforeClose) {
        qCInfo(lcServer) << "closing" << peer() << "after" << m_violations << "messages over the rate limit";
        closeWith(QStringLiteral("rate_limited"), *protocol::closeCode(ErrorCode::RateLimited));
    }
}

void PlayerConnection::receiveText(const QString &text)
{
    if (m_closing)
        return;
    ++m_messagesIn;
    if (!takeToken()) {
        if (m_metrics.refused)
            m_metrics.refused->inc();
        const auto retry = quint64(1000.0 / qMax(0.001, m_limits.messagesPerSecond));
        ErrorMessage e = ErrorMessage::make(ErrorCode::RateLimited,
                                            QStringLiteral("too many messages: at most %1 per second")
                                                .arg(m_limits.messagesPerSecond));
        e.retryAfterMs = retry;
        refuse(e, true);
        return;
    }
    // The hot path: one monotonic clock read at each end (a vDSO call, tens of ns), nothing more.
    using Clock = std::chrono::steady_clock;
    const Clock::time_point arrived = m_metrics.handleSeconds ? Clock::now() : Clock::time_point();
    const QByteArray utf8 = text.toUtf8();
    auto decoded = protocol::decodeClientMessage(utf8, m_limits.decode);
    if (!decoded.ok()) {
        if (m_metrics.refused)
            m_metrics.refused->inc();
        refuse(ErrorMessage::fromDecodeError(decoded.error()), false);
        return;
    }
    // Handlers run synchronously (same thread), so its return is the end of the message's handling
    // here; the connection outlives it even if closed meanwhile (deleteLater).
    emit messageReceived(decoded.value());
    if (m_metrics.handled)
        m_metrics.handled->inc();
    if (m_metrics.handleSeconds)
        m_metrics.handleSeconds->observe(std::chrono::duration<double>(Clock::now() - arrived).count());
}

void PlayerConnection::receiveBinary(const QByteArray &)
{
    if (m_closing)
        return;
    refuse(ErrorMessage::make(ErrorCode::BadRequest, QStringLiteral("binary frames are not part of the protocol; "
                                                                     "send JSON text messages")),
           false);
}

void PlayerConnection::transportClosed(quint16 closeCode, const QString &reason)
{
    if (std::exchange(m_closedEmitted, true))
        return;
    emit closed(closeCode, reason);
    deleteLater();
}

} // namespace arena
