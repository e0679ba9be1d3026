#include "shared/store/memorystore.h"

#include "shared/store/storeerror.h"

#include <QMetaObject>

namespace arena {

Q_LOGGING_CATEGORY(lcStore, "arena.shared.store")

MemoryStore::MemoryStore(QObject *parent) : MemoryStore(std::make_shared<MemoryData>(), parent) {}

MemoryStore::MemoryStore(std::shared_ptr<MemoryData> data, QObject *parent)
    : StateStore(parent), m_data(data ? std::move(data) : std::make_shared<MemoryData>()), m_purgeTimer(this)
{
    // Messages reach us like replies do: later, from the event loop, and never once we are gone.
    m_subscriber = m_data->addSubscriber([this](const QByteArray &channel, const QByteArray &payload) {
        QMetaObject::invokeMethod(
            this, [this, channel, payload] { Q_EMIT message(channel, payload); }, Qt::QueuedConnection);
    });
    connect(&m_purgeTimer, &QTimer::timeout, this, &MemoryStore::purge);
    m_purgeTimer.start(DefaultPurgeInterval);
}

MemoryStore::~MemoryStore()
{
    m_data->removeSubscriber(m_subscriber);
}

void MemoryStore::setPurgeInterval(std::chrono::milliseconds interval)
{
    if (interval.count() <= 0)
        m_purgeTimer.stop();
    else
        m_purgeTimer.start(interval);
}

std::chrono::milliseconds MemoryStore::purgeInterval() const
{
    return m_purgeTimer.isActive() ? m_purgeTimer.intervalAsDuration() : std::chrono::milliseconds(0);
}

QString MemoryStore::backendName() const
{
    return QStringLiteral("memory");
}

bool MemoryStore::isAvailable() const
{
    return true;
}

template<typename T>
void MemoryStore::deliver(QObject *context, StoreCallback<T> cb, Result<T> result)
{
    if (!cb)
        return;
    // A queued call to `context` is discarded by Qt if `context` is destroyed before it runs.
    QMetaObject::invokeMethod(
        context ? context : this, [cb = std::move(cb), result = std::move(result)] { cb(result); },
        Qt::QueuedConnection);
}

void MemoryStore::purge()
{
    const qsizetype purged = m_data->purgeExpired();
    if (purged > 0)
        qCDebug(lcStore) << "purged" << purged << "expired keys";
}

// ---- strings

void MemoryStore::get(const QByteArray &key, QObject *context, StoreCallback<std::optional<QByteArray>> cb)
{
    deliver(context, std::move(cb), m_data->get(key));
}

void MemoryStore::set(const QByteArray &key, const QByteArray &value, qint64 ttlMs, SetMode mode, QObject *context,
                      StoreCallback<bool> cb)
{
    deliver(context, std::move(cb), m_data->set(key, value, ttlMs, mode));
}

void MemoryStore::incrBy(const QByteArray &key, qint64 delta, QObject *context, StoreCallback<qint64> cb)
{
    deliver(context, std::move(cb), m_data->incrBy(key, delta));
}

// ---- keys

void MemoryStore::del(const Keys &keys, QObject *context, StoreCallback<qint64> cb)
{
    deliver(context, std::move(cb), m_data->del(keys));
}

void MemoryStore::unlink(const Keys &keys, QObject *context, StoreCallback<qint64> cb)
{
    deliver(context, std::move(cb), m_data->del(keys));
}

void MemoryStore::exists(const QByteArray &key, QObject *context, StoreCallback<bool> cb)
{
    deliver(context, std::move(cb), Result<bool>(m_data->exists(key)));
}

void MemoryStore::expire(const QByteArray &key, qint64 ttlMs, QObject *context, StoreCallback<bool> cb)
{
    deliver(context, std::move(cb), m_data->expire(key, ttlMs));
}

void MemoryStore::ttl(const QByteArray &key, QObject *context, StoreCallback<qint64> cb)
{
    deliver(context, std::move(cb), Result<qint64>(m_data->ttl(key)));
}

void MemoryStore::scan(const QByteArray &pattern, QObject *context, StoreCallback<Keys> cb)
{
    deliver(context, std::move(cb), Result<Keys>(m_data->scan(pattern)));
}

// ---- hashes

void MemoryStore::hset(const QByteArray &key, const Fields &fields, QObject *context, StoreCallback<qint64> cb)
{
    deliver(context, std::move(cb), m_data->hset(key, fields));
}

void MemoryStore::hget(const QByteArray &key, const QByteArray &field, QObject *context,
                       StoreCallback<std::optional<QByteArray>> cb)
{
    deliver(context, std::move(cb), m_data->hget(key, field));
}

void MemoryStore::hgetAll(const QByteArray &key, QObject *context, StoreCallback<Fields> cb)
{
    deliver(context, std::move(cb), m_data->hgetAll(key));
}

void MemoryStore::hdel(const QByteArray &key, const Keys &fields, QObject *context, StoreCallback<qint64> cb)
{
    deliver(context, std::move(cb), m_data->hdel(key, fields));
}

void MemoryStore::hincrBy(const QByteArray &key, const QByteArray &field, qint64 delta, QObject *context,
                          StoreCallback<qint64> cb)
{
    deliver(context, std::move(cb), m_data->hincrBy(key, field, delta));
}

// ---- sets

void MemoryStore::sadd(const QByteArray &key, const Keys &members, QObject *context, StoreCallback<qint64> cb)
{
    deliver(context, std::move(cb), m_data->sadd(key, members));
}

void MemoryStore::srem(const QByteArray &key, const Keys &members, QObject *context, StoreCallback<qint64> cb)
{
    deliver(context, std::move(cb), m_data->srem(key, members));
}

void MemoryStore::smembers(const QByteArray &key, QObject *context, StoreCallback<Keys> cb)
{
    deliver(context, std::move(cb), m_data->smembers(key));
}

void MemoryStore::sscan(const QByteArray &key, const QByteArray &cursor, qint64 count, QObject *context,
                        StoreCallback<ScanPage> cb)
{
    // The cursor is an offset into the sorted members: members present throughout come back at least
    // once, as with Redis, even when others are added or removed between pages.
    auto members = m_data->smembers(key);
    if (!members.ok()) {
        deliver(context, std::move(cb), Result<ScanPage>(members.error()));
        return;
    }
    bool ok = false;
    const qint64 from = cursor.toLongLong(&ok);
    if (!ok || from < 0) {
        deliver(context, std::move(cb),
                Result<ScanPage>(storeErrorFromRedis("ERR invalid cursor")));
        return;
    }
    const Keys &all = members.value();
    const qint64 to = qMin<qint64>(all.size(), from + qMax<qint64>(1, count));
    ScanPage page;
    page.items = from < all.size() ? all.mid(from, to - from) : Keys();
    page.cursor = to >= all.size() ? QByteArray("0") : QByteArray::number(to);
    deliver(context, std::move(cb), Result<ScanPage>(std::move(page)));
}

void MemoryStore::sismember(const QByteArray &key, const QByteArray &member, QObject *context, StoreCallback<bool> cb)
{
    deliver(context, std::move(cb), m_data->sismember(key, member));
}

void MemoryStore::scard(const QByteArray &key, QObject *context, StoreCallback<qint64> cb)
{
    deliver(context, std::move(cb), m_data->scard(key));
}

// ---- sorted sets

void MemoryStore::zadd(const QByteArray &key, const QList<ScoredMember> &members, QObject *context,
                       StoreCallback<qint64> cb)
{
    deliver(context, std::move(cb), m_data->zadd(key, members));
}

void MemoryStore::zrem(const QByteArray &key, const Keys &members, QObject *context, StoreCallback<qint64> cb)
{
    deliver(context, std::move(cb), m_data->zrem(key, members));
}

void MemoryStore::zscore(const QByteArray &key, const QByteArray &member, QObject *context,
                         StoreCallback<std::optional<double>> cb)
{
    deliver(context, std::move(cb), m_data->zscore(key, member));
}

void MemoryStore::zrangeByScore(const QByteArray &key, double min, double max, qint64 offset, qint64 limit,
                                QObject *context, StoreCallback<QList<ScoredMember>> cb)
{
    deliver(context, std::move(cb), m_data->zrangeByScore(key, min, max, offset, limit));
}

void MemoryStore::zcard(const QByteArray &key, QObject *context, StoreCallback<qint64> cb)
{
    deliver(context, std::move(cb), m_data->zcard(key));
}

// ---- lists

void MemoryStore::rpush(const QByteArray &key, const Keys &values, QObject *context, StoreCallback<qint64> cb)
{
    deliver(context, std::move(cb), m_data->rpush(key, values));
}

void MemoryStore::lpush(const QByteArray &key, const Keys &values, QObject *context, StoreCallback<qint64> cb)
{
    deliver(context, std::move(cb), m_data->lpush(key, values));
}

void MemoryStore::lrange(const QByteArray &key, qint64 start, qint64 stop, QObject *context, StoreCallback<Keys> cb)
{
    deliver(context, std::move(cb), m_data->lrange(key, start, stop));
}

void MemoryStore::ltrim(const QByteArray &key, qint64 start, qint64 stop, QObject *context, StoreCallback<bool> cb)
{
    deliver(context, std::move(cb), m_data->ltrim(key, start, stop));
}

void MemoryStore::llen(const QByteArray &key, QObject *context, StoreCallback<qint64> cb)
{
    deliver(context, std::move(cb), m_data->llen(key));
}

// ---- publish/subscribe

void MemoryStore::publish(const QByteArray &channel, const QByteArray &payload, QObject *context,
                          StoreCallback<qint64> cb)
{
    deliver(context, std::move(cb), Result<qint64>(m_data->publish(channel, payload)));
}

void MemoryStore::subscribe(const QByteArray &channel)
{
    m_data->subscribe(m_subscriber, channel);
}

void MemoryStore::unsubscribe(const QByteArray &channel)
{
    m_data->unsubscribe(m_subscriber, channel);
}

// ---- named operations

void MemoryStore::registerOperation(const QByteArray &name, const Operation &op)
{
    if (!op.memory)
        qCWarning(lcStore) << "operation" << name << "has no in-memory implementation: running it will fail";
    if (m_operations.contains(name))
        qCDebug(lcStore) << "operation" << name << "replaced";
    m_operations.insert(name, op);
}

void MemoryStore::run(const QByteArray &name, const Keys &keys, const Args &args, QObject *context,
                      StoreCallback<Reply> cb)
{
    const auto it = m_operations.constFind(name);
    if (it == m_operations.cend()) {
        deliver(context, std::move(cb),
                Result<Reply>::failure(QStringLiteral("unknown_operation"),
                                       QStringLiteral("unknown operation '%1'").arg(QString::fromUtf8(name))));
        return;
    }
    if (!it->memory) {
        deliver(context, std::move(cb),
                Result<Reply>::failure(QStringLiteral("script_error"),
                                       QStringLiteral("operation '%1' has no in-memory implementation")
                                           .arg(QString::fromUtf8(name))));
        return;
    }
    Reply reply = it->memory(*m_data, keys, args);
    if (reply.isError()) {
        deliver(context, std::move(cb),
                Result<Reply>::failure(QStringLiteral("script_error"), QString::fromUtf8(reply.bytes())));
        return;
    }
    deliver(context, std::move(cb), Result<Reply>(std::move(reply)));
}

} // namespace arena
