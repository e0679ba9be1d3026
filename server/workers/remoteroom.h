// RemoteRoom: the server's stand-in for the logic of a room whose match runs in an arena-worker. It
// forwards joins, leaves and messages to the worker hosting the match and applies what the worker's room
// logic does (events, state, metadata, lock, dispose) to the LiveRoom. While the match moves or is being
// restored after a worker died, commands wait here and go to the new worker in order.
#pragma once

#include "server/rooms/room.h"

#include <QCborMap>
#include <QHash>
#include <QList>

#include <functional>

namespace arena {

class LiveRoom;
class WorkerHandle;
class WorkerPool;

class RemoteRoom final : public Room
{
    Q_DISABLE_COPY_MOVE(RemoteRoom)

public:
    using Kick = std::function<void(const QString &sessionId, const Error &why)>;

    RemoteRoom(WorkerPool &pool, const RoomTypeInfo &type);
    ~RemoteRoom() override;

    // Called by the room manager right after the LiveRoom exists, before onCreate.
    void bind(LiveRoom &room, Kick kick);

    // Room
    Result<void> onCreate(RoomContext &context, const QJsonObject &options) override;
    void onJoined(RoomContext &context, const RoomMember &member) override;
    void onLeave(RoomContext &context, const RoomMember &member, const QString &reason) override;
    Result<void> onMessage(RoomContext &context, const RoomMember &from, const protocol::RawJson &data) override;
    void onDispose(RoomContext &context) override;
    // A room of a dead instance adopted here: the match opens on a worker from `snapshot`, its members
    // already in the room; they are told `match_restored` once it runs, and the room ends ("lost") if no
    // worker takes the snapshot.
    Result<void> restore(RoomContext &context, const protocol::RawJson &snapshot) override;
    protocol::RawJson state() const override { return m_state; }

    // A room_message, answered through `done` once the worker's logic has taken or refused it.
    void message(const RoomMember &from, const protocol::RawJson &data, std::function<void(Result<void>)> done);

    // For the pool.
    QString id() const;
    const RoomTypeInfo &type() const { return m_type; }
    QList<RoomMember> members() const;
    quint32 maxClients() const;
    WorkerHandle *worker() const { return m_worker; }
    const QByteArray &lastSnapshot() const { return m_snapshot; }
    // The worker accepted the match (opened): commands flow to it from now on.
    void hostedOn(WorkerHandle *worker);
    // The match left its worker (moving, or the worker died): commands wait; replies still owed by the
    // old worker fail with `why` when `failPending`.
    void unhosted(const QString &why, bool failPending);
    // A worker frame for this match (events, replies, snapshots).
    void handleFrame(const QCborMap &frame);
    // After a restore from a snapshot: every member is told (match_restored).
    void announceRestored();
    // The match cannot go on (no worker could start or restore it): the room is disposed with `reason`.
    void endMatch(const QString &reason);
    bool isClosed() const { return m_closed; }
    // The room was handed over to another instance at shutdown: the match ends here, its snapshot stays
    // for the instance that restores it.
    void handOver();

private:
    void command(QCborMap frame);

    WorkerPool &m_pool;
    const RoomTypeInfo &m_type;
    LiveRoom *m_room = nullptr;
    Kick m_kick;
    WorkerHandle *m_worker = nullptr;
    bool m_hosted = false;
    bool m_closed = false;
    QList<QCborMap> m_waiting; // commands for the next worker
    QHash<qint64, std::function<void(Result<void>)>> m_replies;
    qint64 m_nextRequest = 1;
    protocol::RawJson m_state;
    QByteArray m_snapshot;
};

} // namespace arena
