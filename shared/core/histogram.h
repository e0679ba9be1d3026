// Histogram: one metric series counting observations into fixed buckets (lock-free).
#pragma once

#include <QList>
#include <QtGlobal>

#include <atomic>
#include <memory>

namespace arena {

class Histogram final
{
public:
    struct Snapshot
    {
        QList<double> upperBounds;        // finite bounds, ascending; +Inf is implied after them
        QList<quint64> cumulativeCounts;  // one per bound plus the +Inf bucket (== count)
        double sum = 0.0;
        quint64 count = 0;
    };

    // upperBounds: finite, strictly ascending (checked by MetricsRegistry before construction).
    explicit Histogram(QList<double> upperBounds);
    Q_DISABLE_COPY_MOVE(Histogram)

    void observe(double value);
    // count is the sum of the bucket counts, so buckets and count always agree; sum may lag by the
    // observation being recorded at that moment.
    Snapshot snapshot() const;
    quint64 count() const;
    double sum() const { return m_sum.load(std::memory_order_relaxed); }
    const QList<double> &upperBounds() const { return m_bounds; }

private:
    const QList<double> m_bounds;
    std::unique_ptr<std::atomic<quint64>[]> m_counts; // non-cumulative, m_bounds.size() + 1
    std::atomic<double> m_sum{0.0};
};

} // namespace arena
