#include "worker/workermatch.h"

#include "server/workers/workerprotocol.h"
#include "worker/workerlog.h"
#include "shared/protocol/errorcode.h"

#include <QCborArray>
#include <QDateTime>
#include <QJsonDocument>

namespace arena {

namespace wp = workerproto;

WorkerMatch::WorkerMatch(QString id, const RoomTypeInfo &type, quint32 maxClients, std::unique_ptr<Room> logic,
                         std::function<void(const QCborMap &)> emitFrame, std::function<void(qint64)> tickLagUs,
                         QObject *parent)
    : QObject(parent), m_id(std::move(id)), m_type(type), m_maxClients(maxClients), m_logic(std::move(logic)),
      m_emit(std::move(emitFrame)), m_tickLagUs(std::move(tickLagUs)),
      m_timers(this, [this](const QString &name) {
          if (m_disposed)
              return;
          m_logic->onTimer(*this, name);
          publishSnapshot();
      })
{
}

WorkerMatch::~WorkerMatch()
{
    stopEverything();
}

QCborMap WorkerMatch::frame(QLatin1StringView type) const
{
    QCborMap map;
    map[wp::Type] = type;
    map[wp::Match] = m_id;
    return map;
}

Result<void> WorkerMatch::create(const QJsonObject &options)
{
    if (auto created = m_logic->onCreate(*this, options); !created.ok())
        return created;
    publishSnapshot();
    startTicking();
    return {};
}

Result<void> WorkerMatch::restore(const QList<RoomMember> &members, const protocol::RawJson &snapshot)
{
    m_members = members;
    if (auto restored = m_logic->restore(*this, snapshot); !restored.ok())
        return restored;
    publishSnapshot();
    startTicking();
    return {};
}

Result<void> WorkerMatch::join(const RoomMember &member)
{
    if (m_disposed)
        return protocol::toError(protocol::ErrorCode::NotFound, QStringLiteral("the match is over"));
    if (auto accepted = m_logic->onJoin(*this, member); !accepted.ok()) {
        publishSnapshot();
        return accepted;
    }
    m_members.append(member);
    m_logic->onJoined(*this, member);
    publishSnapshot();
    return {};
}

void WorkerMatch::leave(const RoomMember &member, const QString &reason)
{
    if (m_disposed || !m_members.removeOne(member))
        return;
    m_logic->onLeave(*this, member, reason);
    publishSnapshot();
}

Result<void> WorkerMatch::message(const RoomMember &from, const protocol::RawJson &data)
{
    if (m_disposed)
        return protocol::toError(protocol::ErrorCode::NotFound, QStringLiteral("the match is over"));
    auto handled = m_logic->onMessage(*this, from, data);
    publishSnapshot();
    return handled;
}

void WorkerMatch::close()
{
    if (m_disposed)
        return;
    m_disposed = true;
    stopEverything();
    m_emit = [](const QCborMap &) {}; // the server has forgotten the match
    m_logic->onDispose(*this);
}

protocol::RawJson WorkerMatch::detach()
{
    const protocol::RawJson snapshot = m_logic->snapshot();
    m_disposed = true;
    stopEverything();
    m_emit = [](const QCborMap &) {};
    return snapshot;
}

void WorkerMatch::stopEverything()
{
    // Stopped, not deleted: this may run inside a timer's own timeout (the logic disposing of the match
    // from onTimer or onTick); they go with this object.
    m_timers.stopAll();
    if (m_tick)
        m_tick->stop();
    m_ticking = false;
}

void WorkerMatch::publishSnapshot()
{
    if (m_disposed)
        return;
    const protocol::RawJson snapshot = m_logic->snapshot();
    if (snapshot.json() == m_lastSnapshot)
        return;
    m_lastSnapshot = snapshot.json();
    QCborMap map = frame(wp::type::Snap);
    map[wp::Data] = m_lastSnapshot;
    m_emit(map);
}

void WorkerMatch::startTicking()
{
    const auto interval = m_logic->tickInterval();
    if (interval.count() <= 0 || m_disposed)
        return;
    m_tick = new QTimer(this);
    m_ticking = true;
    m_tick->setTimerType(Qt::PreciseTimer);
    m_clock.start();
    m_nextTickNs = qint64(interval.count()) * 1000000;
    // Single shots rescheduled against the ideal schedule, so one late tick does not shift every later
    // one, and the lateness of each is what the worker reports.
    m_tick->setSingleShot(true);
    connect(m_tick, &QTimer::timeout, this, &WorkerMatch::tick);
    m_tick->start(interval);
}

void WorkerMatch::tick()
{
    const qint64 intervalNs = qint64(m_logic->tickInterval().count()) * 1000000;
    const qint64 now = m_clock.nsecsElapsed();
    m_tickLagUs(qMax<qint64>(0, (now - m_nextTickNs) / 1000));
    m_logic->onTick(*this);
    if (m_disposed || !m_ticking)
        return;
    publishSnapshot();
    m_nextTickNs += intervalNs;
    if (m_nextTickNs <= now) // more than a whole interval late: skip the missed ticks
        m_nextTickNs = now + intervalNs;
    // Rounded down: a tick at most a millisecond early (counted as on time) rather than late on every tick.
    m_tick->start(int((m_nextTickNs - now) / 1000000));
}

void WorkerMatch::broadcast(const protocol::RawJson &data, const QString &from)
{
    if (m_disposed)
        return;
    QCborMap map = frame(wp::type::Broadcast);
    map[wp::Data] = data.json();
    if (!from.isEmpty())
        map[wp::From] = from;
    m_emit(map);
}

void WorkerMatch::send(const QString &sessionId, const protocol::RawJson &data)
{
    if (m_disposed)
        return;
    QCborMap map = frame(wp::type::Send);
    map[wp::Session] = sessionId;
    map[wp::Data] = data.json();
    m_emit(map);
}

void WorkerMatch::setState(const protocol::RawJson &state)
{
    if (m_disposed)
        return;
    QCborMap map = frame(wp::type::State);
    map[wp::Data] = state.json();
    m_emit(map);
}

void WorkerMatch::setMetadata(const QJsonObject &metadata)
{
    if (m_disposed)
        return;
    QCborMap map = frame(wp::type::Meta);
    map[wp::Data] = QJsonDocument(metadata).toJson(QJsonDocument::Compact);
    m_emit(map);
}

void WorkerMatch::setLocked(bool locked)
{
    if (m_disposed)
        return;
    QCborMap map = frame(wp::type::Lock);
    map[wp::Value] = locked;
    m_emit(map);
}

void WorkerMatch::startTimer(const QString &name, std::chrono::milliseconds delay)
{
    if (m_disposed)
        return;
    m_timers.start(name, delay);
}

void WorkerMatch::cancelTimer(const QString &name)
{
    m_timers.cancel(name);
}

void WorkerMatch::dispose(const QString &reason)
{
    if (m_disposed)
        return;
    QCborMap map = frame(wp::type::Dispose);
    map[wp::Reason] = reason;
    m_emit(map);
    // The server answers with close, which runs onDispose; until then the match stays quiet.
    stopEverything();
}

qint64 WorkerMatch::nowMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

} // namespace arena
