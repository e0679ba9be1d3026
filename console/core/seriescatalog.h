// The series the console charts, and how each is read from a snapshot's figures (agent/SNAPSHOT.md).
#pragma once

#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace arena::console {

enum class SeriesId {
    Sessions,
    Rooms,
    Matches,
    MessagesPerSecond,
    LatencyP99Ms,
    CpuPercent,
    RssMb,
    Workers,
    QueueTickets,
    QueueWaitP99S,
    RedisMemoryMb,
    RedisOpsPerSecond,
    RedisClients,
    RedisPingP99Ms,
    CrossInstancePerSecond, // records this instance sent other instances over the instance bus
    Count
};

constexpr int SeriesCount = int(SeriesId::Count);

struct SeriesInfo
{
    SeriesId id;
    QString key;   // stable, for settings and CSV headers: "sessions", "latency_p99_ms", ...
    QString title; // for chart titles and legends: "Sessions", "Latency p99"
    QString unit;  // "", "/s", "ms", "%", "MiB", "s"
    // How the whole fleet's value is made from the instances': summed (sessions, CPU), or the worst one
    // (latencies, and the figures of the Redis and matchmaking queues every instance shares).
    enum class Fleet { Sum, Max, Average } fleet;
};

// Every series, in SeriesId order (seriesCatalog().at(int(id)).id == id).
const QList<SeriesInfo> &seriesCatalog();
const SeriesInfo &seriesInfo(SeriesId id);
std::optional<SeriesId> seriesFromKey(const QString &key);

// The series' value in a snapshot's figures; nullopt (never 0) when a figure it needs is missing, e.g.
// while the server is down (the admin-API parts of the snapshot are absent then) or before the agent's
// second CPU sample.
//   Sessions           sessions.total
//   Rooms              rooms.total
//   Matches            matches.active
//   MessagesPerSecond  traffic.messages_per_s
//   LatencyP99Ms       traffic.handle_p99_ms
//   CpuPercent         server.process.cpu_percent + workers.totals.cpu_percent (when there is a pool)
//   RssMb              (server.process.rss_kb + workers.totals.rss_kb) / 1024, MiB
//   Workers            workers.totals.total_workers
//   QueueTickets       sum of queues[].tickets (nullopt with matchmaking.error: [] is not "none")
//   QueueWaitP99S      max over matchmaking.wait.<type>.p99_s
//   RedisMemoryMb      redis.used_memory / 2^20, MiB
//   RedisOpsPerSecond  redis.ops_per_sec
//   RedisClients       redis.connected_clients
//   RedisPingP99Ms     redis.ping_p99_ms
std::optional<double> extract(SeriesId id, const QJsonObject &figures);

} // namespace arena::console
