// TrafficMetrics: message and delivery rates and handling-time percentiles over a poll interval, from
// GET /metrics of a Debug arena-server captured with curl (data/metrics): traffic-1 and traffic-2 one
// second apart while 8 players sent 10 room messages a second in relay rooms of 4 (and 3 undecodable
// frames before), traffic-idle-1 and -2 after they stopped, traffic-restarted from a new server
// process with less traffic. Also: the first scrape, a scrape without the families, and the bucket
// increase on its own.
#include "agent/metricstext.h"
#include "agent/queuemetrics.h"
#include "agent/trafficmetrics.h"

#include <QFile>
#include <QJsonObject>
#include <QTest>

#include <limits>

using namespace arena;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(arena::QueueMetrics::Bucket)

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

QueueMetrics::Traffic scrape(const QString &file)
{
    QFile f(QFINDTESTDATA(QStringLiteral("data/metrics/") + file));
    if (!f.open(QIODevice::ReadOnly)) {
        qWarning("cannot read %s", qPrintable(file));
        return {};
    }
    const Result<MetricsText> text = MetricsText::parse(f.readAll());
    if (!text.ok()) {
        qWarning("%s: %s", qPrintable(file), qPrintable(text.error().message));
        return {};
    }
    return QueueMetrics::fromSamples(text->samples).traffic;
}

QList<QueueMetrics::Bucket> buckets(const QList<std::pair<double, quint64>> &list)
{
    QList<QueueMetrics::Bucket> out;
    for (const auto &[le, count] : list)
        out.append(QueueMetrics::Bucket{le, count});
    return out;
}

bool sameBuckets(const QList<QueueMetrics::Bucket> &a, const QList<QueueMetrics::Bucket> &b)
{
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const auto &x, const auto &y) { return x.le == y.le && x.count == y.count; });
}

const TrafficMetrics::Clock::time_point t0{std::chrono::seconds(1000)};

} // namespace

class TestTrafficMetrics final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void readsTheServersFamilies()
    {
        const QueueMetrics::Traffic t = scrape(QStringLiteral("traffic-2.prom"));
        QCOMPARE(t.messages.value_or(-1), 418.0); // outcome="ok" 415 + outcome="refused" 3
        QCOMPARE(t.deliveries.value_or(-1), 1608.0);
        QCOMPARE(t.handleBuckets.size(), 16); // 10 us x 2^0..14, then +Inf
        QCOMPARE(t.handleBuckets.first().le, 1e-05);
        QCOMPARE(t.handleBuckets.at(14).le, 0.16384);
        QCOMPARE(t.handleBuckets.last().le, inf);
        QCOMPARE(t.handleBuckets.last().count, quint64(415));
        QCOMPARE(t.handleBuckets.at(3).count, quint64(104)); // le="8e-05"

        // The matchmaking figures of the same text are unaffected.
        QFile f(QFINDTESTDATA(QStringLiteral("data/metrics/traffic-2.prom")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        const Result<MetricsText> text = MetricsText::parse(f.readAll());
        QVERIFY(text.ok());
        QCOMPARE(QueueMetrics::fromSamples(text->samples).matchesFormedTotal(), qint64(0));
    }

    void twoConsecutiveScrapes()
    {
        TrafficMetrics traffic;
        traffic.add(scrape(QStringLiteral("traffic-1.prom")), t0);
        // The first scrape: a total, but no interval yet.
        QCOMPARE(traffic.messagesTotal().value_or(-1), qint64(337));
        QVERIFY(!traffic.messagesPerSecond());
        QVERIFY(!traffic.deliveriesPerSecond());
        QVERIFY(!traffic.handleP50Seconds());
        QVERIFY(!traffic.handleP99Seconds());
        QCOMPARE(traffic.toJson(), QJsonObject({{QStringLiteral("messages_total"), 337}}));

        traffic.add(scrape(QStringLiteral("traffic-2.prom")), t0 + 1s);
        QCOMPARE(traffic.messagesTotal().value_or(-1), qint64(418));
        QCOMPARE(traffic.messagesPerSecond().value_or(-1), 81.0);    // 418 - 337
        QCOMPARE(traffic.deliveriesPerSecond().value_or(-1), 324.0); // 1608 - 1284
        // Bucket increases (cumulative): <=40us 1, <=80us 22, <=160us 55, <=320us 81 ... +Inf 81.
        // p50: rank 40.5 in (80, 160] us, 18.5 of its 33 -> 80 + 80 * 18.5 / 33 = 124.85 us.
        // p99: rank 80.19 in (160, 320] us, 25.19 of its 26 -> 160 + 160 * 25.19 / 26 = 315.02 us.
        QVERIFY(qFuzzyCompare(traffic.handleP50Seconds().value_or(-1), 80e-6 + 80e-6 * 18.5 / 33));
        QVERIFY(qFuzzyCompare(traffic.handleP99Seconds().value_or(-1), 160e-6 + 160e-6 * 25.19 / 26));
        QCOMPARE(traffic.toJson(), QJsonObject({{QStringLiteral("messages_total"), 418},
                                                {QStringLiteral("messages_per_s"), 81},
                                                {QStringLiteral("deliveries_per_s"), 324},
                                                {QStringLiteral("handle_p50_ms"), 0.125},
                                                {QStringLiteral("handle_p99_ms"), 0.315}}));

        // Over a longer interval the same increase is a lower rate.
        TrafficMetrics slower;
        slower.add(scrape(QStringLiteral("traffic-1.prom")), t0);
        slower.add(scrape(QStringLiteral("traffic-2.prom")), t0 + 2500ms);
        QCOMPARE(slower.messagesPerSecond().value_or(-1), 81.0 / 2.5);
        QCOMPARE(slower.deliveriesPerSecond().value_or(-1), 324.0 / 2.5);
        QCOMPARE(slower.handleP99Seconds(), traffic.handleP99Seconds()); // percentiles do not depend on time
    }

    void busRecordsPerSecond()
    {
        const auto bus = [](int in, int out) {
            const QByteArray text = "# TYPE arena_bus_records_total counter\n"
                                    "arena_bus_records_total{direction=\"in\"} " + QByteArray::number(in) + "\n"
                                    "arena_bus_records_total{direction=\"out\"} " + QByteArray::number(out) + "\n";
            const Result<MetricsText> parsed = MetricsText::parse(text);
            return parsed.ok() ? QueueMetrics::fromSamples(parsed->samples).traffic : QueueMetrics::Traffic();
        };
        QCOMPARE(bus(10, 20).busIn.value_or(-1), 10.0);
        QCOMPARE(bus(10, 20).busOut.value_or(-1), 20.0);
        // A server without a bus (no Redis) has no such figures.
        QVERIFY(!scrape(QStringLiteral("traffic-2.prom")).busIn);
        TrafficMetrics traffic;
        traffic.add(bus(10, 20), t0);
        QVERIFY(!traffic.busInPerSecond());
        traffic.add(bus(410, 1020), t0 + 2s);
        QCOMPARE(traffic.busInPerSecond().value_or(-1), 200.0);
        QCOMPARE(traffic.busOutPerSecond().value_or(-1), 500.0);
        QCOMPARE(traffic.toJson().value(QStringLiteral("bus_in_per_s")).toDouble(), 200.0);
        QCOMPARE(traffic.toJson().value(QStringLiteral("bus_out_per_s")).toDouble(), 500.0);
    }

    void emptyInterval()
    {
        TrafficMetrics traffic;
        traffic.add(scrape(QStringLiteral("traffic-idle-1.prom")), t0);
        traffic.add(scrape(QStringLiteral("traffic-idle-2.prom")), t0 + 1s);
        QCOMPARE(traffic.messagesTotal().value_or(-1), qint64(499));
        QCOMPARE(traffic.messagesPerSecond().value_or(-1), 0.0);
        QCOMPARE(traffic.deliveriesPerSecond().value_or(-1), 0.0);
        // No message handled in the interval: nothing to take percentiles of.
        QVERIFY(!traffic.handleP50Seconds());
        QVERIFY(!traffic.handleP99Seconds());
        QCOMPARE(traffic.toJson(), QJsonObject({{QStringLiteral("messages_total"), 499},
                                                {QStringLiteral("messages_per_s"), 0},
                                                {QStringLiteral("deliveries_per_s"), 0}}));
    }

    void counterReset()
    {
        TrafficMetrics traffic;
        traffic.add(scrape(QStringLiteral("traffic-2.prom")), t0);
        // A new server process: every counter below the previous scrape's.
        traffic.add(scrape(QStringLiteral("traffic-restarted.prom")), t0 + 1s);
        QCOMPARE(traffic.messagesTotal().value_or(-1), qint64(48));
        QVERIFY(!traffic.messagesPerSecond());
        QVERIFY(!traffic.deliveriesPerSecond());
        QVERIFY(!traffic.handleP50Seconds());
        QVERIFY(!traffic.handleP99Seconds());
        // The next interval is measured from the new process's figures.
        traffic.add(scrape(QStringLiteral("traffic-restarted.prom")), t0 + 2s);
        QCOMPARE(traffic.messagesPerSecond().value_or(-1), 0.0);
        QCOMPARE(traffic.deliveriesPerSecond().value_or(-1), 0.0);

        // reset() (the collector's, when the server's pid or start time changes) forgets the previous
        // scrape even when the counters happen to be higher.
        TrafficMetrics afterReset;
        afterReset.add(scrape(QStringLiteral("traffic-restarted.prom")), t0);
        afterReset.reset();
        QVERIFY(!afterReset.messagesTotal());
        QCOMPARE(afterReset.toJson(), QJsonObject());
        afterReset.add(scrape(QStringLiteral("traffic-2.prom")), t0 + 1s);
        QCOMPARE(afterReset.messagesTotal().value_or(-1), qint64(418));
        QVERIFY(!afterReset.messagesPerSecond());
        QVERIFY(!afterReset.handleP99Seconds());
    }

    void scrapeWithoutTheFamilies()
    {
        // /metrics failed (or an older server): no figures now, and the next rate spans both intervals.
        TrafficMetrics traffic;
        traffic.add(scrape(QStringLiteral("traffic-1.prom")), t0);
        traffic.add(QueueMetrics::Traffic(), t0 + 1s);
        QCOMPARE(traffic.toJson(), QJsonObject());
        traffic.add(scrape(QStringLiteral("traffic-2.prom")), t0 + 2s);
        QCOMPARE(traffic.messagesPerSecond().value_or(-1), 81.0 / 2);
        QCOMPARE(traffic.deliveriesPerSecond().value_or(-1), 324.0 / 2);
        QVERIFY(qFuzzyCompare(traffic.handleP99Seconds().value_or(-1), 160e-6 + 160e-6 * 25.19 / 26));

        // A text without +Inf is not a histogram the agent can use.
        const Result<MetricsText> text = MetricsText::parse("arena_player_message_seconds_bucket{le=\"1e-05\"} 3\n"
                                                            "arena_player_messages_total{outcome=\"ok\"} 3\n");
        QVERIFY(text.ok());
        const QueueMetrics::Traffic partial = QueueMetrics::fromSamples(text->samples).traffic;
        QVERIFY(partial.handleBuckets.isEmpty());
        QCOMPARE(partial.messages.value_or(-1), 3.0);
        QVERIFY(!partial.deliveries);
    }

    void increase_data()
    {
        QTest::addColumn<QList<QueueMetrics::Bucket>>("before");
        QTest::addColumn<QList<QueueMetrics::Bucket>>("after");
        QTest::addColumn<QList<QueueMetrics::Bucket>>("expected");
        QTest::addRow("increase") << buckets({{0.1, 1}, {0.2, 3}, {inf, 3}}) << buckets({{0.1, 4}, {0.2, 9}, {inf, 10}})
                                  << buckets({{0.1, 3}, {0.2, 6}, {inf, 7}});
        QTest::addRow("unchanged") << buckets({{0.1, 1}, {inf, 3}}) << buckets({{0.1, 1}, {inf, 3}})
                                   << buckets({{0.1, 0}, {inf, 0}});
        QTest::addRow("no previous") << buckets({}) << buckets({{0.1, 1}, {inf, 3}}) << buckets({});
        QTest::addRow("a count went down") << buckets({{0.1, 2}, {inf, 3}}) << buckets({{0.1, 1}, {inf, 4}})
                                           << buckets({});
        QTest::addRow("other bounds") << buckets({{0.1, 1}, {inf, 3}}) << buckets({{0.2, 1}, {inf, 3}}) << buckets({});
        QTest::addRow("more bounds") << buckets({{0.1, 1}, {inf, 3}}) << buckets({{0.1, 1}, {0.2, 2}, {inf, 3}})
                                     << buckets({});
    }

    void increase()
    {
        QFETCH(QList<QueueMetrics::Bucket>, before);
        QFETCH(QList<QueueMetrics::Bucket>, after);
        QFETCH(QList<QueueMetrics::Bucket>, expected);
        QVERIFY(sameBuckets(TrafficMetrics::increase(before, after), expected));
    }
};

QTEST_GUILESS_MAIN(TestTrafficMetrics)
#include "tst_trafficmetrics.moc"
