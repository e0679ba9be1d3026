#include "shared/ipc/ipcchannel.h"

#include "shared/ipc/frame.h"
#include "shared/ipc/ipclog.h"

#include <QLocalSocket>
#include <QPointer>

#include <algorithm>
#include <limits>

namespace arena::ipc {

Q_LOGGING_CATEGORY(lcIpc, "arena.shared.ipc")

IpcChannel::IpcChannel(QLocalSocket *socket, QObject *parent) : QObject(parent), m_socket(socket)
{
    Q_ASSERT(m_socket);
    m_socket->setParent(this);
    m_flushTimer.setSingleShot(true);

    connect(m_socket, &QLocalSocket::readyRead, this, [this] { fromSocket([this] { readFrames(); }); });
    connect(m_socket, &QLocalSocket::disconnected, this, [this] { fromSocket([this] { connectionLost(); }); });
    connect(m_socket, &QLocalSocket::errorOccurred, this, [this](QLocalSocket::LocalSocketError error) {
        fromSocket([this, error] {
            if (error != QLocalSocket::PeerClosedError)
                qCInfo(lcIpc) << "IPC socket error:" << m_socket->errorString();
            // Most errors are followed by disconnected(); one that leaves the socket closed without
            // it must still end the channel.
            if (m_socket->state() == QLocalSocket::UnconnectedState)
                connectionLost();
        });
    });
    connect(&m_flushTimer, &QTimer::timeout, this, [this] {
        qCWarning(lcIpc) << "IPC peer did not read" << m_socket->bytesToWrite() << "pending bytes in time; dropping it";
        dropSocket();
    });

    if (m_socket->state() != QLocalSocket::ConnectedState || m_socket->bytesAvailable() > 0) {
        // Bytes or a hang-up that arrived before we were watching produce no further signal from the
        // socket. Handled from the event loop: nobody can be connected to our signals yet.
        QMetaObject::invokeMethod(
            this,
            [this] {
                const QPointer<IpcChannel> self(this);
                if (m_socket->bytesAvailable() > 0)
                    readFrames();
                if (self && m_socket->state() != QLocalSocket::ConnectedState)
                    connectionLost();
            },
            Qt::QueuedConnection);
    }
}

IpcChannel::~IpcChannel()
{
    QObject::disconnect(m_socket, nullptr, this, nullptr);
    if (m_socketDepth > 0) {
        // Deleted from a handler of one of the socket's signals: Qt's socket code is below us on the
        // stack and touches the socket after the signal returns, so the socket must outlive this call.
        // Its own destructor aborts the connection from the event loop.
        m_socket->setParent(nullptr);
        m_socket->deleteLater();
    }
    // Otherwise the socket goes with us as our child.
}

Result<std::unique_ptr<IpcChannel>> IpcChannel::connectToServer(const QString &serverName,
                                                                std::chrono::milliseconds timeout)
{
    auto socket = std::make_unique<QLocalSocket>();
    socket->connectToServer(serverName);
    const auto waitMs = int(std::clamp<qint64>(timeout.count(), 0, std::numeric_limits<int>::max()));
    if (!socket->waitForConnected(waitMs)) {
        return Error{QStringLiteral("connect_failed"),
                     QStringLiteral("cannot connect to IPC server \"%1\": %2").arg(serverName, socket->errorString())};
    }
    return std::make_unique<IpcChannel>(socket.release());
}

bool IpcChannel::send(const QCborMap &message)
{
    if (m_state != State::Open)
        return false;
    const QByteArray frame = encodeFrame(message);
    if (frame.isEmpty()) {
        qCWarning(lcIpc) << "IPC message not sent: it does not fit in a frame";
        return false;
    }
    // A buffered socket only queues here; it writes (and reports errors) from the event loop.
    if (m_socket->write(frame) != frame.size()) {
        qCWarning(lcIpc) << "IPC message not sent:" << m_socket->errorString();
        return false;
    }
    ++m_framesOut;
    m_bytesOut += quint64(frame.size());
    return true;
}

void IpcChannel::close(std::chrono::milliseconds flushTimeout)
{
    if (m_state != State::Open)
        return;
    m_state = State::Closing;
    if (flushTimeout.count() > 0)
        m_flushTimer.start(flushTimeout);
    const QPointer<IpcChannel> self(this);
    // Disconnects at once (emitting disconnected()) when nothing is left to write.
    m_socket->disconnectFromServer();
    if (self && m_socket->state() == QLocalSocket::UnconnectedState)
        finish();
}

void IpcChannel::abort()
{
    dropSocket();
}

qint64 IpcChannel::bytesToWrite() const
{
    return m_socket->bytesToWrite();
}

template<typename Handler>
void IpcChannel::fromSocket(Handler handler)
{
    const QPointer<IpcChannel> self(this);
    ++m_socketDepth;
    handler();
    if (self)
        --m_socketDepth;
}

void IpcChannel::readFrames()
{
    if (m_state != State::Open) {
        // Closing: nothing more is delivered, and unread bytes must not pile up while the flush lasts.
        m_socket->skip(m_socket->bytesAvailable());
        return;
    }
    const QByteArray bytes = m_socket->readAll();
    m_bytesIn += quint64(bytes.size());
    m_decoder.append(bytes);

    const QPointer<IpcChannel> self(this);
    while (m_state == State::Open) {
        Result<std::optional<QCborMap>> next = m_decoder.next();
        if (!next.ok()) {
            failProtocol(next.error());
            return;
        }
        if (!next->has_value())
            return;
        ++m_framesIn;
        emit messageReceived(*next.value());
        if (!self)
            return;
    }
}

void IpcChannel::connectionLost()
{
    if (m_state == State::Closed)
        return;
    const QPointer<IpcChannel> self(this);
    // Frames that arrived just before the hang-up still count.
    if (m_state == State::Open && m_socket->bytesAvailable() > 0)
        readFrames();
    if (self)
        finish();
}

void IpcChannel::failProtocol(const Error &error)
{
    qCWarning(lcIpc).noquote() << QStringLiteral("IPC peer sent a bad frame (%1): %2").arg(error.code, error.message);
    const QPointer<IpcChannel> self(this);
    emit protocolError(error.message);
    if (self)
        dropSocket();
}

void IpcChannel::dropSocket()
{
    if (m_state == State::Closed)
        return;
    const QPointer<IpcChannel> self(this);
    m_state = State::Closing; // nothing more is delivered, whatever abort() emits on the way
    // Emits disconnected() at once when the socket was still connected.
    m_socket->abort();
    if (self)
        finish();
}

void IpcChannel::finish()
{
    if (m_state == State::Closed)
        return;
    m_state = State::Closed;
    m_flushTimer.stop();
    emit disconnected();
}

} // namespace arena::ipc
