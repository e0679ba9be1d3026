// RedisSubscriber: a dedicated pub/sub connection that re-subscribes by itself after reconnecting and
// says when messages may have been missed.
#pragma once

#include "shared/redis/redisoptions.h"

#include <QByteArray>
#include <QObject>
#include <QSet>

namespace arena {

class RedisClient;
class Reply;

class RedisSubscriber final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RedisSubscriber)

public:
    explicit RedisSubscriber(RedisOptions options, QObject *parent = nullptr);
    ~RedisSubscriber() override;

    void open();
    void close();
    bool isConnected() const;

    // Subscriptions are remembered and re-established on every (re)connect.
    void subscribe(const QByteArray &channel);
    void unsubscribe(const QByteArray &channel);
    void psubscribe(const QByteArray &pattern);
    void punsubscribe(const QByteArray &pattern);
    QSet<QByteArray> channels() const { return m_channels; }
    QSet<QByteArray> patterns() const { return m_patterns; }
    // Subscriptions Redis has confirmed on the current connection.
    int confirmed() const { return m_confirmed.size(); }

Q_SIGNALS:
    void message(const QByteArray &channel, const QByteArray &payload);
    void patternMessage(const QByteArray &pattern, const QByteArray &channel, const QByteArray &payload);
    // Every subscription is confirmed on a new connection after an earlier one was lost: anything
    // published in between was missed, so state derived from messages should be re-synchronised.
    void resubscribed();
    // Every subscription is confirmed (first connect and after each reconnect).
    void ready();
    void connected();
    void disconnected(const QString &reason);

private:
    void onConnected();
    void onPush(const Reply &reply);
    void checkReady();

    RedisClient *m_client;
    QSet<QByteArray> m_channels;
    QSet<QByteArray> m_patterns;
    QSet<QByteArray> m_confirmed; // "c:<channel>" / "p:<pattern>" confirmed on this connection
    bool m_lostSinceReady = false;
    bool m_readyAnnounced = false;
};

} // namespace arena
