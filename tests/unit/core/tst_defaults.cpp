// Tests the seed-derived defaults: the figures from DESIGN.md's table and the worker-count rule.
#include "shared/core/defaults.h"

#include <QTest>

using namespace std::chrono_literals;

namespace d = arena::defaults;

// The figures are compile-time constants so they can size timers in constexpr contexts.
static_assert(d::sessionIdleExpiry == 5min);
static_assert(d::workersMax(16) == 4);

class TestDefaults final : public QObject
{
    Q_OBJECT

private slots:
    void seedFigures();
    void workersMax_data();
    void workersMax();
    void workersMaxForThisMachine();
};

void TestDefaults::seedFigures()
{
    QCOMPARE(std::chrono::milliseconds(d::sessionIdleExpiry), std::chrono::milliseconds(300000));
    QCOMPARE(std::chrono::milliseconds(d::cleanupInterval), std::chrono::milliseconds(60000));
    QCOMPARE(std::chrono::milliseconds(d::workerWatchdogTimeout), std::chrono::milliseconds(30000));
    QCOMPARE(std::chrono::milliseconds(d::workerIdleSuspension), std::chrono::milliseconds(300000));
    QCOMPARE(std::chrono::milliseconds(d::shutdownDeadline), std::chrono::milliseconds(30000));
    QCOMPARE(d::workersMin, 1);
    QCOMPARE(d::playerPort, quint16(4600));
    QCOMPARE(d::adminPort, quint16(4601));
    QCOMPARE(d::agentPort, quint16(4602));
    QCOMPARE(QString(d::redisKeyPrefix), QStringLiteral("arena:"));
    // The cleanup sweep must run well within the idle expiry, or expired sessions linger.
    QVERIFY(d::cleanupInterval < d::sessionIdleExpiry);
}

void TestDefaults::workersMax_data()
{
    QTest::addColumn<int>("cores");
    QTest::addColumn<int>("expected");
    QTest::newRow("unknown (-1)") << -1 << 1;
    QTest::newRow("0") << 0 << 1;
    QTest::newRow("1") << 1 << 1;
    QTest::newRow("2") << 2 << 2;
    QTest::newRow("4") << 4 << 4;
    QTest::newRow("64") << 64 << 4;
}

void TestDefaults::workersMax()
{
    QFETCH(int, cores);
    QFETCH(int, expected);
    QCOMPARE(d::workersMax(cores), expected);
}

void TestDefaults::workersMaxForThisMachine()
{
    QCOMPARE(d::workersMax(), qBound(1, QThread::idealThreadCount(), 4));
}

QTEST_GUILESS_MAIN(TestDefaults)
#include "tst_defaults.moc"
