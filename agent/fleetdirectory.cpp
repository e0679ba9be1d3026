#include "agent/fleetdirectory.h"

#include "agent/agentlog.h"
#include "shared/redis/redisclient.h"

#include <QDateTime>
#include <QJsonDocument>

#include <algorithm>

namespace arena {

using protocol::InstanceState;
using protocol::InstanceSummary;

FleetDirectory::FleetDirectory(RedisClient *redis, QByteArray prefix, std::chrono::milliseconds interval, QObject *parent)
    : QObject(parent), m_redis(redis), m_prefix(std::move(prefix)), m_interval(interval)
{
    m_own.own = true;
    if (m_redis)
        connect(m_redis, &RedisClient::disconnected, this, [this] { forgetRemote(); });
}

FleetDirectory::~FleetDirectory() = default;

void FleetDirectory::publishOwn(const QJsonObject &snapshot)
{
    m_own.instance = snapshot.value(QStringLiteral("instance")).toString();
    m_own.figures = snapshot;
    m_own.time = snapshot.value(QStringLiteral("time")).toInteger();
    m_own.lastSeen = m_own.time;
    emit snapshotArrived(m_own.instance);
    if (!m_redis || !m_redis->isConnected() || m_own.instance.isEmpty())
        return;
    const QByteArray id = m_own.instance.toUtf8();
    const qint64 ttl = 3 * qint64(m_interval.count());
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 forgotten = now - std::chrono::milliseconds(forgetAfter).count();
    m_redis->pipeline({{"SET", key("agent:" + id), QJsonDocument(snapshot).toJson(QJsonDocument::Compact), "PX",
                        QByteArray::number(ttl)},
                       {"ZADD", key("agents"), QByteArray::number(now), id},
                       {"ZREMRANGEBYSCORE", key("agents"), "-inf", QByteArray::number(forgotten)}},
                      this, [this](Result<QList<Reply>> replies) {
                          if (!replies) {
                              ++m_publishFailures;
                              qCWarning(lcAgent) << "cannot publish the snapshot to Redis:" << replies.error().message;
                          }
                      },
                      m_interval);
}

void FleetDirectory::refresh()
{
    if (m_refreshing)
        return;
    if (!m_redis || !m_redis->isConnected()) {
        forgetRemote();
        emit refreshed();
        return;
    }
    m_refreshing = true;
    m_redis->command({"ZRANGE", key("agents"), "0", "-1", "WITHSCORES"}, this, [this](Result<Reply> listing) {
        if (!listing || !listing.value().isArray()) {
            m_refreshing = false;
            ++m_refreshFailures;
            forgetRemote();
            emit refreshed();
            return;
        }
        QList<QByteArray> ids;
        QHash<QString, qint64> seen;
        const QList<Reply> &items = listing.value().elements();
        for (qsizetype i = 0; i + 1 < items.size(); i += 2) {
            const QString id = QString::fromUtf8(items[i].bytes());
            if (id == m_own.instance)
                continue;
            ids.append(items[i].bytes());
            seen.insert(id, items[i + 1].toInteger().value_or(0));
        }
        if (ids.isEmpty()) {
            m_refreshing = false;
            m_remote.clear();
            emit refreshed();
            return;
        }
        RedisClient::Args mget{"MGET"};
        for (const QByteArray &id : std::as_const(ids))
            mget.append(key("agent:" + id));
        m_redis->command(mget, this, [this, ids, seen](Result<Reply> values) {
            m_refreshing = false;
            if (!values || !values.value().isArray() || values.value().elements().size() != ids.size()) {
                ++m_refreshFailures;
                forgetRemote();
                emit refreshed();
                return;
            }
            QHash<QString, Entry> next;
            QStringList arrived;
            const QList<Reply> &snapshots = values.value().elements();
            for (qsizetype i = 0; i < ids.size(); ++i) {
                Entry e;
                e.instance = QString::fromUtf8(ids[i]);
                e.lastSeen = seen.value(e.instance);
                const QJsonDocument doc = QJsonDocument::fromJson(snapshots[i].bytes());
                if (snapshots[i].isNil() || !doc.isObject()) {
                    e.expired = true;
                } else {
                    e.figures = doc.object();
                    e.time = e.figures.value(QStringLiteral("time")).toInteger();
                    const auto previous = m_remote.constFind(e.instance);
                    if (previous == m_remote.cend() || previous->time != e.time)
                        arrived.append(e.instance);
                }
                next.insert(e.instance, e);
            }
            m_remote = std::move(next);
            for (const QString &id : std::as_const(arrived))
                emit snapshotArrived(id);
            emit refreshed();
        }, m_interval);
    }, m_interval);
}

void FleetDirectory::forgetRemote()
{
    m_remote.clear();
}

std::optional<FleetDirectory::Entry> FleetDirectory::entry(const QString &instance) const
{
    if (!m_own.instance.isEmpty() && instance == m_own.instance)
        return m_own;
    const auto it = m_remote.constFind(instance);
    if (it == m_remote.cend())
        return std::nullopt;
    return *it;
}

QList<FleetDirectory::Entry> FleetDirectory::entries() const
{
    QList<Entry> all;
    if (!m_own.instance.isEmpty())
        all.append(m_own);
    QList<Entry> others = m_remote.values();
    std::sort(others.begin(), others.end(), [](const Entry &a, const Entry &b) { return a.instance < b.instance; });
    all.append(others);
    return all;
}

QList<InstanceSummary> FleetDirectory::summaries() const
{
    QList<InstanceSummary> out;
    for (const Entry &e : entries())
        out.append(summarize(e));
    return out;
}

InstanceState FleetDirectory::stateOf(const Entry &entry)
{
    if (entry.expired)
        return InstanceState::Down;
    const QString state = entry.figures.value(QStringLiteral("server")).toObject().value(QStringLiteral("state")).toString();
    if (state == QLatin1String("up"))
        return InstanceState::Up;
    if (state == QLatin1String("draining"))
        return InstanceState::Draining;
    return InstanceState::Down; // down, or unknown before the first answer
}

InstanceState FleetDirectory::state(const QString &instance) const
{
    const auto e = entry(instance);
    return e ? stateOf(*e) : InstanceState::Down;
}

QStringList FleetDirectory::liveInstances() const
{
    QStringList ids;
    for (const Entry &e : entries()) {
        if (stateOf(e) != InstanceState::Down)
            ids.append(e.instance);
    }
    return ids;
}

InstanceSummary FleetDirectory::summarize(const Entry &entry)
{
    const QJsonObject &f = entry.figures;
    const auto count = [](const QJsonValue &v) { return quint32(std::max<qint64>(0, v.toInteger())); };
    InstanceSummary s;
    s.id = entry.instance;
    s.host = f.value(QStringLiteral("host")).toObject().value(QStringLiteral("name")).toString().left(255);
    s.state = stateOf(entry);
    s.sessions = count(f.value(QStringLiteral("sessions")).toObject().value(QStringLiteral("total")));
    s.rooms = count(f.value(QStringLiteral("rooms")).toObject().value(QStringLiteral("total")));
    s.matches = count(f.value(QStringLiteral("matches")).toObject().value(QStringLiteral("active")));
    s.workers = count(f.value(QStringLiteral("workers")).toObject().value(QStringLiteral("totals")).toObject().value(
        QStringLiteral("total_workers")));
    s.lastSeen = quint64(std::max<qint64>(0, entry.lastSeen));
    return s;
}

} // namespace arena
