#include "server/cluster/deadinstancesweep.h"

#include "server/cluster/instanceregistry.h"

#include <QDateTime>

#include <limits>
#include <memory>

namespace arena {

struct DeadInstanceSweep::Run
{
    bool dryRun = false;
    Done done;
    QStringList candidates; // ids still to look at
    QStringList items;
    bool finished = false;
};

namespace {

// Calls `each(item, next)` for the items one after the other (each calls next() when it is done), then
// `finished()`. One store round trip at a time: a sweep never floods the store.
template<typename T>
void forEach(std::shared_ptr<QList<T>> items, std::function<void(const T &, std::function<void()>)> each,
             std::function<void()> finished)
{
    if (items->isEmpty()) {
        finished();
        return;
    }
    const T item = items->takeFirst();
    each(item, [items, each, finished] { forEach<T>(items, each, finished); });
}

QByteArray sessionsKey(const QString &id) { return "instance:" + id.toUtf8() + ":sessions"; }
QByteArray roomsKey(const QString &id) { return "instance:" + id.toUtf8() + ":rooms"; }

} // namespace

DeadInstanceSweep::DeadInstanceSweep(StateStore &store, QString ownId, QObject *parent)
    : QObject(parent), m_store(store), m_ownId(std::move(ownId))
{
}

void DeadInstanceSweep::run(bool dryRun, Done done)
{
    auto run = std::make_shared<Run>();
    run->dryRun = dryRun;
    run->done = std::move(done);
    const double now = double(QDateTime::currentMSecsSinceEpoch());
    m_store.zrangeByScore(InstanceRegistry::indexKey(), -std::numeric_limits<double>::infinity(), now, 0, -1, this,
                          [this, run](Result<QList<StateStore::ScoredMember>> expired) {
        if (!expired.ok())
            return fail(run, expired.error());
        for (const StateStore::ScoredMember &m : expired.value()) {
            const QString id = QString::fromUtf8(m.member);
            if (id != m_ownId)
                run->candidates.append(id);
        }
        nextInstance(run);
    });
}

void DeadInstanceSweep::fail(const std::shared_ptr<Run> &run, const Error &error)
{
    if (std::exchange(run->finished, true))
        return;
    run->done(error);
}

void DeadInstanceSweep::nextInstance(const std::shared_ptr<Run> &run)
{
    if (run->finished)
        return;
    if (run->candidates.isEmpty()) {
        run->finished = true;
        run->done(run->items);
        return;
    }
    const QString id = run->candidates.takeFirst();
    // A record means a lease renewed since the index was written: alive, not ours to touch.
    m_store.exists(InstanceRegistry::recordKey(id), this, [this, run, id](Result<bool> alive) {
        if (!alive.ok())
            return fail(run, alive.error());
        if (alive.value())
            return nextInstance(run);
        sweepSessions(run, id);
    });
}

void DeadInstanceSweep::sweepSessions(const std::shared_ptr<Run> &run, const QString &id)
{
    m_store.smembers(sessionsKey(id), this, [this, run, id](Result<StateStore::Keys> members) {
        if (!members.ok())
            return fail(run, members.error());
        auto sessions = std::make_shared<QList<QByteArray>>(members.value());
        forEach<QByteArray>(sessions, [this, run, id](const QByteArray &sid, std::function<void()> next) {
            const QByteArray key = "session:" + sid;
            m_store.hget(key, QByteArrayLiteral("player"), this, [this, run, id, sid, key, next](Result<std::optional<QByteArray>> player) {
                if (!player.ok())
                    return fail(run, player.error());
                if (!player.value())
                    return next(); // expired meanwhile: nothing left but the index entry
                const QString item = id + QStringLiteral(": session ") + QString::fromUtf8(sid);
                if (run->dryRun) {
                    run->items.append(item);
                    return next();
                }
                m_store.del({key}, this, [this, run, item, sid, player = *player.value(), next](Result<qint64> removed) {
                    if (!removed.ok())
                        return fail(run, removed.error());
                    if (removed.value() == 0)
                        return next(); // another sweep got there first: its item
                    run->items.append(item);
                    m_store.run("compare-and-delete", {"player:" + player}, {sid}, this, [next](Result<Reply>) { next(); });
                });
            });
        }, [this, run, id] { sweepRooms(run, id); });
    });
}

void DeadInstanceSweep::sweepRooms(const std::shared_ptr<Run> &run, const QString &id)
{
    m_store.smembers(roomsKey(id), this, [this, run, id](Result<StateStore::Keys> members) {
        if (!members.ok())
            return fail(run, members.error());
        auto rooms = std::make_shared<QList<QByteArray>>(members.value());
        forEach<QByteArray>(rooms, [this, run, id](const QByteArray &rid, std::function<void()> next) {
            const QByteArray key = "room:" + rid;
            m_store.hget(key, QByteArrayLiteral("type"), this, [this, run, id, rid, key, next](Result<std::optional<QByteArray>> type) {
                if (!type.ok())
                    return fail(run, type.error());
                if (!type.value())
                    return next();
                const QString item = id + QStringLiteral(": room ") + QString::fromUtf8(rid);
                if (run->dryRun) {
                    run->items.append(item);
                    return next();
                }
                // The record first: whoever removes it reports the room, then its state and listing go.
                m_store.del({key}, this, [this, run, item, rid, key, type = *type.value(), next](Result<qint64> removed) {
                    if (!removed.ok())
                        return fail(run, removed.error());
                    if (removed.value() > 0)
                        run->items.append(item);
                    m_store.del({key + ":state"}, this, [this, key, rid, type, next](Result<qint64>) {
                        m_store.del({key + ":snapshot"}, this, [this, rid, type, next](Result<qint64>) {
                            m_store.srem("rooms:" + type, {rid}, this, [this, rid, type, next](Result<qint64>) {
                                m_store.srem("rooms:" + type + ":open", {rid}, this, [next](Result<qint64>) { next(); });
                            });
                        });
                    });
                });
            });
        }, [this, run, id] { sweepTickets(run, id); });
    });
}

void DeadInstanceSweep::sweepTickets(const std::shared_ptr<Run> &run, const QString &id)
{
    if (!m_removeTickets)
        return sweepIndexes(run, id);
    m_removeTickets(id, run->dryRun, [this, run, id](Result<QStringList> tickets) {
        if (!tickets.ok())
            return fail(run, tickets.error());
        for (const QString &ticket : tickets.value())
            run->items.append(id + QStringLiteral(": ticket ") + ticket);
        sweepIndexes(run, id);
    });
}

void DeadInstanceSweep::sweepIndexes(const std::shared_ptr<Run> &run, const QString &id)
{
    const QString item = id + QStringLiteral(": instance");
    if (run->dryRun) {
        run->items.append(item);
        return nextInstance(run);
    }
    // The index entry last: until it goes, a sweep that failed half-way finds the instance again.
    const QByteArray me = id.toUtf8();
    m_store.del({sessionsKey(id)}, this, [this, run, id, item, me](Result<qint64>) {
        m_store.del({roomsKey(id)}, this, [this, run, item, me](Result<qint64>) {
            m_store.del({"health:" + me}, this, [this, run, item, me](Result<qint64>) {
                m_store.zrem(InstanceRegistry::indexKey(), {me}, this, [this, run, item](Result<qint64> removed) {
                    if (!removed.ok())
                        return fail(run, removed.error());
                    if (removed.value() > 0)
                        run->items.append(item);
                    nextInstance(run);
                });
            });
        });
    });
}

} // namespace arena
