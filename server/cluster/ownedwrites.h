// OwnedWrites: the store writes of an instance's own records (sessions, rooms, room states), fenced by
// its registration (docs/OPERATIONS.md, "Fenced writes").
//
// Every write carries the epoch of the instance's current registration and runs as a script that checks
// it against the lease record `instance:{<id>}` first: a write from a registration that is no longer the
// current one (a process that was paused past its lease while another took its id, or whose lease
// expired and whose leftovers were swept) is refused and changes nothing. A record that names another
// instance as its owner is refused too. Before the first registration (epoch 0) nothing is written: the
// records are written when the instance registers (PlayerService::republish).
//
// owned.write  KEYS lease record, entity hash, index set, ...
//              ARGV epoch, instance id, ttl ms (0: none), 2n, field, value, ... (n pairs),
//                   then per index set: "+" (add) or "-" (remove), member
//              -> 1 written (the hash also gets instance and epoch; its TTL restarts when one is given),
//                 0 refused: the lease record does not hold this epoch,
//                 -1 refused: the entity names another instance
// owned.set    KEYS lease record, key   ARGV epoch, value
//              -> 1 written, 0 refused (stale epoch)
#pragma once

#include "shared/store/statestore.h"

#include <functional>

namespace arena {

class Counter;
class MetricsRegistry;

class OwnedWrites final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(OwnedWrites)

public:
    static constexpr char WriteName[] = "owned.write";
    static constexpr char SetName[] = "owned.set";
    static StateStore::Operation writeOperation();
    static StateStore::Operation setOperation();

    enum class Outcome { Written, StaleEpoch, OtherOwner, NotRegistered, Failed };

    struct IndexChange
    {
        QByteArray set;
        QByteArray member;
        bool add = true;
    };

    // Registers the operations on `store`; `store` and `metrics` must outlive this.
    OwnedWrites(StateStore &store, QString instanceId, MetricsRegistry *metrics = nullptr, QObject *parent = nullptr);

    // The epoch writes carry: the current registration's (0 before the first).
    void setEpoch(qint64 epoch) { m_epoch = epoch; }
    qint64 epoch() const { return m_epoch; }
    const QString &instanceId() const { return m_instanceId; }

    // Writes `fields` (plus instance and epoch) into the hash `key` and applies the index changes.
    void write(const QByteArray &key, const StateStore::Fields &fields, qint64 ttlMs,
               const QList<IndexChange> &indexes, std::function<void(Outcome)> done = nullptr);
    // SETs a string key (no TTL).
    void set(const QByteArray &key, const QByteArray &value, std::function<void(Outcome)> done = nullptr);

    quint64 refused() const { return m_refusedCount; }

private:
    void finish(Result<Reply> reply, const QByteArray &key, const std::function<void(Outcome)> &done);

    StateStore &m_store;
    QString m_instanceId;
    QByteArray m_leaseKey;
    qint64 m_epoch = 0;
    quint64 m_refusedCount = 0;
    Counter *m_refused = nullptr;
};

} // namespace arena
