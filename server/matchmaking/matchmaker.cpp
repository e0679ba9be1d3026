#include "server/matchmaking/matchmaker.h"

#include "server/matchmaking/matchmakinglog.h"
#include "server/matchmaking/matchmakingoperations.h"
#include "shared/core/metricsregistry.h"
#include "shared/core/taskregistry.h"

#include <QDateTime>
#include <QMetaObject>
#include <QPointer>
#include <QRandomGenerator>
#include <QUuid>

#include <algorithm>
#include <limits>

namespace arena {

Q_LOGGING_CATEGORY(lcMatchmaking, "arena.server.matchmaking")

namespace {

using Keys = StateStore::Keys;
using Args = StateStore::Args;

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr qsizetype kMaxIdBytes = 128;

// The caller's callback, never null, dropped once a non-null `context` is gone.
template<typename T>
StoreCallback<T> guarded(QObject *context, StoreCallback<T> cb)
{
    if (!cb)
        return [](Result<T>) {};
    if (!context)
        return cb;
    return [guard = QPointer<QObject>(context), cb = std::move(cb)](Result<T> result) {
        if (guard)
            cb(std::move(result));
    };
}

Error badRequest(const QString &message)
{
    return Error{QStringLiteral("bad_request"), message};
}

Error conflict(const QString &ticketId)
{
    return Error{QStringLiteral("conflict"), QStringLiteral("this session is already queued (ticket %1)").arg(ticketId)};
}

// Protocol ids: 1..128 bytes of UTF-8 without control characters.
bool isValidId(const QString &id)
{
    if (id.isEmpty() || id.toUtf8().size() > kMaxIdBytes)
        return false;
    return std::none_of(id.cbegin(), id.cend(), [](QChar c) { return c.unicode() < 0x20 || c.unicode() == 0x7f; });
}

QByteArray number(double value)
{
    return QByteArray::number(value, 'g', 17);
}

// "t-<13-digit ms>-<16 hex digits>": bytewise order is enqueue order, which the form script relies on
// to prefer older tickets among equal levels.
QString newTicketId(qint64 enqueuedAtMs)
{
    return QStringLiteral("t-%1-%2")
        .arg(enqueuedAtMs, 13, 10, QLatin1Char('0'))
        .arg(QRandomGenerator::global()->generate64(), 16, 16, QLatin1Char('0'));
}

// A ticket hash returned by a script as a flat field/value array; nullopt for {} or anything malformed.
std::optional<Ticket> ticketFromReply(const Reply &reply)
{
    if (!reply.isArray() || reply.elements().isEmpty() || reply.elements().size() % 2 != 0)
        return std::nullopt;
    StateStore::Fields fields;
    const QList<Reply> &flat = reply.elements();
    for (qsizetype i = 0; i < flat.size(); i += 2)
        fields.insert(flat[i].bytes(), flat[i + 1].bytes());
    return Ticket::fromFields(fields);
}

void sortByAge(QList<Ticket> &tickets)
{
    std::sort(tickets.begin(), tickets.end(), [](const Ticket &a, const Ticket &b) {
        return a.enqueuedAtMs != b.enqueuedAtMs ? a.enqueuedAtMs < b.enqueuedAtMs : a.id < b.id;
    });
}

// Highest level first, dealt A B B A A B B A ... so the teams' level sums stay close.
QList<QList<Ticket>> balancedTeams(QList<Ticket> tickets)
{
    std::sort(tickets.begin(), tickets.end(), [](const Ticket &a, const Ticket &b) {
        return a.level != b.level ? a.level > b.level : a.id < b.id;
    });
    QList<QList<Ticket>> teams(2);
    for (qsizetype i = 0; i < tickets.size(); ++i) {
        const qsizetype round = i / 2;
        const bool first = (i % 2 == 0) == (round % 2 == 0);
        teams[first ? 0 : 1].append(tickets[i]);
    }
    return teams;
}

} // namespace

// One matching pass: counts the queues still being walked.
struct Matchmaker::Pass
{
    StoreCallback<int> done;
    int pendingQueues = 0;
    int formed = 0;
    std::optional<Error> error;

    void queueFinished()
    {
        if (--pendingQueues == 0)
            done(error ? Result<int>(*error) : Result<int>(formed));
    }
};

// One removal sweep (stale or dead-instance tickets): counts the tickets still being handled.
struct Matchmaker::Sweep
{
    StoreCallback<QList<Ticket>> done;
    qsizetype pending = 0;
    QList<Ticket> tickets;
    std::optional<Error> error;

    void finishOne()
    {
        if (--pending > 0)
            return;
        if (error) {
            done(*error);
            return;
        }
        sortByAge(tickets);
        done(tickets);
    }
};

Matchmaker::Matchmaker(StateStore &store, TaskRegistry &tasks, MetricsRegistry &metrics, MatchmakerSettings settings,
                       QString instanceId, QObject *parent)
    : QObject(parent),
      m_store(store),
      m_tasks(tasks),
      m_settings(std::move(settings)),
      m_instanceId(std::move(instanceId)),
      m_clock([] { return QDateTime::currentMSecsSinceEpoch(); }),
      m_queueTickets(metrics.gauge(QStringLiteral("arena_matchmaking_queue_tickets"),
                                   QStringLiteral("Tickets waiting per queue, as seen by the last matching pass"),
                                   {QStringLiteral("room_type"), QStringLiteral("team_size")})),
      m_waitSeconds(metrics.histogram(QStringLiteral("arena_matchmaking_wait_seconds"),
                                      QStringLiteral("Time from enqueue to match, per matched ticket"),
                                      {QStringLiteral("room_type")},
                                      {0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600})),
      m_matches(metrics.counter(QStringLiteral("arena_matchmaking_matches_total"),
                                QStringLiteral("Matches formed by this instance"), {QStringLiteral("room_type")})),
      m_tickets(metrics.counter(QStringLiteral("arena_matchmaking_tickets_total"),
                                QStringLiteral("Tickets accepted by this instance"), {QStringLiteral("room_type")})),
      m_cancellations(metrics.counter(QStringLiteral("arena_matchmaking_cancellations_total"),
                                      QStringLiteral("Tickets removed without a match (requested, timeout, "
                                                     "instance_gone, draining)"),
                                      {QStringLiteral("room_type"), QStringLiteral("reason")}))
{
    if (const Result<void> valid = m_settings.validate(); !valid) {
        qCWarning(lcMatchmaking, "%s; using the default matchmaking settings", qUtf8Printable(valid.error().message));
        m_settings = MatchmakerSettings();
    }
    if (m_instanceId.isEmpty()) {
        qCWarning(lcMatchmaking, "no instance id given; tickets are indexed under \"local\"");
        m_instanceId = QStringLiteral("local");
    }
    MatchmakingOperations::registerAll(m_store);
    if (m_settings.interval.count() > 0) {
        const Result<void> added = m_tasks.everyAsync(
            QLatin1String(TaskName), m_settings.interval, [this](const TaskRegistry::Done &done) {
                // Redis down: nothing to match against; the store reports its own outage. Draining: the
                // matches belong to other instances.
                if (!m_matching || !m_store.isAvailable()) {
                    done(Result<void>());
                    return;
                }
                runMatching(this, [done](Result<int> formed) {
                    done(formed ? Result<void>() : Result<void>(formed.error()));
                });
            });
        if (added)
            m_taskRegistered = true;
        else
            qCWarning(lcMatchmaking, "periodic matching not registered: %s", qUtf8Printable(added.error().message));
    }
}

Matchmaker::~Matchmaker()
{
    if (m_taskRegistered)
        m_tasks.cancel(QLatin1String(TaskName));
}

void Matchmaker::setClock(Clock clock)
{
    m_clock = clock ? std::move(clock) : Clock([] { return QDateTime::currentMSecsSinceEpoch(); });
}

qint64 Matchmaker::nowMs() const
{
    return m_clock();
}

Result<void> Matchmaker::validateRequest(const Ticket &request) const
{
    if (!isValidId(request.sessionId))
        return badRequest(QStringLiteral("session id must be 1..128 bytes without control characters"));
    if (!isValidId(request.playerId))
        return badRequest(QStringLiteral("player id must be 1..128 bytes without control characters"));
    if (request.level < 0 || request.level > m_settings.maxLevel)
        return badRequest(QStringLiteral("level must be between 0 and %1").arg(m_settings.maxLevel));
    if (request.teamSize < 1 || request.teamSize > m_settings.maxTeamSize)
        return badRequest(QStringLiteral("team_size must be between 1 and %1").arg(m_settings.maxTeamSize));
    if (!QueueKey::isValidRoomType(request.roomType))
        return badRequest(QStringLiteral("room_type must be 1..64 characters of A-Z a-z 0-9 _ . -"));
    if (!m_settings.roomTypes.isEmpty() && !m_settings.roomTypes.contains(request.roomType))
        return badRequest(QStringLiteral("room type \"%1\" has no matchmaking; one of: %2")
                              .arg(request.roomType, m_settings.roomTypes.join(QStringLiteral(", "))));
    return {};
}

Counter &Matchmaker::cancellations(const QString &roomType, const QString &reason)
{
    return m_cancellations.labels({roomType, reason});
}

// ---- enqueue / cancel / lookups

void Matchmaker::enqueue(Ticket request, QObject *context, StoreCallback<QString> cb)
{
    StoreCallback<QString> done = guarded(context, std::move(cb));
    std::optional<Error> refusal;
    if (const Result<void> valid = validateRequest(request); !valid)
        refusal = valid.error();
    else if (m_enqueuing.contains(request.sessionId))
        refusal = Error{QStringLiteral("conflict"), QStringLiteral("this session is already being queued")};
    if (refusal) {
        QMetaObject::invokeMethod(
            this, [done, error = *refusal] { done(error); }, Qt::QueuedConnection);
        return;
    }
    auto ticket = std::make_shared<Ticket>(std::move(request));
    ticket->enqueuedAtMs = nowMs();
    ticket->instanceId = m_instanceId;
    ticket->id = newTicketId(ticket->enqueuedAtMs);
    m_enqueuing.insert(ticket->sessionId);
    const QString sessionId = ticket->sessionId;
    enqueueAt(ticket, QueueKey(ticket->roomType, ticket->teamSize), 0,
              [this, sessionId, done](Result<QString> result) {
                  m_enqueuing.remove(sessionId);
                  done(std::move(result));
                  const QList<StoreCallback<bool>> cancels = m_cancelsAfterEnqueue.take(sessionId);
                  if (cancels.isEmpty())
                      return;
                  cancelNow(sessionId, [cancels](Result<bool> removed) {
                      for (const StoreCallback<bool> &cancelled : cancels)
                          cancelled(removed);
                  });
              });
}

void Matchmaker::enqueueAt(std::shared_ptr<Ticket> ticket, QueueKey queue, int attempt, StoreCallback<QString> done)
{
    const QByteArray sessionKey = QueueKey::sessionKey(ticket->sessionId);
    m_store.set(sessionKey, queue.ref(ticket->id), 0, StateStore::SetMode::IfAbsent, this,
                [this, ticket, queue, attempt, done, sessionKey](Result<bool> taken) {
        if (!taken) {
            done(taken.error());
            return;
        }
        if (*taken) {
            addTicket(ticket, queue, done);
            return;
        }
        if (attempt > 0) {
            done(Error{QStringLiteral("conflict"), QStringLiteral("this session is already queued")});
            return;
        }
        // The session holds a mapping: a live ticket, or one a crash (or a match being finished) left.
        m_store.get(sessionKey, this,
                    [this, ticket, queue, done, sessionKey](Result<std::optional<QByteArray>> current) {
            if (!current) {
                done(current.error());
                return;
            }
            if (!current->has_value()) {
                enqueueAt(ticket, queue, 1, done);
                return;
            }
            const QByteArray held = **current;
            const std::optional<QueueKey::Ref> ref = QueueKey::parseRef(held);
            const QByteArray heldTicket =
                ref ? QueueKey::fromTag(ref->tag)->ticket(ref->ticketId) : QByteArray();
            const auto retryAfterRelease = [this, ticket, queue, done, sessionKey, held] {
                releaseMapping(sessionKey, held, true, [this, ticket, queue, done](Result<bool> released) {
                    if (!released) {
                        done(released.error());
                        return;
                    }
                    enqueueAt(ticket, queue, 1, done);
                });
            };
            if (!ref) {
                retryAfterRelease();
                return;
            }
            m_store.exists(heldTicket, this, [done, retryAfterRelease, ticketId = ref->ticketId](Result<bool> exists) {
                if (!exists) {
                    done(exists.error());
                    return;
                }
                if (*exists) {
                    done(conflict(ticketId));
                    return;
                }
                retryAfterRelease();
            });
        });
    });
}

void Matchmaker::releaseMapping(const QByteArray &sessionKey, const QByteArray &ref, bool orphan,
                                std::function<void(Result<bool>)> next)
{
    m_store.run(QByteArray(MatchmakingOperations::ReleaseName), {sessionKey}, {ref}, this,
                [sessionKey, orphan, next = std::move(next)](Result<Reply> released) {
        if (!released) {
            next(released.error());
            return;
        }
        if (orphan && released->integer() == 1)
            qCInfo(lcMatchmaking, "released %s, which named a ticket no longer queued", sessionKey.constData());
        next(released->integer() == 1);
    });
}

void Matchmaker::addTicket(std::shared_ptr<Ticket> ticket, QueueKey queue, StoreCallback<QString> done)
{
    const QByteArray ref = queue.ref(ticket->id);
    m_store.sadd(QueueKey::queuesKey(), {queue.tag()}, this, [tag = queue.tag()](Result<qint64> added) {
        if (!added)
            qCWarning(lcMatchmaking, "could not list queue %s: %s", tag.constData(),
                      qUtf8Printable(added.error().message));
    });
    // Indexed before it exists, so a crash never leaves a ticket its instance's index does not name.
    m_store.sadd(QueueKey::instanceTicketsKey(m_instanceId), {ref}, this,
                 [this, ticket, queue, ref, done](Result<qint64> indexed) {
        if (!indexed) {
            forget(*ticket, ref);
            done(indexed.error());
            return;
        }
        const Ticket &t = *ticket;
        const Args args{t.id.toUtf8(),       t.sessionId.toUtf8(),           t.playerId.toUtf8(),
                        QByteArray::number(t.level), QByteArray::number(t.enqueuedAtMs), t.instanceId.toUtf8(),
                        t.roomType.toUtf8(), QByteArray::number(t.teamSize)};
        m_store.run(QByteArray(MatchmakingOperations::EnqueueName), {queue.queue(), queue.levels(), queue.ticket(t.id)},
                    args, this, [this, ticket, ref, done](Result<Reply> added) {
            if (!added || added->integer() != 1) {
                forget(*ticket, ref);
                done(added ? Error{QStringLiteral("internal"), QStringLiteral("ticket id %1 already exists")
                                                                     .arg(ticket->id)}
                           : added.error());
                return;
            }
            m_tickets.labels({ticket->roomType}).inc();
            qCDebug(lcMatchmaking, "ticket %s queued: session %s level %d in %s:%d", qUtf8Printable(ticket->id),
                    qUtf8Printable(ticket->sessionId), ticket->level, qUtf8Printable(ticket->roomType),
                    ticket->teamSize);
            done(ticket->id);
        });
    });
}

void Matchmaker::forget(const Ticket &ticket, const QByteArray &ref)
{
    const QByteArray sessionKey = QueueKey::sessionKey(ticket.sessionId);
    m_store.run(QByteArray(MatchmakingOperations::ReleaseName), {sessionKey}, {ref}, this,
                [sessionKey](Result<Reply> released) {
        if (!released)
            qCWarning(lcMatchmaking, "could not release %s: %s", sessionKey.constData(),
                      qUtf8Printable(released.error().message));
    });
    m_store.srem(QueueKey::instanceTicketsKey(ticket.instanceId), {ref}, this, [ref](Result<qint64> removed) {
        if (!removed)
            qCWarning(lcMatchmaking, "could not unindex ticket %s: %s", ref.constData(),
                      qUtf8Printable(removed.error().message));
    });
}

void Matchmaker::cancel(const QString &sessionId, QObject *context, StoreCallback<bool> cb)
{
    StoreCallback<bool> done = guarded(context, std::move(cb));
    if (m_enqueuing.contains(sessionId)) {
        m_cancelsAfterEnqueue[sessionId].append(std::move(done));
        return;
    }
    cancelNow(sessionId, std::move(done));
}

void Matchmaker::cancelNow(const QString &sessionId, StoreCallback<bool> done)
{
    const QByteArray sessionKey = QueueKey::sessionKey(sessionId);
    m_store.get(sessionKey, this, [this, done, sessionKey](Result<std::optional<QByteArray>> current) {
        if (!current) {
            done(current.error());
            return;
        }
        if (!current->has_value()) {
            done(false);
            return;
        }
        const QByteArray held = **current;
        const std::optional<QueueKey::Ref> ref = QueueKey::parseRef(held);
        if (!ref) {
            releaseMapping(sessionKey, held, true, [done](Result<bool> released) {
                done(released ? Result<bool>(false) : Result<bool>(released.error()));
            });
            return;
        }
        const QueueKey queue = *QueueKey::fromTag(ref->tag);
        m_store.run(QByteArray(MatchmakingOperations::RemoveName),
                    {queue.queue(), queue.levels(), queue.ticket(ref->ticketId)}, {ref->ticketId.toUtf8()}, this,
                    [this, done, sessionKey, held](Result<Reply> removed) {
            if (!removed) {
                done(removed.error());
                return;
            }
            const std::optional<Ticket> ticket = ticketFromReply(*removed);
            // Queued or not (matched a moment ago), the mapping has served; the callback waits for
            // its release so the session can queue again right away.
            releaseMapping(sessionKey, held, !ticket, [this, done, ticket, held](Result<bool> released) {
                if (!released)
                    qCWarning(lcMatchmaking, "could not release the session mapping of %s: %s", held.constData(),
                              qUtf8Printable(released.error().message));
                if (!ticket) {
                    done(false);
                    return;
                }
                m_store.srem(QueueKey::instanceTicketsKey(ticket->instanceId), {held}, this, {});
                cancellations(ticket->roomType, QStringLiteral("requested")).inc();
                qCDebug(lcMatchmaking, "ticket %s cancelled", qUtf8Printable(ticket->id));
                done(true);
            });
        });
    });
}

void Matchmaker::ticketOf(const QString &sessionId, QObject *context, StoreCallback<std::optional<Ticket>> cb)
{
    StoreCallback<std::optional<Ticket>> done = guarded(context, std::move(cb));
    m_store.get(QueueKey::sessionKey(sessionId), this, [this, done](Result<std::optional<QByteArray>> current) {
        if (!current) {
            done(current.error());
            return;
        }
        const std::optional<QueueKey::Ref> ref =
            current->has_value() ? QueueKey::parseRef(**current) : std::nullopt;
        if (!ref) {
            done(std::optional<Ticket>());
            return;
        }
        m_store.hgetAll(QueueKey::fromTag(ref->tag)->ticket(ref->ticketId), this,
                        [done](Result<StateStore::Fields> fields) {
            if (!fields) {
                done(fields.error());
                return;
            }
            done(Ticket::fromFields(*fields));
        });
    });
}

void Matchmaker::queueLength(const QString &roomType, int teamSize, QObject *context, StoreCallback<qint64> cb)
{
    StoreCallback<qint64> done = guarded(context, std::move(cb));
    if (!QueueKey::isValidRoomType(roomType) || teamSize < 1) {
        QMetaObject::invokeMethod(
            this, [done] { done(badRequest(QStringLiteral("no such queue"))); }, Qt::QueuedConnection);
        return;
    }
    m_store.zcard(QueueKey(roomType, teamSize).queue(), this, done);
}

// ---- matching

void Matchmaker::runMatching(QObject *context, StoreCallback<int> cb)
{
    StoreCallback<int> done = guarded(context, std::move(cb));
    m_store.smembers(QueueKey::queuesKey(), this, [this, done](Result<Keys> tags) {
        if (!tags) {
            done(tags.error());
            return;
        }
        QList<QueueKey> queues;
        for (const QByteArray &tag : *tags) {
            if (const std::optional<QueueKey> queue = QueueKey::fromTag(tag))
                queues.append(*queue);
            else
                qCWarning(lcMatchmaking, "ignoring malformed queue tag \"%s\"", tag.constData());
        }
        if (queues.isEmpty()) {
            done(0);
            return;
        }
        auto pass = std::make_shared<Pass>();
        pass->done = done;
        pass->pendingQueues = int(queues.size());
        for (const QueueKey &queue : queues)
            matchQueue(queue, 0, pass);
    });
}

void Matchmaker::matchQueue(const QueueKey &queue, qint64 offset, const std::shared_ptr<Pass> &pass)
{
    const qint64 now = nowMs();
    const Args args{QByteArray::number(now),
                    QByteArray::number(queue.teamSize() * 2),
                    number(m_settings.initialWindow),
                    number(m_settings.widenPerSecond),
                    number(m_settings.maxWindow),
                    QByteArray::number(offset),
                    QByteArray::number(m_settings.anchorsPerCall)};
    m_store.run(QByteArray(MatchmakingOperations::FormName), {queue.queue(), queue.levels(), queue.ticketPrefix()},
                args, this, [this, queue, offset, pass, now](Result<Reply> result) {
        if (!result || !result->isArray() || result->elements().size() < 3) {
            const Error error = result ? Error{QStringLiteral("internal"), QStringLiteral("unexpected reply %1")
                                                                               .arg(result->toDebugString())}
                                       : result.error();
            qCWarning(lcMatchmaking, "matching %s failed: %s", queue.tag().constData(), qUtf8Printable(error.message));
            pass->error = error;
            pass->queueFinished();
            return;
        }
        const QList<Reply> &parts = result->elements();
        const qint64 examined = parts[0].integer();
        const qint64 unmatched = parts[1].integer();
        m_queueTickets.labels({queue.roomType(), QString::number(queue.teamSize())}).set(double(parts[2].integer()));
        for (qsizetype i = 3; i < parts.size(); ++i) {
            QList<Ticket> tickets;
            for (const Reply &hash : parts[i].elements()) {
                if (const std::optional<Ticket> ticket = ticketFromReply(hash))
                    tickets.append(*ticket);
                else
                    qCWarning(lcMatchmaking, "dropping a malformed ticket of a group in %s: %s",
                              queue.tag().constData(), qUtf8Printable(hash.toDebugString()));
            }
            if (finishMatch(queue, std::move(tickets), now))
                ++pass->formed;
        }
        if (examined >= m_settings.anchorsPerCall)
            matchQueue(queue, offset + unmatched, pass);
        else
            pass->queueFinished();
    });
}

bool Matchmaker::finishMatch(const QueueKey &queue, QList<Ticket> tickets, qint64 now)
{
    for (const Ticket &ticket : std::as_const(tickets))
        forget(ticket, queue.ref(ticket.id));
    if (tickets.size() != queue.teamSize() * 2) {
        qCWarning(lcMatchmaking, "a group in %s had %lld readable tickets instead of %d; no match formed",
                  queue.tag().constData(), qlonglong(tickets.size()), queue.teamSize() * 2);
        return false;
    }
    Match match;
    match.id = QStringLiteral("m-") + QUuid::createUuid().toString(QUuid::WithoutBraces);
    match.roomType = queue.roomType();
    match.teamSize = queue.teamSize();
    match.formedAtMs = now;
    Histogram &wait = m_waitSeconds.labels({match.roomType});
    for (const Ticket &ticket : std::as_const(tickets))
        wait.observe(double(std::max<qint64>(0, now - ticket.enqueuedAtMs)) / 1000.0);
    match.teams = balancedTeams(std::move(tickets));
    m_matches.labels({match.roomType}).inc();
    qCDebug(lcMatchmaking, "match %s formed in %s", qUtf8Printable(match.id), queue.tag().constData());
    Q_EMIT matchFormed(match);
    return true;
}

// ---- cleanup

void Matchmaker::removeStale(bool dryRun, QObject *context, StoreCallback<QList<Ticket>> cb)
{
    StoreCallback<QList<Ticket>> done = guarded(context, std::move(cb));
    if (m_settings.maxWait.count() <= 0) {
        QMetaObject::invokeMethod(
            this, [done] { done(QList<Ticket>()); }, Qt::QueuedConnection);
        return;
    }
    // Waited longer than maxWait: enqueued strictly before now - maxWait (scores are whole ms).
    const double cutoff = double(nowMs() - m_settings.maxWait.count() - 1);
    m_store.smembers(QueueKey::queuesKey(), this, [this, done, cutoff, dryRun](Result<Keys> tags) {
        if (!tags) {
            done(tags.error());
            return;
        }
        struct Collect
        {
            qsizetype pending = 0;
            QList<QByteArray> refs;
            std::optional<Error> error;
        };
        auto collect = std::make_shared<Collect>();
        QList<QueueKey> queues;
        for (const QByteArray &tag : *tags) {
            if (const std::optional<QueueKey> queue = QueueKey::fromTag(tag))
                queues.append(*queue);
        }
        if (queues.isEmpty()) {
            done(QList<Ticket>());
            return;
        }
        collect->pending = queues.size();
        for (const QueueKey &queue : std::as_const(queues)) {
            m_store.zrangeByScore(queue.queue(), -kInf, cutoff, 0, -1, this,
                                  [this, done, dryRun, collect, queue](Result<QList<StateStore::ScoredMember>> old) {
                if (!old) {
                    collect->error = old.error();
                } else {
                    for (const StateStore::ScoredMember &m : *old)
                        collect->refs.append(queue.ref(QString::fromUtf8(m.member)));
                }
                if (--collect->pending > 0)
                    return;
                if (collect->error) {
                    done(*collect->error);
                    return;
                }
                removeRefs(collect->refs, QString(), dryRun, QStringLiteral("timeout"), done);
            });
        }
    });
}

void Matchmaker::removeInstanceTickets(const QString &instanceId, bool dryRun, QObject *context,
                                       StoreCallback<QList<Ticket>> cb, const QString &reason)
{
    StoreCallback<QList<Ticket>> done = guarded(context, std::move(cb));
    m_store.smembers(QueueKey::instanceTicketsKey(instanceId), this,
                     [this, done, instanceId, dryRun, reason](Result<Keys> refs) {
        if (!refs) {
            done(refs.error());
            return;
        }
        removeRefs(*refs, instanceId, dryRun, reason, done);
    });
}

void Matchmaker::removeRefs(QList<QByteArray> refs, const QString &indexInstance, bool dryRun, const QString &reason,
                            StoreCallback<QList<Ticket>> done)
{
    if (refs.isEmpty()) {
        done(QList<Ticket>());
        return;
    }
    auto sweep = std::make_shared<Sweep>();
    sweep->done = std::move(done);
    sweep->pending = refs.size();
    const QByteArray indexKey = indexInstance.isEmpty() ? QByteArray() : QueueKey::instanceTicketsKey(indexInstance);
    for (const QByteArray &ref : std::as_const(refs)) {
        const std::optional<QueueKey::Ref> parsed = QueueKey::parseRef(ref);
        if (!parsed) {
            qCWarning(lcMatchmaking, "ignoring malformed ticket reference \"%s\"", ref.constData());
            if (!dryRun && !indexKey.isEmpty())
                m_store.srem(indexKey, {ref}, this, {});
            sweep->finishOne();
            continue;
        }
        const QueueKey queue = *QueueKey::fromTag(parsed->tag);
        const QByteArray ticketKey = queue.ticket(parsed->ticketId);
        if (dryRun) {
            m_store.hgetAll(ticketKey, this, [sweep](Result<StateStore::Fields> fields) {
                if (!fields)
                    sweep->error = fields.error();
                else if (const std::optional<Ticket> ticket = Ticket::fromFields(*fields))
                    sweep->tickets.append(*ticket);
                sweep->finishOne();
            });
            continue;
        }
        m_store.run(QByteArray(MatchmakingOperations::RemoveName), {queue.queue(), queue.levels(), ticketKey},
                    {parsed->ticketId.toUtf8()}, this, [this, sweep, ref, indexKey, reason](Result<Reply> removed) {
            if (!removed) {
                sweep->error = removed.error();
                sweep->finishOne();
                return;
            }
            const std::optional<Ticket> ticket = ticketFromReply(*removed);
            if (ticket) {
                forget(*ticket, ref);
                cancellations(ticket->roomType, reason).inc();
                sweep->tickets.append(*ticket);
                qCInfo(lcMatchmaking, "ticket %s of session %s removed (%s)", qUtf8Printable(ticket->id),
                       qUtf8Printable(ticket->sessionId), qUtf8Printable(reason));
                Q_EMIT ticketRemoved(*ticket, reason);
            } else if (!indexKey.isEmpty()) {
                m_store.srem(indexKey, {ref}, this, {}); // matched or cancelled before its index entry went
            }
            sweep->finishOne();
        });
    }
}

} // namespace arena
