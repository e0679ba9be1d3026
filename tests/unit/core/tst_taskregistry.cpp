// Tests TaskRegistry: periodic/once/async tasks, statistics, failures, overlap skipping, cancellation.
#include "shared/core/taskregistry.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QPointer>
#include <QSignalSpy>
#include <QTest>
#include <QThread>

#include <memory>
#include <stdexcept>

using namespace arena;
using namespace std::chrono_literals;

class TestTaskRegistry final : public QObject
{
    Q_OBJECT

private slots:
    void periodicRunsAndStats();
    void voidAndResultJobs();
    void failuresRecordedScheduleContinues();
    void exceptionsRecorded();
    void onceTask();
    void onceWithZeroDelay();
    void asyncOverlapIsSkipped();
    void asyncDurationMeasuredUntilDone();
    void asyncFailuresAndDoubleCompletion();
    void asyncCompletionFromAnotherThread();
    void runNow();
    void runNowWhileRunning();
    void runNowOnce();
    void cancel();
    void cancelFromInsideJob();
    void cancelAll();
    void cancelledAsyncCompletionIgnored();
    void duplicateAndInvalid();
    void destructionWithPendingAsyncCompletion();
    void listAndJson();
};

void TestTaskRegistry::periodicRunsAndStats()
{
    TaskRegistry registry;
    QSignalSpy finished(&registry, &TaskRegistry::taskFinished);
    int count = 0;
    const QDateTime before = QDateTime::currentDateTimeUtc();
    QVERIFY(registry.every(QStringLiteral("tick"), 20ms, [&count] { ++count; }).ok());

    const auto scheduled = registry.task(QStringLiteral("tick"));
    QVERIFY(scheduled);
    QCOMPARE(scheduled->runs, quint64(0));
    QVERIFY(!scheduled->lastRun.isValid());
    QCOMPARE(scheduled->lastDurationMs, qint64(-1));
    QVERIFY(scheduled->nextRun.isValid());
    QVERIFY(scheduled->nextRun >= before);

    QTRY_VERIFY_WITH_TIMEOUT(count >= 3, 5000);
    const auto info = registry.task(QStringLiteral("tick"));
    QVERIFY(info);
    QCOMPARE(info->name, QStringLiteral("tick"));
    QCOMPARE(info->kind, TaskRegistry::Kind::Periodic);
    QVERIFY(!info->async);
    QCOMPARE(info->interval, std::chrono::milliseconds(20));
    QCOMPARE(info->runs, quint64(count));
    QCOMPARE(info->failures, quint64(0));
    QCOMPARE(info->skipped, quint64(0));
    QVERIFY(!info->running);
    QVERIFY(info->lastRun.isValid());
    QCOMPARE(info->lastRun.timeSpec(), Qt::UTC);
    QVERIFY(info->lastRun >= before);
    QVERIFY(info->lastDurationMs >= 0);
    QCOMPARE(info->lastRunOk, std::optional<bool>(true));
    QVERIFY(info->lastError.isEmpty());
    QVERIFY(info->nextRun.isValid());
    QVERIFY(info->nextRun >= info->lastRun);
    QCOMPARE(finished.size(), count);
    QCOMPARE(finished.first().at(0).toString(), QStringLiteral("tick"));
    QCOMPARE(finished.first().at(1).toBool(), true);
}

void TestTaskRegistry::voidAndResultJobs()
{
    TaskRegistry registry;
    int a = 0;
    int b = 0;
    QVERIFY(registry.every(QStringLiteral("void"), 1h, [&a] { ++a; }).ok());
    QVERIFY(registry.every(QStringLiteral("result"), 1h, [&b]() -> Result<void> {
        ++b;
        return {};
    }).ok());
    QVERIFY(registry.runNow(QStringLiteral("void")).ok());
    QVERIFY(registry.runNow(QStringLiteral("result")).ok());
    QCOMPARE(a, 1);
    QCOMPARE(b, 1);
}

void TestTaskRegistry::failuresRecordedScheduleContinues()
{
    TaskRegistry registry;
    QSignalSpy finished(&registry, &TaskRegistry::taskFinished);
    int count = 0;
    QVERIFY(registry.every(QStringLiteral("flaky"), 10ms, [&count]() -> Result<void> {
        ++count;
        if (count % 2 == 1)
            return Result<void>::failure(QStringLiteral("redis_down"), QStringLiteral("redis unreachable (run %1)").arg(count));
        return {};
    }).ok());
    QTRY_VERIFY_WITH_TIMEOUT(count >= 4, 5000);
    registry.cancel(QStringLiteral("flaky"));
    QCOMPARE(finished.size(), count);
    QCOMPARE(finished.at(0).at(1).toBool(), false);
    QCOMPARE(finished.at(0).at(2).toString(), QStringLiteral("redis unreachable (run 1)"));
    QCOMPARE(finished.at(1).at(1).toBool(), true);
    QCOMPARE(finished.at(1).at(2).toString(), QString());

    // Stats while it was registered: check through a fresh registry so cancel() did not discard them.
    TaskRegistry second;
    int runs = 0;
    QVERIFY(second.every(QStringLiteral("flaky"), 1h, [&runs]() -> Result<void> {
        ++runs;
        if (runs == 1)
            return Result<void>::failure(QStringLiteral("boom"), QStringLiteral("first run failed"));
        return {};
    }).ok());
    QVERIFY(second.runNow(QStringLiteral("flaky")).ok());
    auto info = second.task(QStringLiteral("flaky"));
    QCOMPARE(info->runs, quint64(1));
    QCOMPARE(info->failures, quint64(1));
    QCOMPARE(info->lastRunOk, std::optional<bool>(false));
    QCOMPARE(info->lastError, QStringLiteral("first run failed"));
    QVERIFY(info->lastErrorAt.isValid());
    QVERIFY(info->nextRun.isValid()); // still scheduled

    QVERIFY(second.runNow(QStringLiteral("flaky")).ok());
    info = second.task(QStringLiteral("flaky"));
    QCOMPARE(info->runs, quint64(2));
    QCOMPARE(info->failures, quint64(1));
    QCOMPARE(info->lastRunOk, std::optional<bool>(true));
    QCOMPARE(info->lastError, QStringLiteral("first run failed")); // kept for the operator

    // An error without a message is recorded by its code.
    QVERIFY(second.every(QStringLiteral("coded"), 1h, [] { return Result<void>::failure(QStringLiteral("timeout"), QString()); }).ok());
    QVERIFY(second.runNow(QStringLiteral("coded")).ok());
    QCOMPARE(second.task(QStringLiteral("coded"))->lastError, QStringLiteral("timeout"));
}

void TestTaskRegistry::exceptionsRecorded()
{
    TaskRegistry registry;
    int count = 0;
    QVERIFY(registry.every(QStringLiteral("throws"), 10ms, [&count] {
        ++count;
        throw std::runtime_error("boom");
    }).ok());
    QTRY_VERIFY_WITH_TIMEOUT(count >= 3, 5000); // an exception does not stop the schedule
    auto info = registry.task(QStringLiteral("throws"));
    QCOMPARE(info->failures, info->runs);
    QVERIFY(info->runs >= 3);
    QCOMPARE(info->lastError, QStringLiteral("exception: boom"));

    QVERIFY(registry.every(QStringLiteral("throws-int"), 1h, [] { throw 42; }).ok());
    QVERIFY(registry.runNow(QStringLiteral("throws-int")).ok());
    QCOMPARE(registry.task(QStringLiteral("throws-int"))->lastError, QStringLiteral("unknown exception"));
    QCOMPARE(registry.task(QStringLiteral("throws-int"))->failures, quint64(1));
}

void TestTaskRegistry::onceTask()
{
    TaskRegistry registry;
    QSignalSpy finished(&registry, &TaskRegistry::taskFinished);
    int count = 0;
    QVERIFY(registry.after(QStringLiteral("warmup"), 20ms, [&count] { ++count; }).ok());
    const auto info = registry.task(QStringLiteral("warmup"));
    QVERIFY(info);
    QCOMPARE(info->kind, TaskRegistry::Kind::Once);
    QCOMPARE(info->interval, std::chrono::milliseconds(20));
    QVERIFY(info->nextRun.isValid());

    QTRY_COMPARE_WITH_TIMEOUT(count, 1, 5000);
    QVERIFY(!registry.contains(QStringLiteral("warmup"))); // removed after it ran
    QCOMPARE(finished.size(), 1);
    QTest::qWait(80);
    QCOMPARE(count, 1);
    // The name is free again.
    QVERIFY(registry.after(QStringLiteral("warmup"), 1h, [] {}).ok());
}

void TestTaskRegistry::onceWithZeroDelay()
{
    TaskRegistry registry;
    bool ran = false;
    QVERIFY(registry.after(QStringLiteral("now"), 0ms, [&ran] { ran = true; }).ok());
    QVERIFY(!ran); // never inside the registering call
    QTRY_VERIFY_WITH_TIMEOUT(ran, 5000);
}

void TestTaskRegistry::asyncOverlapIsSkipped()
{
    TaskRegistry registry;
    QSignalSpy skippedSpy(&registry, &TaskRegistry::taskSkipped);
    int starts = 0;
    TaskRegistry::Done pending;
    QVERIFY(registry.everyAsync(QStringLiteral("cleanup"), 10ms, [&](TaskRegistry::Done done) {
        ++starts;
        pending = std::move(done);
    }).ok());

    QTRY_VERIFY_WITH_TIMEOUT(registry.task(QStringLiteral("cleanup"))->skipped >= 3, 5000);
    auto info = registry.task(QStringLiteral("cleanup"));
    QCOMPARE(starts, 1); // never started again while the first run is going
    QVERIFY(info->running);
    QVERIFY(info->async);
    QCOMPARE(info->runs, quint64(0));
    QCOMPARE(quint64(skippedSpy.size()), info->skipped);

    pending(Result<void>());
    info = registry.task(QStringLiteral("cleanup"));
    QVERIFY(!info->running);
    QCOMPARE(info->runs, quint64(1));
    QCOMPARE(info->lastRunOk, std::optional<bool>(true));
    QTRY_COMPARE_WITH_TIMEOUT(starts, 2, 5000); // the schedule goes on
}

void TestTaskRegistry::asyncDurationMeasuredUntilDone()
{
    TaskRegistry registry;

    // A once async task counts as running (and is listed) until its completion, then goes away.
    TaskRegistry::Done pending;
    QVERIFY(registry.afterAsync(QStringLiteral("flush"), 0ms, [&pending](TaskRegistry::Done done) {
        pending = std::move(done);
    }).ok());
    QTRY_VERIFY_WITH_TIMEOUT(pending != nullptr, 5000);
    QVERIFY(registry.task(QStringLiteral("flush"))->running);
    QVERIFY(!registry.task(QStringLiteral("flush"))->nextRun.isValid()); // nothing scheduled while it runs
    QSignalSpy finished(&registry, &TaskRegistry::taskFinished);
    pending(Result<void>());
    QCOMPARE(finished.size(), 1);
    QVERIFY(!registry.contains(QStringLiteral("flush")));

    // The duration of an async run spans from its start to its completion.
    TaskRegistry::Done periodicDone;
    QElapsedTimer held;
    QVERIFY(registry.everyAsync(QStringLiteral("sweep"), 1h, [&](TaskRegistry::Done done) {
        held.start();
        periodicDone = std::move(done);
    }).ok());
    QVERIFY(registry.runNow(QStringLiteral("sweep")).ok());
    QVERIFY(periodicDone != nullptr);
    QTest::qWait(60);
    const qint64 heldMs = held.elapsed();
    periodicDone(Result<void>());
    const auto info = registry.task(QStringLiteral("sweep"));
    QVERIFY(info);
    QVERIFY(heldMs >= 50);
    QVERIFY2(info->lastDurationMs >= heldMs - 1, qPrintable(QStringLiteral("%1 < %2").arg(info->lastDurationMs).arg(heldMs)));
}

void TestTaskRegistry::asyncFailuresAndDoubleCompletion()
{
    TaskRegistry registry;
    QVERIFY(registry.everyAsync(QStringLiteral("fails"), 1h, [](TaskRegistry::Done done) {
        done(Result<void>::failure(QStringLiteral("redis"), QStringLiteral("EVALSHA failed")));
    }).ok());
    QVERIFY(registry.runNow(QStringLiteral("fails")).ok());
    auto info = registry.task(QStringLiteral("fails"));
    QCOMPARE(info->runs, quint64(1));
    QCOMPARE(info->failures, quint64(1));
    QCOMPARE(info->lastError, QStringLiteral("EVALSHA failed"));

    QVERIFY(registry.everyAsync(QStringLiteral("throws"), 1h, [](TaskRegistry::Done) { throw std::runtime_error("no connection"); }).ok());
    QVERIFY(registry.runNow(QStringLiteral("throws")).ok());
    info = registry.task(QStringLiteral("throws"));
    QVERIFY(!info->running); // an exception ends the run
    QCOMPARE(info->failures, quint64(1));
    QCOMPARE(info->lastError, QStringLiteral("exception: no connection"));

    TaskRegistry::Done kept;
    QVERIFY(registry.everyAsync(QStringLiteral("twice"), 1h, [&kept](TaskRegistry::Done done) {
        done(Result<void>());
        kept = done;
    }).ok());
    QVERIFY(registry.runNow(QStringLiteral("twice")).ok());
    QTest::ignoreMessage(QtWarningMsg, "task twice: completion called more than once; ignored");
    kept(Result<void>::failure(QStringLiteral("late"), QStringLiteral("late failure")));
    info = registry.task(QStringLiteral("twice"));
    QCOMPARE(info->runs, quint64(1));
    QCOMPARE(info->failures, quint64(0));
}

void TestTaskRegistry::asyncCompletionFromAnotherThread()
{
    TaskRegistry registry;
    QThread *finishedOn = nullptr;
    connect(&registry, &TaskRegistry::taskFinished, this, [&finishedOn] { finishedOn = QThread::currentThread(); });
    std::unique_ptr<QThread> worker;
    QVERIFY(registry.everyAsync(QStringLiteral("threaded"), 1h, [&worker](TaskRegistry::Done done) {
        worker.reset(QThread::create([done] { done(Result<void>()); }));
        worker->start();
    }).ok());
    QVERIFY(registry.runNow(QStringLiteral("threaded")).ok());
    QVERIFY(worker->wait(5000));
    QTRY_VERIFY_WITH_TIMEOUT(finishedOn != nullptr, 5000);
    QCOMPARE(finishedOn, QThread::currentThread());
    QCOMPARE(registry.task(QStringLiteral("threaded"))->runs, quint64(1));
}

void TestTaskRegistry::runNow()
{
    TaskRegistry registry;
    int count = 0;
    QVERIFY(registry.every(QStringLiteral("cleanup"), 1h, [&count] { ++count; }).ok());
    const QDateTime before = QDateTime::currentDateTimeUtc();
    QVERIFY(registry.runNow(QStringLiteral("cleanup")).ok());
    QCOMPARE(count, 1); // a synchronous job has run when runNow returns
    const auto info = registry.task(QStringLiteral("cleanup"));
    QCOMPARE(info->runs, quint64(1));
    QVERIFY(info->lastRun >= before);
    // The next scheduled run is a full interval after the on-demand one.
    QVERIFY(info->nextRun >= before.addSecs(3600 - 5));

    const Result<void> missing = registry.runNow(QStringLiteral("nope"));
    QVERIFY(!missing);
    QCOMPARE(missing.error().code, QStringLiteral("not_found"));
}

void TestTaskRegistry::runNowWhileRunning()
{
    TaskRegistry registry;
    TaskRegistry::Done pending;
    int starts = 0;
    QVERIFY(registry.everyAsync(QStringLiteral("slow"), 1h, [&](TaskRegistry::Done done) {
        ++starts;
        pending = std::move(done);
    }).ok());
    QVERIFY(registry.runNow(QStringLiteral("slow")).ok());
    const Result<void> again = registry.runNow(QStringLiteral("slow"));
    QVERIFY(!again);
    QCOMPARE(again.error().code, QStringLiteral("already_running"));
    QCOMPARE(starts, 1);
    QCOMPARE(registry.task(QStringLiteral("slow"))->skipped, quint64(1));
    pending(Result<void>());
    QVERIFY(registry.runNow(QStringLiteral("slow")).ok());
    QCOMPARE(starts, 2);
}

void TestTaskRegistry::runNowOnce()
{
    TaskRegistry registry;
    int count = 0;
    QVERIFY(registry.after(QStringLiteral("later"), 50ms, [&count] { ++count; }).ok());
    QVERIFY(registry.runNow(QStringLiteral("later")).ok());
    QCOMPARE(count, 1);
    QVERIFY(!registry.contains(QStringLiteral("later")));
    QTest::qWait(120);
    QCOMPARE(count, 1); // the original timer does not fire as well
}

void TestTaskRegistry::cancel()
{
    TaskRegistry registry;
    int count = 0;
    QVERIFY(registry.every(QStringLiteral("tick"), 10ms, [&count] { ++count; }).ok());
    QTRY_VERIFY_WITH_TIMEOUT(count >= 1, 5000);
    QVERIFY(registry.cancel(QStringLiteral("tick")));
    const int seen = count;
    QTest::qWait(80);
    QCOMPARE(count, seen);
    QVERIFY(!registry.contains(QStringLiteral("tick")));
    QVERIFY(!registry.cancel(QStringLiteral("tick")));
    QVERIFY(registry.list().isEmpty());

    int onceCount = 0;
    QVERIFY(registry.after(QStringLiteral("once"), 20ms, [&onceCount] { ++onceCount; }).ok());
    QVERIFY(registry.cancel(QStringLiteral("once")));
    QTest::qWait(80);
    QCOMPARE(onceCount, 0);
}

void TestTaskRegistry::cancelFromInsideJob()
{
    TaskRegistry registry;
    int count = 0;
    QVERIFY(registry.every(QStringLiteral("self"), 10ms, [&] {
        ++count;
        registry.cancel(QStringLiteral("self"));
    }).ok());
    int other = 0;
    QVERIFY(registry.every(QStringLiteral("killer"), 10ms, [&] {
        ++other;
        registry.cancelAll();
    }).ok());
    QTRY_VERIFY_WITH_TIMEOUT(other >= 1, 5000);
    QTest::qWait(80);
    QCOMPARE(other, 1);
    QVERIFY(count <= 1);
    QVERIFY(registry.list().isEmpty());
}

void TestTaskRegistry::cancelAll()
{
    TaskRegistry registry;
    QSignalSpy finished(&registry, &TaskRegistry::taskFinished);
    QSignalSpy started(&registry, &TaskRegistry::taskStarted);
    int periodic = 0;
    int once = 0;
    TaskRegistry::Done pending;
    QVERIFY(registry.every(QStringLiteral("a"), 10ms, [&periodic] { ++periodic; }).ok());
    QVERIFY(registry.after(QStringLiteral("b"), 30ms, [&once] { ++once; }).ok());
    QVERIFY(registry.everyAsync(QStringLiteral("c"), 1h, [&pending](TaskRegistry::Done done) { pending = std::move(done); }).ok());
    QVERIFY(registry.runNow(QStringLiteral("c")).ok());
    QVERIFY(pending != nullptr);

    registry.cancelAll();
    QVERIFY(registry.list().isEmpty());
    const qsizetype startedBefore = started.size();
    const qsizetype finishedBefore = finished.size();
    pending(Result<void>()); // a completion arriving after cancelAll is ignored
    QTest::qWait(100);
    QCOMPARE(periodic, 0);
    QCOMPARE(once, 0);
    QCOMPARE(started.size(), startedBefore);
    QCOMPARE(finished.size(), finishedBefore);
}

void TestTaskRegistry::cancelledAsyncCompletionIgnored()
{
    TaskRegistry registry;
    QSignalSpy finished(&registry, &TaskRegistry::taskFinished);
    TaskRegistry::Done oldDone;
    QVERIFY(registry.everyAsync(QStringLiteral("job"), 1h, [&oldDone](TaskRegistry::Done done) { oldDone = std::move(done); }).ok());
    QVERIFY(registry.runNow(QStringLiteral("job")).ok());
    QVERIFY(registry.cancel(QStringLiteral("job")));

    // A new task under the same name must not pick up the old run's completion.
    TaskRegistry::Done newDone;
    QVERIFY(registry.everyAsync(QStringLiteral("job"), 1h, [&newDone](TaskRegistry::Done done) { newDone = std::move(done); }).ok());
    QVERIFY(registry.runNow(QStringLiteral("job")).ok());
    oldDone(Result<void>::failure(QStringLiteral("stale"), QStringLiteral("stale")));
    auto info = registry.task(QStringLiteral("job"));
    QVERIFY(info->running);
    QCOMPARE(info->runs, quint64(0));
    QCOMPARE(info->failures, quint64(0));
    QCOMPARE(finished.size(), 0);
    newDone(Result<void>());
    QCOMPARE(registry.task(QStringLiteral("job"))->runs, quint64(1));
    QCOMPARE(finished.size(), 1);
}

void TestTaskRegistry::duplicateAndInvalid()
{
    TaskRegistry registry;
    QVERIFY(registry.every(QStringLiteral("sweep"), 1min, [] {}).ok());
    Result<void> r = registry.every(QStringLiteral("sweep"), 1min, [] {});
    QVERIFY(!r);
    QCOMPARE(r.error().code, QStringLiteral("duplicate_task"));
    QCOMPARE(r.error().message, QStringLiteral("task \"sweep\" is already registered"));
    r = registry.after(QStringLiteral("sweep"), 1s, [] {});
    QCOMPARE(r.error().code, QStringLiteral("duplicate_task"));
    r = registry.everyAsync(QStringLiteral("sweep"), 1s, [](TaskRegistry::Done done) { done({}); });
    QCOMPARE(r.error().code, QStringLiteral("duplicate_task"));

    r = registry.every(QStringLiteral("zero"), 0ms, [] {});
    QCOMPARE(r.error().code, QStringLiteral("invalid_interval"));
    r = registry.after(QStringLiteral("negative"), -1ms, [] {});
    QCOMPARE(r.error().code, QStringLiteral("invalid_interval"));
    r = registry.every(QStringLiteral("huge"), std::chrono::hours(24 * 30), [] {});
    QCOMPARE(r.error().code, QStringLiteral("invalid_interval"));
    r = registry.every(QString(), 1s, [] {});
    QCOMPARE(r.error().code, QStringLiteral("invalid_name"));
    r = registry.everyAsync(QStringLiteral("empty"), 1s, TaskRegistry::AsyncJob());
    QCOMPARE(r.error().code, QStringLiteral("invalid_task"));
    QCOMPARE(registry.list().size(), 1);
}

void TestTaskRegistry::destructionWithPendingAsyncCompletion()
{
    auto registry = std::make_unique<TaskRegistry>();
    QPointer<TaskRegistry> watch(registry.get());
    TaskRegistry::Done pending;
    TaskRegistry::Done pendingForThread;
    QVERIFY(registry->everyAsync(QStringLiteral("a"), 1h, [&pending](TaskRegistry::Done done) { pending = std::move(done); }).ok());
    QVERIFY(registry->everyAsync(QStringLiteral("b"), 1h, [&pendingForThread](TaskRegistry::Done done) {
        pendingForThread = std::move(done);
    }).ok());
    QVERIFY(registry->runNow(QStringLiteral("a")).ok());
    QVERIFY(registry->runNow(QStringLiteral("b")).ok());
    int finished = 0;
    connect(registry.get(), &TaskRegistry::taskFinished, this, [&finished] { ++finished; });
    registry.reset();
    QVERIFY(watch.isNull());

    // Completions outliving the registry do nothing (ASan would flag any use after free).
    pending(Result<void>());
    std::unique_ptr<QThread> worker(QThread::create([&pendingForThread] { pendingForThread(Result<void>()); }));
    worker->start();
    QVERIFY(worker->wait(5000));
    QTest::qWait(20);
    QCOMPARE(finished, 0);
}

void TestTaskRegistry::listAndJson()
{
    TaskRegistry registry;
    QVERIFY(registry.every(QStringLiteral("zeta"), 1h, []() -> Result<void> {
        return Result<void>::failure(QStringLiteral("x"), QStringLiteral("went \"wrong\""));
    }).ok());
    QVERIFY(registry.after(QStringLiteral("alpha"), 1h, [] {}).ok());
    QVERIFY(registry.everyAsync(QStringLiteral("mid"), 90s, [](TaskRegistry::Done done) { done({}); }).ok());
    QVERIFY(registry.runNow(QStringLiteral("zeta")).ok());

    const QList<TaskRegistry::TaskInfo> all = registry.list();
    QCOMPARE(all.size(), 3);
    QCOMPARE(all.at(0).name, QStringLiteral("alpha"));
    QCOMPARE(all.at(1).name, QStringLiteral("mid"));
    QCOMPARE(all.at(2).name, QStringLiteral("zeta"));

    const QJsonArray json = registry.toJson();
    QCOMPARE(json.size(), 3);
    const QJsonObject alpha = json.at(0).toObject();
    QCOMPARE(alpha.value(QStringLiteral("name")).toString(), QStringLiteral("alpha"));
    QCOMPARE(alpha.value(QStringLiteral("kind")).toString(), QStringLiteral("once"));
    QCOMPARE(alpha.value(QStringLiteral("async")).toBool(true), false);
    QCOMPARE(alpha.value(QStringLiteral("intervalMs")).toInteger(), 3600000);
    QVERIFY(alpha.value(QStringLiteral("lastRun")).isNull());
    QVERIFY(alpha.value(QStringLiteral("lastDurationMs")).isNull());
    QVERIFY(alpha.value(QStringLiteral("lastRunOk")).isNull());
    QVERIFY(alpha.value(QStringLiteral("lastError")).isNull());
    QCOMPARE(alpha.value(QStringLiteral("runs")).toInteger(), 0);
    QVERIFY(alpha.value(QStringLiteral("nextRun")).isString());

    const QJsonObject mid = json.at(1).toObject();
    QCOMPARE(mid.value(QStringLiteral("kind")).toString(), QStringLiteral("periodic"));
    QCOMPARE(mid.value(QStringLiteral("async")).toBool(), true);
    QCOMPARE(mid.value(QStringLiteral("intervalMs")).toInteger(), 90000);
    QCOMPARE(mid.value(QStringLiteral("running")).toBool(true), false);

    const QJsonObject zeta = json.at(2).toObject();
    QCOMPARE(zeta.value(QStringLiteral("runs")).toInteger(), 1);
    QCOMPARE(zeta.value(QStringLiteral("failures")).toInteger(), 1);
    QCOMPARE(zeta.value(QStringLiteral("skipped")).toInteger(), 0);
    QCOMPARE(zeta.value(QStringLiteral("lastError")).toString(), QStringLiteral("went \"wrong\""));
    QCOMPARE(zeta.value(QStringLiteral("lastRunOk")).toBool(true), false);
    QVERIFY(zeta.value(QStringLiteral("lastDurationMs")).isDouble());
    const QDateTime lastRun = QDateTime::fromString(zeta.value(QStringLiteral("lastRun")).toString(), Qt::ISODateWithMs);
    QVERIFY(lastRun.isValid());
    QVERIFY(zeta.value(QStringLiteral("lastRun")).toString().endsWith(QLatin1Char('Z')));
    QVERIFY(zeta.value(QStringLiteral("lastErrorAt")).isString());
    QCOMPARE(zeta.keys().size(), 14);
}

QTEST_GUILESS_MAIN(TestTaskRegistry)
#include "tst_taskregistry.moc"
