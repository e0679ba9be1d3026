#include "shared/redis/redisadapter.h"

#include <QSocketNotifier>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>

#include <charconv>
#include <cstring>

namespace arena {

namespace {
// Tags passed as hiredis privdata; replies carry them back.
char normalTag;
char pushTag;
} // namespace

RedisAdapter *RedisAdapter::connect(const QByteArray &host, quint16 port, Listener *listener, QByteArray *error)
{
    redisAsyncContext *context = redisAsyncConnect(host.constData(), port);
    if (!context) {
        *error = QByteArrayLiteral("out of memory creating the Redis context");
        return nullptr;
    }
    if (context->err) {
        *error = QByteArray(context->errstr);
        redisAsyncFree(context);
        return nullptr;
    }
    return new RedisAdapter(context, listener);
}

RedisAdapter::RedisAdapter(redisAsyncContext *context, Listener *listener)
    : m_context(context), m_listener(listener)
{
    const int fd = context->c.fd;
    m_read = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Read);
    m_write = std::make_unique<QSocketNotifier>(fd, QSocketNotifier::Write);
    m_read->setEnabled(false);
    m_write->setEnabled(false);
    QObject::connect(m_read.get(), &QSocketNotifier::activated, m_read.get(), [this] { handleRead(); });
    QObject::connect(m_write.get(), &QSocketNotifier::activated, m_write.get(), [this] { handleWrite(); });

    context->data = this;
    context->ev.data = this;
    context->ev.addRead = &RedisAdapter::addRead;
    context->ev.delRead = &RedisAdapter::delRead;
    context->ev.addWrite = &RedisAdapter::addWrite;
    context->ev.delWrite = &RedisAdapter::delWrite;
    context->ev.cleanup = &RedisAdapter::cleanup;
    redisAsyncSetConnectCallback(context, &RedisAdapter::onConnect);
    redisAsyncSetDisconnectCallback(context, &RedisAdapter::onDisconnect);
    // A non-blocking connect completes when the socket becomes writable.
    m_write->setEnabled(true);
}

RedisAdapter::~RedisAdapter() = default;

void RedisAdapter::release()
{
    if (m_released)
        return;
    m_released = true;
    m_listener = nullptr;
    if (m_context && !m_hiredisFrees) {
        // Inside a hiredis callback this only marks the context; hiredis frees it on the way out and
        // then calls cleanup(). Outside, it frees at once (and calls cleanup() before returning).
        ++m_depth;
        redisAsyncFree(m_context);
        --m_depth;
    }
    if (m_depth == 0 && !m_context)
        delete this;
}

namespace {
// "<kind><n>\r\n" at `out`; returns the end.
char *writeHeader(char *out, char kind, qsizetype n)
{
    *out++ = kind;
    out = std::to_chars(out, out + 20, n).ptr;
    *out++ = '\r';
    *out++ = '\n';
    return out;
}
} // namespace

bool RedisAdapter::send(const QList<QByteArray> &args, bool push)
{
    if (!m_context || m_released || args.isEmpty())
        return false;
    // Format RESP here rather than with redisAsyncCommandArgv: hiredis' sdscatfmt-based formatter
    // was a third of the client's instructions in the pipelined SET benchmark (bench/redis).
    constexpr size_t headerMax = 1 + 20 + 2;
    size_t size = headerMax;
    for (const QByteArray &arg : args)
        size += headerMax + size_t(arg.size()) + 2;
    if (m_buffer.size() < size)
        m_buffer.resize(size);
    char *out = writeHeader(m_buffer.data(), '*', args.size());
    for (const QByteArray &arg : args) {
        out = writeHeader(out, '$', arg.size());
        std::memcpy(out, arg.constData(), size_t(arg.size()));
        out += arg.size();
        *out++ = '\r';
        *out++ = '\n';
    }
    return redisAsyncFormattedCommand(m_context, &RedisAdapter::onReply, push ? &pushTag : &normalTag,
                                      m_buffer.data(), size_t(out - m_buffer.data())) == REDIS_OK;
}

void RedisAdapter::handleRead()
{
    if (!m_context)
        return;
    ++m_depth;
    redisAsyncHandleRead(m_context);
    leaveHiredis();
}

void RedisAdapter::handleWrite()
{
    if (!m_context)
        return;
    ++m_depth;
    redisAsyncHandleWrite(m_context);
    leaveHiredis();
}

void RedisAdapter::leaveHiredis()
{
    // `this` is still valid here: deletion is deferred while m_depth > 0.
    if (--m_depth == 0 && m_released && !m_context)
        delete this;
}

void RedisAdapter::onConnect(const redisAsyncContext *context, int status)
{
    auto *self = static_cast<RedisAdapter *>(context->data);
    // On failure hiredis frees the context right after this callback returns, and (in 0.14) not
    // marked as "in callback": calling redisAsyncFree from here would free it twice.
    if (status != REDIS_OK)
        self->m_hiredisFrees = true;
    if (!self->m_listener)
        return;
    self->m_listener->adapterConnected(status == REDIS_OK,
                                       status == REDIS_OK ? QByteArray() : QByteArray(context->errstr));
}

void RedisAdapter::onDisconnect(const redisAsyncContext *context, int status)
{
    auto *self = static_cast<RedisAdapter *>(context->data);
    if (!self->m_listener)
        return;
    QByteArray reason = status == REDIS_OK ? QByteArrayLiteral("connection closed") : QByteArray(context->errstr);
    if (reason.isEmpty())
        reason = QByteArrayLiteral("connection lost");
    self->m_listener->adapterDisconnected(reason);
}

void RedisAdapter::onReply(redisAsyncContext *context, void *reply, void *privdata)
{
    auto *self = static_cast<RedisAdapter *>(context->data);
    if (!self->m_listener)
        return;
    self->m_listener->adapterReply(static_cast<const redisReply *>(reply), privdata == &pushTag);
}

void RedisAdapter::addRead(void *self)
{
    static_cast<RedisAdapter *>(self)->m_read->setEnabled(true);
}

void RedisAdapter::delRead(void *self)
{
    static_cast<RedisAdapter *>(self)->m_read->setEnabled(false);
}

void RedisAdapter::addWrite(void *self)
{
    static_cast<RedisAdapter *>(self)->m_write->setEnabled(true);
}

void RedisAdapter::delWrite(void *self)
{
    static_cast<RedisAdapter *>(self)->m_write->setEnabled(false);
}

void RedisAdapter::cleanup(void *self)
{
    // hiredis is about to free the context: stop watching the descriptor and forget the context.
    auto *adapter = static_cast<RedisAdapter *>(self);
    adapter->m_read->setEnabled(false);
    adapter->m_write->setEnabled(false);
    adapter->m_context = nullptr;
}

} // namespace arena
