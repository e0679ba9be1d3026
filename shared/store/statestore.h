// StateStore: what Arena instances share (key/value with TTL, hashes, sets, sorted sets, lists,
// publish/subscribe and named atomic operations). MemoryStore is the embedded single-process default;
// RedisStore shares the same state between instances through Redis.
#pragma once

#include "shared/redis/reply.h"
#include "shared/result.h"

#include <QByteArray>
#include <QList>
#include <QMap>
#include <QObject>
#include <QPointer>

#include <functional>
#include <optional>

namespace arena {

class MemoryData;

// Every call is asynchronous: the callback runs later from the event loop (never inside the call),
// exactly once, unless `context` was destroyed first, in which case it is dropped.
template<typename T>
using StoreCallback = std::function<void(Result<T>)>;

class StateStore : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(StateStore)

public:
    using Fields = QMap<QByteArray, QByteArray>;
    using Keys = QList<QByteArray>;
    using Args = QList<QByteArray>;

    struct ScoredMember
    {
        QByteArray member;
        double score = 0;
        friend bool operator==(const ScoredMember &, const ScoredMember &) = default;
    };

    // One page of an incremental scan: the members and the cursor of the next page ("0": done).
    struct ScanPage
    {
        QByteArray cursor;
        Keys items;
    };

    enum class SetMode { Always, IfAbsent, IfPresent };

    // A named atomic operation: the Lua script RedisStore runs (KEYS and ARGV as given) and the
    // C++ function MemoryStore runs; both must behave the same (the conformance suite checks).
    // The memory function may return Reply::error(...) to fail the operation.
    struct Operation
    {
        QByteArray lua;
        std::function<Reply(MemoryData &data, const Keys &keys, const Args &args)> memory;
    };

    using QObject::QObject;
    ~StateStore() override = default;

    virtual QString backendName() const = 0;
    // False while the backend cannot serve (Redis down); calls then fail with code "unavailable".
    virtual bool isAvailable() const = 0;

    // Strings
    virtual void get(const QByteArray &key, QObject *context, StoreCallback<std::optional<QByteArray>> cb) = 0;
    // ttlMs 0 = no expiry. Result: whether the value was written (false when the SetMode prevented it).
    virtual void set(const QByteArray &key, const QByteArray &value, qint64 ttlMs, SetMode mode,
                     QObject *context, StoreCallback<bool> cb) = 0;
    virtual void incrBy(const QByteArray &key, qint64 delta, QObject *context, StoreCallback<qint64> cb) = 0;

    // Keys
    virtual void del(const Keys &keys, QObject *context, StoreCallback<qint64> cb) = 0;
    // As del, but Redis frees the values in the background (UNLINK): for big sweeps.
    virtual void unlink(const Keys &keys, QObject *context, StoreCallback<qint64> cb) = 0;
    virtual void exists(const QByteArray &key, QObject *context, StoreCallback<bool> cb) = 0;
    virtual void expire(const QByteArray &key, qint64 ttlMs, QObject *context, StoreCallback<bool> cb) = 0;
    // Remaining time to live in ms; -1 when the key has no expiry, -2 when it does not exist.
    virtual void ttl(const QByteArray &key, QObject *context, StoreCallback<qint64> cb) = 0;
    // All keys matching a glob pattern (`*`, `?`, `[...]`), in batches so the backend stays responsive.
    virtual void scan(const QByteArray &pattern, QObject *context, StoreCallback<Keys> cb) = 0;

    // Hashes
    virtual void hset(const QByteArray &key, const Fields &fields, QObject *context, StoreCallback<qint64> cb) = 0;
    virtual void hget(const QByteArray &key, const QByteArray &field, QObject *context,
                      StoreCallback<std::optional<QByteArray>> cb) = 0;
    virtual void hgetAll(const QByteArray &key, QObject *context, StoreCallback<Fields> cb) = 0;
    virtual void hdel(const QByteArray &key, const Keys &fields, QObject *context, StoreCallback<qint64> cb) = 0;
    virtual void hincrBy(const QByteArray &key, const QByteArray &field, qint64 delta, QObject *context,
                         StoreCallback<qint64> cb) = 0;

    // Sets (members come back sorted bytewise, so both backends agree on order)
    virtual void sadd(const QByteArray &key, const Keys &members, QObject *context, StoreCallback<qint64> cb) = 0;
    virtual void srem(const QByteArray &key, const Keys &members, QObject *context, StoreCallback<qint64> cb) = 0;
    virtual void smembers(const QByteArray &key, QObject *context, StoreCallback<Keys> cb) = 0;
    // One page of about `count` members, from `cursor` ("0" starts). Members present for the whole
    // scan come back at least once (possibly more than once); the members of one page are sorted.
    virtual void sscan(const QByteArray &key, const QByteArray &cursor, qint64 count, QObject *context,
                       StoreCallback<ScanPage> cb) = 0;
    virtual void sismember(const QByteArray &key, const QByteArray &member, QObject *context,
                           StoreCallback<bool> cb) = 0;
    virtual void scard(const QByteArray &key, QObject *context, StoreCallback<qint64> cb) = 0;

    // Sorted sets (ties ordered bytewise by member, as Redis does)
    virtual void zadd(const QByteArray &key, const QList<ScoredMember> &members, QObject *context,
                      StoreCallback<qint64> cb) = 0;
    virtual void zrem(const QByteArray &key, const Keys &members, QObject *context, StoreCallback<qint64> cb) = 0;
    virtual void zscore(const QByteArray &key, const QByteArray &member, QObject *context,
                        StoreCallback<std::optional<double>> cb) = 0;
    // Members with min <= score <= max, ascending; limit < 0 means no limit.
    virtual void zrangeByScore(const QByteArray &key, double min, double max, qint64 offset, qint64 limit,
                               QObject *context, StoreCallback<QList<ScoredMember>> cb) = 0;
    virtual void zcard(const QByteArray &key, QObject *context, StoreCallback<qint64> cb) = 0;

    // Lists (indexes as in Redis: negative counts from the end)
    virtual void rpush(const QByteArray &key, const Keys &values, QObject *context, StoreCallback<qint64> cb) = 0;
    virtual void lpush(const QByteArray &key, const Keys &values, QObject *context, StoreCallback<qint64> cb) = 0;
    virtual void lrange(const QByteArray &key, qint64 start, qint64 stop, QObject *context,
                        StoreCallback<Keys> cb) = 0;
    virtual void ltrim(const QByteArray &key, qint64 start, qint64 stop, QObject *context, StoreCallback<bool> cb) = 0;
    virtual void llen(const QByteArray &key, QObject *context, StoreCallback<qint64> cb) = 0;

    // Publish/subscribe. Result of publish: how many subscribers received it (across instances for Redis).
    virtual void publish(const QByteArray &channel, const QByteArray &payload, QObject *context,
                         StoreCallback<qint64> cb) = 0;
    virtual void subscribe(const QByteArray &channel) = 0;
    virtual void unsubscribe(const QByteArray &channel) = 0;

    // Named atomic operations
    virtual void registerOperation(const QByteArray &name, const Operation &op) = 0;
    virtual void run(const QByteArray &name, const Keys &keys, const Args &args, QObject *context,
                     StoreCallback<Reply> cb) = 0;

Q_SIGNALS:
    void message(const QByteArray &channel, const QByteArray &payload);
    // Subscriptions were re-established after a lost connection: messages may have been missed.
    void resubscribed();
    void availabilityChanged(bool available);
};

} // namespace arena
