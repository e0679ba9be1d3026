// InstanceRegistry: this instance's lease in the fleet registry (docs/OPERATIONS.md, "Instance registry").
//
// Registering writes the lease record `instance:{<id>}` (host, ports, version, start time, load) with a
// TTL and takes a new epoch, the fencing token of this registration; the record is renewed every
// renew interval, only while it still holds that epoch. The lease is *lost* when a renewal finds the
// record gone or holding another epoch, or when no renewal succeeded for a whole TTL while the store was
// reachable (the process was paused, say): the instance then takes no new work (leaseLost) and registers
// again at once, with a new epoch (leaseAcquired). While the store cannot be reached at all the lease is
// *unconfirmed*: the instance goes on in single-instance mode and settles the lease when the store is
// back. The `instances` sorted set indexes every registered id by the end of its lease.
#pragma once

#include "shared/result.h"
#include "shared/store/statestore.h"

#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QTimer>

#include <chrono>
#include <functional>

namespace arena {

class InstanceRegistry final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InstanceRegistry)

public:
    enum class State {
        Unregistered, // not registered yet (or stopped)
        Held,         // registered, last renewal within the TTL
        Unconfirmed,  // the store is unreachable: the lease may have lapsed, nobody can tell yet
        Lost,         // the lease was lost (or another process holds the id): re-registering
    };

    struct Settings
    {
        QString instanceId;
        std::chrono::milliseconds leaseTtl{10000};
        std::chrono::milliseconds renewInterval{0}; // 0: a third of the TTL
        StateStore::Fields info;                    // fields written at registration (host, ports, ...)
    };
    // Fields written with every renewal (load figures: sessions, rooms, matches).
    using LoadProvider = std::function<StateStore::Fields()>;

    static QByteArray recordKey(const QString &instanceId);  // instance:{<id>}
    static QByteArray epochKey(const QString &instanceId);   // instance:{<id>}:epoch
    static QByteArray indexKey();                            // instances
    // An instance's index sets: what the dead-instance sweep finds its leftovers by.
    static QByteArray sessionsIndexKey(const QString &instanceId); // instance:<id>:sessions
    static QByteArray roomsIndexKey(const QString &instanceId);    // instance:<id>:rooms

    // Registers the registry's operations on `store`, which must outlive this.
    InstanceRegistry(StateStore &store, Settings settings, QObject *parent = nullptr);
    ~InstanceRegistry() override;

    void setLoadProvider(LoadProvider provider) { m_load = std::move(provider); }

    // Registers and starts renewing. `done` gets the epoch, or the error "in_use" when another live
    // process holds this id (its lease runs out within the TTL unless it is renewed), or the store's
    // error ("unavailable": the registry keeps trying in the background, single-instance mode meanwhile).
    void start(std::function<void(Result<qint64>)> done);
    // Stops renewing and deletes the record if it still holds this registration's epoch.
    void stop(std::function<void()> done);

    State state() const { return m_state; }
    qint64 epoch() const { return m_epoch; } // 0 before the first registration
    // Whether the instance may take new work: false only while the lease is lost.
    bool allowsNewWork() const { return m_state != State::Lost; }
    // {"state", "epoch", "ttl_ms", "renewed_at", "lease_until", "lost", "error"} (times ISO 8601, UTC).
    QJsonObject toJson() const;
    static QString stateName(State state);

Q_SIGNALS:
    void leaseAcquired(qint64 epoch);
    void leaseLost(qint64 epoch, const QString &why);
    void stateChanged(arena::InstanceRegistry::State state);

private:
    void tick();
    void registerNow(std::function<void(Result<qint64>)> done);
    void renewNow();
    void lose(const QString &why);
    void setState(State state);
    StateStore::Args leaseArgs(const QByteArray &first, qint64 nowMs) const;

    StateStore &m_store;
    Settings m_settings;
    LoadProvider m_load;
    QByteArray m_process; // host:pid:random — who holds the record
    QTimer m_timer;
    State m_state = State::Unregistered;
    qint64 m_epoch = 0;
    quint64 m_lostCount = 0;
    bool m_busy = false;        // a register or renew is in flight
    bool m_running = false;
    QElapsedTimer m_sinceRenew; // monotonic: keeps counting while the process is stopped
    QDateTime m_renewedAt;
    qint64 m_leaseUntilMs = 0;
    QString m_error;
};

} // namespace arena
