// PlayerService: what connected players can do — sessions, rooms and matchmaking wired together. It
// takes connections from any transport and opens no socket, so the whole message path runs in-process.
#pragma once

#include "server/gateway/playerconnection.h"
#include "server/matchmaking/matchmakersettings.h"
#include "server/sessions/sessionmanager.h"
#include "shared/result.h"

#include <QObject>
#include <QSet>
#include <QTimer>

#include <functional>

namespace arena {

class ClusterRooms;
class InstanceBus;
class Matchmaker;
class OwnedWrites;
class SessionClaim;
class MatchPlacement;
class MetricsRegistry;
class PlayerAuth;
class RoomManager;
class RoomTypeRegistry;
class StateStore;
class TaskRegistry;
struct Match;
struct Ticket;

namespace protocol {
struct CancelQueue;
struct Queue;
}

struct PlayerServiceSettings
{
    QString instanceId;
    SessionSettings sessions;
    // Must pass validate(), and name only registered room types.
    MatchmakerSettings matchmaking;
    // Verifies player tokens when sessions.requireToken is set; not owned.
    const PlayerAuth *auth = nullptr;
};

class PlayerService final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(PlayerService)

public:
    // `store`, `tasks`, `metrics` and `types` must outlive the service. The matchmaker registers its
    // periodic task on `tasks` when settings.matchmaking.interval is above zero.
    PlayerService(StateStore &store, TaskRegistry &tasks, MetricsRegistry &metrics, const RoomTypeRegistry &types,
                  PlayerServiceSettings settings, QObject *parent = nullptr);
    ~PlayerService() override;

    // A new connection; it must say hello (SessionManager::adopt). The connection keeps its parent, and
    // counts and times its messages in this service's families (arena_player_messages_total,
    // arena_player_message_seconds).
    void adopt(PlayerConnection *connection);

    SessionManager &sessions() const { return *m_sessions; }
    RoomManager &rooms() const { return *m_rooms; }
    Matchmaker &matchmaker() const { return *m_matchmaker; }
    const SessionSettings &sessionSettings() const { return m_sessionSettings; }
    // Null until enableCluster().
    ClusterRooms *cluster() const { return m_cluster; }

    // Makes this instance one of a fleet sharing `store` (Redis): rooms take members of other instances
    // and this instance's players join rooms hosted elsewhere, over `bus` (which must outlive this).
    void enableCluster(StateStore &store, InstanceBus &bus);

    // Shutdown: refuses new hellos and removes this instance's queue tickets without telling their
    // players. In a fleet with another live instance, hands its sessions and rooms over
    // (ClusterRooms::handOver): players are told to reconnect (close 1001, in a second) and resume
    // elsewhere, where their rooms are restored. Otherwise ends every session the same way and disposes
    // every room. `stopped` runs when that is done.
    void stop(std::function<void()> stopped);

    // Draining: no new sessions (resumes still work), no rooms created by players (joining existing ones
    // still works), no new queue tickets and no matches formed here; what exists runs to its end.
    // Turning it on leaves queued tickets alone: cancelTickets() removes them.
    void setDraining(bool draining);
    bool isDraining() const { return m_draining; }
    // While the instance's fleet lease is lost it takes no new work either (as when draining), until it
    // has registered again; the players are told why.
    void setLeaseHeld(bool held);
    // The epoch of the instance's current registration: every record write carries it, and the store
    // refuses writes of an older one (OwnedWrites). Nothing is written before the first (0).
    void setEpoch(qint64 epoch);
    // Writes the records of every session and room this instance holds back to the store.
    void republish();
    // Removes this instance's queue tickets, telling their players (queue_cancelled with `reason`);
    // delivers how many went.
    void cancelTickets(const QString &reason, std::function<void(Result<int>)> done);
    // Ends every session (session_closing with `reason`, close 1001, reconnect in a second) and disposes
    // every room, but keeps serving: a drain's deadline.
    void closeAll(const QString &reason);

    // What this instance still holds.
    struct Load
    {
        int sessions = 0;
        int rooms = 0;
        int matches = 0; // rooms made for a formed match
        int queuedTickets = 0;
    };
    Load load() const;

private:
    // Applies m_draining and m_leaseHeld to sessions, rooms and matchmaking.
    void applyNewWorkSwitches();
    // Why no new work is taken ("this instance is draining"), or empty.
    QString newWorkRefusal() const;
    void dispatch(Session &session, const protocol::ClientMessage &message);
    void queue(Session &session, const protocol::Queue &request);
    void cancelQueue(Session &session, const protocol::CancelQueue &request);
    void onSessionEnded(Session *session, const QString &reason);
    // Places a match formed here (MatchPlacement), or hosts it.
    void onMatchFormed(const Match &match);
    // Creates the match's room here and tells its players, wherever they are.
    void hostMatch(const Match &match);
    void onTicketRemoved(const Ticket &ticket, const QString &reason);
    void checkLostTickets();

    QString m_instanceId;
    const RoomTypeRegistry &m_types;
    SessionSettings m_sessionSettings;
    OwnedWrites *m_owned;
    SessionManager *m_sessions;
    RoomManager *m_rooms;
    Matchmaker *m_matchmaker;
    ClusterRooms *m_cluster = nullptr;
    SessionClaim *m_claim = nullptr; // with the cluster
    MatchPlacement *m_placement = nullptr; // with the cluster
    MessageMetrics m_messageMetrics;
    QTimer m_lostTickets;
    QSet<QString> m_ticketSuspects; // sessions whose ticket the last check did not find
    bool m_draining = false;
    bool m_leaseHeld = true;
};

} // namespace arena
