// ControlChannel: requests from one agent to another over Redis pub/sub — an action or a room listing
// for an instance this agent does not watch goes to that instance's agent, whose answer comes back.
#pragma once

#include "shared/result.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>

#include <chrono>
#include <functional>

class QTimer;

namespace arena {

class RedisClient;
class RedisSubscriber;

// Channels (docs/ADMIN-API.md): requests for instance X are published on `<prefix>control:X`, answers
// to agent Y on `<prefix>control-reply:Y`. A request is a JSON object with "request_id" and "origin"
// added to what the caller gives; an answer is {"request_id", "ok", "result"} or {"request_id", "ok":
// false, "error": {"code", "message"}}. A request nobody receives (PUBLISH counts 0 subscribers), or
// that is not answered within the timeout, fails with "unavailable" saying which.
class ControlChannel final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ControlChannel)

public:
    using Done = std::function<void(Result<QJsonObject>)>;

    // `redis` and `subscriber` are not owned and must outlive the channel.
    ControlChannel(RedisClient *redis, RedisSubscriber *subscriber, QByteArray prefix,
                   std::chrono::milliseconds timeout, QObject *parent = nullptr);
    ~ControlChannel() override; // pending requests fail with "unavailable"

    // Listens for requests to `instance` and answers to it; call again when the instance id changes.
    void setInstance(const QString &instance);

    void send(const QString &target, QJsonObject request, Done done);
    void answer(const QString &origin, const QString &requestId, const Result<QJsonObject> &result);

    int pending() const { return int(m_pending.size()); }
    std::chrono::milliseconds timeout() const { return m_timeout; }

Q_SIGNALS:
    void requestReceived(const QString &origin, const QString &requestId, const QJsonObject &request);

private:
    struct Pending
    {
        Done done;
        QTimer *timer = nullptr;
    };
    void onMessage(const QByteArray &channel, const QByteArray &payload);
    void finish(const QString &requestId, Result<QJsonObject> result);

    RedisClient *m_redis;
    RedisSubscriber *m_subscriber;
    QByteArray m_prefix;
    std::chrono::milliseconds m_timeout;
    QString m_instance;
    QHash<QString, Pending> m_pending;
    quint64 m_counter = 0;
};

} // namespace arena
