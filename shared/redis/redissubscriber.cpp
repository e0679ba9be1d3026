#include "shared/redis/redissubscriber.h"

#include "shared/redis/redisclient.h"
#include "shared/redis/redislog.h"

namespace arena {

namespace {
QByteArray channelTag(const QByteArray &c) { return QByteArrayLiteral("c:") + c; }
QByteArray patternTag(const QByteArray &p) { return QByteArrayLiteral("p:") + p; }
} // namespace

RedisSubscriber::RedisSubscriber(RedisOptions options, QObject *parent)
    : QObject(parent), m_client(new RedisClient(std::move(options), this))
{
    connect(m_client, &RedisClient::connected, this, &RedisSubscriber::onConnected);
    connect(m_client, &RedisClient::pushReceived, this, &RedisSubscriber::onPush);
    connect(m_client, &RedisClient::disconnected, this, [this](const QString &reason) {
        m_confirmed.clear();
        m_lostSinceReady = true;
        m_readyAnnounced = false;
        emit disconnected(reason);
    });
}

RedisSubscriber::~RedisSubscriber() = default;

void RedisSubscriber::open()
{
    m_client->open();
}

void RedisSubscriber::close()
{
    m_client->close();
    m_confirmed.clear();
}

bool RedisSubscriber::isConnected() const
{
    return m_client->isConnected();
}

void RedisSubscriber::subscribe(const QByteArray &channel)
{
    if (m_channels.contains(channel))
        return;
    m_channels.insert(channel);
    m_readyAnnounced = false;
    m_client->sendPush({QByteArrayLiteral("SUBSCRIBE"), channel});
}

void RedisSubscriber::unsubscribe(const QByteArray &channel)
{
    if (!m_channels.remove(channel))
        return;
    m_confirmed.remove(channelTag(channel));
    m_client->sendPush({QByteArrayLiteral("UNSUBSCRIBE"), channel});
}

void RedisSubscriber::psubscribe(const QByteArray &pattern)
{
    if (m_patterns.contains(pattern))
        return;
    m_patterns.insert(pattern);
    m_readyAnnounced = false;
    m_client->sendPush({QByteArrayLiteral("PSUBSCRIBE"), pattern});
}

void RedisSubscriber::punsubscribe(const QByteArray &pattern)
{
    if (!m_patterns.remove(pattern))
        return;
    m_confirmed.remove(patternTag(pattern));
    m_client->sendPush({QByteArrayLiteral("PUNSUBSCRIBE"), pattern});
}

void RedisSubscriber::onConnected()
{
    m_confirmed.clear();
    m_readyAnnounced = false;
    emit connected();
    for (const QByteArray &c : std::as_const(m_channels))
        m_client->sendPush({QByteArrayLiteral("SUBSCRIBE"), c});
    for (const QByteArray &p : std::as_const(m_patterns))
        m_client->sendPush({QByteArrayLiteral("PSUBSCRIBE"), p});
    checkReady();
}

void RedisSubscriber::onPush(const Reply &reply)
{
    if (!reply.isArray() || reply.elements().size() < 3)
        return;
    const QList<Reply> &e = reply.elements();
    const QByteArray &kind = e[0].bytes();
    if (kind == "message") {
        emit message(e[1].bytes(), e[2].bytes());
    } else if (kind == "pmessage" && e.size() >= 4) {
        emit patternMessage(e[1].bytes(), e[2].bytes(), e[3].bytes());
    } else if (kind == "subscribe") {
        if (m_channels.contains(e[1].bytes()))
            m_confirmed.insert(channelTag(e[1].bytes()));
        checkReady();
    } else if (kind == "psubscribe") {
        if (m_patterns.contains(e[1].bytes()))
            m_confirmed.insert(patternTag(e[1].bytes()));
        checkReady();
    }
}

void RedisSubscriber::checkReady()
{
    if (m_readyAnnounced || !m_client->isConnected())
        return;
    if (m_confirmed.size() < m_channels.size() + m_patterns.size())
        return;
    m_readyAnnounced = true;
    if (m_lostSinceReady) {
        m_lostSinceReady = false;
        qCInfo(lcRedis) << "re-subscribed to" << m_confirmed.size() << "subscriptions; messages may have been missed";
        emit resubscribed();
    }
    emit ready();
}

} // namespace arena
