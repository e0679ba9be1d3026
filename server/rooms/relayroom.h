// RelayRoom: the `relay` room type, which fans every room_message out to all members, sender included.
#pragma once

#include "server/rooms/room.h"

namespace arena {

// Stateless and type-agnostic: `data` is forwarded as the compact text it arrived as, never parsed,
// because this is the hot path of the server benchmarks (one message in, N room_events out).
class RelayRoom final : public Room
{
    Q_DISABLE_COPY_MOVE(RelayRoom)

public:
    static constexpr quint32 DefaultMaxClients = 16;
    static constexpr quint32 MaxMaxClients = 256;

    RelayRoom() = default;

    static RoomTypeInfo typeInfo();

    Result<void> onMessage(RoomContext &context, const RoomMember &from, const protocol::RawJson &data) override;
    // Nothing to restore: a relay room taken over from a dead instance goes on with its members.
    Result<void> restore(RoomContext &context, const protocol::RawJson &snapshot) override
    {
        Q_UNUSED(context);
        Q_UNUSED(snapshot);
        return {};
    }
};

} // namespace arena
