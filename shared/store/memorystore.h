// MemoryStore: the embedded single-process StateStore, over a (shareable) MemoryData.
#pragma once

#include "shared/store/memorydata.h"
#include "shared/store/statestore.h"

#include <QHash>
#include <QLoggingCategory>
#include <QTimer>

#include <chrono>
#include <memory>

namespace arena {

// Category "arena.shared.store", for the whole store module (RedisStore may use it too).
Q_DECLARE_LOGGING_CATEGORY(lcStore)

// Every operation runs at once against the MemoryData (so calls apply in call order, like commands
// on one Redis connection) and its result is delivered later from the event loop of `context`'s
// thread (this store when `context` is null): never inside the call, exactly once, and not at all if
// `context` (or, for a null context, the store) is destroyed first. The write itself still happens.
// A null callback is allowed: the operation runs and nothing is delivered.
//
// Several MemoryStores may share one MemoryData (all in one thread) to behave like several instances
// sharing Redis: they see each other's keys, and publish() reaches every store subscribed to the
// channel (message() is emitted from the event loop) and returns that count.
//
// Named operations are registered per store, as each instance loads its own scripts.
// registerOperation() with a name already registered replaces the old operation (as loading a new
// script under the same name would). run() of an unknown name fails with "unknown_operation"; an
// operation whose memory function returns Reply::error(...) (or has none) fails with "script_error"
// and the error text as message.
class MemoryStore final : public StateStore
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MemoryStore)

public:
    static constexpr std::chrono::milliseconds DefaultPurgeInterval{1000};

    explicit MemoryStore(QObject *parent = nullptr); // with a MemoryData of its own
    explicit MemoryStore(std::shared_ptr<MemoryData> data, QObject *parent = nullptr);
    ~MemoryStore() override;

    const std::shared_ptr<MemoryData> &data() const { return m_data; }

    // Expired keys are also dropped on this timer, so keys nobody reads again do not pile up.
    // Zero or less stops the timer (lazy expiry on access still applies).
    void setPurgeInterval(std::chrono::milliseconds interval);
    std::chrono::milliseconds purgeInterval() const;

    QString backendName() const override;
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
    void deliver(QObject *context, StoreCallback<T> cb, Result<T> result);
    void purge();

    std::shared_ptr<MemoryData> m_data;
    QHash<QByteArray, Operation> m_operations;
    QTimer m_purgeTimer;
    quint64 m_subscriber = 0;
};

} // namespace arena
