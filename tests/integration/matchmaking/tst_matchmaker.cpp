// Tests Matchmaker on every StateStore backend (memory, real Redis): pairing by level, window widening,
// team sizes, cancel, duplicates, stale and dead-instance tickets, metrics, and two instances matching
// the same queues at once without a ticket landing in two matches.
#include "server/matchmaking/matchmaker.h"
#include "server/matchmaking/matchmakingoperations.h"
#include "server/matchmaking/queuekey.h"
#include "shared/core/config.h"
#include "shared/core/metricsregistry.h"
#include "shared/core/taskregistry.h"
#include "shared/store/memorydata.h"
#include "shared/store/memorystore.h"
#include "shared/store/redisstore.h"
#include "tests/integration/store/storetestsupport.h"
#include "tests/support/redisserver.h"

#include <QDeadlineTimer>
#include <QLoggingCategory>
#include <QProcessEnvironment>
#include <QRandomGenerator>
#include <QSet>
#include <QSignalSpy>
#include <QTest>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <numeric>
#include <random>

using namespace arena;
using namespace arena::test;
using namespace std::chrono_literals;

namespace {

constexpr qint64 kT0 = 1'700'000'000'000; // fake clock start, ms since the epoch

// One "instance": its own store connection, registries and matchmaker, recording what it emits.
struct Instance
{
    std::unique_ptr<StateStore> store;
    std::unique_ptr<TaskRegistry> tasks = std::make_unique<TaskRegistry>();
    std::unique_ptr<MetricsRegistry> metrics = std::make_unique<MetricsRegistry>();
    std::unique_ptr<Matchmaker> mm;
    QList<Match> matches;
    QList<std::pair<Ticket, QString>> removed;
};

// Settings for tests that drive matching by hand: no periodic task, a fixed window.
MatchmakerSettings manual(double window = 0, double widen = 0, double maxWindow = -1)
{
    MatchmakerSettings s;
    s.interval = 0ms;
    s.initialWindow = window;
    s.widenPerSecond = widen;
    s.maxWindow = maxWindow < 0 ? window : maxWindow;
    return s;
}

Ticket request(const QString &session, int level, int teamSize = 1, const QString &roomType = QStringLiteral("duel"))
{
    Ticket t;
    t.sessionId = session;
    t.playerId = QStringLiteral("player-") + session;
    t.level = level;
    t.teamSize = teamSize;
    t.roomType = roomType;
    return t;
}

Result<QString> enqueue(Matchmaker &mm, const Ticket &t)
{
    return await<QString>([&](QObject *c, StoreCallback<QString> cb) { mm.enqueue(t, c, std::move(cb)); });
}

Result<bool> cancel(Matchmaker &mm, const QString &session)
{
    return await<bool>([&](QObject *c, StoreCallback<bool> cb) { mm.cancel(session, c, std::move(cb)); });
}

Result<int> runMatching(Matchmaker &mm)
{
    return await<int>([&](QObject *c, StoreCallback<int> cb) { mm.runMatching(c, std::move(cb)); });
}

Result<qint64> queueLength(Matchmaker &mm, const QString &roomType, int teamSize)
{
    return await<qint64>(
        [&](QObject *c, StoreCallback<qint64> cb) { mm.queueLength(roomType, teamSize, c, std::move(cb)); });
}

Result<std::optional<Ticket>> ticketOf(Matchmaker &mm, const QString &session)
{
    return await<std::optional<Ticket>>(
        [&](QObject *c, StoreCallback<std::optional<Ticket>> cb) { mm.ticketOf(session, c, std::move(cb)); });
}

Result<QList<Ticket>> removeStale(Matchmaker &mm, bool dryRun)
{
    return await<QList<Ticket>>(
        [&](QObject *c, StoreCallback<QList<Ticket>> cb) { mm.removeStale(dryRun, c, std::move(cb)); });
}

Result<QList<Ticket>> removeInstance(Matchmaker &mm, const QString &instance, bool dryRun)
{
    return await<QList<Ticket>>([&](QObject *c, StoreCallback<QList<Ticket>> cb) {
        mm.removeInstanceTickets(instance, dryRun, c, std::move(cb));
    });
}

QStringList sessionsOf(const QList<Ticket> &tickets)
{
    QStringList sessions;
    for (const Ticket &t : tickets)
        sessions.append(t.sessionId);
    sessions.sort();
    return sessions;
}

// "s0 s2|s1 s3": the sessions of each match, sorted, matches sorted.
QString describe(const QList<Match> &matches)
{
    QStringList groups;
    for (const Match &m : matches)
        groups.append(sessionsOf(m.tickets()).join(QLatin1Char(' ')));
    groups.sort();
    return groups.join(QLatin1Char('|'));
}

int levelSum(const QList<Ticket> &team)
{
    int sum = 0;
    for (const Ticket &t : team)
        sum += t.level;
    return sum;
}

} // namespace

class TestMatchmaker final : public QObject
{
    Q_OBJECT

private slots:
    void initTestCase_data();
    void initTestCase();
    void init();
    void cleanup();

    void pairing_data();
    void pairing();
    void teamsAreBalanced();
    void windowWidensWithWaiting_data();
    void windowWidensWithWaiting();
    void windowWidensInRealTime();
    void queuesAreSeparate();
    void budgetWalksWholeQueue();
    void cancel();
    void duplicateEnqueue();
    void badRequests_data();
    void badRequests();
    void leftoverSessionMappingIsReleased();
    void ticketLookup();
    void metricsValues();
    void staleTickets();
    void deadInstanceTickets();
    void periodicTask();
    void callbackDroppedWithContext();
    void formOperationTwins();
    void noTicketInTwoMatches();
    void settings();

private:
    std::unique_ptr<StateStore> makeStore();
    std::unique_ptr<Instance> makeInstance(const QString &id, MatchmakerSettings settings);
    // Keys of the test's namespace matching a pattern.
    StateStore::Keys keys(const QByteArray &pattern);

    std::unique_ptr<RedisServer> m_redis;
    std::shared_ptr<MemoryData> m_memoryData;
    QByteArray m_namespace;
    int m_testIndex = 0;
    std::shared_ptr<qint64> m_now;
};

void TestMatchmaker::initTestCase_data()
{
    QTest::addColumn<QString>("backend");
    QTest::newRow("memory") << QStringLiteral("memory");
    QTest::newRow("redis") << QStringLiteral("redis");
}

void TestMatchmaker::initTestCase()
{
    // The matcher logs every match at debug level; keep the output readable.
    QLoggingCategory::setFilterRules(QStringLiteral("arena.*.debug=false"));
    m_redis = std::make_unique<RedisServer>();
    QVERIFY2(m_redis->start(), qPrintable(m_redis->lastError()));
}

void TestMatchmaker::init()
{
    m_namespace = QByteArrayLiteral("mmtest:") + QByteArray::number(++m_testIndex) + ':';
    m_memoryData = std::make_shared<MemoryData>();
    m_now = std::make_shared<qint64>(kT0);
}

void TestMatchmaker::cleanup()
{
    m_memoryData.reset();
}

std::unique_ptr<StateStore> TestMatchmaker::makeStore()
{
    QFETCH_GLOBAL(QString, backend);
    if (backend == QLatin1String("memory"))
        return std::make_unique<MemoryStore>(m_memoryData);
    RedisOptions options;
    options.port = m_redis->port();
    auto store = std::make_unique<RedisStore>(options, m_namespace, 2);
    store->open();
    QDeadlineTimer deadline(5000);
    while (!store->isAvailable() && !deadline.hasExpired())
        QTest::qWait(10);
    if (!store->isAvailable())
        return nullptr;
    return store;
}

std::unique_ptr<Instance> TestMatchmaker::makeInstance(const QString &id, MatchmakerSettings settings)
{
    auto instance = std::make_unique<Instance>();
    instance->store = makeStore();
    if (!instance->store)
        return nullptr;
    instance->mm = std::make_unique<Matchmaker>(*instance->store, *instance->tasks, *instance->metrics,
                                                std::move(settings), id);
    Instance *raw = instance.get();
    connect(raw->mm.get(), &Matchmaker::matchFormed, raw->mm.get(), [raw](const Match &m) { raw->matches.append(m); });
    connect(raw->mm.get(), &Matchmaker::ticketRemoved, raw->mm.get(),
            [raw](const Ticket &t, const QString &reason) { raw->removed.append({t, reason}); });
    return instance;
}

StateStore::Keys TestMatchmaker::keys(const QByteArray &pattern)
{
    std::unique_ptr<StateStore> store = makeStore();
    if (!store)
        return {StateStore::Keys{"<no store>"}};
    return call(*store, &StateStore::scan, pattern).valueOr({"<scan failed>"});
}

#define MAKE_INSTANCE(var, id, settings)                                                                     \
    std::unique_ptr<Instance> var = makeInstance(QStringLiteral(id), settings);                              \
    QVERIFY2(var, "could not create the instance's store")

// ---- pairing

void TestMatchmaker::pairing_data()
{
    QTest::addColumn<int>("teamSize");
    QTest::addColumn<double>("window");
    QTest::addColumn<QList<int>>("levels"); // ticket i is session "s<i>", enqueued in this order
    QTest::addColumn<QString>("expected");  // matches as in describe()
    QTest::addColumn<int>("remaining");

    QTest::newRow("close levels pair up") << 1 << 20.0 << QList<int>{100, 500, 110, 515, 900} << "s0 s2|s1 s3" << 1;
    QTest::newRow("outside the window") << 1 << 20.0 << QList<int>{100, 150} << "" << 2;
    QTest::newRow("window edge is inclusive") << 1 << 20.0 << QList<int>{100, 120} << "s0 s1" << 0;
    QTest::newRow("zero window, equal levels") << 1 << 0.0 << QList<int>{7, 8, 7} << "s0 s2" << 1;
    QTest::newRow("nearest level wins") << 1 << 100.0 << QList<int>{500, 580, 510, 300} << "s0 s2" << 2;
    QTest::newRow("oldest first among equals") << 1 << 0.0 << QList<int>{200, 200, 200} << "s0 s1" << 1;
    QTest::newRow("below the anchor") << 1 << 50.0 << QList<int>{600, 560} << "s0 s1" << 0;
    QTest::newRow("levels 0 and max") << 1 << 1000.0 << QList<int>{0, 1000} << "s0 s1" << 0;
    QTest::newRow("2v2 needs four") << 2 << 100.0 << QList<int>{10, 20, 30} << "" << 3;
    QTest::newRow("2v2") << 2 << 100.0 << QList<int>{10, 20, 30, 40, 900} << "s0 s1 s2 s3" << 1;
    QTest::newRow("2v2 spread over window") << 2 << 30.0 << QList<int>{0, 10, 20, 100, 110} << "" << 5;
    // The spread of the whole group counts, candidates below and above the anchor together.
    QTest::newRow("2v2 spread equal to window") << 2 << 20.0 << QList<int>{100, 90, 95, 110} << "s0 s1 s2 s3" << 0;
    QTest::newRow("2v2 spread one past window") << 2 << 20.0 << QList<int>{100, 90, 95, 111} << "" << 4;
    QTest::newRow("2v2 two groups") << 2 << 30.0 << QList<int>{0, 500, 10, 510, 20, 520, 30, 530}
                                    << "s0 s2 s4 s6|s1 s3 s5 s7" << 0;
    QTest::newRow("3v3") << 3 << 50.0 << QList<int>{100, 110, 120, 130, 140, 150, 160} << "s0 s1 s2 s3 s4 s5" << 1;
    QList<int> sixteen(16, 500);
    QTest::newRow("8v8") << 8 << 0.0 << sixteen << "s0 s1 s10 s11 s12 s13 s14 s15 s2 s3 s4 s5 s6 s7 s8 s9" << 0;
    QTest::newRow("8v8 one short") << 8 << 0.0 << QList<int>(15, 500) << "" << 15;
    // The anchor's best group is the tightest run of candidates, not simply the next ones above.
    QTest::newRow("tightest run") << 2 << 100.0 << QList<int>{500, 590, 600, 420, 450, 510} << "s0 s3 s4 s5" << 2;
}

void TestMatchmaker::pairing()
{
    QFETCH(int, teamSize);
    QFETCH(double, window);
    QFETCH(QList<int>, levels);
    QFETCH(QString, expected);
    QFETCH(int, remaining);

    MAKE_INSTANCE(a, "a", manual(window));
    const std::shared_ptr<qint64> now = m_now;
    a->mm->setClock([now] { return *now; });
    for (int i = 0; i < levels.size(); ++i) {
        ++*m_now; // distinct enqueue times, in order
        const Result<QString> id = enqueue(*a->mm, request(QStringLiteral("s%1").arg(i), levels[i], teamSize));
        QVERIFY2(id.ok(), qPrintable(describeError(id)));
    }
    const Result<int> formed = runMatching(*a->mm);
    QVERIFY2(formed.ok(), qPrintable(describeError(formed)));
    QCOMPARE(describe(a->matches), expected);
    QCOMPARE(*formed, int(a->matches.size()));
    STORE_COMPARE(queueLength(*a->mm, QStringLiteral("duel"), teamSize), remaining);
    for (const Match &m : std::as_const(a->matches)) {
        QCOMPARE(m.roomType, QStringLiteral("duel"));
        QCOMPARE(m.teamSize, teamSize);
        QCOMPARE(m.teams.size(), 2);
        QCOMPARE(m.teams[0].size(), teamSize);
        QCOMPARE(m.teams[1].size(), teamSize);
        QVERIFY(m.id.startsWith(QLatin1String("m-")));
        QCOMPARE(m.formedAtMs, *m_now);
        for (const Ticket &t : m.tickets()) {
            QCOMPARE(t.playerId, QStringLiteral("player-") + t.sessionId);
            QCOMPARE(t.instanceId, QStringLiteral("a"));
            QCOMPARE(t.roomType, QStringLiteral("duel"));
        }
    }
    // A second pass changes nothing.
    STORE_COMPARE(runMatching(*a->mm), 0);
    STORE_COMPARE(queueLength(*a->mm, QStringLiteral("duel"), teamSize), remaining);
}

void TestMatchmaker::teamsAreBalanced()
{
    MAKE_INSTANCE(a, "a", manual(1000));
    const QList<int> levels{10, 40, 20, 30};
    for (int i = 0; i < levels.size(); ++i)
        QVERIFY(enqueue(*a->mm, request(QStringLiteral("s%1").arg(i), levels[i], 2)).ok());
    STORE_COMPARE(runMatching(*a->mm), 1);
    const Match &m = a->matches.value(0);
    QCOMPARE(m.teams.size(), 2);
    // Dealt highest first A B B A: {40, 10} against {30, 20}.
    QCOMPARE(levelSum(m.teams[0]), 50);
    QCOMPARE(levelSum(m.teams[1]), 50);
    QCOMPARE(m.teams[0].value(0).level, 40);
    QCOMPARE(m.teams[1].value(0).level, 30);

    // 1v1: one ticket per team.
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("x"), 5)).ok());
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("y"), 9)).ok());
    STORE_COMPARE(runMatching(*a->mm), 1);
    QCOMPARE(a->matches.value(1).teams.value(0).value(0).sessionId, QStringLiteral("y"));
    QCOMPARE(a->matches.value(1).teams.value(1).value(0).sessionId, QStringLiteral("x"));
}

// ---- window widening

void TestMatchmaker::windowWidensWithWaiting_data()
{
    QTest::addColumn<int>("otherLevel");
    QTest::addColumn<qint64>("notYetMs");    // time after enqueue when they must still wait
    QTest::addColumn<qint64>("matchedMs");   // time after enqueue when they match; -1 = never

    // initial 10, +20 per second, at most 100 (see the test): a spread of 50 needs 2 s of waiting.
    QTest::newRow("spread 50") << 150 << qint64(1999) << qint64(2000);
    QTest::newRow("spread 10 at once") << 110 << qint64(-1) << qint64(0);
    QTest::newRow("spread 100 at the maximum") << 200 << qint64(4499) << qint64(4500);
    QTest::newRow("spread 101 never") << 201 << qint64(3'600'000) << qint64(-1);
}

void TestMatchmaker::windowWidensWithWaiting()
{
    QFETCH(int, otherLevel);
    QFETCH(qint64, notYetMs);
    QFETCH(qint64, matchedMs);

    MAKE_INSTANCE(a, "a", manual(10, 20, 100));
    const std::shared_ptr<qint64> now = m_now;
    a->mm->setClock([now] { return *now; });
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("old"), 100)).ok());
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("new"), otherLevel)).ok());
    if (notYetMs >= 0) {
        *m_now = kT0 + notYetMs;
        STORE_COMPARE(runMatching(*a->mm), 0);
        STORE_COMPARE(queueLength(*a->mm, QStringLiteral("duel"), 1), 2);
    }
    if (matchedMs >= 0) {
        *m_now = kT0 + matchedMs;
        STORE_COMPARE(runMatching(*a->mm), 1);
        QCOMPARE(describe(a->matches), QStringLiteral("new old"));
        STORE_COMPARE(queueLength(*a->mm, QStringLiteral("duel"), 1), 0);
        // Both waited matchedMs: the histogram holds two observations of that.
        const std::optional<double> count =
            a->metrics->value(QStringLiteral("arena_matchmaking_wait_seconds_count"), {QStringLiteral("duel")});
        const std::optional<double> sum =
            a->metrics->value(QStringLiteral("arena_matchmaking_wait_seconds_sum"), {QStringLiteral("duel")});
        QCOMPARE(count, std::optional<double>(2));
        QVERIFY(sum);
        QCOMPARE(*sum, 2.0 * double(matchedMs) / 1000.0);
    } else {
        QVERIFY(a->matches.isEmpty());
    }
}

void TestMatchmaker::windowWidensInRealTime()
{
    // The periodic task on the real clock: 0 to start, +200 levels per second.
    MatchmakerSettings s = manual(0, 200, 1000);
    s.interval = 20ms;
    MAKE_INSTANCE(a, "a", s);
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("s1"), 100)).ok());
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("s2"), 150)).ok());
    QVERIFY(a->matches.isEmpty()); // a spread of 50 needs 250 ms of waiting
    QTRY_COMPARE_WITH_TIMEOUT(a->matches.size(), 1, 10000);
    QCOMPARE(describe(a->matches), QStringLiteral("s1 s2"));
    // The older ticket waited at least the 250 ms the window needed.
    const Ticket oldest = a->matches[0].tickets().value(0).sessionId == QLatin1String("s1")
                              ? a->matches[0].tickets().value(0)
                              : a->matches[0].tickets().value(1);
    QVERIFY2(a->matches[0].formedAtMs - oldest.enqueuedAtMs >= 250,
             qPrintable(QString::number(a->matches[0].formedAtMs - oldest.enqueuedAtMs)));
    const std::optional<TaskRegistry::TaskInfo> task = a->tasks->task(QLatin1String(Matchmaker::TaskName));
    QVERIFY(task);
    QVERIFY(task->runs >= 1);
    QCOMPARE(task->failures, quint64(0));
}

void TestMatchmaker::queuesAreSeparate()
{
    MAKE_INSTANCE(a, "a", manual(1000));
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("d1"), 10, 1, QStringLiteral("duel"))).ok());
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("d2"), 10, 2, QStringLiteral("duel"))).ok());
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("r1"), 10, 1, QStringLiteral("relay"))).ok());
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("r2"), 10, 2, QStringLiteral("relay"))).ok());
    STORE_COMPARE(runMatching(*a->mm), 0);
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("r3"), 900, 1, QStringLiteral("relay"))).ok());
    STORE_COMPARE(runMatching(*a->mm), 1);
    QCOMPARE(describe(a->matches), QStringLiteral("r1 r3"));
    QCOMPARE(a->matches[0].roomType, QStringLiteral("relay"));
    STORE_COMPARE(queueLength(*a->mm, QStringLiteral("duel"), 1), 1);
    STORE_COMPARE(queueLength(*a->mm, QStringLiteral("duel"), 2), 1);
    STORE_COMPARE(queueLength(*a->mm, QStringLiteral("relay"), 2), 1);
    STORE_COMPARE(queueLength(*a->mm, QStringLiteral("relay"), 1), 0);
}

void TestMatchmaker::budgetWalksWholeQueue()
{
    // Three tickets per script call: the pass keeps calling until every anchor was looked at, and
    // skips the ones that stay (levels far apart) without losing the matchable ones behind them.
    MatchmakerSettings s = manual(5);
    s.anchorsPerCall = 3;
    MAKE_INSTANCE(a, "a", s);
    const QList<int> levels{0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 950, 0, 950};
    for (int i = 0; i < levels.size(); ++i)
        QVERIFY(enqueue(*a->mm, request(QStringLiteral("s%1").arg(i, 2, 10, QLatin1Char('0')), levels[i])).ok());
    STORE_COMPARE(runMatching(*a->mm), 2);
    QCOMPARE(describe(a->matches), QStringLiteral("s00 s11|s10 s12"));
    STORE_COMPARE(queueLength(*a->mm, QStringLiteral("duel"), 1), 9);
}

// ---- cancel and duplicates

void TestMatchmaker::cancel()
{
    MAKE_INSTANCE(a, "a", manual(1000));
    const Result<QString> id = enqueue(*a->mm, request(QStringLiteral("s1"), 10));
    QVERIFY(id.ok());
    STORE_COMPARE(::cancel(*a->mm, QStringLiteral("s1")), true);
    STORE_COMPARE(::cancel(*a->mm, QStringLiteral("s1")), false);
    STORE_COMPARE(::cancel(*a->mm, QStringLiteral("never-queued")), false);
    STORE_COMPARE(queueLength(*a->mm, QStringLiteral("duel"), 1), 0);
    const Result<std::optional<Ticket>> none = ticketOf(*a->mm, QStringLiteral("s1"));
    QVERIFY(none.ok());
    QVERIFY(!none->has_value());
    QCOMPARE(a->metrics->value(QStringLiteral("arena_matchmaking_cancellations_total"),
                               {QStringLiteral("duel"), QStringLiteral("requested")}),
             std::optional<double>(1));

    // A cancel sent right behind its enqueue, before that finished, still removes the ticket.
    std::optional<Result<QString>> queued;
    std::optional<Result<bool>> cancelled;
    a->mm->enqueue(request(QStringLiteral("quick"), 10), this, [&queued](Result<QString> r) { queued = r; });
    a->mm->cancel(QStringLiteral("quick"), this, [&cancelled, &queued](Result<bool> r) {
        QVERIFY(queued); // answered in order
        cancelled = r;
    });
    QTRY_VERIFY_WITH_TIMEOUT(cancelled.has_value(), 5000);
    QVERIFY(queued->ok());
    STORE_COMPARE(*cancelled, true);
    STORE_COMPARE(queueLength(*a->mm, QStringLiteral("duel"), 1), 0);
    QCOMPARE(a->metrics->value(QStringLiteral("arena_matchmaking_cancellations_total"),
                               {QStringLiteral("duel"), QStringLiteral("requested")}),
             std::optional<double>(2));

    // A cancelled ticket is never matched; the session may queue again at once.
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("s2"), 10)).ok());
    STORE_COMPARE(runMatching(*a->mm), 0);
    const Result<QString> again = enqueue(*a->mm, request(QStringLiteral("s1"), 10));
    QVERIFY2(again.ok(), qPrintable(describeError(again)));
    QVERIFY(*again != *id);
    STORE_COMPARE(runMatching(*a->mm), 1);
    QCOMPARE(describe(a->matches), QStringLiteral("s1 s2"));
    QCOMPARE(a->matches[0].tickets().size(), 2);
    // Nothing left behind: no ticket hash, session mapping or index entry.
    QTRY_COMPARE_WITH_TIMEOUT(keys("mm:*"), StateStore::Keys{"mm:queues"}, 5000);
}

void TestMatchmaker::duplicateEnqueue()
{
    MAKE_INSTANCE(a, "a", manual(0));
    const Result<QString> first = enqueue(*a->mm, request(QStringLiteral("s1"), 10));
    QVERIFY(first.ok());
    const Result<QString> second = enqueue(*a->mm, request(QStringLiteral("s1"), 10));
    QVERIFY(!second.ok());
    QCOMPARE(second.error().code, QStringLiteral("conflict"));
    QVERIFY2(second.error().message.contains(*first), qPrintable(second.error().message));
    // Another queue does not help: one ticket per session.
    const Result<QString> other = enqueue(*a->mm, request(QStringLiteral("s1"), 10, 2, QStringLiteral("relay")));
    QVERIFY(!other.ok());
    QCOMPARE(other.error().code, QStringLiteral("conflict"));
    STORE_COMPARE(queueLength(*a->mm, QStringLiteral("duel"), 1), 1);
    STORE_COMPARE(queueLength(*a->mm, QStringLiteral("relay"), 2), 0);

    // Two requests in flight at once: exactly one wins.
    QList<Result<QString>> results;
    for (int i = 0; i < 2; ++i) {
        a->mm->enqueue(request(QStringLiteral("s2"), 10), this,
                       [&results](Result<QString> r) { results.append(std::move(r)); });
    }
    QTRY_COMPARE_WITH_TIMEOUT(results.size(), 2, 5000);
    QCOMPARE(int(results[0].ok()) + int(results[1].ok()), 1);
    const Result<QString> &loser = results[0].ok() ? results[1] : results[0];
    QCOMPARE(loser.error().code, QStringLiteral("conflict"));

    // Once matched, the session is free to queue again.
    STORE_COMPARE(runMatching(*a->mm), 1);
    const Result<QString> requeued = enqueue(*a->mm, request(QStringLiteral("s1"), 10));
    QVERIFY2(requeued.ok(), qPrintable(describeError(requeued)));
}

void TestMatchmaker::badRequests_data()
{
    QTest::addColumn<QString>("session");
    QTest::addColumn<QString>("player");
    QTest::addColumn<int>("level");
    QTest::addColumn<int>("teamSize");
    QTest::addColumn<QString>("roomType");
    QTest::addColumn<QString>("mention");

    const QString s = QStringLiteral("s");
    const QString p = QStringLiteral("p");
    const QString duel = QStringLiteral("duel");
    QTest::newRow("level below 0") << s << p << -1 << 1 << duel << "level";
    QTest::newRow("level above 1000") << s << p << 1001 << 1 << duel << "level";
    QTest::newRow("team size 0") << s << p << 5 << 0 << duel << "team_size";
    QTest::newRow("team size 9") << s << p << 5 << 9 << duel << "team_size";
    QTest::newRow("empty session") << QString() << p << 5 << 1 << duel << "session";
    QTest::newRow("session with control") << QStringLiteral("a\nb") << p << 5 << 1 << duel << "session";
    QTest::newRow("session too long") << QString(129, QLatin1Char('x')) << p << 5 << 1 << duel << "session";
    QTest::newRow("empty player") << s << QString() << 5 << 1 << duel << "player";
    QTest::newRow("empty room type") << s << p << 5 << 1 << QString() << "room_type";
    QTest::newRow("room type with hash tag") << s << p << 5 << 1 << QStringLiteral("du{el}") << "room_type";
    QTest::newRow("room type with colon") << s << p << 5 << 1 << QStringLiteral("a:1") << "room_type";
    QTest::newRow("room type with bar") << s << p << 5 << 1 << QStringLiteral("a|b") << "room_type";
    QTest::newRow("room type too long") << s << p << 5 << 1 << QString(65, QLatin1Char('r')) << "room_type";
    QTest::newRow("room type not allowed") << s << p << 5 << 1 << QStringLiteral("chess") << "chess";
}

void TestMatchmaker::badRequests()
{
    QFETCH(QString, session);
    QFETCH(QString, player);
    QFETCH(int, level);
    QFETCH(int, teamSize);
    QFETCH(QString, roomType);
    QFETCH(QString, mention);

    MatchmakerSettings settings = manual(10);
    settings.roomTypes = QStringList{QStringLiteral("duel"), QStringLiteral("relay")};
    MAKE_INSTANCE(a, "a", settings);
    Ticket t;
    t.sessionId = session;
    t.playerId = player;
    t.level = level;
    t.teamSize = teamSize;
    t.roomType = roomType;
    const Result<QString> r = enqueue(*a->mm, t);
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("bad_request"));
    QVERIFY2(r.error().message.contains(mention), qPrintable(r.error().message));
    QCOMPARE(keys("mm:*"), StateStore::Keys());

    // The limits themselves are accepted.
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("low"), 0, 1)).ok());
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("high"), 1000, 8, QStringLiteral("relay"))).ok());
}

void TestMatchmaker::leftoverSessionMappingIsReleased()
{
    MAKE_INSTANCE(a, "a", manual(0));
    // As a crash between taking the mapping and adding the ticket, or after a match, would leave it.
    STORE_COMPARE(call(*a->store, &StateStore::set, QByteArray("mm:session:s1"), QByteArray("duel:1|t-gone"), qint64(0),
                       StateStore::SetMode::Always),
                  true);
    const Result<QString> id = enqueue(*a->mm, request(QStringLiteral("s1"), 10));
    QVERIFY2(id.ok(), qPrintable(describeError(id)));
    STORE_COMPARE(call(*a->store, &StateStore::get, QByteArray("mm:session:s1")),
                  std::optional<QByteArray>(QByteArray("duel:1|") + id->toUtf8()));

    // A malformed mapping is released too.
    STORE_COMPARE(call(*a->store, &StateStore::set, QByteArray("mm:session:s2"), QByteArray("garbage"), qint64(0),
                       StateStore::SetMode::Always),
                  true);
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("s2"), 10)).ok());

    // cancel() of a session whose mapping names a ticket that is gone: false, and the mapping goes.
    STORE_COMPARE(call(*a->store, &StateStore::set, QByteArray("mm:session:s3"), QByteArray("duel:1|t-gone"), qint64(0),
                       StateStore::SetMode::Always),
                  true);
    STORE_COMPARE(::cancel(*a->mm, QStringLiteral("s3")), false);
    STORE_ABSENT(call(*a->store, &StateStore::get, QByteArray("mm:session:s3")));
}

void TestMatchmaker::ticketLookup()
{
    MAKE_INSTANCE(a, "inst-1", manual(0));
    const std::shared_ptr<qint64> now = m_now;
    a->mm->setClock([now] { return *now; });
    const Result<QString> id = enqueue(*a->mm, request(QStringLiteral("s1"), 321, 3, QStringLiteral("relay")));
    QVERIFY(id.ok());
    QVERIFY(id->startsWith(QStringLiteral("t-%1-").arg(kT0)));
    const Result<std::optional<Ticket>> found = ticketOf(*a->mm, QStringLiteral("s1"));
    QVERIFY(found.ok() && found->has_value());
    const Ticket &t = **found;
    QCOMPARE(t.id, *id);
    QCOMPARE(t.sessionId, QStringLiteral("s1"));
    QCOMPARE(t.playerId, QStringLiteral("player-s1"));
    QCOMPARE(t.level, 321);
    QCOMPARE(t.teamSize, 3);
    QCOMPARE(t.roomType, QStringLiteral("relay"));
    QCOMPARE(t.enqueuedAtMs, kT0);
    QCOMPARE(t.instanceId, QStringLiteral("inst-1"));

    // The documented layout.
    const QByteArray ref = QByteArray("relay:3|") + id->toUtf8();
    STORE_COMPARE(call(*a->store, &StateStore::get, QByteArray("mm:session:s1")), std::optional<QByteArray>(ref));
    STORE_COMPARE(call(*a->store, &StateStore::smembers, QByteArray("mm:instance:inst-1:tickets")), StateStore::Keys{ref});
    STORE_COMPARE(call(*a->store, &StateStore::smembers, QByteArray("mm:queues")), StateStore::Keys{"relay:3"});
    STORE_COMPARE(call(*a->store, &StateStore::zscore, QByteArray("mm:{relay:3}:queue"), id->toUtf8()),
                  std::optional<double>(double(kT0)));
    STORE_COMPARE(call(*a->store, &StateStore::zscore, QByteArray("mm:{relay:3}:levels"), id->toUtf8()),
                  std::optional<double>(321));
    STORE_COMPARE(call(*a->store, &StateStore::hget, QByteArray("mm:{relay:3}:ticket:") + id->toUtf8(),
                       QByteArray("session")),
                  std::optional<QByteArray>("s1"));

    const Result<qint64> bad = queueLength(*a->mm, QStringLiteral("no{pe"), 1);
    QVERIFY(!bad.ok());
    QCOMPARE(bad.error().code, QStringLiteral("bad_request"));
}

void TestMatchmaker::metricsValues()
{
    MAKE_INSTANCE(a, "a", manual(10));
    const std::shared_ptr<qint64> now = m_now;
    a->mm->setClock([now] { return *now; });
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("s1"), 100)).ok());
    *m_now += 1500;
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("s2"), 105)).ok());
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("s3"), 900)).ok());
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("s4"), 500)).ok());
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("r1"), 1, 1, QStringLiteral("relay"))).ok());
    STORE_COMPARE(::cancel(*a->mm, QStringLiteral("s4")), true);
    *m_now += 500;
    STORE_COMPARE(runMatching(*a->mm), 1);

    const MetricsRegistry &m = *a->metrics;
    const QString duel = QStringLiteral("duel");
    QCOMPARE(m.value(QStringLiteral("arena_matchmaking_tickets_total"), {duel}), std::optional<double>(4));
    QCOMPARE(m.value(QStringLiteral("arena_matchmaking_tickets_total"), {QStringLiteral("relay")}),
             std::optional<double>(1));
    QCOMPARE(m.value(QStringLiteral("arena_matchmaking_matches_total"), {duel}), std::optional<double>(1));
    QCOMPARE(m.value(QStringLiteral("arena_matchmaking_cancellations_total"), {duel, QStringLiteral("requested")}),
             std::optional<double>(1));
    QCOMPARE(m.value(QStringLiteral("arena_matchmaking_wait_seconds_count"), {duel}), std::optional<double>(2));
    QCOMPARE(m.value(QStringLiteral("arena_matchmaking_wait_seconds_sum"), {duel}), std::optional<double>(2.0 + 0.5));
    QCOMPARE(m.value(QStringLiteral("arena_matchmaking_queue_tickets"), {duel, QStringLiteral("1")}),
             std::optional<double>(1));
    QCOMPARE(m.value(QStringLiteral("arena_matchmaking_queue_tickets"), {QStringLiteral("relay"), QStringLiteral("1")}),
             std::optional<double>(1));
    const QByteArray text = m.exposition();
    QVERIFY(text.contains("arena_matchmaking_wait_seconds_bucket{room_type=\"duel\",le=\"2.5\"} 2"));
    QVERIFY(text.contains("arena_matchmaking_wait_seconds_bucket{room_type=\"duel\",le=\"0.25\"} 0"));
    QVERIFY(text.contains("arena_matchmaking_queue_tickets{room_type=\"duel\",team_size=\"1\"} 1"));
    QVERIFY(m.programmingErrors().isEmpty());
}

// ---- cleanup

void TestMatchmaker::staleTickets()
{
    MatchmakerSettings s = manual(0);
    s.maxWait = 60s;
    MAKE_INSTANCE(a, "a", s);
    const std::shared_ptr<qint64> now = m_now;
    a->mm->setClock([now] { return *now; });
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("old"), 10)).ok());
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("old2"), 20, 2, QStringLiteral("relay"))).ok());
    *m_now += 50'000;
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("young"), 900)).ok());

    *m_now = kT0 + 60'000; // not past the limit yet
    STORE_COMPARE(removeStale(*a->mm, true), QList<Ticket>());
    *m_now = kT0 + 61'000;
    const Result<QList<Ticket>> dry = removeStale(*a->mm, true);
    QVERIFY(dry.ok());
    QCOMPARE(sessionsOf(*dry), (QStringList{QStringLiteral("old"), QStringLiteral("old2")}));
    STORE_COMPARE(queueLength(*a->mm, QStringLiteral("duel"), 1), 2); // a dry run changes nothing
    QVERIFY(a->removed.isEmpty());

    const Result<QList<Ticket>> real = removeStale(*a->mm, false);
    QVERIFY(real.ok());
    QCOMPARE(*real, *dry); // exactly what the dry run listed
    QCOMPARE(a->removed.size(), 2);
    for (const auto &[ticket, reason] : std::as_const(a->removed))
        QCOMPARE(reason, QStringLiteral("timeout"));
    STORE_COMPARE(queueLength(*a->mm, QStringLiteral("duel"), 1), 1);
    STORE_COMPARE(queueLength(*a->mm, QStringLiteral("relay"), 2), 0);
    QCOMPARE(a->metrics->value(QStringLiteral("arena_matchmaking_cancellations_total"),
                               {QStringLiteral("duel"), QStringLiteral("timeout")}),
             std::optional<double>(1));
    // The session may queue again.
    const Result<QString> requeued = enqueue(*a->mm, request(QStringLiteral("old"), 10));
    QVERIFY2(requeued.ok(), qPrintable(describeError(requeued)));

    // Without a limit nothing is stale.
    MatchmakerSettings keep = manual(0);
    keep.maxWait = 0ms;
    MAKE_INSTANCE(b, "b", keep);
    STORE_COMPARE(removeStale(*b->mm, false), QList<Ticket>());
}

void TestMatchmaker::deadInstanceTickets()
{
    MAKE_INSTANCE(a, "a", manual(0));
    MAKE_INSTANCE(b, "b", manual(0));
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("a1"), 10)).ok());
    QVERIFY(enqueue(*a->mm, request(QStringLiteral("a2"), 20, 2, QStringLiteral("relay"))).ok());
    QVERIFY(enqueue(*b->mm, request(QStringLiteral("b1"), 30)).ok());

    const Result<QList<Ticket>> dry = removeInstance(*b->mm, QStringLiteral("a"), true);
    QVERIFY(dry.ok());
    QCOMPARE(sessionsOf(*dry), (QStringList{QStringLiteral("a1"), QStringLiteral("a2")}));
    STORE_COMPARE(queueLength(*b->mm, QStringLiteral("duel"), 1), 2);

    const Result<QList<Ticket>> real = removeInstance(*b->mm, QStringLiteral("a"), false);
    QVERIFY(real.ok());
    QCOMPARE(*real, *dry);
    QCOMPARE(b->removed.size(), 2);
    QCOMPARE(b->removed[0].second, QStringLiteral("instance_gone"));
    STORE_COMPARE(queueLength(*b->mm, QStringLiteral("duel"), 1), 1);
    STORE_COMPARE(queueLength(*b->mm, QStringLiteral("relay"), 2), 0);
    const Result<std::optional<Ticket>> survivor = ticketOf(*b->mm, QStringLiteral("b1"));
    QVERIFY(survivor.ok() && survivor->has_value());
    QTRY_COMPARE_WITH_TIMEOUT(keys("mm:instance:*"), StateStore::Keys{"mm:instance:b:tickets"}, 5000);
    QTRY_COMPARE_WITH_TIMEOUT(keys("mm:session:*"), StateStore::Keys{"mm:session:b1"}, 5000);
    STORE_COMPARE(removeInstance(*b->mm, QStringLiteral("a"), false), QList<Ticket>());
}

// ---- plumbing

void TestMatchmaker::periodicTask()
{
    MatchmakerSettings s = manual(0);
    s.interval = 40ms;
    TaskRegistry tasks;
    MetricsRegistry metrics;
    std::unique_ptr<StateStore> store = makeStore();
    QVERIFY(store);
    {
        Matchmaker mm(*store, tasks, metrics, s, QStringLiteral("a"));
        const std::optional<TaskRegistry::TaskInfo> task = tasks.task(QStringLiteral("matchmaking"));
        QVERIFY(task);
        QCOMPARE(task->interval, 40ms);
        QCOMPARE(task->async, true);
        QSignalSpy formed(&mm, &Matchmaker::matchFormed);
        QVERIFY(enqueue(mm, request(QStringLiteral("s1"), 5)).ok());
        QVERIFY(enqueue(mm, request(QStringLiteral("s2"), 5)).ok());
        QTRY_COMPARE_WITH_TIMEOUT(formed.size(), 1, 5000);
        QCOMPARE(sessionsOf(formed[0][0].value<Match>().tickets()),
                 (QStringList{QStringLiteral("s1"), QStringLiteral("s2")}));
    }
    QVERIFY(!tasks.contains(QStringLiteral("matchmaking")));

    // Interval 0: no task; invalid settings fall back to the defaults (250 ms).
    {
        Matchmaker manualOnly(*store, tasks, metrics, manual(0), QStringLiteral("a"));
        QVERIFY(!tasks.contains(QStringLiteral("matchmaking")));
    }
    MatchmakerSettings broken = manual(10);
    broken.maxWindow = 5;
    Matchmaker fallback(*store, tasks, metrics, broken, QStringLiteral("a"));
    QCOMPARE(fallback.settings().maxWindow, MatchmakerSettings().maxWindow);
    QCOMPARE(tasks.task(QStringLiteral("matchmaking"))->interval, 250ms);
}

void TestMatchmaker::callbackDroppedWithContext()
{
    MAKE_INSTANCE(a, "a", manual(0));
    bool called = false;
    {
        QObject context;
        a->mm->enqueue(request(QStringLiteral("s1"), 1), &context, [&called](Result<QString>) { called = true; });
        a->mm->enqueue(request(QStringLiteral("bad"), -1), &context, [&called](Result<QString>) { called = true; });
    }
    // The enqueue itself still happens; only the answer is dropped.
    QTRY_VERIFY_WITH_TIMEOUT(queueLength(*a->mm, QStringLiteral("duel"), 1).valueOr(0) == 1, 5000);
    QTest::qWait(50);
    QVERIFY(!called);
    // A null callback is fine.
    a->mm->cancel(QStringLiteral("s1"), nullptr, {});
    QTRY_VERIFY_WITH_TIMEOUT(queueLength(*a->mm, QStringLiteral("duel"), 1).valueOr(1) == 0, 5000);
}

// The operations straight through the store: both twins give the same answers.
void TestMatchmaker::formOperationTwins()
{
    std::unique_ptr<StateStore> store = makeStore();
    QVERIFY(store);
    MatchmakingOperations::registerAll(*store);
    const QueueKey q(QStringLiteral("duel"), 1);
    const StateStore::Keys keys{q.queue(), q.levels(), q.ticketPrefix()};
    const auto add = [&](const QByteArray &id, int level, qint64 at) {
        return call(*store, &StateStore::run, QByteArray(MatchmakingOperations::EnqueueName),
                    StateStore::Keys{q.queue(), q.levels(), q.ticket(QString::fromUtf8(id))},
                    StateStore::Args{id, "sess-" + id, "pl-" + id, QByteArray::number(level), QByteArray::number(at),
                                     "i", "duel", "1"});
    };
    STORE_COMPARE(add("t-1", 100, 1000), Reply::integer(1));
    STORE_COMPARE(add("t-1", 100, 1000), Reply::integer(0)); // the id exists: nothing changes
    STORE_COMPARE(add("t-2", 900, 2000), Reply::integer(1));
    STORE_COMPARE(add("t-3", 104, 3000), Reply::integer(1));
    STORE_COMPARE(add("t-4", 905, 4000), Reply::integer(1));

    const auto form = [&](qint64 now, qint64 offset, qint64 budget) {
        return call(*store, &StateStore::run, QByteArray(MatchmakingOperations::FormName), keys,
                    StateStore::Args{QByteArray::number(now), "2", "5", "0", "5", QByteArray::number(offset),
                                     QByteArray::number(budget)});
    };
    // Budget 1 from rank 1 (t-2): it pairs with t-4; t-1 and t-3 stay.
    const Result<Reply> first = form(5000, 1, 1);
    QVERIFY2(first.ok(), qPrintable(describeError(first)));
    QCOMPARE(first->elements().size(), 4);
    QCOMPARE(first->elements()[0], Reply::integer(1)); // examined
    QCOMPARE(first->elements()[1], Reply::integer(0)); // unmatched
    QCOMPARE(first->elements()[2], Reply::integer(2)); // remaining
    const QList<Reply> group = first->elements()[3].elements();
    QCOMPARE(group.size(), 2);
    const auto field = [](const Reply &hash, const QByteArray &name) {
        const QList<Reply> &flat = hash.elements();
        for (qsizetype i = 0; i + 1 < flat.size(); i += 2) {
            if (flat[i].bytes() == name)
                return flat[i + 1].bytes();
        }
        return QByteArray();
    };
    QCOMPARE(field(group[0], "id"), QByteArray("t-2")); // the anchor first
    QCOMPARE(field(group[1], "id"), QByteArray("t-4"));
    QCOMPARE(field(group[1], "session"), QByteArray("sess-t-4"));
    QCOMPARE(field(group[1], "level"), QByteArray("905"));
    STORE_ABSENT(call(*store, &StateStore::zscore, q.levels(), QByteArray("t-4")));
    STORE_COMPARE(call(*store, &StateStore::exists, q.ticket(QStringLiteral("t-4"))), false);

    const Result<Reply> second = form(5000, 0, 10);
    QVERIFY(second.ok());
    QCOMPARE(second->elements().value(0), Reply::integer(2));
    QCOMPARE(second->elements().value(1), Reply::integer(0));
    QCOMPARE(second->elements().value(2), Reply::integer(0));
    QCOMPARE(second->elements().size(), 4);

    // remove and release.
    STORE_COMPARE(add("t-5", 1, 1), Reply::integer(1));
    const Result<Reply> removed = call(*store, &StateStore::run, QByteArray(MatchmakingOperations::RemoveName),
                                       StateStore::Keys{q.queue(), q.levels(), q.ticket(QStringLiteral("t-5"))},
                                       StateStore::Args{"t-5"});
    QVERIFY(removed.ok());
    QCOMPARE(field(*removed, "player"), QByteArray("pl-t-5"));
    STORE_COMPARE(call(*store, &StateStore::run, QByteArray(MatchmakingOperations::RemoveName),
                       StateStore::Keys{q.queue(), q.levels(), q.ticket(QStringLiteral("t-5"))}, StateStore::Args{"t-5"}),
                  Reply::array({}));
    STORE_COMPARE(call(*store, &StateStore::set, QByteArray("k"), QByteArray("v1"), qint64(0), StateStore::SetMode::Always),
                  true);
    STORE_COMPARE(call(*store, &StateStore::run, QByteArray(MatchmakingOperations::ReleaseName), StateStore::Keys{"k"},
                       StateStore::Args{"v2"}),
                  Reply::integer(0));
    STORE_COMPARE(call(*store, &StateStore::run, QByteArray(MatchmakingOperations::ReleaseName), StateStore::Keys{"k"},
                       StateStore::Args{"v1"}),
                  Reply::integer(1));
    STORE_ABSENT(call(*store, &StateStore::get, QByteArray("k")));

    // Bad arguments fail the same way on both.
    STORE_ERROR(call(*store, &StateStore::run, QByteArray(MatchmakingOperations::FormName), keys,
                     StateStore::Args{"x", "2", "5", "0", "5", "0", "1"}),
                "script_error");
    STORE_ERROR(call(*store, &StateStore::run, QByteArray(MatchmakingOperations::FormName), keys,
                     StateStore::Args{"1", "1", "5", "0", "5", "0", "1"}),
                "script_error");
}

// Two instances on one store enqueue and match concurrently: every ticket ends in exactly one match.
void TestMatchmaker::noTicketInTwoMatches()
{
    MatchmakerSettings s;
    s.interval = 1ms;
    s.initialWindow = 30;
    s.widenPerSecond = 5000;
    s.maxWindow = 1000;
    s.anchorsPerCall = 7;
    MAKE_INSTANCE(a, "a", s);
    MAKE_INSTANCE(b, "b", s);
    Instance *instances[] = {a.get(), b.get()};

    constexpr int kSingles = 300; // 1v1 tickets
    constexpr int kPairs = 200;   // 2v2 tickets
    QRandomGenerator random(20261122);
    QSet<QString> ticketIds;
    QList<std::pair<Instance *, Ticket>> requests;
    for (int i = 0; i < kSingles + kPairs; ++i) {
        const int teamSize = i < kSingles ? 1 : 2;
        requests.append({instances[i % 2], request(QStringLiteral("s%1").arg(i), int(random.bounded(1001)), teamSize,
                                                   teamSize == 1 ? QStringLiteral("duel") : QStringLiteral("relay"))});
    }
    std::shuffle(requests.begin(), requests.end(), std::mt19937(7));
    int answered = 0;
    QStringList failures;
    // All requests in flight at once while both matchers tick every millisecond.
    for (const auto &[instance, t] : std::as_const(requests)) {
        instance->mm->enqueue(t, this, [&](Result<QString> r) {
            ++answered;
            if (r.ok())
                ticketIds.insert(*r);
            else
                failures.append(r.error().message);
        });
    }
    QTRY_COMPARE_WITH_TIMEOUT(answered, kSingles + kPairs, 30000);
    QVERIFY2(failures.isEmpty(), qPrintable(failures.join(QLatin1Char('\n'))));
    QCOMPARE(ticketIds.size(), kSingles + kPairs);

    const auto matchedTickets = [&] {
        return (a->matches.size() + b->matches.size()) > 0
                   ? std::accumulate(a->matches.cbegin(), a->matches.cend(), 0,
                                     [](int n, const Match &m) { return n + int(m.tickets().size()); })
                         + std::accumulate(b->matches.cbegin(), b->matches.cend(), 0,
                                           [](int n, const Match &m) { return n + int(m.tickets().size()); })
                   : 0;
    };
    QTRY_COMPARE_WITH_TIMEOUT(matchedTickets(), kSingles + kPairs, 30000);
    QTest::qWait(100); // any duplicate would arrive now

    QSet<QString> seenTickets;
    QSet<QString> seenSessions;
    for (const Instance *instance : instances) {
        for (const Match &m : instance->matches) {
            QCOMPARE(m.teams.size(), 2);
            QCOMPARE(m.teams[0].size(), m.teamSize);
            QCOMPARE(m.teams[1].size(), m.teamSize);
            QCOMPARE(m.roomType, m.teamSize == 1 ? QStringLiteral("duel") : QStringLiteral("relay"));
            for (const Ticket &t : m.tickets()) {
                QVERIFY2(!seenTickets.contains(t.id), qPrintable(QStringLiteral("ticket %1 in two matches").arg(t.id)));
                QVERIFY2(!seenSessions.contains(t.sessionId),
                         qPrintable(QStringLiteral("session %1 in two matches").arg(t.sessionId)));
                seenTickets.insert(t.id);
                seenSessions.insert(t.sessionId);
                QCOMPARE(t.teamSize, m.teamSize);
            }
        }
    }
    QCOMPARE(seenTickets, ticketIds);
    qInfo("matches formed: instance a %lld, instance b %lld", qlonglong(a->matches.size()),
          qlonglong(b->matches.size()));
    STORE_COMPARE(queueLength(*a->mm, QStringLiteral("duel"), 1), 0);
    STORE_COMPARE(queueLength(*a->mm, QStringLiteral("relay"), 2), 0);
    // Every session mapping, ticket hash and index entry is gone; only the queue list stays.
    QTRY_COMPARE_WITH_TIMEOUT(keys("mm:*"), StateStore::Keys{"mm:queues"}, 10000);
}

void TestMatchmaker::settings()
{
    QVERIFY(MatchmakerSettings().validate().ok());
    const auto refused = [](auto change) {
        MatchmakerSettings s;
        change(s);
        const Result<void> r = s.validate();
        return !r.ok() && r.error().code == QLatin1String("invalid_config");
    };
    QVERIFY(refused([](MatchmakerSettings &s) { s.initialWindow = -1; }));
    QVERIFY(refused([](MatchmakerSettings &s) { s.widenPerSecond = -0.5; }));
    QVERIFY(refused([](MatchmakerSettings &s) { s.maxWindow = s.initialWindow - 1; }));
    QVERIFY(refused([](MatchmakerSettings &s) { s.anchorsPerCall = 0; }));
    QVERIFY(refused([](MatchmakerSettings &s) { s.maxTeamSize = 0; }));
    QVERIFY(refused([](MatchmakerSettings &s) { s.interval = -1ms; }));
    QVERIFY(refused([](MatchmakerSettings &s) { s.roomTypes = {QStringLiteral("bad type")}; }));

    const QList<SettingSpec> specs = MatchmakerSettings::specs();
    for (const SettingSpec &spec : specs)
        QVERIFY2(spec.validate().ok(), qPrintable(spec.key));
    Config config(specs, QStringLiteral("arena-server"));
    QProcessEnvironment env;
    env.insert(QStringLiteral("ARENA_MATCHMAKING_MAX_WINDOW"), QStringLiteral("400"));
    QVERIFY(config.load({QStringLiteral("arena-server"), QStringLiteral("--matchmaking-interval"), QStringLiteral("100ms"),
                         QStringLiteral("--matchmaking-room-types"), QStringLiteral("duel,relay")},
                        env)
                .ok());
    const MatchmakerSettings read = MatchmakerSettings::fromConfig(config);
    QCOMPARE(read.interval, 100ms);
    QCOMPARE(read.maxWindow, 400.0);
    QCOMPARE(read.initialWindow, MatchmakerSettings().initialWindow);
    QCOMPARE(read.maxWait, MatchmakerSettings().maxWait);
    QCOMPARE(read.roomTypes, (QStringList{QStringLiteral("duel"), QStringLiteral("relay")}));
    QVERIFY(read.validate().ok());
}

QTEST_GUILESS_MAIN(TestMatchmaker)
#include "tst_matchmaker.moc"
