#include "shared/core/taskregistry.h"

#include "shared/core/logging.h"

#include <QJsonValue>
#include <QMutex>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <exception>
#include <limits>

namespace arena {

struct TaskRegistry::Task
{
    QString name;
    Kind kind = Kind::Periodic;
    bool async = false;
    std::chrono::milliseconds interval{0};
    AsyncJob job;
    QTimer *timer = nullptr;
    bool cancelled = false;
    bool running = false;
    quint64 runId = 0;
    QElapsedTimer elapsed;
    QDateTime lastRun;
    qint64 lastDurationMs = -1;
    std::optional<bool> lastRunOk;
    QString lastError;
    QDateTime lastErrorAt;
    quint64 runs = 0;
    quint64 failures = 0;
    quint64 skipped = 0;
};

// Lets a completion callback that outlives the registry (or runs on another thread) find out
// whether the registry is still there, without touching a dangling pointer.
struct TaskRegistry::Guard
{
    QMutex mutex;
    TaskRegistry *registry = nullptr;
};

namespace {

QJsonValue timeOrNull(const QDateTime &time)
{
    return time.isValid() ? QJsonValue(time.toUTC().toString(Qt::ISODateWithMs)) : QJsonValue(QJsonValue::Null);
}

QString errorText(const Error &error)
{
    return error.message.isEmpty() ? error.code : error.message;
}

} // namespace

TaskRegistry::TaskRegistry(QObject *parent) : QObject(parent), m_guard(std::make_shared<Guard>())
{
    m_guard->registry = this;
}

TaskRegistry::~TaskRegistry()
{
    cancelAll();
    QMutexLocker lock(&m_guard->mutex);
    m_guard->registry = nullptr;
}

Result<void> TaskRegistry::everyAsync(const QString &name, std::chrono::milliseconds interval, AsyncJob fn)
{
    return addTask(name, Kind::Periodic, true, interval, std::move(fn));
}

Result<void> TaskRegistry::afterAsync(const QString &name, std::chrono::milliseconds delay, AsyncJob fn)
{
    return addTask(name, Kind::Once, true, delay, std::move(fn));
}

Result<void> TaskRegistry::addTask(const QString &name, Kind kind, bool async, std::chrono::milliseconds interval,
                                   AsyncJob job)
{
    if (name.trimmed().isEmpty())
        return Result<void>::failure(QStringLiteral("invalid_name"), QStringLiteral("a task needs a name"));
    if (m_tasks.count(name))
        return Result<void>::failure(QStringLiteral("duplicate_task"),
                                     QStringLiteral("task \"%1\" is already registered").arg(name));
    const qint64 ms = interval.count();
    const qint64 minimum = kind == Kind::Periodic ? 1 : 0;
    if (ms < minimum || ms > std::numeric_limits<int>::max())
        return Result<void>::failure(QStringLiteral("invalid_interval"),
                                     QStringLiteral("task \"%1\": %2 of %3 ms is out of range (%4 ms .. 24 days)")
                                         .arg(name, kind == Kind::Periodic ? QStringLiteral("interval") : QStringLiteral("delay"))
                                         .arg(ms)
                                         .arg(minimum));
    if (!job)
        return Result<void>::failure(QStringLiteral("invalid_task"), QStringLiteral("task \"%1\" has no function").arg(name));

    auto task = std::make_shared<Task>();
    task->name = name;
    task->kind = kind;
    task->async = async;
    task->interval = interval;
    task->job = std::move(job);
    task->timer = new QTimer(this);
    task->timer->setSingleShot(kind == Kind::Once);
    task->timer->setTimerType(ms < 2000 ? Qt::PreciseTimer : Qt::CoarseTimer);
    const std::weak_ptr<Task> weak = task;
    connect(task->timer, &QTimer::timeout, this, [this, weak] {
        if (const std::shared_ptr<Task> t = weak.lock(); t && !t->cancelled)
            (void)start(t);
    });
    task->timer->start(interval);
    m_tasks.emplace(name, std::move(task));
    qCDebug(lcCore, "task %s registered (%s, %lld ms)", qUtf8Printable(name),
            kind == Kind::Periodic ? "periodic" : "once", static_cast<long long>(ms));
    return {};
}

Result<void> TaskRegistry::start(const std::shared_ptr<Task> &task)
{
    if (task->running) {
        ++task->skipped;
        qCDebug(lcCore, "task %s skipped: previous run still going", qUtf8Printable(task->name));
        Q_EMIT taskSkipped(task->name);
        return Result<void>::failure(QStringLiteral("already_running"),
                                     QStringLiteral("task \"%1\" is still running").arg(task->name));
    }
    task->running = true;
    const quint64 runId = ++task->runId;
    task->lastRun = QDateTime::currentDateTimeUtc();
    task->elapsed.start();
    Q_EMIT taskStarted(task->name);
    if (task->cancelled) // a taskStarted handler may cancel it
        return {};

    auto called = std::make_shared<std::atomic_bool>(false);
    const std::weak_ptr<Task> weak = task;
    const QString name = task->name;
    Done done = [guard = m_guard, weak, runId, called, name](Result<void> result) {
        if (called->exchange(true)) {
            qCWarning(lcCore, "task %s: completion called more than once; ignored", qUtf8Printable(name));
            return;
        }
        QMutexLocker lock(&guard->mutex);
        TaskRegistry *registry = guard->registry;
        if (!registry)
            return;
        if (QThread::currentThread() == registry->thread()) {
            lock.unlock();
            registry->complete(weak, runId, result);
        } else {
            QMetaObject::invokeMethod(
                registry, [registry, weak, runId, result] { registry->complete(weak, runId, result); },
                Qt::QueuedConnection);
        }
    };

    const std::shared_ptr<Task> keepAlive = task; // the job may cancel its own task
    const AsyncJob job = task->job;
    try {
        job(done);
    } catch (const std::exception &e) {
        done(Result<void>::failure(QStringLiteral("exception"), QStringLiteral("exception: ") + QString::fromUtf8(e.what())));
    } catch (...) {
        done(Result<void>::failure(QStringLiteral("exception"), QStringLiteral("unknown exception")));
    }
    return {};
}

void TaskRegistry::complete(const std::weak_ptr<Task> &weak, quint64 runId, const Result<void> &result)
{
    const std::shared_ptr<Task> task = weak.lock();
    if (!task || task->cancelled || !task->running || task->runId != runId)
        return;
    task->running = false;
    task->lastDurationMs = task->elapsed.elapsed();
    ++task->runs;
    task->lastRunOk = result.ok();
    QString error;
    if (!result) {
        ++task->failures;
        error = errorText(result.error());
        task->lastError = error;
        task->lastErrorAt = QDateTime::currentDateTimeUtc();
        qCWarning(lcCore, "task %s failed: %s", qUtf8Printable(task->name), qUtf8Printable(error));
    }
    const QString name = task->name;
    if (task->kind == Kind::Once)
        discard(task);
    Q_EMIT taskFinished(name, result.ok(), error);
}

void TaskRegistry::discard(const std::shared_ptr<Task> &task)
{
    task->cancelled = true;
    task->timer->stop();
    task->timer->deleteLater(); // it may be the timer whose timeout is running right now
    task->timer = nullptr;
    const auto it = m_tasks.find(task->name);
    if (it != m_tasks.end() && it->second == task)
        m_tasks.erase(it);
}

Result<void> TaskRegistry::runNow(const QString &name)
{
    const auto it = m_tasks.find(name);
    if (it == m_tasks.end())
        return Result<void>::failure(QStringLiteral("not_found"), QStringLiteral("no task named \"%1\"").arg(name));
    const std::shared_ptr<Task> task = it->second;
    if (!task->running) {
        if (task->kind == Kind::Periodic)
            task->timer->start(); // restart: the next tick is a full interval after this run
        else
            task->timer->stop();
    }
    return start(task);
}

bool TaskRegistry::cancel(const QString &name)
{
    const auto it = m_tasks.find(name);
    if (it == m_tasks.end())
        return false;
    const std::shared_ptr<Task> task = it->second;
    discard(task);
    qCDebug(lcCore, "task %s cancelled", qUtf8Printable(name));
    return true;
}

void TaskRegistry::cancelAll()
{
    // Swap first: a job's own cancel() or a slot reacting to this must not touch a map being walked.
    std::map<QString, std::shared_ptr<Task>> tasks;
    tasks.swap(m_tasks);
    for (const auto &entry : tasks) {
        Task &task = *entry.second;
        task.cancelled = true;
        task.timer->stop();
        task.timer->deleteLater();
        task.timer = nullptr;
    }
}

bool TaskRegistry::contains(const QString &name) const
{
    return m_tasks.count(name) > 0;
}

TaskRegistry::TaskInfo TaskRegistry::info(const Task &task) const
{
    TaskInfo i;
    i.name = task.name;
    i.kind = task.kind;
    i.async = task.async;
    i.interval = task.interval;
    i.running = task.running;
    i.lastRun = task.lastRun;
    i.lastDurationMs = task.lastDurationMs;
    i.lastRunOk = task.lastRunOk;
    i.lastError = task.lastError;
    i.lastErrorAt = task.lastErrorAt;
    i.runs = task.runs;
    i.failures = task.failures;
    i.skipped = task.skipped;
    if (task.timer && task.timer->isActive())
        i.nextRun = QDateTime::currentDateTimeUtc().addMSecs(qMax(0, task.timer->remainingTime()));
    return i;
}

std::optional<TaskRegistry::TaskInfo> TaskRegistry::task(const QString &name) const
{
    const auto it = m_tasks.find(name);
    if (it == m_tasks.end())
        return std::nullopt;
    return info(*it->second);
}

QList<TaskRegistry::TaskInfo> TaskRegistry::list() const
{
    QList<TaskInfo> result;
    result.reserve(qsizetype(m_tasks.size()));
    for (const auto &entry : m_tasks)
        result.append(info(*entry.second));
    return result;
}

QJsonObject TaskRegistry::toJson(const TaskInfo &info)
{
    QJsonObject o;
    o.insert(QStringLiteral("name"), info.name);
    o.insert(QStringLiteral("kind"), info.kind == Kind::Periodic ? QStringLiteral("periodic") : QStringLiteral("once"));
    o.insert(QStringLiteral("async"), info.async);
    o.insert(QStringLiteral("intervalMs"), qint64(info.interval.count()));
    o.insert(QStringLiteral("running"), info.running);
    o.insert(QStringLiteral("lastRun"), timeOrNull(info.lastRun));
    o.insert(QStringLiteral("lastDurationMs"), info.lastDurationMs >= 0 ? QJsonValue(info.lastDurationMs) : QJsonValue());
    o.insert(QStringLiteral("lastRunOk"), info.lastRunOk ? QJsonValue(*info.lastRunOk) : QJsonValue());
    o.insert(QStringLiteral("lastError"), info.lastError.isEmpty() ? QJsonValue() : QJsonValue(info.lastError));
    o.insert(QStringLiteral("lastErrorAt"), timeOrNull(info.lastErrorAt));
    o.insert(QStringLiteral("runs"), qint64(info.runs));
    o.insert(QStringLiteral("failures"), qint64(info.failures));
    o.insert(QStringLiteral("skipped"), qint64(info.skipped));
    o.insert(QStringLiteral("nextRun"), timeOrNull(info.nextRun));
    return o;
}

QJsonArray TaskRegistry::toJson() const
{
    QJsonArray array;
    for (const TaskInfo &i : list())
        array.append(toJson(i));
    return array;
}

} // namespace arena
