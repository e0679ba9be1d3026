// Session: one player's session on this instance — identity, resume token, activity, rooms, and the
// connection it is reachable on (none while it waits to be resumed).
#pragma once

#include "server/gateway/playerconnection.h"

#include <QPointer>
#include <QSet>
#include <QString>

namespace arena {

struct Session
{
    QString id;
    QString playerId;
    QString resumeToken;
    qint64 createdAt = 0;      // ms since the Unix epoch
    qint64 lastActivityAt = 0; // ms since the Unix epoch
    qint64 detachedAt = 0;     // when its connection dropped; 0 while connected
    QPointer<PlayerConnection> connection;
    QSet<QString> rooms;       // room ids it is a member of
    bool queued = false;       // has (or is getting) a matchmaking ticket
    QString ticket;            // its id, once the matchmaker accepted it
    qint64 queuedAt = 0;       // when the matchmaker accepted it (ms since the Unix epoch)
    // Empty for this instance's own sessions. For the stand-in of another instance's session in rooms
    // hosted here (ClusterRooms), that instance's id: what is sent to it crosses the instance bus.
    QString home;

    bool isConnected() const { return connection && connection->isOpen(); }
    bool send(const protocol::ServerMessage &message) const
    {
        return isConnected() && connection->send(message);
    }
    bool sendEncoded(const QByteArray &text) const { return isConnected() && connection->sendEncoded(text); }
};

} // namespace arena
