// PlayerClient: a player's connection to arena-server in Qt — hello/welcome, requests matched to their
// replies by rid, pushed messages as signals, and resume with the session's token after a drop.
// Used by the tests and by arena-loadtest.
#pragma once

#include "shared/protocol/codec.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QSslConfiguration>
#include <QUrl>

#include <functional>
#include <optional>

class QWebSocket;

namespace arena {

class PlayerClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PlayerClient)

public:
    enum class State { Disconnected, Connecting, AwaitingWelcome, Ready };
    Q_ENUM(State)

    using ReplyHandler = std::function<void(const protocol::ServerMessage &reply)>;

    explicit PlayerClient(QObject *parent = nullptr);
    ~PlayerClient() override;

    // Connects and says hello (player id and token optional). welcomed() or helloRefused() follows.
    void open(const QUrl &url, const QString &playerId = {}, const QString &token = {});
    // Reconnects (to `url` when given, else the same server) and resumes with the session's token.
    void resume(const QUrl &url = {});
    // TLS settings for wss:// URLs from the next open() or resume() on (e.g. the CA that signed a
    // private server's certificate). Without, the system's trust store applies.
    void setSslConfiguration(const QSslConfiguration &configuration) { m_ssl = configuration; }
    // Closes the connection (close code 1000).
    void close();
    // Drops the TCP connection without a close frame (tests of resume).
    void abort();

    // Sends a message; a request without a rid gets the next one. Returns the rid used (0 if none).
    quint64 send(protocol::ClientMessage message);
    // Sends and calls `onReply` with the message that answers it (same rid): the reply or an error.
    quint64 request(protocol::ClientMessage message, ReplyHandler onReply);
    // Sends raw text as is (tests of malformed input).
    void sendRaw(const QByteArray &text);

    State state() const { return m_state; }
    const protocol::Welcome &welcome() const { return m_welcome; }
    QString sessionId() const { return m_welcome.sessionId; }
    QUrl url() const { return m_url; }
    quint16 closeCode() const { return m_closeCode; }
    QString closeReason() const { return m_closeReason; }
    // The socket's unsent bytes (for load tools).
    qint64 bytesToWrite() const;

Q_SIGNALS:
    void welcomed(const arena::protocol::Welcome &welcome);
    void helloRefused(const arena::protocol::ErrorMessage &error);
    // Every message from the server, replies included, in arrival order.
    void received(const arena::protocol::ServerMessage &message);
    // A message the client could not decode (a server bug, or a newer server).
    void undecodable(const QString &reason, const QByteArray &text);
    void disconnected(quint16 closeCode, const QString &reason);
    void stateChanged(arena::PlayerClient::State state);

private:
    void connectSocket(protocol::Hello hello);
    void onText(const QString &text);
    void setState(State state);

    QWebSocket *m_socket = nullptr;
    std::optional<QSslConfiguration> m_ssl;
    QUrl m_url;
    State m_state = State::Disconnected;
    protocol::Welcome m_welcome;
    protocol::Hello m_pendingHello;
    QHash<quint64, ReplyHandler> m_waiting;
    quint64 m_nextRid = 1;
    quint16 m_closeCode = 0;
    QString m_closeReason;
};

} // namespace arena
