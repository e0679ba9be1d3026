// Ticket: one session waiting in a matchmaking queue, as stored in its per-ticket hash.
#pragma once

#include <QByteArray>
#include <QMap>
#include <QString>

#include <optional>

namespace arena {

struct Ticket
{
    QString id;            // assigned by Matchmaker::enqueue
    QString sessionId;
    QString playerId;
    int level = 0;
    int teamSize = 1;      // players per team; a match needs two teams
    QString roomType;
    qint64 enqueuedAtMs = 0; // wall clock (ms since the Unix epoch) when enqueued; assigned by enqueue
    QString instanceId;      // the instance that accepted the request (and holds the session)

    // The hash fields: id, session, player, level, team_size, room_type, enqueued, instance.
    QMap<QByteArray, QByteArray> toFields() const;
    // nullopt when a field is missing or not a number where one is expected.
    static std::optional<Ticket> fromFields(const QMap<QByteArray, QByteArray> &fields);

    friend bool operator==(const Ticket &, const Ticket &) = default;
};

} // namespace arena
