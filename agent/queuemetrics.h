// QueueMetrics: the matchmaking figures of one server (queue lengths, wait-time histograms, matches
// formed), taken from the samples of its GET /metrics.
#pragma once

#include "agent/metricstext.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QMap>
#include <QString>

#include <optional>

namespace arena {

// The families come from server/matchmaking/matchmaker.cpp:
//   arena_matchmaking_queue_tickets{room_type,team_size}   gauge: tickets waiting, per queue
//   arena_matchmaking_wait_seconds{room_type}              histogram: enqueue to match, per matched ticket
//   arena_matchmaking_matches_total{room_type}             counter: matches formed by this instance
// The histogram is cumulative since the server started; its buckets are passed on so a consumer can
// take differences over the window it shows, and p50 / p99 are estimated from them the way
// Prometheus' histogram_quantile() does.
struct QueueMetrics
{
    static constexpr const char *ticketsFamily = "arena_matchmaking_queue_tickets";
    static constexpr const char *waitFamily = "arena_matchmaking_wait_seconds";
    static constexpr const char *matchesFamily = "arena_matchmaking_matches_total";

    struct Queue
    {
        QString roomType;
        int teamSize = 1;
        qint64 tickets = 0;
    };

    struct Bucket
    {
        double le = 0.0;   // upper bound in seconds; +Inf for the last
        quint64 count = 0; // cumulative
    };

    struct Wait
    {
        QString roomType;
        quint64 count = 0;
        double sumSeconds = 0.0;
        QList<Bucket> buckets; // ascending by le
        std::optional<double> p50Seconds;
        std::optional<double> p99Seconds;
    };

    QList<Queue> queues;                  // ordered by room type, then team size
    QList<Wait> waits;                    // ordered by room type
    QMap<QString, qint64> matchesFormed;  // room type -> matches formed

    static QueueMetrics fromSamples(const QList<MetricsText::Sample> &samples);
    // q in [0, 1] over cumulative buckets ending with +Inf: linear interpolation inside the bucket
    // the rank falls in (from 0 for the first); the highest finite bound when it falls in +Inf;
    // empty when there are no observations or no buckets.
    static std::optional<double> quantile(double q, const QList<Bucket> &buckets);

    qint64 matchesFormedTotal() const;
    // [{"room_type", "team_size", "tickets"}]
    QJsonArray queuesJson() const;
    // {"<room type>": {"count", "sum_s", "p50_s", "p99_s", "buckets": [{"le", "count"}]}}; le of the
    // last bucket is the string "+Inf" (JSON has no infinity).
    QJsonObject waitJson() const;
};

} // namespace arena
