#include "agent/queuemetrics.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace arena {

namespace {

// The bound of a _bucket sample: its `le` label, +Inf included; nullopt when it is not a number.
std::optional<double> bucketBound(const MetricsText::Sample &s)
{
    const QString le = s.label(QStringLiteral("le"));
    if (le == QLatin1String("+Inf"))
        return std::numeric_limits<double>::infinity();
    bool ok = false;
    const double bound = le.toDouble(&ok);
    return ok && !std::isnan(bound) ? std::optional<double>(bound) : std::nullopt;
}

} // namespace

QueueMetrics QueueMetrics::fromSamples(const QList<MetricsText::Sample> &samples)
{
    QueueMetrics out;
    const QString tickets = QLatin1String(ticketsFamily);
    const QString bucket = QLatin1String(waitFamily) + QStringLiteral("_bucket");
    const QString sum = QLatin1String(waitFamily) + QStringLiteral("_sum");
    const QString count = QLatin1String(waitFamily) + QStringLiteral("_count");
    const QString matches = QLatin1String(matchesFamily);
    const QString messages = QLatin1String(messagesFamily);
    const QString deliveries = QLatin1String(deliveriesFamily);
    const QString bus = QLatin1String(busRecordsFamily);
    const QString handleBucket = QLatin1String(handleFamily) + QStringLiteral("_bucket");
    const QString roomType = QStringLiteral("room_type");

    QMap<QString, Wait> waits;
    QMap<double, quint64> handleBuckets; // le -> count, summed over series
    for (const MetricsText::Sample &s : samples) {
        if (s.name == tickets) {
            bool ok = false;
            const int teamSize = s.label(QStringLiteral("team_size")).toInt(&ok);
            out.queues.append(Queue{s.label(roomType), ok ? teamSize : 1, qint64(s.value)});
        } else if (s.name == bucket) {
            const std::optional<double> bound = bucketBound(s);
            if (!bound)
                continue;
            Wait &w = waits[s.label(roomType)];
            w.buckets.append(Bucket{*bound, quint64(std::max(0.0, s.value))});
        } else if (s.name == sum) {
            waits[s.label(roomType)].sumSeconds = s.value;
        } else if (s.name == count) {
            waits[s.label(roomType)].count = quint64(std::max(0.0, s.value));
        } else if (s.name == matches) {
            out.matchesFormed[s.label(roomType)] += qint64(s.value);
        } else if (s.name == messages) {
            out.traffic.messages = out.traffic.messages.value_or(0.0) + s.value;
        } else if (s.name == deliveries) {
            out.traffic.deliveries = out.traffic.deliveries.value_or(0.0) + s.value;
        } else if (s.name == bus) {
            std::optional<double> &counter
                = s.label(QStringLiteral("direction")) == QLatin1String("in") ? out.traffic.busIn : out.traffic.busOut;
            counter = counter.value_or(0.0) + s.value;
        } else if (s.name == handleBucket) {
            if (const std::optional<double> bound = bucketBound(s))
                handleBuckets[*bound] += quint64(std::max(0.0, s.value));
        }
    }
    // A histogram always ends with +Inf (its count); without it the buckets say nothing reliable.
    if (!handleBuckets.isEmpty() && handleBuckets.lastKey() == std::numeric_limits<double>::infinity()) {
        for (auto it = handleBuckets.cbegin(); it != handleBuckets.cend(); ++it) // QMap: ascending by le
            out.traffic.handleBuckets.append(Bucket{it.key(), it.value()});
    }
    std::sort(out.queues.begin(), out.queues.end(), [](const Queue &a, const Queue &b) {
        return a.roomType != b.roomType ? a.roomType < b.roomType : a.teamSize < b.teamSize;
    });
    for (auto it = waits.begin(); it != waits.end(); ++it) {
        Wait &w = it.value();
        w.roomType = it.key();
        std::sort(w.buckets.begin(), w.buckets.end(), [](const Bucket &a, const Bucket &b) { return a.le < b.le; });
        w.p50Seconds = quantile(0.5, w.buckets);
        w.p99Seconds = quantile(0.99, w.buckets);
        out.waits.append(w);
    }
    return out;
}

std::optional<double> QueueMetrics::quantile(double q, const QList<Bucket> &buckets)
{
    if (buckets.isEmpty() || q < 0.0 || q > 1.0)
        return std::nullopt;
    const double total = double(buckets.last().count);
    if (total <= 0.0)
        return std::nullopt;
    const double rank = q * total;
    qsizetype i = 0;
    while (i < buckets.size() - 1 && double(buckets.at(i).count) < rank)
        ++i;
    if (std::isinf(buckets.at(i).le)) // above every finite bound: the best we can say is the highest
        return i > 0 ? std::optional<double>(buckets.at(i - 1).le) : std::nullopt;
    const double start = i > 0 ? buckets.at(i - 1).le : 0.0;
    const double before = i > 0 ? double(buckets.at(i - 1).count) : 0.0;
    const double inBucket = double(buckets.at(i).count) - before;
    if (inBucket <= 0.0)
        return buckets.at(i).le;
    return start + (buckets.at(i).le - start) * (rank - before) / inBucket;
}

qint64 QueueMetrics::matchesFormedTotal() const
{
    qint64 total = 0;
    for (const qint64 n : matchesFormed)
        total += n;
    return total;
}

QJsonArray QueueMetrics::queuesJson() const
{
    QJsonArray out;
    for (const Queue &q : queues)
        out.append(QJsonObject{{QStringLiteral("room_type"), q.roomType},
                               {QStringLiteral("team_size"), q.teamSize},
                               {QStringLiteral("tickets"), q.tickets}});
    return out;
}

QJsonObject QueueMetrics::waitJson() const
{
    const auto rounded = [](double seconds) { return std::round(seconds * 1e6) / 1e6; };
    QJsonObject out;
    for (const Wait &w : waits) {
        QJsonArray buckets;
        for (const Bucket &b : w.buckets)
            buckets.append(QJsonObject{{QStringLiteral("le"), std::isinf(b.le) ? QJsonValue(QStringLiteral("+Inf"))
                                                                                : QJsonValue(b.le)},
                                       {QStringLiteral("count"), qint64(b.count)}});
        QJsonObject o{{QStringLiteral("count"), qint64(w.count)},
                      {QStringLiteral("sum_s"), rounded(w.sumSeconds)},
                      {QStringLiteral("buckets"), buckets}};
        if (w.p50Seconds)
            o.insert(QStringLiteral("p50_s"), rounded(*w.p50Seconds));
        if (w.p99Seconds)
            o.insert(QStringLiteral("p99_s"), rounded(*w.p99Seconds));
        out.insert(w.roomType, o);
    }
    return out;
}

} // namespace arena
