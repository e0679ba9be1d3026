#include "agent/trafficmetrics.h"

#include <cmath>

namespace arena {

namespace {

double rounded3(double value)
{
    return std::round(value * 1000.0) / 1000.0;
}

} // namespace

void TrafficMetrics::add(const QueueMetrics::Traffic &scrape, Clock::time_point at)
{
    m_messagesTotal.reset();
    m_messagesPerSecond.reset();
    m_deliveriesPerSecond.reset();
    m_busInPerSecond.reset();
    m_busOutPerSecond.reset();
    m_handleP50Seconds.reset();
    m_handleP99Seconds.reset();
    if (scrape.messages) {
        m_messagesTotal = qint64(*scrape.messages);
        m_messagesPerSecond = rate(m_messages, *scrape.messages, at);
    }
    if (scrape.deliveries)
        m_deliveriesPerSecond = rate(m_deliveries, *scrape.deliveries, at);
    if (scrape.busIn)
        m_busInPerSecond = rate(m_busIn, *scrape.busIn, at);
    if (scrape.busOut)
        m_busOutPerSecond = rate(m_busOut, *scrape.busOut, at);
    if (!scrape.handleBuckets.isEmpty()) {
        // No previous scrape or a reset: no window, so no percentiles.
        const QList<QueueMetrics::Bucket> window = increase(m_handleBuckets, scrape.handleBuckets);
        m_handleP50Seconds = QueueMetrics::quantile(0.5, window);
        m_handleP99Seconds = QueueMetrics::quantile(0.99, window);
        m_handleBuckets = scrape.handleBuckets;
    }
}

void TrafficMetrics::reset()
{
    *this = TrafficMetrics();
}

std::optional<double> TrafficMetrics::rate(std::optional<Counted> &previous, double value, Clock::time_point at)
{
    std::optional<double> out;
    // A counter that went down belongs to a new server process: its increase since then is unknown.
    if (previous && value >= previous->value && at > previous->at)
        out = (value - previous->value) / std::chrono::duration<double>(at - previous->at).count();
    previous = Counted{value, at};
    return out;
}

QList<QueueMetrics::Bucket> TrafficMetrics::increase(const QList<QueueMetrics::Bucket> &before,
                                                     const QList<QueueMetrics::Bucket> &after)
{
    if (before.size() != after.size())
        return {};
    QList<QueueMetrics::Bucket> out;
    out.reserve(after.size());
    for (qsizetype i = 0; i < after.size(); ++i) {
        if (before.at(i).le != after.at(i).le || after.at(i).count < before.at(i).count)
            return {};
        out.append(QueueMetrics::Bucket{after.at(i).le, after.at(i).count - before.at(i).count});
    }
    return out;
}

QJsonObject TrafficMetrics::toJson() const
{
    QJsonObject out;
    if (m_messagesTotal)
        out.insert(QStringLiteral("messages_total"), *m_messagesTotal);
    if (m_messagesPerSecond)
        out.insert(QStringLiteral("messages_per_s"), rounded3(*m_messagesPerSecond));
    if (m_deliveriesPerSecond)
        out.insert(QStringLiteral("deliveries_per_s"), rounded3(*m_deliveriesPerSecond));
    if (m_busInPerSecond)
        out.insert(QStringLiteral("bus_in_per_s"), rounded3(*m_busInPerSecond));
    if (m_busOutPerSecond)
        out.insert(QStringLiteral("bus_out_per_s"), rounded3(*m_busOutPerSecond));
    if (m_handleP50Seconds)
        out.insert(QStringLiteral("handle_p50_ms"), rounded3(*m_handleP50Seconds * 1000.0));
    if (m_handleP99Seconds)
        out.insert(QStringLiteral("handle_p99_ms"), rounded3(*m_handleP99Seconds * 1000.0));
    return out;
}

} // namespace arena
