// BlockRoom: the test-only `block` room type, whose logic blocks its thread on request (worker watchdog tests).
#pragma once

#include "server/rooms/room.h"

#include <QJsonObject>

#include <chrono>

namespace arena {

// Hosted in a worker, so tests can make a worker stop answering on purpose:
// {"action":"block","ms":N} busy-waits N ms (at most MaxBlock) inside onMessage, like game logic stuck in
// a loop would, then sends the sender {"kind":"blocked","ms":N}; {"action":"echo",...} broadcasts the
// data unchanged to every member, with the sender as `from`, to show the room still (or again) answers.
// Stateless, so it can always be restored. Never registered by registerBuiltinRoomTypes: a player who
// could create one could stall a worker at will. registerTestRoomTypes adds it.
class BlockRoom final : public Room
{
    Q_DISABLE_COPY_MOVE(BlockRoom)

public:
    static constexpr quint32 DefaultMaxClients = 8;
    static constexpr quint32 MaxMaxClients = 64;
    // Longer requests are capped, so a mistaken test cannot hang a worker (and its watchdog test) forever.
    static constexpr std::chrono::milliseconds MaxBlock{10 * 60 * 1000};

    BlockRoom() = default;

    static RoomTypeInfo typeInfo();

    Result<void> onMessage(RoomContext &context, const RoomMember &from, const protocol::RawJson &data) override;
    // Nothing to restore: accepts the snapshot this room makes (JSON null) and publishes nothing.
    Result<void> restore(RoomContext &context, const protocol::RawJson &snapshot) override;

    // The duration a block message asks for: `ms` a whole number of milliseconds from 0, capped at
    // MaxBlock; anything else is refused with "bad_request".
    static Result<std::chrono::milliseconds> blockDuration(const QJsonObject &message);
    // Spins, without returning to the event loop, until `duration` has passed on a monotonic clock.
    static void busyWait(std::chrono::milliseconds duration);
};

} // namespace arena
