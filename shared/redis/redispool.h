// RedisPool: a fixed set of RedisClient connections with total / idle / waiting / failed figures
// (seed 003). Commands are routed by an affinity key, so calls about one key keep their order.
#pragma once

#include "shared/redis/redisclient.h"

#include <QObject>
#include <QList>

namespace arena {

class RedisPool final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RedisPool)

public:
    struct Stats
    {
        int total = 0;       // connections the pool keeps
        int connected = 0;   // of those, currently connected
        int idle = 0;        // connected with nothing in flight
        int busy = 0;        // connected with commands in flight
        int inFlight = 0;    // commands sent, awaiting replies
        int waiting = 0;     // commands waiting for a connection
        quint64 failed = 0;  // connection attempts that failed, since start
        quint64 reconnects = 0;
        quint64 timeouts = 0; // commands that timed out, since start
    };

    // `size` connections (at least 1); each gets client name "<clientName>-<n>".
    RedisPool(const RedisOptions &options, int size, QObject *parent = nullptr);
    ~RedisPool() override;

    void open();
    void close();
    bool isAvailable() const { return m_available; }

    // The connection for an affinity key (a Redis key or channel): the same key always maps to the
    // same connection, so its commands are applied in call order. Different keys may be reordered.
    RedisClient *client(const QByteArray &affinity) const;
    const QList<RedisClient *> &clients() const { return m_clients; }

    Stats stats() const;
    const RedisOptions &options() const { return m_options; }

Q_SIGNALS:
    // True once any connection is up, false when none is.
    void availabilityChanged(bool available);

private:
    void updateAvailability();

    RedisOptions m_options;
    QList<RedisClient *> m_clients;
    bool m_available = false;
};

} // namespace arena
