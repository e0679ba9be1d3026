#include "server/gateway/nativewebsockettransport.h"

#include "server/gateway/playerconnection.h"
#include "server/gateway/websockethandshake.h"
#include "server/serverlog.h"

#include <QSocketNotifier>
#include <QTimer>

#include <cerrno>

#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

namespace arena {

using Opcode = WebSocketFramer::Opcode;
using Event = WebSocketFramer::Event;

namespace {

// What one read takes off the socket; game messages are far smaller, and a larger message just takes
// several reads.
constexpr qsizetype kReadChunk = 16 * 1024;
// Reads per wakeup, so one busy client cannot hold the event loop.
constexpr int kReadsPerWakeup = 4;
// A backlog that has been written this far is compacted (the rest moved to the front).
constexpr qsizetype kCompactAfter = 64 * 1024;
// How long a connection that failed (protocol error) waits for the client to close before it is dropped.
constexpr std::chrono::seconds kLingerTimeout{5};

} // namespace

class NativeWebSocketTransport::DeletionGuard final
{
public:
    // The transport holds the address of this guard's flag only while the guard lives (the destructor
    // puts the outer one back), which GCC's dangling-pointer analysis cannot see.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif
    explicit DeletionGuard(NativeWebSocketTransport &transport)
        : m_transport(transport), m_outer(std::exchange(transport.m_deleted, &m_deleted))
    {
    }
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
    ~DeletionGuard()
    {
        if (!m_deleted)
            m_transport.m_deleted = m_outer;
        else if (m_outer)
            *m_outer = true;
    }
    Q_DISABLE_COPY_MOVE(DeletionGuard)

    bool deleted() const { return m_deleted; }

private:
    NativeWebSocketTransport &m_transport;
    bool *m_outer;
    bool m_deleted = false;
};

NativeWebSocketTransport::NativeWebSocketTransport(int fd, QString peer, qsizetype maxMessageBytes,
                                                   HandshakeObserver &observer)
    : m_fd(fd), m_readNotifier(std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Read)),
      m_handshake(std::make_unique<WebSocketHandshake>()), m_framer(maxMessageBytes), m_observer(&observer),
      m_peer(std::move(peer))
{
    QObject::connect(m_readNotifier.get(), &QSocketNotifier::activated, m_readNotifier.get(), [this] { readable(); });
}

NativeWebSocketTransport::~NativeWebSocketTransport()
{
    if (m_deleted)
        *m_deleted = true;
    closeSocket();
}

void NativeWebSocketTransport::attach(PlayerConnection &connection)
{
    m_connection = &connection;
}

void NativeWebSocketTransport::sendText(const QByteArray &utf8)
{
    if (m_state == State::Open)
        sendFrame(Opcode::Text, utf8);
}

void NativeWebSocketTransport::close(quint16 code, const QString &reason)
{
    switch (m_state) {
    case State::Open:
        m_closeCode = code;
        m_closeReason = reason;
        sendFrame(Opcode::Close, WebSocketFramer::closePayload(code, reason.toUtf8()));
        m_state = State::Closing;
        break;
    case State::Handshake:
    case State::Refusing:
        finish(code, reason);
        break;
    case State::Closing:
    case State::Closed:
        break;
    }
}

void NativeWebSocketTransport::abort()
{
    // A close this side started reports its own code, as QWebSocket does.
    if (m_state == State::Closing)
        finish(m_closeCode, m_closeReason);
    else
        finish(1006, QString());
}

void NativeWebSocketTransport::readable()
{
    const DeletionGuard guard(*this);
    char buffer[kReadChunk];
    for (int round = 0; round < kReadsPerWakeup; ++round) {
        const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
        if (n > 0) {
            if (m_state == State::Handshake)
                processHandshake(buffer, n, guard);
            else if (m_state != State::Refusing) // a refused client's input is dropped
                processFrames(buffer, n, guard);
            if (guard.deleted() || m_state == State::Closed || n < kReadChunk)
                return;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        peerEnded(); // 0: the client closed its side; or ECONNRESET and the like
        return;
    }
}

void NativeWebSocketTransport::processHandshake(char *data, qsizetype size, const DeletionGuard &guard)
{
    switch (m_handshake->feed(QByteArrayView(data, size))) {
    case WebSocketHandshake::State::Incomplete:
        return;
    case WebSocketHandshake::State::Refused:
        qCInfo(lcServer).noquote() << "refused the WebSocket upgrade of" << m_peer << "-"
                                   << m_handshake->refusalReason();
        send(m_handshake->response());
        m_handshake.reset();
        m_state = State::Refusing; // reported when the client has gone (bounded by the handshake timeout)
        linger();
        return;
    case WebSocketHandshake::State::Upgrade:
        break;
    }
    QByteArray pipelined = m_handshake->takeRemainder();
    send(m_handshake->response());
    m_handshake.reset();
    m_state = State::Open;
    m_observer->handshakeDone(*this, true); // a PlayerConnection takes this and attaches
    if (guard.deleted() || m_state == State::Closed)
        return;
    if (!pipelined.isEmpty())
        processFrames(pipelined.data(), pipelined.size(), guard);
}

void NativeWebSocketTransport::processFrames(char *data, qsizetype size, const DeletionGuard &guard)
{
    m_framer.feed(data, size);
    Event event;
    while ((m_state == State::Open || m_state == State::Closing) && m_framer.next(event)) {
        switch (event.type) {
        case Event::Type::Text:
            if (m_state == State::Open && m_connection) {
                m_connection->receiveText(QString::fromUtf8(event.payload));
                if (guard.deleted())
                    return;
            }
            break;
        case Event::Type::Binary:
            if (m_state == State::Open && m_connection) {
                m_connection->receiveBinary(event.payload.toByteArray());
                if (guard.deleted())
                    return;
            }
            break;
        case Event::Type::Ping:
            if (m_state == State::Open)
                sendFrame(Opcode::Pong, event.payload);
            break;
        case Event::Type::Pong:
            break;
        case Event::Type::Close:
            if (m_state == State::Closing) {
                finish(m_closeCode, m_closeReason);
            } else {
                // Echo the code (none if the client sent none), then end the connection.
                sendFrame(Opcode::Close,
                          event.code == 1005 ? QByteArray() : WebSocketFramer::closePayload(event.code, {}));
                finish(event.code, QString::fromUtf8(event.payload));
            }
            return;
        case Event::Type::ProtocolError:
            if (m_state == State::Closing) {
                finish(m_closeCode, m_closeReason);
            } else {
                qCInfo(lcServer).noquote() << "closing" << m_peer << "with" << event.code << "-" << event.error;
                sendFrame(Opcode::Close, WebSocketFramer::closePayload(event.code, event.error));
                m_closeCode = event.code;
                m_closeReason = QString::fromLatin1(event.error);
                m_state = State::Closing; // reported once the client closes, or after kLingerTimeout
                linger();
                QTimer::singleShot(kLingerTimeout, m_readNotifier.get(), [this] { finish(m_closeCode, m_closeReason); });
            }
            return;
        }
    }
}

void NativeWebSocketTransport::peerEnded()
{
    switch (m_state) {
    case State::Handshake:
    case State::Refusing:
        m_state = State::Closed;
        closeSocket();
        m_observer->handshakeDone(*this, false); // deletes this
        break;
    case State::Open:
        finish(1006, QString());
        break;
    case State::Closing:
        finish(m_closeCode, m_closeReason);
        break;
    case State::Closed:
        break;
    }
}

void NativeWebSocketTransport::linger()
{
    if (m_fd < 0)
        return;
    if (backlogBytes() == 0)
        ::shutdown(m_fd, SHUT_WR);
    // else the write notifier shuts down once the backlog is written
}

void NativeWebSocketTransport::sendFrame(Opcode opcode, QByteArrayView payload)
{
    char header[10];
    const qsizetype headerSize = WebSocketFramer::writeHeader(header, opcode, quint64(payload.size()));
    send(QByteArrayView(header, headerSize), payload);
}

void NativeWebSocketTransport::send(QByteArrayView first, QByteArrayView second)
{
    if (m_fd < 0 || m_sendFailed)
        return;
    if (backlogBytes() > 0) {
        // Behind what is waiting already: the write notifier sends it in order.
        m_backlog.append(first);
        m_backlog.append(second);
        return;
    }
    iovec parts[2] = {{const_cast<char *>(first.data()), size_t(first.size())},
                      {const_cast<char *>(second.data()), size_t(second.size())}};
    msghdr message{};
    message.msg_iov = parts;
    message.msg_iovlen = second.isEmpty() ? 1 : 2;
    ssize_t written;
    do {
        written = ::sendmsg(m_fd, &message, MSG_NOSIGNAL | MSG_DONTWAIT);
    } while (written < 0 && errno == EINTR);
    if (written < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK) {
            // The connection is broken; reading finds its end and reports it.
            m_sendFailed = true;
            return;
        }
        written = 0;
    }
    if (written == first.size() + second.size())
        return;
    if (written < first.size()) {
        m_backlog.append(first.sliced(written));
        m_backlog.append(second);
    } else {
        m_backlog.append(second.sliced(written - first.size()));
    }
    m_writeNotifier = std::make_unique<QSocketNotifier>(m_fd, QSocketNotifier::Write);
    QObject::connect(m_writeNotifier.get(), &QSocketNotifier::activated, m_writeNotifier.get(),
                     [this] { writable(); });
}

void NativeWebSocketTransport::writable()
{
    while (m_backlogSent < m_backlog.size()) {
        const ssize_t written = ::send(m_fd, m_backlog.constData() + m_backlogSent,
                                       size_t(m_backlog.size() - m_backlogSent), MSG_NOSIGNAL | MSG_DONTWAIT);
        if (written < 0) {
            if (errno == EINTR)
                continue;
            if (errno == EAGAIN || errno == EWOULDBLOCK)
                break;
            m_sendFailed = true; // reading finds the end and reports it
            m_backlogSent = m_backlog.size();
            break;
        }
        m_backlogSent += written;
    }
    if (m_backlogSent == m_backlog.size()) {
        m_backlog.clear();
        m_backlogSent = 0;
        m_writeNotifier.reset(); // the notifier being delivered: Qt allows deleting it here
        if (m_state == State::Refusing || (m_state == State::Closing && m_framer.hasFailed()))
            linger();
    } else if (m_backlogSent >= kCompactAfter && m_backlogSent * 2 >= m_backlog.size()) {
        m_backlog.remove(0, m_backlogSent);
        m_backlogSent = 0;
    }
}

void NativeWebSocketTransport::finish(quint16 code, const QString &reason)
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    closeSocket();
    if (m_connection)
        m_connection->transportClosed(code, reason); // may delete this
}

void NativeWebSocketTransport::closeSocket()
{
    m_writeNotifier.reset();
    m_readNotifier.reset();
    if (m_fd >= 0) {
        // Unread input makes close() send a reset, which can destroy the last frames on their way to the
        // client: take what has arrived first.
        char discard[4096];
        for (int i = 0; i < 4 && ::recv(m_fd, discard, sizeof discard, MSG_DONTWAIT) > 0; ++i) {
        }
        ::close(m_fd);
        m_fd = -1;
    }
    m_backlog.clear();
    m_backlogSent = 0;
}

} // namespace arena
