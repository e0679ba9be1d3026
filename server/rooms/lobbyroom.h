// LobbyRoom: the `lobby` room type, a live listing of the server's rooms pushed to its members.
#pragma once

#include "server/rooms/room.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QString>

namespace arena {

// Members receive room_events {"kind":"rooms","rooms":[...],"total":n} (rooms in the room_list shape)
// when they join, when the listing changes, and on request. Each member may narrow its own view with
// {"action":"filter","roomType":...,"metadata":{...}}. Lobbies leave rooms of their own type out of the
// listing: players look for games, and counting lobby members would make every lobby join a list change.
class LobbyRoom final : public Room
{
    Q_DISABLE_COPY_MOVE(LobbyRoom)

public:
    static constexpr quint32 DefaultMaxClients = 256;
    static constexpr quint32 MaxMaxClients = 1024;
    // Bound on the rooms one event carries (`total` still counts every match), so a server with many
    // rooms cannot turn each list change into megabytes per lobby member.
    static constexpr qsizetype MaxListedRooms = 100;

    LobbyRoom() = default;

    static RoomTypeInfo typeInfo();

    void onJoined(RoomContext &context, const RoomMember &member) override;
    void onLeave(RoomContext &context, const RoomMember &member, const QString &reason) override;
    Result<void> onMessage(RoomContext &context, const RoomMember &from, const protocol::RawJson &data) override;
    void onRoomListChanged(RoomContext &context) override;
    // A lobby taken over from a dead instance: each member gets the listing again, unfiltered (filters
    // are not part of a snapshot).
    Result<void> restore(RoomContext &context, const protocol::RawJson &snapshot) override;

private:
    struct Filter
    {
        QString roomType;     // empty: every type
        QJsonObject metadata; // every key must be in a room's metadata with an equal value
        QByteArray key;       // identifies equal filters, so one listing serves all members using it
    };
    struct View
    {
        Filter filter;
        QByteArray lastSent; // compact JSON of the last listing sent, to skip unchanged ones
    };

    static Result<Filter> parseFilter(const QJsonObject &message);
    static bool matches(const Filter &filter, const protocol::RoomInfo &room, const RoomContext &context);
    static protocol::RawJson listing(const RoomContext &context, const Filter &filter);
    void sendListing(RoomContext &context, const QString &sessionId);

    QHash<QString, View> m_views; // by session id; members without an entry see the unfiltered listing
};

} // namespace arena
