// What the cluster's store operations share: for their C++ twins (MemoryStore), the store's failure as
// an error reply, the fencing check most of them start with and moving an index entry; and the orphan
// operation of sessions and rooms, whole.
#pragma once

#include "shared/result.h"
#include "shared/store/memorydata.h"
#include "shared/store/statestore.h"

#include <optional>

namespace arena::clusterops {

template<typename T>
Reply storeFailure(const Result<T> &result)
{
    return Reply::error(result.error().message.toUtf8());
}

// The check `if redis.call('HGET', KEYS[n], 'epoch') ~= ARGV[m] then return <refused> end`: nullopt when
// the hash `key` holds `epoch` in its "epoch" field, else the reply to give (`refused`, or the store's
// failure).
inline std::optional<Reply> unlessEpoch(MemoryData &data, const QByteArray &key, const QByteArray &epoch,
                                        const Reply &refused)
{
    const Result<std::optional<QByteArray>> current = data.hget(key, QByteArrayLiteral("epoch"));
    if (!current.ok())
        return storeFailure(current);
    if (!current.value() || *current.value() != epoch)
        return refused;
    return std::nullopt;
}

// A refusal of a takeover script: {0, reason}.
inline Reply refusal(const char *reason)
{
    return Reply::array({Reply::integer(0), Reply::string(reason)});
}

// The takeover check of session.claim and room.adopt: the record `record` must still name `owner` and
// `epoch` as read by the caller (else "moved"), and that registration must be gone: no owner (an
// orphan), or a lease record `ownerLease` that holds another epoch or none (else "alive"). nullopt
// when the entity may be taken over; else the refusal, or the store's failure.
inline std::optional<Reply> unlessOwnerGone(MemoryData &data, const QByteArray &record, const QByteArray &ownerLease,
                                            const QByteArray &owner, const QByteArray &epoch)
{
    const auto recordOwner = data.hget(record, "instance");
    if (!recordOwner.ok())
        return storeFailure(recordOwner);
    const auto recordEpoch = data.hget(record, "epoch");
    if (!recordEpoch.ok())
        return storeFailure(recordEpoch);
    if (recordOwner.value().value_or(QByteArray()) != owner || recordEpoch.value().value_or(QByteArray()) != epoch)
        return refusal("moved");
    if (owner.isEmpty())
        return std::nullopt;
    const auto leaseEpoch = data.hget(ownerLease, "epoch");
    if (!leaseEpoch.ok())
        return storeFailure(leaseEpoch);
    if (leaseEpoch.value() && *leaseEpoch.value() == epoch)
        return refusal("alive");
    return std::nullopt;
}

// Moves `member` from the set `from` to the set `to` (SREM, then SADD): nullopt, or the store's failure.
inline std::optional<Reply> moveMember(MemoryData &data, const QByteArray &from, const QByteArray &to,
                                       const QByteArray &member)
{
    if (const auto r = data.srem(from, {member}); !r.ok())
        return storeFailure(r);
    if (const auto r = data.sadd(to, {member}); !r.ok())
        return storeFailure(r);
    return std::nullopt;
}

// The "orphan" operation of an entity whose owner died (session.orphan, room.orphan):
//   KEYS the entity's record hash, then any keys that go with it   ARGV owner id, ttl ms
//   -> 1: the record named that owner; it now names none (instance and epoch empty), and it and the
//      other keys live `ttl` more; else 0 (nothing changed)
inline StateStore::Operation orphanOperation(const char *name)
{
    StateStore::Operation op;
    op.lua = QByteArrayLiteral(R"(
if redis.call('HGET', KEYS[1], 'instance') ~= ARGV[1] then
  return 0
end
redis.call('HSET', KEYS[1], 'instance', '', 'epoch', '')
for i = 1, #KEYS do
  redis.call('PEXPIRE', KEYS[i], ARGV[2])
end
return 1
)");
    op.memory = [name = QByteArray(name)](MemoryData &data, const StateStore::Keys &keys,
                                          const StateStore::Args &args) -> Reply {
        if (keys.isEmpty() || args.size() != 2)
            return Reply::error("ERR " + name + " needs at least 1 key and 2 arguments");
        const auto owner = data.hget(keys[0], "instance");
        if (!owner.ok())
            return storeFailure(owner);
        if (!owner.value() || *owner.value() != args[0])
            return Reply::integer(0);
        if (const auto r = data.hset(keys[0], {{"instance", QByteArray()}, {"epoch", QByteArray()}}); !r.ok())
            return storeFailure(r);
        for (const QByteArray &key : keys) {
            if (const auto r = data.expire(key, args[1].toLongLong()); !r.ok())
                return storeFailure(r);
        }
        return Reply::integer(1);
    };
    return op;
}

} // namespace arena::clusterops
