#include "agent/audittrail.h"

#include "agent/agentlog.h"
#include "shared/protocol/codec.h"
#include "shared/redis/redisclient.h"
#include "shared/redis/redissubscriber.h"

#include <QDateTime>

#include <algorithm>

namespace arena {

using protocol::AuditEntry;

namespace {

std::optional<AuditEntry> decodeEntry(const QByteArray &json)
{
    auto decoded = protocol::decodeAdminServerMessage(json);
    if (!decoded)
        return std::nullopt;
    if (auto *entry = std::get_if<AuditEntry>(&decoded.value()))
        return *entry;
    return std::nullopt;
}

} // namespace

AuditTrail::AuditTrail(RedisClient *redis, RedisSubscriber *subscriber, QByteArray prefix, int maxEntries, QObject *parent)
    : QObject(parent), m_redis(redis), m_prefix(std::move(prefix)), m_maxEntries(maxEntries)
{
    if (subscriber) {
        const QByteArray channel = m_prefix + "audit-events";
        subscriber->subscribe(channel);
        connect(subscriber, &RedisSubscriber::message, this, [this, channel](const QByteArray &from, const QByteArray &payload) {
            if (from != channel)
                return;
            if (const auto entry = decodeEntry(payload))
                emit entryAdded(*entry);
            else
                qCWarning(lcAgent) << "ignoring a malformed audit event";
        });
    }
}

AuditTrail::~AuditTrail() = default;

void AuditTrail::record(AuditEntry entry)
{
    if (entry.time == 0)
        entry.time = quint64(QDateTime::currentMSecsSinceEpoch());
    entry.rid.reset();
    ++m_written;
    qCInfo(lcAgent).noquote() << "audit:" << entry.actor << protocol::actionKindName(entry.kind)
                              << entry.target.value_or(QStringLiteral("(fleet)")) << (entry.dryRun ? "dry run" : "")
                              << (entry.ok ? "ok" : "failed:") << (entry.error ? entry.error->message : QString());
    if (!m_redis || !m_redis->isConnected()) {
        keepLocally(std::move(entry));
        return;
    }
    entry.id = QStringLiteral("pending"); // replaced by the stream id; the codec wants an id
    const QByteArray stored = protocol::encode(entry);
    m_redis->command({"XADD", m_prefix + "audit", "MAXLEN", "~", QByteArray::number(m_maxEntries), "*", "entry", stored},
                     this, [this, entry](Result<Reply> added) mutable {
                         if (!added || !added.value().isString()) {
                             ++m_failures;
                             qCWarning(lcAgent) << "cannot write the audit entry to Redis, keeping it here:"
                                                << (added ? added.value().toDebugString() : added.error().message);
                             keepLocally(std::move(entry));
                             return;
                         }
                         entry.id = QString::fromUtf8(added.value().bytes());
                         m_redis->command({"PUBLISH", m_prefix + "audit-events", protocol::encode(entry)});
                     });
}

void AuditTrail::keepLocally(AuditEntry entry)
{
    entry.id = QStringLiteral("%1-L%2").arg(entry.time).arg(++m_localSequence);
    m_local.append(entry);
    if (m_local.size() > localCapacity)
        m_local.removeFirst();
    emit entryAdded(entry);
}

void AuditTrail::recent(int count, std::function<void(Result<QList<AuditEntry>>)> done)
{
    count = std::clamp(count, 1, maxQueryCount);
    if (!m_redis || !m_redis->isConnected()) {
        QList<AuditEntry> newest;
        for (qsizetype i = m_local.size() - 1; i >= 0 && newest.size() < count; --i)
            newest.append(m_local[i]);
        done(newest);
        return;
    }
    m_redis->command({"XREVRANGE", m_prefix + "audit", "+", "-", "COUNT", QByteArray::number(count)}, this,
                     [done = std::move(done)](Result<Reply> range) {
                         if (!range) {
                             done(Error{QStringLiteral("unavailable"),
                                        QStringLiteral("cannot read the audit stream: ") + range.error().message});
                             return;
                         }
                         QList<AuditEntry> entries;
                         // Each item: [id, [field, value, ...]].
                         for (const Reply &item : range.value().elements()) {
                             const QList<Reply> &parts = item.elements();
                             if (parts.size() != 2)
                                 continue;
                             const QList<Reply> &fields = parts[1].elements();
                             for (qsizetype i = 0; i + 1 < fields.size(); i += 2) {
                                 if (fields[i].bytes() != "entry")
                                     continue;
                                 if (auto entry = decodeEntry(fields[i + 1].bytes())) {
                                     entry->id = QString::fromUtf8(parts[0].bytes());
                                     entries.append(*entry);
                                 }
                             }
                         }
                         done(entries);
                     });
}

} // namespace arena
