#include "server/rooms/roomtimers.h"

#include <QTimer>

namespace arena {

RoomTimers::RoomTimers(QObject *owner, std::function<void(const QString &name)> fire)
    : m_owner(owner), m_fire(std::move(fire))
{
}

void RoomTimers::start(const QString &name, std::chrono::milliseconds delay)
{
    QTimer *&timer = m_timers[name];
    if (!timer) {
        timer = new QTimer(m_owner);
        timer->setSingleShot(true);
        QObject::connect(timer, &QTimer::timeout, m_owner, [this, name] { m_fire(name); });
    }
    timer->start(delay);
}

void RoomTimers::cancel(const QString &name)
{
    if (QTimer *timer = m_timers.value(name))
        timer->stop();
}

void RoomTimers::stopAll()
{
    for (QTimer *timer : std::as_const(m_timers))
        timer->stop();
}

} // namespace arena
