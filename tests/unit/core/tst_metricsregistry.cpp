// Tests MetricsRegistry: exact exposition text, lookups, validation of names and labels, threads.
#include "shared/core/metricsregistry.h"

#include <QRegularExpression>
#include <QTest>
#include <QThread>

#include <cmath>
#include <memory>
#include <stdexcept>
#include <vector>

using namespace arena;

namespace {

QRegularExpression programmingError(const QString &fragment)
{
    return QRegularExpression(QStringLiteral("^programming error: .*") + QRegularExpression::escape(fragment));
}

} // namespace

class TestMetricsRegistry final : public QObject
{
    Q_OBJECT

private slots:
    void exposition();
    void emptyRegistry();
    void unlabelledStartsAtZero();
    void labelledFamilyWithoutSeries();
    void defaultBuckets();
    void bucketBoundaries();
    void customBucketHelpers();
    void readBack();
    void gaugeOperations();
    void sameRegistrationReturnsSameFamily();
    void removeSeriesAndFamily();
    void invalidMetricName_data();
    void invalidMetricName();
    void invalidLabelNames_data();
    void invalidLabelNames();
    void conflictingRegistration();
    void histogramSuffixCollision();
    void badBuckets();
    void wrongLabelCount();
    void negativeCounterIncrement();
    void callbackProblems();
    void concurrentIncrements();
};

void TestMetricsRegistry::exposition()
{
    MetricsRegistry registry;
    CounterFamily &requests = registry.counter(QStringLiteral("arena_requests_total"), QStringLiteral("Admin requests handled."),
                                               {QStringLiteral("method"), QStringLiteral("code")});
    requests.labels({QStringLiteral("POST"), QStringLiteral("500")}).inc(2);
    requests.labels({QStringLiteral("GET"), QStringLiteral("200")}).inc();
    requests.labels({QStringLiteral("GET"), QStringLiteral("200")}).inc();
    requests.labels({QStringLiteral("GET"), QStringLiteral("404")}).inc(0.5);

    registry.counter(QStringLiteral("arena_restarts_total"), QStringLiteral("Worker restarts.")).labels().inc();

    GaugeFamily &rooms = registry.gauge(QStringLiteral("arena_rooms"), QStringLiteral("Rooms by type.\nPath C:\\rooms"),
                                        {QStringLiteral("type")});
    rooms.labels({QStringLiteral("lobby")}).set(3);
    rooms.labels({QStringLiteral("say \"hi\"\\\nnext")}).set(-1.5);

    QVERIFY(registry.callbackGauge(QStringLiteral("arena_pool_idle"), QStringLiteral("Idle connections."), [] { return 3.5; }));
    QVERIFY(registry.callbackGauge(QStringLiteral("arena_pool_connections"), QStringLiteral("Connections by state."),
                                   {QStringLiteral("state")}, [] {
                                       return QList<CallbackSample>{{{QStringLiteral("waiting")}, 0},
                                                                    {{QStringLiteral("idle")}, 2},
                                                                    {{QStringLiteral("total")}, 5}};
                                   }));

    HistogramFamily &latency = registry.histogram(QStringLiteral("arena_latency_seconds"), QStringLiteral("Request latency."),
                                                  {QStringLiteral("route")}, {0.005, 0.1, 1});
    Histogram &x = latency.labels({QStringLiteral("/x")});
    for (const double v : {0.00390625, 0.0625, 0.5, 2.0})
        x.observe(v);
    latency.labels({QStringLiteral("/a")}); // a series with no observations yet

    const QByteArray expected =
        "# HELP arena_latency_seconds Request latency.\n"
        "# TYPE arena_latency_seconds histogram\n"
        "arena_latency_seconds_bucket{route=\"/a\",le=\"0.005\"} 0\n"
        "arena_latency_seconds_bucket{route=\"/a\",le=\"0.1\"} 0\n"
        "arena_latency_seconds_bucket{route=\"/a\",le=\"1\"} 0\n"
        "arena_latency_seconds_bucket{route=\"/a\",le=\"+Inf\"} 0\n"
        "arena_latency_seconds_sum{route=\"/a\"} 0\n"
        "arena_latency_seconds_count{route=\"/a\"} 0\n"
        "arena_latency_seconds_bucket{route=\"/x\",le=\"0.005\"} 1\n"
        "arena_latency_seconds_bucket{route=\"/x\",le=\"0.1\"} 2\n"
        "arena_latency_seconds_bucket{route=\"/x\",le=\"1\"} 3\n"
        "arena_latency_seconds_bucket{route=\"/x\",le=\"+Inf\"} 4\n"
        "arena_latency_seconds_sum{route=\"/x\"} 2.56640625\n"
        "arena_latency_seconds_count{route=\"/x\"} 4\n"
        "# HELP arena_pool_connections Connections by state.\n"
        "# TYPE arena_pool_connections gauge\n"
        "arena_pool_connections{state=\"idle\"} 2\n"
        "arena_pool_connections{state=\"total\"} 5\n"
        "arena_pool_connections{state=\"waiting\"} 0\n"
        "# HELP arena_pool_idle Idle connections.\n"
        "# TYPE arena_pool_idle gauge\n"
        "arena_pool_idle 3.5\n"
        "# HELP arena_requests_total Admin requests handled.\n"
        "# TYPE arena_requests_total counter\n"
        "arena_requests_total{method=\"GET\",code=\"200\"} 2\n"
        "arena_requests_total{method=\"GET\",code=\"404\"} 0.5\n"
        "arena_requests_total{method=\"POST\",code=\"500\"} 2\n"
        "# HELP arena_restarts_total Worker restarts.\n"
        "# TYPE arena_restarts_total counter\n"
        "arena_restarts_total 1\n"
        "# HELP arena_rooms Rooms by type.\\nPath C:\\\\rooms\n"
        "# TYPE arena_rooms gauge\n"
        "arena_rooms{type=\"lobby\"} 3\n"
        "arena_rooms{type=\"say \\\"hi\\\"\\\\\\nnext\"} -1.5\n";
    QCOMPARE(registry.exposition(), expected);
    QVERIFY(registry.programmingErrors().isEmpty());
    QCOMPARE(QByteArray(prometheus::contentType), QByteArray("text/plain; version=0.0.4; charset=utf-8"));
}

void TestMetricsRegistry::emptyRegistry()
{
    MetricsRegistry registry;
    QCOMPARE(registry.exposition(), QByteArray());
    QVERIFY(registry.names().isEmpty());
}

void TestMetricsRegistry::unlabelledStartsAtZero()
{
    MetricsRegistry registry;
    registry.gauge(QStringLiteral("g"), QStringLiteral("G."));
    QCOMPARE(registry.exposition(), QByteArray("# HELP g G.\n# TYPE g gauge\ng 0\n"));
}

void TestMetricsRegistry::labelledFamilyWithoutSeries()
{
    MetricsRegistry registry;
    registry.counter(QStringLiteral("c_total"), QStringLiteral("C."), {QStringLiteral("x")});
    QCOMPARE(registry.exposition(), QByteArray("# HELP c_total C.\n# TYPE c_total counter\n"));
}

void TestMetricsRegistry::defaultBuckets()
{
    QCOMPARE(MetricsRegistry::defaultBuckets(), (QList<double>{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}));
    MetricsRegistry registry;
    registry.histogram(QStringLiteral("h"), QStringLiteral("H.")).labels().observe(0.3);
    QCOMPARE(registry.exposition(), QByteArray("# HELP h H.\n# TYPE h histogram\n"
                                               "h_bucket{le=\"0.005\"} 0\n"
                                               "h_bucket{le=\"0.01\"} 0\n"
                                               "h_bucket{le=\"0.025\"} 0\n"
                                               "h_bucket{le=\"0.05\"} 0\n"
                                               "h_bucket{le=\"0.1\"} 0\n"
                                               "h_bucket{le=\"0.25\"} 0\n"
                                               "h_bucket{le=\"0.5\"} 1\n"
                                               "h_bucket{le=\"1\"} 1\n"
                                               "h_bucket{le=\"2.5\"} 1\n"
                                               "h_bucket{le=\"5\"} 1\n"
                                               "h_bucket{le=\"10\"} 1\n"
                                               "h_bucket{le=\"+Inf\"} 1\n"
                                               "h_sum 0.3\n"
                                               "h_count 1\n"));
}

void TestMetricsRegistry::bucketBoundaries()
{
    Histogram h({1, 2});
    h.observe(1);                                          // le is inclusive
    h.observe(1.5);
    h.observe(std::numeric_limits<double>::infinity());    // only +Inf
    h.observe(-5);                                         // below every bound: first bucket
    h.observe(std::numeric_limits<double>::quiet_NaN());   // NaN counts in +Inf only
    const Histogram::Snapshot s = h.snapshot();
    QCOMPARE(s.upperBounds, (QList<double>{1, 2}));
    QCOMPARE(s.cumulativeCounts, (QList<quint64>{2, 3, 5}));
    QCOMPARE(s.count, quint64(5));
    QVERIFY(std::isnan(s.sum));
    QCOMPARE(h.count(), quint64(5));

    // An explicit trailing +Inf is accepted and not doubled.
    MetricsRegistry registry;
    registry.histogram(QStringLiteral("h"), QStringLiteral("H."), {}, {1, std::numeric_limits<double>::infinity()});
    QCOMPARE(registry.exposition(), QByteArray("# HELP h H.\n# TYPE h histogram\n"
                                               "h_bucket{le=\"1\"} 0\nh_bucket{le=\"+Inf\"} 0\nh_sum 0\nh_count 0\n"));
    QVERIFY(registry.programmingErrors().isEmpty());
}

void TestMetricsRegistry::customBucketHelpers()
{
    QCOMPARE(MetricsRegistry::linearBuckets(1, 2, 3), (QList<double>{1, 3, 5}));
    QCOMPARE(MetricsRegistry::exponentialBuckets(0.001, 10, 4).size(), 4);
    const QList<double> exp = MetricsRegistry::exponentialBuckets(1, 2, 4);
    QCOMPARE(exp, (QList<double>{1, 2, 4, 8}));
    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("linearBuckets")));
    QVERIFY(MetricsRegistry::linearBuckets(0, 0, 3).isEmpty());
    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("exponentialBuckets")));
    QVERIFY(MetricsRegistry::exponentialBuckets(1, 1, 3).isEmpty());
}

void TestMetricsRegistry::readBack()
{
    MetricsRegistry registry;
    registry.counter(QStringLiteral("c_total"), QStringLiteral("C."), {QStringLiteral("k")}).labels({QStringLiteral("a")}).inc(4);
    registry.gauge(QStringLiteral("g"), QStringLiteral("G.")).labels().set(-2);
    Histogram &h = registry.histogram(QStringLiteral("h_seconds"), QStringLiteral("H."), {QStringLiteral("r")}, {1})
                       .labels({QStringLiteral("x")});
    h.observe(0.5);
    h.observe(3);
    int calls = 0;
    QVERIFY(registry.callbackGauge(QStringLiteral("cb"), QStringLiteral("CB."), [&calls] { return double(++calls); }));

    QCOMPARE(registry.value(QStringLiteral("c_total"), {QStringLiteral("a")}), std::optional<double>(4));
    QCOMPARE(registry.value(QStringLiteral("c_total"), {QStringLiteral("b")}), std::nullopt);
    QCOMPARE(registry.value(QStringLiteral("g")), std::optional<double>(-2));
    QCOMPARE(registry.value(QStringLiteral("h_seconds_count"), {QStringLiteral("x")}), std::optional<double>(2));
    QCOMPARE(registry.value(QStringLiteral("h_seconds_sum"), {QStringLiteral("x")}), std::optional<double>(3.5));
    QCOMPARE(registry.value(QStringLiteral("h_seconds"), {QStringLiteral("x")}), std::nullopt);
    QCOMPARE(registry.value(QStringLiteral("h_seconds_bucket"), {QStringLiteral("x")}), std::nullopt);
    QCOMPARE(registry.value(QStringLiteral("nope")), std::nullopt);
    // Callback gauges are evaluated on every read and every scrape.
    QCOMPARE(registry.value(QStringLiteral("cb")), std::optional<double>(1));
    QVERIFY(registry.exposition().contains("\ncb 2\n"));
    QCOMPARE(calls, 2);
}

void TestMetricsRegistry::gaugeOperations()
{
    Gauge g;
    g.set(10);
    g.inc();
    g.inc(2.5);
    g.dec();
    g.dec(0.5);
    QCOMPARE(g.value(), 12.0);
    g.set(-std::numeric_limits<double>::infinity());
    QCOMPARE(prometheus::formatValue(g.value()), QByteArray("-Inf"));
}

void TestMetricsRegistry::sameRegistrationReturnsSameFamily()
{
    MetricsRegistry registry;
    CounterFamily &a = registry.counter(QStringLiteral("c_total"), QStringLiteral("C."), {QStringLiteral("k")});
    CounterFamily &b = registry.counter(QStringLiteral("c_total"), QStringLiteral("C."), {QStringLiteral("k")});
    QCOMPARE(&a, &b);
    Counter &s1 = a.labels({QStringLiteral("v")});
    Counter &s2 = b.labels({QStringLiteral("v")});
    QCOMPARE(&s1, &s2);
    HistogramFamily &h1 = registry.histogram(QStringLiteral("h"), QStringLiteral("H."), {}, {1, 2});
    HistogramFamily &h2 = registry.histogram(QStringLiteral("h"), QStringLiteral("H."), {}, {1, 2});
    QCOMPARE(&h1, &h2);
    QVERIFY(registry.programmingErrors().isEmpty());
}

void TestMetricsRegistry::removeSeriesAndFamily()
{
    MetricsRegistry registry;
    GaugeFamily &workers = registry.gauge(QStringLiteral("worker_matches"), QStringLiteral("M."), {QStringLiteral("worker")});
    workers.labels({QStringLiteral("1")}).set(3);
    workers.labels({QStringLiteral("2")}).set(4);
    QVERIFY(workers.contains({QStringLiteral("2")}));
    QVERIFY(workers.remove({QStringLiteral("2")}));
    QVERIFY(!workers.remove({QStringLiteral("2")}));
    QCOMPARE(registry.exposition(), QByteArray("# HELP worker_matches M.\n# TYPE worker_matches gauge\n"
                                               "worker_matches{worker=\"1\"} 3\n"));
    workers.clear();
    QCOMPARE(registry.value(QStringLiteral("worker_matches"), {QStringLiteral("1")}), std::nullopt);

    QVERIFY(registry.callbackGauge(QStringLiteral("pool"), QStringLiteral("P."), [] { return 1.0; }));
    QVERIFY(registry.contains(QStringLiteral("pool")));
    QVERIFY(registry.remove(QStringLiteral("pool")));
    QVERIFY(!registry.contains(QStringLiteral("pool")));
    QVERIFY(!registry.remove(QStringLiteral("pool")));
    // The name is free again.
    QVERIFY(registry.callbackGauge(QStringLiteral("pool"), QStringLiteral("P."), [] { return 2.0; }));
    QCOMPARE(registry.value(QStringLiteral("pool")), std::optional<double>(2));
}

void TestMetricsRegistry::invalidMetricName_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("dash") << QStringLiteral("arena-sessions");
    QTest::newRow("leading digit") << QStringLiteral("1st");
    QTest::newRow("empty") << QString();
    QTest::newRow("space") << QStringLiteral("a b");
}

void TestMetricsRegistry::invalidMetricName()
{
    QFETCH(QString, name);
    MetricsRegistry registry;
    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("metric name \"%1\" is invalid").arg(name)));
    CounterFamily &family = registry.counter(name, QStringLiteral("Bad."));
    family.labels().inc(); // the detached family works but is never exported
    QCOMPARE(registry.exposition(), QByteArray());
    QVERIFY(!registry.contains(name));
    QCOMPARE(registry.programmingErrors().size(), 1);

    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("metric name \"%1\" is invalid").arg(name)));
    QVERIFY(!registry.callbackGauge(name, QStringLiteral("Bad."), [] { return 1.0; }));
}

void TestMetricsRegistry::invalidLabelNames_data()
{
    QTest::addColumn<QStringList>("labels");
    QTest::addColumn<bool>("histogram");
    QTest::addColumn<QString>("reason");
    QTest::newRow("reserved prefix") << QStringList{QStringLiteral("__name__")} << false
                                     << QStringLiteral("label name \"__name__\" is invalid");
    QTest::newRow("dash") << QStringList{QStringLiteral("a-b")} << false << QStringLiteral("label name \"a-b\" is invalid");
    QTest::newRow("colon") << QStringList{QStringLiteral("a:b")} << false << QStringLiteral("label name \"a:b\" is invalid");
    QTest::newRow("twice") << QStringList{QStringLiteral("a"), QStringLiteral("a")} << false
                           << QStringLiteral("label name \"a\" given twice");
    QTest::newRow("le in histogram") << QStringList{QStringLiteral("le")} << true
                                     << QStringLiteral("label name \"le\" is reserved for histogram buckets");
}

void TestMetricsRegistry::invalidLabelNames()
{
    QFETCH(QStringList, labels);
    QFETCH(bool, histogram);
    QFETCH(QString, reason);
    MetricsRegistry registry;
    QTest::ignoreMessage(QtCriticalMsg, programmingError(reason));
    if (histogram)
        registry.histogram(QStringLiteral("m"), QStringLiteral("M."), labels);
    else
        registry.gauge(QStringLiteral("m"), QStringLiteral("M."), labels);
    QVERIFY(!registry.contains(QStringLiteral("m")));
    QCOMPARE(registry.programmingErrors().size(), 1);
    QVERIFY(registry.programmingErrors().constFirst().contains(reason));
}

void TestMetricsRegistry::conflictingRegistration()
{
    MetricsRegistry registry;
    CounterFamily &original = registry.counter(QStringLiteral("x_total"), QStringLiteral("X."));
    original.labels().inc();

    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("metric x_total is already registered as a counter")));
    GaugeFamily &asGauge = registry.gauge(QStringLiteral("x_total"), QStringLiteral("X."));
    asGauge.labels().set(100);

    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("metric x_total is already registered as a counter")));
    CounterFamily &otherLabels = registry.counter(QStringLiteral("x_total"), QStringLiteral("X."), {QStringLiteral("k")});
    QVERIFY(&otherLabels != &original);

    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("metric x_total is already registered as a counter")));
    registry.counter(QStringLiteral("x_total"), QStringLiteral("Other help."));

    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("metric x_total is already registered")));
    QVERIFY(!registry.callbackGauge(QStringLiteral("x_total"), QStringLiteral("X."), [] { return 1.0; }));

    registry.histogram(QStringLiteral("h"), QStringLiteral("H."), {}, {1});
    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("metric h is already registered as a histogram")));
    registry.histogram(QStringLiteral("h"), QStringLiteral("H."), {}, {2});

    QCOMPARE(registry.value(QStringLiteral("x_total")), std::optional<double>(1)); // the original is untouched
    QCOMPARE(registry.programmingErrors().size(), 5);
}

void TestMetricsRegistry::histogramSuffixCollision()
{
    MetricsRegistry registry;
    registry.histogram(QStringLiteral("rpc_seconds"), QStringLiteral("R."));
    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("metric rpc_seconds_count collides with the samples of histogram rpc_seconds")));
    registry.counter(QStringLiteral("rpc_seconds_count"), QStringLiteral("C."));
    registry.gauge(QStringLiteral("queue_sum"), QStringLiteral("S."));
    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("histogram queue collides with metric queue_sum")));
    registry.histogram(QStringLiteral("queue"), QStringLiteral("Q."));
    QCOMPARE(registry.names(), (QStringList{QStringLiteral("queue_sum"), QStringLiteral("rpc_seconds")}));
}

void TestMetricsRegistry::badBuckets()
{
    MetricsRegistry registry;
    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("histogram h: bucket bounds must be finite and strictly ascending")));
    HistogramFamily &h = registry.histogram(QStringLiteral("h"), QStringLiteral("H."), {}, {1, 1, 2});
    h.labels().observe(1);
    QVERIFY(!registry.contains(QStringLiteral("h")));
    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("bucket bounds must be finite")));
    registry.histogram(QStringLiteral("h2"), QStringLiteral("H."), {}, {std::numeric_limits<double>::quiet_NaN()});
    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("bucket bounds must be finite")));
    registry.histogram(QStringLiteral("h3"), QStringLiteral("H."), {}, {2, 1});
    QCOMPARE(registry.exposition(), QByteArray());
}

void TestMetricsRegistry::wrongLabelCount()
{
    MetricsRegistry registry;
    CounterFamily &family = registry.counter(QStringLiteral("req_total"), QStringLiteral("R."),
                                             {QStringLiteral("method"), QStringLiteral("code")});
    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("metric req_total: 1 label values given for 2 label names (method,code)")));
    family.labels({QStringLiteral("GET")}).inc();
    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("metric req_total: 0 label values given for 2 label names")));
    family.labels().inc();
    QCOMPARE(registry.exposition(), QByteArray("# HELP req_total R.\n# TYPE req_total counter\n"));
    QCOMPARE(registry.programmingErrors().size(), 2);
}

void TestMetricsRegistry::negativeCounterIncrement()
{
    Counter c;
    c.inc(2);
    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("Counter::inc(-1): a counter only goes up")));
    c.inc(-1);
    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("Counter::inc(nan)")));
    c.inc(std::numeric_limits<double>::quiet_NaN());
    QCOMPARE(c.value(), 2.0);
}

void TestMetricsRegistry::callbackProblems()
{
    MetricsRegistry registry;
    QVERIFY(registry.callbackGauge(QStringLiteral("pool"), QStringLiteral("P."), {QStringLiteral("state")}, [] {
        return QList<CallbackSample>{{{QStringLiteral("idle")}, 1},
                                     {{QStringLiteral("idle"), QStringLiteral("extra")}, 9},
                                     {{QStringLiteral("busy")}, 2},
                                     {{QStringLiteral("idle")}, 7}};
    }));
    QVERIFY(registry.callbackGauge(QStringLiteral("throws"), QStringLiteral("T."), []() -> double {
        throw std::runtime_error("pool gone");
    }));
    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("callback gauge pool: sample with 2 label values for 1 label names")));
    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("callback gauge pool: label values {idle} returned more than once; first kept")));
    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("callback gauge throws threw: pool gone")));
    QCOMPARE(registry.exposition(), QByteArray("# HELP pool P.\n# TYPE pool gauge\n"
                                               "pool{state=\"busy\"} 2\n"
                                               "pool{state=\"idle\"} 1\n"
                                               "# HELP throws T.\n# TYPE throws gauge\n"));
    QTest::ignoreMessage(QtCriticalMsg, programmingError(QStringLiteral("callback gauge empty: empty callback")));
    QVERIFY(!registry.callbackGauge(QStringLiteral("empty"), QStringLiteral("E."), {}, {}));
}

void TestMetricsRegistry::concurrentIncrements()
{
    MetricsRegistry registry;
    constexpr int threads = 8;
    constexpr int perThread = 20000;
    std::vector<std::unique_ptr<QThread>> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back(QThread::create([&registry, t] {
            // Every thread looks families and series up itself, racing on creation.
            for (int i = 0; i < perThread; ++i) {
                registry.counter(QStringLiteral("hits_total"), QStringLiteral("Hits."), {QStringLiteral("kind")})
                    .labels({i % 2 ? QStringLiteral("odd") : QStringLiteral("even")})
                    .inc();
                registry.gauge(QStringLiteral("level"), QStringLiteral("Level.")).labels().inc(t % 2 ? 1 : -1);
                registry.histogram(QStringLiteral("sizes"), QStringLiteral("Sizes."), {}, {10, 100}).labels().observe(i % 200);
                if (i % 5000 == 0)
                    (void)registry.exposition(); // scrapes run concurrently with updates
            }
        }));
        workers.back()->start();
    }
    for (auto &w : workers)
        QVERIFY(w->wait(60000));
    QCOMPARE(registry.value(QStringLiteral("hits_total"), {QStringLiteral("even")}), std::optional<double>(threads * perThread / 2));
    QCOMPARE(registry.value(QStringLiteral("hits_total"), {QStringLiteral("odd")}), std::optional<double>(threads * perThread / 2));
    QCOMPARE(registry.value(QStringLiteral("level")), std::optional<double>(0));
    QCOMPARE(registry.value(QStringLiteral("sizes_count")), std::optional<double>(threads * perThread));
    const QByteArray text = registry.exposition();
    QVERIFY(text.contains(QByteArray("sizes_bucket{le=\"+Inf\"} ") + QByteArray::number(threads * perThread) + '\n'));
    QVERIFY(text.contains(QByteArray("sizes_bucket{le=\"10\"} ") + QByteArray::number(threads * perThread / 200 * 11) + '\n'));
    QVERIFY(registry.programmingErrors().isEmpty());
}

QTEST_GUILESS_MAIN(TestMetricsRegistry)
#include "tst_metricsregistry.moc"
