// MetricsText: the Prometheus text format as arena-server's /metrics writes it (round trip through
// the real MetricsRegistry renderer) and the format's corners: escapes, special values, timestamps,
// comments; malformed lines refused with their line number.
#include "agent/metricstext.h"
#include "shared/core/metricsregistry.h"

#include <QTest>

#include <cmath>

using namespace arena;

class TestMetricsText final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void samplesLabelsAndTypes()
    {
        const QByteArray text =
            "# HELP arena_sessions Sessions on this instance\n"
            "# TYPE arena_sessions gauge\n"
            "arena_sessions 3\n"
            "\n"
            "# TYPE arena_requests_total counter\n"
            "arena_requests_total{method=\"GET\",path=\"/health\"} 1027 1700000000000\n"
            "arena_requests_total{method=\"POST\",path=\"/x\",} 3\n"
            "escaped{path=\"C:\\\\dir\",msg=\"say \\\"hi\\\"\\nbye\"} -1.5e-3\n"
            "special{v=\"inf\"} +Inf\n"
            "special{v=\"-inf\"} -Inf\n"
            "special{v=\"nan\"} NaN\n"
            "  indented 7  \n"
            "empty_labels{} 2\n";
        const Result<MetricsText> parsed = MetricsText::parse(text);
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
        const QList<MetricsText::Sample> &s = parsed->samples;
        QCOMPARE(s.size(), 9);

        QCOMPARE(s[0].name, QStringLiteral("arena_sessions"));
        QVERIFY(s[0].labels.isEmpty());
        QCOMPARE(s[0].value, 3.0);

        QCOMPARE(s[1].name, QStringLiteral("arena_requests_total"));
        QCOMPARE(s[1].label(QStringLiteral("method")), QStringLiteral("GET"));
        QCOMPARE(s[1].label(QStringLiteral("path")), QStringLiteral("/health"));
        QCOMPARE(s[1].value, 1027.0); // the timestamp is not the value
        QCOMPARE(s[2].labels.size(), 2); // trailing comma allowed
        QCOMPARE(s[2].value, 3.0);

        QCOMPARE(s[3].label(QStringLiteral("path")), QStringLiteral("C:\\dir"));
        QCOMPARE(s[3].label(QStringLiteral("msg")), QStringLiteral("say \"hi\"\nbye"));
        QCOMPARE(s[3].value, -0.0015);

        QVERIFY(std::isinf(s[4].value) && s[4].value > 0);
        QVERIFY(std::isinf(s[5].value) && s[5].value < 0);
        QVERIFY(std::isnan(s[6].value));
        QCOMPARE(s[7].name, QStringLiteral("indented"));
        QCOMPARE(s[7].value, 7.0);
        QCOMPARE(s[8].name, QStringLiteral("empty_labels"));
        QVERIFY(s[8].labels.isEmpty());

        QCOMPARE(parsed->types.value(QStringLiteral("arena_sessions")), QStringLiteral("gauge"));
        QCOMPARE(parsed->types.value(QStringLiteral("arena_requests_total")), QStringLiteral("counter"));
        QCOMPARE(parsed->samplesNamed(QStringLiteral("special")).size(), 3);
        QVERIFY(parsed->samplesNamed(QStringLiteral("absent")).isEmpty());
    }

    void emptyTextHasNoSamples()
    {
        const Result<MetricsText> parsed = MetricsText::parse("");
        QVERIFY(parsed.ok());
        QVERIFY(parsed->samples.isEmpty());
    }

    void malformedLines_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<int>("line");
        QTest::newRow("no value") << QByteArray("ok 1\nlonely\n") << 2;
        QTest::newRow("value not a number") << QByteArray("x abc\n") << 1;
        QTest::newRow("name starts with a digit") << QByteArray("1x 2\n") << 1;
        QTest::newRow("unquoted label value") << QByteArray("x{a=1} 2\n") << 1;
        QTest::newRow("unterminated label value") << QByteArray("# c\nx{a=\"1} 2\n") << 2;
        QTest::newRow("unclosed label set") << QByteArray("x{a=\"1\" 2\n") << 1;
        QTest::newRow("text after the timestamp") << QByteArray("x 1 2 3\n") << 1;
        QTest::newRow("HTML error page") << QByteArray("<html><body>502 Bad Gateway</body></html>\n") << 1;
    }

    void malformedLines()
    {
        QFETCH(QByteArray, text);
        QFETCH(int, line);
        const Result<MetricsText> parsed = MetricsText::parse(text);
        QVERIFY(!parsed.ok());
        QCOMPARE(parsed.error().code, QStringLiteral("invalid_metrics"));
        QVERIFY2(parsed.error().message.startsWith(QStringLiteral("line %1: ").arg(line)), qPrintable(parsed.error().message));
    }

    // Whatever the server's own renderer writes reads back to the same values.
    void roundTripThroughMetricsRegistry()
    {
        MetricsRegistry registry;
        registry.counter(QStringLiteral("t_requests_total"), QStringLiteral("Requests"), {QStringLiteral("path")})
            .labels({QStringLiteral("/a \"quoted\" \\ path\nwith newline")})
            .inc(5);
        registry.gauge(QStringLiteral("t_level"), QStringLiteral("Level")).labels({}).set(-2.25);
        Histogram &h = registry.histogram(QStringLiteral("t_seconds"), QStringLiteral("Durations"), {QStringLiteral("kind")},
                                          {0.1, 1.0})
                           .labels({QStringLiteral("k")});
        h.observe(0.05);
        h.observe(0.5);
        h.observe(5.0);

        const Result<MetricsText> parsed = MetricsText::parse(registry.exposition());
        QVERIFY2(parsed.ok(), qPrintable(parsed.ok() ? QString() : parsed.error().message));
        const auto requests = parsed->samplesNamed(QStringLiteral("t_requests_total"));
        QCOMPARE(requests.size(), 1);
        QCOMPARE(requests[0].label(QStringLiteral("path")), QStringLiteral("/a \"quoted\" \\ path\nwith newline"));
        QCOMPARE(requests[0].value, 5.0);
        QCOMPARE(parsed->samplesNamed(QStringLiteral("t_level")).value(0).value, -2.25);
        QCOMPARE(parsed->types.value(QStringLiteral("t_seconds")), QStringLiteral("histogram"));
        const auto buckets = parsed->samplesNamed(QStringLiteral("t_seconds_bucket"));
        QCOMPARE(buckets.size(), 3);
        QCOMPARE(buckets[0].label(QStringLiteral("le")), QStringLiteral("0.1"));
        QCOMPARE(buckets[0].value, 1.0);
        QCOMPARE(buckets[1].value, 2.0);
        QCOMPARE(buckets[2].label(QStringLiteral("le")), QStringLiteral("+Inf"));
        QCOMPARE(buckets[2].value, 3.0);
        QCOMPARE(parsed->samplesNamed(QStringLiteral("t_seconds_count")).value(0).value, 3.0);
        QCOMPARE(parsed->samplesNamed(QStringLiteral("t_seconds_sum")).value(0).value, 5.55);
    }
};

QTEST_GUILESS_MAIN(TestMetricsText)
#include "tst_metricstext.moc"
