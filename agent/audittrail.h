// AuditTrail: the fleet's record of operator actions — a capped Redis stream that every agent writes
// to and reads from, with every new entry published so that all agents push it to their clients.
#pragma once

#include "shared/protocol/adminmessages.h"
#include "shared/result.h"

#include <QList>
#include <QObject>

#include <functional>

namespace arena {

class RedisClient;
class RedisSubscriber;

// With Redis: XADD `<prefix>audit` MAXLEN ~ maxEntries (field "entry": the audit_entry message as JSON),
// then PUBLISH on `<prefix>audit-events`; entryAdded is emitted for entries that arrive on that channel,
// this agent's included, so each is announced once. Without Redis, or when the XADD fails, the entry
// is kept in memory (the last `localCapacity`) and announced at once.
class AuditTrail final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AuditTrail)

public:
    static constexpr int localCapacity = 1000;
    static constexpr int maxQueryCount = 1000;

    // Both may be null (no Redis); they are not owned and must outlive the trail.
    AuditTrail(RedisClient *redis, RedisSubscriber *subscriber, QByteArray prefix, int maxEntries,
               QObject *parent = nullptr);
    ~AuditTrail() override;

    // Writes the entry (its id and, when 0, its time are filled in here).
    void record(protocol::AuditEntry entry);
    // The newest `count` entries, newest first.
    void recent(int count, std::function<void(Result<QList<protocol::AuditEntry>>)> done);

    quint64 written() const { return m_written; }
    quint64 failures() const { return m_failures; }

Q_SIGNALS:
    void entryAdded(const arena::protocol::AuditEntry &entry);

private:
    void keepLocally(protocol::AuditEntry entry);

    RedisClient *m_redis;
    QByteArray m_prefix;
    int m_maxEntries;
    QList<protocol::AuditEntry> m_local; // newest last
    quint64 m_localSequence = 0;
    quint64 m_written = 0;
    quint64 m_failures = 0;
};

} // namespace arena
