#include "shared/store/memorydata.h"

#include "shared/store/storeerror.h"

#include "shared/store/globmatch.h"

#include <QDateTime>
#include <QHashFunctions>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <unordered_map>
#include <utility>
#include <variant>

namespace arena {

namespace {

// Redis's own wording, so errors read the same from either backend.
constexpr char kWrongType[] = "WRONGTYPE Operation against a key holding the wrong kind of value";
constexpr char kNotInteger[] = "ERR value is not an integer or out of range";
constexpr char kHashNotInteger[] = "ERR hash value is not an integer";
constexpr char kOverflow[] = "ERR increment or decrement would overflow";
constexpr char kNotFloat[] = "ERR value is not a valid float";
constexpr char kRangeNotFloat[] = "ERR min or max is not a float";

constexpr qint64 kNoExpiry = -1;

Error redisError(const char *message)
{
    return storeErrorFromRedis(QByteArray(message));
}

Error wrongArity(const char *command)
{
    return storeErrorFromRedis(QByteArrayLiteral("ERR wrong number of arguments for '") + command
                               + QByteArrayLiteral("' command"));
}

Error invalidExpireTime(const char *command)
{
    return storeErrorFromRedis(QByteArrayLiteral("ERR invalid expire time in '") + command
                               + QByteArrayLiteral("' command"));
}

qint64 nowMs()
{
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

// Redis's string2ll: optional '-', no '+', no spaces, no leading zeros, no "-0", within 64 bits.
std::optional<qint64> parseInteger(const QByteArray &text)
{
    const qsizetype len = text.size();
    if (len == 0 || len > 20)
        return std::nullopt;
    if (len == 1 && text[0] == '0')
        return 0;
    qsizetype i = 0;
    const bool negative = text[0] == '-';
    if (negative && ++i == len)
        return std::nullopt;
    if (text[i] < '1' || text[i] > '9')
        return std::nullopt;
    quint64 v = 0;
    for (; i < len; ++i) {
        const char c = text[i];
        if (c < '0' || c > '9')
            return std::nullopt;
        const auto digit = static_cast<quint64>(c - '0');
        if (v > (std::numeric_limits<quint64>::max() - digit) / 10)
            return std::nullopt;
        v = v * 10 + digit;
    }
    constexpr auto maxPositive = static_cast<quint64>(std::numeric_limits<qint64>::max());
    if (negative) {
        if (v > maxPositive + 1)
            return std::nullopt;
        return v == maxPositive + 1 ? std::numeric_limits<qint64>::min() : -static_cast<qint64>(v);
    }
    if (v > maxPositive)
        return std::nullopt;
    return static_cast<qint64>(v);
}

bool addOverflows(qint64 value, qint64 delta)
{
    return (delta > 0 && value > std::numeric_limits<qint64>::max() - delta)
        || (delta < 0 && value < std::numeric_limits<qint64>::min() - delta);
}

struct ByteArrayHash
{
    std::size_t operator()(const QByteArray &key) const noexcept { return qHash(key); }
};

// Ascending score, ties bytewise by member: Redis's sorted-set order.
struct ScoreOrder
{
    bool operator()(const std::pair<double, QByteArray> &a, const std::pair<double, QByteArray> &b) const
    {
        if (a.first < b.first)
            return true;
        if (b.first < a.first)
            return false;
        return a.second < b.second;
    }
};

using StringValue = QByteArray;
using HashValue = MemoryData::Fields;
using SetValue = std::set<QByteArray>;
using ListValue = std::deque<QByteArray>;

struct ZSetValue
{
    std::unordered_map<QByteArray, double, ByteArrayHash> scores;
    std::set<std::pair<double, QByteArray>, ScoreOrder> ordered;
    bool empty() const { return scores.empty(); }
};

using Value = std::variant<StringValue, HashValue, SetValue, ZSetValue, ListValue>;

struct Entry
{
    Value value;
    qint64 deadline = kNoExpiry; // steady-clock ms; the key is gone once the clock is past it
};

// LRANGE/LTRIM index normalisation; returns false when the range is empty.
bool normaliseRange(qint64 size, qint64 &start, qint64 &stop)
{
    if (start < 0)
        start += size;
    if (stop < 0)
        stop += size;
    if (start < 0)
        start = 0;
    if (start > stop || start >= size)
        return false;
    if (stop >= size)
        stop = size - 1;
    return true;
}

} // namespace


struct MemoryData::Private
{
    using KeyMap = std::unordered_map<QByteArray, Entry, ByteArrayHash>;

    struct Subscriber
    {
        MessageHandler handler;
        std::set<QByteArray> channels;
    };

    KeyMap keys;
    // (deadline, key) of every key with a TTL, so purging costs only what it removes.
    std::set<std::pair<qint64, QByteArray>> expiries;

    std::map<quint64, Subscriber> subscribers;
    std::unordered_map<QByteArray, std::set<quint64>, ByteArrayHash> channels;
    quint64 nextSubscriber = 1;

    static bool expired(const Entry &entry, qint64 now) { return entry.deadline != kNoExpiry && now > entry.deadline; }

    KeyMap::iterator eraseAt(KeyMap::iterator it)
    {
        if (it->second.deadline != kNoExpiry)
            expiries.erase({it->second.deadline, it->first});
        return keys.erase(it);
    }

    // The entry of a live key, or nullptr; an expired key is removed on the way (lazy expiry).
    Entry *find(const QByteArray &key)
    {
        auto it = keys.find(key);
        if (it == keys.end())
            return nullptr;
        if (expired(it->second, nowMs())) {
            eraseAt(it);
            return nullptr;
        }
        return &it->second;
    }

    bool erase(const QByteArray &key)
    {
        if (!find(key))
            return false;
        eraseAt(keys.find(key));
        return true;
    }

    void setDeadline(const QByteArray &key, Entry &entry, qint64 deadline)
    {
        if (entry.deadline == deadline)
            return;
        if (entry.deadline != kNoExpiry)
            expiries.erase({entry.deadline, key});
        entry.deadline = deadline;
        if (deadline != kNoExpiry)
            expiries.insert({deadline, key});
    }

    // Deadline `ttlMs` from now; Redis refuses a TTL that overflows its (wall-clock) deadline.
    static Result<qint64> deadlineAfter(qint64 ttlMs, const char *command)
    {
        if (ttlMs > std::numeric_limits<qint64>::max() - QDateTime::currentMSecsSinceEpoch())
            return invalidExpireTime(command);
        const qint64 now = nowMs();
        return now > std::numeric_limits<qint64>::max() - ttlMs ? std::numeric_limits<qint64>::max() : now + ttlMs;
    }

    // The value of a live key of type V; nullptr when absent, an error when it holds another type.
    template<typename V>
    Result<V *> lookup(const QByteArray &key)
    {
        Entry *entry = find(key);
        if (!entry)
            return static_cast<V *>(nullptr);
        V *value = std::get_if<V>(&entry->value);
        if (!value)
            return redisError(kWrongType);
        return value;
    }

    // As lookup(), creating an empty V (without expiry) when the key is absent. Callers store
    // something right away, so no empty container outlives the call.
    template<typename V>
    Result<V *> lookupOrCreate(const QByteArray &key)
    {
        Result<V *> found = lookup<V>(key);
        if (!found || *found)
            return found;
        auto [it, inserted] = keys.emplace(key, Entry{Value(std::in_place_type<V>), kNoExpiry});
        Q_UNUSED(inserted);
        return &std::get<V>(it->second.value);
    }

    // Redis removes a container key when its last element goes.
    template<typename V>
    void dropIfEmpty(const QByteArray &key, const V *value)
    {
        if (value->empty())
            erase(key);
    }
};

MemoryData::MemoryData() : m_d(std::make_unique<Private>()) {}

MemoryData::~MemoryData() = default;

// ---- strings

Result<std::optional<QByteArray>> MemoryData::get(const QByteArray &key)
{
    Result<StringValue *> value = m_d->lookup<StringValue>(key);
    if (!value)
        return value.error();
    if (!*value)
        return std::optional<QByteArray>();
    return std::optional<QByteArray>(**value);
}

Result<bool> MemoryData::set(const QByteArray &key, const QByteArray &value, qint64 ttlMs, SetMode mode)
{
    if (ttlMs < 0)
        return invalidExpireTime("set");
    qint64 deadline = kNoExpiry;
    if (ttlMs > 0) {
        const Result<qint64> after = Private::deadlineAfter(ttlMs, "set");
        if (!after)
            return after.error();
        deadline = *after;
    }
    Entry *entry = m_d->find(key);
    if ((mode == SetMode::IfAbsent && entry) || (mode == SetMode::IfPresent && !entry))
        return false;
    if (!entry)
        entry = &m_d->keys.emplace(key, Entry{Value(std::in_place_type<StringValue>, value), kNoExpiry}).first->second;
    else
        entry->value = value;
    m_d->setDeadline(key, *entry, deadline);
    return true;
}

Result<qint64> MemoryData::incrBy(const QByteArray &key, qint64 delta)
{
    Result<StringValue *> value = m_d->lookup<StringValue>(key);
    if (!value)
        return value.error();
    qint64 current = 0;
    if (*value) {
        const std::optional<qint64> parsed = parseInteger(**value);
        if (!parsed)
            return redisError(kNotInteger);
        current = *parsed;
    }
    if (addOverflows(current, delta))
        return redisError(kOverflow);
    const qint64 next = current + delta;
    if (*value)
        **value = QByteArray::number(next); // keeps the key's TTL, as INCRBY does
    else
        m_d->keys.emplace(key, Entry{Value(std::in_place_type<StringValue>, QByteArray::number(next)), kNoExpiry});
    return next;
}

// ---- keys

Result<qint64> MemoryData::del(const Keys &keys)
{
    if (keys.isEmpty())
        return wrongArity("del");
    qint64 removed = 0;
    for (const QByteArray &key : keys) {
        if (m_d->erase(key))
            ++removed;
    }
    return removed;
}

bool MemoryData::exists(const QByteArray &key)
{
    return m_d->find(key) != nullptr;
}

Result<bool> MemoryData::expire(const QByteArray &key, qint64 ttlMs)
{
    qint64 deadline = kNoExpiry;
    if (ttlMs > 0) {
        const Result<qint64> after = Private::deadlineAfter(ttlMs, "pexpire");
        if (!after)
            return after.error();
        deadline = *after;
    }
    Entry *entry = m_d->find(key);
    if (!entry)
        return false;
    if (ttlMs <= 0) {
        m_d->erase(key); // a deadline in the past deletes at once, as PEXPIRE does
        return true;
    }
    m_d->setDeadline(key, *entry, deadline);
    return true;
}

bool MemoryData::persist(const QByteArray &key)
{
    Entry *entry = m_d->find(key);
    if (!entry || entry->deadline == kNoExpiry)
        return false;
    m_d->setDeadline(key, *entry, kNoExpiry);
    return true;
}

qint64 MemoryData::ttl(const QByteArray &key)
{
    const Entry *entry = m_d->find(key);
    if (!entry)
        return -2;
    if (entry->deadline == kNoExpiry)
        return -1;
    return std::max<qint64>(0, entry->deadline - nowMs());
}

MemoryData::Keys MemoryData::scan(const QByteArray &pattern)
{
    // Redis skips matching for a lone "*" (which would otherwise not match the empty key).
    const bool everything = pattern == "*";
    const qint64 now = nowMs();
    Keys found;
    for (auto it = m_d->keys.begin(); it != m_d->keys.end();) {
        if (Private::expired(it->second, now)) {
            it = m_d->eraseAt(it);
            continue;
        }
        if (everything || globMatch(pattern, it->first))
            found.append(it->first);
        ++it;
    }
    std::sort(found.begin(), found.end());
    return found;
}

QByteArray MemoryData::type(const QByteArray &key)
{
    const Entry *entry = m_d->find(key);
    if (!entry)
        return QByteArrayLiteral("none");
    return std::visit(
        [](const auto &value) -> QByteArray {
            using V = std::decay_t<decltype(value)>;
            if constexpr (std::is_same_v<V, StringValue>)
                return QByteArrayLiteral("string");
            else if constexpr (std::is_same_v<V, HashValue>)
                return QByteArrayLiteral("hash");
            else if constexpr (std::is_same_v<V, SetValue>)
                return QByteArrayLiteral("set");
            else if constexpr (std::is_same_v<V, ZSetValue>)
                return QByteArrayLiteral("zset");
            else
                return QByteArrayLiteral("list");
        },
        entry->value);
}

// ---- hashes

Result<qint64> MemoryData::hset(const QByteArray &key, const Fields &fields)
{
    if (fields.isEmpty())
        return wrongArity("hset");
    Result<HashValue *> hash = m_d->lookupOrCreate<HashValue>(key);
    if (!hash)
        return hash.error();
    qint64 added = 0;
    for (auto it = fields.cbegin(); it != fields.cend(); ++it) {
        if (!(*hash)->contains(it.key()))
            ++added;
        (*hash)->insert(it.key(), it.value());
    }
    return added;
}

Result<std::optional<QByteArray>> MemoryData::hget(const QByteArray &key, const QByteArray &field)
{
    Result<HashValue *> hash = m_d->lookup<HashValue>(key);
    if (!hash)
        return hash.error();
    if (!*hash)
        return std::optional<QByteArray>();
    const auto it = (*hash)->constFind(field);
    if (it == (*hash)->cend())
        return std::optional<QByteArray>();
    return std::optional<QByteArray>(it.value());
}

Result<MemoryData::Fields> MemoryData::hgetAll(const QByteArray &key)
{
    Result<HashValue *> hash = m_d->lookup<HashValue>(key);
    if (!hash)
        return hash.error();
    return *hash ? **hash : Fields();
}

Result<qint64> MemoryData::hdel(const QByteArray &key, const Keys &fields)
{
    if (fields.isEmpty())
        return wrongArity("hdel");
    Result<HashValue *> hash = m_d->lookup<HashValue>(key);
    if (!hash)
        return hash.error();
    if (!*hash)
        return qint64(0);
    qint64 removed = 0;
    for (const QByteArray &field : fields)
        removed += (*hash)->remove(field);
    m_d->dropIfEmpty(key, *hash);
    return removed;
}

Result<qint64> MemoryData::hincrBy(const QByteArray &key, const QByteArray &field, qint64 delta)
{
    Result<HashValue *> hash = m_d->lookup<HashValue>(key);
    if (!hash)
        return hash.error();
    qint64 current = 0;
    if (*hash) {
        const auto it = (*hash)->constFind(field);
        if (it != (*hash)->cend()) {
            const std::optional<qint64> parsed = parseInteger(it.value());
            if (!parsed)
                return redisError(kHashNotInteger);
            current = *parsed;
        }
    }
    if (addOverflows(current, delta))
        return redisError(kOverflow);
    const qint64 next = current + delta;
    Result<HashValue *> target = m_d->lookupOrCreate<HashValue>(key);
    (*target)->insert(field, QByteArray::number(next));
    return next;
}

// ---- sets

Result<qint64> MemoryData::sadd(const QByteArray &key, const Keys &members)
{
    if (members.isEmpty())
        return wrongArity("sadd");
    Result<SetValue *> set = m_d->lookupOrCreate<SetValue>(key);
    if (!set)
        return set.error();
    qint64 added = 0;
    for (const QByteArray &member : members) {
        if ((*set)->insert(member).second)
            ++added;
    }
    return added;
}

Result<qint64> MemoryData::srem(const QByteArray &key, const Keys &members)
{
    if (members.isEmpty())
        return wrongArity("srem");
    Result<SetValue *> set = m_d->lookup<SetValue>(key);
    if (!set)
        return set.error();
    if (!*set)
        return qint64(0);
    qint64 removed = 0;
    for (const QByteArray &member : members)
        removed += static_cast<qint64>((*set)->erase(member));
    m_d->dropIfEmpty(key, *set);
    return removed;
}

Result<MemoryData::Keys> MemoryData::smembers(const QByteArray &key)
{
    Result<SetValue *> set = m_d->lookup<SetValue>(key);
    if (!set)
        return set.error();
    if (!*set)
        return Keys();
    return Keys((*set)->cbegin(), (*set)->cend());
}

Result<bool> MemoryData::sismember(const QByteArray &key, const QByteArray &member)
{
    Result<SetValue *> set = m_d->lookup<SetValue>(key);
    if (!set)
        return set.error();
    return *set && (*set)->count(member) > 0;
}

Result<qint64> MemoryData::scard(const QByteArray &key)
{
    Result<SetValue *> set = m_d->lookup<SetValue>(key);
    if (!set)
        return set.error();
    return *set ? static_cast<qint64>((*set)->size()) : qint64(0);
}

// ---- sorted sets

Result<qint64> MemoryData::zadd(const QByteArray &key, const QList<ScoredMember> &members)
{
    if (members.isEmpty())
        return wrongArity("zadd");
    // Every score is checked before anything is written, as ZADD parses all of them first.
    for (const ScoredMember &m : members) {
        if (std::isnan(m.score))
            return redisError(kNotFloat);
    }
    Result<ZSetValue *> zset = m_d->lookupOrCreate<ZSetValue>(key);
    if (!zset)
        return zset.error();
    ZSetValue &z = **zset;
    qint64 added = 0;
    for (const ScoredMember &m : members) {
        auto [it, inserted] = z.scores.try_emplace(m.member, m.score);
        if (inserted) {
            z.ordered.insert({m.score, m.member});
            ++added;
        } else if (it->second != m.score) {
            z.ordered.erase({it->second, m.member});
            z.ordered.insert({m.score, m.member});
            it->second = m.score;
        }
    }
    return added;
}

Result<qint64> MemoryData::zrem(const QByteArray &key, const Keys &members)
{
    if (members.isEmpty())
        return wrongArity("zrem");
    Result<ZSetValue *> zset = m_d->lookup<ZSetValue>(key);
    if (!zset)
        return zset.error();
    if (!*zset)
        return qint64(0);
    ZSetValue &z = **zset;
    qint64 removed = 0;
    for (const QByteArray &member : members) {
        const auto it = z.scores.find(member);
        if (it == z.scores.end())
            continue;
        z.ordered.erase({it->second, member});
        z.scores.erase(it);
        ++removed;
    }
    m_d->dropIfEmpty(key, &z);
    return removed;
}

Result<std::optional<double>> MemoryData::zscore(const QByteArray &key, const QByteArray &member)
{
    Result<ZSetValue *> zset = m_d->lookup<ZSetValue>(key);
    if (!zset)
        return zset.error();
    if (!*zset)
        return std::optional<double>();
    const auto it = (*zset)->scores.find(member);
    if (it == (*zset)->scores.end())
        return std::optional<double>();
    return std::optional<double>(it->second);
}

Result<QList<MemoryData::ScoredMember>> MemoryData::zrangeByScore(const QByteArray &key, double min, double max,
                                                                  qint64 offset, qint64 limit)
{
    if (std::isnan(min) || std::isnan(max))
        return redisError(kRangeNotFloat);
    Result<ZSetValue *> zset = m_d->lookup<ZSetValue>(key);
    if (!zset)
        return zset.error();
    QList<ScoredMember> range;
    // ZRANGEBYSCORE skips everything for a negative offset and returns nothing for LIMIT x 0.
    if (!*zset || offset < 0 || limit == 0)
        return range;
    const auto &ordered = (*zset)->ordered;
    auto it = ordered.lower_bound({min, QByteArray()});
    for (; it != ordered.end() && offset > 0 && it->first <= max; ++it)
        --offset;
    for (; it != ordered.end() && it->first <= max; ++it) {
        if (limit >= 0 && range.size() >= limit)
            break;
        range.append(ScoredMember{it->second, it->first});
    }
    return range;
}

Result<qint64> MemoryData::zcard(const QByteArray &key)
{
    Result<ZSetValue *> zset = m_d->lookup<ZSetValue>(key);
    if (!zset)
        return zset.error();
    return *zset ? static_cast<qint64>((*zset)->scores.size()) : qint64(0);
}

// ---- lists

Result<qint64> MemoryData::rpush(const QByteArray &key, const Keys &values)
{
    if (values.isEmpty())
        return wrongArity("rpush");
    Result<ListValue *> list = m_d->lookupOrCreate<ListValue>(key);
    if (!list)
        return list.error();
    for (const QByteArray &value : values)
        (*list)->push_back(value);
    return static_cast<qint64>((*list)->size());
}

Result<qint64> MemoryData::lpush(const QByteArray &key, const Keys &values)
{
    if (values.isEmpty())
        return wrongArity("lpush");
    Result<ListValue *> list = m_d->lookupOrCreate<ListValue>(key);
    if (!list)
        return list.error();
    for (const QByteArray &value : values)
        (*list)->push_front(value);
    return static_cast<qint64>((*list)->size());
}

Result<MemoryData::Keys> MemoryData::lrange(const QByteArray &key, qint64 start, qint64 stop)
{
    Result<ListValue *> list = m_d->lookup<ListValue>(key);
    if (!list)
        return list.error();
    Keys range;
    if (!*list || !normaliseRange(static_cast<qint64>((*list)->size()), start, stop))
        return range;
    const auto first = (*list)->cbegin() + start;
    return Keys(first, first + (stop - start + 1));
}

Result<bool> MemoryData::ltrim(const QByteArray &key, qint64 start, qint64 stop)
{
    Result<ListValue *> list = m_d->lookup<ListValue>(key);
    if (!list)
        return list.error();
    if (!*list)
        return true;
    ListValue &l = **list;
    const auto size = static_cast<qint64>(l.size());
    if (!normaliseRange(size, start, stop)) {
        l.clear();
    } else {
        l.erase(l.begin() + stop + 1, l.end());
        l.erase(l.begin(), l.begin() + start);
    }
    m_d->dropIfEmpty(key, &l);
    return true;
}

Result<qint64> MemoryData::llen(const QByteArray &key)
{
    Result<ListValue *> list = m_d->lookup<ListValue>(key);
    if (!list)
        return list.error();
    return *list ? static_cast<qint64>((*list)->size()) : qint64(0);
}

// ---- publish/subscribe

quint64 MemoryData::addSubscriber(MessageHandler handler)
{
    const quint64 id = m_d->nextSubscriber++;
    m_d->subscribers.emplace(id, Private::Subscriber{std::move(handler), {}});
    return id;
}

void MemoryData::removeSubscriber(quint64 subscriber)
{
    const auto it = m_d->subscribers.find(subscriber);
    if (it == m_d->subscribers.end())
        return;
    const std::set<QByteArray> channels = it->second.channels;
    for (const QByteArray &channel : channels)
        unsubscribe(subscriber, channel);
    m_d->subscribers.erase(subscriber);
}

void MemoryData::subscribe(quint64 subscriber, const QByteArray &channel)
{
    const auto it = m_d->subscribers.find(subscriber);
    if (it == m_d->subscribers.end())
        return;
    it->second.channels.insert(channel);
    m_d->channels[channel].insert(subscriber);
}

void MemoryData::unsubscribe(quint64 subscriber, const QByteArray &channel)
{
    const auto it = m_d->subscribers.find(subscriber);
    if (it != m_d->subscribers.end())
        it->second.channels.erase(channel);
    const auto ch = m_d->channels.find(channel);
    if (ch == m_d->channels.end())
        return;
    ch->second.erase(subscriber);
    if (ch->second.empty())
        m_d->channels.erase(ch);
}

qint64 MemoryData::publish(const QByteArray &channel, const QByteArray &payload)
{
    const auto ch = m_d->channels.find(channel);
    if (ch == m_d->channels.end())
        return 0;
    // A handler may (un)subscribe while we deliver: walk a copy and skip whoever has gone.
    const std::set<quint64> receivers = ch->second;
    qint64 delivered = 0;
    for (const quint64 id : receivers) {
        const auto it = m_d->subscribers.find(id);
        if (it == m_d->subscribers.end() || !it->second.channels.count(channel))
            continue;
        ++delivered;
        if (it->second.handler)
            it->second.handler(channel, payload);
    }
    return delivered;
}

qint64 MemoryData::subscriberCount(const QByteArray &channel) const
{
    const auto ch = m_d->channels.find(channel);
    return ch == m_d->channels.end() ? 0 : static_cast<qint64>(ch->second.size());
}

// ---- housekeeping

qsizetype MemoryData::purgeExpired()
{
    const qint64 now = nowMs();
    qsizetype purged = 0;
    while (!m_d->expiries.empty() && m_d->expiries.begin()->first < now) {
        const QByteArray key = m_d->expiries.begin()->second;
        const auto it = m_d->keys.find(key);
        if (it == m_d->keys.end()) {
            m_d->expiries.erase(m_d->expiries.begin()); // cannot happen; never loop on it
            continue;
        }
        m_d->eraseAt(it);
        ++purged;
    }
    return purged;
}

qsizetype MemoryData::keyCount() const
{
    return static_cast<qsizetype>(m_d->keys.size());
}

void MemoryData::clear()
{
    m_d->keys.clear();
    m_d->expiries.clear();
}

} // namespace arena
