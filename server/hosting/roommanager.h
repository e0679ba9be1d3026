// RoomManager: the rooms of this instance — join-or-create, create, join, leave, list, messages, lock —
// with capacity, lock, private rooms, metadata filters, reserved seats for matches and auto-dispose.
// Every room is mirrored into the StateStore (room:{<id>}, rooms:<type>, instance:<id>:rooms,
// room:{<id>}:state) so other instances and the cleanup sweep can see it.
#pragma once

#include "server/cluster/roomadoption.h"
#include "server/hosting/liveroom.h"
#include "server/sessions/session.h"
#include "shared/protocol/playermessages.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>
#include <map>
#include <memory>

namespace arena {

class Counter;
class MetricsRegistry;
class OwnedWrites;
class RoomTypeRegistry;
class WorkerPool;
class SessionManager;
class StateStore;

class RoomManager final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoomManager)

public:
    struct CreateOptions
    {
        QString type;
        QJsonObject metadata;
        bool isPrivate = false;
        std::optional<quint32> maxClients;
        QSet<QString> reservedFor; // session ids that alone may join (matchmaking)
    };

    // `owned` writes the room records and states (fenced by the instance's registration).
    RoomManager(StateStore &store, OwnedWrites &owned, MetricsRegistry &metrics, const RoomTypeRegistry &types,
                SessionManager &sessions, QString instanceId, QObject *parent = nullptr);
    ~RoomManager() override;

    // Player requests.
    void joinOrCreate(Session &session, const protocol::JoinOrCreate &request);
    void create(Session &session, const protocol::Create &request);
    void join(Session &session, const protocol::Join &request);
    void leave(Session &session, const protocol::Leave &request);
    void listRooms(Session &session, const protocol::ListRooms &request);
    void message(Session &session, const protocol::RoomMessage &request);
    void setLocked(Session &session, const QString &roomId, bool locked, std::optional<quint64> rid);

    // Server side.
    Result<LiveRoom *> createRoom(const CreateOptions &options);
    // A room of a dead instance taken over here (ClusterRooms, after RoomAdoption claimed it): `room` as
    // its record and snapshot described it. Restores it from the snapshot (Room::restore) with `members`
    // (own sessions or stand-ins) in it; each gets `joined`, then `match_restored`. Refused when the type
    // is unknown, the snapshot is not JSON or the logic refuses it: then nothing is hosted and the room's
    // keys are removed.
    Result<LiveRoom *> restoreRoom(const RoomAdoption::Room &room, const QList<Session *> &members);
    // Removes the session from every room it is in (its session ended).
    void removeFromAll(Session &session, const QString &reason);
    // Sends `joined` again for every room of a resumed session.
    void rejoin(Session &session);
    // Sends `joined` again for one room, when the session is a member of it; false otherwise.
    bool rejoinRoom(Session &session, const QString &roomId);
    // Whether join_or_create would find a room of `type` here for this session (without joining it).
    bool hasJoinable(const QString &type, const QJsonObject &filter, const QString &sessionId) const;
    static bool matchesFilter(const QJsonObject &metadata, const QJsonObject &filter);
    // Public, unlocked, not full and not held for a match: join_or_create may put a player in it.
    static bool isOpen(const LiveRoom &room);
    // The set of open room ids of a type, for other instances' join_or_create: rooms:<type>:open.
    static QByteArray openRoomsKey(const QString &type);

    // Members that are not this instance's sessions: players of other instances in rooms hosted here
    // (ClusterRooms' stand-ins). `lookup` finds one by session id; `hook` hears every change of such a
    // member's rooms (Session::home set), in order with what is sent to it.
    void setMemberLookup(std::function<Session *(const QString &)> lookup) { m_memberLookup = std::move(lookup); }
    void setMembershipHook(std::function<void(Session &, const QString &, bool)> hook)
    {
        m_membershipHook = std::move(hook);
    }
    // Disposes a room (operator action, empty room, finished match). False if unknown.
    bool dispose(const QString &roomId, const QString &reason);
    void disposeAll(const QString &reason);
    // Shutdown with a handover (ClusterRooms::handOver): drops every room here without a word to its
    // members or the store, whose records another instance restores the rooms from.
    void handOverAll();

    // Draining: players' create (and a join_or_create that finds no room to join) get unavailable;
    // existing rooms still take members, and createRoom() (a match already formed) still works.
    // `refusal` says why, for the players turned away ("this instance is draining").
    void setPlayerCreatesRooms(bool allowed, const QString &refusal = QStringLiteral("this instance is draining"))
    {
        m_playerCreates = allowed;
        m_playerCreatesRefusal = refusal;
    }

    // Rooms of types that run in workers are hosted by `pool` from now on; without one (workers-max 0)
    // they run in this process like any other.
    void setWorkerPool(WorkerPool *pool) { m_workers = pool; }

    LiveRoom *find(const QString &roomId) const;
    QList<LiveRoom *> rooms() const;
    int roomCount() const { return int(m_rooms.size()); }
    // Writes every room's store record and state again (after the instance registered anew). Returns how many.
    int republish();
    QList<protocol::RoomInfo> listed(const std::optional<QString> &type, const QJsonObject &filter) const;

    // For LiveRoom.
    void deliver(const QString &sessionId, const QByteArray &encoded);
    void roomChanged(LiveRoom &room);
    void stateChanged(LiveRoom &room);
    void finishDispose(LiveRoom &room, const QString &reason);
    void countEvent(qsizetype deliveries);

Q_SIGNALS:
    void roomDisposed(const QString &roomId, const QString &reason);

private:
    Result<void> joinRoom(Session &session, LiveRoom &room, std::optional<quint64> rid);
    void createAndJoin(Session &session, const CreateOptions &options, std::optional<quint64> rid);
    void sendJoined(Session &session, LiveRoom &room, std::optional<quint64> rid);
    void removeMember(Session &session, LiveRoom &room, const QString &reason, bool tellLeaver);
    void writeRoom(const LiveRoom &room);
    void forgetRoom(const LiveRoom &room);
    void forgetKeys(const QString &roomId, const QString &type);
    LiveRoom *newRoom(const RoomTypeInfo &type, const QString &id, quint32 maxClients, bool isPrivate,
                      const QJsonObject &metadata);
    QList<RoomAdoption::Member> membersOf(const LiveRoom &room) const;
    void notifyListWatchers();
    Session *member(const QString &sessionId) const;
    void membershipChanged(Session &session, const QString &roomId, bool in);
    static void reply(Session &session, const Error &error, std::optional<quint64> rid);

    StateStore &m_store;
    OwnedWrites &m_owned;
    const RoomTypeRegistry &m_types;
    WorkerPool *m_workers = nullptr;
    SessionManager &m_sessions;
    QString m_instanceId;
    std::map<QString, LiveRoom *> m_rooms; // owned (QObject children), ordered by id
    bool m_playerCreates = true;
    QString m_playerCreatesRefusal;
    std::function<Session *(const QString &)> m_memberLookup;
    std::function<void(Session &, const QString &, bool)> m_membershipHook;
    QTimer m_listChanged;                 // debounces room-list notifications to lobbies
    Counter *m_messages = nullptr;
    Counter *m_deliveries = nullptr;
    Counter *m_created = nullptr;
    Counter *m_disposed = nullptr;
    Counter *m_adopted = nullptr;
};

} // namespace arena
