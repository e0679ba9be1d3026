// arena-loadtest's parts without a server: the latency histogram, the message payload, /proc parsing,
// command-line options and the report's verdict.
#include "tools/loadtest/latencyhistogram.h"
#include "tools/loadtest/loadpayload.h"
#include "tools/loadtest/loadreport.h"
#include "tools/loadtest/loadtestoptions.h"
#include "tools/loadtest/processsample.h"

#include <QCommandLineParser>
#include <QJsonArray>
#include <QRandomGenerator>
#include <QTest>

#include <algorithm>
#include <vector>

using namespace arena;

namespace {

Result<LoadTestOptions> parse(QStringList args)
{
    QCommandLineParser parser;
    LoadTestOptions::addOptions(parser);
    args.prepend(QStringLiteral("arena-loadtest"));
    if (!parser.parse(args))
        return Error{QStringLiteral("parse"), parser.errorText()};
    return LoadTestOptions::fromParser(parser);
}

} // namespace

class TestLoadTestCore final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void histogramBucketsCoverEveryValue()
    {
        // Each value falls in a bucket whose bounds hold it, and buckets are at most 1/64 wide.
        std::vector<qint64> values{0, 1, 63, 64, 65, 127, 128, 129, 1000, 4095, 4096, 123456789, (qint64(1) << 49)};
        for (int i = 0; i < 2000; ++i)
            values.push_back(qint64(QRandomGenerator::global()->bounded(quint64(1) << 40)));
        for (const qint64 v : values) {
            const int b = LatencyHistogram::bucketOf(v);
            QVERIFY2(b >= 0 && b < LatencyHistogram::BucketCount, qPrintable(QString::number(v)));
            QVERIFY(LatencyHistogram::bucketLowest(b) <= v);
            QVERIFY(LatencyHistogram::bucketHighest(b) >= v);
            const qint64 width = LatencyHistogram::bucketHighest(b) - LatencyHistogram::bucketLowest(b) + 1;
            QVERIFY(double(width) <= std::max(1.0, double(v) / 64.0 + 1.0));
        }
        // Consecutive buckets tile the range without gaps.
        for (int b = 0; b + 1 < LatencyHistogram::BucketCount; ++b)
            QCOMPARE(LatencyHistogram::bucketHighest(b) + 1, LatencyHistogram::bucketLowest(b + 1));
    }

    void histogramPercentiles()
    {
        LatencyHistogram h;
        QCOMPARE(h.count(), quint64(0));
        QCOMPARE(h.percentile(50), qint64(0));
        QCOMPARE(h.max(), qint64(0));
        // 1 .. 100000 ns: the true p-th percentile is p * 1000.
        for (qint64 v = 100000; v >= 1; --v)
            h.record(v);
        QCOMPARE(h.count(), quint64(100000));
        QCOMPARE(h.min(), qint64(1));
        QCOMPARE(h.max(), qint64(100000));
        QCOMPARE(h.mean(), 50000.5);
        for (const double p : {1.0, 50.0, 90.0, 99.0, 99.9}) {
            const double truth = p * 1000.0;
            const double got = double(h.percentile(p));
            QVERIFY2(got >= truth && got <= truth * (1.0 + 1.0 / 64.0) + 1,
                     qPrintable(QStringLiteral("p%1 = %2").arg(p).arg(got)));
        }
        QCOMPARE(h.percentile(0), qint64(1));
        QCOMPARE(h.percentile(100), qint64(100000));
        QVERIFY(h.percentile(50) <= h.percentile(95));
        QVERIFY(h.percentile(95) <= h.percentile(99));
        QVERIFY(h.percentile(99) <= h.max());
    }

    void histogramClampsMergesAndResets()
    {
        LatencyHistogram a;
        a.record(-5); // a clock step backwards counts as 0, not as a huge unsigned value
        QCOMPARE(a.min(), qint64(0));
        a.record(std::numeric_limits<qint64>::max());
        QCOMPARE(a.max(), (qint64(1) << LatencyHistogram::MaxBits) - 1);
        QCOMPARE(a.percentile(100), a.max());

        LatencyHistogram b, c, both;
        for (int i = 0; i < 1000; ++i) {
            b.record(1000 + i);
            both.record(1000 + i);
            c.record(50000 + i * 7);
            both.record(50000 + i * 7);
        }
        b.merge(c);
        QCOMPARE(b.count(), both.count());
        QCOMPARE(b.min(), both.min());
        QCOMPARE(b.max(), both.max());
        for (const double p : {10.0, 50.0, 99.0})
            QCOMPARE(b.percentile(p), both.percentile(p));
        LatencyHistogram empty;
        b.merge(empty);
        QCOMPARE(b.count(), both.count());
        empty.merge(c);
        QCOMPARE(empty.min(), c.min());
        b.reset();
        QCOMPARE(b.count(), quint64(0));
        QCOMPARE(b.percentile(99), qint64(0));
    }

    void payloadRoundTrip_data()
    {
        QTest::addColumn<qint64>("sentNs");
        QTest::addColumn<quint64>("seq");
        QTest::addColumn<int>("client");
        QTest::addColumn<int>("padding");
        QTest::newRow("small") << qint64(0) << quint64(1) << 0 << 0;
        QTest::newRow("large") << qint64(999999999999999) << quint64(123456789) << 99999 << 0;
        QTest::newRow("padded") << qint64(42) << quint64(7) << 3 << 100;
    }
    void payloadRoundTrip()
    {
        QFETCH(qint64, sentNs);
        QFETCH(quint64, seq);
        QFETCH(int, client);
        QFETCH(int, padding);
        const LoadPayload payload{sentNs, seq, client};
        const QByteArray json = payload.toJson(padding);
        QVERIFY(json.size() >= padding);
        const auto back = LoadPayload::fromJson(json);
        QVERIFY(back);
        QCOMPARE(*back, payload);
    }

    void payloadRefusesOtherJson_data()
    {
        QTest::addColumn<QByteArray>("json");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("null") << QByteArray("null");
        QTest::newRow("object from room logic") << QByteArray(R"({"event":"turn","player":"s-2"})");
        QTest::newRow("missing c") << QByteArray(R"({"t":1,"s":2})");
        QTest::newRow("other order") << QByteArray(R"({"s":2,"t":1,"c":3})");
        QTest::newRow("negative") << QByteArray(R"({"t":-1,"s":2,"c":3})");
        QTest::newRow("fraction") << QByteArray(R"({"t":1.5,"s":2,"c":3})");
        QTest::newRow("unknown field after") << QByteArray(R"({"t":1,"s":2,"c":3,"x":1})");
        QTest::newRow("not closed") << QByteArray(R"({"t":1,"s":2,"c":3)");
        QTest::newRow("too many digits") << QByteArray(R"({"t":1234567890123456789,"s":2,"c":3})");
        QTest::newRow("client above int") << QByteArray(R"({"t":1,"s":2,"c":99999999999})");
    }
    void payloadRefusesOtherJson()
    {
        QFETCH(QByteArray, json);
        QVERIFY(!LoadPayload::fromJson(json));
    }

    void processSampleParses()
    {
        // A command name with spaces and a ')' in it must not shift the fields.
        const QByteArray stat = "4242 (arena) x (y) S 1 4242 4242 0 -1 4194560 100 0 0 0 250 75 0 0 20 0 7 0 "
                                "12345 1000000 2000 18446744073709551615\n";
        const QByteArray status = "Name:\tarena\nVmPeak:\t  9000 kB\nVmHWM:\t   5000 kB\nVmRSS:\t    4321 kB\n";
        const auto sample = ProcessSample::parse(stat, status, 100.0);
        QVERIFY2(sample.ok(), qPrintable(sample.ok() ? QString() : sample.error().message));
        QCOMPARE(sample->pid, qint64(4242));
        QCOMPARE(sample->userSeconds, 2.5);
        QCOMPARE(sample->systemSeconds, 0.75);
        QCOMPARE(sample->cpuSeconds(), 3.25);
        QCOMPARE(sample->rssKb, qint64(4321));
        QCOMPARE(sample->peakRssKb, qint64(5000));
        QCOMPARE(sample->threads, qint64(7));
    }

    void processSampleRefusesMalformed_data()
    {
        QTest::addColumn<QByteArray>("stat");
        QTest::addColumn<QByteArray>("status");
        const QByteArray goodStat = "1 (a) S 1 1 1 0 -1 0 0 0 0 0 1 2 0 0 20 0 1 0 5 6 7\n";
        const QByteArray goodStatus = "VmRSS:\t 10 kB\n";
        QTest::newRow("no name") << QByteArray("1 a S 1 1 1") << goodStatus;
        QTest::newRow("too few fields") << QByteArray("1 (a) S 1 1 1 0\n") << goodStatus;
        QTest::newRow("utime not a number") << QByteArray("1 (a) S 1 1 1 0 -1 0 0 0 0 0 x 2 0 0 20 0 1 0 5 6 7\n")
                                            << goodStatus;
        QTest::newRow("no VmRSS") << goodStat << QByteArray("VmHWM:\t 10 kB\nVmRSSx:\t 3 kB\n");
        QTest::newRow("empty") << QByteArray() << QByteArray();
    }
    void processSampleRefusesMalformed()
    {
        QFETCH(QByteArray, stat);
        QFETCH(QByteArray, status);
        const auto sample = ProcessSample::parse(stat, status, 100.0);
        QVERIFY(!sample.ok());
        QCOMPARE(sample.error().code, QStringLiteral("unreadable"));
    }

    void processSampleReadsLiveProcesses()
    {
        const auto self = ProcessSample::read(0);
        QVERIFY(self.ok());
        QVERIFY(self->rssKb > 0);
        QCOMPARE(self->pid, qint64(QCoreApplication::applicationPid()));
        const auto byPid = ProcessSample::read(QCoreApplication::applicationPid());
        QVERIFY(byPid.ok());
        QCOMPARE(byPid->pid, self->pid);
        // Pids stop at 2^22 on Linux.
        const auto missing = ProcessSample::read(4194305);
        QVERIFY(!missing.ok());
        QCOMPARE(missing.error().code, QStringLiteral("not_found"));
    }

    void optionDefaults()
    {
        const auto o = parse({});
        QVERIFY(o.ok());
        QCOMPARE(o->url, QUrl(QStringLiteral("ws://127.0.0.1:4600")));
        QCOMPARE(o->mode, LoadTestOptions::Mode::Join);
        QCOMPARE(o->roomType, QStringLiteral("relay"));
        QCOMPARE(o->roomSize, 4);
        QVERIFY(o->tag.startsWith(QStringLiteral("lt-")));
        QVERIFY(o->hardDeadlineSeconds() > o->durationSeconds + o->joinTimeoutSeconds);

        const auto set = parse({QStringLiteral("--clients"), QStringLiteral("1000"), QStringLiteral("--rate"),
                                QStringLiteral("2"), QStringLiteral("--mode"), QStringLiteral("matchmaking"),
                                QStringLiteral("--room-size"), QStringLiteral("4"), QStringLiteral("--tag"),
                                QStringLiteral("mine"), QStringLiteral("--url"), QStringLiteral("ws://[::1]:9"),
                                QStringLiteral("--server-pid"), QStringLiteral("77"), QStringLiteral("--json")});
        QVERIFY2(set.ok(), qPrintable(set.ok() ? QString() : set.error().message));
        QCOMPARE(set->clients, 1000);
        QCOMPARE(set->rate, 2.0);
        QCOMPARE(set->mode, LoadTestOptions::Mode::Matchmaking);
        QCOMPARE(set->tag, QStringLiteral("mine"));
        QCOMPARE(set->serverPid, qint64(77));
        QVERIFY(set->json);
    }

    void badOptionsAreRefused_data()
    {
        QTest::addColumn<QStringList>("args");
        QTest::addColumn<QString>("message");
        auto row = [](const char *name, QStringList args, const char *message) {
            QTest::newRow(name) << args << QString::fromUtf8(message);
        };
        row("remote url", {QStringLiteral("--url"), QStringLiteral("ws://10.1.2.3:4600")}, "not a loopback address");
        row("remote name", {QStringLiteral("--url"), QStringLiteral("ws://example.com:4600")}, "not a loopback");
        row("remote admin", {QStringLiteral("--admin-url"), QStringLiteral("http://10.0.0.1:4601")}, "--admin-url");
        row("http url", {QStringLiteral("--url"), QStringLiteral("http://127.0.0.1:4600")}, "--url: expected ws://");
        row("no host", {QStringLiteral("--url"), QStringLiteral("ws://:4600")}, "--url");
        row("zero clients", {QStringLiteral("--clients"), QStringLiteral("0")}, "--clients: expected an integer");
        row("clients not a number", {QStringLiteral("--clients"), QStringLiteral("ten")}, "got \"ten\"");
        row("negative rate", {QStringLiteral("--rate"), QStringLiteral("-1")}, "--rate");
        row("nan rate", {QStringLiteral("--rate"), QStringLiteral("nan")}, "--rate");
        row("zero duration", {QStringLiteral("--duration"), QStringLiteral("0")}, "--duration");
        row("huge room", {QStringLiteral("--room-size"), QStringLiteral("257")}, "--room-size");
        row("bad mode", {QStringLiteral("--mode"), QStringLiteral("chaos")}, "--mode: expected join");
        row("odd match room", {QStringLiteral("--mode"), QStringLiteral("matchmaking"), QStringLiteral("--room-size"),
                               QStringLiteral("3"), QStringLiteral("--clients"), QStringLiteral("9")},
            "must be even");
        row("match leftovers", {QStringLiteral("--mode"), QStringLiteral("matchmaking"), QStringLiteral("--clients"),
                                QStringLiteral("10")},
            "multiple of --room-size");
        row("connect sends", {QStringLiteral("--mode"), QStringLiteral("connect")}, "use --rate 0");
        row("error rate above 1", {QStringLiteral("--max-error-rate"), QStringLiteral("2")}, "--max-error-rate");
        row("too many messages", {QStringLiteral("--clients"), QStringLiteral("100000"), QStringLiteral("--rate"),
                                  QStringLiteral("1000"), QStringLiteral("--duration"), QStringLiteral("100")},
            "10^9");
        row("positional", {QStringLiteral("ws://127.0.0.1:1")}, "unexpected argument");
        row("second url remote", {QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:4600"), QStringLiteral("--url"),
                                  QStringLiteral("ws://10.1.2.3:4600")},
            "10.1.2.3 is not a loopback address");
        row("watch pid", {QStringLiteral("--watch-pid"), QStringLiteral("redis")}, "--watch-pid: expected a process id");
    }
    void badOptionsAreRefused()
    {
        QFETCH(QStringList, args);
        QFETCH(QString, message);
        const auto o = parse(args);
        QVERIFY(!o.ok());
        QVERIFY2(o.error().message.contains(message), qPrintable(o.error().message));
    }

    void severalUrlsSpreadTheClients()
    {
        const auto one = parse({});
        QVERIFY(one.ok());
        QCOMPARE(one->urls, QList<QUrl>{one->url});
        const auto two = parse({QStringLiteral("--url"), QStringLiteral("ws://127.0.0.1:7400"), QStringLiteral("--url"),
                                QStringLiteral("ws://127.0.0.1:7410"), QStringLiteral("--watch-pid"), QStringLiteral("42"),
                                QStringLiteral("--watch-pid"), QStringLiteral("43")});
        QVERIFY(two.ok());
        QCOMPARE(two->urls.size(), 2);
        QCOMPARE(two->url, QUrl(QStringLiteral("ws://127.0.0.1:7400")));
        QCOMPARE(two->urls.at(1), QUrl(QStringLiteral("ws://127.0.0.1:7410")));
        QCOMPARE(two->watchPids, (QList<qint64>{42, 43}));
    }

    void remoteNeedsAllowRemote()
    {
        const QStringList remote{QStringLiteral("--url"), QStringLiteral("ws://192.0.2.1:4600")};
        QVERIFY(!parse(remote).ok());
        QVERIFY(parse(remote + QStringList{QStringLiteral("--allow-remote")}).ok());
        QVERIFY(LoadTestOptions::isLoopbackHost(QStringLiteral("127.0.0.1")));
        QVERIFY(LoadTestOptions::isLoopbackHost(QStringLiteral("127.8.9.10")));
        QVERIFY(LoadTestOptions::isLoopbackHost(QStringLiteral("::1")));
        QVERIFY(LoadTestOptions::isLoopbackHost(QStringLiteral("LOCALHOST")));
        QVERIFY(!LoadTestOptions::isLoopbackHost(QStringLiteral("0.0.0.0")));
        QVERIFY(!LoadTestOptions::isLoopbackHost(QStringLiteral("localhost.example.com")));
        QVERIFY(!LoadTestOptions::isLoopbackHost(QString()));
    }

    void reportVerdict()
    {
        LoadReport r;
        r.options.clients = 10;
        r.options.rate = 10;
        r.options.maxErrorRate = 0.01;
        QCOMPARE(r.exitCode(), LoadReport::ThresholdFailed); // nobody joined
        r.joined = 10;
        QVERIFY(r.failure().contains(QStringLiteral("nothing was delivered")));
        r.sent = 990;
        r.delivered = 3960;
        r.expectedDeliveries = 3960;
        QCOMPARE(r.exitCode(), LoadReport::Passed);
        QVERIFY(r.failure().isEmpty());
        // 10 errors over 10 joins + 990 messages: exactly 1 %, still passing; one more fails.
        r.errorsByCode[QStringLiteral("rate_limited")] = 10;
        QCOMPARE(r.errorRate(), 0.01);
        QCOMPARE(r.exitCode(), LoadReport::Passed);
        r.disconnects = 1;
        QCOMPARE(r.exitCode(), LoadReport::ThresholdFailed);
        QVERIFY(r.failure().contains(QStringLiteral("error rate")));
        const QJsonObject json = r.toJson();
        QCOMPARE(json.value(QStringLiteral("passed")).toBool(), false);
        QCOMPARE(json.value(QStringLiteral("errors")).toObject().value(QStringLiteral("by_code")).toObject()
                     .value(QStringLiteral("rate_limited")).toInt(), 10);
        QVERIFY(r.toText().contains(QStringLiteral("FAILED")));

        r.unfinishedReason = QStringLiteral("interrupted");
        QCOMPARE(r.exitCode(), LoadReport::Unfinished);
        r.setupError = QStringLiteral("cannot reach");
        QCOMPARE(r.exitCode(), LoadReport::SetupFailed);
        QVERIFY(r.toText().contains(QStringLiteral("cannot reach")));

        // Server figures: CPU per delivery from the send-phase samples, memory per session from the
        // connect-phase ones.
        LoadReport s;
        s.delivered = 4000;
        s.welcomed = 100;
        QCOMPARE(s.serverCpuMicrosPerDelivery(), -1.0);
        s.serverBeforeConnect = ProcessSample{1, 0.5, 0.5, 10000, 10000, 1};
        s.serverBeforeSend = ProcessSample{1, 1.0, 0.5, 10600, 10600, 1};
        s.serverAfter = ProcessSample{1, 1.01, 0.5, 10700, 10700, 1};
        QVERIFY(qAbs(s.serverCpuMicrosPerDelivery() - 2.5) < 1e-6);
        QCOMPARE(s.serverRssKbPerSession(), 6.0);
    }
};

QTEST_GUILESS_MAIN(TestLoadTestCore)
#include "tst_loadtestcore.moc"
