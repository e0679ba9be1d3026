// LatencyHistogram: a fixed-size log-linear histogram of durations in nanoseconds, for percentiles.
#pragma once

#include <QtGlobal>

#include <array>

namespace arena {

// Memory stays the same however many values are recorded (about 30 KB), so a load test can record
// every delivery of a long run. Values below 64 ns are kept exactly; above, each power of two is cut
// into 64 buckets, so a reported percentile is within 1/64 (1.6 %) of the true value. min, max and
// the mean are exact.
class LatencyHistogram final
{
public:
    static constexpr int SubBuckets = 64;
    static constexpr int SubBucketBits = 6;
    // Values are clamped to [0, 2^MaxBits) ns (about 13 days).
    static constexpr int MaxBits = 50;
    static constexpr int BucketCount = SubBuckets + (MaxBits - SubBucketBits) * SubBuckets;

    void record(qint64 nanoseconds);
    void merge(const LatencyHistogram &other);
    void reset();

    quint64 count() const { return m_count; }
    qint64 min() const { return m_count ? m_min : 0; }
    qint64 max() const { return m_count ? m_max : 0; }
    double mean() const { return m_count ? m_sum / double(m_count) : 0.0; }
    // The smallest recorded-value bound v such that at least `percent` % of the values are <= v,
    // reported as the highest value of its bucket (never above max()). 0 when empty.
    qint64 percentile(double percent) const;

    // Bucket arithmetic, public for tests.
    static int bucketOf(qint64 value);
    static qint64 bucketLowest(int bucket);
    static qint64 bucketHighest(int bucket);

private:
    std::array<quint64, BucketCount> m_buckets{};
    quint64 m_count = 0;
    qint64 m_min = 0;
    qint64 m_max = 0;
    double m_sum = 0.0;
};

} // namespace arena
