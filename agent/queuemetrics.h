// QueueMetrics: the matchmaking figures of one server (queue lengths, wait-time histograms, matches
// formed) and its player traffic counters, taken from the samples of its GET /metrics.
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
// The traffic families are read raw (one scrape's cumulative values); TrafficMetrics turns two
// consecutive scrapes into rates and percentiles over the interval between them:
//   arena_player_messages_total{outcome}     counter: text messages received (server/playerservice.cpp)
//   arena_player_message_seconds             histogram: decode start to end of handling, per message
//   arena_room_deliveries_total              counter: room events and states delivered to members
struct QueueMetrics
{
    static constexpr const char *ticketsFamily = "arena_matchmaking_queue_tickets";
    static constexpr const char *waitFamily = "arena_matchmaking_wait_seconds";
    static constexpr const char *matchesFamily = "arena_matchmaking_matches_total";
    static constexpr const char *messagesFamily = "arena_player_messages_total";
    static constexpr const char *handleFamily = "arena_player_message_seconds";
    static constexpr const char *deliveriesFamily = "arena_room_deliveries_total";
    // Records crossing the instance bus, by direction ("in", "out"): a server sharing Redis with others.
    static constexpr const char *busRecordsFamily = "arena_bus_records_total";

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

    // Cumulative since the server started, summed over every label but `le`; a family the text does
    // not have stays empty (an older server, or /metrics failed).
    struct Traffic
    {
        std::optional<double> messages;   // every outcome
        std::optional<double> deliveries;
        std::optional<double> busIn;      // records from other instances
        std::optional<double> busOut;     // records to other instances
        QList<Bucket> handleBuckets;      // ascending by le, ending with +Inf
    };

    QList<Queue> queues;                  // ordered by room type, then team size
    QList<Wait> waits;                    // ordered by room type
    QMap<QString, qint64> matchesFormed;  // room type -> matches formed
    Traffic traffic;

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
