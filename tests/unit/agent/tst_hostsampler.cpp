// HostSampler: /proc/loadavg and /proc/meminfo parsed from files captured on a real machine, malformed
// input refused, and sampling a fake /proc (and a directory without those files).
#include "agent/hostsampler.h"

#include <QFile>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QTest>

using namespace arena;

namespace {

QByteArray readFixture(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

} // namespace

class TestHostSampler final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseLoadAvg()
    {
        const QByteArray text = readFixture(QFINDTESTDATA(QStringLiteral("data/proc/loadavg.txt")));
        QVERIFY(!text.isEmpty());
        const Result<HostSampler::LoadAverage> load = HostSampler::parseLoadAvg(text); // "1.26 1.02 1.06 3/95 3585"
        QVERIFY(load.ok());
        QCOMPARE(load->load1, 1.26);
        QCOMPARE(load->load5, 1.02);
        QCOMPARE(load->load15, 1.06);
        QCOMPARE(load->runnable, qint64(3));
        QCOMPARE(load->entities, qint64(95));
    }

    void parseLoadAvgRejectsMalformed_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("too few fields") << QByteArray("0.1 0.2\n");
        QTest::newRow("not numbers") << QByteArray("a b c 1/2 3\n");
        QTest::newRow("negative") << QByteArray("-1 0.2 0.3 1/2 3\n");
        QTest::newRow("bad entities") << QByteArray("0.1 0.2 0.3 12 3\n");
    }

    void parseLoadAvgRejectsMalformed()
    {
        QFETCH(QByteArray, text);
        const Result<HostSampler::LoadAverage> load = HostSampler::parseLoadAvg(text);
        QVERIFY(!load.ok());
        QCOMPARE(load.error().code, QStringLiteral("invalid_proc_file"));
        QVERIFY(load.error().message.startsWith(QStringLiteral("loadavg: ")));
    }

    void parseMemInfo()
    {
        const QByteArray text = readFixture(QFINDTESTDATA(QStringLiteral("data/proc/meminfo.txt")));
        QVERIFY(!text.isEmpty());
        const Result<HostSampler::Memory> memory = HostSampler::parseMemInfo(text);
        QVERIFY(memory.ok());
        QCOMPARE(memory->totalKb, qint64(24684084));
        QCOMPARE(memory->availableKb, qint64(23753624));
    }

    void parseMemInfoRejectsMalformed_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("no MemAvailable (old kernel)") << QByteArray("MemTotal:  1000 kB\nMemFree:  500 kB\n");
        QTest::newRow("no MemTotal") << QByteArray("MemAvailable:  1000 kB\n");
        QTest::newRow("not a number") << QByteArray("MemTotal:  lots kB\nMemAvailable:  1000 kB\n");
    }

    void parseMemInfoRejectsMalformed()
    {
        QFETCH(QByteArray, text);
        const Result<HostSampler::Memory> memory = HostSampler::parseMemInfo(text);
        QVERIFY(!memory.ok());
        QCOMPARE(memory.error().code, QStringLiteral("invalid_proc_file"));
    }

    void sampleFakeProc()
    {
        const QString root = QFINDTESTDATA(QStringLiteral("data/fakeproc"));
        QVERIFY(!root.isEmpty());
        const HostSampler::Sample s = HostSampler(root).sample();
        QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
        QVERIFY(s.load.has_value());
        QCOMPARE(s.load->load15, 1.06);
        QVERIFY(s.memory.has_value());
        QCOMPARE(s.memory->totalKb, qint64(24684084));
        QVERIFY(s.cpus >= 1);
        QCOMPARE(s.cpus, HostSampler::cpuCount());

        const QJsonObject json = s.toJson();
        QCOMPARE(json.value(QStringLiteral("load1")).toDouble(), 1.26);
        QCOMPARE(json.value(QStringLiteral("load5")).toDouble(), 1.02);
        QCOMPARE(json.value(QStringLiteral("load15")).toDouble(), 1.06);
        QCOMPARE(json.value(QStringLiteral("mem_total_kb")).toInteger(), qint64(24684084));
        QCOMPARE(json.value(QStringLiteral("mem_available_kb")).toInteger(), qint64(23753624));
        // 100 * (24684084 - 23753624) / 24684084 = 3.7695...
        QCOMPARE(json.value(QStringLiteral("mem_used_percent")).toDouble(), 3.77);
        QCOMPARE(json.value(QStringLiteral("cpus")).toInt(), s.cpus);
        QVERIFY(!json.contains(QStringLiteral("error")));
    }

    void sampleWithoutFiles()
    {
        QTemporaryDir empty;
        QVERIFY(empty.isValid());
        const HostSampler::Sample s = HostSampler(empty.path()).sample();
        QVERIFY(!s.load && !s.memory);
        QVERIFY(s.error.contains(QStringLiteral("loadavg")));
        QVERIFY(s.cpus >= 1);
        const QJsonObject json = s.toJson();
        QVERIFY(!json.contains(QStringLiteral("load1")));
        QVERIFY(!json.contains(QStringLiteral("mem_total_kb")));
        QVERIFY(json.contains(QStringLiteral("error")));
    }

    void sampleThisMachine()
    {
        const HostSampler::Sample s = HostSampler().sample();
        QVERIFY2(s.error.isEmpty(), qPrintable(s.error));
        QVERIFY(s.load && s.load->load1 >= 0.0);
        QVERIFY(s.memory && s.memory->totalKb > 0 && s.memory->availableKb <= s.memory->totalKb);
    }
};

QTEST_GUILESS_MAIN(TestHostSampler)
#include "tst_hostsampler.moc"
