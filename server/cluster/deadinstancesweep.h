// DeadInstanceSweep: the cleanup kind "instances" — removes what instances whose lease is gone left in
// the store (docs/OPERATIONS.md, "Dead instances").
//
// Candidates are the ids in `instances` whose last known lease end is in the past; an id whose lease
// record `instance:{<id>}` still exists is alive (it renewed after the index was last written) and is
// never touched, nor is this instance. For each dead instance, in this order:
//   session <sid>   session:<sid> and player:<pid> (only while it still names that session), for every
//                   member of instance:<id>:sessions whose session record names it; a session active
//                   within the resume grace keeps its record, owned by nobody, for the rest of the grace,
//                   so that its player can still resume it on a live instance
//   room <rid>      room:{<rid>}, room:{<rid>}:state, room:{<rid>}:snapshot and its rooms:<type> and
//                   rooms:<type>:open entries, for every member of instance:<id>:rooms whose room record
//                   still names it; a room with members keeps its record, state and snapshot, owned by
//                   nobody, for the resume grace, so that a member resuming elsewhere gets it back there
//                   (RoomAdoption)
//   ticket <tid>    its matchmaking tickets, through the ticket remover (queue_cancelled "instance_gone")
//   instance        instance:<id>:sessions, instance:<id>:rooms, health:<id> and its `instances` entry
// The index sets are read a page at a time (SSCAN), the members of a page swept concurrently, with
// UNLINK, so a dead instance with a million keys goes in seconds while Redis stays responsive.
// Items read "<id>: session s-1" and so on. A real run reports only what its own deletes removed, so
// sweeps running at once on several instances report each item once between them, and their reports
// together equal a single sweep's; a dry run lists what a real run would remove. The epoch counter
// stays, so the id's next registration still gets a larger epoch.
#pragma once

#include "shared/result.h"
#include "shared/store/statestore.h"

#include <chrono>
#include <functional>

namespace arena {

class DeadInstanceSweep final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DeadInstanceSweep)

public:
    using Done = std::function<void(Result<QStringList>)>;
    // Removes (unless dryRun) the tickets accepted by a dead instance; delivers their ids.
    using TicketRemover = std::function<void(const QString &deadId, bool dryRun, Done done)>;

    // `store` must outlive this; `ownId` is never swept.
    DeadInstanceSweep(StateStore &store, QString ownId, QObject *parent = nullptr);

    void setTicketRemover(TicketRemover remover) { m_removeTickets = std::move(remover); }
    // A session active within this long keeps its record, owned by nobody, for the rest of it: its
    // player may resume it on a live instance (SessionClaim). Default 5 min (the resume grace).
    void setOrphanGrace(std::chrono::milliseconds grace) { m_orphanGrace = grace; }
    void run(bool dryRun, Done done);

private:
    struct Run;
    using Each = std::function<void(const QByteArray &member, std::function<void()> next)>;
    // Calls `each` for every member of the set `indexKey`, page by page (SSCAN), the members of a page
    // concurrently; then `finished`.
    void walkIndex(const std::shared_ptr<Run> &run, const QByteArray &indexKey, const QByteArray &cursor,
                   const Each &each, std::function<void()> finished);
    void nextInstance(const std::shared_ptr<Run> &run);
    void sweepSessions(const std::shared_ptr<Run> &run, const QString &id);
    void sweepRooms(const std::shared_ptr<Run> &run, const QString &id);
    void sweepTickets(const std::shared_ptr<Run> &run, const QString &id);
    void sweepIndexes(const std::shared_ptr<Run> &run, const QString &id);
    void fail(const std::shared_ptr<Run> &run, const Error &error);

    StateStore &m_store;
    QString m_ownId;
    TicketRemover m_removeTickets;
    std::chrono::milliseconds m_orphanGrace{std::chrono::minutes(5)};
};

} // namespace arena
