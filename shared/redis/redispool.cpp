#include "shared/redis/redispool.h"

#include <QHashFunctions>

namespace arena {

RedisPool::RedisPool(const RedisOptions &options, int size, QObject *parent)
    : QObject(parent), m_options(options)
{
    const int n = qMax(1, size);
    for (int i = 0; i < n; ++i) {
        RedisOptions o = options;
        if (!o.clientName.isEmpty())
            o.clientName += '-' + QByteArray::number(i);
        auto *client = new RedisClient(std::move(o), this);
        connect(client, &RedisClient::stateChanged, this, &RedisPool::updateAvailability);
        m_clients.append(client);
    }
}

RedisPool::~RedisPool() = default;

void RedisPool::open()
{
    for (RedisClient *c : std::as_const(m_clients))
        c->open();
}

void RedisPool::close()
{
    for (RedisClient *c : std::as_const(m_clients))
        c->close();
}

RedisClient *RedisPool::client(const QByteArray &affinity) const
{
    if (m_clients.size() == 1)
        return m_clients.constFirst();
    // A fixed seed keeps the mapping stable for the life of the process.
    return m_clients.at(qsizetype(qHash(affinity, 0x5eed) % size_t(m_clients.size())));
}

RedisPool::Stats RedisPool::stats() const
{
    Stats s;
    s.total = int(m_clients.size());
    for (const RedisClient *c : m_clients) {
        if (c->isConnected()) {
            ++s.connected;
            if (c->inFlight() == 0)
                ++s.idle;
            else
                ++s.busy;
        }
        s.inFlight += c->inFlight();
        s.waiting += c->queued();
        s.failed += c->connectFailures();
        s.reconnects += c->reconnects();
        s.timeouts += c->timeouts();
    }
    return s;
}

void RedisPool::updateAvailability()
{
    bool any = false;
    for (const RedisClient *c : std::as_const(m_clients))
        any = any || c->isConnected();
    if (any == m_available)
        return;
    m_available = any;
    emit availabilityChanged(any);
}

} // namespace arena
