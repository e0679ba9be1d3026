#include "server/cluster/ownedwrites.h"

#include "server/cluster/instanceregistry.h"
#include "server/cluster/operationsupport.h"
#include "shared/core/metricsregistry.h"
#include "shared/store/memorydata.h"

#include <QLoggingCategory>

namespace arena {

Q_LOGGING_CATEGORY(lcOwned, "arena.server.cluster")

namespace {

using clusterops::storeFailure;
using clusterops::unlessEpoch;
using Keys = StateStore::Keys;
using Args = StateStore::Args;

} // namespace

StateStore::Operation OwnedWrites::writeOperation()
{
    StateStore::Operation op;
    op.lua = QByteArrayLiteral(R"(
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return 0
end
local owner = redis.call('HGET', KEYS[2], 'instance')
if owner and owner ~= ARGV[2] then
  return -1
end
local n = tonumber(ARGV[4])
if n % 2 ~= 0 or #ARGV ~= 4 + n + 2 * (#KEYS - 2) then
  return redis.error_reply('ERR owned.write: bad argument count')
end
for i = 5, 4 + n, 2 do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
end
redis.call('HSET', KEYS[2], 'instance', ARGV[2], 'epoch', ARGV[1])
if tonumber(ARGV[3]) > 0 then
  redis.call('PEXPIRE', KEYS[2], ARGV[3])
end
local a = 5 + n
for k = 3, #KEYS do
  if ARGV[a] == '+' then
    redis.call('SADD', KEYS[k], ARGV[a + 1])
  else
    redis.call('SREM', KEYS[k], ARGV[a + 1])
  end
  a = a + 2
end
return 1
)");
    op.memory = [](MemoryData &data, const Keys &keys, const Args &args) -> Reply {
        if (keys.size() < 2 || args.size() < 4)
            return Reply::error("ERR owned.write needs 2 keys and 4 arguments");
        if (std::optional<Reply> refused = unlessEpoch(data, keys[0], args[0], Reply::integer(0)))
            return *refused;
        const auto owner = data.hget(keys[1], QByteArrayLiteral("instance"));
        if (!owner.ok())
            return storeFailure(owner);
        if (owner.value() && *owner.value() != args[1])
            return Reply::integer(-1);
        const qsizetype n = args[3].toLongLong();
        if (n % 2 != 0 || args.size() != 4 + n + 2 * (keys.size() - 2))
            return Reply::error("ERR owned.write: bad argument count");
        StateStore::Fields fields;
        for (qsizetype i = 4; i < 4 + n; i += 2)
            fields.insert(args[i], args[i + 1]);
        fields.insert(QByteArrayLiteral("instance"), args[1]);
        fields.insert(QByteArrayLiteral("epoch"), args[0]);
        if (const auto r = data.hset(keys[1], fields); !r.ok())
            return storeFailure(r);
        if (const qint64 ttl = args[2].toLongLong(); ttl > 0) {
            if (const auto r = data.expire(keys[1], ttl); !r.ok())
                return storeFailure(r);
        }
        qsizetype a = 4 + n;
        for (qsizetype k = 2; k < keys.size(); ++k, a += 2) {
            const auto r = args[a] == "+" ? data.sadd(keys[k], {args[a + 1]}) : data.srem(keys[k], {args[a + 1]});
            if (!r.ok())
                return storeFailure(r);
        }
        return Reply::integer(1);
    };
    return op;
}

StateStore::Operation OwnedWrites::setOperation()
{
    StateStore::Operation op;
    op.lua = QByteArrayLiteral(R"(
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then
  return 0
end
redis.call('SET', KEYS[2], ARGV[2])
return 1
)");
    op.memory = [](MemoryData &data, const Keys &keys, const Args &args) -> Reply {
        if (keys.size() != 2 || args.size() != 2)
            return Reply::error("ERR owned.set needs 2 keys and 2 arguments");
        if (std::optional<Reply> refused = unlessEpoch(data, keys[0], args[0], Reply::integer(0)))
            return *refused;
        if (const auto r = data.set(keys[1], args[1]); !r.ok())
            return storeFailure(r);
        return Reply::integer(1);
    };
    return op;
}

OwnedWrites::OwnedWrites(StateStore &store, QString instanceId, MetricsRegistry *metrics, QObject *parent)
    : QObject(parent), m_store(store), m_instanceId(std::move(instanceId)),
      m_leaseKey(InstanceRegistry::recordKey(m_instanceId))
{
    m_store.registerOperation(WriteName, writeOperation());
    m_store.registerOperation(SetName, setOperation());
    if (metrics) {
        m_refused = &metrics->counter(QStringLiteral("arena_store_fenced_writes_total"),
                                      QStringLiteral("Writes of this instance's records refused because they carried "
                                                     "the epoch of a registration that is no longer current, or the "
                                                     "record belongs to another instance"))
                         .labels({});
    }
}

void OwnedWrites::write(const QByteArray &key, const StateStore::Fields &fields, qint64 ttlMs,
                        const QList<IndexChange> &indexes, std::function<void(Outcome)> done)
{
    if (m_epoch <= 0) {
        if (done)
            done(Outcome::NotRegistered);
        return;
    }
    StateStore::Keys keys{m_leaseKey, key};
    StateStore::Args args{QByteArray::number(m_epoch), m_instanceId.toUtf8(), QByteArray::number(ttlMs),
                          QByteArray::number(fields.size() * 2)};
    for (auto it = fields.cbegin(); it != fields.cend(); ++it)
        args << it.key() << it.value();
    for (const IndexChange &change : indexes) {
        keys.append(change.set);
        args << (change.add ? QByteArrayLiteral("+") : QByteArrayLiteral("-")) << change.member;
    }
    m_store.run(WriteName, keys, args, this,
                [this, key, done](Result<Reply> reply) { finish(std::move(reply), key, done); });
}

void OwnedWrites::set(const QByteArray &key, const QByteArray &value, std::function<void(Outcome)> done)
{
    if (m_epoch <= 0) {
        if (done)
            done(Outcome::NotRegistered);
        return;
    }
    m_store.run(SetName, {m_leaseKey, key}, {QByteArray::number(m_epoch), value}, this,
                [this, key, done](Result<Reply> reply) { finish(std::move(reply), key, done); });
}

void OwnedWrites::finish(Result<Reply> reply, const QByteArray &key, const std::function<void(Outcome)> &done)
{
    Outcome outcome = Outcome::Failed;
    if (!reply.ok()) {
        qCWarning(lcOwned) << "could not store" << key << ":" << reply.error().message;
    } else if (!reply.value().isInteger()) {
        qCWarning(lcOwned) << "could not store" << key << ": unexpected reply";
    } else {
        const qint64 r = reply.value().integer();
        outcome = r == 1 ? Outcome::Written : r == 0 ? Outcome::StaleEpoch : Outcome::OtherOwner;
        if (outcome != Outcome::Written) {
            ++m_refusedCount;
            if (m_refused)
                m_refused->inc();
            qCInfo(lcOwned).noquote() << "write of" << key << "refused:"
                                      << (outcome == Outcome::StaleEpoch
                                              ? QStringLiteral("epoch %1 is not this instance's current registration").arg(m_epoch)
                                              : QStringLiteral("the record belongs to another instance"));
        }
    }
    if (done)
        done(outcome);
}

} // namespace arena
