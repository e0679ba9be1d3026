#include "server/playerservice.h"

#include "server/gateway/playerconnection.h"
#include "server/cluster/matchplacement.h"
#include "server/cluster/ownedwrites.h"
#include "server/cluster/sessionclaim.h"
#include "server/hosting/clusterrooms.h"
#include "server/hosting/roommanager.h"
#include "server/matchmaking/matchmaker.h"
#include "server/rooms/roomtyperegistry.h"
#include "server/serverlog.h"
#include "shared/core/metricsregistry.h"

#include <QDateTime>

namespace arena {

using protocol::ErrorCode;

PlayerService::PlayerService(StateStore &store, TaskRegistry &tasks, MetricsRegistry &metrics,
                             const RoomTypeRegistry &types, PlayerServiceSettings settings, QObject *parent)
    : QObject(parent), m_instanceId(settings.instanceId), m_types(types), m_sessionSettings(settings.sessions),
      m_owned(new OwnedWrites(store, settings.instanceId, &metrics, this)),
      m_sessions(new SessionManager(store, *m_owned, metrics, settings.sessions, settings.instanceId, settings.auth,
                                    this)),
      m_rooms(new RoomManager(store, *m_owned, metrics, types, *m_sessions, settings.instanceId, this)),
      m_matchmaker(new Matchmaker(store, tasks, metrics, settings.matchmaking, settings.instanceId, this))
{
    CounterFamily &messages = metrics.counter(
        QStringLiteral("arena_player_messages_total"),
        QStringLiteral("Text messages received from players: ok (decoded and handled) or refused by the connection "
                       "(over the rate limit, or undecodable)"),
        {QStringLiteral("outcome")});
    m_messageMetrics.handled = &messages.labels({QStringLiteral("ok")});
    m_messageMetrics.refused = &messages.labels({QStringLiteral("refused")});
    // Handling a message takes microseconds (a relay fan-out to a few members) up to milliseconds.
    m_messageMetrics.handleSeconds
        = &metrics
               .histogram(QStringLiteral("arena_player_message_seconds"),
                          QStringLiteral("Time from the start of a player message's decoding to the end of its "
                                         "handling in the server process"),
                          {}, MetricsRegistry::exponentialBuckets(10e-6, 2, 15)) // 10 us .. 163.84 ms
               .labels({});
    m_sessions->setRequestHandler(
        [this](Session &session, const protocol::ClientMessage &message) { dispatch(session, message); });
    connect(m_sessions, &SessionManager::sessionEnded, this, &PlayerService::onSessionEnded);
    connect(m_sessions, &SessionManager::sessionResumed, this, [this](Session *session) {
        m_rooms->rejoin(*session);
        if (m_cluster)
            m_cluster->sessionResumed(*session);
    });
    connect(m_matchmaker, &Matchmaker::matchFormed, this, &PlayerService::onMatchFormed);
    // A match formed by an instance that died before telling the players: their tickets are gone and
    // nobody says so. A ticket missing from the store on two checks in a row while its player still
    // waits is such a loss: the player is told (queue_cancelled "match_failed") and may queue again.
    m_lostTickets.setInterval(std::chrono::seconds(2));
    connect(&m_lostTickets, &QTimer::timeout, this, &PlayerService::checkLostTickets);
    m_lostTickets.start();
    connect(m_matchmaker, &Matchmaker::ticketRemoved, this, &PlayerService::onTicketRemoved);
}

PlayerService::~PlayerService()
{
    // Before the room manager it hooks into (children go in the order they were made).
    delete m_cluster;
}

void PlayerService::enableCluster(StateStore &store, InstanceBus &bus)
{
    Q_ASSERT(!m_cluster);
    m_cluster = new ClusterRooms(store, bus, *m_rooms, *m_sessions, m_types, *m_owned, this);
    m_cluster->setResumeGrace(m_sessionSettings.resumeGrace);
    // A player whose instance died resumes here with its token: the session is taken over in the store,
    // then its rooms are found again (ClusterRooms::sessionClaimed).
    m_claim = new SessionClaim(store, m_instanceId, this);
    const qint64 recordTtlMs = (m_sessionSettings.idleTimeout + m_sessionSettings.sweepInterval * 2).count();
    m_sessions->setRemoteClaim([this, recordTtlMs](const QString &token, const QString &newToken,
                                                   std::function<void(Result<SessionManager::Claimed>)> done) {
        m_claim->claim(token, newToken, m_owned->epoch(), recordTtlMs, [done](Result<SessionClaim::Claimed> claimed) {
            if (!claimed.ok())
                return done(claimed.error());
            done(SessionManager::Claimed{claimed->playerId, claimed->createdAt, claimed->rooms});
        });
    });
    connect(m_sessions, &SessionManager::sessionClaimed, this, [this](Session *session, const QStringList &rooms) {
        m_cluster->sessionClaimed(*session, rooms);
    });
    // Matches formed here run on the least-loaded instance; matches placed here by others run here.
    m_placement = new MatchPlacement(store, m_instanceId, [this] {
        return MatchPlacement::Load{m_rooms->roomCount(), m_sessions->sessionCount(), newWorkRefusal().isEmpty()};
    }, std::chrono::seconds(1), this);
    m_cluster->setMatchHost([this](const Match &match) { hostMatch(match); });
}

void PlayerService::adopt(PlayerConnection *connection)
{
    connection->setMetrics(m_messageMetrics);
    m_sessions->adopt(connection);
}

void PlayerService::dispatch(Session &session, const protocol::ClientMessage &message)
{
    if (m_cluster && m_cluster->route(session, message))
        return;
    std::visit(
        [this, &session](const auto &m) {
            using M = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<M, protocol::JoinOrCreate>)
                m_rooms->joinOrCreate(session, m);
            else if constexpr (std::is_same_v<M, protocol::Create>)
                m_rooms->create(session, m);
            else if constexpr (std::is_same_v<M, protocol::Join>)
                m_rooms->join(session, m);
            else if constexpr (std::is_same_v<M, protocol::Leave>)
                m_rooms->leave(session, m);
            else if constexpr (std::is_same_v<M, protocol::ListRooms>)
                m_rooms->listRooms(session, m);
            else if constexpr (std::is_same_v<M, protocol::RoomMessage>)
                m_rooms->message(session, m);
            else if constexpr (std::is_same_v<M, protocol::LockRoom>)
                m_rooms->setLocked(session, m.roomId, true, m.rid);
            else if constexpr (std::is_same_v<M, protocol::UnlockRoom>)
                m_rooms->setLocked(session, m.roomId, false, m.rid);
            else if constexpr (std::is_same_v<M, protocol::Queue>)
                queue(session, m);
            else if constexpr (std::is_same_v<M, protocol::CancelQueue>)
                cancelQueue(session, m);
            // hello and ping are the session manager's own.
        },
        message);
}

void PlayerService::queue(Session &session, const protocol::Queue &request)
{
    if (const QString refusal = newWorkRefusal(); !refusal.isEmpty()) {
        auto e = protocol::ErrorMessage::make(ErrorCode::Unavailable,
                                              refusal + QStringLiteral(" and queues no new tickets; queue on "
                                                                       "another instance"),
                                              request.rid);
        e.retryAfterMs = 1000;
        session.send(e);
        return;
    }
    if (session.queued) {
        session.send(protocol::ErrorMessage::make(ErrorCode::Conflict, QStringLiteral("you are already in a queue"),
                                                  request.rid));
        return;
    }
    // A match of two teams needs a room with that many seats: refuse now rather than form a match whose
    // room cannot be created.
    if (const RoomTypeInfo *type = m_types.find(request.roomType);
        type && quint64(request.teamSize) * 2 > type->maxMaxClients) {
        auto error = protocol::ErrorMessage::make(
            ErrorCode::BadRequest,
            QStringLiteral("a \"%1\" room holds at most %2 players, so team_size can be at most %3")
                .arg(request.roomType)
                .arg(type->maxMaxClients)
                .arg(type->maxMaxClients / 2),
            request.rid);
        error.field = QStringLiteral("team_size");
        session.send(error);
        return;
    }
    Ticket ticket;
    ticket.sessionId = session.id;
    ticket.playerId = session.playerId;
    ticket.level = int(request.level);
    ticket.teamSize = int(request.teamSize);
    ticket.roomType = request.roomType;
    const QString sid = session.id;
    const auto rid = request.rid;
    session.queued = true;
    m_matchmaker->enqueue(ticket, this, [this, sid, rid, request](Result<QString> id) {
        Session *s = m_sessions->find(sid);
        if (!s)
            return;
        if (!id.ok()) {
            s->queued = false;
            const auto code = protocol::errorCodeOf(id.error()).value_or(ErrorCode::Unavailable);
            s->send(protocol::ErrorMessage::make(code, id.error().message, rid));
            return;
        }
        s->ticket = id.value();
        s->queuedAt = QDateTime::currentMSecsSinceEpoch();
        protocol::Queued queued;
        queued.ticket = id.value();
        queued.roomType = request.roomType;
        queued.level = request.level;
        queued.teamSize = request.teamSize;
        queued.rid = rid;
        s->send(queued);
        if (m_draining) {
            // The drain began while this ticket was being added, after its tickets were cancelled.
            m_matchmaker->cancel(sid, this, [this, sid, ticket = id.value()](Result<bool> removed) {
                Session *s = m_sessions->find(sid);
                if (!s || !removed.ok() || !removed.value() || s->ticket != ticket)
                    return;
                s->queued = false;
                s->ticket.clear();
                protocol::QueueCancelled cancelled;
                cancelled.ticket = ticket;
                cancelled.reason = QStringLiteral("draining");
                s->send(cancelled);
            });
        }
    });
}

void PlayerService::cancelQueue(Session &session, const protocol::CancelQueue &request)
{
    const QString sid = session.id;
    const auto rid = request.rid;
    m_matchmaker->cancel(sid, this, [this, sid, rid](Result<bool> removed) {
        Session *s = m_sessions->find(sid);
        if (!s)
            return;
        if (!removed.ok()) {
            s->send(protocol::ErrorMessage::make(ErrorCode::Unavailable, removed.error().message, rid));
            return;
        }
        if (!removed.value()) {
            s->send(protocol::ErrorMessage::make(ErrorCode::NotFound, QStringLiteral("you are not in a queue"), rid));
            return;
        }
        s->queued = false;
        protocol::QueueCancelled cancelled;
        cancelled.ticket = std::exchange(s->ticket, QString());
        cancelled.reason = QStringLiteral("requested");
        cancelled.rid = rid;
        s->send(cancelled);
    });
}

void PlayerService::onSessionEnded(Session *session, const QString &reason)
{
    if (m_cluster)
        m_cluster->sessionEnded(*session, reason);
    m_rooms->removeFromAll(*session, reason == QLatin1String("shutdown") ? reason : QStringLiteral("disconnected"));
    if (session->queued)
        m_matchmaker->cancel(session->id, this, nullptr);
}

void PlayerService::onMatchFormed(const Match &match)
{
    if (m_placement) {
        QSet<QString> instances;
        for (const Ticket &t : match.tickets())
            instances.insert(t.instanceId);
        if (const QString host = m_placement->place(instances); host != m_instanceId) {
            m_cluster->placeMatch(host, match);
            return;
        }
    }
    hostMatch(match);
}

void PlayerService::hostMatch(const Match &match)
{
    RoomManager::CreateOptions options;
    options.type = match.roomType;
    options.isPrivate = true;
    options.metadata = QJsonObject{{QStringLiteral("match_id"), match.id}};
    for (const Ticket &t : match.tickets())
        options.reservedFor.insert(t.sessionId);
    options.maxClients = quint32(options.reservedFor.size());
    auto room = m_rooms->createRoom(options);
    if (!room.ok()) {
        // The tickets are gone from the queue already: tell their players, so they can queue again.
        qCWarning(lcServer) << "could not create the room of match" << match.id << ":" << room.error().message;
        for (const Ticket &t : match.tickets())
            onTicketRemoved(t, QStringLiteral("match_failed"));
        return;
    }
    protocol::MatchFound found;
    found.matchId = match.id;
    found.roomId = room.value()->roomId();
    found.roomType = match.roomType;
    for (const Ticket &t : match.tickets())
        found.players.append(protocol::Member{t.sessionId, t.playerId});
    const QByteArray encoded = protocol::encode(found);
    for (const Ticket &t : match.tickets()) {
        if (Session *s = m_sessions->find(t.sessionId)) {
            s->queued = false;
            s->ticket.clear();
            s->sendEncoded(encoded);
        } else if (m_cluster && t.instanceId != m_instanceId) {
            m_cluster->matchFound(t, encoded, found.roomId); // the player joins across instances
        }
    }
}

void PlayerService::onTicketRemoved(const Ticket &ticket, const QString &reason)
{
    protocol::QueueCancelled cancelled;
    cancelled.ticket = ticket.id;
    cancelled.reason = reason;
    Session *s = m_sessions->find(ticket.sessionId);
    if (!s) {
        if (m_cluster && ticket.instanceId != m_instanceId)
            m_cluster->ticketRemoved(ticket, protocol::encode(cancelled));
        return;
    }
    s->queued = false;
    s->ticket.clear();
    s->send(cancelled);
}

void PlayerService::checkLostTickets()
{
    const qint64 before = QDateTime::currentMSecsSinceEpoch() - m_lostTickets.interval();
    QSet<QString> waiting;
    for (Session *s : m_sessions->sessions()) {
        // A match normally comes within a matchmaking pass; only tickets waiting a while are looked at.
        if (s->queued && !s->ticket.isEmpty() && s->queuedAt < before)
            waiting.insert(s->id);
    }
    m_ticketSuspects.intersect(waiting);
    for (const QString &sid : std::as_const(waiting)) {
        m_matchmaker->ticketOf(sid, this, [this, sid](Result<std::optional<Ticket>> ticket) {
            Session *s = m_sessions->find(sid);
            if (!ticket.ok() || !s || !s->queued)
                return;
            if (ticket.value() && ticket.value()->id == s->ticket) {
                m_ticketSuspects.remove(sid);
                return;
            }
            if (!m_ticketSuspects.contains(sid)) {
                m_ticketSuspects.insert(sid); // once could be a match whose news is on its way
                return;
            }
            m_ticketSuspects.remove(sid);
            qCWarning(lcServer).noquote() << "ticket" << s->ticket << "of session" << sid
                                          << "vanished without a match reaching it (its match was formed by an "
                                             "instance that died?); telling the player";
            protocol::QueueCancelled cancelled;
            cancelled.ticket = std::exchange(s->ticket, QString());
            cancelled.reason = QStringLiteral("match_failed");
            s->queued = false;
            s->send(cancelled);
        });
    }
}

void PlayerService::setDraining(bool draining)
{
    m_draining = draining;
    applyNewWorkSwitches();
}

void PlayerService::setLeaseHeld(bool held)
{
    m_leaseHeld = held;
    applyNewWorkSwitches();
}

void PlayerService::setEpoch(qint64 epoch)
{
    m_owned->setEpoch(epoch);
}

void PlayerService::republish()
{
    const int sessions = m_sessions->republish();
    const int rooms = m_rooms->republish();
    if (sessions + rooms > 0)
        qCInfo(lcServer) << "wrote back" << sessions << "session and" << rooms << "room records";
}

QString PlayerService::newWorkRefusal() const
{
    if (m_draining)
        return QStringLiteral("this instance is draining");
    if (!m_leaseHeld)
        return QStringLiteral("this instance lost its fleet lease and is registering again");
    return {};
}

void PlayerService::applyNewWorkSwitches()
{
    const QString refusal = newWorkRefusal();
    m_sessions->setAcceptingNewSessions(refusal.isEmpty(), refusal);
    m_rooms->setPlayerCreatesRooms(refusal.isEmpty(), refusal);
    m_matchmaker->setMatching(refusal.isEmpty());
}

void PlayerService::cancelTickets(const QString &reason, std::function<void(Result<int>)> done)
{
    // Each removed ticket's player is told by onTicketRemoved.
    m_matchmaker->removeInstanceTickets(
        m_instanceId, false, this,
        [done](Result<QList<Ticket>> removed) {
            if (!done)
                return;
            if (!removed.ok())
                done(removed.error());
            else
                done(int(removed.value().size()));
        },
        reason);
}

void PlayerService::closeAll(const QString &reason)
{
    m_sessions->endAll(reason, 1001, 1000);
    m_rooms->disposeAll(reason);
}

PlayerService::Load PlayerService::load() const
{
    Load load;
    load.sessions = m_sessions->sessionCount();
    load.rooms = m_rooms->roomCount();
    for (LiveRoom *room : m_rooms->rooms())
        load.matches += room->metadata().contains(QStringLiteral("match_id")) ? 1 : 0;
    for (Session *s : m_sessions->sessions())
        load.queuedTickets += s->queued ? 1 : 0;
    return load;
}

void PlayerService::stop(std::function<void()> stopped)
{
    m_sessions->setAccepting(false);
    // Sessions are gone from this instance, and so must their tickets be; their players queue again
    // wherever they reconnect.
    disconnect(m_matchmaker, &Matchmaker::ticketRemoved, this, nullptr);
    m_matchmaker->removeInstanceTickets(m_instanceId, false, this, nullptr);
    const auto endHere = [this, stopped] {
        m_sessions->endAll(QStringLiteral("shutdown"), 1001, 1000);
        m_rooms->disposeAll(QStringLiteral("shutdown"));
        stopped();
    };
    if (!m_cluster || !m_placement || !m_placement->hasPeers())
        return endHere();
    // Rooms nobody is in have nothing to hand over.
    for (LiveRoom *room : m_rooms->rooms()) {
        if (room->members().isEmpty())
            m_rooms->dispose(room->roomId(), QStringLiteral("shutdown"));
    }
    m_cluster->handOver(m_sessionSettings.resumeGrace,
                        [this](const QSet<QString> &homes) { return m_placement->placeElsewhere(homes); },
                        [this, stopped, endHere](bool handedOver) {
        if (!handedOver)
            return endHere();
        m_rooms->handOverAll();
        m_sessions->closeAllHandedOver(QStringLiteral("shutdown"), 1001, 1000);
        stopped();
    });
}

} // namespace arena
