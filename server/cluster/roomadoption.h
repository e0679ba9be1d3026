// RoomAdoption: a room whose host instance died, taken over by this one (docs/OPERATIONS.md, "Rooms that
// outlive their host").
//
// A room's record `room:{<rid>}` names its host (`instance`, `epoch`) and lists its members with each
// one's home instance (`members`); `room:{<rid>}:snapshot` (or, for a room type whose snapshot is its
// state, `room:{<rid>}:state`) holds what the room is restored from. When the host's registration is gone
// (no lease record with that epoch), or the dead-instance sweep made the room an orphan (owned by
// nobody for the resume grace), any live instance may adopt it: atomically, so exactly one does. The
// record then names the new host, moves to its index and loses any expiry; the adopter restores the
// room from the snapshot, with its members.
//
// room.adopt   KEYS room record, own lease record, host's lease record, own rooms index, host's rooms
//                   index, room state, room snapshot
//              ARGV host id, host epoch (as read), own id, own epoch, room id
//              -> {1}: adopted; {0, reason}: "stale" (own epoch not current), "gone" (no such room),
//                 "moved" (the record changed since it was read), "alive" (its host holds its lease)
// room.orphan  KEYS room record, room state, room snapshot   ARGV host id, ttl ms
//              -> 1: the record named that host; it now names none and, with its state and snapshot,
//                 lives `ttl` more; else 0
#pragma once

#include "shared/result.h"
#include "shared/store/statestore.h"

#include <QJsonObject>

#include <functional>

namespace arena {

class RoomAdoption final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoomAdoption)

public:
    static constexpr char AdoptName[] = "room.adopt";
    static constexpr char OrphanName[] = "room.orphan";
    static StateStore::Operation adoptOperation();
    static StateStore::Operation orphanOperation();

    struct Member
    {
        QString sessionId;
        QString playerId;
        QString home; // the instance the player was connected to; empty: none (an orphan)
    };
    // The `members` field of a room record, and back (entries that do not parse are skipped).
    static QByteArray encodeMembers(const QList<Member> &members);
    static QList<Member> decodeMembers(const QByteArray &field);

    // A room as its record and snapshot described it when this instance adopted it.
    struct Room
    {
        QString id;
        QString type;
        quint32 maxClients = 0;
        bool isPrivate = false;
        bool locked = false;
        qint64 createdAt = 0;
        QJsonObject metadata;
        QList<Member> members;
        QByteArray state;    // the last state its members saw (may be empty)
        QByteArray snapshot; // what it is restored from: the snapshot, else the state (may be empty)
        QString previousHost; // empty for an orphan
    };

    struct Outcome
    {
        enum Kind { Adopted, HostedElsewhere, Gone };
        Kind kind = Gone;
        QString host; // HostedElsewhere: the live instance that hosts it
        Room room;    // Adopted
    };

    // Registers the operations on `store`, which must outlive this.
    RoomAdoption(StateStore &store, QString instanceId, QObject *parent = nullptr);

    // Takes the room over for this instance (registration `epoch`) when its host is gone. Errors:
    // "unavailable" (this instance is registering again) or the store's.
    void adopt(const QString &roomId, qint64 epoch, std::function<void(Result<Outcome>)> done);

private:
    void attempt(const QString &roomId, qint64 epoch, int triesLeft, std::function<void(Result<Outcome>)> done);

    StateStore &m_store;
    QString m_instanceId;
};

} // namespace arena
