// TrafficMetrics: a server's player traffic over the last poll interval (messages and deliveries per
// second, message handling time percentiles), from consecutive scrapes of its GET /metrics.
#pragma once

#include "agent/queuemetrics.h"

#include <QJsonObject>

#include <chrono>
#include <optional>

namespace arena {

// Rates are counter increases over the time between two scrapes, and percentiles come from the
// histogram's bucket increases over it, as Prometheus' rate() and histogram_quantile() over one
// interval would give them. A figure is absent when there is no interval to compute it over: on the
// first scrape, after reset() and after a counter went down (the server restarted), until the next
// scrape. A scrape without a family (/metrics failed, an older server) leaves that family's previous
// value in place, so the next rate covers the time since the last scrape that had it.
class TrafficMetrics final
{
public:
    using Clock = std::chrono::steady_clock;

    // The scrape taken at `at`; the figures become those of the interval since the previous one.
    void add(const QueueMetrics::Traffic &scrape, Clock::time_point at);
    // Forgets every previous scrape (another server process answers now).
    void reset();

    std::optional<qint64> messagesTotal() const { return m_messagesTotal; }
    std::optional<double> messagesPerSecond() const { return m_messagesPerSecond; }
    std::optional<double> deliveriesPerSecond() const { return m_deliveriesPerSecond; }
    // Records from and to other instances over the instance bus (cross-instance rooms and matches).
    std::optional<double> busInPerSecond() const { return m_busInPerSecond; }
    std::optional<double> busOutPerSecond() const { return m_busOutPerSecond; }
    std::optional<double> handleP50Seconds() const { return m_handleP50Seconds; }
    std::optional<double> handleP99Seconds() const { return m_handleP99Seconds; }

    // The bucket increases from `before` to `after` (same bounds, cumulative, ending with +Inf); empty
    // when the bounds differ or a count went down.
    static QList<QueueMetrics::Bucket> increase(const QList<QueueMetrics::Bucket> &before,
                                                const QList<QueueMetrics::Bucket> &after);

    // {"messages_total", "messages_per_s", "deliveries_per_s", "bus_in_per_s", "bus_out_per_s",
    // "handle_p50_ms", "handle_p99_ms"}, each only when known.
    QJsonObject toJson() const;

private:
    struct Counted
    {
        double value = 0.0;
        Clock::time_point at;
    };

    // The rate from `previous` to (value, at), and `previous` moved on to it.
    static std::optional<double> rate(std::optional<Counted> &previous, double value, Clock::time_point at);

    std::optional<Counted> m_messages;
    std::optional<Counted> m_deliveries;
    std::optional<Counted> m_busIn;
    std::optional<Counted> m_busOut;
    std::optional<double> m_busInPerSecond;
    std::optional<double> m_busOutPerSecond;
    QList<QueueMetrics::Bucket> m_handleBuckets; // of the last scrape that had them

    std::optional<qint64> m_messagesTotal;
    std::optional<double> m_messagesPerSecond;
    std::optional<double> m_deliveriesPerSecond;
    std::optional<double> m_handleP50Seconds;
    std::optional<double> m_handleP99Seconds;
};

} // namespace arena
