// WorkerHandle: the server's side of one arena-worker process — the process, its IPC channel, its state
// in the pool, the matches it hosts, and the figures the pool reports for it.
#pragma once

#include <QCborMap>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QObject>
#include <QSet>
#include <QString>

#include <functional>
#include <optional>

class QProcess;

namespace arena {

namespace ipc {
class IpcChannel;
}

class WorkerHandle final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkerHandle)

public:
    enum class State { Starting, Ready, Draining, Stopping, Dead };

    WorkerHandle(QString id, QObject *parent = nullptr);
    ~WorkerHandle() override;

    const QString &id() const { return m_id; }
    State state() const { return m_state; }
    void setState(State state) { m_state = state; }
    static QString stateName(State state);
    // Takes new matches: starting or ready, not draining or stopping.
    bool acceptsMatches() const { return m_state == State::Starting || m_state == State::Ready; }
    bool isAlive() const { return m_state != State::Dead; }

    // Starts `program` with `arguments`; the child gets SIGKILL when this process dies.
    void start(const QString &program, const QStringList &arguments, const QStringList &extraEnvironment);
    qint64 pid() const { return m_pid; }
    qint64 uptimeMs() const { return QDateTime::currentMSecsSinceEpoch() - m_startedMs; }
    QProcess *process() const { return m_process; }
    // The connection the worker opened, once it said hello; frames sent before it are queued.
    void attachChannel(ipc::IpcChannel *channel);
    ipc::IpcChannel *channel() const { return m_channel; }
    void send(const QCborMap &frame);
    // SIGKILL, at once (watchdog, or a worker that will not stop).
    void kill();

    QSet<QString> &matches() { return m_matches; }
    const QSet<QString> &matches() const { return m_matches; }
    // Since when the worker has had no match (ms since the epoch); 0 while it has some.
    qint64 idleSinceMs() const { return m_idleSinceMs; }
    // Call when its matches may have changed.
    void updateIdle();

    // Watchdog: when the last pong (or hello) arrived.
    qint64 lastHeardMs() const { return m_lastHeardMs; }
    void heard() { m_lastHeardMs = QDateTime::currentMSecsSinceEpoch(); }
    quint64 nextPing() { return ++m_pingNumber; }
    void recordPong(const QCborMap &pong);

    // /proc figures, sampled by the pool.
    void sampleProcess();
    double cpuPercent() const { return m_cpuPercent; }
    qint64 rssKb() const { return m_rssKb; }
    qint64 tickLagP99Us() const { return m_lagP99Us; }
    QJsonObject toJson() const;
    int restarts = 0;          // replacements of this slot's predecessors
    QString replaces;          // the worker this one replaced, if any

signals:
    // The process is gone (exited, crashed or killed). `crashed` is false for an exit the pool asked for.
    void exited(WorkerHandle *worker, int exitCode, bool crashed);

private:
    QString m_id;
    State m_state = State::Starting;
    QProcess *m_process = nullptr;
    qint64 m_pid = 0;
    ipc::IpcChannel *m_channel = nullptr;
    QList<QCborMap> m_queued;
    QSet<QString> m_matches;
    qint64 m_startedMs = 0;
    qint64 m_idleSinceMs = 0;
    qint64 m_lastHeardMs = 0;
    quint64 m_pingNumber = 0;
    qint64 m_lagP99Us = 0;
    qint64 m_lagMaxUs = 0;
    qint64 m_ticksLastInterval = 0;
    qint64 m_reportedMatches = 0;
    // CPU: utime+stime ticks at the previous sample, and when it was taken.
    qint64 m_cpuTicks = -1;
    QElapsedTimer m_cpuClock;
    double m_cpuPercent = 0;
    qint64 m_rssKb = 0;
};

} // namespace arena
