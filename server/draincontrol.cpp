#include "server/draincontrol.h"

#include "server/playerservice.h"

#include <QLoggingCategory>

Q_LOGGING_CATEGORY(lcDrain, "arena.server.drain")

namespace arena {

namespace {

const QString Reason = QStringLiteral("draining");

} // namespace

DrainControl::DrainControl(PlayerService &players, QObject *parent) : QObject(parent), m_players(players)
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, &DrainControl::onDeadline);
}

void DrainControl::start(std::optional<std::chrono::milliseconds> deadline, std::function<void(QJsonObject)> done)
{
    const bool changed = !isDraining();
    if (changed) {
        m_since = QDateTime::currentDateTimeUtc();
        m_players.setDraining(true);
    }
    if (deadline) {
        m_deadlineMs = deadline->count();
        m_deadlineAt = QDateTime::currentDateTimeUtc().addMSecs(deadline->count());
        m_deadlinePassed = false;
        m_deadline.start(*deadline);
    }
    const PlayerService::Load load = m_players.load();
    qCInfo(lcDrain).nospace().noquote()
        << (changed ? "draining" : "still draining") << ": " << load.sessions << " sessions, " << load.rooms
        << " rooms, " << load.matches << " matches, " << load.queuedTickets << " queued tickets"
        << (deadline ? QStringLiteral(", deadline in %1 ms").arg(deadline->count()) : QString());
    // Players in a queue are told their ticket is gone before the answer, so it counts what is left.
    m_players.cancelTickets(Reason, [this, changed, done](Result<int> cancelled) {
        QJsonObject out = state();
        out.insert(QStringLiteral("changed"), changed);
        if (cancelled.ok()) {
            out.insert(QStringLiteral("tickets_cancelled"), cancelled.value());
        } else {
            qCWarning(lcDrain) << "could not cancel this instance's queue tickets:" << cancelled.error().message;
            out.insert(QStringLiteral("tickets_cancelled"), QJsonValue());
            out.insert(QStringLiteral("warning"),
                       QStringLiteral("queue tickets could not be cancelled: %1").arg(cancelled.error().message));
        }
        if (done)
            done(out);
    });
}

QJsonObject DrainControl::cancel()
{
    const bool changed = isDraining();
    if (changed) {
        qCInfo(lcDrain) << "drain cancelled after" << m_since.msecsTo(QDateTime::currentDateTimeUtc()) << "ms";
        m_deadline.stop();
        m_since = QDateTime();
        m_deadlineMs.reset();
        m_deadlineAt = QDateTime();
        m_deadlinePassed = false;
        m_players.setDraining(false);
    }
    QJsonObject out = state();
    out.insert(QStringLiteral("changed"), changed);
    return out;
}

QJsonObject DrainControl::remaining() const
{
    const PlayerService::Load load = m_players.load();
    return QJsonObject{{QStringLiteral("sessions"), load.sessions},
                       {QStringLiteral("rooms"), load.rooms},
                       {QStringLiteral("matches"), load.matches},
                       {QStringLiteral("queued_tickets"), load.queuedTickets}};
}

QJsonObject DrainControl::state() const
{
    QJsonObject out{{QStringLiteral("draining"), isDraining()}, {QStringLiteral("remaining"), remaining()}};
    if (!isDraining())
        return out;
    out.insert(QStringLiteral("since"), m_since.toString(Qt::ISODateWithMs));
    out.insert(QStringLiteral("deadline_ms"), m_deadlineMs ? QJsonValue(*m_deadlineMs) : QJsonValue());
    out.insert(QStringLiteral("deadline_at"),
               m_deadlineAt.isValid() ? QJsonValue(m_deadlineAt.toString(Qt::ISODateWithMs)) : QJsonValue());
    out.insert(QStringLiteral("deadline_passed"), m_deadlinePassed);
    return out;
}

void DrainControl::onDeadline()
{
    m_deadlinePassed = true;
    const PlayerService::Load load = m_players.load();
    qCInfo(lcDrain).nospace() << "drain deadline passed: closing " << load.sessions << " sessions and "
                              << load.rooms << " rooms";
    m_players.closeAll(Reason);
}

} // namespace arena
