#include "server/cluster/deadinstancesweep.h"

#include "server/cluster/instanceregistry.h"
#include "server/cluster/roomadoption.h"
#include "server/cluster/roomkeys.h"
#include "server/cluster/sessionclaim.h"

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

// Members of an index set per SSCAN page. A page's items are swept at once (their store calls are in
// flight together, pipelined on the connections), then the next page is read: the sweep keeps at most
// this many items' calls outstanding, whatever the size of the index, and Redis answers others in
// between (docs/BENCHMARKS.md, "cleanup of 1,000,000 orphaned keys").
constexpr qint64 PageSize = 500;


} // namespace

DeadInstanceSweep::DeadInstanceSweep(StateStore &store, QString ownId, QObject *parent)
    : QObject(parent), m_store(store), m_ownId(std::move(ownId))
{
    m_store.registerOperation(SessionClaim::OrphanName, SessionClaim::orphanOperation());
    m_store.registerOperation(RoomAdoption::OrphanName, RoomAdoption::orphanOperation());
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

void DeadInstanceSweep::walkIndex(const std::shared_ptr<Run> &run, const QByteArray &indexKey,
                                  const QByteArray &cursor, const Each &each, std::function<void()> finished)
{
    m_store.sscan(indexKey, cursor, PageSize, this,
                  [this, run, indexKey, each, finished](Result<StateStore::ScanPage> page) {
        if (!page.ok())
            return fail(run, page.error());
        if (run->finished)
            return;
        const QByteArray next = page.value().cursor;
        const auto nextPage = [this, run, indexKey, next, each, finished] {
            if (run->finished)
                return;
            if (next == "0")
                finished();
            else
                walkIndex(run, indexKey, next, each, finished);
        };
        const StateStore::Keys &items = page.value().items;
        if (items.isEmpty())
            return nextPage();
        auto left = std::make_shared<qsizetype>(items.size());
        for (const QByteArray &item : items) {
            each(item, [left, nextPage] {
                if (--*left == 0)
                    nextPage();
            });
        }
    });
}

void DeadInstanceSweep::sweepSessions(const std::shared_ptr<Run> &run, const QString &id)
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    walkIndex(run, InstanceRegistry::sessionsIndexKey(id), "0", [this, run, id, now](const QByteArray &sid, std::function<void()> next) {
        const QByteArray key = "session:" + sid;
        m_store.hgetAll(key, this, [this, run, id, sid, key, now, next](Result<StateStore::Fields> record) {
            if (!record.ok())
                return fail(run, record.error());
            const StateStore::Fields &r = record.value();
            if (r.isEmpty() || r.value("instance") != id.toUtf8())
                return next(); // gone already (expired, another sweep), or taken over by a live instance
            const QString item = id + QStringLiteral(": session ") + QString::fromUtf8(sid);
            if (run->dryRun) {
                run->items.append(item);
                return next();
            }
            const QByteArray player = r.value("player");
            const auto forgetPlayer = [this, player, sid, next] {
                m_store.run("compare-and-delete", {"player:" + player}, {sid}, this, [next](Result<Reply>) { next(); });
            };
            // Active within the resume grace: its player may still resume it on another instance. The
            // record stays, owned by nobody, for what is left of the grace (SessionClaim takes orphans).
            const qint64 graceLeft = m_orphanGrace.count() - (now - r.value("active").toLongLong());
            if (graceLeft > 0) {
                m_store.run(SessionClaim::OrphanName, {key}, {id.toUtf8(), QByteArray::number(graceLeft)}, this,
                            [this, run, item, forgetPlayer](Result<Reply> orphaned) {
                    if (!orphaned.ok())
                        return fail(run, orphaned.error());
                    if (orphaned.value().integer() == 1)
                        run->items.append(item);
                    forgetPlayer();
                });
                return;
            }
            m_store.unlink({key}, this, [this, run, item, forgetPlayer, next](Result<qint64> removed) {
                if (!removed.ok())
                    return fail(run, removed.error());
                if (removed.value() == 0)
                    return next(); // another sweep got there first: its item
                run->items.append(item);
                forgetPlayer();
            });
        });
    }, [this, run, id] { sweepRooms(run, id); });
}

void DeadInstanceSweep::sweepRooms(const std::shared_ptr<Run> &run, const QString &id)
{
    walkIndex(run, InstanceRegistry::roomsIndexKey(id), "0", [this, run, id](const QByteArray &rid, std::function<void()> next) {
        const QString roomId = QString::fromUtf8(rid);
        const QByteArray key = roomkeys::record(roomId);
        m_store.hgetAll(key, this, [this, run, id, rid, roomId, key, next](Result<StateStore::Fields> record) {
            if (!record.ok())
                return fail(run, record.error());
            const QByteArray type = record.value().value("type");
            if (type.isEmpty() || record.value().value("instance") != id.toUtf8())
                return next(); // gone already, or adopted by a live instance
            const QString item = id + QStringLiteral(": room ") + QString::fromUtf8(rid);
            if (run->dryRun) {
                run->items.append(item);
                return next();
            }
            const auto unlist = [this, rid, type, next] {
                auto left = std::make_shared<int>(2);
                const auto one = [left, next](auto) {
                    if (--*left == 0)
                        next();
                };
                m_store.srem("rooms:" + type, {rid}, this, one);
                m_store.srem("rooms:" + type + ":open", {rid}, this, one);
            };
            // A room with members: they may still resume elsewhere and get it back there (RoomAdoption).
            // Its record, state and snapshot stay, owned by nobody, for the resume grace.
            if (record.value().value("clients").toLongLong() > 0) {
                m_store.run(RoomAdoption::OrphanName, {key, roomkeys::state(roomId), roomkeys::snapshot(roomId)},
                            {id.toUtf8(), QByteArray::number(m_orphanGrace.count())}, this,
                            [this, run, item, unlist](Result<Reply> orphaned) {
                    if (!orphaned.ok())
                        return fail(run, orphaned.error());
                    if (orphaned.value().integer() == 1)
                        run->items.append(item);
                    unlist();
                });
                return;
            }
            // The record first: whoever removes it reports the room; then its state and listings go,
            // all at once.
            m_store.unlink({key}, this, [this, run, item, roomId, unlist](Result<qint64> removed) {
                if (!removed.ok())
                    return fail(run, removed.error());
                if (removed.value() > 0)
                    run->items.append(item);
                // One slot: the room id is the keys' hash tag.
                m_store.unlink({roomkeys::state(roomId), roomkeys::snapshot(roomId)}, this,
                               [unlist](Result<qint64>) { unlist(); });
            });
        });
    }, [this, run, id] { sweepTickets(run, id); });
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
    // UNLINK: an index of a big dead instance holds hundreds of thousands of members.
    m_store.unlink({InstanceRegistry::sessionsIndexKey(id)}, this, [this, run, id, item, me](Result<qint64>) {
        m_store.unlink({InstanceRegistry::roomsIndexKey(id)}, this, [this, run, item, me](Result<qint64>) {
            m_store.unlink({"health:" + me}, this, [this, run, item, me](Result<qint64>) {
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
