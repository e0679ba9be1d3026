#include "server/hosting/liveroom.h"

#include "server/hosting/roommanager.h"
#include "shared/protocol/codec.h"

#include <QDateTime>

namespace arena {

LiveRoom::LiveRoom(RoomManager &manager, const RoomTypeInfo &type, QString id, std::unique_ptr<Room> logic,
                   quint32 maxClients, bool isPrivate, QJsonObject metadata, QObject *parent)
    : QObject(parent), m_manager(manager), m_type(type), m_id(std::move(id)), m_logic(std::move(logic)),
      m_maxClients(maxClients), m_private(isPrivate), m_metadata(std::move(metadata)),
      m_createdAt(QDateTime::currentMSecsSinceEpoch()), m_emptySince(m_createdAt),
      m_timers(this, [this](const QString &name) {
          if (!m_disposed)
              m_logic->onTimer(*this, name);
      })
{
}

LiveRoom::~LiveRoom() = default;

void LiveRoom::broadcast(const protocol::RawJson &data, const QString &from)
{
    if (m_disposed)
        return;
    protocol::RoomEvent event;
    event.roomId = m_id;
    if (!from.isEmpty())
        event.from = from;
    event.seq = ++m_seq;
    event.data = data;
    // Encoded once, whatever the number of members.
    sendToMembers(protocol::encode(event));
}

void LiveRoom::send(const QString &sessionId, const protocol::RawJson &data)
{
    if (m_disposed || !hasMember(sessionId))
        return;
    protocol::RoomEvent event;
    event.roomId = m_id;
    // Advances the sequence like any other event, so `seq > joined.seq` holds for it too; the other
    // members see a gap where an event was addressed to someone else.
    event.seq = ++m_seq;
    event.data = data;
    m_manager.deliver(sessionId, protocol::encode(event));
    m_manager.countEvent(1);
}

void LiveRoom::setState(const protocol::RawJson &state)
{
    if (m_disposed)
        return;
    m_state = state;
    m_hasState = true;
    protocol::RoomState message;
    message.roomId = m_id;
    message.seq = ++m_seq;
    message.state = state;
    sendToMembers(protocol::encode(message));
    m_manager.stateChanged(*this);
}

void LiveRoom::setMetadata(const QJsonObject &metadata)
{
    m_metadata = metadata;
    m_manager.roomChanged(*this);
}

void LiveRoom::setLocked(bool locked)
{
    if (m_locked == locked)
        return;
    m_locked = locked;
    m_manager.roomChanged(*this);
}

QList<protocol::RoomInfo> LiveRoom::listedRooms() const
{
    return m_manager.listed(std::nullopt, {});
}

void LiveRoom::startTimer(const QString &name, std::chrono::milliseconds delay)
{
    if (m_disposed)
        return;
    m_timers.start(name, delay);
}

void LiveRoom::cancelTimer(const QString &name)
{
    m_timers.cancel(name);
}

void LiveRoom::dispose(const QString &reason)
{
    if (m_disposed)
        return;
    m_manager.dispose(m_id, reason);
}

qint64 LiveRoom::nowMs() const
{
    return QDateTime::currentMSecsSinceEpoch();
}

bool LiveRoom::hasMember(const QString &sessionId) const
{
    for (const RoomMember &m : m_members) {
        if (m.sessionId == sessionId)
            return true;
    }
    return false;
}

protocol::RoomInfo LiveRoom::info() const
{
    protocol::RoomInfo info;
    info.roomId = m_id;
    info.roomType = m_type.name;
    info.clients = quint32(m_members.size());
    info.maxClients = m_maxClients;
    info.locked = m_locked;
    info.metadata = protocol::RawJson::fromJsonObject(m_metadata);
    return info;
}

protocol::RawJson LiveRoom::currentState() const
{
    protocol::RawJson own = m_logic->state();
    if (!own.isNull() || !m_hasState)
        return own;
    return m_state;
}

void LiveRoom::takeOver(qint64 createdAt, bool locked, const protocol::RawJson &state)
{
    if (createdAt > 0)
        m_createdAt = createdAt;
    m_locked = locked;
    if (!state.isNull()) {
        m_state = state;
        m_hasState = true;
    }
}

void LiveRoom::addMember(const RoomMember &member)
{
    m_members.append(member);
    m_reservations.remove(member.sessionId);
    m_emptySince = 0;
}

bool LiveRoom::removeMember(const QString &sessionId)
{
    for (qsizetype i = 0; i < m_members.size(); ++i) {
        if (m_members[i].sessionId == sessionId) {
            m_members.removeAt(i);
            if (m_members.isEmpty())
                m_emptySince = nowMs();
            return true;
        }
    }
    return false;
}

void LiveRoom::sendToMembers(const QByteArray &encoded, const QString &except) const
{
    qsizetype n = 0;
    for (const RoomMember &m : m_members) {
        if (m.sessionId == except)
            continue;
        m_manager.deliver(m.sessionId, encoded);
        ++n;
    }
    m_manager.countEvent(n);
}

void LiveRoom::startTicking()
{
    const auto interval = m_logic->tickInterval();
    if (interval.count() <= 0)
        return;
    m_tick = new QTimer(this);
    connect(m_tick, &QTimer::timeout, this, [this] {
        if (!m_disposed)
            m_logic->onTick(*this);
    });
    m_tick->start(interval);
}

} // namespace arena

namespace arena {

void LiveRoom::markDisposed()
{
    m_disposed = true;
    m_timers.stopAll();
    if (m_tick)
        m_tick->stop();
}

} // namespace arena
