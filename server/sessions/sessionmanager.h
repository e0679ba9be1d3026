// SessionManager: creates sessions on hello, resumes them by token, keeps one live session per player,
// enforces the session cap, expires idle sessions (called by the cleanup sweep), and mirrors every
// session into the StateStore (session:<id>, instance:<id>:sessions, player:<id>).
#pragma once

#include "server/sessions/session.h"
#include "shared/protocol/playermessages.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>
#include <memory>

namespace arena {

class Counter;
class MetricsRegistry;
class PlayerAuth;
class OwnedWrites;
class StateStore;

struct SessionSettings
{
    int sessionLimit = 10000;
    std::chrono::milliseconds idleTimeout{std::chrono::minutes(5)};
    std::chrono::milliseconds resumeGrace{std::chrono::minutes(5)};
    std::chrono::milliseconds helloTimeout{std::chrono::seconds(10)};
    std::chrono::milliseconds heartbeat{std::chrono::seconds(15)};
    std::chrono::milliseconds sweepInterval{std::chrono::minutes(1)}; // how often expireIdle() runs
    bool requireToken = false;
    protocol::ServerLimits limits; // told to clients in welcome
};

class SessionManager final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionManager)

public:
    // What the rest of the server does with a request of an established session.
    using RequestHandler = std::function<void(Session &session, const protocol::ClientMessage &message)>;

    // `owned` writes the session records (fenced by the instance's registration).
    SessionManager(StateStore &store, OwnedWrites &owned, MetricsRegistry &metrics, SessionSettings settings,
                   QString instanceId, const PlayerAuth *auth, QObject *parent = nullptr);
    ~SessionManager() override;

    void setRequestHandler(RequestHandler handler) { m_handler = std::move(handler); }

    // A resume token this instance does not know may belong to a session another instance held (one
    // that died, say): `claim` takes it over in the store (SessionClaim). It gets the token the client
    // sent and the next one, and answers with what the session was, or the error the client gets.
    struct Claimed
    {
        QString playerId;
        qint64 createdAt = 0;
        QStringList rooms;
    };
    using RemoteClaim = std::function<void(const QString &token, const QString &newToken,
                                           std::function<void(Result<Claimed>)> done)>;
    void setRemoteClaim(RemoteClaim claim) { m_claim = std::move(claim); }

    // A new connection: it must say hello within the hello timeout. Over the session limit it is
    // refused at once with server_busy and close 1013.
    void adopt(PlayerConnection *connection);

    Session *find(const QString &sessionId) const;
    int sessionCount() const { return int(m_sessions.size()); }
    int connectedCount() const;
    int pendingCount() const { return int(m_pending.size()); }
    QList<Session *> sessions() const;

    // Ends a session: tells the client why (when connected), closes, forgets it, and emits ended().
    void end(Session &session, const QString &reason, quint16 closeCode);
    // Closes every session with `reason` (shutdown), without waiting.
    void endAll(const QString &reason, quint16 closeCode, std::optional<quint64> retryAfterMs);
    // Shutdown with a handover: closes every connection like endAll, but the sessions do not end — their
    // records stay in the store for the players to resume elsewhere (ClusterRooms::handOver) — so
    // nothing is written and sessionEnded is not emitted.
    void closeAllHandedOver(const QString &reason, quint16 closeCode, std::optional<quint64> retryAfterMs);
    // Stops taking connections' hellos (shutdown): every hello, resumes included, gets unavailable.
    void setAccepting(bool accepting) { m_accepting = accepting; }
    // Stops creating sessions (draining): a hello that would start a new session gets unavailable, but
    // a session is still resumed with its token.
    // `refusal` says why, for the players turned away ("this instance is draining").
    void setAcceptingNewSessions(bool accepting, const QString &refusal = QStringLiteral("this instance is draining"))
    {
        m_acceptingNew = accepting;
        m_refusal = refusal;
    }
    bool isAcceptingNewSessions() const { return m_acceptingNew; }

    // Idle sessions and detached sessions past the resume grace. With dryRun nothing changes.
    QStringList expireIdle(bool dryRun);
    // Writes every session's store record again (after the instance registered anew: the store may have
    // lost them, or a sweep removed them while this instance was paused). Returns how many.
    int republish();
    // Writes one session's record (player, owner, resume token hash, rooms): after it changed.
    void writeRecord(const Session &session);

Q_SIGNALS:
    void sessionStarted(arena::Session *session);
    // The connection dropped without a close frame; the session waits for a resume until the grace
    // period ends.
    void sessionDetached(arena::Session *session);
    // A client took its session back on a new connection.
    void sessionResumed(arena::Session *session);
    // A client took over here a session another instance held; `rooms` are the rooms it was in.
    void sessionClaimed(arena::Session *session, const QStringList &rooms);
    // The session is over (left, expired, replaced, shutdown); it is deleted right after this signal.
    void sessionEnded(arena::Session *session, const QString &reason);

private:
    void onHello(PlayerConnection *connection, const protocol::Hello &hello);
    void onMessage(Session &session, const protocol::ClientMessage &message);
    void attach(Session &session, PlayerConnection *connection);
    // A normal close (1000, 1001) ends the session; a dropped connection leaves it to be resumed.
    void onConnectionClosed(const QString &sessionId, PlayerConnection *connection, quint16 closeCode);
    void sendWelcome(Session &session, std::optional<quint64> rid, bool resumed);
    void claimRemote(PlayerConnection *connection, const protocol::Hello &hello, const QString &playerId);
    QString newResumeToken(const QString &sessionId) const;
    void forgetRecord(const Session &session);
    QString newId(const char *prefix) const;

    StateStore &m_store;
    OwnedWrites &m_owned;
    SessionSettings m_settings;
    QString m_instanceId;
    const PlayerAuth *m_auth;
    RequestHandler m_handler;
    RemoteClaim m_claim;
    std::unordered_map<QString, std::unique_ptr<Session>> m_sessions;
    QHash<QString, QString> m_byResumeToken; // token -> session id
    QHash<QString, QString> m_byPlayer;      // player id -> session id
    QHash<PlayerConnection *, std::shared_ptr<QTimer>> m_pending; // awaiting hello
    bool m_accepting = true;
    bool m_acceptingNew = true;
    QString m_refusal;
    Counter *m_started = nullptr;
    Counter *m_resumed = nullptr;
    Counter *m_refusedBusy = nullptr;
    MetricsRegistry &m_metrics;
};

} // namespace arena
