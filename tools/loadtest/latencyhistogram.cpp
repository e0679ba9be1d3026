#include "tools/loadtest/latencyhistogram.h"

#include <algorithm>
#include <bit>
#include <cmath>

namespace arena {

namespace {

constexpr qint64 MaxValue = (qint64(1) << LatencyHistogram::MaxBits) - 1;

} // namespace

int LatencyHistogram::bucketOf(qint64 value)
{
    const quint64 v = quint64(std::clamp<qint64>(value, 0, MaxValue));
    if (v < quint64(SubBuckets))
        return int(v);
    const int exponent = std::bit_width(v) - 1; // >= SubBucketBits
    const int shift = exponent - SubBucketBits;
    const int sub = int(v >> shift) - SubBuckets; // 0 .. SubBuckets - 1
    return SubBuckets + shift * SubBuckets + sub;
}

qint64 LatencyHistogram::bucketLowest(int bucket)
{
    if (bucket < SubBuckets)
        return bucket;
    const int shift = (bucket - SubBuckets) / SubBuckets;
    const int sub = (bucket - SubBuckets) % SubBuckets;
    return qint64(SubBuckets + sub) << shift;
}

qint64 LatencyHistogram::bucketHighest(int bucket)
{
    if (bucket < SubBuckets)
        return bucket;
    const int shift = (bucket - SubBuckets) / SubBuckets;
    return bucketLowest(bucket) + (qint64(1) << shift) - 1;
}

void LatencyHistogram::record(qint64 nanoseconds)
{
    const qint64 v = std::clamp<qint64>(nanoseconds, 0, MaxValue);
    ++m_buckets[std::size_t(bucketOf(v))];
    if (m_count == 0 || v < m_min)
        m_min = v;
    if (m_count == 0 || v > m_max)
        m_max = v;
    ++m_count;
    m_sum += double(v);
}

void LatencyHistogram::merge(const LatencyHistogram &other)
{
    if (other.m_count == 0)
        return;
    for (std::size_t i = 0; i < m_buckets.size(); ++i)
        m_buckets[i] += other.m_buckets[i];
    m_min = m_count ? std::min(m_min, other.m_min) : other.m_min;
    m_max = m_count ? std::max(m_max, other.m_max) : other.m_max;
    m_count += other.m_count;
    m_sum += other.m_sum;
}

void LatencyHistogram::reset()
{
    m_buckets.fill(0);
    m_count = 0;
    m_min = 0;
    m_max = 0;
    m_sum = 0.0;
}

qint64 LatencyHistogram::percentile(double percent) const
{
    if (m_count == 0)
        return 0;
    const double p = std::clamp(percent, 0.0, 100.0);
    // The rank of the value asked for, 1-based; p = 0 means the smallest value.
    const quint64 rank = std::max<quint64>(1, quint64(std::ceil(p / 100.0 * double(m_count))));
    quint64 seen = 0;
    for (std::size_t i = 0; i < m_buckets.size(); ++i) {
        seen += m_buckets[i];
        if (seen >= rank)
            return std::clamp(bucketHighest(int(i)), m_min, m_max);
    }
    return m_max;
}

} // namespace arena
