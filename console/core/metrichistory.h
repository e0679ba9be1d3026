// MetricHistory: one time series in bounded memory — raw samples, 10-second and 1-minute buckets.
#pragma once

#include <QList>
#include <QtGlobal>

#include <optional>
#include <vector>

namespace arena::console {

// One point of a chart. For a raw sample value == min == max; for a bucket (or merged points) value is
// the average and min/max the extremes of the samples it covers, so a one-second spike stays visible in
// a 24-hour chart. t is ms since the Unix epoch: the sample's time, or the start of the bucket/slot.
struct SeriesPoint
{
    qint64 t = 0;
    double value = 0;
    double min = 0;
    double max = 0;

    friend bool operator==(const SeriesPoint &, const SeriesPoint &) = default;
};

// Every sample goes into three rings at once; all memory is allocated by the constructor, so
// memoryBytes() never changes however long the console runs:
//   raw        the last 600 samples (10 min at the agent's default 1 s interval)
//   10 s       360 buckets (1 h), each with min / max / average / last
//   1 min      1440 buckets (24 h)
// Buckets are aligned to wall-clock multiples (t / 10000, t / 60000), so the buckets of different
// instances line up. A sample older than the oldest raw sample once the raw ring is full is dropped (it
// would have to go into buckets whose neighbours were already aggregated without it); a sample with the
// time of one already kept replaces it (a snapshot delivered twice is counted once); a sample between
// kept ones is inserted in order. NaN and infinite values are ignored.
class MetricHistory final
{
public:
    enum class Tier { Raw, TenSeconds, Minute };

    static constexpr int RawCapacity = 600;
    static constexpr int TenSecondCapacity = 360;
    static constexpr int MinuteCapacity = 1440;
    static constexpr qint64 TenSecondsMs = 10'000;
    static constexpr qint64 MinuteMs = 60'000;

    MetricHistory();

    void add(qint64 tMs, double value);
    void clear();

    // The points of [fromMs, toMs] (buckets overlapping it) from the finest tier covering fromMs (see
    // tierFor()). With more than maxPoints (> 0), neighbours are merged into wall-clock aligned slots
    // (slotWidth()), keeping min/max, so at most maxPoints come back.
    QList<SeriesPoint> points(qint64 fromMs, qint64 toMs, int maxPoints) const;

    // The finest tier that holds everything since fromMs: one that never dropped anything, or whose
    // oldest entry starts no later than fromMs plus one bucket (a 1-hour window is the 10 s tier's own
    // span, whatever the phase of the clock). Minute when none does.
    Tier tierFor(qint64 fromMs) const;
    // The points of one tier in [fromMs, toMs], merged into slots of slotMs aligned to multiples of
    // slotMs (slotMs <= 0: unmerged). Used to put several histories on one grid (FleetHistory).
    QList<SeriesPoint> tierPoints(Tier tier, qint64 fromMs, qint64 toMs, qint64 slotMs = 0) const;

    // Width of a tier's entries (raw: 0, as samples come at any time).
    static qint64 tierWidth(Tier tier);
    // The slot width that puts [fromMs, toMs] into at most maxPoints aligned slots: a multiple of the
    // tier's width (raw: of 100 ms), at least minimumMs.
    static qint64 slotWidth(Tier tier, qint64 fromMs, qint64 toMs, int maxPoints, qint64 minimumMs = 0);

    // The newest sample's value and time.
    std::optional<double> last() const;
    std::optional<qint64> lastTime() const;
    // Samples, 10 s buckets and 1 min buckets currently held.
    qsizetype size(Tier tier) const;
    bool isEmpty() const { return m_raw.size == 0; }

    // Bytes this history holds, fixed at construction.
    qsizetype memoryBytes() const;

private:
    struct Sample
    {
        qint64 t = 0;
        double value = 0;
    };
    struct Bucket
    {
        qint64 start = 0;
        qint64 lastT = 0; // time of the sample `last` came from, so a late sample does not become "last"
        double min = 0;
        double max = 0;
        double sum = 0;
        double last = 0;
        qint32 count = 0;
    };

    // A fixed-capacity ring kept sorted by key; index 0 is the oldest.
    template<typename T>
    struct Ring
    {
        std::vector<T> items;
        int head = 0;
        int size = 0;
        bool dropped = false; // the ring has evicted something: it no longer holds all history

        explicit Ring(int capacity) : items(std::size_t(capacity)) {}
        int capacity() const { return int(items.size()); }
        T &at(int i) { return items[std::size_t((head + i) % capacity())]; }
        const T &at(int i) const { return items[std::size_t((head + i) % capacity())]; }
        void insert(int i, const T &value); // i in [0, size]; evicts the oldest when full
        void clear()
        {
            head = 0;
            size = 0;
            dropped = false;
        }
    };

    void addToBuckets(Ring<Bucket> &ring, qint64 width, qint64 t, double value);
    void replaceInBuckets(Ring<Bucket> &ring, qint64 width, qint64 t, double oldValue, double value);
    static int lowerBound(const Ring<Sample> &ring, qint64 t);
    static int lowerBound(const Ring<Bucket> &ring, qint64 start);

    Ring<Sample> m_raw;
    Ring<Bucket> m_tenSeconds;
    Ring<Bucket> m_minutes;
};

} // namespace arena::console
