#include "shared/redis/redisclient.h"

#include "shared/redis/redislog.h"

#include <QRandomGenerator>

#include <hiredis/hiredis.h>

Q_LOGGING_CATEGORY(lcRedis, "arena.shared.redis")

namespace arena {

namespace {

Reply toReply(const redisReply *r)
{
    switch (r->type) {
    case REDIS_REPLY_STRING: return Reply::string(QByteArray(r->str, qsizetype(r->len)));
    case REDIS_REPLY_STATUS:
        // Most replies of a write-heavy load are +OK: share one instead of allocating each.
        if (r->len == 2 && r->str[0] == 'O' && r->str[1] == 'K') {
            static const Reply ok = Reply::status(QByteArrayLiteral("OK"));
            return ok;
        }
        return Reply::status(QByteArray(r->str, qsizetype(r->len)));
    case REDIS_REPLY_ERROR: return Reply::error(QByteArray(r->str, qsizetype(r->len)));
    case REDIS_REPLY_INTEGER: return Reply::integer(r->integer);
    case REDIS_REPLY_ARRAY: {
        QList<Reply> elements;
        elements.reserve(qsizetype(r->elements));
        for (size_t i = 0; i < r->elements; ++i)
            elements.append(toReply(r->element[i]));
        return Reply::array(std::move(elements));
    }
    default: return Reply::nil();
    }
}

Error redisError(const Reply &reply)
{
    return Error{QStringLiteral("redis_error"), QString::fromUtf8(reply.bytes())};
}

} // namespace

RedisClient::RedisClient(RedisOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options))
{
    m_clock.start();
    m_connectTimer.setSingleShot(true);
    m_reconnectTimer.setSingleShot(true);
    m_timeoutTimer.setSingleShot(true);
    connect(&m_connectTimer, &QTimer::timeout, this, [this] {
        ++m_connectFailures;
        dropConnection(QStringLiteral("connect timed out after %1 ms").arg(m_options.connectTimeout.count()),
                       QStringLiteral("disconnected"));
    });
    connect(&m_reconnectTimer, &QTimer::timeout, this, &RedisClient::startConnect);
    connect(&m_timeoutTimer, &QTimer::timeout, this, &RedisClient::expireDue);
}

RedisClient::~RedisClient()
{
    *m_alive = false;
    if (m_adapter)
        m_adapter->release(); // the listener is detached first: no callback reaches us from here on
    m_adapter = nullptr;
}

void RedisClient::open()
{
    if (m_state != State::Idle && m_state != State::Closed)
        return;
    m_attempt = 0;
    startConnect();
}

void RedisClient::close()
{
    if (m_state == State::Closed)
        return;
    m_reconnectTimer.stop();
    m_connectTimer.stop();
    if (m_adapter)
        m_adapter->release();
    m_adapter = nullptr;
    setState(State::Closed);
    failAll(Error{QStringLiteral("closed"), QStringLiteral("the Redis client was closed")}, true);
}

void RedisClient::startConnect()
{
    QByteArray error;
    setState(State::Connecting);
    m_adapter = RedisAdapter::connect(m_options.host, m_options.port, this, &error);
    if (!m_adapter) {
        ++m_connectFailures;
        m_lastError = QString::fromUtf8(error);
        qCDebug(lcRedis) << "connect to" << m_options.displayUrl() << "failed:" << m_lastError;
        scheduleReconnect();
        return;
    }
    m_connectTimer.start(m_options.connectTimeout);
}

void RedisClient::adapterConnected(bool ok, const QByteArray &error)
{
    if (!ok) {
        ++m_connectFailures;
        dropConnection(QString::fromUtf8(error), QStringLiteral("disconnected"));
        return;
    }
    // Handshake: AUTH, SELECT and CLIENT SETNAME go first; queued commands wait until they succeed.
    m_handshakeLeft = 0;
    const auto step = [this](Args args) {
        ++m_handshakeLeft;
        Pending p = makePending(this, [this](Result<Reply> r) {
            if (m_state != State::Connecting)
                return;
            if (!r.ok()) {
                ++m_connectFailures;
                dropConnection(r.error().message, QStringLiteral("disconnected"));
                return;
            }
            if (r.value().isError()) {
                const QString why = QString::fromUtf8(r.value().bytes());
                qCWarning(lcRedis) << "Redis at" << m_options.displayUrl() << "refused the handshake:" << why;
                ++m_connectFailures;
                dropConnection(why, QStringLiteral("auth_failed"));
                return;
            }
            if (--m_handshakeLeft == 0)
                finishHandshake();
        }, m_options.connectTimeout, true);
        sendNow(args, std::move(p));
    };
    if (!m_options.password.isEmpty()) {
        if (m_options.username.isEmpty())
            step({QByteArrayLiteral("AUTH"), m_options.password});
        else
            step({QByteArrayLiteral("AUTH"), m_options.username, m_options.password});
    }
    if (m_options.database != 0)
        step({QByteArrayLiteral("SELECT"), QByteArray::number(m_options.database)});
    if (!m_options.clientName.isEmpty())
        step({QByteArrayLiteral("CLIENT"), QByteArrayLiteral("SETNAME"), m_options.clientName});
    if (m_handshakeLeft == 0)
        finishHandshake();
}

void RedisClient::finishHandshake()
{
    m_connectTimer.stop();
    if (m_everConnected) {
        ++m_reconnects;
        qCInfo(lcRedis) << "reconnected to" << m_options.displayUrl();
    }
    m_everConnected = true;
    m_attempt = 0;
    m_lastError.clear();
    setState(State::Connected);
    for (auto it = m_scripts.cbegin(); it != m_scripts.cend(); ++it)
        command({QByteArrayLiteral("SCRIPT"), QByteArrayLiteral("LOAD"), it.value()});
    const qint64 t = now();
    std::deque<Queued> queued;
    queued.swap(m_queued);
    for (Queued &q : queued) {
        if (q.pending.deadline > t)
            sendNow(q.args, std::move(q.pending));
    }
    emit connected();
}

void RedisClient::adapterDisconnected(const QByteArray &reason)
{
    dropConnection(QString::fromUtf8(reason), QStringLiteral("disconnected"));
}

void RedisClient::dropConnection(const QString &reason, const QString &errorCode)
{
    m_connectTimer.stop();
    if (m_adapter)
        m_adapter->release();
    m_adapter = nullptr;
    m_lastError = reason;
    const bool wasConnected = m_state == State::Connected;
    if (m_state != State::Closed)
        setState(State::Connecting);
    if (wasConnected)
        qCWarning(lcRedis) << "lost Redis at" << m_options.displayUrl() << ":" << reason;
    const std::weak_ptr<bool> alive = m_alive;
    // A refused handshake fails the waiting commands too: they would only wait for the same refusal.
    failAll(Error{errorCode, reason}, errorCode == QLatin1String("auth_failed"));
    if (alive.expired())
        return;
    if (wasConnected)
        emit disconnected(reason);
    if (alive.expired() || m_state == State::Closed)
        return;
    scheduleReconnect();
}

void RedisClient::scheduleReconnect()
{
    if (m_reconnectTimer.isActive() || m_state == State::Closed)
        return;
    // Capped exponential backoff with jitter: half the step fixed, half random, so many clients that
    // lost the same Redis do not all come back in the same millisecond.
    const qint64 base = m_options.reconnectMin.count();
    const qint64 cap = m_options.reconnectMax.count();
    const int shift = qMin(m_attempt, 20);
    const qint64 step = qMin(cap, base << shift);
    const qint64 delay = step / 2 + qint64(QRandomGenerator::global()->bounded(quint32(step / 2 + 1)));
    ++m_attempt;
    setState(State::Connecting);
    m_reconnectTimer.start(std::chrono::milliseconds(delay));
}

void RedisClient::adapterReply(const redisReply *reply, bool push)
{
    if (push) {
        if (reply)
            emit pushReceived(toReply(reply));
        return;
    }
    if (m_inflight.empty())
        return; // cannot happen with a sane server; never pop what is not there
    Pending pending = std::move(m_inflight.front());
    m_inflight.pop_front();
    if (pending.expired)
        return;
    if (!reply) {
        deliver(pending, Error{QStringLiteral("disconnected"),
                               QStringLiteral("connection to Redis lost before the reply")});
        return;
    }
    deliver(pending, toReply(reply));
}

void RedisClient::deliver(Pending &pending, Result<Reply> result)
{
    if (pending.guarded && !pending.context)
        return;
    if (pending.batch) {
        Batch &batch = *pending.batch;
        if (batch.finished)
            return;
        if (!result.ok()) {
            batch.finished = true;
            batch.cb(result.error());
            return;
        }
        batch.replies[pending.index] = std::move(result.value());
        if (--batch.left == 0) {
            batch.finished = true;
            batch.cb(std::move(batch.replies));
        }
        return;
    }
    if (!pending.cb)
        return;
    if (result.ok() && !pending.rawErrors && result.value().isError())
        result = redisError(result.value());
    pending.cb(std::move(result));
}

RedisClient::Pending RedisClient::makePending(QObject *context, Callback cb, Timeout timeout, bool rawErrors) const
{
    Pending p;
    p.cb = std::move(cb);
    p.guarded = context != nullptr;
    if (context)
        p.context = context;
    p.rawErrors = rawErrors;
    p.deadline = now() + (timeout.count() > 0 ? timeout : m_options.commandTimeout).count();
    return p;
}

void RedisClient::command(Args args, QObject *context, Callback cb, Timeout timeout)
{
    enqueue(std::move(args), makePending(context, std::move(cb), timeout, false));
}

void RedisClient::command(Args args)
{
    const QByteArray name = args.value(0);
    command(std::move(args), nullptr, [name](Result<Reply> r) {
        if (!r.ok())
            qCWarning(lcRedis) << "background" << name << "failed:" << r.error().message;
    });
}

void RedisClient::enqueue(Args args, Pending pending)
{
    if (m_state == State::Connected && m_adapter) {
        sendNow(args, std::move(pending));
        return;
    }
    if (m_state == State::Closed) {
        Pending p = std::move(pending);
        QTimer::singleShot(0, this, [p = std::move(p)]() mutable {
            deliver(p, Error{QStringLiteral("closed"), QStringLiteral("the Redis client is closed")});
        });
        return;
    }
    if (int(m_queued.size()) >= m_options.maxQueued) {
        Pending p = std::move(pending);
        QTimer::singleShot(0, this, [p = std::move(p), n = m_options.maxQueued]() mutable {
            deliver(p, Error{QStringLiteral("unavailable"),
                             QStringLiteral("Redis is not connected and %1 commands are already waiting").arg(n)});
        });
        return;
    }
    armTimeout(pending.deadline);
    m_queued.push_back(Queued{std::move(args), std::move(pending)});
}

void RedisClient::sendNow(const Args &args, Pending pending)
{
    armTimeout(pending.deadline);
    m_inflight.push_back(std::move(pending));
    if (!m_adapter->send(args)) {
        // The context is already gone (we are inside its teardown): fail like any dropped command.
        Pending p = std::move(m_inflight.back());
        m_inflight.pop_back();
        QTimer::singleShot(0, this, [p = std::move(p)]() mutable {
            deliver(p, Error{QStringLiteral("disconnected"), QStringLiteral("connection to Redis lost")});
        });
    }
}

void RedisClient::sendPush(const Args &args)
{
    if (m_state == State::Connected && m_adapter)
        m_adapter->send(args, true);
}

void RedisClient::pipeline(QList<Args> commands, QObject *context, ListCallback cb, Timeout timeout)
{
    if (commands.isEmpty()) {
        QTimer::singleShot(0, context ? context : this, [cb = std::move(cb)] { cb(QList<Reply>()); });
        return;
    }
    // One batch shared by the commands instead of a callback each: pipelines are the hot path.
    auto batch = std::make_shared<Batch>();
    batch->replies.resize(commands.size());
    batch->left = commands.size();
    batch->cb = std::move(cb);
    for (qsizetype i = 0; i < commands.size(); ++i) {
        Pending p = makePending(context, nullptr, timeout, true);
        p.batch = batch;
        p.index = i;
        enqueue(std::move(commands[i]), std::move(p));
    }
}

void RedisClient::transaction(QList<Args> commands, QObject *context, ListCallback cb, Timeout timeout)
{
    commands.prepend({QByteArrayLiteral("MULTI")});
    commands.append({QByteArrayLiteral("EXEC")});
    pipeline(std::move(commands), context, [cb = std::move(cb)](Result<QList<Reply>> r) {
        if (!r.ok()) {
            cb(r.error());
            return;
        }
        const Reply &exec = r.value().constLast();
        if (exec.isError()) {
            // EXECABORT: name the command that Redis refused to queue.
            QString detail = QString::fromUtf8(exec.bytes());
            for (const Reply &queued : r.value()) {
                if (queued.isError() && &queued != &exec)
                    detail += QStringLiteral(" (") + QString::fromUtf8(queued.bytes()) + QLatin1Char(')');
            }
            cb(Error{QStringLiteral("redis_error"), detail});
            return;
        }
        if (exec.isNil()) {
            cb(Error{QStringLiteral("aborted"), QStringLiteral("transaction aborted: a watched key changed")});
            return;
        }
        cb(exec.elements());
    }, timeout);
}

void RedisClient::eval(const RedisScript &script, const Args &keys, const Args &args, QObject *context,
                       Callback cb, Timeout timeout)
{
    if (!m_scripts.contains(script.sha1())) {
        m_scripts.insert(script.sha1(), script.source());
        if (m_state == State::Connected)
            command({QByteArrayLiteral("SCRIPT"), QByteArrayLiteral("LOAD"), script.source()});
    }
    Args tail;
    tail.reserve(1 + keys.size() + args.size());
    tail << QByteArray::number(keys.size());
    tail += keys;
    tail += args;
    Args evalsha = Args{QByteArrayLiteral("EVALSHA"), script.sha1()} + tail;
    const qint64 deadline = now() + (timeout.count() > 0 ? timeout : m_options.commandTimeout).count();
    QPointer<QObject> guard(context);
    const bool guarded = context != nullptr;
    enqueue(std::move(evalsha), makePending(context,
        [this, alive = std::weak_ptr<bool>(m_alive), source = script.source(), tail, deadline, guard, guarded,
         cb = std::move(cb)](Result<Reply> r) mutable {
            if (r.ok() && r.value().isError() && r.value().bytes().startsWith("NOSCRIPT") && !alive.expired()) {
                // Redis lost its script cache (restart, SCRIPT FLUSH): send the source once.
                const qint64 left = deadline - now();
                if (left <= 0) {
                    cb(Error{QStringLiteral("timeout"), QStringLiteral("Redis script timed out")});
                    return;
                }
                if (guarded && !guard)
                    return;
                command(Args{QByteArrayLiteral("EVAL"), source} + tail, guard.data(), std::move(cb),
                        Timeout(left));
                return;
            }
            if (r.ok() && r.value().isError())
                r = redisError(r.value());
            cb(std::move(r));
        }, timeout, true));
}

void RedisClient::failAll(const Error &error, bool queuedToo)
{
    std::deque<Pending> victims;
    victims.swap(m_inflight);
    if (queuedToo) {
        for (Queued &q : m_queued)
            victims.push_back(std::move(q.pending));
        m_queued.clear();
    }
    const std::weak_ptr<bool> alive = m_alive;
    for (Pending &p : victims) {
        if (p.expired)
            continue;
        deliver(p, error);
        if (alive.expired())
            return;
    }
}

void RedisClient::armTimeout(qint64 deadline)
{
    if (m_timeoutTimer.isActive() && m_timeoutAt <= deadline)
        return;
    m_timeoutAt = deadline;
    m_timeoutTimer.start(int(qMax<qint64>(0, deadline - now())));
}

void RedisClient::expireDue()
{
    const qint64 t = now();
    qint64 next = -1;
    std::deque<Pending> due;
    for (Pending &p : m_inflight) {
        if (p.expired)
            continue;
        if (p.deadline <= t) {
            // Keep the slot: its reply is still coming and must be matched, then discarded.
            Pending copy;
            copy.cb = std::move(p.cb);
            copy.context = p.context;
            copy.guarded = p.guarded;
            copy.batch = std::move(p.batch);
            copy.index = p.index;
            due.push_back(std::move(copy));
            p.expired = true;
        } else if (next < 0 || p.deadline < next) {
            next = p.deadline;
        }
    }
    for (auto it = m_queued.begin(); it != m_queued.end();) {
        if (it->pending.deadline <= t) {
            due.push_back(std::move(it->pending));
            it = m_queued.erase(it);
        } else {
            if (next < 0 || it->pending.deadline < next)
                next = it->pending.deadline;
            ++it;
        }
    }
    m_timeoutAt = -1;
    if (next >= 0)
        armTimeout(next);
    m_timeouts += due.size();
    const std::weak_ptr<bool> alive = m_alive;
    for (Pending &p : due) {
        deliver(p, Error{QStringLiteral("timeout"),
                         m_state == State::Connected ? QStringLiteral("Redis did not answer in time")
                                                     : QStringLiteral("Redis is not reachable (%1)").arg(m_lastError)});
        if (alive.expired())
            return;
    }
}

void RedisClient::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

} // namespace arena
