// QueueKey: the StateStore key layout of matchmaking (names relative to the store's prefix).
#pragma once

#include <QByteArray>
#include <QString>

#include <optional>

namespace arena {

// One queue per (room type, team size), identified by its tag "<room type>:<team size>", e.g. "duel:1".
// Keys of one queue share the hash tag {<tag>} so every script about a queue touches one cluster slot:
//
//   mm:{duel:1}:queue           sorted set  ticket id -> enqueue time (ms since the epoch); oldest first
//   mm:{duel:1}:levels          sorted set  ticket id -> level; candidate lookup by level
//   mm:{duel:1}:ticket:<id>     hash        id, session, player, level, team_size, room_type, enqueued, instance
//
// The scripts write and remove a ticket's hash and both sorted-set entries together. Outside any queue:
//
//   mm:queues                   set         every queue tag ever used (what the matcher walks)
//   mm:session:<session id>     string      "<tag>|<ticket id>": the one ticket a session holds
//   mm:instance:<id>:tickets    set         "<tag>|<ticket id>" of tickets accepted by that instance,
//                                           so a dead instance's tickets are found without SCAN
//
// Ticket ids are "t-<13-digit enqueue ms>-<16 hex digits>", so bytewise order is enqueue order.
class QueueKey final
{
public:
    QueueKey(QString roomType, int teamSize);

    // Parses "<room type>:<team size>"; nullopt when malformed.
    static std::optional<QueueKey> fromTag(const QByteArray &tag);
    // Room types are 1..64 characters of [A-Za-z0-9_.-]: nothing that could break the key layout.
    static bool isValidRoomType(const QString &roomType);

    const QString &roomType() const { return m_roomType; }
    int teamSize() const { return m_teamSize; }

    QByteArray tag() const;          // duel:1
    QByteArray queue() const;        // mm:{duel:1}:queue
    QByteArray levels() const;       // mm:{duel:1}:levels
    QByteArray ticketPrefix() const; // mm:{duel:1}:ticket:
    QByteArray ticket(const QString &ticketId) const;
    QByteArray ref(const QString &ticketId) const; // duel:1|<ticket id>

    static QByteArray queuesKey();
    static QByteArray sessionKey(const QString &sessionId);
    static QByteArray instanceTicketsKey(const QString &instanceId);

    struct Ref
    {
        QByteArray tag;
        QString ticketId;
    };
    // Splits "<tag>|<ticket id>"; nullopt when malformed.
    static std::optional<Ref> parseRef(const QByteArray &ref);

    friend bool operator==(const QueueKey &, const QueueKey &) = default;

private:
    QString m_roomType;
    int m_teamSize = 1;
};

} // namespace arena
