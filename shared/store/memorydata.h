// MemoryData: the synchronous in-memory keyspace behind MemoryStore, with Redis semantics.
#pragma once

#include "shared/result.h"
#include "shared/store/statestore.h"
#include "shared/store/storeerror.h"

#include <QByteArray>
#include <QList>

#include <functional>
#include <memory>
#include <optional>

namespace arena {


// Typed values per key (string, hash, set, sorted set, list) with per-key expiry, implementing every
// StateStore operation synchronously as Redis does: wrong-type errors, containers that vanish when
// emptied, expired keys that read as absent (lazily on access, and in bulk through purgeExpired()),
// and channel publish/subscribe between the subscribers registered here.
//
// Named operations receive a MemoryData& and call these methods, as their Lua twin calls redis.call.
// Not thread-safe: every MemoryStore sharing one MemoryData must live in the same thread.
class MemoryData final
{
    Q_DISABLE_COPY_MOVE(MemoryData)

public:
    using Fields = StateStore::Fields;
    using Keys = StateStore::Keys;
    using ScoredMember = StateStore::ScoredMember;
    using SetMode = StateStore::SetMode;
    using MessageHandler = std::function<void(const QByteArray &channel, const QByteArray &payload)>;

    MemoryData();
    ~MemoryData();

    // Strings. set(): ttlMs 0 = no expiry, < 0 is an error; a write without a TTL clears the old one
    // (SET PX/NX/XX). Result of set: whether the value was written.
    Result<std::optional<QByteArray>> get(const QByteArray &key);
    Result<bool> set(const QByteArray &key, const QByteArray &value, qint64 ttlMs = 0,
                     SetMode mode = SetMode::Always);
    Result<qint64> incrBy(const QByteArray &key, qint64 delta);

    // Keys. An empty `keys` list is an error, as in Redis. expire() with ttlMs <= 0 deletes the key.
    Result<qint64> del(const Keys &keys);
    bool exists(const QByteArray &key);
    Result<bool> expire(const QByteArray &key, qint64 ttlMs);
    bool persist(const QByteArray &key); // PERSIST: whether a TTL was removed
    qint64 ttl(const QByteArray &key); // PTTL: ms left, -1 without expiry, -2 when absent
    Keys scan(const QByteArray &pattern); // live keys matching a Redis glob, sorted bytewise
    // Redis TYPE: "string", "hash", "set", "zset", "list" or "none".
    QByteArray type(const QByteArray &key);

    // Hashes
    Result<qint64> hset(const QByteArray &key, const Fields &fields); // number of new fields
    Result<std::optional<QByteArray>> hget(const QByteArray &key, const QByteArray &field);
    Result<Fields> hgetAll(const QByteArray &key);
    Result<qint64> hdel(const QByteArray &key, const Keys &fields);
    Result<qint64> hincrBy(const QByteArray &key, const QByteArray &field, qint64 delta);

    // Sets (members sorted bytewise)
    Result<qint64> sadd(const QByteArray &key, const Keys &members);
    Result<qint64> srem(const QByteArray &key, const Keys &members);
    Result<Keys> smembers(const QByteArray &key);
    Result<bool> sismember(const QByteArray &key, const QByteArray &member);
    Result<qint64> scard(const QByteArray &key);

    // Sorted sets (ascending score, ties bytewise by member). NaN scores or bounds are errors.
    Result<qint64> zadd(const QByteArray &key, const QList<ScoredMember> &members); // number of new members
    Result<qint64> zrem(const QByteArray &key, const Keys &members);
    Result<std::optional<double>> zscore(const QByteArray &key, const QByteArray &member);
    // min <= score <= max, skipping `offset` (negative: nothing) and returning at most `limit`
    // (negative: no limit), like ZRANGEBYSCORE ... WITHSCORES LIMIT offset limit.
    Result<QList<ScoredMember>> zrangeByScore(const QByteArray &key, double min, double max, qint64 offset = 0,
                                              qint64 limit = -1);
    Result<qint64> zcard(const QByteArray &key);

    // Lists (LRANGE/LTRIM index rules: negative counts from the end, out of range is clamped)
    Result<qint64> rpush(const QByteArray &key, const Keys &values); // new length
    Result<qint64> lpush(const QByteArray &key, const Keys &values); // new length; values end up reversed
    Result<Keys> lrange(const QByteArray &key, qint64 start, qint64 stop);
    Result<bool> ltrim(const QByteArray &key, qint64 start, qint64 stop);
    Result<qint64> llen(const QByteArray &key);

    // Publish/subscribe. A subscriber is one handler (one MemoryStore) with its own channel list;
    // publish() calls the handler of every subscriber of the channel, synchronously, and returns
    // how many there were. Subscribing twice to a channel counts once, like one Redis connection.
    quint64 addSubscriber(MessageHandler handler);
    void removeSubscriber(quint64 subscriber);
    void subscribe(quint64 subscriber, const QByteArray &channel);
    void unsubscribe(quint64 subscriber, const QByteArray &channel);
    qint64 publish(const QByteArray &channel, const QByteArray &payload);
    qint64 subscriberCount(const QByteArray &channel) const;

    // Removes every expired key now; returns how many. Cost is proportional to the expired keys.
    qsizetype purgeExpired();
    // Keys held, counting expired keys not yet purged (for tests and metrics).
    qsizetype keyCount() const;
    // FLUSHALL: drops every key (subscriptions stay).
    void clear();

private:
    struct Private;
    std::unique_ptr<Private> m_d;
};

} // namespace arena
