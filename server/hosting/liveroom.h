// LiveRoom: one room running on this instance — its members, metadata, state and sequence numbers,
// its timers, and the logic of its type. Implements the RoomContext the logic talks to.
#pragma once

#include "server/rooms/room.h"
#include "server/rooms/roomtimers.h"

#include <QHash>
#include <QObject>
#include <QTimer>

#include <memory>

namespace arena {

class RemoteRoom;
class RoomManager;

class LiveRoom final : public QObject, public RoomContext
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LiveRoom)

public:
    LiveRoom(RoomManager &manager, const RoomTypeInfo &type, QString id, std::unique_ptr<Room> logic,
             quint32 maxClients, bool isPrivate, QJsonObject metadata, QObject *parent = nullptr);
    ~LiveRoom() override;

    // RoomContext
    QString roomId() const override { return m_id; }
    QString roomType() const override { return m_type.name; }
    QList<RoomMember> members() const override { return m_members; }
    quint32 maxClients() const override { return m_maxClients; }
    void broadcast(const protocol::RawJson &data, const QString &from = {}) override;
    void send(const QString &sessionId, const protocol::RawJson &data) override;
    void setState(const protocol::RawJson &state) override;
    void setMetadata(const QJsonObject &metadata) override;
    void setLocked(bool locked) override;
    QList<protocol::RoomInfo> listedRooms() const override;
    void startTimer(const QString &name, std::chrono::milliseconds delay) override;
    void cancelTimer(const QString &name) override;
    void dispose(const QString &reason) override;
    qint64 nowMs() const override;

    Room &logic() { return *m_logic; }
    // The logic's stand-in when the match runs in a worker process (the same object as logic()), else null.
    RemoteRoom *remote() const { return m_remote; }
    void setRemote(RemoteRoom *remote) { m_remote = remote; }
    const RoomTypeInfo &type() const { return m_type; }
    bool isPrivate() const { return m_private; }
    bool isLocked() const { return m_locked; }
    bool isDisposed() const { return m_disposed; }
    bool isFull() const { return quint32(m_members.size()) >= m_maxClients; }
    bool hasMember(const QString &sessionId) const;
    const QJsonObject &metadata() const { return m_metadata; }
    quint64 seq() const { return m_seq; }
    qint64 createdAt() const { return m_createdAt; }
    // Since when nobody is in the room (ms since the epoch); 0 while it has members.
    qint64 emptySince() const { return m_emptySince; }
    // Seats held for matched players: while any are set, only they may join.
    QSet<QString> &reservations() { return m_reservations; }
    const QSet<QString> &reservations() const { return m_reservations; }
    protocol::RoomInfo info() const;
    // The state a joiner receives: the logic's own, or the last one set.
    protocol::RawJson currentState() const;

    // A room taken over from another instance (RoomManager::restoreRoom): what its record and last state
    // said, set before anyone is told of it.
    void takeOver(qint64 createdAt, bool locked, const protocol::RawJson &state);
    void addMember(const RoomMember &member);
    bool removeMember(const QString &sessionId);
    // Sends one encoded message to every member (optionally but one).
    void sendToMembers(const QByteArray &encoded, const QString &except = {}) const;
    void startTicking();
    // Stops timers and the tick; hooks never run again.
    void markDisposed();

private:
    RoomManager &m_manager;
    const RoomTypeInfo &m_type;
    QString m_id;
    std::unique_ptr<Room> m_logic;
    RemoteRoom *m_remote = nullptr;
    quint32 m_maxClients;
    bool m_private;
    bool m_locked = false;
    bool m_disposed = false;
    QJsonObject m_metadata;
    QList<RoomMember> m_members;
    QSet<QString> m_reservations;
    protocol::RawJson m_state;
    bool m_hasState = false;
    quint64 m_seq = 0;
    qint64 m_createdAt;
    qint64 m_emptySince;
    RoomTimers m_timers;
    QTimer *m_tick = nullptr;
};

} // namespace arena
