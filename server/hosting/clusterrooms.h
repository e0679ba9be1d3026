// ClusterRooms: rooms whose members sit on different instances (docs/OPERATIONS.md, "Cross-instance
// rooms"). A room lives on one instance, its host, which runs its logic. A player of another instance
// (its home) is a member through a stand-in session on the host: what the room sends it crosses the
// instance bus to the home, which hands it to the player's connection; the player's room requests cross
// the other way and the host handles them as its own players' (same checks, same answers). Members on
// the host itself never touch Redis.
//
// On the home side this finds where a room lives (the room's store record, or the match that placed
// the player), forwards `join`, `join_or_create` (when no room here fits and another instance has an
// open one), `leave`, `room_message`, `lock_room` and `unlock_room`, lists every instance's rooms, and
// hands remote `match_found` / `queue_cancelled` to its players.
//
// A dead home's players are not taken out of the rooms here at once: like a local player whose
// connection dropped, each keeps its place for the resume grace, and comes back when it resumes on any
// instance (SessionClaim), which then becomes its home.
//
// A dead host's rooms are adopted (RoomAdoption): the first live instance that needs one — the home of
// one of its members, when it gives the host up, or the instance a member resumes on — takes the room
// over atomically and restores it from its snapshot, with every member of the room's record in it (its
// own players, stand-ins for live homes' players, orphan stand-ins for the players of dead instances).
// The others find it on its new host. A room that cannot be restored is `left` with reason "lost".
//
// Losses: a gap on a link, a re-established subscription or a publish nobody received makes each side
// resync with the other (homes ask for `joined` again, rebuilt from the room as it is now; hosts ask
// whether the stand-ins' sessions still exist). An instance whose lease record is missing on two
// checks in a row (2 s apart), or that restarted, is given up: its stand-ins become orphans (above),
// and the rooms it hosted are adopted (above).
#pragma once

#include "server/cluster/roomadoption.h"
#include "server/sessions/session.h"
#include "shared/protocol/playermessages.h"

#include <QHash>
#include <QObject>
#include <QSet>
#include <QTimer>

#include <chrono>
#include <memory>

namespace arena {

class InstanceBus;
class OwnedWrites;
class RoomManager;
class RoomTypeRegistry;
class SessionManager;
class StateStore;
struct Match;
struct Ticket;

class ClusterRooms final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ClusterRooms)

public:
    // Everything given must outlive this. `owned` gives the registration's epoch, which adoptions carry.
    ClusterRooms(StateStore &store, InstanceBus &bus, RoomManager &rooms, SessionManager &sessions,
                 const RoomTypeRegistry &types, const OwnedWrites &owned, QObject *parent = nullptr);
    ~ClusterRooms() override;

    // Home side. Takes a player's request when it concerns a room hosted elsewhere (or may, until the
    // store has said); false leaves it to this instance's RoomManager.
    bool route(Session &session, const protocol::ClientMessage &message);
    // list_rooms over every instance (the store's room records), this instance's from memory.
    void listRooms(Session &session, const protocol::ListRooms &request);
    // The session ended here: it leaves its rooms on other instances too.
    void sessionEnded(const Session &session, const QString &reason);
    // The session was resumed here: the hosts of its remote rooms send `joined` again.
    void sessionResumed(const Session &session);
    // The session was taken over here from another instance (SessionClaim): it gets back each of `rooms`
    // that still exists — a room here (where it was another instance's player until now), or a room on
    // another live instance (whose host now sends what the room sends it here) — and `left` "lost" for
    // the others.
    void sessionClaimed(Session &session, const QStringList &rooms);
    // How long players of a dead instance keep their places in rooms here, waiting to resume elsewhere
    // (the session resume grace; default 5 min).
    void setResumeGrace(std::chrono::milliseconds grace) { m_resumeGrace = grace; }
    // A match formed here for a ticket of another instance: `frame` is its player's match_found, the
    // room `roomId` is hosted here.
    void matchFound(const Ticket &ticket, const QByteArray &frame, const QString &roomId);
    // A ticket of another instance was removed here (timeout, cancelled): `frame` is its queue_cancelled.
    void ticketRemoved(const Ticket &ticket, const QByteArray &frame);
    // A match formed here goes to `host` (MatchPlacement), which creates its room and tells its players.
    // If no instance hears it there (it just died), `hostHere` gets it back.
    void placeMatch(const QString &host, const Match &match);
    // Hosts a match: one placed here by another instance, or one that could not reach its host.
    void setMatchHost(std::function<void(const Match &)> hostHere) { m_hostMatch = std::move(hostHere); }
    // Shutdown with a handover: the records of this instance's sessions, and of its rooms that have
    // members, become orphans (owned by nobody, for the resume grace); each such room is offered to the
    // instance `chooseHost` picks (it adopts it at once), and every peer is told this instance is leaving
    // (it gives it up at once: its stand-ins of this instance's players wait for them to resume, its
    // players in rooms here find them on their new hosts); from then on nothing more is sent. `done` gets
    // false, with nothing done, when the store is unreachable.
    void handOver(std::chrono::milliseconds grace, const std::function<QString(const QSet<QString> &)> &chooseHost,
                  std::function<void(bool handedOver)> done);
    static QByteArray encodeMatch(const Match &match);
    static std::optional<Match> decodeMatch(const QByteArray &json);

    // How often peers' leases are checked (default 2 s).
    void setPeerCheckInterval(std::chrono::milliseconds interval) { m_peerCheck.setInterval(interval); }

    int standIns() const { return int(m_standIns.size()); }  // other instances' sessions in rooms here
    int remoteRooms() const { return int(m_remote.size()); } // rooms elsewhere with members from here

    // A record on the bus: a kind and its fields.
    enum class Kind : quint8 {
        Request = 1,  // home → host: [sid, player, encoded client message]
        Gone = 2,     // home → host: [sid, reason] the session ended at home
        Resync = 3,   // home → host: [sid, room] send `joined` again (or say the room is lost)
        Out = 4,      // host → home: [sid, encoded server message]
        Member = 5,   // host → home: [sid, room, "1"|"0"] the stand-in entered or left a room
        Match = 6,    // former → home: [sid, room, encoded match_found]
        TicketGone = 7, // former → home: [sid, encoded queue_cancelled]
        Probe = 8,    // host → home: [sid] is this session still there? (answered by Gone if not)
        Host = 9,     // former → host: [match JSON] host this match
        Adopt = 10,   // leaving host → successor: [room] adopt this orphaned room now
        Leaving = 11, // leaving instance → peers: [] give me up now
    };
    // Stand-ins whose home died, waiting for their players to resume elsewhere.
    int orphans() const;

    static QByteArray encodeRecord(Kind kind, std::initializer_list<QByteArrayView> fields);
    static bool decodeRecord(const QByteArray &record, Kind &kind, QList<QByteArray> &fields);

private:
    class BusTransport;
    struct StandIn;
    struct RemoteRoom
    {
        QString host;
        QSet<QString> members; // this instance's sessions in it
    };

    // Home side
    void forward(const QString &host, const Session &session, const protocol::ClientMessage &message);
    void forwardOrNotFound(const QString &sid, const QString &roomId, const protocol::ClientMessage &message,
                           std::optional<quint64> rid);
    void joinOrCreateAnywhere(const QString &sid, const protocol::JoinOrCreate &request);
    void onOut(const QString &sid, const QByteArray &frame);
    void onMember(const QString &host, const QString &sid, const QString &roomId, bool in);
    void onMatch(const QString &former, const QString &sid, const QString &roomId, const QByteArray &frame);
    void onTicketGone(const QString &sid, const QByteArray &frame);
    void loseRoomsOf(const QString &host);
    // Takes over a room of a dead host; `waiting` are sessions here that were in it.
    void adoptRoom(const QString &roomId, const QSet<QString> &waiting);
    void adopted(const QString &roomId, const Result<RoomAdoption::Outcome> &outcome);
    void loseRoom(const QString &roomId, const QSet<QString> &sessions);

    // Host side
    Session &standIn(const QString &home, const QString &sid, const QString &player);
    void onRequest(const QString &home, const QString &sid, const QString &player, const QByteArray &encoded);
    void onGone(const QString &sid, const QString &reason);
    void onResync(const QString &home, const QString &sid, const QString &roomId);
    void dropStandIn(const QString &sid, const QString &reason);
    void orphanStandInsOf(const QString &home);
    void dropExpiredOrphans();
    void scheduleSweep(const QString &sid);

    // Both
    void onRecord(const QString &from, const QByteArray &record);
    void resyncWith(const QString &peer);
    // The instances this one shares rooms with: homes of its stand-ins, hosts of its remote rooms.
    QSet<QString> peers() const;
    void checkPeers();
    void peerGone(const QString &peer, const char *why);
    void sendRecord(const QString &to, const QByteArray &record);

    StateStore &m_store;
    InstanceBus &m_bus;
    RoomManager &m_rooms;
    SessionManager &m_sessions;
    const RoomTypeRegistry &m_types;
    const OwnedWrites &m_owned;
    RoomAdoption *m_adoption;
    QString m_self;
    QHash<QString, std::shared_ptr<StandIn>> m_standIns; // by session id
    QHash<QString, RemoteRoom> m_remote;                 // by room id
    QHash<QString, QString> m_hints;                     // room id → host, from match_found
    QSet<QString> m_sweepQueued;
    QHash<QString, QSet<QString>> m_adopting; // rooms being adopted → sessions here waiting for them
    std::function<void(const Match &)> m_hostMatch;
    bool m_leaving = false; // handed over at shutdown: sends nothing more
    // Instances given up (peerGone) and not heard from since: players whose home is one of them are
    // orphans in a room adopted here.
    QSet<QString> m_gone;
    std::chrono::milliseconds m_resumeGrace{std::chrono::minutes(5)};
    QSet<QString> m_resyncQueued;       // peers a resync is planned with
    QHash<QString, int> m_missing;      // peers whose lease record the last checks did not find
    QTimer m_peerCheck;
    bool m_checking = false;
};

} // namespace arena
