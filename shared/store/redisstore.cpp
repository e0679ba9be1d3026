#include "shared/store/redisstore.h"

#include "shared/redis/redisclient.h"
#include "shared/redis/redispool.h"
#include "shared/redis/redissubscriber.h"
#include "shared/store/storeerror.h"

#include <QSet>
#include <QTimer>

#include <algorithm>
#include <cmath>

namespace arena {

namespace {

using Keys = StateStore::Keys;

Error unexpected(const Reply &reply)
{
    return Error{QStringLiteral("protocol"), QStringLiteral("unexpected Redis reply: %1").arg(reply.toDebugString())};
}

Result<qint64> asInteger(const Reply &r)
{
    if (r.isInteger())
        return r.integer();
    return unexpected(r);
}

Result<bool> asBool(const Reply &r)
{
    if (r.isInteger())
        return r.integer() != 0;
    return unexpected(r);
}

Result<bool> asOk(const Reply &r)
{
    if (r.isStatus())
        return true;
    return unexpected(r);
}

Result<std::optional<QByteArray>> asOptionalBytes(const Reply &r)
{
    if (r.isNil())
        return std::optional<QByteArray>();
    if (r.isString())
        return std::optional<QByteArray>(r.bytes());
    return unexpected(r);
}

Result<Keys> asKeys(const Reply &r)
{
    if (!r.isArray())
        return unexpected(r);
    Keys out;
    out.reserve(r.elements().size());
    for (const Reply &e : r.elements())
        out.append(e.bytes());
    return out;
}

Result<Keys> asSortedKeys(const Reply &r)
{
    auto keys = asKeys(r);
    if (keys.ok())
        std::sort(keys.value().begin(), keys.value().end());
    return keys;
}

QByteArray score(double v)
{
    if (std::isinf(v))
        return v > 0 ? QByteArrayLiteral("+inf") : QByteArrayLiteral("-inf");
    return QByteArray::number(v, 'g', 17);
}

// Prefixes may contain glob characters; SCAN's MATCH must take them literally.
QByteArray globEscape(const QByteArray &literal)
{
    QByteArray out;
    out.reserve(literal.size());
    for (char c : literal) {
        if (c == '*' || c == '?' || c == '[' || c == ']' || c == '\\')
            out += '\\';
        out += c;
    }
    return out;
}

} // namespace

RedisStore::RedisStore(const RedisOptions &options, QByteArray prefix, int poolSize, QObject *parent)
    : StateStore(parent),
      m_prefix(std::move(prefix)),
      m_pool(new RedisPool(options, poolSize, this)),
      m_subscriber(new RedisSubscriber(options, this))
{
    connect(m_pool, &RedisPool::availabilityChanged, this, &StateStore::availabilityChanged);
    connect(m_subscriber, &RedisSubscriber::message, this, [this](const QByteArray &channel, const QByteArray &payload) {
        if (channel.startsWith(m_prefix))
            emit message(channel.mid(m_prefix.size()), payload);
    });
    connect(m_subscriber, &RedisSubscriber::resubscribed, this, &StateStore::resubscribed);
}

RedisStore::~RedisStore() = default;

void RedisStore::open()
{
    m_pool->open();
    m_subscriber->open();
}

bool RedisStore::isAvailable() const
{
    return m_pool->isAvailable();
}

RedisClient *RedisStore::clientFor(const QByteArray &key) const
{
    return m_pool->client(key);
}

Keys RedisStore::prefixed(const Keys &keys) const
{
    Keys out;
    out.reserve(keys.size());
    for (const QByteArray &key : keys)
        out.append(k(key));
    return out;
}

template<typename T>
void RedisStore::call(const QByteArray &key, QList<QByteArray> args, QObject *context, StoreCallback<T> cb,
                      std::function<Result<T>(const Reply &)> convert)
{
    if (!cb)
        cb = [](Result<T>) {}; // a null callback is allowed: the command still runs
    clientFor(key)->command(std::move(args), context ? context : this,
                            [cb = std::move(cb), convert = std::move(convert)](Result<Reply> r) {
        if (!r.ok()) {
            const Error &e = r.error();
            cb(e.code == QLatin1String("redis_error") ? storeErrorFromRedis(e.message.toUtf8()) : e);
            return;
        }
        cb(convert(r.value()));
    });
}

void RedisStore::get(const QByteArray &key, QObject *context, StoreCallback<std::optional<QByteArray>> cb)
{
    call<std::optional<QByteArray>>(key, {"GET", k(key)}, context, std::move(cb), asOptionalBytes);
}

void RedisStore::set(const QByteArray &key, const QByteArray &value, qint64 ttlMs, SetMode mode, QObject *context,
                     StoreCallback<bool> cb)
{
    QList<QByteArray> args{"SET", k(key), value};
    if (!cb)
        cb = [](Result<bool>) {};
    if (ttlMs < 0) {
        // Redis would answer "invalid expire time"; say it the same way without a round trip.
        QTimer::singleShot(0, context ? context : this, [cb = std::move(cb)] {
            cb(storeErrorFromRedis("ERR invalid expire time in 'set' command"));
        });
        return;
    }
    if (ttlMs > 0)
        args << "PX" << QByteArray::number(ttlMs);
    if (mode == SetMode::IfAbsent)
        args << "NX";
    else if (mode == SetMode::IfPresent)
        args << "XX";
    call<bool>(key, std::move(args), context, std::move(cb), [](const Reply &r) -> Result<bool> {
        if (r.isNil())
            return false;
        return asOk(r);
    });
}

void RedisStore::incrBy(const QByteArray &key, qint64 delta, QObject *context, StoreCallback<qint64> cb)
{
    call<qint64>(key, {"INCRBY", k(key), QByteArray::number(delta)}, context, std::move(cb), asInteger);
}

void RedisStore::del(const Keys &keys, QObject *context, StoreCallback<qint64> cb)
{
    call<qint64>(keys.value(0), QList<QByteArray>{"DEL"} + prefixed(keys), context, std::move(cb), asInteger);
}

void RedisStore::unlink(const Keys &keys, QObject *context, StoreCallback<qint64> cb)
{
    call<qint64>(keys.value(0), QList<QByteArray>{"UNLINK"} + prefixed(keys), context, std::move(cb), asInteger);
}

void RedisStore::sscan(const QByteArray &key, const QByteArray &cursor, qint64 count, QObject *context,
                       StoreCallback<ScanPage> cb)
{
    call<ScanPage>(key, {"SSCAN", k(key), cursor, "COUNT", QByteArray::number(qMax<qint64>(1, count))}, context,
                   std::move(cb), [](const Reply &r) -> Result<ScanPage> {
        if (!r.isArray() || r.elements().size() != 2 || !r.elements()[1].isArray())
            return unexpected(r);
        auto items = asSortedKeys(r.elements()[1]);
        if (!items.ok())
            return items.error();
        return ScanPage{r.elements()[0].bytes(), std::move(items.value())};
    });
}

void RedisStore::exists(const QByteArray &key, QObject *context, StoreCallback<bool> cb)
{
    call<bool>(key, {"EXISTS", k(key)}, context, std::move(cb), asBool);
}

void RedisStore::expire(const QByteArray &key, qint64 ttlMs, QObject *context, StoreCallback<bool> cb)
{
    call<bool>(key, {"PEXPIRE", k(key), QByteArray::number(ttlMs)}, context, std::move(cb), asBool);
}

void RedisStore::ttl(const QByteArray &key, QObject *context, StoreCallback<qint64> cb)
{
    call<qint64>(key, {"PTTL", k(key)}, context, std::move(cb), asInteger);
}

void RedisStore::scan(const QByteArray &pattern, QObject *context, StoreCallback<Keys> cb)
{
    if (!cb)
        cb = [](Result<Keys>) {};
    scanStep("0", globEscape(m_prefix) + pattern, std::make_shared<QSet<QByteArray>>(), context, std::move(cb));
}

void RedisStore::scanStep(QByteArray cursor, QByteArray match, std::shared_ptr<QSet<QByteArray>> found,
                          QObject *context, StoreCallback<Keys> cb)
{
    // SCAN in batches keeps Redis responsive; the set removes the duplicates SCAN may return.
    QList<QByteArray> args{"SCAN", cursor, "MATCH", match, "COUNT", "500"};
    QPointer<QObject> guard(context ? context : this);
    m_pool->client(match)->command(std::move(args), context ? context : this,
        [this, match, found, guard, cb = std::move(cb)](Result<Reply> r) mutable {
            if (!r.ok()) {
                cb(r.error());
                return;
            }
            const Reply &reply = r.value();
            if (!reply.isArray() || reply.elements().size() != 2 || !reply.elements()[1].isArray()) {
                cb(unexpected(reply));
                return;
            }
            for (const Reply &key : reply.elements()[1].elements())
                found->insert(key.bytes().mid(m_prefix.size()));
            const QByteArray next = reply.elements()[0].bytes();
            if (next != "0") {
                scanStep(next, match, found, guard.data(), std::move(cb));
                return;
            }
            Keys keys(found->cbegin(), found->cend());
            std::sort(keys.begin(), keys.end());
            cb(std::move(keys));
        });
}

void RedisStore::hset(const QByteArray &key, const Fields &fields, QObject *context, StoreCallback<qint64> cb)
{
    QList<QByteArray> args{"HSET", k(key)};
    for (auto it = fields.cbegin(); it != fields.cend(); ++it)
        args << it.key() << it.value();
    call<qint64>(key, std::move(args), context, std::move(cb), asInteger);
}

void RedisStore::hget(const QByteArray &key, const QByteArray &field, QObject *context,
                      StoreCallback<std::optional<QByteArray>> cb)
{
    call<std::optional<QByteArray>>(key, {"HGET", k(key), field}, context, std::move(cb), asOptionalBytes);
}

void RedisStore::hgetAll(const QByteArray &key, QObject *context, StoreCallback<Fields> cb)
{
    call<Fields>(key, {"HGETALL", k(key)}, context, std::move(cb), [](const Reply &r) -> Result<Fields> {
        if (!r.isArray() || r.elements().size() % 2 != 0)
            return unexpected(r);
        Fields fields;
        for (qsizetype i = 0; i + 1 < r.elements().size(); i += 2)
            fields.insert(r.elements()[i].bytes(), r.elements()[i + 1].bytes());
        return fields;
    });
}

void RedisStore::hdel(const QByteArray &key, const Keys &fields, QObject *context, StoreCallback<qint64> cb)
{
    call<qint64>(key, QList<QByteArray>{"HDEL", k(key)} + fields, context, std::move(cb), asInteger);
}

void RedisStore::hincrBy(const QByteArray &key, const QByteArray &field, qint64 delta, QObject *context,
                         StoreCallback<qint64> cb)
{
    call<qint64>(key, {"HINCRBY", k(key), field, QByteArray::number(delta)}, context, std::move(cb), asInteger);
}

void RedisStore::sadd(const QByteArray &key, const Keys &members, QObject *context, StoreCallback<qint64> cb)
{
    call<qint64>(key, QList<QByteArray>{"SADD", k(key)} + members, context, std::move(cb), asInteger);
}

void RedisStore::srem(const QByteArray &key, const Keys &members, QObject *context, StoreCallback<qint64> cb)
{
    call<qint64>(key, QList<QByteArray>{"SREM", k(key)} + members, context, std::move(cb), asInteger);
}

void RedisStore::smembers(const QByteArray &key, QObject *context, StoreCallback<Keys> cb)
{
    call<Keys>(key, {"SMEMBERS", k(key)}, context, std::move(cb), asSortedKeys);
}

void RedisStore::sismember(const QByteArray &key, const QByteArray &member, QObject *context, StoreCallback<bool> cb)
{
    call<bool>(key, {"SISMEMBER", k(key), member}, context, std::move(cb), asBool);
}

void RedisStore::scard(const QByteArray &key, QObject *context, StoreCallback<qint64> cb)
{
    call<qint64>(key, {"SCARD", k(key)}, context, std::move(cb), asInteger);
}

void RedisStore::zadd(const QByteArray &key, const QList<ScoredMember> &members, QObject *context,
                      StoreCallback<qint64> cb)
{
    QList<QByteArray> args{"ZADD", k(key)};
    if (!cb)
        cb = [](Result<qint64>) {};
    for (const ScoredMember &m : members) {
        if (std::isnan(m.score)) {
            QTimer::singleShot(0, context ? context : this, [cb = std::move(cb)] {
                cb(storeErrorFromRedis("ERR value is not a valid float"));
            });
            return;
        }
        args << score(m.score) << m.member;
    }
    call<qint64>(key, std::move(args), context, std::move(cb), asInteger);
}

void RedisStore::zrem(const QByteArray &key, const Keys &members, QObject *context, StoreCallback<qint64> cb)
{
    call<qint64>(key, QList<QByteArray>{"ZREM", k(key)} + members, context, std::move(cb), asInteger);
}

void RedisStore::zscore(const QByteArray &key, const QByteArray &member, QObject *context,
                        StoreCallback<std::optional<double>> cb)
{
    call<std::optional<double>>(key, {"ZSCORE", k(key), member}, context, std::move(cb),
                                [](const Reply &r) -> Result<std::optional<double>> {
        if (r.isNil())
            return std::optional<double>();
        bool ok = false;
        const double v = r.bytes().toDouble(&ok);
        if (!ok && r.bytes() != "inf" && r.bytes() != "-inf")
            return unexpected(r);
        if (!ok)
            return std::optional<double>(r.bytes().startsWith('-') ? -INFINITY : INFINITY);
        return std::optional<double>(v);
    });
}

void RedisStore::zrangeByScore(const QByteArray &key, double min, double max, qint64 offset, qint64 limit,
                               QObject *context, StoreCallback<QList<ScoredMember>> cb)
{
    if (!cb)
        cb = [](Result<QList<ScoredMember>>) {};
    if (std::isnan(min) || std::isnan(max)) {
        QTimer::singleShot(0, context ? context : this, [cb = std::move(cb)] {
            cb(storeErrorFromRedis("ERR min or max is not a float"));
        });
        return;
    }
    QList<QByteArray> args{"ZRANGEBYSCORE", k(key), score(min), score(max), "WITHSCORES"};
    if (offset != 0 || limit >= 0)
        args << "LIMIT" << QByteArray::number(offset) << QByteArray::number(limit < 0 ? -1 : limit);
    call<QList<ScoredMember>>(key, std::move(args), context, std::move(cb),
                              [](const Reply &r) -> Result<QList<ScoredMember>> {
        if (!r.isArray() || r.elements().size() % 2 != 0)
            return unexpected(r);
        QList<ScoredMember> out;
        for (qsizetype i = 0; i + 1 < r.elements().size(); i += 2) {
            const QByteArray &s = r.elements()[i + 1].bytes();
            double v = s.toDouble();
            if (s == "inf" || s == "+inf")
                v = INFINITY;
            else if (s == "-inf")
                v = -INFINITY;
            out.append(ScoredMember{r.elements()[i].bytes(), v});
        }
        return out;
    });
}

void RedisStore::zcard(const QByteArray &key, QObject *context, StoreCallback<qint64> cb)
{
    call<qint64>(key, {"ZCARD", k(key)}, context, std::move(cb), asInteger);
}

void RedisStore::rpush(const QByteArray &key, const Keys &values, QObject *context, StoreCallback<qint64> cb)
{
    call<qint64>(key, QList<QByteArray>{"RPUSH", k(key)} + values, context, std::move(cb), asInteger);
}

void RedisStore::lpush(const QByteArray &key, const Keys &values, QObject *context, StoreCallback<qint64> cb)
{
    call<qint64>(key, QList<QByteArray>{"LPUSH", k(key)} + values, context, std::move(cb), asInteger);
}

void RedisStore::lrange(const QByteArray &key, qint64 start, qint64 stop, QObject *context, StoreCallback<Keys> cb)
{
    call<Keys>(key, {"LRANGE", k(key), QByteArray::number(start), QByteArray::number(stop)}, context, std::move(cb),
               asKeys);
}

void RedisStore::ltrim(const QByteArray &key, qint64 start, qint64 stop, QObject *context, StoreCallback<bool> cb)
{
    call<bool>(key, {"LTRIM", k(key), QByteArray::number(start), QByteArray::number(stop)}, context, std::move(cb),
               asOk);
}

void RedisStore::llen(const QByteArray &key, QObject *context, StoreCallback<qint64> cb)
{
    call<qint64>(key, {"LLEN", k(key)}, context, std::move(cb), asInteger);
}

void RedisStore::publish(const QByteArray &channel, const QByteArray &payload, QObject *context,
                         StoreCallback<qint64> cb)
{
    call<qint64>(channel, {"PUBLISH", k(channel), payload}, context, std::move(cb), asInteger);
}

void RedisStore::subscribe(const QByteArray &channel)
{
    m_subscriber->subscribe(k(channel));
}

void RedisStore::unsubscribe(const QByteArray &channel)
{
    m_subscriber->unsubscribe(k(channel));
}

void RedisStore::registerOperation(const QByteArray &name, const Operation &op)
{
    m_operations.insert(name, RedisScript(op.lua));
}

void RedisStore::run(const QByteArray &name, const Keys &keys, const Args &args, QObject *context,
                     StoreCallback<Reply> cb)
{
    if (!cb)
        cb = [](Result<Reply>) {};
    const auto it = m_operations.constFind(name);
    if (it == m_operations.cend()) {
        QTimer::singleShot(0, context ? context : this, [cb = std::move(cb), name] {
            cb(Error{QStringLiteral("unknown_operation"),
                     QStringLiteral("no store operation named \"%1\"").arg(QString::fromUtf8(name))});
        });
        return;
    }
    clientFor(keys.value(0))->eval(it.value(), prefixed(keys), args, context ? context : this,
                                   [cb = std::move(cb)](Result<Reply> r) {
        if (!r.ok() && r.error().code == QLatin1String("redis_error")) {
            cb(Error{QStringLiteral("script_error"), r.error().message});
            return;
        }
        cb(std::move(r));
    });
}

} // namespace arena
