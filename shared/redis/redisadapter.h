// RedisAdapter: glue between one hiredis async context and the Qt event loop (QSocketNotifier),
// written so that destroying its owner from inside any hiredis callback is safe.
#pragma once

#include <QByteArray>
#include <QList>
#include <QtGlobal>

#include <memory>
#include <vector>

struct redisAsyncContext;
struct redisReply;
class QSocketNotifier;

namespace arena {

// hiredis frees its context by itself when a connection fails or drops, and calls back into the event
// library while doing so; adapters/qt.h deletes notifiers under their own feet. This adapter therefore
// owns the context and its notifiers, counts how deep it is inside hiredis, and never deletes itself
// (or lets hiredis see a dangling pointer) until the outermost hiredis call has returned.
class RedisAdapter final
{
    Q_DISABLE_COPY_MOVE(RedisAdapter)

public:
    // What the adapter reports; the listener is detached by release() and never called afterwards.
    class Listener
    {
    public:
        virtual ~Listener() = default;
        virtual void adapterConnected(bool ok, const QByteArray &error) = 0;
        virtual void adapterDisconnected(const QByteArray &reason) = 0;
        // A reply to a command sent with send(); `reply` is null when hiredis drops the command
        // because the connection is gone. `push` tells replies of subscribe commands apart.
        virtual void adapterReply(const redisReply *reply, bool push) = 0;
    };

    // Starts a non-blocking connect. Returns null with `error` set when hiredis fails at once.
    static RedisAdapter *connect(const QByteArray &host, quint16 port, Listener *listener, QByteArray *error);

    // Detaches the listener and frees the connection; the adapter deletes itself as soon as no
    // hiredis call is on the stack (at once when called from outside hiredis).
    void release();

    // Queues a command (written when the event loop next sees the socket writable). `push` marks
    // SUBSCRIBE-style commands whose replies keep arriving. Returns false if the context is gone.
    bool send(const QList<QByteArray> &args, bool push = false);
    bool isOpen() const { return m_context != nullptr; }

private:
    RedisAdapter(redisAsyncContext *context, Listener *listener);
    ~RedisAdapter();

    void handleRead();
    void handleWrite();
    void leaveHiredis();

    static void onConnect(const redisAsyncContext *context, int status);
    static void onDisconnect(const redisAsyncContext *context, int status);
    static void onReply(redisAsyncContext *context, void *reply, void *privdata);
    static void addRead(void *self);
    static void delRead(void *self);
    static void addWrite(void *self);
    static void delWrite(void *self);
    static void cleanup(void *self);

    redisAsyncContext *m_context = nullptr;
    Listener *m_listener = nullptr;
    std::unique_ptr<QSocketNotifier> m_read;
    std::unique_ptr<QSocketNotifier> m_write;
    std::vector<char> m_buffer; // RESP of the command being sent, reused to spare an allocation per command
    int m_depth = 0;        // hiredis calls from this adapter on the stack
    bool m_released = false;
    bool m_hiredisFrees = false; // a failed connect: hiredis frees the context itself
};

} // namespace arena
