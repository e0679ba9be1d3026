// RedisClient: one Redis connection on the Qt event loop — connect with timeout, reconnect with capped
// exponential backoff and jitter, per-command timeouts, pipelines, transactions and Lua scripts.
#pragma once

#include "shared/redis/redisadapter.h"
#include "shared/redis/redisoptions.h"
#include "shared/redis/redisscript.h"
#include "shared/redis/reply.h"
#include "shared/result.h"

#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>

namespace arena {

// Every call is asynchronous and its callback runs exactly once, from the event loop, with either the
// reply or an Error — never a hang:
//   "timeout"       no reply within the command's timeout (the late reply is discarded)
//   "disconnected"  the connection dropped with the command in flight (it may or may not have run)
//   "unavailable"   too many commands already waiting for a connection
//   "closed"        close() was called
//   "auth_failed"   AUTH / SELECT was refused while connecting
//   "redis_error"   Redis answered with an error reply (message is Redis' text)
// A callback whose `context` object is destroyed first is dropped. Destroying the client drops all
// pending callbacks without calling them.
class RedisClient final : public QObject, private RedisAdapter::Listener
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RedisClient)

public:
    enum class State { Idle, Connecting, Connected, Closed };
    Q_ENUM(State)

    using Args = QList<QByteArray>;
    using Callback = std::function<void(Result<Reply>)>;
    using ListCallback = std::function<void(Result<QList<Reply>>)>;
    using Timeout = std::chrono::milliseconds;

    explicit RedisClient(RedisOptions options, QObject *parent = nullptr);
    ~RedisClient() override;

    // Connects, and keeps reconnecting until close(). Commands issued before the connection is up wait.
    void open();
    // Disconnects for good: pending commands fail with "closed".
    void close();

    State state() const { return m_state; }
    bool isConnected() const { return m_state == State::Connected; }
    const RedisOptions &options() const { return m_options; }

    // A timeout of 0 means the client's default (RedisOptions::commandTimeout).
    void command(Args args, QObject *context, Callback cb, Timeout timeout = Timeout::zero());
    // Fire and forget: failures are logged.
    void command(Args args);
    // Sends all commands back to back; the callback gets every reply in order (error replies stay
    // inside the list as Reply::error), or an Error if the connection failed or a reply timed out.
    void pipeline(QList<Args> commands, QObject *context, ListCallback cb, Timeout timeout = Timeout::zero());
    // MULTI ... EXEC: all or nothing; the callback gets EXEC's replies.
    void transaction(QList<Args> commands, QObject *context, ListCallback cb, Timeout timeout = Timeout::zero());
    // EVALSHA, falling back to EVAL when Redis answers NOSCRIPT; scripts are re-loaded on every connect.
    void eval(const RedisScript &script, const Args &keys, const Args &args, QObject *context, Callback cb,
              Timeout timeout = Timeout::zero());

    // Commands whose replies keep arriving (SUBSCRIBE family), for RedisSubscriber; their replies are
    // emitted as pushReceived(). Ignored while not connected (the subscriber re-sends on connect).
    void sendPush(const Args &args);

    // Figures for pools and dashboards.
    int inFlight() const { return int(m_inflight.size()); }
    int queued() const { return int(m_queued.size()); }
    quint64 connectFailures() const { return m_connectFailures; }
    quint64 reconnects() const { return m_reconnects; }
    quint64 timeouts() const { return m_timeouts; }
    QString lastError() const { return m_lastError; }

Q_SIGNALS:
    void connected();
    void disconnected(const QString &reason);
    void stateChanged(arena::RedisClient::State state);
    void pushReceived(const arena::Reply &reply);

private:
    struct Batch // replies of one pipeline(), filled in as they arrive
    {
        QList<Reply> replies;
        qsizetype left = 0;
        bool finished = false;
        ListCallback cb;
    };
    struct Pending
    {
        Callback cb;
        QPointer<QObject> context;
        qint64 deadline = 0;
        bool guarded = false;   // had a context: drop the callback if it is gone
        bool rawErrors = false; // hand error replies over as Reply::error instead of an Error
        bool expired = false;   // timed out; its reply will be discarded
        std::shared_ptr<Batch> batch; // set for commands of a pipeline (then cb is empty)
        qsizetype index = 0;          // position in the batch
    };
    struct Queued
    {
        Args args;
        Pending pending;
    };

    void enqueue(Args args, Pending pending);
    Pending makePending(QObject *context, Callback cb, Timeout timeout, bool rawErrors) const;
    void sendNow(const Args &args, Pending pending);
    void startConnect();
    void dropConnection(const QString &reason, const QString &errorCode);
    void scheduleReconnect();
    void finishHandshake();
    void failAll(const Error &error, bool queuedToo);
    void expireDue();
    void armTimeout(qint64 deadline);
    void setState(State state);
    qint64 now() const { return m_clock.elapsed(); }
    static void deliver(Pending &pending, Result<Reply> result);

    // RedisAdapter::Listener
    void adapterConnected(bool ok, const QByteArray &error) override;
    void adapterDisconnected(const QByteArray &reason) override;
    void adapterReply(const struct redisReply *reply, bool push) override;

    RedisOptions m_options;
    RedisAdapter *m_adapter = nullptr; // deletes itself after release()
    State m_state = State::Idle;
    std::deque<Pending> m_inflight; // in send order: hiredis answers in the same order
    std::deque<Queued> m_queued;    // waiting for a connection
    QHash<QByteArray, QByteArray> m_scripts; // sha1 -> source, loaded on every connect
    int m_handshakeLeft = 0;
    int m_attempt = 0;
    bool m_everConnected = false;
    QElapsedTimer m_clock;
    QTimer m_connectTimer;
    QTimer m_reconnectTimer;
    QTimer m_timeoutTimer;
    qint64 m_timeoutAt = -1;
    quint64 m_connectFailures = 0;
    quint64 m_reconnects = 0;
    quint64 m_timeouts = 0;
    QString m_lastError;
    std::shared_ptr<bool> m_alive = std::make_shared<bool>(true); // lets loops notice `delete this`
};

} // namespace arena
