// RoomTimers: the named single-shot timers of one room (RoomContext::startTimer / cancelTimer), for the
// contexts that host room logic — in the server (LiveRoom) and in a worker (WorkerMatch).
#pragma once

#include <QHash>
#include <QString>

#include <chrono>
#include <functional>

class QObject;
class QTimer;

namespace arena {

class RoomTimers final
{
    Q_DISABLE_COPY_MOVE(RoomTimers)

public:
    // Timers are children of `owner` and go with it; `fire` runs with the timer's name when one runs out.
    RoomTimers(QObject *owner, std::function<void(const QString &name)> fire);

    // Starting a running timer restarts it.
    void start(const QString &name, std::chrono::milliseconds delay);
    void cancel(const QString &name);
    // Stops every timer (none fires afterwards). They are not deleted: this may run inside a timer's own
    // timeout (room logic disposing of its room from onTimer).
    void stopAll();

private:
    QObject *m_owner;
    std::function<void(const QString &)> m_fire;
    QHash<QString, QTimer *> m_timers;
};

} // namespace arena
