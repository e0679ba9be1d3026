// QueueMetrics: the matchmaking figures out of /metrics, from families registered exactly as
// server/matchmaking/matchmaker.cpp registers them and rendered by the server's own MetricsRegistry;
// the histogram quantile estimate; the JSON forms.
#include "agent/metricstext.h"
#include "agent/queuemetrics.h"
#include "shared/core/metricsregistry.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTest>

#include <limits>

using namespace arena;

Q_DECLARE_METATYPE(arena::QueueMetrics::Bucket)

namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// The matchmaker's families: same names, labels and buckets (server/matchmaking/matchmaker.cpp).
struct MatchmakerFamilies
{
    MetricsRegistry registry;
    GaugeFamily &tickets = registry.gauge(QStringLiteral("arena_matchmaking_queue_tickets"), QStringLiteral("Tickets"),
                                          {QStringLiteral("room_type"), QStringLiteral("team_size")});
    HistogramFamily &wait = registry.histogram(QStringLiteral("arena_matchmaking_wait_seconds"), QStringLiteral("Wait"),
                                               {QStringLiteral("room_type")},
                                               {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600});
    CounterFamily &matches = registry.counter(QStringLiteral("arena_matchmaking_matches_total"), QStringLiteral("Matches"),
                                              {QStringLiteral("room_type")});
    CounterFamily &ticketsTotal = registry.counter(QStringLiteral("arena_matchmaking_tickets_total"),
                                                   QStringLiteral("Tickets accepted"), {QStringLiteral("room_type")});

    QueueMetrics parse() const
    {
        const Result<MetricsText> text = MetricsText::parse(registry.exposition());
        return text.ok() ? QueueMetrics::fromSamples(text->samples) : QueueMetrics();
    }
};

QList<QueueMetrics::Bucket> buckets(const QList<std::pair<double, quint64>> &list)
{
    QList<QueueMetrics::Bucket> out;
    for (const auto &[le, count] : list)
        out.append(QueueMetrics::Bucket{le, count});
    return out;
}

} // namespace

class TestQueueMetrics final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void figuresFromTheServersFamilies()
    {
        MatchmakerFamilies m;
        m.tickets.labels({QStringLiteral("duel"), QStringLiteral("1")}).set(3);
        m.tickets.labels({QStringLiteral("duel"), QStringLiteral("2")}).set(1);
        m.tickets.labels({QStringLiteral("chess"), QStringLiteral("1")}).set(0);
        for (const double seconds : {0.05, 0.2, 0.3, 0.7, 3.0})
            m.wait.labels({QStringLiteral("duel")}).observe(seconds);
        m.matches.labels({QStringLiteral("duel")}).inc(2);
        m.matches.labels({QStringLiteral("chess")}).inc(1);
        m.ticketsTotal.labels({QStringLiteral("duel")}).inc(9); // another family: ignored

        const QueueMetrics q = m.parse();
        QCOMPARE(q.queues.size(), 3);
        QCOMPARE(q.queues[0].roomType, QStringLiteral("chess"));
        QCOMPARE(q.queues[0].tickets, qint64(0));
        QCOMPARE(q.queues[1].roomType, QStringLiteral("duel"));
        QCOMPARE(q.queues[1].teamSize, 1);
        QCOMPARE(q.queues[1].tickets, qint64(3));
        QCOMPARE(q.queues[2].teamSize, 2);
        QCOMPARE(q.queues[2].tickets, qint64(1));

        QCOMPARE(q.waits.size(), 1); // chess never had a matched ticket: no series
        const QueueMetrics::Wait &w = q.waits[0];
        QCOMPARE(w.roomType, QStringLiteral("duel"));
        QCOMPARE(w.count, quint64(5));
        QCOMPARE(w.sumSeconds, 4.25);
        QCOMPARE(w.buckets.size(), 14); // 13 bounds and +Inf
        QCOMPARE(w.buckets[0].le, 0.1);
        QCOMPARE(w.buckets[0].count, quint64(1));
        QCOMPARE(w.buckets[2].count, quint64(3)); // le 0.5
        QVERIFY(std::isinf(w.buckets.last().le));
        QCOMPARE(w.buckets.last().count, quint64(5));
        // p50: rank 2.5 falls in (0.25, 0.5] holding the 3rd observation: 0.25 + 0.25 * 0.5.
        QCOMPARE(w.p50Seconds.value_or(-1), 0.375);
        // p99: rank 4.95 falls in (2.5, 5] holding the 5th: 2.5 + 2.5 * 0.95.
        QCOMPARE(w.p99Seconds.value_or(-1), 4.875);

        QCOMPARE(q.matchesFormed.value(QStringLiteral("duel")), qint64(2));
        QCOMPARE(q.matchesFormedTotal(), qint64(3));

        const QJsonArray queues = q.queuesJson();
        QCOMPARE(queues.size(), 3);
        QCOMPARE(queues[1].toObject().value(QStringLiteral("room_type")).toString(), QStringLiteral("duel"));
        QCOMPARE(queues[1].toObject().value(QStringLiteral("team_size")).toInt(), 1);
        QCOMPARE(queues[1].toObject().value(QStringLiteral("tickets")).toInt(), 3);

        const QJsonObject duel = q.waitJson().value(QStringLiteral("duel")).toObject();
        QCOMPARE(duel.value(QStringLiteral("count")).toInt(), 5);
        QCOMPARE(duel.value(QStringLiteral("sum_s")).toDouble(), 4.25);
        QCOMPARE(duel.value(QStringLiteral("p50_s")).toDouble(), 0.375);
        QCOMPARE(duel.value(QStringLiteral("p99_s")).toDouble(), 4.875);
        const QJsonArray b = duel.value(QStringLiteral("buckets")).toArray();
        QCOMPARE(b.size(), 14);
        QCOMPARE(b.first().toObject().value(QStringLiteral("le")).toDouble(), 0.1);
        QCOMPARE(b.last().toObject().value(QStringLiteral("le")).toString(), QStringLiteral("+Inf"));
        QCOMPARE(b.last().toObject().value(QStringLiteral("count")).toInt(), 5);
    }

    void noMatchmakingYet()
    {
        MatchmakerFamilies m; // registered, nothing observed: families without series
        const QueueMetrics q = m.parse();
        QVERIFY(q.queues.isEmpty());
        QVERIFY(q.waits.isEmpty());
        QCOMPARE(q.matchesFormedTotal(), qint64(0));
        QVERIFY(q.queuesJson().isEmpty());
        QVERIFY(q.waitJson().isEmpty());
    }

    void quantile_data()
    {
        QTest::addColumn<QList<QueueMetrics::Bucket>>("buckets");
        QTest::addColumn<double>("q");
        QTest::addColumn<double>("expected"); // -1: no estimate

        const auto b = buckets({{1, 10}, {2, 20}, {4, 40}, {inf, 40}});
        QTest::newRow("median inside a bucket") << b << 0.5 << 2.0;
        QTest::newRow("first bucket starts at 0") << b << 0.125 << 0.5;
        QTest::newRow("p99 in the last finite bucket") << b << 0.99 << 3.96;
        QTest::newRow("max is the top bound") << b << 1.0 << 4.0;
        QTest::newRow("beyond every finite bound") << buckets({{1, 0}, {2, 1}, {inf, 10}}) << 0.99 << 2.0;
        QTest::newRow("everything above the only bound") << buckets({{1, 0}, {inf, 3}}) << 0.5 << 1.0;
        QTest::newRow("only +Inf") << buckets({{inf, 3}}) << 0.5 << -1.0;
        QTest::newRow("no observations") << buckets({{1, 0}, {inf, 0}}) << 0.5 << -1.0;
        QTest::newRow("no buckets") << QList<QueueMetrics::Bucket>() << 0.5 << -1.0;
        QTest::newRow("q out of range") << b << 1.5 << -1.0;
    }

    void quantile()
    {
        QFETCH(QList<QueueMetrics::Bucket>, buckets);
        QFETCH(double, q);
        QFETCH(double, expected);
        const std::optional<double> value = QueueMetrics::quantile(q, buckets);
        if (expected < 0) {
            QVERIFY(!value.has_value());
        } else {
            QVERIFY(value.has_value());
            QCOMPARE(*value, expected);
        }
    }
};

QTEST_GUILESS_MAIN(TestQueueMetrics)
#include "tst_queuemetrics.moc"
