#include "server/cluster/sessionclaim.h"

#include "server/cluster/instanceregistry.h"
#include "server/cluster/operationsupport.h"
#include "shared/protocol/errorcode.h"
#include "shared/store/memorydata.h"

#include <QCryptographicHash>

namespace arena {

namespace {

using clusterops::refusal;
using clusterops::storeFailure;
using clusterops::unlessEpoch;
using Keys = StateStore::Keys;
using Args = StateStore::Args;

QByteArray sessionKey(const QString &sid)
{
    return "session:" + sid.toUtf8();
}

} // namespace

StateStore::Operation SessionClaim::claimOperation()
{
    StateStore::Operation op;
    op.lua = QByteArrayLiteral(R"(
if redis.call('HGET', KEYS[2], 'epoch') ~= ARGV[5] then
  return {0, 'stale'}
end
local token = redis.call('HGET', KEYS[1], 'token')
if not token or token ~= ARGV[1] then
  return {0, 'gone'}
end
local owner = redis.call('HGET', KEYS[1], 'instance') or ''
local epoch = redis.call('HGET', KEYS[1], 'epoch') or ''
if owner ~= ARGV[2] or epoch ~= ARGV[3] then
  return {0, 'moved'}
end
if owner ~= '' and redis.call('HGET', KEYS[3], 'epoch') == epoch then
  return {0, 'alive'}
end
redis.call('HSET', KEYS[1], 'instance', ARGV[4], 'epoch', ARGV[5], 'token', ARGV[6])
redis.call('PEXPIRE', KEYS[1], ARGV[7])
redis.call('SREM', KEYS[5], ARGV[8])
redis.call('SADD', KEYS[4], ARGV[8])
return {1}
)");
    op.memory = [](MemoryData &data, const Keys &keys, const Args &args) -> Reply {
        if (keys.size() != 5 || args.size() != 8)
            return Reply::error("ERR session.claim needs 5 keys and 8 arguments");
        if (std::optional<Reply> stale = unlessEpoch(data, keys[1], args[4], refusal("stale")))
            return *stale;
        const auto token = data.hget(keys[0], "token");
        if (!token.ok())
            return storeFailure(token);
        if (!token.value() || *token.value() != args[0])
            return refusal("gone");
        if (std::optional<Reply> refused = clusterops::unlessOwnerGone(data, keys[0], keys[2], args[1], args[2]))
            return *refused;
        if (const auto r = data.hset(keys[0], {{"instance", args[3]}, {"epoch", args[4]}, {"token", args[5]}}); !r.ok())
            return storeFailure(r);
        if (const auto r = data.expire(keys[0], args[6].toLongLong()); !r.ok())
            return storeFailure(r);
        if (std::optional<Reply> failed = clusterops::moveMember(data, keys[4], keys[3], args[7]))
            return *failed;
        return Reply::array({Reply::integer(1)});
    };
    return op;
}

StateStore::Operation SessionClaim::orphanOperation()
{
    return clusterops::orphanOperation(OrphanName);
}

QString SessionClaim::sessionOf(const QString &resumeToken)
{
    const qsizetype dot = resumeToken.indexOf(QLatin1Char('.'));
    return dot > 0 ? resumeToken.left(dot) : QString();
}

QByteArray SessionClaim::tokenHash(const QString &resumeToken)
{
    return QCryptographicHash::hash(resumeToken.toUtf8(), QCryptographicHash::Sha256).toHex();
}

SessionClaim::SessionClaim(StateStore &store, QString instanceId, QObject *parent)
    : QObject(parent), m_store(store), m_instanceId(std::move(instanceId))
{
    m_store.registerOperation(ClaimName, claimOperation());
    m_store.registerOperation(OrphanName, orphanOperation());
}

void SessionClaim::claim(const QString &resumeToken, const QString &newToken, qint64 epoch, qint64 ttlMs,
                         std::function<void(Result<Claimed>)> done)
{
    const QString sid = sessionOf(resumeToken);
    if (sid.isEmpty() || epoch <= 0) {
        done(protocol::toError(protocol::ErrorCode::SessionExpired,
                               QStringLiteral("that session is over; say hello without a resume token")));
        return;
    }
    attempt(sid, resumeToken, newToken, epoch, ttlMs, 3, std::move(done));
}

void SessionClaim::attempt(const QString &sid, const QString &resumeToken, const QString &newToken, qint64 epoch,
                           qint64 ttlMs, int triesLeft, std::function<void(Result<Claimed>)> done)
{
    const auto expired = [] {
        return protocol::toError(protocol::ErrorCode::SessionExpired,
                                 QStringLiteral("that session is over; say hello without a resume token"));
    };
    m_store.hgetAll(sessionKey(sid), this,
                    [=, this](Result<StateStore::Fields> record) {
        if (!record.ok())
            return done(record.error());
        const StateStore::Fields &r = record.value();
        if (r.isEmpty() || r.value("token") != tokenHash(resumeToken))
            return done(expired());
        const QString owner = QString::fromUtf8(r.value("instance"));
        Claimed claimed;
        claimed.playerId = QString::fromUtf8(r.value("player"));
        claimed.createdAt = r.value("created").toLongLong();
        claimed.previousOwner = owner;
        for (const QByteArray &room : r.value("rooms").split(',')) {
            if (!room.isEmpty())
                claimed.rooms.append(QString::fromUtf8(room));
        }
        const Keys keys{sessionKey(sid), InstanceRegistry::recordKey(m_instanceId),
                        InstanceRegistry::recordKey(owner.isEmpty() ? QStringLiteral("-") : owner),
                        InstanceRegistry::sessionsIndexKey(m_instanceId), InstanceRegistry::sessionsIndexKey(owner.isEmpty() ? QStringLiteral("-") : owner)};
        const Args args{tokenHash(resumeToken), owner.toUtf8(), r.value("epoch"), m_instanceId.toUtf8(),
                        QByteArray::number(epoch), tokenHash(newToken), QByteArray::number(ttlMs), sid.toUtf8()};
        m_store.run(ClaimName, keys, args, this, [=, this](Result<Reply> reply) {
            if (!reply.ok())
                return done(reply.error());
            const Reply &v = reply.value();
            if (!v.isArray() || v.elements().isEmpty())
                return done(Error{QStringLiteral("internal"), QStringLiteral("session.claim: unexpected reply")});
            if (v.elements().at(0).integer() == 1)
                return done(claimed);
            const QByteArray why = v.elements().value(1).bytes();
            if (why == "moved" && triesLeft > 1)
                return attempt(sid, resumeToken, newToken, epoch, ttlMs, triesLeft - 1, done);
            if (why == "alive") {
                return done(protocol::toError(
                    protocol::ErrorCode::Unavailable,
                    QStringLiteral("your session is still held by instance %1; retry in a moment").arg(owner)));
            }
            if (why == "stale")
                return done(protocol::toError(protocol::ErrorCode::Unavailable,
                                              QStringLiteral("this instance is registering again; retry in a moment")));
            done(expired());
        });
    });
}

} // namespace arena
