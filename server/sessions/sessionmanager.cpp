#include "server/sessions/sessionmanager.h"

#include "server/cluster/instanceregistry.h"
#include "server/cluster/ownedwrites.h"
#include "server/cluster/sessionclaim.h"

#include "server/auth/playerauth.h"
#include "server/serverlog.h"
#include "shared/core/metricsregistry.h"
#include "shared/protocol/protocolversion.h"
#include "shared/store/memorydata.h"
#include "shared/store/statestore.h"

#include <QDateTime>
#include <QPointer>
#include <QRandomGenerator>

namespace arena {

using protocol::ErrorCode;

namespace {

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

QByteArray sessionKey(const QString &id)
{
    return "session:" + id.toUtf8();
}

} // namespace

SessionManager::SessionManager(StateStore &store, OwnedWrites &owned, MetricsRegistry &metrics,
                               SessionSettings settings, QString instanceId, const PlayerAuth *auth, QObject *parent)
    : QObject(parent), m_store(store), m_owned(owned), m_settings(std::move(settings)),
      m_instanceId(std::move(instanceId)), m_auth(auth), m_metrics(metrics)
{
    m_started = &metrics.counter(QStringLiteral("arena_sessions_started_total"), QStringLiteral("Sessions created"))
                     .labels({});
    m_resumed = &metrics.counter(QStringLiteral("arena_sessions_resumed_total"),
                                 QStringLiteral("Sessions taken back with a resume token"))
                     .labels({});
    m_refusedBusy = &metrics.counter(QStringLiteral("arena_sessions_refused_busy_total"),
                                     QStringLiteral("Connections refused at the session limit"))
                         .labels({});
    metrics.callbackGauge(QStringLiteral("arena_sessions"), QStringLiteral("Sessions on this instance"),
                          [this] { return double(m_sessions.size()); });
    metrics.callbackGauge(QStringLiteral("arena_sessions_connected"),
                          QStringLiteral("Sessions with a live connection"),
                          [this] { return double(connectedCount()); });
    // Deletes player:<id> only while it still names this session (a newer session may own it).
    m_store.registerOperation("compare-and-delete",
                              {QByteArrayLiteral("if redis.call('GET', KEYS[1]) == ARGV[1] then "
                                                 "return redis.call('DEL', KEYS[1]) end return 0"),
                               [](MemoryData &data, const StateStore::Keys &keys, const StateStore::Args &args) {
                                   const auto current = data.get(keys.value(0));
                                   if (current.ok() && current.value() == args.value(0))
                                       return Reply::integer(data.del({keys.value(0)}).valueOr(0));
                                   return Reply::integer(0);
                               }});
}

SessionManager::~SessionManager() = default;

QString SessionManager::newId(const char *prefix) const
{
    // 128 random bits: ids and resume tokens must not be guessable.
    quint32 words[4];
    QRandomGenerator::system()->fillRange(words);
    return QLatin1String(prefix)
        + QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex());
}

void SessionManager::adopt(PlayerConnection *connection)
{
    if (int(m_sessions.size() + m_pending.size()) >= m_settings.sessionLimit) {
        m_refusedBusy->inc();
        auto e = protocol::ErrorMessage::make(ErrorCode::ServerBusy,
                                              QStringLiteral("the server is full; try again in a moment"));
        e.retryAfterMs = 5000;
        connection->send(e);
        connection->closeWith(QStringLiteral("server_busy"), *protocol::closeCode(ErrorCode::ServerBusy), 5000);
        return;
    }
    auto timer = std::make_shared<QTimer>();
    timer->setSingleShot(true);
    connect(timer.get(), &QTimer::timeout, connection, [this, connection] {
        m_pending.remove(connection);
        connection->sendError(ErrorCode::Unauthorized, QStringLiteral("no hello within %1 ms")
                                                           .arg(m_settings.helloTimeout.count()));
        connection->closeWith(QStringLiteral("unauthorized"), *protocol::closeCode(ErrorCode::Unauthorized));
    });
    timer->start(m_settings.helloTimeout);
    m_pending.insert(connection, timer);
    connect(connection, &PlayerConnection::messageReceived, this,
            [this, connection](const protocol::ClientMessage &message) {
        if (!m_pending.contains(connection))
            return; // already a session's connection: its own handler takes the message
        if (const auto *hello = std::get_if<protocol::Hello>(&message)) {
            onHello(connection, *hello);
            return;
        }
        connection->sendError(m_settings.requireToken ? ErrorCode::Unauthorized : ErrorCode::BadRequest,
                              QStringLiteral("the first message must be hello"), protocol::requestId(message));
    });
    connect(connection, &PlayerConnection::closed, this, [this, connection] { m_pending.remove(connection); });
}

void SessionManager::onHello(PlayerConnection *connection, const protocol::Hello &hello)
{
    if (!m_accepting) {
        auto e = protocol::ErrorMessage::make(ErrorCode::Unavailable,
                                              QStringLiteral("this instance is shutting down; connect to another"),
                                              hello.rid);
        e.retryAfterMs = 1000;
        connection->send(e);
        return;
    }
    if (hello.protocol && *hello.protocol != protocol::ProtocolVersion) {
        // Versions are not compatible with each other: a client must speak this server's.
        auto e = protocol::ErrorMessage::make(ErrorCode::BadRequest,
                                              QStringLiteral("this server speaks protocol version %1, not %2; "
                                                             "update the game client")
                                                  .arg(protocol::ProtocolVersion)
                                                  .arg(*hello.protocol),
                                              hello.rid);
        e.field = QStringLiteral("protocol");
        connection->send(e);
        return;
    }
    QString playerId = hello.playerId.value_or(QString());
    if (m_auth && m_settings.requireToken) {
        if (!hello.token) {
            connection->sendError(ErrorCode::Unauthorized, QStringLiteral("this server requires a player token"),
                                  hello.rid);
            return;
        }
        const auto claims = m_auth->verify(*hello.token);
        if (!claims.ok()) {
            connection->sendError(ErrorCode::Unauthorized, claims.error().message, hello.rid);
            return;
        }
        if (!playerId.isEmpty() && playerId != claims->playerId) {
            connection->sendError(ErrorCode::Forbidden, QStringLiteral("player_id does not match the token"),
                                  hello.rid);
            return;
        }
        playerId = claims->playerId;
    }

    if (hello.resumeToken) {
        const QString sid = m_byResumeToken.value(*hello.resumeToken);
        Session *session = find(sid);
        if (!session && m_claim && !SessionClaim::sessionOf(*hello.resumeToken).isEmpty()) {
            claimRemote(connection, hello, playerId);
            return;
        }
        if (!session) {
            connection->sendError(ErrorCode::SessionExpired,
                                  QStringLiteral("that session is over; say hello without a resume token"), hello.rid);
            return;
        }
        if (!playerId.isEmpty() && playerId != session->playerId) {
            connection->sendError(ErrorCode::Forbidden, QStringLiteral("the resume token belongs to another player"),
                                  hello.rid);
            return;
        }
        if (session->connection && session->connection != connection) {
            // The old connection is still open (a half-dead socket): this one replaces it.
            PlayerConnection *old = session->connection;
            session->connection = nullptr;
            old->closeWith(QStringLiteral("replaced"), 1000);
        }
        m_pending.remove(connection);
        m_byResumeToken.remove(session->resumeToken);
        session->resumeToken = newResumeToken(session->id);
        m_byResumeToken.insert(session->resumeToken, session->id);
        attach(*session, connection);
        m_resumed->inc();
        writeRecord(*session); // the record keeps the hash of the token that resumes it
        sendWelcome(*session, hello.rid, true);
        emit sessionResumed(session);
        return;
    }

    if (!m_acceptingNew) {
        // Draining (or re-registering after a lost lease): sessions here run to their end, new ones belong
        // on another instance. The connection stays open, like after any refused hello, for a resume.
        auto e = protocol::ErrorMessage::make(ErrorCode::Unavailable,
                                              m_refusal + QStringLiteral(" and starts no new sessions; connect to "
                                                                         "another"),
                                              hello.rid);
        e.retryAfterMs = 1000;
        connection->send(e);
        return;
    }
    if (playerId.isEmpty())
        playerId = newId("guest-").left(22);
    if (Session *older = find(m_byPlayer.value(playerId))) {
        // One live session per player: the newer connection wins, the older one is told why it closes.
        end(*older, QStringLiteral("replaced"), 1000);
    }
    m_pending.remove(connection);
    auto owned = std::make_unique<Session>();
    Session &session = *owned;
    session.id = newId("s-");
    session.playerId = playerId;
    session.resumeToken = newResumeToken(session.id);
    session.createdAt = session.lastActivityAt = nowMs();
    m_sessions.emplace(session.id, std::move(owned));
    m_byResumeToken.insert(session.resumeToken, session.id);
    m_byPlayer.insert(playerId, session.id);
    attach(session, connection);
    m_started->inc();
    writeRecord(session);
    sendWelcome(session, hello.rid, false);
    emit sessionStarted(&session);
}

void SessionManager::claimRemote(PlayerConnection *connection, const protocol::Hello &hello, const QString &playerId)
{
    const QString sid = SessionClaim::sessionOf(*hello.resumeToken);
    const QString newToken = newResumeToken(sid);
    const auto rid = hello.rid;
    QPointer<PlayerConnection> guard(connection);
    m_claim(*hello.resumeToken, newToken, [this, guard, sid, newToken, rid, playerId](Result<Claimed> claimed) {
        if (!guard || !guard->isOpen())
            return; // the client went meanwhile; the record is ours and expires unless it comes back
        if (!claimed.ok()) {
            auto e = protocol::ErrorMessage::make(protocol::errorCodeOf(claimed.error()).value_or(ErrorCode::Unavailable),
                                                  claimed.error().message, rid);
            if (e.code == ErrorCode::Unavailable)
                e.retryAfterMs = 1000;
            guard->send(e);
            return;
        }
        if (!playerId.isEmpty() && playerId != claimed->playerId) {
            guard->sendError(ErrorCode::Forbidden, QStringLiteral("the resume token belongs to another player"), rid);
            return;
        }
        if (find(sid)) {
            // Claimed twice here at once (two hellos): the first one won; this one may resume it.
            auto e = protocol::ErrorMessage::make(ErrorCode::Unavailable,
                                                  QStringLiteral("that session was just resumed; retry"), rid);
            e.retryAfterMs = 1000;
            guard->send(e);
            return;
        }
        if (Session *older = find(m_byPlayer.value(claimed->playerId)))
            end(*older, QStringLiteral("replaced"), 1000);
        m_pending.remove(guard.data());
        auto owned = std::make_unique<Session>();
        Session &session = *owned;
        session.id = sid;
        session.playerId = claimed->playerId;
        session.resumeToken = newToken;
        session.createdAt = claimed->createdAt;
        session.lastActivityAt = nowMs();
        m_sessions.emplace(session.id, std::move(owned));
        m_byResumeToken.insert(session.resumeToken, session.id);
        m_byPlayer.insert(session.playerId, session.id);
        attach(session, guard.data());
        m_resumed->inc();
        writeRecord(session);
        sendWelcome(session, rid, true);
        qCInfo(lcServer).noquote() << "took over session" << sid << "of player" << session.playerId << "with"
                                   << claimed->rooms.size() << "rooms";
        emit sessionClaimed(&session, claimed->rooms);
    });
}

QString SessionManager::newResumeToken(const QString &sessionId) const
{
    // The session id travels in the token so that any instance can find the session's record.
    return sessionId + QLatin1Char('.') + newId("rt-");
}

void SessionManager::attach(Session &session, PlayerConnection *connection)
{
    session.connection = connection;
    session.detachedAt = 0;
    session.lastActivityAt = nowMs();
    const QString sid = session.id;
    disconnect(connection, &PlayerConnection::messageReceived, this, nullptr);
    connect(connection, &PlayerConnection::messageReceived, this, [this, sid](const protocol::ClientMessage &m) {
        if (Session *s = find(sid))
            onMessage(*s, m);
    });
    connect(connection, &PlayerConnection::closed, this, [this, sid, connection](quint16 closeCode) {
        onConnectionClosed(sid, connection, closeCode);
    });
}

void SessionManager::sendWelcome(Session &session, std::optional<quint64> rid, bool resumed)
{
    protocol::Welcome welcome;
    welcome.sessionId = session.id;
    welcome.playerId = session.playerId;
    welcome.resumeToken = session.resumeToken;
    welcome.instance = m_instanceId;
    welcome.heartbeatMs = quint32(m_settings.heartbeat.count());
    welcome.resumed = resumed;
    welcome.limits = m_settings.limits;
    welcome.rid = rid;
    session.send(welcome);
}

void SessionManager::onMessage(Session &session, const protocol::ClientMessage &message)
{
    session.lastActivityAt = nowMs();
    if (const auto *ping = std::get_if<protocol::Ping>(&message)) {
        protocol::Pong pong;
        pong.time = ping->time;
        pong.serverTime = quint64(session.lastActivityAt);
        pong.rid = ping->rid;
        session.send(pong);
        return;
    }
    if (std::holds_alternative<protocol::Hello>(message)) {
        session.connection->sendError(ErrorCode::Conflict, QStringLiteral("this connection already has a session"),
                                      protocol::requestId(message));
        return;
    }
    if (m_handler)
        m_handler(session, message);
}

void SessionManager::onConnectionClosed(const QString &sessionId, PlayerConnection *connection, quint16 closeCode)
{
    Session *session = find(sessionId);
    if (!session || session->connection != connection)
        return; // replaced already, or the session is over
    session->connection = nullptr;
    qCDebug(lcServer) << "session" << sessionId << "connection closed with" << closeCode;
    if (closeCode == 1000 || closeCode == 1001) {
        // The client said goodbye: nothing to resume.
        end(*session, QStringLiteral("closed"), closeCode);
        return;
    }
    session->detachedAt = nowMs();
    emit sessionDetached(session);
}

Session *SessionManager::find(const QString &sessionId) const
{
    if (sessionId.isEmpty())
        return nullptr;
    const auto it = m_sessions.find(sessionId);
    return it == m_sessions.end() ? nullptr : it->second.get();
}

int SessionManager::connectedCount() const
{
    int n = 0;
    for (const auto &[id, s] : m_sessions)
        n += s->isConnected() ? 1 : 0;
    return n;
}

QList<Session *> SessionManager::sessions() const
{
    QList<Session *> out;
    out.reserve(qsizetype(m_sessions.size()));
    for (const auto &[id, s] : m_sessions)
        out.append(s.get());
    return out;
}

void SessionManager::end(Session &session, const QString &reason, quint16 closeCode)
{
    const auto it = m_sessions.find(session.id);
    if (it == m_sessions.end())
        return;
    std::unique_ptr<Session> owned = std::move(it->second);
    m_sessions.erase(it);
    m_byResumeToken.remove(owned->resumeToken);
    if (m_byPlayer.value(owned->playerId) == owned->id)
        m_byPlayer.remove(owned->playerId);
    if (owned->connection) {
        PlayerConnection *connection = owned->connection;
        owned->connection = nullptr;
        connection->closeWith(reason, closeCode);
    }
    forgetRecord(*owned);
    emit sessionEnded(owned.get(), reason);
}

void SessionManager::endAll(const QString &reason, quint16 closeCode, std::optional<quint64> retryAfterMs)
{
    for (Session *s : sessions()) {
        if (s->connection) {
            PlayerConnection *connection = s->connection;
            s->connection = nullptr;
            connection->closeWith(reason, closeCode, retryAfterMs);
        }
        end(*s, reason, closeCode);
    }
}

void SessionManager::closeAllHandedOver(const QString &reason, quint16 closeCode, std::optional<quint64> retryAfterMs)
{
    for (Session *s : sessions()) {
        if (s->connection) {
            PlayerConnection *connection = s->connection;
            s->connection = nullptr;
            connection->closeWith(reason, closeCode, retryAfterMs);
        }
    }
    m_byResumeToken.clear();
    m_byPlayer.clear();
    m_sessions.clear();
}

QStringList SessionManager::expireIdle(bool dryRun)
{
    const qint64 now = nowMs();
    QStringList expired;
    for (Session *s : sessions()) {
        const bool idle = now - s->lastActivityAt >= m_settings.idleTimeout.count();
        const bool abandoned = s->detachedAt > 0 && now - s->detachedAt >= m_settings.resumeGrace.count();
        if (!idle && !abandoned)
            continue;
        expired.append(s->id);
        if (!dryRun)
            end(*s, abandoned ? QStringLiteral("disconnected") : QStringLiteral("idle"), 1000);
    }
    if (!dryRun) {
        // Refresh the store's copy of the survivors (activity and TTL) in the same pass.
        for (Session *s : sessions())
            writeRecord(*s);
    }
    return expired;
}

void SessionManager::writeRecord(const Session &session)
{
    // The record outlives a missed sweep but not a dead instance by much.
    const qint64 ttlMs = (m_settings.idleTimeout + m_settings.sweepInterval * 2).count();
    QByteArrayList rooms;
    for (const QString &room : session.rooms)
        rooms.append(room.toUtf8());
    std::sort(rooms.begin(), rooms.end());
    m_owned.write(sessionKey(session.id),
                  {{"player", session.playerId.toUtf8()},
                   {"created", QByteArray::number(session.createdAt)},
                   {"active", QByteArray::number(session.lastActivityAt)},
                   {"token", SessionClaim::tokenHash(session.resumeToken)},
                   {"rooms", rooms.join(',')}},
                  ttlMs, {{InstanceRegistry::sessionsIndexKey(m_instanceId), session.id.toUtf8(), true}});
    m_store.set("player:" + session.playerId.toUtf8(), session.id.toUtf8(),
                (m_settings.idleTimeout + m_settings.sweepInterval * 2).count(), StateStore::SetMode::Always, this,
                nullptr);
}

int SessionManager::republish()
{
    for (const auto &[id, session] : m_sessions)
        writeRecord(*session);
    return int(m_sessions.size());
}

void SessionManager::forgetRecord(const Session &session)
{
    m_store.del({sessionKey(session.id)}, this, nullptr);
    m_store.srem(InstanceRegistry::sessionsIndexKey(m_instanceId), {session.id.toUtf8()}, this, nullptr);
    m_store.run("compare-and-delete", {"player:" + session.playerId.toUtf8()}, {session.id.toUtf8()}, this, nullptr);
}

} // namespace arena
