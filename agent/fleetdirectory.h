// FleetDirectory: the fleet as one agent knows it — its own instance's latest snapshot, published to
// Redis every interval, and the other agents' snapshots read back from Redis.
#pragma once

#include "shared/protocol/adminmessages.h"

#include <QByteArray>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QString>

#include <chrono>
#include <optional>

namespace arena {

class RedisClient;

// Redis layout (docs/ADMIN-API.md): `<prefix>agent:<instance>` holds the latest snapshot with a TTL of
// three intervals, so a dead agent's instance turns `down` once it expires; `<prefix>agents` is a sorted
// set instance → last publish time, from which instances seen in the last ten minutes are listed (a
// dead one as `down` with its last-seen time) and older ones removed. Without Redis, or while it is not
// connected, the directory holds the own instance only.
class FleetDirectory final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetDirectory)

public:
    struct Entry
    {
        QString instance;
        QJsonObject figures; // the snapshot (agent/SNAPSHOT.md); empty for an expired instance
        qint64 time = 0;     // the snapshot's time, ms since the epoch
        qint64 lastSeen = 0; // ms since the epoch of the last publish
        bool expired = false; // no agent has published for it within the TTL
        bool own = false;
    };

    static constexpr std::chrono::minutes forgetAfter{10};

    // `redis` may be null (no Redis configured); it is not owned and must outlive the directory.
    FleetDirectory(RedisClient *redis, QByteArray prefix, std::chrono::milliseconds interval,
                   QObject *parent = nullptr);
    ~FleetDirectory() override;

    // Takes this agent's newest snapshot (its "instance" field names the instance) and publishes it.
    void publishOwn(const QJsonObject &snapshot);
    // Reads the other agents' snapshots (one ZRANGE and one MGET); emits snapshotArrived for each new
    // one, then refreshed() — at once when there is no Redis to read.
    void refresh();

    QString ownInstance() const { return m_own.instance; }
    std::optional<Entry> entry(const QString &instance) const;
    QList<Entry> entries() const; // own first, then the others by id
    QList<protocol::InstanceSummary> summaries() const;
    protocol::InstanceState state(const QString &instance) const;
    // Instances whose state is up or draining (a fleet cleanup runs on these).
    QStringList liveInstances() const;

    static protocol::InstanceSummary summarize(const Entry &entry);
    static protocol::InstanceState stateOf(const Entry &entry);

    quint64 publishFailures() const { return m_publishFailures; }
    quint64 refreshFailures() const { return m_refreshFailures; }

Q_SIGNALS:
    void snapshotArrived(const QString &instance);
    // A refresh() finished (or found nothing to read): the fleet is as current as it gets.
    void refreshed();

private:
    QByteArray key(const QByteArray &suffix) const { return m_prefix + suffix; }
    void forgetRemote();

    RedisClient *m_redis;
    QByteArray m_prefix;
    std::chrono::milliseconds m_interval;
    Entry m_own;
    QHash<QString, Entry> m_remote;
    bool m_refreshing = false;
    quint64 m_publishFailures = 0;
    quint64 m_refreshFailures = 0;
};

} // namespace arena
