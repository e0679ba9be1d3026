// IpcChannel: one connection between arena-server and a worker process, exchanging CBOR maps as frames.
#pragma once

#include "shared/ipc/framedecoder.h"
#include "shared/result.h"

#include <QCborMap>
#include <QObject>
#include <QString>
#include <QTimer>

#include <chrono>
#include <memory>

class QLocalSocket;

namespace arena::ipc {

// The server side wraps each socket its QLocalServer accepts; a worker calls connectToServer(). Both
// ends then behave the same:
//   - send() frames a map and queues it; messageReceived() fires once per whole frame, in order,
//     however the bytes were split or batched by the socket.
//   - A bad frame from the peer (see FrameDecoder for the kinds) emits protocolError() and aborts the
//     connection; frames before it in the same read are still delivered.
//   - disconnected() fires exactly once, whichever way the connection ends: the peer closes or dies, a
//     socket error, a protocol error, abort(), or close() once its flush is done. It never fires from
//     the destructor.
// Once close() or abort() is called, or the connection is lost, send() returns false and no further
// messages are delivered. The channel may be deleted (plain delete) from inside any of its own
// signals; it then stops at once and emits nothing more.
class IpcChannel final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(IpcChannel)

public:
    static constexpr std::chrono::milliseconds DefaultConnectTimeout{5000};
    static constexpr std::chrono::milliseconds DefaultFlushTimeout{5000};

    // Takes ownership of `socket` (it becomes this channel's child). It is normally connected; one whose
    // peer has already gone still has its buffered frames delivered, followed by disconnected(), from
    // the event loop so that the caller has had a chance to connect to the signals.
    explicit IpcChannel(QLocalSocket *socket, QObject *parent = nullptr);
    // Drops the connection without flushing (call close() first for that) and without signals.
    ~IpcChannel() override;

    // Worker side: connects to the QLocalServer listening as `serverName`. A local connect completes at
    // once unless the server's backlog is full; past `timeout` it fails with "connect_failed".
    static Result<std::unique_ptr<IpcChannel>>
    connectToServer(const QString &serverName, std::chrono::milliseconds timeout = DefaultConnectTimeout);

    // Queues one frame. False once the channel is closing or closed, or if the map does not fit a frame.
    bool send(const QCborMap &message);
    // Writes out everything already sent, then disconnects. A peer that does not read it all within
    // `flushTimeout` is dropped, so a stuck worker cannot hold a closing channel open (zero or less: wait
    // without limit).
    void close(std::chrono::milliseconds flushTimeout = DefaultFlushTimeout);
    // Drops the connection now, discarding anything not yet written.
    void abort();

    bool isOpen() const { return m_state == State::Open; }
    // Bytes sent but not yet handed to the operating system.
    qint64 bytesToWrite() const;

    // The largest frame payload accepted from the peer; a larger one is a protocol error.
    qsizetype maxFrameBytes() const { return m_decoder.maxFrameBytes(); }
    void setMaxFrameBytes(qsizetype bytes) { m_decoder.setMaxFrameBytes(bytes); }

    quint64 framesIn() const { return m_framesIn; }   // whole frames received and delivered
    quint64 framesOut() const { return m_framesOut; } // frames queued by send()
    quint64 bytesIn() const { return m_bytesIn; }     // bytes read from the socket, headers included
    quint64 bytesOut() const { return m_bytesOut; }   // bytes queued by send(), headers included

Q_SIGNALS:
    void messageReceived(const QCborMap &message);
    void protocolError(const QString &reason);
    void disconnected();

private:
    enum class State { Open, Closing, Closed };

    template<typename Handler>
    void fromSocket(Handler handler);
    void readFrames();
    void connectionLost();
    void failProtocol(const Error &error);
    void dropSocket();
    void finish();

    QLocalSocket *m_socket; // child of this channel, except while being torn down (see ~IpcChannel)
    FrameDecoder m_decoder;
    QTimer m_flushTimer;
    State m_state = State::Open;
    int m_socketDepth = 0; // socket signals of ours on the stack: the socket must outlive them
    quint64 m_framesIn = 0;
    quint64 m_framesOut = 0;
    quint64 m_bytesIn = 0;
    quint64 m_bytesOut = 0;
};

} // namespace arena::ipc
