#include "console/core/metrichistory.h"

#include <algorithm>
#include <cmath>

namespace arena::console {

namespace {

// A raw tier that has dropped samples still counts as covering a window whose start is at most this
// much older than its oldest sample (one agent interval, with slack).
constexpr qint64 RawCoverageSlackMs = 2000;
// Raw samples are merged into slotCount that are multiples of this.
constexpr qint64 RawSlotBaseMs = 100;

qint64 floorTo(qint64 t, qint64 width)
{
    qint64 q = t / width;
    if (t % width != 0 && t < 0)
        --q;
    return q * width;
}

qint64 ceilTo(qint64 t, qint64 width)
{
    const qint64 f = floorTo(t, width);
    return f == t ? t : f + width;
}

// Accumulates the entries of one slot.
struct Merge
{
    qint64 t = 0;
    double sum = 0;
    double weight = 0;
    double min = 0;
    double max = 0;
    bool empty = true;

    void add(double entrySum, double entryWeight, double entryMin, double entryMax)
    {
        if (empty) {
            min = entryMin;
            max = entryMax;
            empty = false;
        } else {
            min = std::min(min, entryMin);
            max = std::max(max, entryMax);
        }
        sum += entrySum;
        weight += entryWeight;
    }
    SeriesPoint point() const { return SeriesPoint{t, weight > 0 ? sum / weight : 0, min, max}; }
};

} // namespace

template<typename T>
void MetricHistory::Ring<T>::insert(int i, const T &value)
{
    if (size == capacity()) {
        head = (head + 1) % capacity();
        --size;
        --i;
        dropped = true;
        if (i < 0)
            return; // older than everything kept: callers do not ask for this
    }
    for (int j = size; j > i; --j)
        at(j) = at(j - 1);
    at(i) = value;
    ++size;
}

MetricHistory::MetricHistory() : m_raw(RawCapacity), m_tenSeconds(TenSecondCapacity), m_minutes(MinuteCapacity) {}

int MetricHistory::lowerBound(const Ring<Sample> &ring, qint64 t)
{
    int lo = 0;
    int hi = ring.size;
    while (lo < hi) {
        const int mid = (lo + hi) / 2;
        if (ring.at(mid).t < t)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int MetricHistory::lowerBound(const Ring<Bucket> &ring, qint64 start)
{
    int lo = 0;
    int hi = ring.size;
    while (lo < hi) {
        const int mid = (lo + hi) / 2;
        if (ring.at(mid).start < start)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

void MetricHistory::add(qint64 tMs, double value)
{
    if (!std::isfinite(value))
        return;
    const int i = lowerBound(m_raw, tMs);
    if (i < m_raw.size && m_raw.at(i).t == tMs) {
        const double old = m_raw.at(i).value;
        if (old == value)
            return;
        m_raw.at(i).value = value;
        replaceInBuckets(m_tenSeconds, TenSecondsMs, tMs, old, value);
        replaceInBuckets(m_minutes, MinuteMs, tMs, old, value);
        return;
    }
    if (i == 0 && m_raw.size == m_raw.capacity())
        return; // too late: see the class comment
    m_raw.insert(i, Sample{tMs, value});
    addToBuckets(m_tenSeconds, TenSecondsMs, tMs, value);
    addToBuckets(m_minutes, MinuteMs, tMs, value);
}

void MetricHistory::addToBuckets(Ring<Bucket> &ring, qint64 width, qint64 t, double value)
{
    const qint64 start = floorTo(t, width);
    const int i = lowerBound(ring, start);
    if (i < ring.size && ring.at(i).start == start) {
        Bucket &b = ring.at(i);
        b.min = std::min(b.min, value);
        b.max = std::max(b.max, value);
        b.sum += value;
        ++b.count;
        if (t >= b.lastT) {
            b.last = value;
            b.lastT = t;
        }
        return;
    }
    if (i == 0 && ring.size == ring.capacity())
        return; // older than this tier keeps
    ring.insert(i, Bucket{start, t, value, value, value, value, 1});
}

void MetricHistory::replaceInBuckets(Ring<Bucket> &ring, qint64 width, qint64 t, double oldValue, double value)
{
    const qint64 start = floorTo(t, width);
    const int i = lowerBound(ring, start);
    if (i >= ring.size || ring.at(i).start != start)
        return; // that bucket is no longer kept
    Bucket &b = ring.at(i);
    // Rebuilt from the raw samples when they still cover the whole bucket; otherwise adjusted (the old
    // value may stay an extreme, the average is exact).
    const bool rawCovers = !m_raw.dropped || (m_raw.size > 0 && m_raw.at(0).t <= start);
    if (rawCovers) {
        Bucket rebuilt{start, 0, 0, 0, 0, 0, 0};
        for (int j = lowerBound(m_raw, start); j < m_raw.size && m_raw.at(j).t < start + width; ++j) {
            const Sample &s = m_raw.at(j);
            if (rebuilt.count == 0) {
                rebuilt.min = rebuilt.max = s.value;
            } else {
                rebuilt.min = std::min(rebuilt.min, s.value);
                rebuilt.max = std::max(rebuilt.max, s.value);
            }
            rebuilt.sum += s.value;
            rebuilt.last = s.value;
            rebuilt.lastT = s.t;
            ++rebuilt.count;
        }
        if (rebuilt.count == b.count) {
            b = rebuilt;
            return;
        }
    }
    b.sum += value - oldValue;
    b.min = std::min(b.min, value);
    b.max = std::max(b.max, value);
    if (t == b.lastT)
        b.last = value;
}

void MetricHistory::clear()
{
    m_raw.clear();
    m_tenSeconds.clear();
    m_minutes.clear();
}

qint64 MetricHistory::tierWidth(Tier tier)
{
    switch (tier) {
    case Tier::Raw:
        return 0;
    case Tier::TenSeconds:
        return TenSecondsMs;
    case Tier::Minute:
        return MinuteMs;
    }
    return 0;
}

MetricHistory::Tier MetricHistory::tierFor(qint64 fromMs) const
{
    if (!m_raw.dropped || (m_raw.size > 0 && m_raw.at(0).t <= fromMs + RawCoverageSlackMs))
        return Tier::Raw;
    if (!m_tenSeconds.dropped || (m_tenSeconds.size > 0 && m_tenSeconds.at(0).start <= fromMs + TenSecondsMs))
        return Tier::TenSeconds;
    return Tier::Minute;
}

qint64 MetricHistory::slotWidth(Tier tier, qint64 fromMs, qint64 toMs, int maxPoints, qint64 minimumMs)
{
    const qint64 base = tier == Tier::Raw ? RawSlotBaseMs : tierWidth(tier);
    // A bucket overlapping fromMs starts before it: count from its start.
    const qint64 from = tier == Tier::Raw ? fromMs : floorTo(fromMs, base);
    const qint64 span = std::max<qint64>(0, toMs - from);
    // n aligned slotCount of width w cover any span <= (n - 1) * w.
    const qint64 slotCount = std::max(1, maxPoints - 1);
    qint64 width = (span + slotCount - 1) / slotCount;
    width = std::max({width, minimumMs, base});
    return ceilTo(width, base);
}

QList<SeriesPoint> MetricHistory::tierPoints(Tier tier, qint64 fromMs, qint64 toMs, qint64 slotMs) const
{
    QList<SeriesPoint> out;
    if (toMs < fromMs)
        return out;
    Merge merge;
    const auto flush = [&] {
        if (!merge.empty)
            out.append(merge.point());
        merge = Merge{};
    };
    const auto take = [&](qint64 t, double sum, double weight, double min, double max) {
        if (slotMs <= 0) {
            out.append(SeriesPoint{t, sum / weight, min, max});
            return;
        }
        const qint64 slot = floorTo(t, slotMs);
        if (!merge.empty && slot != merge.t)
            flush();
        merge.t = slot;
        merge.add(sum, weight, min, max);
    };

    if (tier == Tier::Raw) {
        for (int i = lowerBound(m_raw, fromMs); i < m_raw.size && m_raw.at(i).t <= toMs; ++i) {
            const Sample &s = m_raw.at(i);
            take(s.t, s.value, 1, s.value, s.value);
        }
    } else {
        const Ring<Bucket> &ring = tier == Tier::TenSeconds ? m_tenSeconds : m_minutes;
        const qint64 width = tierWidth(tier);
        for (int i = lowerBound(ring, floorTo(fromMs, width)); i < ring.size && ring.at(i).start <= toMs; ++i) {
            const Bucket &b = ring.at(i);
            take(b.start, b.sum, b.count, b.min, b.max);
        }
    }
    flush();
    return out;
}

QList<SeriesPoint> MetricHistory::points(qint64 fromMs, qint64 toMs, int maxPoints) const
{
    const Tier tier = tierFor(fromMs);
    QList<SeriesPoint> out = tierPoints(tier, fromMs, toMs);
    if (maxPoints <= 0 || out.size() <= maxPoints)
        return out;
    out = tierPoints(tier, fromMs, toMs, slotWidth(tier, fromMs, toMs, maxPoints));
    if (out.size() > maxPoints) {
        // Only with maxPoints == 1: a window can straddle two aligned slotCount.
        Merge all;
        all.t = out.first().t;
        for (const SeriesPoint &p : std::as_const(out))
            all.add(p.value, 1, p.min, p.max);
        out = {all.point()};
    }
    return out;
}

std::optional<double> MetricHistory::last() const
{
    if (m_raw.size == 0)
        return std::nullopt;
    return m_raw.at(m_raw.size - 1).value;
}

std::optional<qint64> MetricHistory::lastTime() const
{
    if (m_raw.size == 0)
        return std::nullopt;
    return m_raw.at(m_raw.size - 1).t;
}

qsizetype MetricHistory::size(Tier tier) const
{
    switch (tier) {
    case Tier::Raw:
        return m_raw.size;
    case Tier::TenSeconds:
        return m_tenSeconds.size;
    case Tier::Minute:
        return m_minutes.size;
    }
    return 0;
}

qsizetype MetricHistory::memoryBytes() const
{
    return qsizetype(sizeof(*this)) + qsizetype(m_raw.items.capacity() * sizeof(Sample))
           + qsizetype(m_tenSeconds.items.capacity() * sizeof(Bucket))
           + qsizetype(m_minutes.items.capacity() * sizeof(Bucket));
}

} // namespace arena::console
