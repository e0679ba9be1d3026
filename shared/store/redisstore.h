// RedisStore: StateStore over Redis, shared by every Arena instance that points at the same Redis.
#pragma once

#include "shared/redis/redisoptions.h"
#include "shared/redis/redisscript.h"
#include "shared/store/statestore.h"

#include <QHash>

namespace arena {

class RedisClient;
class RedisPool;
class RedisSubscriber;

// Keys and channels are given without the prefix and stored under `prefix` + key (default "arena:"),
// so several deployments can share one Redis. Calls about the same key are applied in call order
// (the pool routes by key); calls about different keys may be reordered: chain on the callback, or
// use a named operation, where one depends on another.
class RedisStore final : public StateStore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RedisStore)

public:
    RedisStore(const RedisOptions &options, QByteArray prefix, int poolSize = 2, QObject *parent = nullptr);
    ~RedisStore() override;

    // Starts connecting (and reconnecting, for as long as the store lives).
    void open();
    RedisPool *pool() const { return m_pool; }
    const QByteArray &prefix() const { return m_prefix; }

    QString backendName() const override { return QStringLiteral("redis"); }
    bool isAvailable() const override;

    void get(const QByteArray &key, QObject *context, StoreCallback<std::optional<QByteArray>> cb) override;
    void set(const QByteArray &key, const QByteArray &value, qint64 ttlMs, SetMode mode, QObject *context,
             StoreCallback<bool> cb) override;
    void incrBy(const QByteArray &key, qint64 delta, QObject *context, StoreCallback<qint64> cb) override;
    void del(const Keys &keys, QObject *context, StoreCallback<qint64> cb) override;
    void exists(const QByteArray &key, QObject *context, StoreCallback<bool> cb) override;
    void expire(const QByteArray &key, qint64 ttlMs, QObject *context, StoreCallback<bool> cb) override;
    void ttl(const QByteArray &key, QObject *context, StoreCallback<qint64> cb) override;
    void scan(const QByteArray &pattern, QObject *context, StoreCallback<Keys> cb) override;
    void unlink(const Keys &keys, QObject *context, StoreCallback<qint64> cb) override;
    void sscan(const QByteArray &key, const QByteArray &cursor, qint64 count, QObject *context,
               StoreCallback<ScanPage> cb) override;
    void hset(const QByteArray &key, const Fields &fields, QObject *context, StoreCallback<qint64> cb) override;
    void hget(const QByteArray &key, const QByteArray &field, QObject *context,
              StoreCallback<std::optional<QByteArray>> cb) override;
    void hgetAll(const QByteArray &key, QObject *context, StoreCallback<Fields> cb) override;
    void hdel(const QByteArray &key, const Keys &fields, QObject *context, StoreCallback<qint64> cb) override;
    void hincrBy(const QByteArray &key, const QByteArray &field, qint64 delta, QObject *context,
                 StoreCallback<qint64> cb) override;
    void sadd(const QByteArray &key, const Keys &members, QObject *context, StoreCallback<qint64> cb) override;
    void srem(const QByteArray &key, const Keys &members, QObject *context, StoreCallback<qint64> cb) override;
    void smembers(const QByteArray &key, QObject *context, StoreCallback<Keys> cb) override;
    void sismember(const QByteArray &key, const QByteArray &member, QObject *context, StoreCallback<bool> cb) override;
    void scard(const QByteArray &key, QObject *context, StoreCallback<qint64> cb) override;
    void zadd(const QByteArray &key, const QList<ScoredMember> &members, QObject *context,
              StoreCallback<qint64> cb) override;
    void zrem(const QByteArray &key, const Keys &members, QObject *context, StoreCallback<qint64> cb) override;
    void zscore(const QByteArray &key, const QByteArray &member, QObject *context,
                StoreCallback<std::optional<double>> cb) override;
    void zrangeByScore(const QByteArray &key, double min, double max, qint64 offset, qint64 limit, QObject *context,
                       StoreCallback<QList<ScoredMember>> cb) override;
    void zcard(const QByteArray &key, QObject *context, StoreCallback<qint64> cb) override;
    void rpush(const QByteArray &key, const Keys &values, QObject *context, StoreCallback<qint64> cb) override;
    void lpush(const QByteArray &key, const Keys &values, QObject *context, StoreCallback<qint64> cb) override;
    void lrange(const QByteArray &key, qint64 start, qint64 stop, QObject *context, StoreCallback<Keys> cb) override;
    void ltrim(const QByteArray &key, qint64 start, qint64 stop, QObject *context, StoreCallback<bool> cb) override;
    void llen(const QByteArray &key, QObject *context, StoreCallback<qint64> cb) override;
    void publish(const QByteArray &channel, const QByteArray &payload, QObject *context,
                 StoreCallback<qint64> cb) override;
    void subscribe(const QByteArray &channel) override;
    void unsubscribe(const QByteArray &channel) override;
    void registerOperation(const QByteArray &name, const Operation &op) override;
    void run(const QByteArray &name, const Keys &keys, const Args &args, QObject *context,
             StoreCallback<Reply> cb) override;

private:
    template<typename T>
    void call(const QByteArray &key, QList<QByteArray> args, QObject *context, StoreCallback<T> cb,
              std::function<Result<T>(const Reply &)> convert);
    void scanStep(QByteArray cursor, QByteArray match, std::shared_ptr<QSet<QByteArray>> found,
                  QObject *context, StoreCallback<Keys> cb);
    QByteArray k(const QByteArray &key) const { return m_prefix + key; }
    Keys prefixed(const Keys &keys) const;
    RedisClient *clientFor(const QByteArray &key) const;

    QByteArray m_prefix;
    RedisPool *m_pool;
    RedisSubscriber *m_subscriber;
    QHash<QByteArray, RedisScript> m_operations;
};

} // namespace arena
