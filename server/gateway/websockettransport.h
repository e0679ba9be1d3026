// WebSocketTransport: a ClientTransport over one accepted QWebSocket (the player port).
#pragma once

#include "server/gateway/clienttransport.h"

#include <QPointer>

class QWebSocket;

namespace arena {

class WriteFlusher;

class WebSocketTransport final : public ClientTransport
{
public:
    // Qt itself closes with 1009 (too much data) when a frame or message passes `maxMessageBytes`.
    // `flusher` writes what sendText() buffered at the end of the event-loop iteration.
    WebSocketTransport(QWebSocket *socket, qsizetype maxMessageBytes, WriteFlusher &flusher);
    ~WebSocketTransport() override;

    // Makes the socket a child of `connection`, so it lives exactly as long as the connection.
    void attach(PlayerConnection &connection) override;
    void sendText(const QByteArray &utf8) override;
    void close(quint16 code, const QString &reason) override;
    void abort() override;
    qint64 backlogBytes() const override;
    bool isOpen() const override;
    QString peer() const override { return m_peer; }

private:
    QPointer<QWebSocket> m_socket;
    WriteFlusher &m_flusher;
    QString m_peer;
    bool m_closeHandshake = false;
};

} // namespace arena
