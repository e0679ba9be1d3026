#include "server/hosting/clusterrooms.h"

#include "server/cluster/instancebus.h"
#include "server/cluster/instanceregistry.h"
#include "server/cluster/ownedwrites.h"
#include "server/cluster/roomkeys.h"
#include "server/cluster/sessionclaim.h"
#include "server/gateway/clienttransport.h"
#include "server/gateway/playerconnection.h"
#include "server/hosting/roommanager.h"
#include "server/matchmaking/match.h"
#include "server/matchmaking/ticket.h"
#include "server/rooms/roomtyperegistry.h"
#include "server/serverlog.h"
#include "server/sessions/sessionmanager.h"
#include "shared/protocol/codec.h"
#include "shared/store/statestore.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QtEndian>

#include <algorithm>

namespace arena {

using protocol::ErrorCode;

namespace {

// How many open rooms of other instances a join_or_create looks at before it creates one here.
constexpr int MaxCandidates = 8;
// Room ids learnt from match_found that no member has entered yet; the oldest go past this many.
constexpr int MaxHints = 4096;

template <typename M>
constexpr bool isRoomScoped = std::is_same_v<M, protocol::Leave> || std::is_same_v<M, protocol::RoomMessage>
                              || std::is_same_v<M, protocol::LockRoom> || std::is_same_v<M, protocol::UnlockRoom>;

} // namespace

// The pipe under a stand-in's connection: what the room sends the player goes to its home instance.
class ClusterRooms::BusTransport final : public ClientTransport
{
public:
    BusTransport(ClusterRooms &cluster, QString home, QString sid)
        : m_cluster(cluster), m_home(std::move(home)), m_sid(std::move(sid))
    {
    }
    void attach(PlayerConnection &) override {}
    void sendText(const QByteArray &utf8) override
    {
        if (m_open && !m_home.isEmpty()) // no home: an orphan, waiting for its player to resume somewhere
            m_cluster.sendRecord(m_home, encodeRecord(Kind::Out, {m_sid.toUtf8(), utf8}));
    }
    // The room layer never closes a connection; a stand-in just stops forwarding if anything does.
    void close(quint16, const QString &) override { m_open = false; }
    void abort() override { m_open = false; }
    qint64 backlogBytes() const override { return 0; }
    bool isOpen() const override { return m_open; }
    QString peer() const override { return QStringLiteral("instance ") + m_home; }
    void setHome(const QString &home) { m_home = home; }

private:
    ClusterRooms &m_cluster;
    QString m_home;
    QString m_sid;
    bool m_open = true;
};

struct ClusterRooms::StandIn
{
    Session session;
    BusTransport *transport = nullptr; // owned by connection
    std::unique_ptr<PlayerConnection> connection;
    bool dropping = false;
    qint64 orphanedAt = 0; // its home died (ms since the epoch); 0 while it has one
};

ClusterRooms::ClusterRooms(StateStore &store, InstanceBus &bus, RoomManager &rooms, SessionManager &sessions,
                           const RoomTypeRegistry &types, const OwnedWrites &owned, QObject *parent)
    : QObject(parent), m_store(store), m_bus(bus), m_rooms(rooms), m_sessions(sessions), m_types(types),
      m_owned(owned), m_adoption(new RoomAdoption(store, bus.instanceId(), this)), m_self(bus.instanceId())
{
    m_rooms.setMemberLookup([this](const QString &sid) -> Session * {
        const auto it = m_standIns.constFind(sid);
        return it == m_standIns.constEnd() ? nullptr : &it.value()->session;
    });
    m_rooms.setMembershipHook([this](Session &session, const QString &roomId, bool in) {
        const auto it = m_standIns.constFind(session.id);
        if (it == m_standIns.constEnd() || it.value()->dropping || session.home.isEmpty())
            return;
        sendRecord(session.home, encodeRecord(Kind::Member, {session.id.toUtf8(), roomId.toUtf8(),
                                                             in ? QByteArrayView("1") : QByteArrayView("0")}));
        if (!in && session.rooms.isEmpty())
            scheduleSweep(session.id);
    });
    connect(&m_bus, &InstanceBus::received, this, &ClusterRooms::onRecord);
    connect(&m_bus, &InstanceBus::linkBroken, this, [this](const QString &from, quint64 missed) {
        qCWarning(lcServer) << "lost" << missed << "publishes from instance" << from << "- resyncing its rooms";
        resyncWith(from);
    });
    connect(&m_bus, &InstanceBus::peerRestarted, this,
            [this](const QString &from) { peerGone(from, "it restarted"); });
    connect(&m_bus, &InstanceBus::resubscribed, this, [this] {
        for (const QString &peer : peers())
            resyncWith(peer);
    });
    // A publish nobody heard (the peer's subscriber was reconnecting, say) may have carried a resync or
    // a room's events: resync with that peer a little later, for as long as it is a peer at all.
    connect(&m_bus, &InstanceBus::undeliverable, this, [this](const QString &to, const QList<QByteArray> &records) {
        // A match sent there that nobody heard is hosted here instead (its players wait otherwise).
        for (const QByteArray &record : records) {
            Kind kind;
            QList<QByteArray> fields;
            if (!decodeRecord(record, kind, fields) || kind != Kind::Host || fields.isEmpty())
                continue;
            if (const auto match = decodeMatch(fields.at(0)); match && m_hostMatch) {
                qCWarning(lcServer) << "instance" << to << "did not hear match" << match->id << "- hosting it here";
                m_hostMatch(*match);
            }
        }
        if (m_resyncQueued.contains(to))
            return;
        m_resyncQueued.insert(to);
        QTimer::singleShot(std::chrono::seconds(1), this, [this, to] {
            m_resyncQueued.remove(to);
            resyncWith(to);
        });
    });
    m_peerCheck.setInterval(std::chrono::seconds(2));
    connect(&m_peerCheck, &QTimer::timeout, this, &ClusterRooms::checkPeers);
    m_peerCheck.start();
}

ClusterRooms::~ClusterRooms()
{
    m_rooms.setMemberLookup(nullptr);
    m_rooms.setMembershipHook(nullptr);
}

// ---- records

QByteArray ClusterRooms::encodeRecord(Kind kind, std::initializer_list<QByteArrayView> fields)
{
    qsizetype size = 1;
    for (QByteArrayView f : fields)
        size += 4 + f.size();
    QByteArray out;
    out.reserve(size);
    out.append(char(kind));
    for (QByteArrayView f : fields) {
        char length[4];
        qToBigEndian(quint32(f.size()), length);
        out.append(length, 4);
        out.append(f);
    }
    return out;
}

bool ClusterRooms::decodeRecord(const QByteArray &record, Kind &kind, QList<QByteArray> &fields)
{
    if (record.isEmpty())
        return false;
    kind = Kind(quint8(record.at(0)));
    fields.clear();
    qsizetype pos = 1;
    while (pos < record.size()) {
        if (record.size() - pos < 4)
            return false;
        const quint32 size = qFromBigEndian<quint32>(record.constData() + pos);
        pos += 4;
        if (record.size() - pos < qsizetype(size))
            return false;
        fields.append(record.mid(pos, size));
        pos += size;
    }
    return true;
}

void ClusterRooms::sendRecord(const QString &to, const QByteArray &record)
{
    if (to.isEmpty() || to == m_self || m_leaving)
        return;
    m_bus.send(to, record);
}

void ClusterRooms::onRecord(const QString &from, const QByteArray &record)
{
    Kind kind;
    QList<QByteArray> f;
    if (!decodeRecord(record, kind, f)) {
        qCWarning(lcServer) << "dropped a malformed bus record from instance" << from;
        return;
    }
    if (kind != Kind::Leaving)
        m_gone.remove(from); // it speaks: whatever was given up of it, it is back
    const auto str = [&f](int i) { return QString::fromUtf8(f.value(i)); };
    const auto need = [&](int n) {
        if (f.size() >= n)
            return true;
        qCWarning(lcServer) << "dropped a bus record of kind" << int(kind) << "from instance" << from << "with"
                            << f.size() << "fields";
        return false;
    };
    switch (kind) {
    case Kind::Request:
        if (need(3))
            onRequest(from, str(0), str(1), f.at(2));
        return;
    case Kind::Gone:
        if (need(2))
            onGone(str(0), str(1));
        return;
    case Kind::Resync:
        if (need(2))
            onResync(from, str(0), str(1));
        return;
    case Kind::Out:
        if (need(2))
            onOut(str(0), f.at(1));
        return;
    case Kind::Member:
        if (need(3))
            onMember(from, str(0), str(1), f.at(2) == "1");
        return;
    case Kind::Match:
        if (need(3))
            onMatch(from, str(0), str(1), f.at(2));
        return;
    case Kind::TicketGone:
        if (need(2))
            onTicketGone(str(0), f.at(1));
        return;
    case Kind::Host:
        if (need(1)) {
            const auto match = decodeMatch(f.at(0));
            if (!match)
                qCWarning(lcServer) << "dropped a malformed match from instance" << from;
            else if (m_hostMatch)
                m_hostMatch(*match);
        }
        return;
    case Kind::Adopt:
        if (need(1))
            adoptRoom(str(0), {});
        return;
    case Kind::Leaving:
        peerGone(from, "it shut down");
        return;
    case Kind::Probe:
        if (need(1) && !m_sessions.find(str(0)))
            sendRecord(from, encodeRecord(Kind::Gone, {f.at(0), "disconnected"}));
        return;
    }
    qCWarning(lcServer) << "dropped a bus record of unknown kind" << int(kind) << "from instance" << from;
}

// ---- home side

bool ClusterRooms::route(Session &session, const protocol::ClientMessage &message)
{
    return std::visit(
        [&](const auto &m) -> bool {
            using M = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<M, protocol::Join>) {
                if (m_rooms.find(m.roomId))
                    return false;
                if (const auto it = m_remote.constFind(m.roomId); it != m_remote.constEnd()) {
                    forward(it->host, session, message);
                    return true;
                }
                if (const QString hinted = m_hints.value(m.roomId); !hinted.isEmpty()) {
                    forward(hinted, session, message);
                    return true;
                }
                if (!m_store.isAvailable())
                    return false;
                forwardOrNotFound(session.id, m.roomId, message, m.rid);
                return true;
            } else if constexpr (std::is_same_v<M, protocol::JoinOrCreate>) {
                if (!m_store.isAvailable() || m_rooms.hasJoinable(m.roomType, m.filter.toJsonObject(), session.id))
                    return false;
                joinOrCreateAnywhere(session.id, m);
                return true;
            } else if constexpr (isRoomScoped<M>) {
                if (m_adopting.contains(m.roomId) && session.rooms.contains(m.roomId)) {
                    auto e = protocol::ErrorMessage::make(ErrorCode::Unavailable,
                                                          QStringLiteral("room %1 is moving to another instance; "
                                                                         "send again in a moment")
                                                              .arg(m.roomId),
                                                          m.rid);
                    e.retryAfterMs = 500;
                    session.send(e);
                    return true;
                }
                const auto it = m_remote.constFind(m.roomId);
                if (it == m_remote.constEnd() || !it->members.contains(session.id))
                    return false;
                forward(it->host, session, message);
                return true;
            } else if constexpr (std::is_same_v<M, protocol::ListRooms>) {
                if (!m_store.isAvailable())
                    return false;
                listRooms(session, m);
                return true;
            } else {
                return false;
            }
        },
        message);
}

void ClusterRooms::forward(const QString &host, const Session &session, const protocol::ClientMessage &message)
{
    sendRecord(host, encodeRecord(Kind::Request,
                                  {session.id.toUtf8(), session.playerId.toUtf8(), protocol::encode(message)}));
}

void ClusterRooms::forwardOrNotFound(const QString &sid, const QString &roomId, const protocol::ClientMessage &message,
                                     std::optional<quint64> rid)
{
    const auto notFound = [this, sid, roomId, rid] {
        if (Session *s = m_sessions.find(sid))
            s->send(protocol::ErrorMessage::make(ErrorCode::NotFound, QStringLiteral("no room %1").arg(roomId), rid));
    };
    m_store.hget(roomkeys::record(roomId), "instance", this,
                 [this, sid, roomId, message, rid, notFound](Result<std::optional<QByteArray>> owner) {
        if (!owner.ok()) {
            if (Session *s = m_sessions.find(sid))
                s->send(protocol::ErrorMessage::make(ErrorCode::Unavailable,
                                                     QStringLiteral("could not look up room %1: %2")
                                                         .arg(roomId, owner.error().message),
                                                     rid));
            return;
        }
        const QString host = owner.value() ? QString::fromUtf8(*owner.value()) : QString();
        if (host.isEmpty() || host == m_self) {
            notFound();
            return;
        }
        // A record whose instance has no lease any more is what a dead instance left: not a room.
        m_store.exists(InstanceRegistry::recordKey(host), this,
                       [this, sid, host, message, notFound](Result<bool> live) {
            Session *s = m_sessions.find(sid);
            if (!s)
                return;
            if (live.ok() && live.value())
                forward(host, *s, message);
            else
                notFound();
        });
    });
}

void ClusterRooms::joinOrCreateAnywhere(const QString &sid, const protocol::JoinOrCreate &request)
{
    // Here when no room of this instance fits: join an open room of another instance, else create one here.
    const auto createHere = [this, sid, request] {
        if (Session *s = m_sessions.find(sid))
            m_rooms.joinOrCreate(*s, request);
    };
    m_store.smembers(RoomManager::openRoomsKey(request.roomType), this,
                     [this, sid, request, createHere](Result<StateStore::Keys> open) {
        if (!open.ok()) {
            createHere();
            return;
        }
        QStringList candidates;
        for (const QByteArray &id : open.value()) {
            const QString roomId = QString::fromUtf8(id);
            if (!m_rooms.find(roomId))
                candidates.append(roomId);
        }
        if (candidates.isEmpty()) {
            createHere();
            return;
        }
        // Start somewhere random so that players arriving together spread over the open rooms.
        std::rotate(candidates.begin(),
                    candidates.begin() + QRandomGenerator::global()->bounded(int(candidates.size())),
                    candidates.end());
        if (candidates.size() > MaxCandidates)
            candidates.resize(MaxCandidates);
        // Looked at one after the other; the first that fits wins.
        auto tryNext = std::make_shared<std::function<void(int)>>();
        *tryNext = [this, sid, request, createHere, candidates, tryNext](int i) {
            if (i >= candidates.size()) {
                createHere();
                *tryNext = nullptr; // breaks the cycle
                return;
            }
            m_store.hgetAll(roomkeys::record(candidates.at(i)), this,
                            [this, sid, request, createHere, tryNext, i](Result<StateStore::Fields> record) {
                if (!*tryNext)
                    return;
                const auto next = [tryNext, i] {
                    if (*tryNext)
                        (*tryNext)(i + 1);
                };
                if (!record.ok()) {
                    next();
                    return;
                }
                const StateStore::Fields &r = record.value();
                const QString host = QString::fromUtf8(r.value("instance"));
                const bool fits = !host.isEmpty() && host != m_self && r.value("type") == request.roomType.toUtf8()
                                  && r.value("locked") == "0" && r.value("private") == "0"
                                  && r.value("clients").toLongLong() < r.value("max_clients").toLongLong()
                                  && RoomManager::matchesFilter(QJsonDocument::fromJson(r.value("metadata")).object(),
                                                                request.filter.toJsonObject());
                if (!fits) {
                    next();
                    return;
                }
                m_store.exists(InstanceRegistry::recordKey(host), this, [this, sid, host, request, next,
                                                                         tryNext](Result<bool> live) {
                    if (!*tryNext)
                        return;
                    if (!live.ok() || !live.value()) {
                        next();
                        return;
                    }
                    *tryNext = nullptr;
                    if (Session *s = m_sessions.find(sid))
                        forward(host, *s, request);
                });
            });
        };
        (*tryNext)(0);
    });
}

void ClusterRooms::listRooms(Session &session, const protocol::ListRooms &request)
{
    const QJsonObject filter = request.filter.toJsonObject();
    const QStringList types = request.roomType ? QStringList{*request.roomType} : m_types.names();
    struct Pending
    {
        int waiting = 0;
        QHash<QString, protocol::RoomInfo> rooms;
    };
    auto pending = std::make_shared<Pending>();
    for (const protocol::RoomInfo &info : m_rooms.listed(request.roomType, filter))
        pending->rooms.insert(info.roomId, info);
    const QString sid = session.id;
    const auto rid = request.rid;
    const auto finish = [this, pending, sid, rid] {
        Session *s = m_sessions.find(sid);
        if (!s)
            return;
        protocol::RoomList list;
        QStringList ids = pending->rooms.keys();
        std::sort(ids.begin(), ids.end());
        for (const QString &id : std::as_const(ids))
            list.rooms.append(pending->rooms.value(id));
        list.rid = rid;
        s->send(list);
    };
    const auto done = [pending, finish] {
        if (--pending->waiting == 0)
            finish();
    };
    pending->waiting = int(types.size());
    if (types.isEmpty()) {
        finish();
        return;
    }
    for (const QString &type : types) {
        m_store.smembers("rooms:" + type.toUtf8(), this,
                         [this, pending, done, filter, type](Result<StateStore::Keys> ids) {
            if (ids.ok()) {
                for (const QByteArray &id : ids.value()) {
                    const QString roomId = QString::fromUtf8(id);
                    if (m_rooms.find(roomId))
                        continue;
                    ++pending->waiting;
                    m_store.hgetAll(roomkeys::record(roomId), this,
                                    [this, pending, done, filter, type, roomId](Result<StateStore::Fields> record) {
                        if (record.ok()) {
                            const StateStore::Fields &r = record.value();
                            const QJsonObject metadata = QJsonDocument::fromJson(r.value("metadata")).object();
                            const QByteArray host = r.value("instance");
                            if (!host.isEmpty() && host != m_self.toUtf8() && r.value("private") == "0"
                                && RoomManager::matchesFilter(metadata, filter)) {
                                protocol::RoomInfo info;
                                info.roomId = roomId;
                                info.roomType = type;
                                info.clients = quint32(r.value("clients").toUInt());
                                info.maxClients = quint32(r.value("max_clients").toUInt());
                                info.locked = r.value("locked") == "1";
                                info.metadata = protocol::RawJson::fromJsonObject(metadata);
                                pending->rooms.insert(roomId, info);
                            }
                        }
                        done();
                    });
                }
            }
            done();
        });
    }
}

void ClusterRooms::sessionEnded(const Session &session, const QString &reason)
{
    QSet<QString> hosts;
    for (const QString &roomId : session.rooms) {
        auto it = m_remote.find(roomId);
        if (it == m_remote.end())
            continue;
        hosts.insert(it->host);
        it->members.remove(session.id);
        if (it->members.isEmpty())
            m_remote.erase(it);
    }
    for (const QString &host : std::as_const(hosts))
        sendRecord(host, encodeRecord(Kind::Gone, {session.id.toUtf8(), reason.toUtf8()}));
}

void ClusterRooms::sessionResumed(const Session &session)
{
    for (const QString &roomId : session.rooms) {
        if (const auto it = m_remote.constFind(roomId); it != m_remote.constEnd())
            sendRecord(it->host, encodeRecord(Kind::Resync, {session.id.toUtf8(), roomId.toUtf8()}));
    }
}

void ClusterRooms::matchFound(const Ticket &ticket, const QByteArray &frame, const QString &roomId)
{
    sendRecord(ticket.instanceId,
               encodeRecord(Kind::Match, {ticket.sessionId.toUtf8(), roomId.toUtf8(), frame}));
}

void ClusterRooms::ticketRemoved(const Ticket &ticket, const QByteArray &frame)
{
    sendRecord(ticket.instanceId, encodeRecord(Kind::TicketGone, {ticket.sessionId.toUtf8(), frame}));
}

void ClusterRooms::handOver(std::chrono::milliseconds grace,
                            const std::function<QString(const QSet<QString> &)> &chooseHost,
                            std::function<void(bool)> done)
{
    if (!m_store.isAvailable()) {
        done(false);
        return;
    }
    QList<LiveRoom *> rooms;
    for (LiveRoom *room : m_rooms.rooms()) {
        if (!room->isDisposed() && !room->members().isEmpty())
            rooms.append(room);
    }
    const QList<Session *> sessions = m_sessions.sessions();
    struct Pending
    {
        int waiting = 1;
        QStringList rooms;                // orphaned, with the instances of their members
        QList<QSet<QString>> homes;
        std::function<void(bool)> done;
    };
    auto pending = std::make_shared<Pending>();
    pending->done = std::move(done);
    const QByteArray ttl = QByteArray::number(qint64(grace.count()));
    const auto finished = [this, pending, chooseHost] {
        if (--pending->waiting > 0)
            return;
        // Every instance that hears of a room here hears that this one leaves, after the room (one
        // publish each, in order): the adopter then knows this instance's players are orphans.
        QSet<QString> told = peers();
        for (qsizetype i = 0; i < pending->rooms.size(); ++i) {
            const QString host = chooseHost(pending->homes.at(i));
            if (host.isEmpty())
                continue;
            sendRecord(host, encodeRecord(Kind::Adopt, {pending->rooms.at(i).toUtf8()}));
            told.insert(host);
        }
        for (const QString &peer : std::as_const(told))
            sendRecord(peer, encodeRecord(Kind::Leaving, {}));
        qCInfo(lcServer) << "handed over" << pending->rooms.size() << "rooms and the sessions of this instance";
        m_leaving = true;
        pending->done(true);
    };
    for (LiveRoom *room : std::as_const(rooms)) {
        const QString id = room->roomId();
        QSet<QString> homes;
        for (const RoomMember &m : room->members()) {
            const auto it = m_standIns.constFind(m.sessionId);
            if (it != m_standIns.constEnd() && !it.value()->session.home.isEmpty())
                homes.insert(it.value()->session.home);
        }
        ++pending->waiting;
        m_store.run(RoomAdoption::OrphanName, {roomkeys::record(id), roomkeys::state(id), roomkeys::snapshot(id)},
                    {m_self.toUtf8(), ttl}, this,
                    [pending, finished, roomId = room->roomId(), homes](Result<Reply> orphaned) {
            if (orphaned.ok() && orphaned.value().integer() == 1) {
                pending->rooms.append(roomId);
                pending->homes.append(homes);
            }
            finished();
        });
    }
    for (Session *s : sessions) {
        ++pending->waiting;
        m_store.run(SessionClaim::OrphanName, {"session:" + s->id.toUtf8()}, {m_self.toUtf8(), ttl}, this,
                    [finished](Result<Reply>) { finished(); });
    }
    finished();
}

void ClusterRooms::placeMatch(const QString &host, const Match &match)
{
    sendRecord(host, encodeRecord(Kind::Host, {encodeMatch(match)}));
}

QByteArray ClusterRooms::encodeMatch(const Match &match)
{
    QJsonArray teams;
    for (const QList<Ticket> &team : match.teams) {
        QJsonArray tickets;
        for (const Ticket &t : team) {
            QJsonObject fields;
            const auto f = t.toFields();
            for (auto it = f.cbegin(); it != f.cend(); ++it)
                fields.insert(QString::fromUtf8(it.key()), QString::fromUtf8(it.value()));
            tickets.append(fields);
        }
        teams.append(tickets);
    }
    return QJsonDocument(QJsonObject{{QStringLiteral("id"), match.id},
                                     {QStringLiteral("room_type"), match.roomType},
                                     {QStringLiteral("team_size"), match.teamSize},
                                     {QStringLiteral("formed"), double(match.formedAtMs)},
                                     {QStringLiteral("teams"), teams}})
        .toJson(QJsonDocument::Compact);
}

std::optional<Match> ClusterRooms::decodeMatch(const QByteArray &json)
{
    const QJsonObject o = QJsonDocument::fromJson(json).object();
    Match match;
    match.id = o.value(QStringLiteral("id")).toString();
    match.roomType = o.value(QStringLiteral("room_type")).toString();
    match.teamSize = o.value(QStringLiteral("team_size")).toInt();
    match.formedAtMs = qint64(o.value(QStringLiteral("formed")).toDouble());
    for (const QJsonValue &team : o.value(QStringLiteral("teams")).toArray()) {
        QList<Ticket> tickets;
        for (const QJsonValue &ticket : team.toArray()) {
            QMap<QByteArray, QByteArray> fields;
            const QJsonObject t = ticket.toObject();
            for (auto it = t.begin(); it != t.end(); ++it)
                fields.insert(it.key().toUtf8(), it.value().toString().toUtf8());
            const auto parsed = Ticket::fromFields(fields);
            if (!parsed)
                return std::nullopt;
            tickets.append(*parsed);
        }
        match.teams.append(tickets);
    }
    if (match.id.isEmpty() || match.roomType.isEmpty() || match.teams.isEmpty())
        return std::nullopt;
    return match;
}

void ClusterRooms::onOut(const QString &sid, const QByteArray &frame)
{
    if (Session *s = m_sessions.find(sid))
        s->sendEncoded(frame); // a detached session misses it and gets `joined` again on resume
}

void ClusterRooms::onMember(const QString &host, const QString &sid, const QString &roomId, bool in)
{
    Session *s = m_sessions.find(sid);
    if (in) {
        if (!s) {
            // It ended while its join crossed over: take it out again.
            sendRecord(host, encodeRecord(Kind::Gone, {sid.toUtf8(), "disconnected"}));
            return;
        }
        s->rooms.insert(roomId);
        RemoteRoom &room = m_remote[roomId];
        room.host = host;
        room.members.insert(sid);
        m_hints.remove(roomId);
        m_sessions.writeRecord(*s);
        return;
    }
    if (s) {
        s->rooms.remove(roomId);
        m_sessions.writeRecord(*s);
    }
    if (auto it = m_remote.find(roomId); it != m_remote.end()) {
        it->members.remove(sid);
        if (it->members.isEmpty())
            m_remote.erase(it);
    }
}

void ClusterRooms::onMatch(const QString &former, const QString &sid, const QString &roomId, const QByteArray &frame)
{
    if (m_hints.size() >= MaxHints)
        m_hints.clear(); // hints only save a lookup: the store has every room's instance
    m_hints.insert(roomId, former);
    Session *s = m_sessions.find(sid);
    if (!s)
        return;
    s->queued = false;
    s->ticket.clear();
    s->sendEncoded(frame);
}

void ClusterRooms::onTicketGone(const QString &sid, const QByteArray &frame)
{
    Session *s = m_sessions.find(sid);
    if (!s)
        return;
    s->queued = false;
    s->ticket.clear();
    s->sendEncoded(frame);
}

void ClusterRooms::loseRoomsOf(const QString &host)
{
    QStringList rooms;
    for (auto it = m_remote.cbegin(); it != m_remote.cend(); ++it) {
        if (it->host == host)
            rooms.append(it.key());
    }
    for (const QString &roomId : std::as_const(rooms))
        adoptRoom(roomId, {});
    for (auto it = m_hints.begin(); it != m_hints.end();)
        it = it.value() == host ? m_hints.erase(it) : std::next(it);
}

void ClusterRooms::adoptRoom(const QString &roomId, const QSet<QString> &waiting)
{
    if (const auto it = m_adopting.find(roomId); it != m_adopting.end()) {
        *it += waiting;
        return;
    }
    m_adopting.insert(roomId, waiting);
    m_adoption->adopt(roomId, m_owned.epoch(), [this, roomId](Result<RoomAdoption::Outcome> outcome) {
        adopted(roomId, outcome);
    });
}

void ClusterRooms::adopted(const QString &roomId, const Result<RoomAdoption::Outcome> &outcome)
{
    // This instance's sessions that were in the room: those that asked for it, and its remote members.
    QSet<QString> mine = m_adopting.take(roomId);
    const auto remote = m_remote.find(roomId);
    const QString knownHost = remote != m_remote.end() ? remote->host : QString();
    if (remote != m_remote.end())
        mine += remote->members;
    if (!outcome.ok()) {
        qCWarning(lcServer) << "could not take over room" << roomId << "of a dead instance:" << outcome.error().message;
        loseRoom(roomId, mine);
        return;
    }
    const RoomAdoption::Outcome &o = outcome.value();
    if (o.kind == RoomAdoption::Outcome::HostedElsewhere && o.host != m_self) {
        // Another instance hosts it (it adopted it first): it answers each session with the room, or
        // says it is lost. Its own Member records may already have said so.
        RemoteRoom &r = m_remote[roomId];
        const bool told = knownHost == o.host;
        r.host = o.host;
        for (const QString &sid : std::as_const(mine)) {
            if (!m_sessions.find(sid) || (told && r.members.contains(sid)))
                continue;
            r.members.insert(sid);
            sendRecord(o.host, encodeRecord(Kind::Resync, {sid.toUtf8(), roomId.toUtf8()}));
        }
        if (r.members.isEmpty())
            m_remote.remove(roomId);
        return;
    }
    if (o.kind != RoomAdoption::Outcome::Adopted) {
        loseRoom(roomId, mine);
        return;
    }
    m_remote.remove(roomId);
    m_hints.remove(roomId);
    const RoomAdoption::Room &room = o.room;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QList<Session *> members;
    QStringList standIns;
    for (const RoomAdoption::Member &m : room.members) {
        if (Session *s = m_sessions.find(m.sessionId)) {
            members.append(s);
            mine.remove(m.sessionId);
            continue;
        }
        if (m.home == m_self)
            continue; // its session ended here meanwhile
        if (const auto it = m_standIns.constFind(m.sessionId); it != m_standIns.constEnd()) {
            members.append(&it.value()->session); // already here, for a room of this instance
            continue;
        }
        // A player of another live instance gets a stand-in that talks to its home; one whose home died
        // with the host (or before) an orphan's, kept for the resume grace.
        const bool orphan = m.home.isEmpty() || m.home == room.previousHost || m_gone.contains(m.home);
        Session &standInSession = standIn(orphan ? QString() : m.home, m.sessionId, m.playerId);
        if (orphan)
            m_standIns.value(m.sessionId)->orphanedAt = now;
        members.append(&standInSession);
        standIns.append(m.sessionId);
    }
    const auto restored = m_rooms.restoreRoom(room, members);
    if (!restored.ok()) {
        qCWarning(lcServer).noquote() << "room" << roomId << "of instance"
                                      << (room.previousHost.isEmpty() ? QStringLiteral("(none)") : room.previousHost)
                                      << "could not be restored here:" << restored.error().message;
        protocol::Left left;
        left.roomId = roomId;
        left.reason = QStringLiteral("lost");
        const QByteArray encoded = protocol::encode(left);
        for (const QString &sid : std::as_const(standIns)) {
            const std::shared_ptr<StandIn> s = m_standIns.value(sid);
            if (s && !s->session.home.isEmpty())
                sendRecord(s->session.home, encodeRecord(Kind::Out, {sid.toUtf8(), encoded}));
            scheduleSweep(sid);
        }
        for (Session *s : std::as_const(members)) {
            if (m_sessions.find(s->id) == s)
                mine.insert(s->id);
        }
        loseRoom(roomId, mine);
        return;
    }
    qCInfo(lcServer).noquote() << "took over room" << roomId << "(" << room.type << ") of instance"
                               << (room.previousHost.isEmpty() ? QStringLiteral("(none)") : room.previousHost) << "with"
                               << members.size() << "members";
    for (const QString &sid : std::as_const(standIns)) {
        if (m_standIns.value(sid) && m_standIns.value(sid)->session.rooms.isEmpty())
            scheduleSweep(sid); // the room was full: no seat for it
    }
    loseRoom(roomId, mine); // sessions that asked for it but were no longer in it
}

void ClusterRooms::loseRoom(const QString &roomId, const QSet<QString> &sessions)
{
    m_remote.remove(roomId);
    protocol::Left left;
    left.roomId = roomId;
    left.reason = QStringLiteral("lost");
    const QByteArray encoded = protocol::encode(left);
    for (const QString &sid : sessions) {
        Session *s = m_sessions.find(sid);
        if (!s || !s->rooms.remove(roomId))
            continue;
        s->sendEncoded(encoded);
        m_sessions.writeRecord(*s);
    }
}

// ---- host side

Session &ClusterRooms::standIn(const QString &home, const QString &sid, const QString &player)
{
    auto &slot = m_standIns[sid];
    if (!slot) {
        slot = std::make_shared<StandIn>();
        slot->session.id = sid;
        slot->session.playerId = player;
        slot->session.home = home;
        slot->session.createdAt = QDateTime::currentMSecsSinceEpoch();
        auto transport = std::make_unique<BusTransport>(*this, home, sid);
        slot->transport = transport.get();
        ConnectionLimits limits;
        limits.maxOutboundBytes = std::numeric_limits<qint64>::max();
        slot->connection = std::make_unique<PlayerConnection>(std::move(transport), limits);
        slot->session.connection = slot->connection.get();
    } else if (slot->session.home != home) {
        // The session moved (resumed on another instance): what it is sent follows it.
        slot->session.home = home;
        slot->transport->setHome(home);
    }
    slot->session.lastActivityAt = QDateTime::currentMSecsSinceEpoch();
    return slot->session;
}

void ClusterRooms::onRequest(const QString &home, const QString &sid, const QString &player, const QByteArray &encoded)
{
    auto decoded = protocol::decodeClientMessage(encoded);
    if (!decoded.ok()) {
        qCWarning(lcServer) << "dropped a forwarded request from instance" << home << ":" << decoded.error().message;
        return;
    }
    // Held for the call: the request may end with the stand-in leaving its last room.
    const std::shared_ptr<StandIn> keep = m_standIns.value(sid);
    Session &session = standIn(home, sid, player);
    std::visit(
        [&](const auto &m) {
            using M = std::decay_t<decltype(m)>;
            if constexpr (std::is_same_v<M, protocol::JoinOrCreate>)
                m_rooms.joinOrCreate(session, m);
            else if constexpr (std::is_same_v<M, protocol::Join>)
                m_rooms.join(session, m);
            else if constexpr (std::is_same_v<M, protocol::Leave>)
                m_rooms.leave(session, m);
            else if constexpr (std::is_same_v<M, protocol::RoomMessage>)
                m_rooms.message(session, m);
            else if constexpr (std::is_same_v<M, protocol::LockRoom>)
                m_rooms.setLocked(session, m.roomId, true, m.rid);
            else if constexpr (std::is_same_v<M, protocol::UnlockRoom>)
                m_rooms.setLocked(session, m.roomId, false, m.rid);
            else
                qCWarning(lcServer) << "dropped a forwarded"
                                    << QLatin1StringView(M::wireType.data(), qsizetype(M::wireType.size()))
                                    << "from instance" << home;
        },
        decoded.value());
    if (session.rooms.isEmpty())
        scheduleSweep(sid);
}

void ClusterRooms::onGone(const QString &sid, const QString &reason)
{
    dropStandIn(sid, reason == QLatin1String("shutdown") ? reason : QStringLiteral("disconnected"));
}

void ClusterRooms::onResync(const QString &home, const QString &sid, const QString &roomId)
{
    if (const auto it = m_standIns.constFind(sid); it != m_standIns.constEnd()) {
        StandIn &standIn = *it.value();
        Session &session = standIn.session;
        if (session.home != home) {
            // Its player resumed on another instance (its old home died): what it is sent goes there now.
            session.home = home;
            standIn.transport->setHome(home);
            standIn.orphanedAt = 0;
        }
        if (m_rooms.find(roomId) && session.rooms.contains(roomId)) {
            sendRecord(home, encodeRecord(Kind::Member, {sid.toUtf8(), roomId.toUtf8(), "1"}));
            if (m_rooms.rejoinRoom(session, roomId))
                return;
        }
    }
    sendRecord(home, encodeRecord(Kind::Member, {sid.toUtf8(), roomId.toUtf8(), "0"}));
    protocol::Left left;
    left.roomId = roomId;
    left.reason = QStringLiteral("lost");
    sendRecord(home, encodeRecord(Kind::Out, {sid.toUtf8(), protocol::encode(left)}));
}

void ClusterRooms::dropStandIn(const QString &sid, const QString &reason)
{
    const std::shared_ptr<StandIn> standIn = m_standIns.value(sid);
    if (!standIn || standIn->dropping)
        return;
    standIn->dropping = true; // its home knows: no Member records for what follows
    m_rooms.removeFromAll(standIn->session, reason);
    m_standIns.remove(sid);
}

void ClusterRooms::orphanStandInsOf(const QString &home)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    for (const auto &standIn : std::as_const(m_standIns)) {
        if (standIn->session.home != home)
            continue;
        standIn->session.home.clear();
        standIn->transport->setHome(QString());
        standIn->orphanedAt = now;
    }
}

void ClusterRooms::dropExpiredOrphans()
{
    const qint64 cutoff = QDateTime::currentMSecsSinceEpoch() - m_resumeGrace.count();
    QStringList expired;
    for (auto it = m_standIns.cbegin(); it != m_standIns.cend(); ++it) {
        if (it.value()->orphanedAt > 0 && it.value()->orphanedAt <= cutoff)
            expired.append(it.key());
    }
    for (const QString &sid : std::as_const(expired))
        dropStandIn(sid, QStringLiteral("disconnected"));
}

int ClusterRooms::orphans() const
{
    return int(std::count_if(m_standIns.cbegin(), m_standIns.cend(),
                             [](const std::shared_ptr<StandIn> &s) { return s->orphanedAt > 0; }));
}

void ClusterRooms::sessionClaimed(Session &session, const QStringList &rooms)
{
    // Rooms here where the session was another instance's player: its seats are the session's now,
    // whatever its record listed.
    QSet<QString> local;
    if (const auto it = m_standIns.find(session.id); it != m_standIns.end()) {
        local = it.value()->session.rooms;
        it.value()->dropping = true; // leaves no room: the seats are the session's now
        m_standIns.erase(it);
    }
    protocol::Left lost;
    lost.reason = QStringLiteral("lost");
    for (const QString &roomId : std::as_const(local)) {
        session.rooms.insert(roomId);
        if (!m_rooms.rejoinRoom(session, roomId)) {
            session.rooms.remove(roomId);
            lost.roomId = roomId;
            session.send(lost);
        }
    }
    for (const QString &roomId : rooms) {
        if (local.contains(roomId))
            continue;
        if (m_rooms.find(roomId)) {
            // Listed, hosted here, but the seat is not the session's (it left meanwhile).
            lost.roomId = roomId;
            session.send(lost);
            continue;
        }
        const QString sid = session.id;
        session.rooms.insert(roomId); // until its host says otherwise
        m_store.hget(roomkeys::record(roomId), "instance", this, [this, sid, roomId](Result<std::optional<QByteArray>> host) {
            if (!m_sessions.find(sid))
                return;
            if (!host.ok() || !host.value()) {
                loseRoom(roomId, {sid});
                return;
            }
            const QString h = QString::fromUtf8(*host.value());
            if (h == m_self) {
                loseRoom(roomId, {sid}); // not hosted here (checked above): a leftover
                return;
            }
            if (h.isEmpty()) {
                adoptRoom(roomId, {sid}); // an orphan: its host died and was swept
                return;
            }
            m_store.exists(InstanceRegistry::recordKey(h), this, [this, sid, roomId, h](Result<bool> live) {
                if (!m_sessions.find(sid))
                    return;
                if (live.ok() && !live.value()) {
                    adoptRoom(roomId, {sid});
                    return;
                }
                // Its host answers with the room (Member + joined) or says it is lost. Until then the
                // room counts as hosted there, so that the host is watched: if it turns out dead, the
                // room is adopted.
                RemoteRoom &r = m_remote[roomId];
                r.host = h;
                r.members.insert(sid);
                sendRecord(h, encodeRecord(Kind::Resync, {sid.toUtf8(), roomId.toUtf8()}));
            });
        });
    }
    m_sessions.writeRecord(session);
}

void ClusterRooms::scheduleSweep(const QString &sid)
{
    if (m_sweepQueued.contains(sid))
        return;
    m_sweepQueued.insert(sid);
    QMetaObject::invokeMethod(
        this,
        [this, sid] {
            m_sweepQueued.remove(sid);
            const auto it = m_standIns.constFind(sid);
            if (it != m_standIns.constEnd() && it.value()->session.rooms.isEmpty())
                m_standIns.erase(it);
        },
        Qt::QueuedConnection);
}

// ---- both

void ClusterRooms::resyncWith(const QString &peer)
{
    for (auto it = m_remote.cbegin(); it != m_remote.cend(); ++it) {
        if (it->host != peer)
            continue;
        for (const QString &sid : it->members)
            sendRecord(peer, encodeRecord(Kind::Resync, {sid.toUtf8(), it.key().toUtf8()}));
    }
    for (const auto &s : std::as_const(m_standIns)) {
        if (s->session.home == peer)
            sendRecord(peer, encodeRecord(Kind::Probe, {s->session.id.toUtf8()}));
    }
}

QSet<QString> ClusterRooms::peers() const
{
    QSet<QString> out;
    for (const auto &s : std::as_const(m_standIns)) {
        if (!s->session.home.isEmpty()) // orphans have no home to talk to
            out.insert(s->session.home);
    }
    for (const RemoteRoom &r : std::as_const(m_remote))
        out.insert(r.host);
    return out;
}

void ClusterRooms::checkPeers()
{
    dropExpiredOrphans();
    if (m_checking || !m_store.isAvailable())
        return;
    const QSet<QString> peers = this->peers();
    if (peers.isEmpty())
        return;
    m_checking = true;
    auto waiting = std::make_shared<int>(int(peers.size()));
    for (const QString &peer : std::as_const(peers)) {
        m_store.exists(InstanceRegistry::recordKey(peer), this, [this, peer, waiting](Result<bool> live) {
            if (--*waiting == 0)
                m_checking = false;
            if (!live.ok())
                return;
            if (live.value()) {
                m_missing.remove(peer);
                return;
            }
            // Missing twice in a row: once could be a Redis restarted empty, before the peer registered
            // again (it does within a third of its lease TTL).
            if (++m_missing[peer] >= 2) {
                m_missing.remove(peer);
                peerGone(peer, "its lease is gone");
            }
        });
    }
}

void ClusterRooms::peerGone(const QString &peer, const char *why)
{
    m_gone.insert(peer);
    int dropped = 0;
    for (const auto &s : std::as_const(m_standIns))
        dropped += s->session.home == peer ? 1 : 0;
    int lost = 0;
    for (const RemoteRoom &r : std::as_const(m_remote))
        lost += r.host == peer ? 1 : 0;
    if (dropped == 0 && lost == 0)
        return;
    qCWarning(lcServer).noquote() << "instance" << peer << "is gone (" << why << "):" << dropped
                                  << "of its players keep their places here until they resume elsewhere," << lost
                                  << "rooms it hosted are lost";
    orphanStandInsOf(peer);
    loseRoomsOf(peer);
}

} // namespace arena
