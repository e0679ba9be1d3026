#include "console/core/seriescatalog.h"

#include <QJsonArray>
#include <QJsonValue>

namespace arena::console {

namespace {

using F = SeriesInfo::Fleet;

QList<SeriesInfo> makeCatalog()
{
    // The Redis and matchmaking figures are the same shared Redis and queues seen from each instance:
    // the fleet's value is the worst one, not a sum.
    return {
        {SeriesId::Sessions, QStringLiteral("sessions"), QStringLiteral("Sessions"), QString(), F::Sum},
        {SeriesId::Rooms, QStringLiteral("rooms"), QStringLiteral("Rooms"), QString(), F::Sum},
        {SeriesId::Matches, QStringLiteral("matches"), QStringLiteral("Matches"), QString(), F::Sum},
        {SeriesId::MessagesPerSecond, QStringLiteral("messages_per_s"), QStringLiteral("Messages"), QStringLiteral("/s"), F::Sum},
        {SeriesId::LatencyP99Ms, QStringLiteral("latency_p99_ms"), QStringLiteral("Latency p99"), QStringLiteral("ms"), F::Max},
        {SeriesId::CpuPercent, QStringLiteral("cpu_percent"), QStringLiteral("CPU"), QStringLiteral("%"), F::Sum},
        {SeriesId::RssMb, QStringLiteral("rss_mb"), QStringLiteral("RSS"), QStringLiteral("MiB"), F::Sum},
        {SeriesId::Workers, QStringLiteral("workers"), QStringLiteral("Workers"), QString(), F::Sum},
        {SeriesId::QueueTickets, QStringLiteral("queue_tickets"), QStringLiteral("Queued tickets"), QString(), F::Max},
        {SeriesId::QueueWaitP99S, QStringLiteral("queue_wait_p99_s"), QStringLiteral("Matchmaking wait p99"), QStringLiteral("s"), F::Max},
        {SeriesId::RedisMemoryMb, QStringLiteral("redis_memory_mb"), QStringLiteral("Redis memory"), QStringLiteral("MiB"), F::Max},
        {SeriesId::RedisOpsPerSecond, QStringLiteral("redis_ops_per_s"), QStringLiteral("Redis ops"), QStringLiteral("/s"), F::Max},
        {SeriesId::RedisClients, QStringLiteral("redis_clients"), QStringLiteral("Redis clients"), QString(), F::Max},
        {SeriesId::RedisPingP99Ms, QStringLiteral("redis_ping_p99_ms"), QStringLiteral("Redis PING p99"), QStringLiteral("ms"), F::Max},
        // Each record crosses once, counted where it leaves: the fleet's figure is the sum.
        {SeriesId::CrossInstancePerSecond, QStringLiteral("cross_instance_per_s"), QStringLiteral("Cross-instance"), QStringLiteral("/s"), F::Sum},
    };
}

std::optional<double> number(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    return value.toDouble();
}

// figures["a"]["b"]..., a number or nothing.
std::optional<double> at(const QJsonObject &figures, std::initializer_list<QLatin1StringView> path)
{
    QJsonValue v = figures;
    for (QLatin1StringView key : path) {
        if (!v.isObject())
            return std::nullopt;
        v = v.toObject().value(key);
    }
    return number(v);
}

std::optional<double> sum(std::optional<double> required, std::optional<double> optional)
{
    if (!required)
        return std::nullopt;
    return *required + optional.value_or(0.0);
}

std::optional<double> queueTickets(const QJsonObject &figures)
{
    const QJsonValue queues = figures.value(QLatin1StringView("queues"));
    if (!queues.isArray())
        return std::nullopt;
    if (figures.value(QLatin1StringView("matchmaking")).toObject().contains(QLatin1StringView("error")))
        return std::nullopt;
    double total = 0;
    for (const QJsonValue &q : queues.toArray()) {
        if (const auto tickets = number(q.toObject().value(QLatin1StringView("tickets"))))
            total += *tickets;
    }
    return total;
}

std::optional<double> worstWaitP99(const QJsonObject &figures)
{
    const QJsonObject wait = figures.value(QLatin1StringView("matchmaking")).toObject().value(QLatin1StringView("wait")).toObject();
    std::optional<double> worst;
    for (auto it = wait.constBegin(); it != wait.constEnd(); ++it) {
        if (const auto p99 = number(it.value().toObject().value(QLatin1StringView("p99_s"))))
            worst = worst ? std::max(*worst, *p99) : *p99;
    }
    return worst;
}

} // namespace

const QList<SeriesInfo> &seriesCatalog()
{
    static const QList<SeriesInfo> catalog = makeCatalog();
    return catalog;
}

const SeriesInfo &seriesInfo(SeriesId id)
{
    const QList<SeriesInfo> &catalog = seriesCatalog();
    const int i = int(id);
    Q_ASSERT(i >= 0 && i < catalog.size());
    return catalog.at(qBound(0, i, int(catalog.size()) - 1));
}

std::optional<SeriesId> seriesFromKey(const QString &key)
{
    for (const SeriesInfo &info : seriesCatalog()) {
        if (info.key == key)
            return info.id;
    }
    return std::nullopt;
}

std::optional<double> extract(SeriesId id, const QJsonObject &figures)
{
    using L = QLatin1StringView;
    switch (id) {
    case SeriesId::Sessions:
        return at(figures, {L("sessions"), L("total")});
    case SeriesId::Rooms:
        return at(figures, {L("rooms"), L("total")});
    case SeriesId::Matches:
        return at(figures, {L("matches"), L("active")});
    case SeriesId::MessagesPerSecond:
        return at(figures, {L("traffic"), L("messages_per_s")});
    case SeriesId::LatencyP99Ms:
        return at(figures, {L("traffic"), L("handle_p99_ms")});
    case SeriesId::CrossInstancePerSecond:
        return at(figures, {L("traffic"), L("bus_out_per_s")});
    case SeriesId::CpuPercent:
        return sum(at(figures, {L("server"), L("process"), L("cpu_percent")}),
                   at(figures, {L("workers"), L("totals"), L("cpu_percent")}));
    case SeriesId::RssMb: {
        const auto kb = sum(at(figures, {L("server"), L("process"), L("rss_kb")}),
                            at(figures, {L("workers"), L("totals"), L("rss_kb")}));
        if (!kb)
            return std::nullopt;
        return *kb / 1024.0;
    }
    case SeriesId::Workers:
        return at(figures, {L("workers"), L("totals"), L("total_workers")});
    case SeriesId::QueueTickets:
        return queueTickets(figures);
    case SeriesId::QueueWaitP99S:
        return worstWaitP99(figures);
    case SeriesId::RedisMemoryMb: {
        const auto bytes = at(figures, {L("redis"), L("used_memory")});
        if (!bytes)
            return std::nullopt;
        return *bytes / double(1 << 20);
    }
    case SeriesId::RedisOpsPerSecond:
        return at(figures, {L("redis"), L("ops_per_sec")});
    case SeriesId::RedisClients:
        return at(figures, {L("redis"), L("connected_clients")});
    case SeriesId::RedisPingP99Ms:
        return at(figures, {L("redis"), L("ping_p99_ms")});
    case SeriesId::Count:
        break;
    }
    return std::nullopt;
}

} // namespace arena::console
