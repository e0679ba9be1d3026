// AdminClient: a connection to arena-agent's admin protocol in Qt — auth, fleet/snapshot/audit pushes as
// signals, actions and queries answered through callbacks, optional reconnect with backoff over a list of
// agent addresses. Used by arena-ctl and the operator console.
#pragma once

#include "shared/protocol/codec.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QStringList>
#include <QTimer>
#include <QUrl>

#include <chrono>
#include <functional>
#include <optional>

class QWebSocket;

namespace arena {

class AdminClient final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AdminClient)

public:
    enum class State { Disconnected, Connecting, Authenticating, Ready };
    Q_ENUM(State)

    // Called exactly once per request: with the agent's answer, or with ok == false and an error the
    // client made up (`unavailable`: not connected, connection lost, no answer in time).
    using ActionCallback = std::function<void(const protocol::ActionResult &result)>;
    using QueryCallback = std::function<void(const protocol::QueryResult &result)>;

    explicit AdminClient(QObject *parent = nullptr);
    ~AdminClient() override;

    // Connects to `agent` (ws:// or wss://) and sends `auth` with `token` at once; authenticated() or
    // failed() follows. Replaces any current connection (its pending requests fail).
    void connectTo(const QUrl &agent, const QByteArray &token);
    // Closes the connection (close code 1000) and stops reconnecting; pending requests fail.
    void disconnectFromAgent();

    // Reconnect after a drop or a failed attempt, with exponential backoff (capped, with jitter),
    // trying the fallback URLs in turn. Off by default. A refused token (`unauthorized`) is not retried.
    void setReconnect(bool enabled);
    bool reconnectEnabled() const { return m_reconnect; }
    // Tried after the URL given to connectTo(), in this order, when reconnecting.
    void setFallbackUrls(const QList<QUrl> &urls);
    QList<QUrl> fallbackUrls() const { return m_fallbackUrls; }
    // First delay, doubled per failed attempt up to `max`; each delay is varied by ±`jitter` (0 … 1).
    void setReconnectDelays(std::chrono::milliseconds initial, std::chrono::milliseconds max, double jitter = 0.2);

    // How long a request may wait for its answer (default 30 s).
    void setRequestTimeout(std::chrono::milliseconds timeout);
    std::chrono::milliseconds requestTimeout() const { return m_requestTimeout; }
    // How long connecting plus authenticating may take before the attempt counts as failed (default 10 s).
    void setHandshakeTimeout(std::chrono::milliseconds timeout);
    // Action ids are "<prefix>-<12 random hex digits>" (default prefix "ctl").
    void setActionIdPrefix(const QString &prefix);

    // Snapshots of every instance, or of the listed ones (an empty list stops them). Remembered: sent
    // now when ready, else after authentication, and again after every reconnect.
    void subscribeAll();
    void subscribe(const QStringList &instances);

    // Sends an action (operator role); `target` absent means the agent's own instance, or for cleanup the
    // whole fleet. Returns the action id (also in the audit entry).
    QString action(protocol::ActionKind kind, const std::optional<QString> &target, const QJsonObject &params,
                   bool dryRun, ActionCallback callback);
    // Sends a query (viewer role is enough); `target` absent means the agent's own instance.
    void query(protocol::QueryKind kind, const std::optional<QString> &target, const QJsonObject &params,
               QueryCallback callback);

    State state() const { return m_state; }
    // The URL of the current (or last) connection attempt.
    QUrl currentUrl() const;
    // From the last auth_ok.
    std::optional<protocol::Role> role() const { return m_role; }
    QString instance() const { return m_instance; }
    int pendingRequests() const { return int(m_pending.size()); }

Q_SIGNALS:
    void stateChanged(arena::AdminClient::State state);
    void authenticated(arena::protocol::Role role, const QString &instance);
    // An attempt failed: the token was refused (code `unauthorized`), or the agent could not be reached or
    // did not authenticate in time (code `unavailable`). With reconnect on, the next attempt follows.
    void failed(const arena::protocol::ErrorInfo &error);
    // An authenticated connection ended (the agent went away, or disconnectFromAgent()).
    void disconnected();
    // With reconnect on: the next attempt, to `url`, starts in `delayMs`.
    void reconnectScheduled(const QUrl &url, int delayMs);

    void fleetReceived(const arena::protocol::Fleet &fleet);
    void snapshotReceived(const arena::protocol::Snapshot &snapshot);
    void auditEntryReceived(const arena::protocol::AuditEntry &entry);

private:
    struct Pending
    {
        enum class Kind { Action, Query } kind = Kind::Action;
        QString actionId;
        protocol::QueryKind queryKind = protocol::QueryKind::Rooms;
        std::optional<QString> target;
        ActionCallback onAction;
        QueryCallback onQuery;
    };

    void openSocket();
    void dropSocket();
    void onConnected();
    void onSocketGone();
    void onText(const QString &text);
    void handle(const protocol::AdminServerMessage &message);
    void onAuthOk(const protocol::AuthOk &ok);
    void onError(const protocol::ErrorMessage &error);
    void scheduleReconnect();
    void sendSubscription();
    quint64 sendRequest(protocol::AdminClientMessage message);
    void complete(quint64 rid, const std::optional<protocol::ActionResult> &action,
                  const std::optional<protocol::QueryResult> &query, const protocol::ErrorInfo &error);
    void failRequest(Pending pending, const protocol::ErrorInfo &error);
    void failAllPending(const protocol::ErrorInfo &error);
    void requestTimedOut(quint64 rid);
    void setState(State state);

    QWebSocket *m_socket = nullptr;
    State m_state = State::Disconnected;
    QList<QUrl> m_urls; // connectTo()'s URL first, then the fallbacks
    QList<QUrl> m_fallbackUrls;
    qsizetype m_urlIndex = 0;
    QByteArray m_token;
    std::optional<protocol::Role> m_role;
    QString m_instance;

    bool m_reconnect = false;
    bool m_wanted = false;       // connectTo() was called and disconnectFromAgent() was not
    bool m_wasReady = false;     // the current connection got as far as auth_ok
    bool m_attemptFailed = false; // failed() already reported for the current connection
    bool m_authRefused = false;  // the current connection's auth was refused: no retry with that token
    quint64 m_generation = 0;    // bumped per connection, so a slot that reconnects is noticed
    QString m_socketError;
    int m_attempt = 0;           // consecutive failed attempts since the last auth_ok
    std::chrono::milliseconds m_initialDelay{500};
    std::chrono::milliseconds m_maxDelay{30000};
    double m_jitter = 0.2;
    QTimer m_reconnectTimer;
    QTimer m_handshakeTimer;

    std::chrono::milliseconds m_requestTimeout{30000};
    QString m_actionIdPrefix = QStringLiteral("ctl");
    quint64 m_nextRid = 1;
    quint64 m_authRid = 0;
    QHash<quint64, Pending> m_pending;
    std::optional<protocol::Subscribe> m_subscription;
};

} // namespace arena
