#include "console/core/eventdetector.h"

#include "console/core/format.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonValue>
#include <QSet>
#include <QStringList>

#include <algorithm>

namespace arena::console {

namespace {

using InstanceState = protocol::InstanceState;

std::optional<double> number(const QJsonObject &object, QLatin1StringView key)
{
    const QJsonValue v = object.value(key);
    return v.isDouble() ? std::optional<double>(v.toDouble()) : std::nullopt;
}

QString plural(qint64 n, const QString &one, const QString &many)
{
    return QStringLiteral("%1 %2").arg(n).arg(n == 1 ? one : many);
}

QString errorText(const std::optional<protocol::ErrorInfo> &error)
{
    if (!error)
        return QStringLiteral("unknown error");
    const QString code = QString(protocol::errorCodeName(error->code));
    return error->message.isEmpty() ? code : QStringLiteral("%1: %2").arg(code, error->message);
}

// The params value as text: a string as is, a number without a trailing ".0".
QString paramText(const QJsonObject &params, QLatin1StringView key)
{
    const QJsonValue v = params.value(key);
    if (v.isString())
        return v.toString();
    if (v.isDouble())
        return QString::number(v.toDouble(), 'g', 15);
    return QStringLiteral("?");
}

} // namespace

QString describeCleanupCounts(const QJsonObject &result)
{
    const QJsonObject counts = result.value(QLatin1StringView("counts")).toObject();
    if (counts.isEmpty()) {
        if (const auto total = number(result, QLatin1StringView("total")))
            return QStringLiteral("%1 removed").arg(plural(qint64(*total), QStringLiteral("item"), QStringLiteral("items")));
        return QStringLiteral("nothing reported");
    }
    // The server's kinds in the order it runs them, then any others alphabetically.
    QStringList order{QStringLiteral("sessions"), QStringLiteral("rooms"), QStringLiteral("instances"),
                      QStringLiteral("tickets"), QStringLiteral("states")};
    QStringList keys = counts.keys();
    keys.sort();
    for (const QString &k : std::as_const(keys)) {
        if (!order.contains(k))
            order.append(k);
    }
    QStringList parts;
    for (const QString &kind : std::as_const(order)) {
        if (!counts.contains(kind))
            continue;
        const qint64 n = qint64(counts.value(kind).toDouble());
        const QString one = kind.endsWith(QLatin1Char('s')) ? kind.chopped(1) : kind;
        parts.append(plural(n, one, kind));
    }
    QString text = parts.join(QStringLiteral(", ")) + QStringLiteral(" removed");
    const QJsonObject errors = result.value(QLatin1StringView("errors")).toObject();
    for (auto it = errors.constBegin(); it != errors.constEnd(); ++it)
        text += QStringLiteral("; %1 failed: %2").arg(it.key(), it.value().toString());
    return text;
}

QString describeAuditEntry(const protocol::AuditEntry &entry)
{
    const QString actor = entry.actor.isEmpty() ? QStringLiteral("someone") : entry.actor;
    const QString dry = entry.dryRun ? QStringLiteral(" (dry run)") : QString();
    const QJsonObject params = entry.params.toJsonObject();
    const QJsonObject result = entry.result.toJsonObject();

    if (entry.kind == protocol::ActionKind::Cleanup) {
        const QString where = entry.target.value_or(QStringLiteral("fleet"));
        const QString head = QStringLiteral("cleanup by %1 on %2").arg(actor, where);
        if (!entry.ok && !result.contains(QLatin1StringView("instances")))
            return QStringLiteral("%1 failed: %2%3").arg(head, errorText(entry.error), dry);
        const QJsonValue perInstance = result.value(QLatin1StringView("instances"));
        if (perInstance.isObject()) { // a fleet cleanup in one entry: {"instances": {id: result or error}}
            QStringList parts;
            const QJsonObject instances = perInstance.toObject();
            for (auto it = instances.constBegin(); it != instances.constEnd(); ++it) {
                const QJsonObject r = it.value().toObject();
                const QJsonValue error = r.value(QLatin1StringView("error"));
                if (error.isObject() || error.isString()) {
                    const QString message = error.isString() ? error.toString()
                                                             : error.toObject().value(QLatin1StringView("message")).toString();
                    parts.append(QStringLiteral("%1 failed: %2").arg(it.key(), message));
                } else {
                    parts.append(QStringLiteral("%1: %2").arg(it.key(), describeCleanupCounts(r)));
                }
            }
            return QStringLiteral("%1: %2%3").arg(head, parts.join(QStringLiteral("; ")), dry);
        }
        return QStringLiteral("%1: %2%3").arg(head, describeCleanupCounts(result), dry);
    }

    const QString where = entry.target.value_or(QStringLiteral("its agent's instance"));
    QString done;
    QString attempted;
    switch (entry.kind) {
    case protocol::ActionKind::ScaleWorkers: {
        const QString n = paramText(params, QLatin1StringView("workers"));
        done = QStringLiteral("scaled workers on %1 to %2").arg(where, n);
        attempted = QStringLiteral("scale workers on %1 to %2").arg(where, n);
        break;
    }
    case protocol::ActionKind::RestartWorker: {
        const QString w = paramText(params, QLatin1StringView("worker"));
        done = QStringLiteral("restarted worker %1 on %2").arg(w, where);
        attempted = QStringLiteral("restart worker %1 on %2").arg(w, where);
        break;
    }
    case protocol::ActionKind::DrainWorker: {
        const QString w = paramText(params, QLatin1StringView("worker"));
        QString deadline;
        if (params.contains(QLatin1StringView("deadline_ms")))
            deadline = QStringLiteral(" (deadline %1 ms)").arg(paramText(params, QLatin1StringView("deadline_ms")));
        done = QStringLiteral("drained worker %1 on %2%3").arg(w, where, deadline);
        attempted = QStringLiteral("drain worker %1 on %2%3").arg(w, where, deadline);
        break;
    }
    case protocol::ActionKind::DrainInstance:
        if (params.value(QLatin1StringView("cancel")).toBool()) {
            done = QStringLiteral("cancelled draining %1").arg(where);
            attempted = QStringLiteral("cancel draining %1").arg(where);
        } else {
            done = QStringLiteral("drained %1").arg(where);
            attempted = QStringLiteral("drain %1").arg(where);
        }
        break;
    case protocol::ActionKind::DisposeRoom: {
        const QString room = paramText(params, QLatin1StringView("room_id"));
        done = QStringLiteral("disposed of room %1 on %2").arg(room, where);
        attempted = QStringLiteral("dispose of room %1 on %2").arg(room, where);
        break;
    }
    case protocol::ActionKind::Cleanup:
        break;
    }
    if (!entry.ok)
        return QStringLiteral("%1 could not %2: %3%4").arg(actor, attempted, errorText(entry.error), dry);
    return QStringLiteral("%1 %2%3").arg(actor, done, dry);
}

EventDetector::EventDetector(QObject *parent) : QObject(parent), m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
}

EventDetector::~EventDetector() = default;

void EventDetector::setClock(Clock clock)
{
    m_clock = std::move(clock);
}

void EventDetector::reset()
{
    m_seenFleet = false;
    m_instances.clear();
}

void EventDetector::emitEvent(qint64 time, Event::Kind kind, Event::Severity severity, const QString &instance,
                              const QString &text)
{
    Q_EMIT event(Event{time, kind, severity, instance, text});
}

void EventDetector::onFleet(const protocol::Fleet &fleet)
{
    const qint64 time = fleet.time > 0 ? qint64(fleet.time) : m_clock();
    const bool first = !m_seenFleet;
    m_seenFleet = true;
    QSet<QString> listed;
    for (const protocol::InstanceSummary &s : fleet.instances) {
        if (s.id.isEmpty() || listed.contains(s.id))
            continue;
        listed.insert(s.id);
        Tracked &st = m_instances[s.id];
        const bool down = s.state == InstanceState::Down;
        if (!st.inFleet) {
            st.inFleet = true;
            st.state = s.state;
            st.downSince = down ? time : 0;
            if (first) {
                if (down)
                    emitEvent(time, Event::Kind::Instance, Event::Severity::Error, s.id, tr("%1 is down").arg(s.id));
            } else if (down) {
                emitEvent(time, Event::Kind::Instance, Event::Severity::Error, s.id, tr("%1 joined the fleet, down").arg(s.id));
            } else {
                emitEvent(time, Event::Kind::Instance, Event::Severity::Info, s.id,
                          s.state == InstanceState::Draining ? tr("%1 joined the fleet, draining").arg(s.id)
                                                             : tr("%1 joined the fleet").arg(s.id));
            }
            continue;
        }
        if (s.state == st.state)
            continue;
        const InstanceState previous = st.state;
        st.state = s.state;
        if (down) {
            st.downSince = time;
            emitEvent(time, Event::Kind::Instance, Event::Severity::Error, s.id, tr("%1 is down").arg(s.id));
        } else if (previous == InstanceState::Down) {
            const QString after = st.downSince > 0 ? tr(" after %1").arg(format::duration(time - st.downSince)) : QString();
            st.downSince = 0;
            emitEvent(time, Event::Kind::Instance, Event::Severity::Info, s.id,
                      s.state == InstanceState::Draining ? tr("%1 is back up%2, draining").arg(s.id, after)
                                                         : tr("%1 is back up%2").arg(s.id, after));
        } else if (s.state == InstanceState::Draining) {
            emitEvent(time, Event::Kind::Instance, Event::Severity::Warning, s.id, tr("%1 started draining").arg(s.id));
        } else {
            emitEvent(time, Event::Kind::Instance, Event::Severity::Info, s.id, tr("%1 stopped draining").arg(s.id));
        }
    }
    // Forget whoever the fleet no longer lists (also instances only snapshots mentioned), so the map
    // stays as large as the fleet.
    for (auto it = m_instances.begin(); it != m_instances.end();) {
        if (listed.contains(it.key())) {
            ++it;
            continue;
        }
        if (it->inFleet)
            emitEvent(time, Event::Kind::Instance, Event::Severity::Warning, it.key(),
                      tr("%1 left the fleet (no snapshot for 10 minutes)").arg(it.key()));
        it = m_instances.erase(it);
    }
}

void EventDetector::onSnapshot(const protocol::Snapshot &snapshot)
{
    const QString &id = snapshot.instance;
    if (id.isEmpty())
        return;
    const qint64 time = qint64(snapshot.time);
    Tracked &st = m_instances[id];
    if (st.seenSnapshot && time < st.snapshotTime)
        return; // older than what was learnt already
    const bool learnt = st.seenSnapshot;
    st.seenSnapshot = true;
    st.snapshotTime = time;

    const QJsonObject figures = snapshot.figures.toJsonObject();
    const QJsonObject workers = figures.value(QLatin1StringView("workers")).toObject();
    const QJsonObject totals = workers.value(QLatin1StringView("totals")).toObject();
    const auto deaths = number(totals, QLatin1StringView("deaths"));
    const auto restored = number(totals, QLatin1StringView("matches_restored"));
    const auto lost = number(totals, QLatin1StringView("matches_lost"));
    const auto count = number(totals, QLatin1StringView("total_workers"));

    // Which workers were replaced: their restart count went up.
    QHash<QString, double> restarts;
    QStringList restartedIds;
    const QJsonValue list = workers.value(QLatin1StringView("list"));
    for (const QJsonValue &v : list.toArray()) {
        const QJsonObject w = v.toObject();
        const QString wid = w.value(QLatin1StringView("id")).toString();
        const auto r = number(w, QLatin1StringView("restarts"));
        if (wid.isEmpty() || !r)
            continue;
        restarts.insert(wid, *r);
        if (const auto prev = st.workerRestarts.constFind(wid); prev != st.workerRestarts.constEnd() && *r > *prev)
            restartedIds.append(wid);
    }

    if (deaths) {
        if (learnt && st.deaths && *deaths > *st.deaths) {
            const qint64 died = qint64(*deaths - *st.deaths);
            const qint64 restoredDelta = restored && st.matchesRestored ? qint64(*restored - *st.matchesRestored) : -1;
            const qint64 lostDelta = lost && st.matchesLost ? qint64(*lost - *st.matchesLost) : 0;
            QString text;
            restartedIds.sort();
            if (died == 1)
                text = restartedIds.size() == 1 ? tr("worker %1 died on %2").arg(restartedIds.first(), id) : tr("worker died on %1").arg(id);
            else if (restartedIds.size() == died)
                text = tr("%1 workers died on %2 (%3)").arg(died).arg(id, restartedIds.join(QStringLiteral(", ")));
            else
                text = tr("%1 workers died on %2").arg(died).arg(id);
            if (restoredDelta >= 0)
                text += QStringLiteral(", ") + plural(restoredDelta, QStringLiteral("match"), QStringLiteral("matches")) + tr(" restored");
            if (lostDelta > 0)
                text += QStringLiteral(", ") + plural(lostDelta, QStringLiteral("match"), QStringLiteral("matches")) + tr(" lost");
            // Lost matches are players thrown out of a game: worse than a restart they did not notice.
            emitEvent(time, Event::Kind::Worker, lostDelta > 0 ? Event::Severity::Error : Event::Severity::Warning, id, text);
        }
        // A lower count is a restarted server: the new baseline, silently.
        st.deaths = deaths;
        st.matchesRestored = restored;
        st.matchesLost = lost;
    }
    if (count) {
        if (learnt && st.workers && *count != *st.workers)
            emitEvent(time, Event::Kind::Worker, Event::Severity::Info, id,
                      tr("workers on %1: %2 → %3").arg(id).arg(qint64(*st.workers)).arg(qint64(*count)));
        st.workers = count;
    }
    if (list.isArray())
        st.workerRestarts = restarts;

    const QJsonValue redisValue = figures.value(QLatin1StringView("redis"));
    const QJsonValue reachable = redisValue.toObject().value(QLatin1StringView("reachable"));
    if (reachable.isBool()) {
        const bool now = reachable.toBool();
        if (learnt && st.redisReachable && *st.redisReachable != now) {
            if (now) {
                emitEvent(time, Event::Kind::Instance, Event::Severity::Info, id, tr("Redis reachable again from %1").arg(id));
            } else {
                const QString error = redisValue.toObject().value(QLatin1StringView("error")).toString();
                emitEvent(time, Event::Kind::Instance, Event::Severity::Error, id,
                          error.isEmpty() ? tr("Redis unreachable from %1").arg(id)
                                          : tr("Redis unreachable from %1: %2").arg(id, error));
            }
        }
        st.redisReachable = now;
    }
}

void EventDetector::onAuditEntry(const protocol::AuditEntry &entry)
{
    const bool cleanup = entry.kind == protocol::ActionKind::Cleanup;
    Event::Severity severity = entry.ok ? Event::Severity::Info : Event::Severity::Error;
    if (entry.ok && cleanup) {
        const QJsonObject result = entry.result.toJsonObject();
        if (result.contains(QLatin1StringView("errors")) || result.value(QLatin1StringView("failed")).toDouble() > 0)
            severity = Event::Severity::Warning;
    }
    emitEvent(entry.time > 0 ? qint64(entry.time) : m_clock(), cleanup ? Event::Kind::Cleanup : Event::Kind::Action,
              severity, entry.target.value_or(QString()), describeAuditEntry(entry));
}

void EventDetector::onConnectionState(const QString &text, Event::Severity severity)
{
    emitEvent(m_clock(), Event::Kind::Connection, severity, QString(), text);
}

} // namespace arena::console
