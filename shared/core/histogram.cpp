#include "shared/core/histogram.h"

#include <algorithm>
#include <cmath>

namespace arena {

Histogram::Histogram(QList<double> upperBounds)
    : m_bounds(std::move(upperBounds)), m_counts(std::make_unique<std::atomic<quint64>[]>(size_t(m_bounds.size()) + 1))
{
    for (qsizetype i = 0; i <= m_bounds.size(); ++i)
        m_counts[size_t(i)].store(0, std::memory_order_relaxed);
}

void Histogram::observe(double value)
{
    // Bucket i counts value <= bound[i]; NaN and values above every bound land in +Inf.
    const size_t index = std::isnan(value)
        ? size_t(m_bounds.size())
        : size_t(std::lower_bound(m_bounds.cbegin(), m_bounds.cend(), value) - m_bounds.cbegin());
    m_counts[index].fetch_add(1, std::memory_order_relaxed);
    m_sum.fetch_add(value, std::memory_order_relaxed);
}

Histogram::Snapshot Histogram::snapshot() const
{
    Snapshot s;
    s.upperBounds = m_bounds;
    s.cumulativeCounts.reserve(m_bounds.size() + 1);
    quint64 running = 0;
    for (qsizetype i = 0; i <= m_bounds.size(); ++i) {
        running += m_counts[size_t(i)].load(std::memory_order_relaxed);
        s.cumulativeCounts.append(running);
    }
    s.count = running;
    s.sum = m_sum.load(std::memory_order_relaxed);
    return s;
}

quint64 Histogram::count() const
{
    quint64 total = 0;
    for (qsizetype i = 0; i <= m_bounds.size(); ++i)
        total += m_counts[size_t(i)].load(std::memory_order_relaxed);
    return total;
}

} // namespace arena
