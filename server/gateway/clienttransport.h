// ClientTransport: the message pipe under one PlayerConnection — a WebSocket on the player port, or an
// in-memory pipe in tests and the fuzzer — so the limits and everything above them run without sockets.
#pragma once

#include <QByteArray>
#include <QString>
#include <QtGlobal>

namespace arena {

class PlayerConnection;

class ClientTransport
{
public:
    ClientTransport() = default;
    virtual ~ClientTransport() = default;
    Q_DISABLE_COPY_MOVE(ClientTransport)

    // Called once, by the PlayerConnection that owns this transport. From then on the transport reports
    // to it: receiveText() / receiveBinary() for each whole message, and transportClosed() once when the
    // connection is gone — which may happen inside close() or abort(), as it does with a socket.
    virtual void attach(PlayerConnection &connection) = 0;

    // One text message (UTF-8). Ignored once the transport is no longer open.
    virtual void sendText(const QByteArray &utf8) = 0;
    // Sends a close frame with `code`; the end is reported with that code.
    virtual void close(quint16 code, const QString &reason) = 0;
    // Drops the connection without a close handshake (reported as 1006).
    virtual void abort() = 0;

    // Bytes sendText() accepted that the client has not taken yet.
    virtual qint64 backlogBytes() const = 0;
    virtual bool isOpen() const = 0;
    // "address:port", for logs.
    virtual QString peer() const = 0;
};

} // namespace arena
