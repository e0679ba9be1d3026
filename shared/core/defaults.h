// Default figures for every binary, taken from the seed notes (shared/seeds) named beside each value.
#pragma once

#include <QLatin1String>
#include <QThread>

#include <algorithm>
#include <chrono>

namespace arena::defaults {

// Seed 001: SESSION_TIMEOUT = 5 minutes; a session with no activity for this long expires.
inline constexpr std::chrono::minutes sessionIdleExpiry{5};

// Seeds 000 and 001: the cleanup sweep runs every minute (seed 001's CLEANUP_INTERVAL); seed 000
// shows it is safe for each instance to run its own sweep.
inline constexpr std::chrono::minutes cleanupInterval{1};

// Seed 001: PROCESS_TIMEOUT = 30 seconds; hung work (a worker that does not answer its watchdog
// within this time) is killed.
inline constexpr std::chrono::seconds workerWatchdogTimeout{30};

// Seed 004: an idle worker is suspended after 5 minutes.
inline constexpr std::chrono::minutes workerIdleSuspension{5};

// Seed 004: the pool keeps at least one worker and spawns up to min(cores, 4).
inline constexpr int workersMin = 1;
inline constexpr int workersMaxCap = 4;
constexpr int workersMax(int cores)
{
    return std::clamp(cores, workersMin, workersMaxCap);
}
inline int workersMax()
{
    return workersMax(QThread::idealThreadCount());
}

// Matches one worker hosts before the pool places new ones on another worker. docs/BENCHMARKS.md (worker
// pool): one worker ticks 9,000 duels at 20 Hz within 1.4 ms of p99 lag; 500 keeps well below that, so
// matches spread over the workers and a crash touches few of them.
inline constexpr int workerMatchLimit = 500;

// DESIGN.md interfaces table: player WebSocket, admin HTTP and agent ports.
inline constexpr quint16 playerPort = 4600;
inline constexpr quint16 adminPort = 4601;
inline constexpr quint16 agentPort = 4602;

// DESIGN.md Redis data model (seed 002 keeps instance, session and room data in Redis).
inline constexpr QLatin1String redisKeyPrefix{"arena:"};

// Seed 003 asks for a graceful shutdown with a forced exit after a timeout but names no figure.
// 30 s: the same bound as the worker watchdog (a match that cannot hand over within the time a
// worker is allowed to stay silent is treated as hung anyway), well inside systemd's default
// TimeoutStopSec of 90 s, and equal to Kubernetes' default terminationGracePeriodSeconds — so
// under Kubernetes set the grace period a few seconds above this deadline.
inline constexpr std::chrono::seconds shutdownDeadline{30};

} // namespace arena::defaults
