#include "server/cluster/roomadoption.h"

#include "server/cluster/instanceregistry.h"
#include "server/cluster/operationsupport.h"
#include "server/cluster/roomkeys.h"
#include "shared/protocol/errorcode.h"
#include "shared/store/memorydata.h"

#include <QJsonArray>
#include <QJsonDocument>

namespace arena {

namespace {

using clusterops::refusal;
using clusterops::storeFailure;
using clusterops::unlessEpoch;
using Keys = StateStore::Keys;
using Args = StateStore::Args;

} // namespace

StateStore::Operation RoomAdoption::adoptOperation()
{
    StateStore::Operation op;
    op.lua = QByteArrayLiteral(R"(
if redis.call('HGET', KEYS[2], 'epoch') ~= ARGV[4] then
  return {0, 'stale'}
end
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {0, 'gone'}
end
local host = redis.call('HGET', KEYS[1], 'instance') or ''
local epoch = redis.call('HGET', KEYS[1], 'epoch') or ''
if host ~= ARGV[1] or epoch ~= ARGV[2] then
  return {0, 'moved'}
end
if host ~= '' and redis.call('HGET', KEYS[3], 'epoch') == epoch then
  return {0, 'alive'}
end
redis.call('HSET', KEYS[1], 'instance', ARGV[3], 'epoch', ARGV[4])
redis.call('PERSIST', KEYS[1])
redis.call('PERSIST', KEYS[6])
redis.call('PERSIST', KEYS[7])
redis.call('SREM', KEYS[5], ARGV[5])
redis.call('SADD', KEYS[4], ARGV[5])
return {1}
)");
    op.memory = [](MemoryData &data, const Keys &keys, const Args &args) -> Reply {
        if (keys.size() != 7 || args.size() != 5)
            return Reply::error("ERR room.adopt needs 7 keys and 5 arguments");
        if (std::optional<Reply> stale = unlessEpoch(data, keys[1], args[3], refusal("stale")))
            return *stale;
        if (!data.exists(keys[0]))
            return refusal("gone");
        if (std::optional<Reply> refused = clusterops::unlessOwnerGone(data, keys[0], keys[2], args[0], args[1]))
            return *refused;
        if (const auto r = data.hset(keys[0], {{"instance", args[2]}, {"epoch", args[3]}}); !r.ok())
            return storeFailure(r);
        for (int k : {0, 5, 6})
            data.persist(keys[k]);
        if (std::optional<Reply> failed = clusterops::moveMember(data, keys[4], keys[3], args[4]))
            return *failed;
        return Reply::array({Reply::integer(1)});
    };
    return op;
}

StateStore::Operation RoomAdoption::orphanOperation()
{
    return clusterops::orphanOperation(OrphanName);
}

QByteArray RoomAdoption::encodeMembers(const QList<Member> &members)
{
    QJsonArray out;
    for (const Member &m : members)
        out.append(QJsonArray{m.sessionId, m.playerId, m.home});
    return QJsonDocument(out).toJson(QJsonDocument::Compact);
}

QList<RoomAdoption::Member> RoomAdoption::decodeMembers(const QByteArray &field)
{
    QList<Member> out;
    const QJsonArray members = QJsonDocument::fromJson(field).array();
    for (const QJsonValue &v : members) {
        const QJsonArray m = v.toArray();
        if (m.size() != 3 || !m.at(0).isString() || m.at(0).toString().isEmpty() || !m.at(1).isString()
            || !m.at(2).isString())
            continue;
        out.append(Member{m.at(0).toString(), m.at(1).toString(), m.at(2).toString()});
    }
    return out;
}

RoomAdoption::RoomAdoption(StateStore &store, QString instanceId, QObject *parent)
    : QObject(parent), m_store(store), m_instanceId(std::move(instanceId))
{
    m_store.registerOperation(AdoptName, adoptOperation());
    m_store.registerOperation(OrphanName, orphanOperation());
}

void RoomAdoption::adopt(const QString &roomId, qint64 epoch, std::function<void(Result<Outcome>)> done)
{
    if (epoch <= 0) {
        done(protocol::toError(protocol::ErrorCode::Unavailable, QStringLiteral("this instance is not registered")));
        return;
    }
    attempt(roomId, epoch, 3, std::move(done));
}

void RoomAdoption::attempt(const QString &roomId, qint64 epoch, int triesLeft,
                           std::function<void(Result<Outcome>)> done)
{
    const QByteArray key = roomkeys::record(roomId);
    m_store.hgetAll(key, this, [=, this](Result<StateStore::Fields> record) {
        if (!record.ok())
            return done(record.error());
        const StateStore::Fields &r = record.value();
        if (r.isEmpty() || r.value("type").isEmpty())
            return done(Outcome{});
        Room room;
        room.id = roomId;
        room.type = QString::fromUtf8(r.value("type"));
        room.maxClients = r.value("max_clients").toUInt();
        room.isPrivate = r.value("private") == "1";
        room.locked = r.value("locked") == "1";
        room.createdAt = r.value("created").toLongLong();
        room.metadata = QJsonDocument::fromJson(r.value("metadata")).object();
        room.members = decodeMembers(r.value("members"));
        room.previousHost = QString::fromUtf8(r.value("instance"));
        const QByteArray hostEpoch = r.value("epoch");
        // Read before the claim: a dead host writes nothing more, and an orphan's keys only expire.
        m_store.get(roomkeys::state(roomId), this, [=, this](Result<std::optional<QByteArray>> state) mutable {
            if (!state.ok())
                return done(state.error());
            room.state = state.value().value_or(QByteArray());
            m_store.get(roomkeys::snapshot(roomId), this, [=, this](Result<std::optional<QByteArray>> snapshot) mutable {
                if (!snapshot.ok())
                    return done(snapshot.error());
                room.snapshot = snapshot.value().value_or(room.state);
                const QString host = room.previousHost.isEmpty() ? QStringLiteral("-") : room.previousHost;
                const Keys keys{key, InstanceRegistry::recordKey(m_instanceId), InstanceRegistry::recordKey(host),
                                InstanceRegistry::roomsIndexKey(m_instanceId), InstanceRegistry::roomsIndexKey(host), roomkeys::state(roomId),
                                roomkeys::snapshot(roomId)};
                const Args args{room.previousHost.toUtf8(), hostEpoch, m_instanceId.toUtf8(),
                                QByteArray::number(epoch), roomId.toUtf8()};
                m_store.run(AdoptName, keys, args, this, [=, this](Result<Reply> reply) {
                    if (!reply.ok())
                        return done(reply.error());
                    const Reply &v = reply.value();
                    if (!v.isArray() || v.elements().isEmpty())
                        return done(Error{QStringLiteral("internal"), QStringLiteral("room.adopt: unexpected reply")});
                    if (v.elements().at(0).integer() == 1)
                        return done(Outcome{Outcome::Adopted, m_instanceId, room});
                    const QByteArray why = v.elements().value(1).bytes();
                    if (why == "alive")
                        return done(Outcome{Outcome::HostedElsewhere, room.previousHost, {}});
                    if (why == "moved" && triesLeft > 1)
                        return attempt(roomId, epoch, triesLeft - 1, done);
                    if (why == "stale")
                        return done(protocol::toError(protocol::ErrorCode::Unavailable,
                                                      QStringLiteral("this instance is registering again")));
                    done(Outcome{});
                });
            });
        });
    });
}

} // namespace arena
