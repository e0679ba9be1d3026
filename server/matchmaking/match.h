// Match: a group of tickets formed by the matchmaker, split into two teams.
#pragma once

#include "server/matchmaking/ticket.h"

#include <QList>
#include <QString>

namespace arena {

struct Match
{
    QString id;
    QString roomType;
    int teamSize = 1;
    // Two teams of teamSize tickets each, balanced by level (highest first, dealt A B B A A B B A ...).
    QList<QList<Ticket>> teams;
    qint64 formedAtMs = 0; // wall clock of the instance that formed it

    // Every ticket, team by team.
    QList<Ticket> tickets() const
    {
        QList<Ticket> all;
        for (const QList<Ticket> &team : teams)
            all += team;
        return all;
    }

    friend bool operator==(const Match &, const Match &) = default;
};

} // namespace arena
