// MatchmakingOperations: the named atomic StateStore operations of matchmaking (Lua script + C++ twin).
#pragma once

#include "shared/store/statestore.h"

namespace arena {

// Every operation touches the keys of one queue only (see QueueKey), so it runs in one cluster slot.
// The Lua script and the C++ function behave identically (tests run both).
//
// mm.enqueue   KEYS queue, levels, ticket hash
//              ARGV id, session, player, level, enqueued ms, instance, room type, team size
//              -> 1 when added, 0 when that ticket id already exists (nothing changes)
// mm.remove    KEYS queue, levels, ticket hash   ARGV id
//              -> the ticket's hash as a flat field/value array, removed; {} when it was not queued
// mm.release   KEYS session key                  ARGV expected value
//              -> 1 when the key held exactly that value and was deleted, else 0 (compare-and-delete)
// mm.form      KEYS queue, levels, ticket key prefix
//              ARGV now ms, group size, initial window, widening per second, maximum window, offset, budget
//              -> {examined, unmatched, remaining, group...}, each group a list of ticket hashes
//                 (flat field/value arrays), the anchor first
//
// mm.form walks up to `budget` tickets oldest first, starting at rank `offset` of the queue. For each
// ticket still queued (the anchor) its window is min(initial + widening * seconds waited, maximum).
// Candidates are the group size - 1 tickets nearest below its level and the group size - 1 nearest at
// or above it (ties by ticket id, i.e. oldest first), all within the window; of the runs of group
// size - 1 consecutive candidates (by level) the one with the smallest level spread including the
// anchor wins (the first on a tie). If that spread is at most the anchor's window, the anchor and those
// candidates form a group: their hashes and sorted-set entries are removed and returned. Since the
// anchor is the oldest ticket of its group, its window is the widest. `unmatched` counts anchors left
// in the queue, so a caller continuing with offset + unmatched skips exactly those; a call that
// examined `budget` tickets may have left work for the next one. `remaining` is the queue length after.
class MatchmakingOperations final
{
public:
    static constexpr char EnqueueName[] = "mm.enqueue";
    static constexpr char RemoveName[] = "mm.remove";
    static constexpr char ReleaseName[] = "mm.release";
    static constexpr char FormName[] = "mm.form";

    static StateStore::Operation enqueue();
    static StateStore::Operation remove();
    static StateStore::Operation release();
    static StateStore::Operation form();

    // Registers all four under their names.
    static void registerAll(StateStore &store);
};

} // namespace arena
