#include "server/workers/workerpool.h"

#include "server/cluster/roomkeys.h"

#include "server/hosting/liveroom.h"
#include "server/serverlog.h"
#include "server/workers/remoteroom.h"
#include "server/workers/workerhandle.h"
#include "server/workers/workerprotocol.h"
#include "shared/core/metricsregistry.h"
#include "shared/ipc/ipcchannel.h"
#include "shared/protocol/errorcode.h"
#include "shared/store/statestore.h"

#include <QCborArray>
#include <QCoreApplication>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLocalServer>
#include <QLocalSocket>
#include <QRandomGenerator>

#include <algorithm>
#include <memory>

namespace arena {

namespace wp = workerproto;
using protocol::ErrorCode;

namespace {

QByteArray snapshotKey(const QString &roomId)
{
    return roomkeys::snapshot(roomId);
}

qint64 nowMs()
{
    return QDateTime::currentMSecsSinceEpoch();
}

constexpr int MaxRestoreAttempts = 3;
// A worker that dies sooner than this after starting counts as a quick death (see onExited).
constexpr qint64 QuickDeathMs = 5000;

} // namespace

WorkerPool::WorkerPool(StateStore &store, MetricsRegistry &metrics, WorkerPoolSettings settings, QObject *parent)
    : QObject(parent), m_store(store), m_settings(std::move(settings))
{
    const qint64 interval = std::clamp<qint64>(m_settings.watchdogTimeout.count() / 3, 50, 1000);
    m_watchdog.setInterval(int(interval));
    connect(&m_watchdog, &QTimer::timeout, this, &WorkerPool::watchdog);

    metrics.callbackGauge(QStringLiteral("arena_workers"), QStringLiteral("arena-worker processes alive"),
                          [this] { return double(workerCount()); });
    metrics.callbackGauge(QStringLiteral("arena_worker_matches"), QStringLiteral("Matches hosted in workers"),
                          [this] { return double(m_rooms.size()); });
    metrics.callbackGauge(QStringLiteral("arena_worker_deaths_total"),
                          QStringLiteral("Workers that exited without being asked to, or were killed by the watchdog"),
                          [this] { return double(m_diedTotal); });
    metrics.callbackGauge(QStringLiteral("arena_worker_matches_restored_total"),
                          QStringLiteral("Matches restored on another worker from their snapshot"),
                          [this] { return double(m_restoredTotal); });
    metrics.callbackGauge(QStringLiteral("arena_worker_matches_lost_total"),
                          QStringLiteral("Matches that could not be restored after their worker died"),
                          [this] { return double(m_lostTotal); });
    // Per worker, labelled with its id (a replaced worker's series disappears with it).
    const auto perWorker = [this](std::function<double(const WorkerHandle &)> figure) {
        return [this, figure] {
            QList<CallbackSample> samples;
            for (const auto &[id, worker] : m_workers) {
                if (worker->isAlive())
                    samples.append(CallbackSample{{id}, figure(*worker)});
            }
            return samples;
        };
    };
    const QStringList worker{QStringLiteral("worker")};
    metrics.callbackGauge(QStringLiteral("arena_worker_hosted_matches"), QStringLiteral("Matches on each worker"), worker,
                          perWorker([](const WorkerHandle &w) { return double(w.matches().size()); }));
    metrics.callbackGauge(QStringLiteral("arena_worker_cpu_ratio"),
                          QStringLiteral("CPU used by each worker over the last watchdog interval (1 = one core)"), worker,
                          perWorker([](const WorkerHandle &w) { return w.cpuPercent() / 100.0; }));
    metrics.callbackGauge(QStringLiteral("arena_worker_resident_memory_bytes"), QStringLiteral("RSS of each worker"),
                          worker, perWorker([](const WorkerHandle &w) { return double(w.rssKb()) * 1024.0; }));
    metrics.callbackGauge(QStringLiteral("arena_worker_tick_lag_p99_seconds"),
                          QStringLiteral("p99 of how late each worker's match ticks ran over its last watchdog interval"),
                          worker, perWorker([](const WorkerHandle &w) { return double(w.tickLagP99Us()) / 1e6; }));
}

WorkerPool::~WorkerPool()
{
    m_stopping = true;
    m_watchdog.stop();
    for (auto &[id, worker] : m_workers)
        worker->disconnect(this);
}

Result<void> WorkerPool::start()
{
    const QFileInfo binary(m_settings.workerBinary);
    if (!binary.isFile() || !binary.isExecutable())
        return Error{QStringLiteral("worker_binary"),
                     QStringLiteral("the worker binary %1 is missing or not executable (--worker-binary)")
                         .arg(m_settings.workerBinary)};
    m_server = new QLocalServer(this);
    m_server->setSocketOptions(QLocalServer::UserAccessOption);
    const QString name = QStringLiteral("arena-%1-%2-%3")
                             .arg(m_settings.instanceId)
                             .arg(QCoreApplication::applicationPid())
                             .arg(QRandomGenerator::system()->generate(), 8, 16, QLatin1Char('0'));
    if (!m_server->listen(name))
        return Error{QStringLiteral("listen_failed"),
                     QStringLiteral("cannot listen on the worker socket %1: %2").arg(name, m_server->errorString())};
    connect(m_server, &QLocalServer::newConnection, this, &WorkerPool::onNewConnection);
    m_watchdog.start();
    ensureMinimum();
    return {};
}

void WorkerPool::stop()
{
    m_stopping = true;
    m_watchdog.stop();
    for (auto &[id, worker] : m_workers) {
        if (worker->isAlive())
            stopWorker(worker);
    }
}

int WorkerPool::workerCount() const
{
    return int(std::count_if(m_workers.begin(), m_workers.end(),
                             [](const auto &entry) { return entry.second->isAlive(); }));
}

WorkerHandle *WorkerPool::find(const QString &workerId) const
{
    const auto it = m_workers.find(workerId);
    return it == m_workers.end() ? nullptr : it->second;
}

WorkerHandle *WorkerPool::spawn(const QString &replaces, int restarts)
{
    const QString id = QStringLiteral("w%1").arg(m_nextId++);
    auto *worker = new WorkerHandle(id, this);
    worker->replaces = replaces;
    worker->restarts = restarts;
    connect(worker, &WorkerHandle::exited, this, &WorkerPool::onExited);
    m_workers.emplace(id, worker);
    QStringList env;
    if (m_settings.testRoomTypes)
        env << QStringLiteral("ARENA_TEST_ROOM_TYPES=1");
    worker->start(m_settings.workerBinary, {QStringLiteral("--socket"), m_server->fullServerName(),
                                            QStringLiteral("--worker-id"), id},
                  env);
    qCInfo(lcServer) << "spawned worker" << id << "pid" << worker->pid() << "workers:" << workerCount();
    return worker;
}

void WorkerPool::ensureMinimum()
{
    if (m_stopping)
        return;
    const int floor = m_target > 0 ? m_target : m_settings.minWorkers;
    int accepting = 0;
    for (const auto &[id, worker] : m_workers)
        accepting += worker->acceptsMatches() ? 1 : 0;
    for (; accepting < floor; ++accepting)
        spawn();
}

WorkerHandle *WorkerPool::placement(const WorkerHandle *except)
{
    WorkerHandle *best = nullptr;
    for (const auto &[id, worker] : m_workers) {
        if (worker == except || !worker->acceptsMatches() || worker->matches().size() >= m_settings.matchLimit)
            continue;
        if (!best || worker->matches().size() < best->matches().size())
            best = worker;
    }
    if (best)
        return best;
    int alive = 0;
    for (const auto &[id, worker] : m_workers)
        alive += (worker->isAlive() && worker->state() != WorkerHandle::State::Stopping) ? 1 : 0;
    if (m_stopping || alive >= m_settings.maxWorkers)
        return nullptr;
    return spawn();
}

void WorkerPool::onNewConnection()
{
    while (QLocalSocket *socket = m_server->nextPendingConnection()) {
        auto *channel = new ipc::IpcChannel(socket, this);
        connect(channel, &ipc::IpcChannel::messageReceived, this, [this, channel](const QCborMap &frame) {
            if (auto *worker = qobject_cast<WorkerHandle *>(channel->parent())) {
                onFrame(worker, frame);
                return;
            }
            // Not identified yet: the first frame must be the hello of a worker this pool started.
            WorkerHandle *worker = find(frame.value(wp::WorkerId).toString());
            if (frame.value(wp::Type).toString() != wp::type::Hello || !worker || worker->channel()
                || !worker->isAlive()) {
                qCWarning(lcServer) << "closing a worker connection that did not introduce itself properly";
                channel->close();
                channel->deleteLater();
                return;
            }
            worker->attachChannel(channel);
            if (worker->state() == WorkerHandle::State::Starting)
                worker->setState(WorkerHandle::State::Ready);
            qCInfo(lcServer) << "worker" << worker->id() << "ready, pid" << frame.value(wp::Pid).toInteger();
        });
        connect(channel, &ipc::IpcChannel::disconnected, this, [this, channel] {
            auto *worker = qobject_cast<WorkerHandle *>(channel->parent());
            if (!worker) {
                channel->deleteLater();
                return;
            }
            // A worker without its connection is of no use: make sure the process goes, which reports it.
            if (worker->isAlive() && worker->state() != WorkerHandle::State::Stopping && !m_stopping) {
                qCWarning(lcServer) << "worker" << worker->id() << "closed its connection; killing it";
                worker->kill();
            }
        });
        connect(channel, &ipc::IpcChannel::protocolError, this, [](const QString &reason) {
            qCWarning(lcServer) << "bad frame from a worker:" << reason;
        });
    }
}

void WorkerPool::onFrame(WorkerHandle *worker, const QCborMap &frame)
{
    const QString type = frame.value(wp::Type).toString();
    const QString match = frame.value(wp::Match).toString();
    if (type == wp::type::Pong) {
        worker->recordPong(frame);
    } else if (type == wp::type::Opened || type == wp::type::OpenFailed) {
        auto then = m_pendingOpens[worker].take(match);
        if (!then)
            return;
        if (type == wp::type::Opened)
            then({});
        else
            then(Error{frame.value(wp::Code).toString(), frame.value(wp::Message).toString()});
    } else if (type == wp::type::Exported) {
        if (auto then = m_pendingExports[worker].take(match))
            then(frame.value(wp::Snapshot).toByteArray());
    } else if (worker->matches().contains(match)) {
        // Events of a match come from the worker it is assigned to; anything else is stale.
        if (RemoteRoom *room = m_rooms.value(match))
            room->handleFrame(frame);
    }
}

void WorkerPool::sendOpen(WorkerHandle *worker, RemoteRoom &room, const QJsonObject *options,
                          const QByteArray *snapshot, std::function<void(Result<void>)> then)
{
    QCborMap open{{wp::Type, wp::type::Open},
                  {wp::Match, room.id()},
                  {wp::RoomType, room.type().name},
                  {wp::MaxClients, qint64(room.maxClients())}};
    if (snapshot) {
        QCborArray members;
        for (const RoomMember &m : room.members())
            members.append(QCborArray{m.sessionId, m.playerId});
        open[wp::Members] = members;
        open[wp::Snapshot] = *snapshot;
    } else {
        open[wp::Options] = QJsonDocument(options ? *options : QJsonObject()).toJson(QJsonDocument::Compact);
    }
    m_pendingOpens[worker].insert(room.id(), std::move(then));
    worker->send(open);
}

Result<void> WorkerPool::openMatch(RemoteRoom &room, const QJsonObject *options, const QByteArray *snapshot)
{
    WorkerHandle *worker = placement();
    if (!worker)
        return protocol::toError(ErrorCode::ServerBusy,
                                 QStringLiteral("every match worker is full (%1 workers × %2 matches); try again soon")
                                     .arg(m_settings.maxWorkers)
                                     .arg(m_settings.matchLimit));
    const QString id = room.id();
    m_rooms.insert(id, &room);
    worker->matches().insert(id);
    QPointer<WorkerHandle> guard(worker);
    const bool restored = snapshot != nullptr;
    sendOpen(worker, room, options, snapshot, [this, id, guard, restored](Result<void> opened) {
        RemoteRoom *r = m_rooms.value(id);
        if (!r)
            return; // closed meanwhile
        if (opened.ok() && guard) {
            r->hostedOn(guard);
            if (restored)
                r->announceRestored();
            return;
        }
        qCWarning(lcServer) << "match" << id << "could not start on a worker:" << opened.error().message;
        if (guard)
            guard->matches().remove(id);
        m_rooms.remove(id);
        r->unhosted(opened.error().message, true);
        r->endMatch(restored ? QStringLiteral("lost") : QStringLiteral("failed"));
    });
    return {};
}

void WorkerPool::sendToMatch(RemoteRoom &room, const QCborMap &frame)
{
    if (WorkerHandle *worker = room.worker())
        worker->send(frame);
}

void WorkerPool::closeMatch(RemoteRoom &room, const QString &reason, bool keepSnapshot)
{
    const QString id = room.id();
    m_rooms.remove(id);
    for (auto &[wid, worker] : m_workers) {
        if (worker->matches().remove(id)) {
            worker->send(QCborMap{{wp::Type, wp::type::Close}, {wp::Match, id}, {wp::Reason, reason}});
            worker->updateIdle();
        }
    }
    if (keepSnapshot)
        return;
    m_store.del({snapshotKey(id)}, this, [id](Result<qint64> r) {
        if (!r.ok())
            qCWarning(lcServer) << "could not delete the snapshot of match" << id << ":" << r.error().message;
    });
}

void WorkerPool::storeSnapshot(RemoteRoom &room, const QByteArray &snapshot)
{
    const QString id = room.id();
    m_store.set(snapshotKey(id), snapshot, 0, StateStore::SetMode::Always, this, [id](Result<bool> r) {
        if (!r.ok())
            qCWarning(lcServer) << "could not store the snapshot of match" << id << ":" << r.error().message;
    });
}

void WorkerPool::rehost(RemoteRoom &room, const QByteArray &snapshot, const WorkerHandle *except,
                        std::function<void(Result<void>)> then)
{
    WorkerHandle *worker = placement(except);
    if (!worker) {
        then(protocol::toError(ErrorCode::ServerBusy, QStringLiteral("no worker can take the match")));
        return;
    }
    const QString id = room.id();
    worker->matches().insert(id);
    QPointer<WorkerHandle> guard(worker);
    sendOpen(worker, room, nullptr, &snapshot, [this, id, guard, then = std::move(then)](Result<void> opened) {
        RemoteRoom *r = m_rooms.value(id);
        if (!r) {
            then(protocol::toError(ErrorCode::NotFound, QStringLiteral("the match was closed meanwhile")));
            return;
        }
        if (opened.ok() && guard) {
            r->hostedOn(guard);
            then({});
            return;
        }
        if (guard)
            guard->matches().remove(id);
        then(opened.ok() ? Result<void>(protocol::toError(ErrorCode::Unavailable, QStringLiteral("worker gone")))
                         : opened);
    });
}

void WorkerPool::onExited(WorkerHandle *worker, int exitCode, bool crashed)
{
    const QString id = worker->id();
    const QSet<QString> matches = worker->matches();
    if (crashed && !m_stopping) {
        ++m_diedTotal;
        qCWarning(lcServer) << "worker" << id << "died (exit code" << exitCode << ") with" << matches.size()
                            << "matches; restoring them";
        emit workerDied(id, exitCode);
    } else {
        qCInfo(lcServer) << "worker" << id << "stopped";
    }
    // Whatever the worker still owed is not coming.
    const auto opens = m_pendingOpens.take(worker);
    for (const auto &then : opens)
        then(protocol::toError(ErrorCode::Unavailable, QStringLiteral("worker %1 stopped").arg(id)));
    const auto exports = m_pendingExports.take(worker);
    for (const auto &then : exports)
        then(protocol::toError(ErrorCode::Unavailable, QStringLiteral("worker %1 stopped").arg(id)));
    m_drainDeadlines.remove(worker);
    if (crashed && !m_stopping) {
        // Its replacement, at once; but a worker that keeps dying right after it starts (a bad binary, a
        // room type crashing on restore) is replaced with a growing delay instead of in a tight loop.
        const bool quick = worker->uptimeMs() < QuickDeathMs;
        m_quickDeaths = quick ? m_quickDeaths + 1 : 0;
        const int restarts = worker->restarts + 1;
        if (m_quickDeaths <= 1) {
            spawn(id, restarts);
        } else {
            const int delay = int(std::min<qint64>(qint64(100) << std::min(m_quickDeaths - 2, 10), 10000));
            qCWarning(lcServer) << "worker" << id << "died" << m_quickDeaths << "times in a row right after starting;"
                                << "replacing it in" << delay << "ms";
            QTimer::singleShot(delay, this, [this, id, restarts] {
                if (!m_stopping)
                    spawn(id, restarts);
            });
        }
    }
    m_workers.erase(id);
    worker->matches().clear();
    worker->deleteLater();
    if (m_stopping)
        return;

    // Restore every match the worker had, from its snapshot in the store.
    auto remaining = std::make_shared<int>(int(matches.size()));
    auto restored = std::make_shared<int>(0);
    auto clock = std::make_shared<QElapsedTimer>();
    clock->start();
    const auto finishedOne = [this, remaining, restored, clock](bool ok) {
        if (ok)
            ++*restored;
        if (--*remaining == 0) {
            qCInfo(lcServer) << "restored" << *restored << "matches in" << clock->elapsed() << "ms";
            emit matchesRestored(*restored, clock->elapsed());
        }
    };
    for (const QString &match : matches) {
        RemoteRoom *room = m_rooms.value(match);
        if (!room) {
            finishedOne(false);
            continue;
        }
        room->unhosted(QStringLiteral("the match's worker stopped; it is being restored, send again"), true);
        restoreMatch(match, 1, finishedOne);
    }
    ensureMinimum();
}

void WorkerPool::restoreMatch(const QString &match, int attempt, std::function<void(bool)> finished)
{
    m_store.get(snapshotKey(match), this, [this, match, attempt, finished](Result<std::optional<QByteArray>> got) {
        RemoteRoom *room = m_rooms.value(match);
        if (!room) {
            finished(false);
            return;
        }
        QByteArray snapshot = room->lastSnapshot();
        if (got.ok() && got.value())
            snapshot = *got.value();
        else if (!got.ok())
            qCWarning(lcServer) << "reading the snapshot of match" << match << "failed (" << got.error().message
                                << "); using the copy in memory";
        const auto lost = [this, match, finished](const QString &why) {
            ++m_lostTotal;
            qCWarning(lcServer) << "match" << match << "is lost:" << why;
            if (RemoteRoom *r = m_rooms.value(match))
                r->endMatch(QStringLiteral("lost"));
            finished(false);
        };
        if (snapshot.isEmpty()) {
            lost(QStringLiteral("it has no snapshot"));
            return;
        }
        rehost(*room, snapshot, nullptr, [this, match, attempt, finished, lost](Result<void> rehosted) {
            RemoteRoom *r = m_rooms.value(match);
            if (!r) { // closed meanwhile (its players left): nothing to restore, nothing lost
                finished(false);
                return;
            }
            if (rehosted.ok()) {
                ++m_restoredTotal;
                r->announceRestored();
                finished(true);
            } else if (attempt < MaxRestoreAttempts) {
                restoreMatch(match, attempt + 1, finished);
            } else {
                lost(rehosted.error().message);
            }
        });
    });
}

void WorkerPool::stopWorker(WorkerHandle *worker)
{
    if (!worker->isAlive() || worker->state() == WorkerHandle::State::Stopping)
        return;
    worker->setState(WorkerHandle::State::Stopping);
    m_drainDeadlines.remove(worker);
    worker->send(QCborMap{{wp::Type, wp::type::Stop}});
    // One that does not go within the watchdog timeout is killed.
    QPointer<WorkerHandle> guard(worker);
    QTimer::singleShot(m_settings.watchdogTimeout, this, [guard] {
        if (guard && guard->isAlive())
            guard->kill();
    });
}

void WorkerPool::evacuate(WorkerHandle *worker, std::function<void(int moved, int failed)> then)
{
    const QSet<QString> matches = worker->matches();
    if (matches.isEmpty()) {
        then(0, 0);
        return;
    }
    auto remaining = std::make_shared<int>(int(matches.size()));
    auto moved = std::make_shared<int>(0);
    auto failed = std::make_shared<int>(0);
    const auto one = [remaining, moved, failed, then](bool ok) {
        ++*(ok ? moved : failed);
        if (--*remaining == 0)
            then(*moved, *failed);
    };
    QPointer<WorkerHandle> guard(worker);
    for (const QString &match : matches) {
        RemoteRoom *room = m_rooms.value(match);
        if (!room) {
            one(false);
            continue;
        }
        // From here on commands wait for the new worker; replies the old one still owes come first (the
        // channel keeps order), so nothing is failed.
        room->unhosted({}, false);
        m_pendingExports[worker].insert(match, [this, match, guard, one](Result<QByteArray> exported) {
            if (guard)
                guard->matches().remove(match);
            RemoteRoom *r = m_rooms.value(match);
            if (!r) {
                one(false);
                return;
            }
            if (!exported.ok()) {
                // The worker died while moving: the restore path has taken the match over.
                one(false);
                return;
            }
            rehost(*r, exported.value(), guard, [one](Result<void> rehosted) { one(rehosted.ok()); });
        });
        worker->send(QCborMap{{wp::Type, wp::type::Export}, {wp::Match, match}});
    }
}

void WorkerPool::watchdog()
{
    const qint64 now = nowMs();
    const qint64 timeout = m_settings.watchdogTimeout.count();
    const int floor = m_target > 0 ? m_target : m_settings.minWorkers;
    int accepting = 0;
    for (const auto &[id, worker] : m_workers)
        accepting += worker->acceptsMatches() ? 1 : 0;

    const std::vector<WorkerHandle *> workers = [this] {
        std::vector<WorkerHandle *> all;
        for (const auto &[id, worker] : m_workers)
            all.push_back(worker);
        return all;
    }();
    for (WorkerHandle *worker : workers) {
        if (!worker->isAlive())
            continue;
        worker->sampleProcess();
        if (now - worker->lastHeardMs() > timeout) {
            qCWarning(lcServer) << "worker" << worker->id() << "has not answered for" << (now - worker->lastHeardMs())
                                << "ms (watchdog" << timeout << "ms); killing it";
            worker->kill();
            continue;
        }
        if (worker->channel())
            worker->send(QCborMap{{wp::Type, wp::type::Ping}, {wp::Number, qint64(worker->nextPing())}});
        worker->updateIdle();
        // Suspension: idle workers above the floor stop.
        if (worker->state() == WorkerHandle::State::Ready && worker->idleSinceMs() > 0 && accepting > floor
            && now - worker->idleSinceMs() >= m_settings.idleTimeout.count()) {
            qCInfo(lcServer) << "suspending idle worker" << worker->id() << "after"
                             << (now - worker->idleSinceMs()) / 1000 << "s without matches";
            stopWorker(worker);
            --accepting;
        }
        // Draining: stop once empty; at the deadline move what is left first.
        if (worker->state() == WorkerHandle::State::Draining && m_drainDeadlines.contains(worker)) {
            if (worker->matches().isEmpty()) {
                stopWorker(worker);
            } else if (now >= m_drainDeadlines.value(worker)) {
                m_drainDeadlines.remove(worker);
                qCInfo(lcServer) << "drain deadline of worker" << worker->id() << ": moving its"
                                 << worker->matches().size() << "matches";
                QPointer<WorkerHandle> guard(worker);
                evacuate(worker, [this, guard](int, int) {
                    if (guard)
                        stopWorker(guard);
                });
            }
        }
    }
    ensureMinimum();
}

void WorkerPool::scale(int workers, Done done)
{
    if (workers < 1 || workers > m_settings.maxWorkers) {
        done(protocol::toError(ErrorCode::BadRequest,
                               QStringLiteral("workers must be from 1 to %1 (--workers-max)").arg(m_settings.maxWorkers)));
        return;
    }
    std::vector<WorkerHandle *> accepting;
    for (const auto &[id, worker] : m_workers) {
        if (worker->acceptsMatches())
            accepting.push_back(worker);
    }
    const int before = int(accepting.size());
    m_target = workers;
    QJsonObject summary{{QStringLiteral("workers_before"), before}, {QStringLiteral("workers"), workers}};
    if (before <= workers) {
        QJsonArray started;
        for (int i = before; i < workers; ++i)
            started.append(spawn()->id());
        summary.insert(QStringLiteral("started"), started);
        done(summary);
        return;
    }
    // Fewest matches first: the least to move.
    std::sort(accepting.begin(), accepting.end(),
              [](const WorkerHandle *a, const WorkerHandle *b) { return a->matches().size() < b->matches().size(); });
    accepting.resize(size_t(before - workers));
    auto remaining = std::make_shared<int>(int(accepting.size()));
    auto moved = std::make_shared<int>(0);
    auto failed = std::make_shared<int>(0);
    QJsonArray stopping;
    for (WorkerHandle *worker : accepting) {
        stopping.append(worker->id());
        worker->setState(WorkerHandle::State::Draining); // takes nothing new while its matches move
    }
    summary.insert(QStringLiteral("stopped"), stopping);
    for (WorkerHandle *worker : accepting) {
        QPointer<WorkerHandle> guard(worker);
        evacuate(worker, [this, guard, remaining, moved, failed, summary, done](int m, int f) mutable {
            *moved += m;
            *failed += f;
            if (guard)
                stopWorker(guard);
            if (--*remaining == 0) {
                summary.insert(QStringLiteral("matches_moved"), *moved);
                summary.insert(QStringLiteral("matches_failed"), *failed);
                done(summary);
            }
        });
    }
}

void WorkerPool::restart(const QString &workerId, Done done)
{
    WorkerHandle *worker = find(workerId);
    if (!worker || !worker->isAlive() || worker->state() == WorkerHandle::State::Stopping) {
        done(protocol::toError(ErrorCode::NotFound, QStringLiteral("no running worker %1").arg(workerId)));
        return;
    }
    // The replacement first, so the matches have somewhere to go even at the maximum.
    WorkerHandle *replacement = spawn(workerId);
    worker->setState(WorkerHandle::State::Draining);
    QPointer<WorkerHandle> guard(worker);
    const QString replacementId = replacement->id();
    evacuate(worker, [this, guard, workerId, replacementId, done](int moved, int failed) {
        if (guard)
            stopWorker(guard);
        done(QJsonObject{{QStringLiteral("restarted"), workerId},
                         {QStringLiteral("replacement"), replacementId},
                         {QStringLiteral("matches_moved"), moved},
                         {QStringLiteral("matches_failed"), failed}});
    });
}

Result<QJsonObject> WorkerPool::drain(const QString &workerId, std::optional<std::chrono::milliseconds> deadline)
{
    WorkerHandle *worker = find(workerId);
    if (!worker || !worker->isAlive() || worker->state() == WorkerHandle::State::Stopping)
        return protocol::toError(ErrorCode::NotFound, QStringLiteral("no running worker %1").arg(workerId));
    if (worker->state() == WorkerHandle::State::Draining)
        return protocol::toError(ErrorCode::Conflict, QStringLiteral("worker %1 is draining already").arg(workerId));
    const auto within = deadline.value_or(m_settings.drainDeadline);
    worker->setState(WorkerHandle::State::Draining);
    m_drainDeadlines.insert(worker, nowMs() + within.count());
    ensureMinimum(); // the floor counts workers that take matches
    return QJsonObject{{QStringLiteral("draining"), workerId},
                       {QStringLiteral("matches"), worker->matches().size()},
                       {QStringLiteral("deadline_ms"), qint64(within.count())}};
}

QJsonObject WorkerPool::stats() const
{
    QJsonArray workers;
    int active = 0;
    int idle = 0;
    double cpu = 0;
    qint64 rss = 0;
    for (const auto &[id, worker] : m_workers) {
        const QJsonObject w = worker->toJson();
        workers.append(w);
        if (!worker->isAlive())
            continue;
        (worker->matches().isEmpty() ? idle : active) += 1;
        cpu += w.value(QStringLiteral("cpu_percent")).toDouble();
        rss += w.value(QStringLiteral("rss_kb")).toInteger();
    }
    return QJsonObject{
        {QStringLiteral("workers"), workers},
        {QStringLiteral("pool"),
         QJsonObject{{QStringLiteral("total_workers"), workerCount()},
                     {QStringLiteral("active_workers"), active},
                     {QStringLiteral("idle_workers"), idle},
                     {QStringLiteral("total_matches"), matchCount()},
                     {QStringLiteral("cpu_percent"), qRound(cpu * 10) / 10.0},
                     {QStringLiteral("rss_kb"), rss},
                     {QStringLiteral("deaths"), qint64(m_diedTotal)},
                     {QStringLiteral("matches_restored"), qint64(m_restoredTotal)},
                     {QStringLiteral("matches_lost"), qint64(m_lostTotal)},
                     {QStringLiteral("min_workers"), m_settings.minWorkers},
                     {QStringLiteral("max_workers"), m_settings.maxWorkers},
                     {QStringLiteral("scale_target"), m_target},
                     {QStringLiteral("match_limit"), m_settings.matchLimit}}}};
}

} // namespace arena
