// Matchmaker: queue tickets by level and team size, and form matches atomically on the StateStore.
#pragma once

#include "server/matchmaking/match.h"
#include "server/matchmaking/matchmakersettings.h"
#include "server/matchmaking/queuekey.h"
#include "server/matchmaking/ticket.h"
#include "shared/core/metricfamily.h"
#include "shared/store/statestore.h"

#include <QHash>
#include <QList>
#include <QObject>
#include <QSet>
#include <QString>

#include <functional>
#include <memory>
#include <optional>

namespace arena {

class MetricsRegistry;
class TaskRegistry;

// Every piece of state lives in the StateStore (layout in queuekey.h), so any number of instances may
// accept tickets and run the matcher on the same queues at once: groups are formed by one atomic
// operation (MatchmakingOperations "mm.form", Lua on Redis), so no ticket ever lands in two matches.
// Each instance walks every queue; the instance that forms a match emits matchFormed(), whichever
// instance accepted its tickets (Ticket::instanceId says where each player's session lives).
//
// A session holds at most one ticket (mm:session:<id>, taken with SET NX before the ticket is added).
// A mapping left behind by a crash (its ticket gone) is released by the next enqueue or cancel of that
// session. Two enqueues of one session must come from one instance (sessions live on one instance),
// which serialises them.
//
// Callbacks follow the StateStore rules: later from the event loop, exactly once, dropped if
// `context` (or the matchmaker) is destroyed first; a null callback is allowed.
//
// Metrics (labels in braces):
//   arena_matchmaking_queue_tickets{room_type,team_size}    gauge: queue length seen by the last pass
//   arena_matchmaking_wait_seconds{room_type}                histogram: enqueue to match, per ticket
//   arena_matchmaking_matches_total{room_type}               counter: matches formed by this instance
//   arena_matchmaking_tickets_total{room_type}               counter: tickets accepted by this instance
//   arena_matchmaking_cancellations_total{room_type,reason}  counter: tickets removed without a match
//                                                            (requested, timeout, instance_gone, draining)
class Matchmaker final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(Matchmaker)

public:
    using Clock = std::function<qint64()>; // wall clock, ms since the Unix epoch

    static constexpr char TaskName[] = "matchmaking";

    // Registers the matchmaking operations on `store` and, with a non-zero interval, the periodic task
    // "matchmaking" on `tasks` (cancelled again by the destructor, so `tasks` must outlive this).
    // `settings` must pass validate(); bad ones are logged and replaced by the defaults.
    Matchmaker(StateStore &store, TaskRegistry &tasks, MetricsRegistry &metrics, MatchmakerSettings settings,
               QString instanceId, QObject *parent = nullptr);
    ~Matchmaker() override;

    const MatchmakerSettings &settings() const { return m_settings; }
    const QString &instanceId() const { return m_instanceId; }
    // For tests: the clock used for enqueue times and window widening.
    void setClock(Clock clock);
    qint64 nowMs() const;

    // Queues `request` (sessionId, playerId, level, teamSize, roomType; id, enqueuedAtMs and
    // instanceId are assigned) and delivers the new ticket id. Errors: "bad_request" (a field out of
    // range, named in the message), "conflict" (the session already holds a ticket), store errors.
    void enqueue(Ticket request, QObject *context, StoreCallback<QString> cb);
    // Removes the session's ticket; delivers whether there was one. Call it when a session ends. A
    // cancel that arrives while the session's enqueue is still in flight here runs after it.
    void cancel(const QString &sessionId, QObject *context, StoreCallback<bool> cb);
    // The ticket a session holds, if any.
    void ticketOf(const QString &sessionId, QObject *context, StoreCallback<std::optional<Ticket>> cb);
    // Tickets waiting in one queue now.
    void queueLength(const QString &roomType, int teamSize, QObject *context, StoreCallback<qint64> cb);

    // One matching pass over every queue now (the periodic task does the same); delivers the number
    // of matches this pass formed. Safe to run while other passes (here or elsewhere) are running.
    void runMatching(QObject *context, StoreCallback<int> cb);

    // Cleanup sweep: removes tickets that waited longer than maxWait (reason "timeout", emitting
    // ticketRemoved for each); with dryRun only lists them. Delivers the tickets, oldest first.
    void removeStale(bool dryRun, QObject *context, StoreCallback<QList<Ticket>> cb);
    // Removes every ticket accepted by `instanceId` (a dead instance: reason "instance_gone"; this one
    // draining: "draining") and its index entries; with dryRun only lists them. Delivers the tickets,
    // oldest first.
    void removeInstanceTickets(const QString &instanceId, bool dryRun, QObject *context,
                               StoreCallback<QList<Ticket>> cb, const QString &reason = QStringLiteral("instance_gone"));

    // While off, the periodic task forms no matches here (a draining instance must not own new ones);
    // other instances still match the queues.
    void setMatching(bool matching) { m_matching = matching; }
    bool isMatching() const { return m_matching; }

Q_SIGNALS:
    // A match was formed by this instance: create its room and tell every player (match_found).
    void matchFormed(const arena::Match &match);
    // A ticket was removed by removeStale() or removeInstanceTickets(), not by cancel(): tell its
    // session (queue_cancelled with this reason) if it lives here.
    void ticketRemoved(const arena::Ticket &ticket, const QString &reason);

private:
    struct Pass;
    struct Sweep;

    void enqueueAt(std::shared_ptr<Ticket> ticket, QueueKey queue, int attempt, StoreCallback<QString> done);
    void addTicket(std::shared_ptr<Ticket> ticket, QueueKey queue, StoreCallback<QString> done);
    // Compare-and-delete of a session mapping; `orphan` logs it as a leftover being cleaned up.
    void releaseMapping(const QByteArray &sessionKey, const QByteArray &ref, bool orphan,
                        std::function<void(Result<bool>)> next);
    void matchQueue(const QueueKey &queue, qint64 offset, const std::shared_ptr<Pass> &pass);
    // Emits matchFormed unless the group came back malformed; returns whether it did.
    bool finishMatch(const QueueKey &queue, QList<Ticket> tickets, qint64 now);
    void cancelNow(const QString &sessionId, StoreCallback<bool> done);
    void removeRefs(QList<QByteArray> refs, const QString &indexInstance, bool dryRun, const QString &reason,
                    StoreCallback<QList<Ticket>> done);
    // After a ticket left its queue: drop the session mapping and the instance index entry.
    void forget(const Ticket &ticket, const QByteArray &ref);
    Result<void> validateRequest(const Ticket &request) const;
    Counter &cancellations(const QString &roomType, const QString &reason);

    StateStore &m_store;
    TaskRegistry &m_tasks;
    MatchmakerSettings m_settings;
    QString m_instanceId;
    Clock m_clock;
    bool m_taskRegistered = false;
    bool m_matching = true;
    QSet<QString> m_enqueuing; // sessions with an enqueue in flight here
    // cancel() calls that came while the session's enqueue was in flight; run once it has finished,
    // so a ticket can never be added after the cancel that should have removed it.
    QHash<QString, QList<StoreCallback<bool>>> m_cancelsAfterEnqueue;

    GaugeFamily &m_queueTickets;
    HistogramFamily &m_waitSeconds;
    CounterFamily &m_matches;
    CounterFamily &m_tickets;
    CounterFamily &m_cancellations;
};

} // namespace arena
