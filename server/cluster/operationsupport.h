// What the C++ twins (MemoryStore) of the cluster's store operations share: the store's failure as an
// error reply, and the fencing check most of them start with.
#pragma once

#include "shared/result.h"
#include "shared/store/memorydata.h"

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

} // namespace arena::clusterops
