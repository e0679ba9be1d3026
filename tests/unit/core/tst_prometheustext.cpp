// Tests the Prometheus text helpers: number formatting, escaping, metric and label name rules.
#include "shared/core/prometheustext.h"

#include <QTest>

#include <cmath>
#include <limits>

using namespace arena;

class TestPrometheusText final : public QObject
{
    Q_OBJECT

private slots:
    void formatValue_data();
    void formatValue();
    void escapeHelp();
    void escapeLabelValue();
    void labelSet();
    void metricNames_data();
    void metricNames();
    void labelNames_data();
    void labelNames();
};

void TestPrometheusText::formatValue_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("zero") << 0.0 << QByteArray("0");
    QTest::newRow("negative zero") << -0.0 << QByteArray("0");
    QTest::newRow("one") << 1.0 << QByteArray("1");
    QTest::newRow("negative integer") << -3.0 << QByteArray("-3");
    QTest::newRow("large integer") << 123456789.0 << QByteArray("123456789");
    QTest::newRow("2^53") << 9007199254740992.0 << QByteArray("9007199254740992");
    QTest::newRow("beyond 2^53") << 1e20 << QByteArray("1e+20");
    QTest::newRow("half") << 0.5 << QByteArray("0.5");
    QTest::newRow("bucket 0.005") << 0.005 << QByteArray("0.005");
    QTest::newRow("bucket 2.5") << 2.5 << QByteArray("2.5");
    QTest::newRow("tiny") << 0.00001 << QByteArray("1e-05");
    QTest::newRow("shortest round trip") << 0.1 + 0.2 << QByteArray("0.30000000000000004");
    QTest::newRow("negative fraction") << -1.25 << QByteArray("-1.25");
    QTest::newRow("+Inf") << std::numeric_limits<double>::infinity() << QByteArray("+Inf");
    QTest::newRow("-Inf") << -std::numeric_limits<double>::infinity() << QByteArray("-Inf");
    QTest::newRow("NaN") << std::numeric_limits<double>::quiet_NaN() << QByteArray("NaN");
}

void TestPrometheusText::formatValue()
{
    QFETCH(double, value);
    QFETCH(QByteArray, text);
    QCOMPARE(prometheus::formatValue(value), text);
}

void TestPrometheusText::escapeHelp()
{
    QCOMPARE(prometheus::escapeHelp(QStringLiteral("plain")), QByteArray("plain"));
    QCOMPARE(prometheus::escapeHelp(QStringLiteral("a\\b\nc \"q\"")), QByteArray("a\\\\b\\nc \"q\""));
    QCOMPARE(prometheus::escapeHelp(QStringLiteral("Grüße")), QByteArray("Gr\xC3\xBC\xC3\x9F" "e"));
}

void TestPrometheusText::escapeLabelValue()
{
    QCOMPARE(prometheus::escapeLabelValue(QStringLiteral("a\\b\nc \"q\"")), QByteArray("a\\\\b\\nc \\\"q\\\""));
    QCOMPARE(prometheus::escapeLabelValue(QStringLiteral("tab\tok")), QByteArray("tab\tok"));
}

void TestPrometheusText::labelSet()
{
    QCOMPARE(prometheus::labelSet({}, {}), QByteArray());
    QCOMPARE(prometheus::labelSet({QStringLiteral("a"), QStringLiteral("b")}, {QStringLiteral("x"), QStringLiteral("y\"")}),
             QByteArray("{a=\"x\",b=\"y\\\"\"}"));
    QCOMPARE(prometheus::labelSet({}, {}, "le", "+Inf"), QByteArray("{le=\"+Inf\"}"));
    QCOMPARE(prometheus::labelSet({QStringLiteral("a")}, {QStringLiteral("x")}, "le", "0.5"), QByteArray("{a=\"x\",le=\"0.5\"}"));
}

void TestPrometheusText::metricNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("simple") << QStringLiteral("arena_sessions") << true;
    QTest::newRow("colon") << QStringLiteral("arena:sessions:rate5m") << true;
    QTest::newRow("leading underscore") << QStringLiteral("_x") << true;
    QTest::newRow("leading colon") << QStringLiteral(":x") << true;
    QTest::newRow("digits") << QStringLiteral("http2_streams") << true;
    QTest::newRow("leading digit") << QStringLiteral("2xx") << false;
    QTest::newRow("dash") << QStringLiteral("arena-sessions") << false;
    QTest::newRow("dot") << QStringLiteral("arena.sessions") << false;
    QTest::newRow("space") << QStringLiteral("a b") << false;
    QTest::newRow("non-ascii") << QStringLiteral("größe") << false;
    QTest::newRow("empty") << QString() << false;
}

void TestPrometheusText::metricNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(prometheus::isValidMetricName(name), valid);
}

void TestPrometheusText::labelNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::addColumn<bool>("valid");
    QTest::newRow("simple") << QStringLiteral("method") << true;
    QTest::newRow("underscore") << QStringLiteral("_private") << true;
    QTest::newRow("reserved") << QStringLiteral("__name__") << false;
    QTest::newRow("colon") << QStringLiteral("a:b") << false;
    QTest::newRow("leading digit") << QStringLiteral("1a") << false;
    QTest::newRow("empty") << QString() << false;
}

void TestPrometheusText::labelNames()
{
    QFETCH(QString, name);
    QFETCH(bool, valid);
    QCOMPARE(prometheus::isValidLabelName(name), valid);
}

QTEST_GUILESS_MAIN(TestPrometheusText)
#include "tst_prometheustext.moc"
