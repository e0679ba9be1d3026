#include "agent/controlchannel.h"

#include "agent/agentlog.h"
#include "shared/redis/redisclient.h"
#include "shared/redis/redissubscriber.h"

#include <QJsonDocument>
#include <QRandomGenerator>
#include <QTimer>

namespace arena {

ControlChannel::ControlChannel(RedisClient *redis, RedisSubscriber *subscriber, QByteArray prefix,
                               std::chrono::milliseconds timeout, QObject *parent)
    : QObject(parent), m_redis(redis), m_subscriber(subscriber), m_prefix(std::move(prefix)), m_timeout(timeout)
{
    connect(m_subscriber, &RedisSubscriber::message, this, &ControlChannel::onMessage);
}

ControlChannel::~ControlChannel()
{
    const QStringList ids = m_pending.keys();
    for (const QString &id : ids)
        finish(id, Error{QStringLiteral("unavailable"), QStringLiteral("the agent is shutting down")});
}

void ControlChannel::setInstance(const QString &instance)
{
    if (instance == m_instance)
        return;
    if (!m_instance.isEmpty()) {
        m_subscriber->unsubscribe(m_prefix + "control:" + m_instance.toUtf8());
        m_subscriber->unsubscribe(m_prefix + "control-reply:" + m_instance.toUtf8());
    }
    m_instance = instance;
    m_subscriber->subscribe(m_prefix + "control:" + m_instance.toUtf8());
    m_subscriber->subscribe(m_prefix + "control-reply:" + m_instance.toUtf8());
}

void ControlChannel::send(const QString &target, QJsonObject request, Done done)
{
    if (!m_redis->isConnected()) {
        done(Error{QStringLiteral("unavailable"),
                   QStringLiteral("Redis is not reachable, so instance %1 cannot be asked").arg(target)});
        return;
    }
    const QString requestId = QStringLiteral("%1-%2-%3")
                                  .arg(m_instance)
                                  .arg(++m_counter)
                                  .arg(QRandomGenerator::global()->generate(), 8, 16, QLatin1Char('0'));
    request.insert(QStringLiteral("request_id"), requestId);
    request.insert(QStringLiteral("origin"), m_instance);
    auto *timer = new QTimer(this);
    timer->setSingleShot(true);
    connect(timer, &QTimer::timeout, this, [this, requestId, target] {
        finish(requestId, Error{QStringLiteral("unavailable"),
                                QStringLiteral("the agent of instance %1 did not answer within %2 ms")
                                    .arg(target)
                                    .arg(m_timeout.count())});
    });
    m_pending.insert(requestId, Pending{std::move(done), timer});
    timer->start(m_timeout);
    m_redis->command({"PUBLISH", m_prefix + "control:" + target.toUtf8(), QJsonDocument(request).toJson(QJsonDocument::Compact)},
                     this, [this, requestId, target](Result<Reply> published) {
                         if (!published) {
                             finish(requestId, Error{QStringLiteral("unavailable"),
                                                     QStringLiteral("cannot reach instance %1 through Redis: %2")
                                                         .arg(target, published.error().message)});
                         } else if (published.value().toInteger().value_or(0) == 0) {
                             finish(requestId, Error{QStringLiteral("unavailable"),
                                                     QStringLiteral("no agent of instance %1 is listening").arg(target)});
                         }
                     },
                     m_timeout);
}

void ControlChannel::answer(const QString &origin, const QString &requestId, const Result<QJsonObject> &result)
{
    QJsonObject reply{{QStringLiteral("request_id"), requestId}, {QStringLiteral("ok"), result.ok()}};
    if (result)
        reply.insert(QStringLiteral("result"), result.value());
    else
        reply.insert(QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), result.error().code},
                                                          {QStringLiteral("message"), result.error().message}});
    // Fire and forget: if the answer is lost, the asking agent reports its timeout.
    m_redis->command({"PUBLISH", m_prefix + "control-reply:" + origin.toUtf8(), QJsonDocument(reply).toJson(QJsonDocument::Compact)});
}

void ControlChannel::onMessage(const QByteArray &channel, const QByteArray &payload)
{
    if (m_instance.isEmpty())
        return;
    const QByteArray id = m_instance.toUtf8();
    const bool isRequest = channel == m_prefix + "control:" + id;
    const bool isReply = channel == m_prefix + "control-reply:" + id;
    if (!isRequest && !isReply)
        return;
    const QJsonDocument doc = QJsonDocument::fromJson(payload);
    const QJsonObject message = doc.object();
    const QString requestId = message.value(QStringLiteral("request_id")).toString();
    if (!doc.isObject() || requestId.isEmpty()) {
        qCWarning(lcAgent) << "ignoring a malformed control message on" << channel;
        return;
    }
    if (isRequest) {
        const QString origin = message.value(QStringLiteral("origin")).toString();
        if (origin.isEmpty()) {
            qCWarning(lcAgent) << "ignoring control request" << requestId << "without origin";
            return;
        }
        emit requestReceived(origin, requestId, message);
        return;
    }
    if (message.value(QStringLiteral("ok")).toBool(false)) {
        finish(requestId, message.value(QStringLiteral("result")).toObject());
    } else {
        const QJsonObject error = message.value(QStringLiteral("error")).toObject();
        finish(requestId, Error{error.value(QStringLiteral("code")).toString(QStringLiteral("internal")),
                                error.value(QStringLiteral("message")).toString()});
    }
}

void ControlChannel::finish(const QString &requestId, Result<QJsonObject> result)
{
    const auto it = m_pending.find(requestId);
    if (it == m_pending.end())
        return; // answered already, or timed out
    Pending pending = std::move(*it);
    m_pending.erase(it);
    pending.timer->deleteLater();
    pending.done(std::move(result));
}

} // namespace arena
