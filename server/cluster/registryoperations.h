// RegistryOperations: the named atomic StateStore operations of the instance registry (Lua script + C++
// twin), which own an instance's lease record.
#pragma once

#include "shared/store/statestore.h"

namespace arena {

// The lease record `instance:{<id>}` is a hash: `process` (who holds it), `epoch`, `lease_until` (ms since
// the epoch) and the instance's own fields (host, ports, version, load...). It lives for the lease TTL
// unless renewed. `instance:{<id>}:epoch` counts registrations and never expires, so each registration of
// an id gets a larger epoch than every earlier one: the fencing token of that registration.
//
// inst.register  KEYS record, epoch counter
//                ARGV process token, lease ttl ms, lease until ms, lowest epoch, field, value, ...
//                -> {1, epoch}: the record now holds only these fields, the new epoch, the process and
//                   lease_until, and expires after the ttl. The epoch is the counter's next value, or the
//                   lowest epoch if that is larger (a Redis that lost its data must not hand a process
//                   an epoch it already had);
//                   {0, holder}: another process holds a live record for this id (nothing changes)
// inst.renew     KEYS record
//                ARGV epoch, lease ttl ms, lease until ms, field, value, ...
//                -> 1: fields and lease_until written, expiry reset to the ttl;
//                   0: the record is gone or belongs to another epoch — the lease is lost (nothing changes)
// inst.release   KEYS record   ARGV epoch
//                -> 1 when the record held that epoch and was deleted, else 0
//
// Both keys of an id share the hash tag {<id>}, so every operation runs in one cluster slot.
class RegistryOperations final
{
public:
    static constexpr char RegisterName[] = "inst.register";
    static constexpr char RenewName[] = "inst.renew";
    static constexpr char ReleaseName[] = "inst.release";

    static StateStore::Operation registerInstance();
    static StateStore::Operation renew();
    static StateStore::Operation release();

    static void registerAll(StateStore &store);
};

} // namespace arena
