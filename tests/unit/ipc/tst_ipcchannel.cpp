// TestIpcChannel: IpcChannel over a real QLocalServer: traffic both ways, bad and vanishing peers, every
// way a connection ends, and deleting the channel from inside its own signals.
#include "shared/ipc/frame.h"
#include "shared/ipc/ipcchannel.h"
#include "tests/support/childprocess.h"
#include "tests/unit/ipc/ipctestdata.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QLocalServer>
#include <QLocalSocket>
#include <QPointer>
#include <QRegularExpression>
#include <QTest>

#include <csignal>
#include <cstdio>
#include <memory>

using namespace arena;
using namespace arena::ipc;
using namespace arena::ipc::testdata;
using namespace std::chrono_literals;

namespace {

// Peer mode: the test binary runs itself as a worker (connects, says hello with its pid, echoes every
// message), so that "peer killed" kills a real process.
int runPeer(int argc, char **argv)
{
    QCoreApplication app(argc, argv);
    auto connected = IpcChannel::connectToServer(QString::fromLocal8Bit(argv[2]));
    if (!connected.ok()) {
        std::fprintf(stderr, "peer: %s\n", qPrintable(connected.error().message));
        return 2;
    }
    const std::unique_ptr<IpcChannel> channel = std::move(connected).value();
    IpcChannel *c = channel.get();
    QObject::connect(c, &IpcChannel::messageReceived, c, [c](const QCborMap &message) { c->send(message); });
    QObject::connect(c, &IpcChannel::disconnected, &app, &QCoreApplication::quit);
    c->send(QCborMap{{QStringLiteral("type"), QStringLiteral("hello")},
                     {QStringLiteral("pid"), QCoreApplication::applicationPid()}});
    std::fputs("ready\n", stdout);
    std::fflush(stdout);
    return app.exec();
}

// Everything a channel emits, in order.
class Recorder final : public QObject
{
public:
    explicit Recorder(IpcChannel *channel)
    {
        connect(channel, &IpcChannel::messageReceived, this, [this](const QCborMap &message) {
            messages.append(message);
            events.append(QStringLiteral("message"));
        });
        connect(channel, &IpcChannel::protocolError, this, [this](const QString &reason) {
            errors.append(reason);
            events.append(QStringLiteral("protocolError"));
        });
        connect(channel, &IpcChannel::disconnected, this, [this] {
            ++disconnects;
            events.append(QStringLiteral("disconnected"));
        });
    }

    QList<QCborMap> messages;
    QStringList errors;
    QStringList events;
    int disconnects = 0;
};

QByteArray patterned(qsizetype size)
{
    QByteArray bytes(size, Qt::Uninitialized);
    for (qsizetype i = 0; i < size; ++i)
        bytes[i] = char((i * 31 + i / 251) & 0xff);
    return bytes;
}

// What ends a connection (or makes the channel emit) in the data-driven tests.
enum class Trigger { LocalClose, LocalCloseAfterFlush, LocalAbort, PeerClose, PeerAbort, PeerFrames, PeerBadFrame };

const QRegularExpression BadFrameWarning(QStringLiteral("IPC peer sent a bad frame"));

} // namespace

Q_DECLARE_METATYPE(Trigger)

class TestIpcChannel final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase();
    void roundTripBothWays();
    void tenThousandMessagesInOrder();
    void largeMessage();
    void framesBatchedAndSplitByThePeer();
    void badFrameFromPeer_data();
    void badFrameFromPeer();
    void frameOverChannelLimit();
    void disconnectedOnce_data();
    void disconnectedOnce();
    void peerKilled();
    void closeFlushesPendingFrames();
    void closeDropsPeerThatDoesNotRead();
    void deleteInsideSignal_data();
    void deleteInsideSignal();
    void deliversWhatArrivedBeforeWrapping();
    void connectFailure();

private:
    struct Pair
    {
        std::unique_ptr<IpcChannel> client; // the worker's end, from connectToServer()
        std::unique_ptr<IpcChannel> server; // wraps the socket our QLocalServer accepted
    };

    QLocalSocket *accept();
    bool makePair(Pair &pair);
    bool connectRaw(QLocalSocket &raw, QPointer<IpcChannel> &channel);

    QLocalServer m_server;
    QString m_name;
};

void TestIpcChannel::initTestCase()
{
    m_name = QStringLiteral("arena-tst-ipc-%1").arg(QCoreApplication::applicationPid());
    QLocalServer::removeServer(m_name);
    QVERIFY2(m_server.listen(m_name), qPrintable(m_server.errorString()));
}

QLocalSocket *TestIpcChannel::accept()
{
    if (!m_server.hasPendingConnections() && !m_server.waitForNewConnection(5000))
        return nullptr;
    return m_server.nextPendingConnection();
}

bool TestIpcChannel::makePair(Pair &pair)
{
    auto client = IpcChannel::connectToServer(m_name);
    if (!client.ok()) {
        qWarning("%s", qPrintable(client.error().message));
        return false;
    }
    QLocalSocket *accepted = accept();
    if (!accepted)
        return false;
    pair.client = std::move(client).value();
    pair.server = std::make_unique<IpcChannel>(accepted);
    return true;
}

// A plain socket as the peer, to send what a correct channel never would; the channel is heap-owned
// so that tests can delete it.
bool TestIpcChannel::connectRaw(QLocalSocket &raw, QPointer<IpcChannel> &channel)
{
    raw.connectToServer(m_name);
    if (!raw.waitForConnected(5000))
        return false;
    QLocalSocket *accepted = accept();
    if (!accepted)
        return false;
    channel = new IpcChannel(accepted);
    return true;
}

void TestIpcChannel::roundTripBothWays()
{
    Pair p;
    QVERIFY(makePair(p));
    Recorder atServer(p.server.get());
    Recorder atClient(p.client.get());
    QVERIFY(p.client->isOpen());
    QVERIFY(p.server->isOpen());

    const QCborMap request{{QStringLiteral("type"), QStringLiteral("start_room")},
                           {QStringLiteral("room"), QStringLiteral("r-17")},
                           {QStringLiteral("seed"), 12345}};
    QVERIFY(p.client->send(request));
    QTRY_COMPARE(atServer.messages.size(), 1);
    QCOMPARE(atServer.messages.first(), request);

    const QCborMap reply{{QStringLiteral("type"), QStringLiteral("room_started")}, {QStringLiteral("ok"), true}};
    QVERIFY(p.server->send(reply));
    QTRY_COMPARE(atClient.messages.size(), 1);
    QCOMPARE(atClient.messages.first(), reply);

    const auto requestBytes = quint64(encodeFrame(request).size());
    const auto replyBytes = quint64(encodeFrame(reply).size());
    QCOMPARE(p.client->framesOut(), 1u);
    QCOMPARE(p.client->bytesOut(), requestBytes);
    QCOMPARE(p.client->framesIn(), 1u);
    QCOMPARE(p.client->bytesIn(), replyBytes);
    QCOMPARE(p.server->framesIn(), 1u);
    QCOMPARE(p.server->bytesIn(), requestBytes);
    QCOMPARE(p.server->framesOut(), 1u);
    QCOMPARE(p.server->bytesOut(), replyBytes);
    QVERIFY(atServer.errors.isEmpty() && atClient.errors.isEmpty());
    QCOMPARE(atServer.disconnects + atClient.disconnects, 0);
}

void TestIpcChannel::tenThousandMessagesInOrder()
{
    constexpr int Count = 10000;
    Pair p;
    QVERIFY(makePair(p));
    Recorder atServer(p.server.get());
    Recorder atClient(p.client.get());

    // Both directions at once, so reads and writes interleave on each end.
    for (int i = 0; i < Count; ++i) {
        QVERIFY(p.client->send(numbered(i)));
        QVERIFY(p.server->send(numbered(Count + i)));
    }
    QTRY_COMPARE_WITH_TIMEOUT(atServer.messages.size(), Count, 30000);
    QTRY_COMPARE_WITH_TIMEOUT(atClient.messages.size(), Count, 30000);
    for (int i = 0; i < Count; ++i) {
        QCOMPARE(atServer.messages.at(i), numbered(i));
        QCOMPARE(atClient.messages.at(i), numbered(Count + i));
    }
    QCOMPARE(p.server->framesIn(), quint64(Count));
    QCOMPARE(p.server->bytesIn(), p.client->bytesOut());
    QCOMPARE(p.client->bytesIn(), p.server->bytesOut());
    QCOMPARE(p.client->framesOut(), quint64(Count));
}

void TestIpcChannel::largeMessage()
{
    Pair p;
    QVERIFY(makePair(p));
    Recorder atServer(p.server.get());
    Recorder atClient(p.client.get());

    const QCborMap big{{QStringLiteral("type"), QStringLiteral("snapshot")},
                       {QStringLiteral("state"), patterned(1024 * 1024)}};
    QVERIFY(p.client->send(big));
    // Queued: far more than the socket takes in one go.
    QVERIFY(p.client->bytesToWrite() > 0);
    QTRY_COMPARE_WITH_TIMEOUT(atServer.messages.size(), 1, 20000);
    QCOMPARE(atServer.messages.first(), big);
    QTRY_COMPARE(p.client->bytesToWrite(), 0);

    const QCborMap text{{QStringLiteral("log"), QString(1024 * 1024, QLatin1Char('z'))}};
    QVERIFY(p.server->send(text));
    QTRY_COMPARE_WITH_TIMEOUT(atClient.messages.size(), 1, 20000);
    QCOMPARE(atClient.messages.first(), text);
    QVERIFY(atServer.errors.isEmpty() && atClient.errors.isEmpty());
}

void TestIpcChannel::framesBatchedAndSplitByThePeer()
{
    QLocalSocket raw;
    QPointer<IpcChannel> channel;
    QVERIFY(connectRaw(raw, channel));
    const std::unique_ptr<IpcChannel> owner(channel.data());
    Recorder rec(channel);

    // Three frames in one write: one read on our side, three messages.
    QByteArray sent = encodeFrame(numbered(1)) + encodeFrame(numbered(2)) + encodeFrame(numbered(3));
    raw.write(sent);
    QVERIFY(raw.flush());
    QTRY_COMPARE(rec.messages.size(), 3);

    // One frame a byte at a time: nothing until its last byte.
    const QByteArray split = encodeFrame(numbered(4));
    for (qsizetype i = 0; i < split.size(); ++i) {
        raw.write(split.sliced(i, 1));
        QVERIFY(raw.flush());
        QTest::qWait(5);
        if (i + 1 < split.size())
            QCOMPARE(rec.messages.size(), 3);
    }
    QTRY_COMPARE(rec.messages.size(), 4);
    sent += split;

    // A whole frame and the first half of the next in one read, the rest in another.
    const QByteArray pair = encodeFrame(numbered(5)) + encodeFrame(numbered(6));
    const qsizetype cut = pair.size() - 7;
    raw.write(pair.first(cut));
    QVERIFY(raw.flush());
    QTRY_COMPARE(rec.messages.size(), 5);
    QTest::qWait(20);
    QCOMPARE(rec.messages.size(), 5);
    raw.write(pair.sliced(cut));
    QVERIFY(raw.flush());
    QTRY_COMPARE(rec.messages.size(), 6);
    sent += pair;

    for (int i = 0; i < 6; ++i)
        QCOMPARE(rec.messages.at(i), numbered(i + 1));
    QCOMPARE(channel->framesIn(), 6u);
    QCOMPARE(channel->bytesIn(), quint64(sent.size()));
    QCOMPARE(rec.disconnects, 0);
}

void TestIpcChannel::badFrameFromPeer_data()
{
    QTest::addColumn<QByteArray>("badFrame");
    QTest::addColumn<QString>("reasonPart");
    QTest::newRow("not a map") << rawFrame(QByteArray::fromHex("83010203")) << "expected a CBOR map";
    QTest::newRow("invalid CBOR") << rawFrame(QByteArray::fromHex("a2616101")) << "not valid CBOR";
    QTest::newRow("trailing bytes") << rawFrame(QByteArray::fromHex("a001")) << "after its CBOR map";
    QTest::newRow("oversized header") << headerOnly(quint32(DefaultMaxFrameBytes + 1)) << "over the limit";
}

void TestIpcChannel::badFrameFromPeer()
{
    QFETCH(QByteArray, badFrame);
    QFETCH(QString, reasonPart);

    QLocalSocket raw;
    QPointer<IpcChannel> channel;
    QVERIFY(connectRaw(raw, channel));
    const std::unique_ptr<IpcChannel> owner(channel.data());
    Recorder rec(channel);

    QTest::ignoreMessage(QtWarningMsg, BadFrameWarning);
    // A good frame first, in the same write: it is still delivered, before the error.
    raw.write(encodeFrame(numbered(1)) + badFrame + encodeFrame(numbered(2)));
    QVERIFY(raw.flush());
    QTRY_COMPARE(rec.disconnects, 1);
    QCOMPARE(rec.events, (QStringList{QStringLiteral("message"), QStringLiteral("protocolError"),
                                      QStringLiteral("disconnected")}));
    QCOMPARE(rec.messages.first(), numbered(1));
    QVERIFY2(rec.errors.first().contains(reasonPart), qPrintable(rec.errors.first()));
    QVERIFY(!channel->isOpen());
    QVERIFY(!channel->send(numbered(3)));
    // The channel aborted the connection: the peer sees it go.
    QTRY_COMPARE(raw.state(), QLocalSocket::UnconnectedState);
    QTest::qWait(100);
    QCOMPARE(rec.disconnects, 1);
    QCOMPARE(rec.messages.size(), 1);
}

void TestIpcChannel::frameOverChannelLimit()
{
    Pair p;
    QVERIFY(makePair(p));
    p.server->setMaxFrameBytes(64);
    QCOMPARE(p.server->maxFrameBytes(), 64);
    Recorder atServer(p.server.get());
    Recorder atClient(p.client.get());

    QTest::ignoreMessage(QtWarningMsg, BadFrameWarning);
    QVERIFY(p.client->send(numbered(1)));
    QVERIFY(p.client->send(QCborMap{{QStringLiteral("pad"), QByteArray(100, 'x')}}));
    QTRY_COMPARE(atServer.disconnects, 1);
    QCOMPARE(atServer.messages, QList<QCborMap>{numbered(1)});
    QCOMPARE(atServer.errors.size(), 1);
    QVERIFY2(atServer.errors.first().contains(QStringLiteral("over the limit of 64 bytes")),
             qPrintable(atServer.errors.first()));
    // The other end learns of it as a plain disconnect.
    QTRY_COMPARE(atClient.disconnects, 1);
    QVERIFY(atClient.errors.isEmpty());
    QVERIFY(!p.client->send(numbered(2)));
}

void TestIpcChannel::disconnectedOnce_data()
{
    QTest::addColumn<Trigger>("trigger");
    QTest::newRow("close()") << Trigger::LocalClose;
    QTest::newRow("close() with bytes to flush") << Trigger::LocalCloseAfterFlush;
    QTest::newRow("abort()") << Trigger::LocalAbort;
    QTest::newRow("peer closed") << Trigger::PeerClose;
    QTest::newRow("peer aborted") << Trigger::PeerAbort;
    QTest::newRow("protocol error") << Trigger::PeerBadFrame;
}

void TestIpcChannel::disconnectedOnce()
{
    QFETCH(Trigger, trigger);

    QLocalSocket raw;
    QPointer<IpcChannel> channel;
    QVERIFY(connectRaw(raw, channel));
    const std::unique_ptr<IpcChannel> owner(channel.data());
    Recorder rec(channel);
    qint64 peerReceived = 0;
    connect(&raw, &QLocalSocket::readyRead, this, [&] { peerReceived += raw.readAll().size(); });

    QByteArray pending;
    switch (trigger) {
    case Trigger::LocalClose: channel->close(); break;
    case Trigger::LocalCloseAfterFlush: {
        const QCborMap last{{QStringLiteral("last"), patterned(512 * 1024)}};
        pending = encodeFrame(last);
        QVERIFY(channel->send(last));
        channel->close();
        QCOMPARE(rec.disconnects, 0); // not before the flush
        break;
    }
    case Trigger::LocalAbort: channel->abort(); break;
    case Trigger::PeerClose: raw.disconnectFromServer(); break;
    case Trigger::PeerAbort: raw.abort(); break;
    case Trigger::PeerBadFrame:
        QTest::ignoreMessage(QtWarningMsg, BadFrameWarning);
        raw.write(rawFrame(QByteArray::fromHex("01")));
        QVERIFY(raw.flush());
        break;
    case Trigger::PeerFrames: QFAIL("not a row of this test");
    }
    if (trigger == Trigger::LocalClose || trigger == Trigger::LocalCloseAfterFlush || trigger == Trigger::LocalAbort)
        QVERIFY(!channel->isOpen()); // at once, before the event loop runs
    QTRY_COMPARE(rec.disconnects, 1);
    QVERIFY(!channel->isOpen());
    QVERIFY(!channel->send(numbered(1)));

    // What was sent before close() reached the peer in full.
    QTRY_COMPARE(peerReceived, qint64(pending.size()));

    // Nothing more, whatever comes later or is called again.
    channel->close();
    channel->abort();
    if (raw.state() == QLocalSocket::ConnectedState)
        raw.abort();
    QTest::qWait(200);
    QCOMPARE(rec.disconnects, 1);
    QCOMPARE(rec.events.count(QStringLiteral("disconnected")), 1);
    QCOMPARE(peerReceived, qint64(pending.size()));
}

void TestIpcChannel::peerKilled()
{
    arena::test::ChildProcess worker;
    QVERIFY2(worker.startAndWait(QCoreApplication::applicationFilePath(), {QStringLiteral("--peer"), m_name},
                                 QRegularExpression(QStringLiteral("^ready$"))),
             qPrintable(worker.lastError()));
    QLocalSocket *accepted = accept();
    QVERIFY(accepted);
    IpcChannel channel(accepted);
    Recorder rec(&channel);

    // The hello may have arrived before the socket was wrapped; it is delivered all the same.
    QTRY_COMPARE(rec.messages.size(), 1);
    QCOMPARE(rec.messages.first().value(QStringLiteral("pid")).toInteger(), worker.processId());
    QVERIFY(channel.send(numbered(7)));
    QTRY_COMPARE(rec.messages.size(), 2);
    QCOMPARE(rec.messages.last(), numbered(7)); // echoed: the worker is alive and talking

    worker.kill();
    QVERIFY(worker.waitForFinished(5000));
    QCOMPARE(worker.exitStatus(), QProcess::CrashExit);
    QTRY_COMPARE(rec.disconnects, 1);
    QTest::qWait(200);
    QCOMPARE(rec.disconnects, 1);
    QVERIFY(rec.errors.isEmpty());
    QVERIFY(!channel.isOpen());
    QVERIFY(!channel.send(numbered(8)));
}

void TestIpcChannel::closeFlushesPendingFrames()
{
    constexpr int Count = 300;
    Pair p;
    QVERIFY(makePair(p));
    Recorder atServer(p.server.get());
    Recorder atClient(p.client.get());

    // About 5 MB: far more than the socket buffer takes, so most of it is still queued at close().
    for (int i = 0; i < Count; ++i) {
        QCborMap message = numbered(i);
        message.insert(QStringLiteral("pad"), patterned(16 * 1024));
        QVERIFY(p.client->send(message));
    }
    QVERIFY(p.client->bytesToWrite() > 0);
    p.client->close();
    QVERIFY(!p.client->isOpen());
    QVERIFY(!p.client->send(numbered(Count)));
    QCOMPARE(atClient.disconnects, 0);

    QTRY_COMPARE_WITH_TIMEOUT(atServer.messages.size(), Count, 30000);
    for (int i = 0; i < Count; ++i)
        QCOMPARE(atServer.messages.at(i).value(QStringLiteral("seq")).toInteger(), qint64(i));
    QTRY_COMPARE(atClient.disconnects, 1);
    QTRY_COMPARE(atServer.disconnects, 1);
    QCOMPARE(p.server->bytesIn(), p.client->bytesOut());
    QCOMPARE(p.client->framesOut(), quint64(Count));
}

void TestIpcChannel::closeDropsPeerThatDoesNotRead()
{
    arena::test::ChildProcess worker;
    QVERIFY2(worker.startAndWait(QCoreApplication::applicationFilePath(), {QStringLiteral("--peer"), m_name},
                                 QRegularExpression(QStringLiteral("^ready$"))),
             qPrintable(worker.lastError()));
    QLocalSocket *accepted = accept();
    QVERIFY(accepted);
    IpcChannel channel(accepted);
    Recorder rec(&channel);
    QTRY_COMPARE(rec.messages.size(), 1);

    worker.sendSignal(SIGSTOP); // a stuck worker: alive, connected, reading nothing
    for (int i = 0; i < 8; ++i)
        QVERIFY(channel.send(QCborMap{{QStringLiteral("chunk"), patterned(1024 * 1024)}}));
    QTest::qWait(100);
    QVERIFY(channel.bytesToWrite() > 0);

    QTest::ignoreMessage(QtWarningMsg, QRegularExpression(QStringLiteral("did not read .* pending bytes in time")));
    QElapsedTimer elapsed;
    elapsed.start();
    channel.close(300ms);
    QCOMPARE(rec.disconnects, 0);
    QTRY_COMPARE_WITH_TIMEOUT(rec.disconnects, 1, 10000);
    QVERIFY2(elapsed.elapsed() >= 250, qPrintable(QString::number(elapsed.elapsed())));
    QVERIFY(!channel.isOpen());
    worker.sendSignal(SIGCONT);
}

void TestIpcChannel::deleteInsideSignal_data()
{
    QTest::addColumn<QString>("signal");
    QTest::addColumn<Trigger>("trigger");
    QTest::newRow("messageReceived, more frames in the same read") << "messageReceived" << Trigger::PeerFrames;
    QTest::newRow("protocolError") << "protocolError" << Trigger::PeerBadFrame;
    QTest::newRow("disconnected after a protocol error") << "disconnected" << Trigger::PeerBadFrame;
    QTest::newRow("disconnected, peer closed") << "disconnected" << Trigger::PeerClose;
    QTest::newRow("disconnected, peer aborted") << "disconnected" << Trigger::PeerAbort;
    QTest::newRow("disconnected inside close()") << "disconnected" << Trigger::LocalClose;
    QTest::newRow("disconnected after close() flushed") << "disconnected" << Trigger::LocalCloseAfterFlush;
    QTest::newRow("disconnected inside abort()") << "disconnected" << Trigger::LocalAbort;
}

void TestIpcChannel::deleteInsideSignal()
{
    QFETCH(QString, signal);
    QFETCH(Trigger, trigger);

    QLocalSocket raw;
    QPointer<IpcChannel> channel;
    QVERIFY(connectRaw(raw, channel));
    int messages = 0;
    int protocolErrors = 0;
    int disconnects = 0;
    int deletions = 0;
    const auto deleteChannel = [&] {
        ++deletions;
        delete channel.data();
    };
    // Counters first, so they see the emission that deletes the channel.
    connect(channel, &IpcChannel::messageReceived, this, [&] { ++messages; });
    connect(channel, &IpcChannel::protocolError, this, [&] { ++protocolErrors; });
    connect(channel, &IpcChannel::disconnected, this, [&] { ++disconnects; });
    if (signal == QLatin1String("messageReceived"))
        connect(channel, &IpcChannel::messageReceived, this, deleteChannel);
    else if (signal == QLatin1String("protocolError"))
        connect(channel, &IpcChannel::protocolError, this, deleteChannel);
    else
        connect(channel, &IpcChannel::disconnected, this, deleteChannel);

    switch (trigger) {
    case Trigger::PeerFrames:
        raw.write(encodeFrame(numbered(1)) + encodeFrame(numbered(2)) + encodeFrame(numbered(3)));
        QVERIFY(raw.flush());
        break;
    case Trigger::PeerBadFrame:
        QTest::ignoreMessage(QtWarningMsg, BadFrameWarning);
        raw.write(encodeFrame(numbered(1)) + rawFrame(QByteArray::fromHex("01")));
        QVERIFY(raw.flush());
        break;
    case Trigger::PeerClose: raw.disconnectFromServer(); break;
    case Trigger::PeerAbort: raw.abort(); break;
    case Trigger::LocalClose: channel->close(); break;
    case Trigger::LocalCloseAfterFlush:
        QVERIFY(channel->send(QCborMap{{QStringLiteral("last"), patterned(512 * 1024)}}));
        channel->close();
        QVERIFY(channel); // still flushing
        break;
    case Trigger::LocalAbort: channel->abort(); break;
    }
    QTRY_COMPARE(deletions, 1);
    QVERIFY(channel.isNull());

    // The socket went with the channel (from the event loop when deleted inside one of its signals).
    if (trigger != Trigger::PeerClose && trigger != Trigger::PeerAbort)
        QTRY_COMPARE(raw.state(), QLocalSocket::UnconnectedState);
    QTest::qWait(100);
    QCOMPARE(deletions, 1);
    QCOMPARE(disconnects, signal == QLatin1String("disconnected") ? 1 : 0);
    QCOMPARE(protocolErrors, trigger == Trigger::PeerBadFrame ? 1 : 0);
    QCOMPARE(messages, trigger == Trigger::PeerFrames || trigger == Trigger::PeerBadFrame ? 1 : 0);
}

void TestIpcChannel::deliversWhatArrivedBeforeWrapping()
{
    QLocalSocket raw;
    raw.connectToServer(m_name);
    QVERIFY(raw.waitForConnected(5000));
    raw.write(encodeFrame(numbered(1)) + encodeFrame(numbered(2)));
    QVERIFY(raw.flush());
    raw.disconnectFromServer();

    QLocalSocket *accepted = accept();
    QVERIFY(accepted);
    // Let the unwatched socket read the frames and the hang-up: no signal will announce either again.
    QTRY_COMPARE(accepted->state(), QLocalSocket::UnconnectedState);
    QVERIFY(accepted->bytesAvailable() > 0);

    IpcChannel channel(accepted);
    Recorder rec(&channel);
    QTRY_COMPARE(rec.disconnects, 1);
    QCOMPARE(rec.messages, (QList<QCborMap>{numbered(1), numbered(2)}));
    QCOMPARE(rec.events.last(), QStringLiteral("disconnected"));
    QVERIFY(!channel.send(numbered(3)));
}

void TestIpcChannel::connectFailure()
{
    const QString name = QStringLiteral("arena-tst-ipc-nobody-%1").arg(QCoreApplication::applicationPid());
    const auto r = IpcChannel::connectToServer(name, 1000ms);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("connect_failed"));
    QVERIFY2(r.error().message.contains(name), qPrintable(r.error().message));
}

int main(int argc, char *argv[])
{
    if (argc == 3 && qstrcmp(argv[1], "--peer") == 0)
        return runPeer(argc, argv);
    QCoreApplication app(argc, argv);
    TestIpcChannel test;
    QTEST_SET_MAIN_SOURCE_PATH
    return QTest::qExec(&test, argc, argv);
}

#include "tst_ipcchannel.moc"
