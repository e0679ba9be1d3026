// snapshotMetrics: an agent snapshot (agent/SNAPSHOT.md) as Prometheus gauges, so the figures the
// console shows can also be scraped from the agent's /metrics.
#pragma once

#include <QByteArray>
#include <QJsonObject>

namespace arena {

// Every number and boolean of the snapshot becomes a gauge named arena_snapshot_<path> (path segments
// joined with '_'), labelled instance="<id>". Maps keyed by a name (rooms by type, matchmaking waits by
// room type, Redis keyspace by db) become a label instead of part of the name; the worker list becomes
// a worker="<id>" label and the queue list room_type/team_size labels. server.state becomes
// arena_snapshot_server_up (1 up or draining, 0 otherwise). Histogram buckets and strings are left out.
QByteArray snapshotMetrics(const QJsonObject &snapshot);

} // namespace arena
