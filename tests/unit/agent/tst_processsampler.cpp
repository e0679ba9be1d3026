// ProcessSampler: /proc/<pid>/stat and status parsed from files captured on a real machine (a command
// name with spaces and parentheses, a zombie, a kernel thread, a multi-threaded daemon), the CPU %
// formula, and sampling a fake /proc and this test process itself.
#include "agent/processsampler.h"

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
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

bool writeFile(const QString &path, const QByteArray &text)
{
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(text) == text.size();
}

// Copies data/fakeproc into a temporary directory the test may change.
bool copyTree(const QString &from, const QString &to)
{
    QDir source(from);
    if (!QDir().mkpath(to))
        return false;
    for (const QFileInfo &entry : source.entryInfoList(QDir::Files | QDir::Dirs | QDir::NoDotAndDotDot)) {
        const QString target = to + QLatin1Char('/') + entry.fileName();
        if (entry.isDir() ? !copyTree(entry.filePath(), target) : !QFile::copy(entry.filePath(), target))
            return false;
    }
    return true;
}

} // namespace

class TestProcessSampler final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parseStat_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<qint64>("pid");
        QTest::addColumn<QString>("command");
        QTest::addColumn<QString>("state");
        QTest::addColumn<qint64>("ppid");
        QTest::addColumn<qint64>("utime");
        QTest::addColumn<qint64>("stime");
        QTest::addColumn<qint64>("threads");
        QTest::addColumn<qint64>("startTime");
        QTest::addColumn<qint64>("rssPages");

        // A copy of sleep named "my (game) srv)": only the last ')' ends the command name.
        QTest::newRow("spaces and parentheses") << "stat-parens.txt" << qint64(3556) << "my (game) srv)" << "S"
                                                << qint64(3551) << qint64(0) << qint64(0) << qint64(1)
                                                << qint64(1466137) << qint64(391);
        QTest::newRow("plain") << "stat-sleep.txt" << qint64(3562) << "sleep" << "S" << qint64(3551) << qint64(0)
                               << qint64(0) << qint64(1) << qint64(1466158) << qint64(416);
        QTest::newRow("zombie") << "stat-zombie.txt" << qint64(3569) << "sleep" << "Z" << qint64(3567) << qint64(0)
                                << qint64(0) << qint64(1) << qint64(1466169) << qint64(0);
        QTest::newRow("threads and cpu time") << "stat-threads.txt" << qint64(1) << "process_api" << "S" << qint64(0)
                                              << qint64(787) << qint64(3585) << qint64(13) << qint64(22)
                                              << qint64(3023);
    }

    void parseStat()
    {
        QFETCH(QString, file);
        const QByteArray text = readFixture(QFINDTESTDATA(QStringLiteral("data/proc/") + file));
        QVERIFY2(!text.isEmpty(), qPrintable(file));
        const Result<ProcessSampler::Stat> stat = ProcessSampler::parseStat(text);
        QVERIFY2(stat.ok(), qPrintable(stat.ok() ? QString() : stat.error().message));
        QTEST(stat->pid, "pid");
        QTEST(stat->command, "command");
        QTEST(QString(QLatin1Char(stat->state)), "state");
        QTEST(stat->ppid, "ppid");
        QTEST(stat->utimeTicks, "utime");
        QTEST(stat->stimeTicks, "stime");
        QTEST(stat->threads, "threads");
        QTEST(stat->startTimeTicks, "startTime");
        QTEST(stat->rssPages, "rssPages");
    }

    void parseStatRejectsMalformed_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("no parentheses") << QByteArray("1234 sleep S 1 2 3");
        QTest::newRow("no pid") << QByteArray("(sleep) S 1 1 1 0 -1 4194304 143 0 0 0 0 0 0 0 20 0 1 0 1466158 2990080 416");
        QTest::newRow("unclosed name") << QByteArray("12 (sleep S 1 1 1 0 -1 4194304 143 0 0 0 0 0 0 0 20 0 1 0 1 2 3");
        QTest::newRow("truncated") << QByteArray("12 (sleep) S 1 1 1 0 -1 4194304 143 0 0 0 0");
        QTest::newRow("not a number") << QByteArray("12 (sleep) S 1 1 1 0 -1 4194304 143 0 0 0 x 0 0 0 20 0 1 0 1 2 3");
        QTest::newRow("bad state") << QByteArray("12 (sleep) SS 1 1 1 0 -1 4194304 143 0 0 0 0 0 0 0 20 0 1 0 1 2 3");
    }

    void parseStatRejectsMalformed()
    {
        QFETCH(QByteArray, text);
        const Result<ProcessSampler::Stat> stat = ProcessSampler::parseStat(text);
        QVERIFY(!stat.ok());
        QCOMPARE(stat.error().code, QStringLiteral("invalid_proc_file"));
        QVERIFY(stat.error().message.startsWith(QStringLiteral("stat: ")));
    }

    void parseStatus_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<QString>("name");
        QTest::addColumn<qint64>("rssKb"); // -1: absent
        QTest::addColumn<qint64>("threads");

        QTest::newRow("spaces and parentheses") << "status-parens.txt" << "my (game) srv)" << qint64(1740) << qint64(1);
        QTest::newRow("plain") << "status-sleep.txt" << "sleep" << qint64(1840) << qint64(1);
        QTest::newRow("multi-threaded") << "status-threads.txt" << "process_api" << qint64(12040) << qint64(13);
        // A zombie and a kernel thread have no memory of their own: no VmRSS line at all.
        QTest::newRow("zombie") << "status-zombie.txt" << "sleep" << qint64(-1) << qint64(1);
        QTest::newRow("kernel thread") << "status-kthread.txt" << "kthreadd" << qint64(-1) << qint64(1);
    }

    void parseStatus()
    {
        QFETCH(QString, file);
        QFETCH(qint64, rssKb);
        const QByteArray text = readFixture(QFINDTESTDATA(QStringLiteral("data/proc/") + file));
        QVERIFY2(!text.isEmpty(), qPrintable(file));
        const Result<ProcessSampler::Status> status = ProcessSampler::parseStatus(text);
        QVERIFY2(status.ok(), qPrintable(status.ok() ? QString() : status.error().message));
        QTEST(status->name, "name");
        QCOMPARE(status->rssKb.value_or(-1), rssKb);
        QVERIFY(status->threads.has_value());
        QTEST(*status->threads, "threads");
    }

    void parseStatusRejectsMalformed_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("no key lines") << QByteArray("just some text\nand more\n");
        QTest::newRow("rss not a number") << QByteArray("Name:\tx\nVmRSS:\t lots kB\nThreads:\t1\n");
        QTest::newRow("threads not a number") << QByteArray("Name:\tx\nVmRSS:\t 12 kB\nThreads:\tmany\n");
    }

    void parseStatusRejectsMalformed()
    {
        QFETCH(QByteArray, text);
        const Result<ProcessSampler::Status> status = ProcessSampler::parseStatus(text);
        QVERIFY(!status.ok());
        QCOMPARE(status.error().code, QStringLiteral("invalid_proc_file"));
    }

    void cpuPercent_data()
    {
        QTest::addColumn<qint64>("ticks");
        QTest::addColumn<qint64>("wallNs");
        QTest::addColumn<qint64>("hz");
        QTest::addColumn<double>("expected"); // -1: no figure

        QTest::newRow("one core busy") << qint64(100) << qint64(1'000'000'000) << qint64(100) << 100.0;
        QTest::newRow("two cores busy") << qint64(200) << qint64(1'000'000'000) << qint64(100) << 200.0;
        QTest::newRow("quarter") << qint64(50) << qint64(2'000'000'000) << qint64(100) << 25.0;
        QTest::newRow("idle") << qint64(0) << qint64(1'000'000'000) << qint64(100) << 0.0;
        QTest::newRow("other tick rate") << qint64(250) << qint64(500'000'000) << qint64(1000) << 50.0;
        QTest::newRow("no wall time") << qint64(10) << qint64(0) << qint64(100) << -1.0;
        QTest::newRow("counter went back") << qint64(-5) << qint64(1'000'000'000) << qint64(100) << -1.0;
    }

    void cpuPercent()
    {
        QFETCH(qint64, ticks);
        QFETCH(qint64, wallNs);
        QFETCH(qint64, hz);
        QFETCH(double, expected);
        const std::optional<double> cpu = ProcessSampler::cpuPercent(ticks, wallNs, hz);
        if (expected < 0) {
            QVERIFY(!cpu.has_value());
        } else {
            QVERIFY(cpu.has_value());
            QCOMPARE(*cpu, expected);
        }
    }

    void sampleFakeProc()
    {
        const QString root = QFINDTESTDATA(QStringLiteral("data/fakeproc"));
        QVERIFY(!root.isEmpty());
        ProcessSampler sampler(root);
        const ProcessSampler::Sample s = sampler.sample(4242);
        QVERIFY(s.exists);
        QCOMPARE(s.pid, qint64(4242));
        QCOMPARE(s.command, QStringLiteral("my (game) srv)"));
        QCOMPARE(int(s.state), int('S'));
        QCOMPARE(s.rssKb.value_or(-1), qint64(1740)); // status' VmRSS, not stat's pages
        QCOMPARE(s.threads.value_or(-1), qint64(1));
        QCOMPARE(s.fds.value_or(-1), qint64(4));
        QVERIFY(!s.cpuPercent.has_value()); // first sample of this pid

        const QJsonObject json = s.toJson();
        QCOMPARE(json.value(QStringLiteral("pid")).toInteger(), qint64(4242));
        QCOMPARE(json.value(QStringLiteral("exists")).toBool(), true);
        QCOMPARE(json.value(QStringLiteral("command")).toString(), QStringLiteral("my (game) srv)"));
        QCOMPARE(json.value(QStringLiteral("state")).toString(), QStringLiteral("S"));
        QCOMPARE(json.value(QStringLiteral("rss_kb")).toInteger(), qint64(1740));
        QCOMPARE(json.value(QStringLiteral("fds")).toInteger(), qint64(4));
        QCOMPARE(json.value(QStringLiteral("threads")).toInteger(), qint64(1));
        QVERIFY(!json.contains(QStringLiteral("cpu_percent")));
        QVERIFY(!json.contains(QStringLiteral("error")));

        const ProcessSampler::Sample gone = sampler.sample(4243);
        QVERIFY(!gone.exists);
        QVERIFY(!gone.error.isEmpty());
        QVERIFY(!gone.rssKb && !gone.fds && !gone.threads && !gone.cpuPercent);
        QCOMPARE(gone.toJson().value(QStringLiteral("exists")).toBool(true), false);
        QVERIFY(gone.toJson().contains(QStringLiteral("error")));

        QVERIFY(!sampler.sample(0).exists);
        QVERIFY(!sampler.sample(-1).exists);
    }

    // CPU % needs two samples of the same process; a reused pid, a zombie and retainOnly() start over.
    void cpuHistory()
    {
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        QVERIFY(copyTree(QFINDTESTDATA(QStringLiteral("data/fakeproc")), dir.path()));
        const QString statPath = dir.filePath(QStringLiteral("4242/stat"));
        const QByteArray original = readFixture(statPath);
        QVERIFY(!original.isEmpty());
        // utime is the 14th field, starttime the 22nd; the fixture has utime 0 and starttime 1466137.
        const auto withTimes = [&original](int utime, int startTime) {
            QByteArray text = original;
            const qsizetype close = text.lastIndexOf(')');
            QList<QByteArray> fields = text.mid(close + 2).trimmed().split(' ');
            fields[11] = QByteArray::number(utime);
            fields[19] = QByteArray::number(startTime);
            return text.left(close + 2) + fields.join(' ') + '\n';
        };

        ProcessSampler sampler(dir.path());
        QVERIFY(!sampler.sample(4242).cpuPercent);
        QTest::qWait(20);
        QVERIFY(writeFile(statPath, withTimes(50, 1466137)));
        const ProcessSampler::Sample second = sampler.sample(4242);
        QVERIFY(second.cpuPercent.has_value());
        QVERIFY(*second.cpuPercent > 0.0);
        QVERIFY(second.toJson().contains(QStringLiteral("cpu_percent")));

        // Same pid, another start time: a new process, no figure against the old one's counters.
        QVERIFY(writeFile(statPath, withTimes(60, 1500000)));
        QVERIFY(!sampler.sample(4242).cpuPercent);
        QVERIFY(sampler.sample(4242).cpuPercent.has_value());

        sampler.retainOnly({});
        QVERIFY(!sampler.sample(4242).cpuPercent);
        sampler.retainOnly({4242});
        QVERIFY(sampler.sample(4242).cpuPercent.has_value());

        QVERIFY(writeFile(statPath, readFixture(QFINDTESTDATA(QStringLiteral("data/proc/stat-zombie.txt")))));
        const ProcessSampler::Sample zombie = sampler.sample(4242);
        QVERIFY(!zombie.exists);
        QCOMPARE(int(zombie.state), int('Z'));
        QVERIFY(zombie.error.contains(QStringLiteral("zombie")));
    }

    void sampleThisProcess()
    {
        ProcessSampler sampler;
        const qint64 pid = QCoreApplication::applicationPid();
        const ProcessSampler::Sample first = sampler.sample(pid);
        QVERIFY(first.exists);
        QVERIFY(!first.command.isEmpty());
        QVERIFY(first.rssKb.value_or(0) > 0);
        QVERIFY(first.threads.value_or(0) >= 1);
        QVERIFY(first.fds.value_or(0) >= 1);
        QVERIFY(!first.cpuPercent);

        // Burn a little CPU so the second sample has something to measure.
        QElapsedTimer busy;
        busy.start();
        volatile quint64 sink = 0;
        while (busy.elapsed() < 30)
            sink = sink + 1;
        const ProcessSampler::Sample second = sampler.sample(pid);
        QVERIFY(second.cpuPercent.has_value());
        QVERIFY(*second.cpuPercent >= 0.0);
    }
};

QTEST_GUILESS_MAIN(TestProcessSampler)
#include "tst_processsampler.moc"
