#include "server/hosting/roommanager.h"

#include "server/cluster/instanceregistry.h"
#include "server/cluster/ownedwrites.h"
#include "server/cluster/roomadoption.h"
#include "server/cluster/roomkeys.h"
#include "server/rooms/roomtyperegistry.h"
#include "server/serverlog.h"
#include "server/sessions/sessionmanager.h"
#include "server/workers/remoteroom.h"
#include "shared/core/metricsregistry.h"
#include "shared/protocol/codec.h"
#include "shared/store/statestore.h"

#include <QJsonDocument>
#include <QRandomGenerator>

namespace arena {

using protocol::ErrorCode;

namespace {

Error err(ErrorCode code, const QString &message)
{
    return protocol::toError(code, message);
}

QString newRoomId()
{
    quint32 words[3];
    QRandomGenerator::system()->fillRange(words);
    return QStringLiteral("r-") + QString::fromLatin1(QByteArray(reinterpret_cast<const char *>(words), sizeof words).toHex());
}

bool matches(const QJsonObject &metadata, const QJsonObject &filter)
{
    for (auto it = filter.begin(); it != filter.end(); ++it) {
        if (metadata.value(it.key()) != it.value())
            return false;
    }
    return true;
}

} // namespace

RoomManager::RoomManager(StateStore &store, OwnedWrites &owned, MetricsRegistry &metrics,
                         const RoomTypeRegistry &types, SessionManager &sessions, QString instanceId, QObject *parent)
    : QObject(parent), m_store(store), m_owned(owned), m_types(types), m_sessions(sessions), m_instanceId(std::move(instanceId))
{
    m_listChanged.setSingleShot(true);
    m_listChanged.setInterval(100);
    connect(&m_listChanged, &QTimer::timeout, this, [this] {
        for (LiveRoom *room : rooms()) {
            if (room->type().watchesRoomList && !room->isDisposed())
                room->logic().onRoomListChanged(*room);
        }
    });
    m_messages = &metrics.counter(QStringLiteral("arena_room_messages_total"),
                                  QStringLiteral("room_message requests accepted by room logic")).labels({});
    m_deliveries = &metrics.counter(QStringLiteral("arena_room_deliveries_total"),
                                    QStringLiteral("Room events and states delivered to members")).labels({});
    m_created = &metrics.counter(QStringLiteral("arena_rooms_created_total"), QStringLiteral("Rooms created")).labels({});
    m_disposed = &metrics.counter(QStringLiteral("arena_rooms_disposed_total"), QStringLiteral("Rooms disposed"))
                      .labels({});
    m_adopted = &metrics.counter(QStringLiteral("arena_rooms_adopted_total"),
                                 QStringLiteral("Rooms of dead instances restored here")).labels({});
    metrics.callbackGauge(QStringLiteral("arena_rooms"), QStringLiteral("Rooms on this instance"),
                          [this] { return double(m_rooms.size()); });
}

RoomManager::~RoomManager()
{
    m_listChanged.stop();
    for (auto &[id, room] : m_rooms)
        room->markDisposed();
}

void RoomManager::reply(Session &session, const Error &error, std::optional<quint64> rid)
{
    const auto code = protocol::errorCodeOf(error).value_or(ErrorCode::Internal);
    session.send(protocol::ErrorMessage::make(code, error.message, rid));
}

LiveRoom *RoomManager::find(const QString &roomId) const
{
    const auto it = m_rooms.find(roomId);
    return it == m_rooms.end() ? nullptr : it->second;
}

QList<LiveRoom *> RoomManager::rooms() const
{
    QList<LiveRoom *> out;
    out.reserve(qsizetype(m_rooms.size()));
    for (const auto &[id, room] : m_rooms)
        out.append(room);
    return out;
}

QList<protocol::RoomInfo> RoomManager::listed(const std::optional<QString> &type, const QJsonObject &filter) const
{
    QList<protocol::RoomInfo> out;
    for (const auto &[id, room] : m_rooms) {
        if (room->isPrivate() || room->isDisposed() || !room->reservations().isEmpty())
            continue;
        if (type && room->type().name != *type)
            continue;
        if (!matches(room->metadata(), filter))
            continue;
        out.append(room->info());
    }
    return out;
}

Result<LiveRoom *> RoomManager::createRoom(const CreateOptions &options)
{
    const RoomTypeInfo *type = m_types.find(options.type);
    if (!type)
        return err(ErrorCode::NotFound, QStringLiteral("no room type named \"%1\"").arg(options.type));
    const quint32 maxClients = options.maxClients.value_or(type->defaultMaxClients);
    if (maxClients == 0 || maxClients > type->maxMaxClients)
        return err(ErrorCode::BadRequest, QStringLiteral("max_clients of a %1 room must be 1 to %2")
                                              .arg(type->name)
                                              .arg(type->maxMaxClients));
    LiveRoom *room = newRoom(*type, newRoomId(), maxClients, options.isPrivate, options.metadata);
    room->reservations() = options.reservedFor;
    if (const auto created = room->logic().onCreate(*room, options.metadata); !created.ok()) {
        room->markDisposed();
        delete room;
        return created.error();
    }
    m_rooms.emplace(room->roomId(), room);
    room->startTicking();
    m_created->inc();
    writeRoom(*room);
    notifyListWatchers();
    return room;
}

LiveRoom *RoomManager::newRoom(const RoomTypeInfo &type, const QString &id, quint32 maxClients, bool isPrivate,
                               const QJsonObject &metadata)
{
    std::unique_ptr<Room> logic;
    RemoteRoom *remote = nullptr;
    if (type.runsInWorker && m_workers) {
        auto stand = std::make_unique<RemoteRoom>(*m_workers, type);
        remote = stand.get();
        logic = std::move(stand);
    } else {
        logic = type.create();
    }
    auto *room = new LiveRoom(*this, type, id, std::move(logic), maxClients, isPrivate, metadata, this);
    if (remote) {
        room->setRemote(remote);
        // The worker's room logic refused a join the manager had let through.
        remote->bind(*room, [this, id](const QString &sessionId, const Error &why) {
            LiveRoom *r = find(id);
            Session *session = member(sessionId);
            if (!r || !session)
                return;
            reply(*session, why, std::nullopt);
            removeMember(*session, *r, QStringLiteral("refused"), true);
        });
    }
    return room;
}

Result<LiveRoom *> RoomManager::restoreRoom(const RoomAdoption::Room &saved, const QList<Session *> &members)
{
    const auto refuse = [this, &saved](const Error &why) -> Result<LiveRoom *> {
        forgetKeys(saved.id, saved.type);
        return why;
    };
    const RoomTypeInfo *type = m_types.find(saved.type);
    if (!type)
        return refuse(err(ErrorCode::NotFound, QStringLiteral("no room type named \"%1\"").arg(saved.type)));
    if (find(saved.id))
        return err(ErrorCode::Conflict, QStringLiteral("room %1 is already hosted here").arg(saved.id));
    auto snapshot = protocol::RawJson();
    if (!saved.snapshot.isEmpty()) {
        auto parsed = protocol::RawJson::parse(saved.snapshot);
        if (!parsed.ok())
            return refuse(err(ErrorCode::BadRequest, QStringLiteral("the snapshot of room %1 is not JSON").arg(saved.id)));
        snapshot = parsed.value();
    }
    protocol::RawJson state;
    if (auto parsed = protocol::RawJson::parse(saved.state); !saved.state.isEmpty() && parsed.ok())
        state = parsed.value();
    const quint32 maxClients =
        saved.maxClients == 0 || saved.maxClients > type->maxMaxClients ? type->defaultMaxClients : saved.maxClients;
    LiveRoom *room = newRoom(*type, saved.id, maxClients, saved.isPrivate, saved.metadata);
    room->takeOver(saved.createdAt, saved.locked, state);
    QList<Session *> in;
    for (Session *s : members) {
        if (s && !room->hasMember(s->id) && !room->isFull()) {
            room->addMember(RoomMember{s->id, s->playerId});
            in.append(s);
        }
    }
    // A worker's room answers later: RemoteRoom ends the match ("lost") if its worker refuses the snapshot.
    if (const auto restored = room->logic().restore(*room, snapshot); !restored.ok()) {
        room->markDisposed();
        delete room;
        return refuse(restored.error());
    }
    m_rooms.emplace(room->roomId(), room);
    room->startTicking();
    m_adopted->inc();
    for (Session *s : std::as_const(in)) {
        s->rooms.insert(room->roomId());
        membershipChanged(*s, room->roomId(), true);
        sendJoined(*s, *room, std::nullopt);
    }
    if (!room->remote()) {
        protocol::MatchRestored restored;
        restored.roomId = room->roomId();
        restored.matchId = room->metadata().value(QStringLiteral("match_id")).toString(room->roomId());
        room->sendToMembers(protocol::encode(restored));
    }
    writeRoom(*room);
    stateChanged(*room);
    notifyListWatchers();
    return room;
}

bool RoomManager::isOpen(const LiveRoom &room)
{
    return !room.isPrivate() && !room.isLocked() && !room.isFull() && !room.isDisposed()
           && room.reservations().isEmpty();
}

bool RoomManager::hasJoinable(const QString &type, const QJsonObject &filter, const QString &sessionId) const
{
    for (const auto &[id, room] : m_rooms) {
        if (room->type().name == type && isOpen(*room) && !room->hasMember(sessionId)
            && matches(room->metadata(), filter))
            return true;
    }
    return false;
}

bool RoomManager::matchesFilter(const QJsonObject &metadata, const QJsonObject &filter)
{
    return matches(metadata, filter);
}

void RoomManager::joinOrCreate(Session &session, const protocol::JoinOrCreate &request)
{
    const QJsonObject filter = request.filter.toJsonObject();
    for (const auto &[id, room] : m_rooms) {
        if (room->type().name != request.roomType || !isOpen(*room) || room->hasMember(session.id))
            continue;
        if (!matches(room->metadata(), filter))
            continue;
        if (joinRoom(session, *room, request.rid).ok())
            return;
    }
    CreateOptions options;
    options.type = request.roomType;
    options.metadata = request.metadata.toJsonObject();
    options.maxClients = request.maxClients;
    createAndJoin(session, options, request.rid);
}

void RoomManager::createAndJoin(Session &session, const CreateOptions &options, std::optional<quint64> rid)
{
    if (!m_playerCreates) {
        auto e = protocol::ErrorMessage::make(ErrorCode::Unavailable,
                                              m_playerCreatesRefusal + QStringLiteral(" and creates no new rooms; join "
                                                                                      "an existing one or play on "
                                                                                      "another instance"),
                                              rid);
        e.retryAfterMs = 1000;
        session.send(e);
        return;
    }
    auto created = createRoom(options);
    if (!created.ok()) {
        reply(session, created.error(), rid);
        return;
    }
    if (const auto joined = joinRoom(session, *created.value(), rid); !joined.ok()) {
        // The room was made for this player alone: it goes when they cannot get in.
        reply(session, joined.error(), rid);
        dispose(created.value()->roomId(), QStringLiteral("disposed"));
    }
}

void RoomManager::create(Session &session, const protocol::Create &request)
{
    CreateOptions options;
    options.type = request.roomType;
    options.metadata = request.metadata.toJsonObject();
    options.isPrivate = request.isPrivate;
    options.maxClients = request.maxClients;
    createAndJoin(session, options, request.rid);
}

void RoomManager::join(Session &session, const protocol::Join &request)
{
    LiveRoom *room = find(request.roomId);
    if (!room || room->isDisposed()) {
        reply(session, err(ErrorCode::NotFound, QStringLiteral("no room %1").arg(request.roomId)), request.rid);
        return;
    }
    if (const auto joined = joinRoom(session, *room, request.rid); !joined.ok())
        reply(session, joined.error(), request.rid);
}

Result<void> RoomManager::joinRoom(Session &session, LiveRoom &room, std::optional<quint64> rid)
{
    if (room.hasMember(session.id))
        return err(ErrorCode::Conflict, QStringLiteral("you are already in room %1").arg(room.roomId()));
    if (!room.reservations().isEmpty() && !room.reservations().contains(session.id))
        return err(ErrorCode::Forbidden, QStringLiteral("room %1 is reserved for its matched players").arg(room.roomId()));
    if (room.isLocked())
        return err(ErrorCode::RoomLocked, QStringLiteral("room %1 is locked").arg(room.roomId()));
    if (room.isFull())
        return err(ErrorCode::RoomFull, QStringLiteral("room %1 is full (%2 players)").arg(room.roomId()).arg(room.maxClients()));
    const RoomMember member{session.id, session.playerId};
    if (const auto accepted = room.logic().onJoin(room, member); !accepted.ok())
        return accepted.error();
    room.addMember(member);
    session.rooms.insert(room.roomId());
    membershipChanged(session, room.roomId(), true);
    sendJoined(session, room, rid);
    protocol::MemberJoined joined;
    joined.roomId = room.roomId();
    joined.sessionId = session.id;
    joined.playerId = session.playerId;
    room.sendToMembers(protocol::encode(joined), session.id);
    room.logic().onJoined(room, member);
    writeRoom(room);
    notifyListWatchers();
    return {};
}

void RoomManager::sendJoined(Session &session, LiveRoom &room, std::optional<quint64> rid)
{
    protocol::Joined joined;
    joined.roomId = room.roomId();
    joined.roomType = room.roomType();
    joined.seq = room.seq();
    joined.maxClients = room.maxClients();
    for (const RoomMember &m : room.members())
        joined.members.append(protocol::Member{m.sessionId, m.playerId});
    joined.metadata = protocol::RawJson::fromJsonObject(room.metadata());
    joined.state = room.currentState();
    joined.rid = rid;
    session.send(joined);
}

void RoomManager::leave(Session &session, const protocol::Leave &request)
{
    LiveRoom *room = find(request.roomId);
    if (!room || !room->hasMember(session.id)) {
        reply(session, err(ErrorCode::NotFound, QStringLiteral("you are not in room %1").arg(request.roomId)),
              request.rid);
        return;
    }
    protocol::Left left;
    left.roomId = room->roomId();
    left.reason = QStringLiteral("requested");
    left.rid = request.rid;
    session.send(left);
    removeMember(session, *room, QStringLiteral("requested"), false);
}

void RoomManager::removeMember(Session &session, LiveRoom &room, const QString &reason, bool tellLeaver)
{
    if (!room.removeMember(session.id))
        return;
    session.rooms.remove(room.roomId());
    membershipChanged(session, room.roomId(), false);
    if (tellLeaver) {
        protocol::Left left;
        left.roomId = room.roomId();
        left.reason = reason;
        session.send(left);
    }
    protocol::MemberLeft gone;
    gone.roomId = room.roomId();
    gone.sessionId = session.id;
    gone.playerId = session.playerId;
    gone.reason = reason;
    room.sendToMembers(protocol::encode(gone));
    room.logic().onLeave(room, RoomMember{session.id, session.playerId}, reason);
    if (room.isDisposed())
        return;
    if (room.members().isEmpty() && room.type().autoDispose) {
        dispose(room.roomId(), QStringLiteral("disposed"));
        return;
    }
    writeRoom(room);
    notifyListWatchers();
}

void RoomManager::removeFromAll(Session &session, const QString &reason)
{
    const QSet<QString> ids = session.rooms;
    for (const QString &id : ids) {
        if (LiveRoom *room = find(id))
            removeMember(session, *room, reason, false);
    }
    session.rooms.clear();
}

bool RoomManager::rejoinRoom(Session &session, const QString &roomId)
{
    LiveRoom *room = find(roomId);
    if (!room || room->isDisposed() || !room->hasMember(session.id))
        return false;
    sendJoined(session, *room, std::nullopt);
    return true;
}

void RoomManager::rejoin(Session &session)
{
    for (const QString &id : std::as_const(session.rooms)) {
        if (LiveRoom *room = find(id))
            sendJoined(session, *room, std::nullopt);
    }
}

void RoomManager::listRooms(Session &session, const protocol::ListRooms &request)
{
    protocol::RoomList list;
    list.rooms = listed(request.roomType, request.filter.toJsonObject());
    list.rid = request.rid;
    session.send(list);
}

void RoomManager::message(Session &session, const protocol::RoomMessage &request)
{
    LiveRoom *room = find(request.roomId);
    if (!room || room->isDisposed()) {
        reply(session, err(ErrorCode::NotFound, QStringLiteral("no room %1").arg(request.roomId)), request.rid);
        return;
    }
    if (!room->hasMember(session.id)) {
        reply(session, err(ErrorCode::Forbidden, QStringLiteral("join room %1 before sending to it").arg(request.roomId)),
              request.rid);
        return;
    }
    const RoomMember from{session.id, session.playerId};
    if (RemoteRoom *remote = room->remote()) {
        // Answered when the worker's room logic has taken or refused it.
        const QString sid = session.id;
        const auto rid = request.rid;
        remote->message(from, request.data, [this, sid, rid](Result<void> handled) {
            Session *s = member(sid);
            if (!s)
                return;
            if (!handled.ok()) {
                reply(*s, handled.error(), rid);
                return;
            }
            m_messages->inc();
            if (rid) {
                protocol::Ack ack;
                ack.rid = rid;
                s->send(ack);
            }
        });
        return;
    }
    const auto handled = room->logic().onMessage(*room, from, request.data);
    if (!handled.ok()) {
        reply(session, handled.error(), request.rid);
        return;
    }
    m_messages->inc();
    if (request.rid) {
        protocol::Ack ack;
        ack.rid = request.rid;
        session.send(ack);
    }
}

void RoomManager::setLocked(Session &session, const QString &roomId, bool locked, std::optional<quint64> rid)
{
    LiveRoom *room = find(roomId);
    if (!room || room->isDisposed()) {
        reply(session, err(ErrorCode::NotFound, QStringLiteral("no room %1").arg(roomId)), rid);
        return;
    }
    if (!room->hasMember(session.id)) {
        reply(session, err(ErrorCode::Forbidden, QStringLiteral("only members may lock or unlock room %1").arg(roomId)),
              rid);
        return;
    }
    room->setLocked(locked);
    protocol::Ack ack;
    ack.rid = rid;
    session.send(ack);
}

bool RoomManager::dispose(const QString &roomId, const QString &reason)
{
    LiveRoom *room = find(roomId);
    if (!room || room->isDisposed())
        return false;
    finishDispose(*room, reason);
    return true;
}

void RoomManager::finishDispose(LiveRoom &room, const QString &reason)
{
    room.markDisposed();
    m_rooms.erase(room.roomId());
    protocol::Left left;
    left.roomId = room.roomId();
    left.reason = reason;
    const QByteArray encoded = protocol::encode(left);
    for (const RoomMember &m : room.members()) {
        if (Session *s = member(m.sessionId)) {
            s->rooms.remove(room.roomId());
            membershipChanged(*s, room.roomId(), false);
            s->sendEncoded(encoded);
        }
    }
    room.logic().onDispose(room);
    forgetRoom(room);
    m_disposed->inc();
    notifyListWatchers();
    emit roomDisposed(room.roomId(), reason);
    // Hooks of this room may still be on the stack (a room that disposes itself).
    room.deleteLater();
}

void RoomManager::disposeAll(const QString &reason)
{
    for (LiveRoom *room : rooms())
        finishDispose(*room, reason);
}

void RoomManager::handOverAll()
{
    for (LiveRoom *room : rooms()) {
        if (RemoteRoom *remote = room->remote())
            remote->handOver();
        room->markDisposed();
        m_rooms.erase(room->roomId());
        room->deleteLater();
    }
}

void RoomManager::deliver(const QString &sessionId, const QByteArray &encoded)
{
    if (Session *s = member(sessionId))
        s->sendEncoded(encoded); // a detached member misses it and gets the state again on resume
}

void RoomManager::countEvent(qsizetype deliveries)
{
    m_deliveries->inc(double(deliveries));
}

void RoomManager::roomChanged(LiveRoom &room)
{
    writeRoom(room);
    notifyListWatchers();
}

void RoomManager::stateChanged(LiveRoom &room)
{
    // The snapshot a match is restored from (worker pool issue) and late joiners on other instances read.
    const QByteArray state = room.currentState().json();
    m_owned.set(roomkeys::state(room.roomId()), state);
    // What another instance restores the room from if this one dies (RoomAdoption): the state, unless
    // the type keeps more (a worker's match stores its own snapshots).
    if (!room.remote()) {
        const QByteArray snapshot = room.logic().snapshot().json();
        if (snapshot != state)
            m_owned.set(roomkeys::snapshot(room.roomId()), snapshot);
    }
}

void RoomManager::notifyListWatchers()
{
    if (!m_listChanged.isActive())
        m_listChanged.start();
}

void RoomManager::writeRoom(const LiveRoom &room)
{
    const QByteArray type = room.roomType().toUtf8();
    const QByteArray id = room.roomId().toUtf8();
    m_owned.write(roomkeys::record(room.roomId()),
                  {{"type", type},
                   {"clients", QByteArray::number(room.members().size())},
                   {"max_clients", QByteArray::number(room.maxClients())},
                   {"locked", room.isLocked() ? "1" : "0"},
                   {"private", room.isPrivate() ? "1" : "0"},
                   {"created", QByteArray::number(room.createdAt())},
                   {"metadata", QJsonDocument(room.metadata()).toJson(QJsonDocument::Compact)},
                   // Who is in it and where each one is connected, for an instance that adopts it.
                   {"members", RoomAdoption::encodeMembers(membersOf(room))}},
                  0,
                  {{InstanceRegistry::roomsIndexKey(m_instanceId), id, true},
                   {"rooms:" + type, id, !room.isPrivate()},
                   // The rooms another instance's join_or_create may join (docs/OPERATIONS.md).
                   {openRoomsKey(room.roomType()), id, isOpen(room)}});
}

QByteArray RoomManager::openRoomsKey(const QString &type)
{
    return "rooms:" + type.toUtf8() + ":open";
}

QList<RoomAdoption::Member> RoomManager::membersOf(const LiveRoom &room) const
{
    QList<RoomAdoption::Member> out;
    out.reserve(room.members().size());
    for (const RoomMember &m : room.members()) {
        const Session *s = member(m.sessionId);
        // Own sessions are here; a stand-in's player is at its home (none for an orphan).
        const QString home = !s ? QString() : m_sessions.find(m.sessionId) == s ? m_instanceId : s->home;
        out.append(RoomAdoption::Member{m.sessionId, m.playerId, home});
    }
    return out;
}

Session *RoomManager::member(const QString &sessionId) const
{
    if (Session *s = m_sessions.find(sessionId))
        return s;
    return m_memberLookup ? m_memberLookup(sessionId) : nullptr;
}

void RoomManager::membershipChanged(Session &session, const QString &roomId, bool in)
{
    if (session.home.isEmpty()) {
        // The record lists the session's rooms, for an instance that takes it over (SessionClaim).
        if (m_sessions.find(session.id) == &session)
            m_sessions.writeRecord(session);
        return;
    }
    if (m_membershipHook)
        m_membershipHook(session, roomId, in);
}

int RoomManager::republish()
{
    for (const auto &[id, room] : m_rooms) {
        writeRoom(*room);
        stateChanged(*room);
    }
    return int(m_rooms.size());
}

void RoomManager::forgetRoom(const LiveRoom &room)
{
    forgetKeys(room.roomId(), room.roomType());
}

void RoomManager::forgetKeys(const QString &roomId, const QString &type)
{
    m_store.unlink({roomkeys::record(roomId), roomkeys::state(roomId), roomkeys::snapshot(roomId)}, this, nullptr);
    m_store.srem("rooms:" + type.toUtf8(), {roomId.toUtf8()}, this, nullptr);
    m_store.srem(openRoomsKey(type), {roomId.toUtf8()}, this, nullptr);
    m_store.srem(InstanceRegistry::roomsIndexKey(m_instanceId), {roomId.toUtf8()}, this, nullptr);
}

} // namespace arena
