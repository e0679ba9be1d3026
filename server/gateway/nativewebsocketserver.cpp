#include "server/gateway/nativewebsocketserver.h"

#include "server/serverlog.h"

#include <QSocketNotifier>
#include <QTimer>

#include <cerrno>
#include <algorithm>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

namespace arena {

using namespace std::chrono_literals;

namespace {

// When the process is out of descriptors the listening socket stays readable: accepting pauses this
// long instead of spinning.
constexpr auto kAcceptPause = 100ms;

QString peerName(const sockaddr_storage &address)
{
    QHostAddress host(reinterpret_cast<const sockaddr *>(&address));
    quint16 port = 0;
    if (address.ss_family == AF_INET)
        port = ntohs(reinterpret_cast<const sockaddr_in *>(&address)->sin_port);
    else if (address.ss_family == AF_INET6)
        port = ntohs(reinterpret_cast<const sockaddr_in6 *>(&address)->sin6_port);
    return host.toString() + QLatin1Char(':') + QString::number(port);
}

} // namespace

NativeWebSocketServer::NativeWebSocketServer(qsizetype maxMessageBytes, std::chrono::milliseconds handshakeTimeout,
                                             UpgradeHandler onUpgrade, QObject *parent)
    : QObject(parent), m_maxMessageBytes(maxMessageBytes), m_handshakeTimeout(handshakeTimeout),
      m_onUpgrade(std::move(onUpgrade)), m_expiry(new QTimer(this))
{
    m_expiry->setSingleShot(true);
    connect(m_expiry, &QTimer::timeout, this, &NativeWebSocketServer::expireHandshakes);
}

NativeWebSocketServer::~NativeWebSocketServer()
{
    m_pendingIndex.clear();
    m_pending.clear();
    close();
}

Result<quint16> NativeWebSocketServer::listen(const QHostAddress &address, quint16 port)
{
    const auto failure = [&](const char *what) {
        const int error = errno;
        if (m_fd >= 0) {
            ::close(m_fd);
            m_fd = -1;
        }
        return Error{QStringLiteral("listen_failed"), QStringLiteral("cannot listen on player port %1 at %2: %3 (%4)")
                                                          .arg(port)
                                                          .arg(address.toString(), QString::fromLocal8Bit(std::strerror(error)),
                                                               QLatin1String(what))};
    };
    if (m_fd >= 0)
        return Error{QStringLiteral("listen_failed"),
                     QStringLiteral("cannot listen on player port %1 at %2: already listening").arg(port).arg(address.toString())};

    sockaddr_storage storage{};
    socklen_t length = 0;
    const bool ipv4 = address.protocol() == QAbstractSocket::IPv4Protocol;
    if (ipv4) {
        auto *in = reinterpret_cast<sockaddr_in *>(&storage);
        in->sin_family = AF_INET;
        in->sin_port = htons(port);
        in->sin_addr.s_addr = htonl(address.toIPv4Address());
        length = sizeof(sockaddr_in);
    } else if (address.protocol() == QAbstractSocket::IPv6Protocol || address == QHostAddress(QHostAddress::Any)) {
        auto *in6 = reinterpret_cast<sockaddr_in6 *>(&storage);
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        const Q_IPV6ADDR bytes = address.toIPv6Address(); // :: for Any
        std::memcpy(&in6->sin6_addr, &bytes, sizeof bytes);
        in6->sin6_scope_id = address.scopeId().toUInt();
        length = sizeof(sockaddr_in6);
    } else {
        errno = EAFNOSUPPORT;
        return failure("address");
    }

    m_fd = ::socket(storage.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (m_fd < 0)
        return failure("socket");
    const int one = 1;
    const int zero = 0;
    // As QTcpServer does: a restarted server can take its port back while old connections linger.
    if (::setsockopt(m_fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0)
        return failure("SO_REUSEADDR");
    // QHostAddress::Any means both IPv4 and IPv6.
    if (!ipv4 && address == QHostAddress(QHostAddress::Any)
        && ::setsockopt(m_fd, IPPROTO_IPV6, IPV6_V6ONLY, &zero, sizeof zero) != 0)
        return failure("IPV6_V6ONLY");
    if (::bind(m_fd, reinterpret_cast<const sockaddr *>(&storage), length) != 0)
        return failure("bind");
    if (::listen(m_fd, SOMAXCONN) != 0)
        return failure("listen");
    // Accepted sockets inherit TCP_NODELAY from the listening socket on Linux. Game traffic is small
    // frames written back to back; with Nagle's algorithm on, the second one waits for the client's
    // delayed ACK (40 ms: docs/BENCHMARKS.md).
    if (::setsockopt(m_fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0)
        qCWarning(lcServer) << "cannot turn Nagle's algorithm off on the player port:" << std::strerror(errno);
    sockaddr_storage bound{};
    socklen_t boundLength = sizeof bound;
    if (::getsockname(m_fd, reinterpret_cast<sockaddr *>(&bound), &boundLength) != 0)
        return failure("getsockname");
    const quint16 boundPort = ntohs(bound.ss_family == AF_INET ? reinterpret_cast<sockaddr_in *>(&bound)->sin_port
                                                               : reinterpret_cast<sockaddr_in6 *>(&bound)->sin6_port);

    m_notifier = new QSocketNotifier(m_fd, QSocketNotifier::Read, this);
    connect(m_notifier, &QSocketNotifier::activated, this, &NativeWebSocketServer::acceptConnections);
    return boundPort;
}

void NativeWebSocketServer::close()
{
    delete m_notifier;
    m_notifier = nullptr;
    if (m_fd >= 0) {
        ::close(m_fd);
        m_fd = -1;
    }
}

void NativeWebSocketServer::acceptConnections()
{
    while (m_fd >= 0) {
        sockaddr_storage address{};
        socklen_t length = sizeof address;
        const int fd = ::accept4(m_fd, reinterpret_cast<sockaddr *>(&address), &length, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            const int error = errno;
            if (error == EINTR || error == ECONNABORTED || error == EPROTO)
                continue;
            if (error == EAGAIN || error == EWOULDBLOCK)
                break;
            qCWarning(lcServer) << "player port: cannot accept a connection:" << std::strerror(error);
            if (error == EMFILE || error == ENFILE || error == ENOBUFS || error == ENOMEM) {
                // The pending connection stays in the queue, so the socket stays readable: pause, not spin.
                m_notifier->setEnabled(false);
                QTimer::singleShot(kAcceptPause, this, [this] {
                    if (m_notifier)
                        m_notifier->setEnabled(true);
                });
            }
            break;
        }
        HandshakeObserver &observer = *this;
        auto transport = std::make_unique<NativeWebSocketTransport>(fd, peerName(address), m_maxMessageBytes, observer);
        NativeWebSocketTransport *key = transport.get();
        m_pending.push_back(Pending{Clock::now() + m_handshakeTimeout, std::move(transport)});
        m_pendingIndex.emplace(key, std::prev(m_pending.end()));
    }
    if (!m_pending.empty() && !m_expiry->isActive())
        scheduleExpiry();
}

void NativeWebSocketServer::handshakeDone(NativeWebSocketTransport &transport, bool upgraded)
{
    const auto found = m_pendingIndex.find(&transport);
    if (found == m_pendingIndex.end())
        return;
    std::unique_ptr<NativeWebSocketTransport> owned = std::move(found->second->transport);
    m_pending.erase(found->second);
    m_pendingIndex.erase(found);
    if (upgraded)
        m_onUpgrade(std::move(owned));
    // Refused: `owned` deletes the transport here, which returns without touching itself again.
}

void NativeWebSocketServer::expireHandshakes()
{
    const auto now = Clock::now();
    while (!m_pending.empty() && m_pending.front().deadline <= now) {
        // Closes the socket without an answer, as QWebSocketServer does.
        m_pendingIndex.erase(m_pending.front().transport.get());
        m_pending.pop_front();
    }
    scheduleExpiry();
}

void NativeWebSocketServer::scheduleExpiry()
{
    if (m_pending.empty()) {
        m_expiry->stop();
        return;
    }
    const auto wait = std::chrono::ceil<std::chrono::milliseconds>(m_pending.front().deadline - Clock::now());
    m_expiry->start(std::max(wait, 0ms));
}

} // namespace arena
