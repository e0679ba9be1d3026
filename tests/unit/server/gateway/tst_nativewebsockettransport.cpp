// NativeWebSocketTransport over a socket pair, under a real PlayerConnection: the upgrade (with a first
// frame pipelined behind it), ping/pong, both close handshakes, the end of the connection, abort, protocol
// errors, refusal, and the write backlog of a client that does not read.
#include "server/gateway/nativewebsockettransport.h"
#include "server/gateway/playerconnection.h"

#include <QPointer>
#include <QTest>

#include <optional>

#include <cerrno>
#include <fcntl.h>
#include <sys/socket.h>
#include <unistd.h>

using namespace arena;

namespace {

const QByteArray kRequest = "GET / HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n";

QByteArray clientFrame(quint8 first, const QByteArray &payload, bool masked = true)
{
    QByteArray out;
    out.append(char(first));
    const char maskBit = masked ? char(0x80) : char(0);
    if (payload.size() < 126) {
        out.append(char(maskBit | char(payload.size())));
    } else {
        out.append(char(maskBit | 126));
        out.append(char(payload.size() >> 8));
        out.append(char(payload.size() & 0xFF));
    }
    if (!masked)
        return out + payload;
    const char mask[4] = {0x11, 0x22, 0x33, 0x44};
    out.append(mask, 4);
    for (qsizetype i = 0; i < payload.size(); ++i)
        out.append(char(payload[i] ^ mask[i % 4]));
    return out;
}

QByteArray closePayload(quint16 code, const QByteArray &reason = {})
{
    QByteArray p;
    p.append(char(code >> 8));
    p.append(char(code & 0xFF));
    return p + reason;
}

struct ServerFrame
{
    quint8 opcode;
    QByteArray payload;
};

// The test's end of the pair: a client that reads and writes by hand.
class Peer
{
public:
    explicit Peer(int fd) : m_fd(fd) { ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK); }
    ~Peer() { closeNow(); }
    Q_DISABLE_COPY_MOVE(Peer)

    void write(const QByteArray &bytes)
    {
        qsizetype done = 0;
        while (done < bytes.size()) {
            const ssize_t n = ::send(m_fd, bytes.constData() + done, size_t(bytes.size() - done), MSG_NOSIGNAL);
            if (n > 0)
                done += n;
            else if (errno != EAGAIN && errno != EINTR)
                return;
            else
                QCoreApplication::processEvents();
        }
    }
    // Reads what is there; false once the transport closed its end.
    bool pump()
    {
        char buffer[65536];
        for (;;) {
            const ssize_t n = ::recv(m_fd, buffer, sizeof buffer, 0);
            if (n > 0) {
                m_in.append(buffer, n);
                continue;
            }
            if (n == 0)
                m_ended = true;
            return !m_ended;
        }
    }
    bool ended() const { return m_ended; }
    // Takes the HTTP response off the front once it is complete.
    QByteArray takeResponse()
    {
        pump();
        const qsizetype end = m_in.indexOf("\r\n\r\n");
        if (end < 0)
            return {};
        QByteArray response = m_in.first(end + 4);
        m_in.remove(0, end + 4);
        return response;
    }
    // Takes one whole server frame off the front, if there is one.
    std::optional<ServerFrame> takeFrame()
    {
        pump();
        if (m_in.size() < 2)
            return std::nullopt;
        if (quint8(m_in[1]) & 0x80)
            qFatal("the server masked a frame");
        quint64 length = quint8(m_in[1]) & 0x7F;
        qsizetype header = 2;
        if (length == 126) {
            if (m_in.size() < 4)
                return std::nullopt;
            length = (quint64(quint8(m_in[2])) << 8) | quint8(m_in[3]);
            header = 4;
        } else if (length == 127) {
            if (m_in.size() < 10)
                return std::nullopt;
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | quint8(m_in[2 + i]);
            header = 10;
        }
        if (quint64(m_in.size() - header) < length)
            return std::nullopt;
        if (!(quint8(m_in[0]) & 0x80))
            qFatal("the server fragmented a frame");
        ServerFrame frame{quint8(m_in[0] & 0x0F), m_in.sliced(header, qsizetype(length))};
        m_in.remove(0, header + qsizetype(length));
        return frame;
    }
    std::optional<ServerFrame> waitFrame(int timeoutMs = 3000)
    {
        std::optional<ServerFrame> frame;
        (void)QTest::qWaitFor([&] { return bool(frame = takeFrame()); }, timeoutMs);
        return frame;
    }
    void closeNow()
    {
        if (m_fd >= 0)
            ::close(m_fd);
        m_fd = -1;
    }
    void setReceiveBuffer(int bytes) { ::setsockopt(m_fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof bytes); }

private:
    int m_fd;
    QByteArray m_in;
    bool m_ended = false;
};

// Stands in for the gateway: owns the transport during the handshake, then gives it to a PlayerConnection.
class Gateway final : public NativeWebSocketTransport::HandshakeObserver
{
public:
    Gateway(int fd, qsizetype maxMessage = 64 * 1024)
        : m_transport(std::make_unique<NativeWebSocketTransport>(fd, QStringLiteral("test:1"), maxMessage, *this))
    {
        m_limits.maxMessageBytes = maxMessage;
        m_limits.closeTimeout = std::chrono::milliseconds(500);
    }
    ~Gateway() { delete m_connection.data(); }
    Q_DISABLE_COPY_MOVE(Gateway)

    void handshakeDone(NativeWebSocketTransport &transport, bool upgraded) override
    {
        QCOMPARE(&transport, m_transport.get());
        ++m_handshakes;
        m_upgraded = upgraded;
        if (!upgraded) {
            m_transport.reset();
            return;
        }
        m_raw = m_transport.get();
        m_connection = new PlayerConnection(std::move(m_transport), m_limits);
        QObject::connect(m_connection.data(), &PlayerConnection::messageReceived, m_connection.data(),
                         [this](const protocol::ClientMessage &) { ++m_messages; });
        QObject::connect(m_connection.data(), &PlayerConnection::closed, m_connection.data(),
                         [this](quint16 code, const QString &reason) { m_closes.append({code, reason}); });
    }

    std::unique_ptr<NativeWebSocketTransport> m_transport;
    NativeWebSocketTransport *m_raw = nullptr;
    QPointer<PlayerConnection> m_connection;
    ConnectionLimits m_limits;
    int m_handshakes = 0;
    bool m_upgraded = false;
    int m_messages = 0;
    QList<std::pair<quint16, QString>> m_closes;
};

struct Pair
{
    Pair()
    {
        int fds[2];
        if (::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds) != 0)
            qFatal("socketpair failed");
        peer = std::make_unique<Peer>(fds[0]);
        gateway = std::make_unique<Gateway>(fds[1]);
    }
    std::unique_ptr<Peer> peer;
    std::unique_ptr<Gateway> gateway;
};

const QByteArray kPing = R"({"type":"ping","rid":1,"time":5})";

} // namespace

class TestNativeWebSocketTransport final : public QObject
{
    Q_OBJECT

private:
    // Upgrades; `pipelined` goes in the same write as the request.
    static bool upgrade(Pair &pair, const QByteArray &pipelined = {})
    {
        pair.peer->write(kRequest + pipelined);
        QByteArray response;
        if (!QTest::qWaitFor([&] { return !(response = pair.peer->takeResponse()).isEmpty(); }, 3000))
            return false;
        return response.startsWith("HTTP/1.1 101 Switching Protocols\r\n") && pair.gateway->m_upgraded
            && pair.gateway->m_connection;
    }

private Q_SLOTS:
    void upgradeWithPipelinedFrames()
    {
        Pair pair;
        QVERIFY(upgrade(pair, clientFrame(0x81, kPing) + clientFrame(0x89, "hb")));
        QCOMPARE(pair.gateway->m_handshakes, 1);
        QTRY_COMPARE(pair.gateway->m_messages, 1);
        const auto pong = pair.peer->waitFrame();
        QVERIFY(pong);
        QCOMPARE(pong->opcode, quint8(0xA));
        QCOMPARE(pong->payload, QByteArray("hb"));
        QVERIFY(pair.gateway->m_raw->isOpen());
        QCOMPARE(pair.gateway->m_raw->peer(), QStringLiteral("test:1"));
    }

    void messagesInPiecesAndFragments()
    {
        Pair pair;
        QVERIFY(upgrade(pair));
        const QByteArray frames = clientFrame(0x01, kPing.first(10)) + clientFrame(0x89, "")
            + clientFrame(0x80, kPing.sliced(10)) + clientFrame(0x81, kPing);
        for (char c : frames) {
            pair.peer->write(QByteArray(1, c));
            QCoreApplication::processEvents();
        }
        QTRY_COMPARE(pair.gateway->m_messages, 2);
        const auto pong = pair.peer->waitFrame();
        QVERIFY(pong);
        QCOMPARE(pong->opcode, quint8(0xA));
    }

    void refusedHandshake()
    {
        Pair pair;
        pair.peer->write("GET / HTTP/1.1\r\nHost: a\r\n\r\n");
        QByteArray response;
        QVERIFY(QTest::qWaitFor([&] { return !(response = pair.peer->takeResponse()).isEmpty(); }, 3000));
        QVERIFY(response.startsWith("HTTP/1.1 400 Bad Request\r\n"));
        // The server has said all it will (end of its side) and drops what the client still sends...
        QTRY_VERIFY(!pair.peer->pump());
        pair.peer->write("more");
        QTest::qWait(20);
        QCOMPARE(pair.gateway->m_handshakes, 0);
        // ...until the client closes.
        pair.peer->closeNow();
        QTRY_COMPARE(pair.gateway->m_handshakes, 1);
        QVERIFY(!pair.gateway->m_upgraded);
        QVERIFY(!pair.gateway->m_transport); // deleted inside the callback
    }

    void endBeforeTheUpgrade()
    {
        Pair pair;
        pair.peer->write("GET / HT");
        QTest::qWait(20);
        pair.peer->closeNow();
        QTRY_COMPARE(pair.gateway->m_handshakes, 1);
        QVERIFY(!pair.gateway->m_upgraded);
    }

    void serverClosesFirst()
    {
        Pair pair;
        QVERIFY(upgrade(pair));
        pair.gateway->m_connection->closeWith(QStringLiteral("shutdown"), 1001);
        QVERIFY(!pair.gateway->m_connection->isOpen());
        const auto closing = pair.peer->waitFrame();
        QVERIFY(closing);
        QCOMPARE(closing->opcode, quint8(0x1)); // session_closing
        QVERIFY(closing->payload.contains("session_closing"));
        const auto close = pair.peer->waitFrame();
        QVERIFY(close);
        QCOMPARE(close->opcode, quint8(0x8));
        QCOMPARE(close->payload, closePayload(1001, "shutdown"));
        // Nothing is reported until the client answers.
        QTest::qWait(50);
        QVERIFY(pair.gateway->m_closes.isEmpty());
        // Its messages are no longer delivered, nor its pings answered.
        pair.peer->write(clientFrame(0x81, kPing) + clientFrame(0x89, "x"));
        pair.peer->write(clientFrame(0x88, closePayload(1001)));
        QTRY_COMPARE(pair.gateway->m_closes.size(), 1);
        QCOMPARE(pair.gateway->m_closes.first().first, quint16(1001));
        QCOMPARE(pair.gateway->m_closes.first().second, QStringLiteral("shutdown"));
        QCOMPARE(pair.gateway->m_messages, 0);
        QTRY_VERIFY(!pair.peer->pump());
        QVERIFY(!pair.peer->takeFrame());
        QTRY_VERIFY(!pair.gateway->m_connection); // deleted later
    }

    void serverClosesAndTheClientJustLeaves()
    {
        Pair pair;
        QVERIFY(upgrade(pair));
        pair.gateway->m_connection->closeWith(QStringLiteral("bye"), 4000);
        pair.peer->closeNow();
        QTRY_COMPARE(pair.gateway->m_closes.size(), 1);
        QCOMPARE(pair.gateway->m_closes.first().first, quint16(4000));
    }

    void clientClosesFirst_data()
    {
        QTest::addColumn<QByteArray>("payload");
        QTest::addColumn<int>("code");
        QTest::addColumn<QString>("reason");
        QTest::addColumn<QByteArray>("echo");
        QTest::newRow("1000 bye") << closePayload(1000, "bye") << 1000 << QStringLiteral("bye") << closePayload(1000);
        QTest::newRow("no code") << QByteArray() << 1005 << QString() << QByteArray();
        QTest::newRow("4321") << closePayload(4321, "\xc3\xa9") << 4321 << QStringLiteral("\u00e9") << closePayload(4321);
    }

    void clientClosesFirst()
    {
        QFETCH(QByteArray, payload);
        QFETCH(int, code);
        QFETCH(QString, reason);
        QFETCH(QByteArray, echo);
        Pair pair;
        QVERIFY(upgrade(pair));
        pair.peer->write(clientFrame(0x88, payload));
        QTRY_COMPARE(pair.gateway->m_closes.size(), 1);
        QCOMPARE(pair.gateway->m_closes.first().first, quint16(code));
        QCOMPARE(pair.gateway->m_closes.first().second, reason);
        const auto echoed = pair.peer->waitFrame();
        QVERIFY(echoed);
        QCOMPARE(echoed->opcode, quint8(0x8));
        QCOMPARE(echoed->payload, echo);
        QTRY_VERIFY(!pair.peer->pump());
    }

    void connectionEndsWithoutClose()
    {
        Pair pair;
        QVERIFY(upgrade(pair));
        pair.peer->closeNow();
        QTRY_COMPARE(pair.gateway->m_closes.size(), 1);
        QCOMPARE(pair.gateway->m_closes.first().first, quint16(1006));
    }

    void abortReports1006()
    {
        Pair pair;
        QVERIFY(upgrade(pair));
        pair.gateway->m_connection->abort();
        QCOMPARE(pair.gateway->m_closes.size(), 1); // at once
        QCOMPARE(pair.gateway->m_closes.first().first, quint16(1006));
        QVERIFY(!pair.gateway->m_raw->isOpen());
        QTRY_VERIFY(!pair.peer->pump());
    }

    void protocolErrors_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("code");
        QTest::newRow("unmasked") << clientFrame(0x81, "hi", false) << 1002;
        QTest::newRow("bad utf8") << clientFrame(0x81, "\xff") << 1007;
        QTest::newRow("too big") << clientFrame(0x82, QByteArray(200, 'x')) << 1009;
        QTest::newRow("bad close code") << clientFrame(0x88, closePayload(1005)) << 1002;
    }

    void protocolErrors()
    {
        QFETCH(QByteArray, input);
        QFETCH(int, code);
        int fds[2];
        QCOMPARE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds), 0);
        Peer peer(fds[0]);
        Gateway gateway(fds[1], 100);
        peer.write(kRequest);
        QVERIFY(QTest::qWaitFor([&] { return !peer.takeResponse().isEmpty(); }, 3000));
        peer.write(input);
        const auto close = peer.waitFrame();
        QVERIFY(close);
        QCOMPARE(close->opcode, quint8(0x8));
        QCOMPARE((quint8(close->payload[0]) << 8) | quint8(close->payload[1]), code);
        QVERIFY(!gateway.m_connection->isOpen());
        // The server's side ends after the close frame; the end is reported once the client's does.
        QTRY_VERIFY(!peer.pump());
        peer.write(clientFrame(0x81, "ignored"));
        QTest::qWait(20);
        QVERIFY(gateway.m_closes.isEmpty());
        peer.closeNow();
        QTRY_COMPARE(gateway.m_closes.size(), 1);
        QCOMPARE(gateway.m_closes.first().first, quint16(code));
        QCOMPARE(gateway.m_messages, 0);
    }

    // A client that stops reading: the kernel takes what it can, the rest waits in the backlog (reported
    // to the connection), and is written in order once the client reads again.
    void backlogDrainsInOrder()
    {
        Pair pair;
        QVERIFY(upgrade(pair));
        pair.peer->setReceiveBuffer(4096);
        NativeWebSocketTransport &transport = *pair.gateway->m_raw;
        const int count = 200;
        for (int i = 0; i < count; ++i)
            transport.sendText(QByteArray::number(i).rightJustified(6, '0') + QByteArray(10000, 'm'));
        QVERIFY(transport.backlogBytes() > 0);
        QVERIFY(transport.backlogBytes() < qint64(count) * 10010);
        for (int i = 0; i < count; ++i) {
            const auto frame = pair.peer->waitFrame();
            QVERIFY2(frame, qPrintable(QString::number(i)));
            QCOMPARE(frame->opcode, quint8(0x1));
            QCOMPARE(frame->payload.first(6), QByteArray::number(i).rightJustified(6, '0'));
            QCOMPARE(frame->payload.size(), 10006);
        }
        QTRY_COMPARE(transport.backlogBytes(), qint64(0));
        QVERIFY(transport.isOpen());
    }
};

QTEST_GUILESS_MAIN(TestNativeWebSocketTransport)
#include "tst_nativewebsockettransport.moc"
