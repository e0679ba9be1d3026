#include "server/rooms/relayroom.h"

namespace arena {

RoomTypeInfo RelayRoom::typeInfo()
{
    RoomTypeInfo info;
    info.name = QStringLiteral("relay");
    info.description = QStringLiteral("Fans every message out to all members, the sender included");
    info.defaultMaxClients = DefaultMaxClients;
    info.maxMaxClients = MaxMaxClients;
    info.autoDispose = true;
    info.watchesRoomList = false;
    info.create = [] { return std::make_unique<RelayRoom>(); };
    return info;
}

Result<void> RelayRoom::onMessage(RoomContext &context, const RoomMember &from, const protocol::RawJson &data)
{
    context.broadcast(data, from.sessionId);
    return {};
}

} // namespace arena
