// FakeRoomContext: a recording RoomContext for unit tests of room logic, driven the way the room manager
// drives a room (join, leave, message, timers on a clock the test controls).
#pragma once

#include "server/rooms/room.h"

#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>
#include <QStringList>

#include <algorithm>
#include <chrono>

namespace arena::test {

inline protocol::RawJson rawJson(QByteArrayView text)
{
    auto parsed = protocol::RawJson::parse(text);
    Q_ASSERT_X(parsed.ok(), "rawJson", "test JSON must be valid");
    return parsed.ok() ? parsed.value() : protocol::RawJson();
}

inline RoomMember member(int n)
{
    return RoomMember{QStringLiteral("s-%1").arg(n), QStringLiteral("p-%1").arg(n)};
}

class FakeRoomContext final : public RoomContext
{
    Q_DISABLE_COPY_MOVE(FakeRoomContext)

public:
    struct Broadcast
    {
        protocol::RawJson data;
        QString from;
    };
    struct Sent
    {
        QString sessionId;
        protocol::RawJson data;
    };

    FakeRoomContext(QString roomType, quint32 maxClients, QString roomId = QStringLiteral("r-1"))
        : m_roomId(std::move(roomId)), m_roomType(std::move(roomType)), m_maxClients(maxClients)
    {
    }

    // RoomContext
    QString roomId() const override { return m_roomId; }
    QString roomType() const override { return m_roomType; }
    QList<RoomMember> members() const override { return m_members; }
    quint32 maxClients() const override { return m_maxClients; }
    void broadcast(const protocol::RawJson &data, const QString &from = {}) override
    {
        broadcasts.append(Broadcast{data, from});
    }
    void send(const QString &sessionId, const protocol::RawJson &data) override
    {
        if (!isMember(sessionId))
            ++strayMessages;
        sent.append(Sent{sessionId, data});
    }
    void setState(const protocol::RawJson &state) override { states.append(state); }
    void setMetadata(const QJsonObject &metadata) override { metadataChanges.append(metadata); }
    void setLocked(bool locked) override { lockChanges.append(locked); }
    QList<protocol::RoomInfo> listedRooms() const override { return rooms; }
    void startTimer(const QString &name, std::chrono::milliseconds delay) override
    {
        timers.insert(name, m_now + delay.count());
    }
    void cancelTimer(const QString &name) override { timers.remove(name); }
    void dispose(const QString &reason) override { disposeReasons.append(reason); }
    qint64 nowMs() const override { return m_now; }

    // The manager's side of the contract in room.h.
    Result<void> create(Room &room, const QJsonObject &options = {}) { return room.onCreate(*this, options); }
    Result<void> join(Room &room, const RoomMember &joiner)
    {
        if (Result<void> accepted = room.onJoin(*this, joiner); !accepted)
            return accepted;
        m_members.append(joiner);
        room.onJoined(*this, joiner);
        return {};
    }
    // A match moved to this context: the manager sets the members the room had, then calls restore
    // instead of onCreate.
    Result<void> restore(Room &room, const protocol::RawJson &snapshot, QList<RoomMember> members)
    {
        m_members = std::move(members);
        return room.restore(*this, snapshot);
    }
    // A join onJoin accepted but the manager could not complete.
    Result<void> failJoin(Room &room, const RoomMember &joiner)
    {
        if (Result<void> accepted = room.onJoin(*this, joiner); !accepted)
            return accepted;
        room.onLeave(*this, joiner, QStringLiteral("join_failed"));
        return {};
    }
    void leave(Room &room, const RoomMember &leaver, const QString &reason = QStringLiteral("left"))
    {
        m_members.removeOne(leaver);
        room.onLeave(*this, leaver, reason);
    }
    Result<void> message(Room &room, const RoomMember &from, QByteArrayView json)
    {
        return room.onMessage(*this, from, rawJson(json));
    }
    // Fires a pending timer now; false (and nothing happens) if it is not pending.
    bool fireTimer(Room &room, const QString &name)
    {
        if (!timers.contains(name))
            return false;
        m_now = std::max(m_now, timers.value(name));
        timers.remove(name);
        room.onTimer(*this, name);
        return true;
    }
    // Moves the clock forward, firing every timer that falls due on the way, in due order.
    void advance(Room &room, std::chrono::milliseconds by)
    {
        const qint64 until = m_now + by.count();
        for (;;) {
            QString next;
            qint64 due = until + 1;
            for (auto it = timers.cbegin(); it != timers.cend(); ++it) {
                if (it.value() <= until && it.value() < due) {
                    due = it.value();
                    next = it.key();
                }
            }
            if (next.isEmpty())
                break;
            fireTimer(room, next);
        }
        m_now = until;
    }
    // One tick, as the manager runs every tickInterval(); moves no clock and fires no timer.
    void tick(Room &room) { room.onTick(*this); }
    // Moves the clock without firing timers: a timer that is late, as a loaded event loop makes them.
    void setNow(qint64 ms) { m_now = ms; }
    bool isMember(const QString &sessionId) const
    {
        return std::any_of(m_members.cbegin(), m_members.cend(),
                           [&sessionId](const RoomMember &m) { return m.sessionId == sessionId; });
    }
    void clearRecords()
    {
        broadcasts.clear();
        sent.clear();
        states.clear();
        metadataChanges.clear();
        lockChanges.clear();
        disposeReasons.clear();
    }

    QJsonObject lastState() const { return states.isEmpty() ? QJsonObject() : states.last().toJsonObject(); }
    QList<QJsonObject> broadcastObjects() const
    {
        QList<QJsonObject> result;
        for (const Broadcast &b : broadcasts)
            result.append(b.data.toJsonObject());
        return result;
    }
    QList<QJsonObject> sentTo(const QString &sessionId) const
    {
        QList<QJsonObject> result;
        for (const Sent &s : sent) {
            if (s.sessionId == sessionId)
                result.append(s.data.toJsonObject());
        }
        return result;
    }

    // Records, public so tests read them directly.
    QList<Broadcast> broadcasts;
    QList<Sent> sent;
    QList<protocol::RawJson> states;
    QList<QJsonObject> metadataChanges;
    QList<bool> lockChanges;
    QMap<QString, qint64> timers; // pending: name -> due time (ms)
    QStringList disposeReasons;
    int strayMessages = 0; // send() to a session that is not a member
    // What listedRooms() returns.
    QList<protocol::RoomInfo> rooms;

private:
    QString m_roomId;
    QString m_roomType;
    quint32 m_maxClients;
    QList<RoomMember> m_members;
    qint64 m_now = 1'700'000'000'000;
};

} // namespace arena::test
