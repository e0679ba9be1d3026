// EventDetector: turns the agent's pushes (fleet, snapshots, audit entries) into event-log events.
#pragma once

#include "console/core/event.h"
#include "shared/protocol/adminmessages.h"

#include <QHash>
#include <QJsonObject>
#include <QObject>
#include <QString>

#include <functional>
#include <optional>

namespace arena::console {

// Reports changes, not states: the first fleet after construction or reset() only learns who is there
// (and reports instances that are already down), the first snapshot of an instance only learns its
// counters, so connecting to a fleet does not flood the log.
class EventDetector final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventDetector)

public:
    using Clock = std::function<qint64()>; // ms since the epoch

    explicit EventDetector(QObject *parent = nullptr);
    ~EventDetector() override;

    // The time of connection events (default: the system clock).
    void setClock(Clock clock);

public Q_SLOTS:
    // Instance joined the fleet / left it / went down / came back / started or stopped draining.
    void onFleet(const arena::protocol::Fleet &fleet);
    // Worker deaths (workers.totals.deaths went up, with the matches restored and lost since), the
    // worker count changing, Redis becoming unreachable or reachable again.
    void onSnapshot(const arena::protocol::Snapshot &snapshot);
    // Every action of the fleet: cleanups with their counts per kind, the others in a sentence; a failed
    // or refused one is an Error with the error's message.
    void onAuditEntry(const arena::protocol::AuditEntry &entry);
    void onConnectionState(const QString &text, arena::console::Event::Severity severity);
    // Forget what was learnt (a new connection): the next fleet and snapshots only learn again.
    void reset();

Q_SIGNALS:
    void event(const arena::console::Event &event);

private:
    struct Tracked
    {
        bool inFleet = false; // listed by a fleet (snapshots may come first)
        protocol::InstanceState state = protocol::InstanceState::Up;
        qint64 downSince = 0;
        qint64 snapshotTime = 0;
        // From snapshots.
        bool seenSnapshot = false;
        std::optional<double> deaths;
        std::optional<double> matchesRestored;
        std::optional<double> matchesLost;
        std::optional<double> workers;
        std::optional<bool> redisReachable;
        QHash<QString, double> workerRestarts; // per worker id
    };

    void emitEvent(qint64 time, Event::Kind kind, Event::Severity severity, const QString &instance, const QString &text);

    Clock m_clock;
    bool m_seenFleet = false;
    QHash<QString, Tracked> m_instances;
};

// The sentence of an audit entry, as onAuditEntry() logs it (arena-ctl and tests can reuse it).
QString describeAuditEntry(const protocol::AuditEntry &entry);
// "0 sessions, 3 rooms, 41 tickets removed" from a cleanup result ({"counts": {...}}).
QString describeCleanupCounts(const QJsonObject &result);

} // namespace arena::console
