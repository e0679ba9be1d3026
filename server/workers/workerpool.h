// WorkerPool: the arena-worker processes of this instance and the matches they host. Spawns workers on
// demand between a minimum and a maximum, places each new match on the least-loaded worker, replaces a
// worker that dies (or stops answering its watchdog) and restores its matches on others from their last
// snapshot in the store, stops workers idle past the suspension timeout, and carries out the operator
// actions: scale to N, restart one worker, drain one worker.
#pragma once

#include "shared/result.h"

#include <QCborMap>
#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QPointer>
#include <QTimer>

#include <chrono>
#include <functional>
#include <map>
#include <memory>

class QLocalServer;

namespace arena {

class MetricsRegistry;
class RemoteRoom;
class StateStore;
class WorkerHandle;

struct WorkerPoolSettings
{
    int minWorkers = 1;
    int maxWorkers = 4;
    int matchLimit = 500;      // matches per worker
    std::chrono::milliseconds idleTimeout{std::chrono::minutes(5)};
    std::chrono::milliseconds watchdogTimeout{std::chrono::seconds(30)};
    std::chrono::milliseconds drainDeadline{std::chrono::seconds(60)};
    QString workerBinary;      // arena-worker
    QString instanceId;
    bool testRoomTypes = false; // workers also host the test-only room types
};

class WorkerPool final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkerPool)

public:
    using Done = std::function<void(Result<QJsonObject>)>;

    WorkerPool(StateStore &store, MetricsRegistry &metrics, WorkerPoolSettings settings, QObject *parent = nullptr);
    ~WorkerPool() override;

    // Listens for workers and starts the minimum. Fails when the local socket cannot listen or the worker
    // binary is missing.
    Result<void> start();
    // Shutdown: stops every worker (their matches end with the server).
    void stop();

    // For RemoteRoom.
    // Opens a new match with the creator's `options`, or one restored from `snapshot` (a room of a dead
    // instance adopted here: its members are told match_restored once it runs).
    Result<void> openMatch(RemoteRoom &room, const QJsonObject *options, const QByteArray *snapshot);
    // Ends the match on its worker; its snapshot is deleted too unless another instance is to restore the
    // match from it (a shutdown that hands rooms over).
    void closeMatch(RemoteRoom &room, const QString &reason, bool keepSnapshot = false);
    void sendToMatch(RemoteRoom &room, const QCborMap &frame);
    void storeSnapshot(RemoteRoom &room, const QByteArray &snapshot);

    // Operator actions; `done` gets a summary of what was done, or why not.
    void scale(int workers, Done done);
    void restart(const QString &workerId, Done done);
    // Starts draining: no new matches; the worker stops once its matches are over, or at the deadline
    // (their matches moved first). Answers at once with what it started.
    Result<QJsonObject> drain(const QString &workerId, std::optional<std::chrono::milliseconds> deadline);

    QJsonObject stats() const;
    int workerCount() const;
    int matchCount() const { return int(m_rooms.size()); }
    const WorkerPoolSettings &settings() const { return m_settings; }

signals:
    void workerDied(const QString &workerId, int exitCode);
    void matchesRestored(int count, qint64 elapsedMs);

private:
    WorkerHandle *spawn(const QString &replaces = {}, int restarts = 0);
    WorkerHandle *find(const QString &workerId) const;
    // The least-loaded worker taking matches, spawning one when all are full and the maximum allows.
    WorkerHandle *placement(const WorkerHandle *except = nullptr);
    void onNewConnection();
    void onFrame(WorkerHandle *worker, const QCborMap &frame);
    void onExited(WorkerHandle *worker, int exitCode, bool crashed);
    void watchdog();
    void ensureMinimum();
    // Puts `room` on a worker from `snapshot` (restore after a crash, or a move); `then` gets the result.
    void rehost(RemoteRoom &room, const QByteArray &snapshot, const WorkerHandle *except,
                std::function<void(Result<void>)> then);
    // Moves every match of `worker` elsewhere, then calls `then` with how many moved.
    void evacuate(WorkerHandle *worker, std::function<void(int moved, int failed)> then);
    // After its worker died: reads the match's snapshot from the store and opens it elsewhere.
    void restoreMatch(const QString &match, int attempt, std::function<void(bool)> finished);
    void stopWorker(WorkerHandle *worker);
    void sendOpen(WorkerHandle *worker, RemoteRoom &room, const QJsonObject *options, const QByteArray *snapshot,
                  std::function<void(Result<void>)> then);

    StateStore &m_store;
    WorkerPoolSettings m_settings;
    QLocalServer *m_server = nullptr;
    std::map<QString, WorkerHandle *> m_workers;       // by id, live and stopping ones
    QHash<QString, RemoteRoom *> m_rooms;              // by match (room) id
    // Continuations waiting for a worker's answer, by worker then match id.
    QHash<WorkerHandle *, QHash<QString, std::function<void(Result<void>)>>> m_pendingOpens;
    QHash<WorkerHandle *, QHash<QString, std::function<void(Result<QByteArray>)>>> m_pendingExports;
    QHash<WorkerHandle *, qint64> m_drainDeadlines;    // ms since the epoch
    QTimer m_watchdog;
    int m_nextId = 1;
    int m_quickDeaths = 0; // consecutive workers that died right after starting
    int m_target = 0;      // scale target (0: none, the minimum rules)
    bool m_stopping = false;
    quint64 m_restoredTotal = 0;
    quint64 m_lostTotal = 0;
    quint64 m_diedTotal = 0;
};

} // namespace arena
