// WorkerMatch: one match hosted in arena-worker — the room logic, its members, timers and tick loop, and
// the RoomContext that turns what the logic does into frames for the server.
#pragma once

#include "server/rooms/room.h"
#include "server/rooms/roomtimers.h"

#include <QCborMap>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <functional>
#include <memory>

namespace arena {

class WorkerMatch final : public QObject, public RoomContext
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkerMatch)

public:
    // `emitFrame` sends one frame to the server; `tickLagUs` receives how late each tick ran.
    WorkerMatch(QString id, const RoomTypeInfo &type, quint32 maxClients, std::unique_ptr<Room> logic,
                std::function<void(const QCborMap &)> emitFrame, std::function<void(qint64)> tickLagUs,
                QObject *parent = nullptr);
    ~WorkerMatch() override;

    // Exactly one of these starts the match: a new one, or one continuing from a snapshot.
    Result<void> create(const QJsonObject &options);
    Result<void> restore(const QList<RoomMember> &members, const protocol::RawJson &snapshot);

    Result<void> join(const RoomMember &member);
    void leave(const RoomMember &member, const QString &reason);
    Result<void> message(const RoomMember &from, const protocol::RawJson &data);
    // The server disposed of the match: onDispose runs, nothing is sent after it.
    void close();
    // Stops the match here without onDispose (it continues on another worker); returns its snapshot.
    protocol::RawJson detach();
    bool isDisposed() const { return m_disposed; }

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
    QList<protocol::RoomInfo> listedRooms() const override { return {}; } // worker rooms do not watch the list
    void startTimer(const QString &name, std::chrono::milliseconds delay) override;
    void cancelTimer(const QString &name) override;
    void dispose(const QString &reason) override;
    qint64 nowMs() const override;

private:
    QCborMap frame(QLatin1StringView type) const;
    // After every hook: tells the server the new snapshot if it changed.
    void publishSnapshot();
    void startTicking();
    void tick();
    void stopEverything();

    QString m_id;
    const RoomTypeInfo &m_type;
    quint32 m_maxClients;
    std::unique_ptr<Room> m_logic;
    std::function<void(const QCborMap &)> m_emit;
    std::function<void(qint64)> m_tickLagUs;
    QList<RoomMember> m_members;
    RoomTimers m_timers;
    QTimer *m_tick = nullptr;
    bool m_ticking = false; // false once stopped (dispose): a tick in progress must not restart it
    QElapsedTimer m_clock;   // monotonic time of the tick schedule
    qint64 m_nextTickNs = 0; // when the next tick is due, on m_clock
    QByteArray m_lastSnapshot;
    bool m_disposed = false;
};

} // namespace arena
