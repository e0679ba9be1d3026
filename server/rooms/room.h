// Room and RoomContext: the interface game developers implement to add a room type, and what the
// server offers a room's logic (members, broadcast, state, timers).
#pragma once

#include "shared/protocol/errorcode.h"
#include "shared/protocol/playermessages.h"
#include "shared/protocol/rawjson.h"
#include "shared/result.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <chrono>
#include <functional>
#include <memory>

namespace arena {

struct RoomMember
{
    QString sessionId;
    QString playerId;
    friend bool operator==(const RoomMember &, const RoomMember &) = default;
};

// Offered by the room manager to one room's logic. Every call is cheap and non-blocking; messages
// reach members in call order.
class RoomContext
{
public:
    virtual ~RoomContext() = default;

    virtual QString roomId() const = 0;
    virtual QString roomType() const = 0;
    virtual QList<RoomMember> members() const = 0;
    virtual quint32 maxClients() const = 0;

    // room_event to every member, the sender included; `from` is the sender's session id, empty for
    // events of the room logic itself.
    virtual void broadcast(const protocol::RawJson &data, const QString &from = {}) = 0;
    // room_event to one member.
    virtual void send(const QString &sessionId, const protocol::RawJson &data) = 0;
    // Replaces the room's state: every member gets room_state and late joiners get it in `joined`. (A
    // match is restored from Room::snapshot(), which is this state unless the room type says otherwise.)
    virtual void setState(const protocol::RawJson &state) = 0;
    virtual void setMetadata(const QJsonObject &metadata) = 0;
    virtual void setLocked(bool locked) = 0;
    // Rooms listed in the server (not private), for the lobby.
    virtual QList<protocol::RoomInfo> listedRooms() const = 0;

    // A named single-shot timer; starting a running one restarts it. Fires Room::onTimer(name).
    virtual void startTimer(const QString &name, std::chrono::milliseconds delay) = 0;
    virtual void cancelTimer(const QString &name) = 0;
    // Ends the room: members get `left` with this reason, then Room::onDispose runs.
    virtual void dispose(const QString &reason) = 0;
    // Milliseconds since the Unix epoch (the manager's clock, so tests can control it).
    virtual qint64 nowMs() const = 0;
};

// One room's logic. Hooks run on the server's event loop, one at a time per room. A hook that returns
// an Error refuses the request: its code is a protocol error name (protocol::ErrorCode's wire string,
// e.g. "bad_request", "forbidden", "conflict") and its message is shown to the player.
class Room
{
public:
    virtual ~Room() = default;

    // `options` are the creator's metadata; refuse bad options here.
    virtual Result<void> onCreate(RoomContext &context, const QJsonObject &options)
    {
        Q_UNUSED(context);
        Q_UNUSED(options);
        return {};
    }
    // Before the member is added (the manager has already checked capacity and lock). A join this
    // accepts is always followed by onJoined, or by onLeave with reason "join_failed" when the manager
    // could not add the member after all, so a room may reserve a seat here.
    virtual Result<void> onJoin(RoomContext &context, const RoomMember &member)
    {
        Q_UNUSED(context);
        Q_UNUSED(member);
        return {};
    }
    // After the member was added and sent `joined` (members() includes it). Events for the joiner go
    // here: sent from onJoin they would reach it before `joined`.
    virtual void onJoined(RoomContext &context, const RoomMember &member)
    {
        Q_UNUSED(context);
        Q_UNUSED(member);
    }
    // After the member was removed (left, disconnected for good, or kicked); `reason` as in `left`.
    virtual void onLeave(RoomContext &context, const RoomMember &member, const QString &reason)
    {
        Q_UNUSED(context);
        Q_UNUSED(member);
        Q_UNUSED(reason);
    }
    virtual Result<void> onMessage(RoomContext &context, const RoomMember &from, const protocol::RawJson &data) = 0;
    virtual void onTimer(RoomContext &context, const QString &name)
    {
        Q_UNUSED(context);
        Q_UNUSED(name);
    }
    // Called every tickInterval() when that is above zero.
    virtual void onTick(RoomContext &context) { Q_UNUSED(context); }
    virtual std::chrono::milliseconds tickInterval() const { return std::chrono::milliseconds(0); }
    // Called (debounced) when the listed rooms changed, for rooms whose type sets watchesRoomList.
    virtual void onRoomListChanged(RoomContext &context) { Q_UNUSED(context); }
    virtual void onDispose(RoomContext &context) { Q_UNUSED(context); }

    // The state a joining member receives in `joined` (JSON null when the room keeps none).
    virtual protocol::RawJson state() const { return {}; }

    // Everything this room needs to continue in another process (a worker that crashed is replaced and
    // its matches restored elsewhere): its internal state, not only what players see. Times in it must
    // be absolute (ms since the Unix epoch, from context.nowMs()), so a snapshot stays valid however
    // long it waits. The default, state(), is enough only for rooms whose state says everything.
    virtual protocol::RawJson snapshot() const { return state(); }
    // Called on a fresh instance INSTEAD of onCreate, with context.members() already holding the members
    // the room had. Rebuilds the internal state from a snapshot() of the previous instance, restarts the
    // timers it needs with the time that was left (from the snapshot's absolute times and
    // context.nowMs(); an overdue timer gets 0 ms), and publishes its state (setState) so members
    // resync. Refuse a malformed snapshot with "bad_request", before changing anything. The default
    // refuses with "unavailable": a room type must opt in to being restored.
    virtual Result<void> restore(RoomContext &context, const protocol::RawJson &snapshot)
    {
        Q_UNUSED(snapshot);
        return protocol::toError(protocol::ErrorCode::Unavailable,
                                 QStringLiteral("rooms of type \"%1\" cannot be restored").arg(context.roomType()));
    }
};

// A registered room type.
struct RoomTypeInfo
{
    QString name;                 // e.g. "duel"; lower-case, digits, '_' and '-'
    QString description;
    quint32 defaultMaxClients = 8;
    quint32 maxMaxClients = 64;   // a create request asking for more is refused
    bool autoDispose = true;      // disposed when the last member leaves
    bool watchesRoomList = false; // receives onRoomListChanged
    // Matches of this type are hosted in an arena-worker child process rather than on the server's
    // event loop, so a room that blocks or crashes takes down one worker, not the server. Such a type
    // should implement snapshot() and restore(), or its matches end when their worker dies.
    bool runsInWorker = false;
    std::function<std::unique_ptr<Room>()> create;
    // Optional: checks a create request's options (the creator's metadata) and capacity on the server
    // itself, so bad options are refused at once, before a worker is involved. Must accept exactly what
    // onCreate accepts; unset means only onCreate decides.
    std::function<Result<void>(const QJsonObject &options, quint32 maxClients)> validateOptions;
};

} // namespace arena
