#include "server/cluster/registryoperations.h"

#include "server/cluster/operationsupport.h"
#include "shared/store/memorydata.h"

namespace arena {

namespace {

using clusterops::storeFailure;
using clusterops::unlessEpoch;
using Keys = StateStore::Keys;
using Args = StateStore::Args;

// ARGV from `first` on: field, value, ... (an odd count is a caller's bug).
std::optional<StateStore::Fields> fieldPairs(const Args &args, qsizetype first)
{
    if ((args.size() - first) % 2 != 0)
        return std::nullopt;
    StateStore::Fields fields;
    for (qsizetype i = first; i + 1 < args.size(); i += 2)
        fields.insert(args[i], args[i + 1]);
    return fields;
}

// Writes the lease record's fields and restarts its TTL; an error reply when the store fails.
std::optional<Reply> writeLease(MemoryData &data, const QByteArray &record, const StateStore::Fields &fields,
                                const QByteArray &ttlMs)
{
    if (const Result<qint64> r = data.hset(record, fields); !r)
        return storeFailure(r);
    if (const Result<bool> r = data.expire(record, ttlMs.toLongLong()); !r)
        return storeFailure(r);
    return std::nullopt;
}

} // namespace

StateStore::Operation RegistryOperations::registerInstance()
{
    StateStore::Operation op;
    op.lua = QByteArrayLiteral(R"(
local holder = redis.call('HGET', KEYS[1], 'process')
if holder and holder ~= ARGV[1] then
  return {0, holder}
end
if (#ARGV - 4) % 2 ~= 0 then
  return redis.error_reply('ERR inst.register needs field/value pairs')
end
local epoch = redis.call('INCR', KEYS[2])
if epoch < tonumber(ARGV[4]) then
  epoch = tonumber(ARGV[4])
  redis.call('SET', KEYS[2], epoch)
end
redis.call('DEL', KEYS[1])
redis.call('HSET', KEYS[1], 'process', ARGV[1], 'epoch', epoch, 'lease_until', ARGV[3])
for i = 5, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return {1, epoch}
)");
    op.memory = [](MemoryData &data, const Keys &keys, const Args &args) -> Reply {
        if (keys.size() != 2 || args.size() < 4)
            return Reply::error("ERR inst.register needs 2 keys and at least 4 arguments");
        const std::optional<StateStore::Fields> extra = fieldPairs(args, 4);
        if (!extra)
            return Reply::error("ERR inst.register needs field/value pairs");
        const Result<std::optional<QByteArray>> holder = data.hget(keys[0], QByteArrayLiteral("process"));
        if (!holder)
            return storeFailure(holder);
        if (holder->has_value() && **holder != args[0])
            return Reply::array({Reply::integer(0), Reply::string(**holder)});
        const Result<qint64> next = data.incrBy(keys[1], 1);
        if (!next)
            return storeFailure(next);
        qint64 epoch = *next;
        if (const qint64 floor = args[3].toLongLong(); epoch < floor) {
            if (const Result<bool> r = data.set(keys[1], QByteArray::number(floor), 0, StateStore::SetMode::Always); !r)
                return storeFailure(r);
            epoch = floor;
        }
        if (const Result<qint64> r = data.del({keys[0]}); !r)
            return storeFailure(r);
        StateStore::Fields fields = *extra;
        fields.insert(QByteArrayLiteral("process"), args[0]);
        fields.insert(QByteArrayLiteral("epoch"), QByteArray::number(epoch));
        fields.insert(QByteArrayLiteral("lease_until"), args[2]);
        if (std::optional<Reply> failed = writeLease(data, keys[0], fields, args[1]))
            return *failed;
        return Reply::array({Reply::integer(1), Reply::integer(epoch)});
    };
    return op;
}

StateStore::Operation RegistryOperations::renew()
{
    StateStore::Operation op;
    op.lua = QByteArrayLiteral(R"(
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return 0
end
if (#ARGV - 3) % 2 ~= 0 then
  return redis.error_reply('ERR inst.renew needs field/value pairs')
end
redis.call('HSET', KEYS[1], 'lease_until', ARGV[3])
for i = 4, #ARGV, 2 do
  redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1])
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
return 1
)");
    op.memory = [](MemoryData &data, const Keys &keys, const Args &args) -> Reply {
        if (keys.size() != 1 || args.size() < 3)
            return Reply::error("ERR inst.renew needs 1 key and at least 3 arguments");
        if (std::optional<Reply> refused = unlessEpoch(data, keys[0], args[0], Reply::integer(0)))
            return *refused;
        std::optional<StateStore::Fields> fields = fieldPairs(args, 3);
        if (!fields)
            return Reply::error("ERR inst.renew needs field/value pairs");
        fields->insert(QByteArrayLiteral("lease_until"), args[2]);
        if (std::optional<Reply> failed = writeLease(data, keys[0], *fields, args[1]))
            return *failed;
        return Reply::integer(1);
    };
    return op;
}

StateStore::Operation RegistryOperations::release()
{
    StateStore::Operation op;
    op.lua = QByteArrayLiteral(R"(
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[1])
return 1
)");
    op.memory = [](MemoryData &data, const Keys &keys, const Args &args) -> Reply {
        if (keys.size() != 1 || args.size() != 1)
            return Reply::error("ERR inst.release needs 1 key and 1 argument");
        if (std::optional<Reply> refused = unlessEpoch(data, keys[0], args[0], Reply::integer(0)))
            return *refused;
        if (const Result<qint64> r = data.del({keys[0]}); !r)
            return storeFailure(r);
        return Reply::integer(1);
    };
    return op;
}

void RegistryOperations::registerAll(StateStore &store)
{
    store.registerOperation(RegisterName, registerInstance());
    store.registerOperation(RenewName, renew());
    store.registerOperation(ReleaseName, release());
}

} // namespace arena
