// TaskRegistry: every periodic or delayed background job by name, with run statistics (seed 003).
#pragma once

#include "shared/result.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

class QTimer;

namespace arena {

// Jobs run on the registry's thread from QTimer children. A job returns void or Result<void>; a
// failure or an exception escaping it is recorded (lastError, failures) and the schedule goes on.
// Async jobs get a completion callback and count as running until it is called: a periodic async
// job is never started while its previous run is still going (that tick counts as skipped), and
// its duration is measured up to the completion. After cancel()/cancelAll()/destruction no job
// starts again and a pending completion is ignored. Completions may be called from any thread;
// they are then handled on the registry's thread.
class TaskRegistry final : public QObject
{
    Q_OBJECT

public:
    using Done = std::function<void(Result<void>)>;
    using AsyncJob = std::function<void(Done done)>;
    enum class Kind { Periodic, Once };

    struct TaskInfo
    {
        QString name;
        Kind kind = Kind::Periodic;
        bool async = false;
        std::chrono::milliseconds interval{0}; // the delay for a once task
        bool running = false;
        QDateTime lastRun;         // UTC start of the last run; invalid if it never ran
        qint64 lastDurationMs = -1; // -1 until a run completed
        std::optional<bool> lastRunOk;
        QString lastError;         // most recent failure, kept after later successes
        QDateTime lastErrorAt;
        quint64 runs = 0;          // completed runs, failed ones included
        quint64 failures = 0;
        quint64 skipped = 0;       // ticks or runNow() calls that found the previous run still going
        QDateTime nextRun;         // UTC; invalid when nothing is scheduled
    };

    explicit TaskRegistry(QObject *parent = nullptr);
    ~TaskRegistry() override; // cancelAll()
    Q_DISABLE_COPY_MOVE(TaskRegistry)

    // Runs fn every interval (first run one interval from now). Errors: "duplicate_task",
    // "invalid_name", "invalid_interval" (must be 1 ms .. 24 days).
    template<typename F>
    Result<void> every(const QString &name, std::chrono::milliseconds interval, F &&fn)
    {
        return addTask(name, Kind::Periodic, false, interval, wrapSync(std::forward<F>(fn)));
    }
    // Runs fn once after delay (0 allowed: next event-loop pass); the task is removed after it ran.
    template<typename F>
    Result<void> after(const QString &name, std::chrono::milliseconds delay, F &&fn)
    {
        return addTask(name, Kind::Once, false, delay, wrapSync(std::forward<F>(fn)));
    }
    Result<void> everyAsync(const QString &name, std::chrono::milliseconds interval, AsyncJob fn);
    Result<void> afterAsync(const QString &name, std::chrono::milliseconds delay, AsyncJob fn);

    // Starts a run now (a synchronous job has finished when this returns). A periodic task's next
    // scheduled run moves to one interval from now. Errors: "not_found"; "already_running" (counted
    // as skipped).
    Result<void> runNow(const QString &name);
    bool cancel(const QString &name);
    void cancelAll();

    bool contains(const QString &name) const;
    std::optional<TaskInfo> task(const QString &name) const;
    QList<TaskInfo> list() const; // ordered by name
    // Array of objects: name, kind ("periodic"|"once"), async, intervalMs, running, lastRun,
    // lastDurationMs, lastRunOk, lastError, lastErrorAt, runs, failures, skipped, nextRun
    // (ISO 8601 UTC strings with milliseconds; null where there is no value).
    QJsonArray toJson() const;
    static QJsonObject toJson(const TaskInfo &info);

Q_SIGNALS:
    void taskStarted(const QString &name);
    void taskFinished(const QString &name, bool ok, const QString &error);
    void taskSkipped(const QString &name);

private:
    struct Task;
    struct Guard;

    template<typename F>
    static AsyncJob wrapSync(F &&fn)
    {
        using Fn = std::decay_t<F>;
        using R = std::invoke_result_t<Fn &>;
        static_assert(std::is_void_v<R> || std::is_same_v<R, Result<void>>,
                      "a task returns void or Result<void>");
        return [fn = Fn(std::forward<F>(fn))](const Done &done) mutable {
            if constexpr (std::is_void_v<R>) {
                fn();
                done(Result<void>());
            } else {
                done(fn());
            }
        };
    }

    Result<void> addTask(const QString &name, Kind kind, bool async, std::chrono::milliseconds interval, AsyncJob job);
    Result<void> start(const std::shared_ptr<Task> &task);
    void complete(const std::weak_ptr<Task> &weak, quint64 runId, const Result<void> &result);
    void discard(const std::shared_ptr<Task> &task);
    TaskInfo info(const Task &task) const;

    std::map<QString, std::shared_ptr<Task>> m_tasks;
    std::shared_ptr<Guard> m_guard;
};

} // namespace arena
