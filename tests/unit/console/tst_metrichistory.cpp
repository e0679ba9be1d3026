// MetricHistory: the three tiers, downsampling, tier choice, flat memory, late and duplicate samples.
#include "console/core/metrichistory.h"

#include <QRandomGenerator>
#include <QTest>

#include <algorithm>
#include <cmath>
#include <vector>

namespace arena::console {
// Readable QCOMPARE failures.
char *toString(const SeriesPoint &p)
{
    return QTest::toString(QStringLiteral("{t=%1 value=%2 min=%3 max=%4}").arg(p.t).arg(p.value).arg(p.min).arg(p.max));
}
} // namespace arena::console

using arena::console::MetricHistory;
using arena::console::SeriesPoint;
using Tier = MetricHistory::Tier;

namespace {

constexpr qint64 T0 = 1'795'363'200'000; // a multiple of one minute

} // namespace

class TestMetricHistory : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void emptyHistory();
    void rawSamples();
    void tenSecondBuckets();
    void minuteBuckets();
    void bucketsAreWallClockAligned();
    void downsamplingKeepsAveragesAndExtremes_data();
    void downsamplingKeepsAveragesAndExtremes();
    void downsamplingBucketsWeighsBySamples();
    void windowPicksTheFinestCoveringTier();
    void youngHistoryUsesRawForAnyWindow();
    void memoryIsFlat();
    void outOfOrderSamplesGiveTheSameTiers();
    void duplicateSamplesCountOnce();
    void duplicateWithNewValueReplaces();
    void tooLateSampleIsDropped();
    void lastIsTheNewestByTime();
    void nonFiniteValuesAreIgnored();
    void maxPointsOfOne();
};

void TestMetricHistory::emptyHistory()
{
    MetricHistory h;
    QVERIFY(h.isEmpty());
    QVERIFY(!h.last());
    QVERIFY(h.points(0, T0, 100).isEmpty());
    QCOMPARE(h.tierFor(0), Tier::Raw);
}

void TestMetricHistory::rawSamples()
{
    MetricHistory h;
    for (int i = 0; i < 5; ++i)
        h.add(T0 + i * 1000, i * 2.0);
    const QList<SeriesPoint> pts = h.points(T0 + 1000, T0 + 3000, 100);
    QCOMPARE(pts.size(), 3);
    QCOMPARE(pts.at(0), (SeriesPoint{T0 + 1000, 2, 2, 2}));
    QCOMPARE(pts.at(2), (SeriesPoint{T0 + 3000, 6, 6, 6}));
    QCOMPARE(h.size(Tier::Raw), 5);
    QCOMPARE(*h.last(), 8.0);
    QCOMPARE(*h.lastTime(), T0 + 4000);
}

void TestMetricHistory::tenSecondBuckets()
{
    MetricHistory h;
    for (int k = 0; k < 30; ++k)
        h.add(T0 + k * 1000, k);
    const QList<SeriesPoint> pts = h.tierPoints(Tier::TenSeconds, T0, T0 + 29'000);
    QCOMPARE(pts.size(), 3);
    QCOMPARE(pts.at(0), (SeriesPoint{T0, 4.5, 0, 9}));
    QCOMPARE(pts.at(1), (SeriesPoint{T0 + 10'000, 14.5, 10, 19}));
    QCOMPARE(pts.at(2), (SeriesPoint{T0 + 20'000, 24.5, 20, 29}));
    QCOMPARE(h.size(Tier::TenSeconds), 3);
}

void TestMetricHistory::minuteBuckets()
{
    MetricHistory h;
    // Two minutes, the second with a spike.
    for (int k = 0; k < 120; ++k)
        h.add(T0 + k * 1000, k == 90 ? 1000.0 : 1.0);
    const QList<SeriesPoint> pts = h.tierPoints(Tier::Minute, T0, T0 + 119'000);
    QCOMPARE(pts.size(), 2);
    QCOMPARE(pts.at(0), (SeriesPoint{T0, 1, 1, 1}));
    QCOMPARE(pts.at(1).t, T0 + 60'000);
    QCOMPARE(pts.at(1).value, (59.0 + 1000.0) / 60.0);
    QCOMPARE(pts.at(1).min, 1.0);
    QCOMPARE(pts.at(1).max, 1000.0);
}

void TestMetricHistory::bucketsAreWallClockAligned()
{
    MetricHistory h;
    h.add(T0 + 9'999, 1);
    h.add(T0 + 10'000, 3);
    h.add(T0 + 10'001, 5);
    const QList<SeriesPoint> ten = h.tierPoints(Tier::TenSeconds, T0, T0 + 20'000);
    QCOMPARE(ten.size(), 2);
    QCOMPARE(ten.at(0), (SeriesPoint{T0, 1, 1, 1}));
    QCOMPARE(ten.at(1), (SeriesPoint{T0 + 10'000, 4, 3, 5}));
    // A window starting inside a bucket still gets that bucket.
    QCOMPARE(h.tierPoints(Tier::TenSeconds, T0 + 15'000, T0 + 16'000).size(), 1);
}

void TestMetricHistory::downsamplingKeepsAveragesAndExtremes_data()
{
    QTest::addColumn<int>("maxPoints");
    QTest::addColumn<qint64>("slot");
    // 600 samples over [T0, T0 + 599 s]: n slots of w cover (n - 1) * w, rounded up to 100 ms.
    QTest::newRow("61 points: 10 s slots") << 61 << qint64(10'000);
    QTest::newRow("301 points: 2 s slots") << 301 << qint64(2'000);
    QTest::newRow("100 points: 6.1 s slots") << 100 << qint64(6'100);
}

void TestMetricHistory::downsamplingKeepsAveragesAndExtremes()
{
    QFETCH(int, maxPoints);
    QFETCH(qint64, slot);
    MetricHistory h;
    std::vector<double> values;
    for (int k = 0; k < 600; ++k) {
        const double v = k == 437 ? 5000.0 : double(k % 7);
        values.push_back(v);
        h.add(T0 + k * 1000, v);
    }
    QCOMPARE(MetricHistory::slotWidth(Tier::Raw, T0, T0 + 599'000, maxPoints), slot);
    const QList<SeriesPoint> pts = h.points(T0, T0 + 599'000, maxPoints);
    QVERIFY(pts.size() <= maxPoints);
    QVERIFY(pts.size() >= maxPoints - 2);
    bool spikeSeen = false;
    for (const SeriesPoint &p : pts) {
        QCOMPARE(p.t % slot, 0);
        // Recompute the slot's figures from the samples.
        double sum = 0;
        double mn = INFINITY;
        double mx = -INFINITY;
        int n = 0;
        for (int k = 0; k < 600; ++k) {
            const qint64 t = T0 + k * 1000;
            if (t < p.t || t >= p.t + slot)
                continue;
            sum += values[std::size_t(k)];
            mn = std::min(mn, values[std::size_t(k)]);
            mx = std::max(mx, values[std::size_t(k)]);
            ++n;
        }
        QVERIFY(n > 0);
        QCOMPARE(p.value, sum / n);
        QCOMPARE(p.min, mn);
        QCOMPARE(p.max, mx);
        spikeSeen = spikeSeen || p.max == 5000.0;
    }
    QVERIFY(spikeSeen);
}

void TestMetricHistory::downsamplingBucketsWeighsBySamples()
{
    MetricHistory h;
    // Bucket T0: one sample of 10; bucket T0+10 s: three samples of 2. Merged into one 20 s slot the
    // average is (10 + 6) / 4, not (10 + 2) / 2.
    h.add(T0 + 1000, 10);
    for (int k = 0; k < 3; ++k)
        h.add(T0 + 11'000 + k * 1000, 2);
    const QList<SeriesPoint> pts = h.tierPoints(Tier::TenSeconds, T0, T0 + 19'999, 20'000);
    QCOMPARE(pts.size(), 1);
    QCOMPARE(pts.at(0), (SeriesPoint{T0, 4, 2, 10}));
}

void TestMetricHistory::windowPicksTheFinestCoveringTier()
{
    MetricHistory h;
    // 25 hours at one sample a second.
    const qint64 end = T0 + 25LL * 3600 * 1000;
    for (qint64 t = T0; t <= end; t += 1000)
        h.add(t, double((t / 1000) % 100));
    QCOMPARE(h.size(Tier::Raw), MetricHistory::RawCapacity);
    QCOMPARE(h.size(Tier::TenSeconds), MetricHistory::TenSecondCapacity);
    QCOMPARE(h.size(Tier::Minute), MetricHistory::MinuteCapacity);

    QCOMPARE(h.tierFor(end - 5 * 60'000), Tier::Raw);
    QCOMPARE(h.tierFor(end - 10 * 60'000), Tier::Raw); // the raw ring's own span
    QCOMPARE(h.tierFor(end - 11 * 60'000), Tier::TenSeconds);
    QCOMPARE(h.tierFor(end - 3600'000), Tier::TenSeconds); // the 10 s ring's own span, whatever the phase
    QCOMPARE(h.tierFor(end - 3600'000 + 3'000), Tier::TenSeconds);
    QCOMPARE(h.tierFor(end - 61 * 60'000), Tier::Minute);
    QCOMPARE(h.tierFor(end - 24 * 3600'000), Tier::Minute);

    // 5 min: raw seconds; 1 h: 10 s buckets; 24 h: minutes.
    const QList<SeriesPoint> fiveMinutes = h.points(end - 5 * 60'000, end, 1000);
    QCOMPARE(fiveMinutes.size(), 301);
    QCOMPARE(fiveMinutes.at(1).t - fiveMinutes.at(0).t, 1000);
    const QList<SeriesPoint> hour = h.points(end - 3600'000, end, 1000);
    QCOMPARE(hour.size(), 360);
    QCOMPARE(hour.at(1).t - hour.at(0).t, MetricHistory::TenSecondsMs);
    const QList<SeriesPoint> day = h.points(end - 24 * 3600'000, end, 2000);
    QCOMPARE(day.size(), 1440);
    QCOMPARE(day.at(1).t - day.at(0).t, MetricHistory::MinuteMs);
    // Values 0..99 cycling: a minute bucket's average covers 60 consecutive seconds.
    QVERIFY(day.at(10).min >= 0 && day.at(10).max <= 99);

    // Asking for fewer points merges the chosen tier's entries.
    const QList<SeriesPoint> dayIn300 = h.points(end - 24 * 3600'000, end, 300);
    QVERIFY(dayIn300.size() <= 300);
    QVERIFY(dayIn300.size() >= 250);
    QCOMPARE(dayIn300.at(0).t % (5 * MetricHistory::MinuteMs), 0); // 24 h / 299 -> 5 min slots
}

void TestMetricHistory::youngHistoryUsesRawForAnyWindow()
{
    MetricHistory h;
    for (int k = 0; k < 120; ++k)
        h.add(T0 + k * 1000, k);
    QCOMPARE(h.tierFor(T0 - 24 * 3600'000), Tier::Raw);
    QCOMPARE(h.points(T0 + 119'000 - 24 * 3600'000, T0 + 119'000, 500).size(), 120);
}

void TestMetricHistory::memoryIsFlat()
{
    MetricHistory fresh;
    MetricHistory h;
    h.add(T0, 1);
    const qsizetype afterOne = h.memoryBytes();
    QCOMPARE(afterOne, fresh.memoryBytes());
    QRandomGenerator rng(42);
    for (int i = 1; i < 200'000; ++i) // 55 hours; with some jitter and an occasional late sample
        h.add(T0 + qint64(i) * 1000 + rng.bounded(300) - (i % 97 == 0 ? 5000 : 0), rng.generateDouble() * 100);
    QCOMPARE(h.memoryBytes(), afterOne);
    QCOMPARE(h.size(Tier::Raw), MetricHistory::RawCapacity);
    QCOMPARE(h.size(Tier::TenSeconds), MetricHistory::TenSecondCapacity);
    QCOMPARE(h.size(Tier::Minute), MetricHistory::MinuteCapacity);
    QVERIFY2(afterOne < 200 * 1024, qPrintable(QString::number(afterOne)));
}

void TestMetricHistory::outOfOrderSamplesGiveTheSameTiers()
{
    std::vector<std::pair<qint64, double>> samples;
    for (int k = 0; k < 300; ++k)
        samples.emplace_back(T0 + k * 1000 + (k % 3) * 17, double((k * 37) % 11));
    MetricHistory ordered;
    for (const auto &[t, v] : samples)
        ordered.add(t, v);

    std::vector<std::pair<qint64, double>> shuffled = samples;
    // Locally shuffled (late by up to ~20 samples), as a reconnect or a slow agent would deliver.
    QRandomGenerator rng(7);
    for (std::size_t i = 0; i + 20 < shuffled.size(); i += 5)
        std::swap(shuffled[i], shuffled[i + std::size_t(rng.bounded(20))]);
    MetricHistory scrambled;
    for (const auto &[t, v] : shuffled)
        scrambled.add(t, v);

    for (Tier tier : {Tier::Raw, Tier::TenSeconds, Tier::Minute})
        QCOMPARE(scrambled.tierPoints(tier, T0, T0 + 400'000), ordered.tierPoints(tier, T0, T0 + 400'000));
    QCOMPARE(*scrambled.last(), *ordered.last());
    QCOMPARE(*scrambled.lastTime(), *ordered.lastTime());
}

void TestMetricHistory::duplicateSamplesCountOnce()
{
    MetricHistory once;
    MetricHistory twice;
    for (int k = 0; k < 50; ++k) {
        once.add(T0 + k * 1000, k);
        twice.add(T0 + k * 1000, k);
        twice.add(T0 + k * 1000, k);
        if (k > 3)
            twice.add(T0 + (k - 3) * 1000, k - 3); // the same snapshot again, later
    }
    for (Tier tier : {Tier::Raw, Tier::TenSeconds, Tier::Minute})
        QCOMPARE(twice.tierPoints(tier, T0, T0 + 60'000), once.tierPoints(tier, T0, T0 + 60'000));
    QCOMPARE(twice.size(Tier::Raw), 50);
}

void TestMetricHistory::duplicateWithNewValueReplaces()
{
    MetricHistory h;
    for (int k = 0; k < 10; ++k)
        h.add(T0 + k * 1000, 1);
    h.add(T0 + 5000, 100); // corrected
    h.add(T0 + 5000, 11);  // corrected again: 100 must not stay the max
    const QList<SeriesPoint> ten = h.tierPoints(Tier::TenSeconds, T0, T0 + 9000);
    QCOMPARE(ten.size(), 1);
    QCOMPARE(ten.at(0), (SeriesPoint{T0, 2, 1, 11}));
    QCOMPARE(h.tierPoints(Tier::Raw, T0 + 5000, T0 + 5000).at(0).value, 11.0);
}

void TestMetricHistory::tooLateSampleIsDropped()
{
    MetricHistory h;
    for (int k = 0; k < MetricHistory::RawCapacity + 10; ++k)
        h.add(T0 + k * 1000, 1);
    const QList<SeriesPoint> before = h.tierPoints(Tier::TenSeconds, T0, T0 + 3600'000);
    h.add(T0 + 2000, 1000); // older than the oldest raw sample kept
    QCOMPARE(h.tierPoints(Tier::TenSeconds, T0, T0 + 3600'000), before);
    QCOMPARE(h.size(Tier::Raw), MetricHistory::RawCapacity);
    // A late one still inside the raw ring is inserted in order.
    h.add(T0 + 300'500, 7);
    const QList<SeriesPoint> raw = h.tierPoints(Tier::Raw, T0 + 300'000, T0 + 301'000);
    QCOMPARE(raw.size(), 3);
    QCOMPARE(raw.at(1), (SeriesPoint{T0 + 300'500, 7, 7, 7}));
}

void TestMetricHistory::lastIsTheNewestByTime()
{
    MetricHistory h;
    h.add(T0 + 2000, 2);
    h.add(T0 + 1000, 1);
    QCOMPARE(*h.last(), 2.0);
    QCOMPARE(*h.lastTime(), T0 + 2000);
}

void TestMetricHistory::nonFiniteValuesAreIgnored()
{
    MetricHistory h;
    h.add(T0, std::nan(""));
    h.add(T0 + 1000, INFINITY);
    QVERIFY(h.isEmpty());
}

void TestMetricHistory::maxPointsOfOne()
{
    MetricHistory h;
    for (int k = 0; k < 20; ++k)
        h.add(T0 + 5000 + k * 1000, k);
    const QList<SeriesPoint> pts = h.points(T0 + 5000, T0 + 24'000, 1);
    QCOMPARE(pts.size(), 1);
    QCOMPARE(pts.at(0).min, 0.0);
    QCOMPARE(pts.at(0).max, 19.0);
}

QTEST_GUILESS_MAIN(TestMetricHistory)
#include "tst_metrichistory.moc"
