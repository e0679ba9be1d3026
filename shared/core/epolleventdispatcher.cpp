#include "shared/core/epolleventdispatcher.h"

#include <QCoreApplication>
#include <QSocketNotifier>
#include <QTimerEvent>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

namespace arena {

namespace {

// poll()'s readiness as Qt's own dispatcher maps it to notifier types.
constexpr quint32 kReadReady = EPOLLIN | EPOLLHUP | EPOLLERR;
constexpr quint32 kWriteReady = EPOLLOUT | EPOLLERR;
constexpr quint32 kExceptionReady = EPOLLPRI;
constexpr int kMaxEventsPerWait = 256;

void closeFd(int &fd)
{
    if (fd >= 0)
        ::close(fd);
    fd = -1;
}

bool addToEpoll(int epoll, int fd, quint32 events)
{
    epoll_event event{};
    event.events = events;
    event.data.fd = fd;
    return ::epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event) == 0;
}

} // namespace

EpollEventDispatcher::EpollEventDispatcher(QObject *parent) : QAbstractEventDispatcher(parent)
{
    m_epoll = ::epoll_create1(EPOLL_CLOEXEC);
    m_wakeOnlyEpoll = ::epoll_create1(EPOLL_CLOEXEC);
    m_wakeFd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (!isValid() || !addToEpoll(m_epoll, m_wakeFd, EPOLLIN) || !addToEpoll(m_wakeOnlyEpoll, m_wakeFd, EPOLLIN)) {
        qWarning("EpollEventDispatcher: cannot create epoll or eventfd descriptors: %s", std::strerror(errno));
        closeFd(m_epoll);
        closeFd(m_wakeOnlyEpoll);
        closeFd(m_wakeFd);
    }
}

bool EpollEventDispatcher::installForMainThread()
{
    if (qgetenv("ARENA_EVENT_LOOP") == "qt")
        return false;
    auto *dispatcher = new EpollEventDispatcher;
    if (!dispatcher->isValid()) {
        delete dispatcher; // it has said why
        return false;
    }
    QCoreApplication::setEventDispatcher(dispatcher);
    return true;
}

EpollEventDispatcher::~EpollEventDispatcher()
{
    closeFd(m_epoll);
    closeFd(m_wakeOnlyEpoll);
    closeFd(m_wakeFd);
}

QSocketNotifier *&EpollEventDispatcher::slotFor(Watch &watch, int type)
{
    switch (type) {
    case QSocketNotifier::Read:
        return watch.read;
    case QSocketNotifier::Write:
        return watch.write;
    default:
        return watch.exception;
    }
}

void EpollEventDispatcher::registerSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    if (fd < 0 || !isValid())
        return;
    Watch &watch = m_watches[fd];
    QSocketNotifier *&slot = slotFor(watch, notifier->type());
    if (slot && slot != notifier)
        qWarning("EpollEventDispatcher: a second socket notifier of the same type for socket %d replaces the first", fd);
    slot = notifier;
    markDirty(fd, watch);
}

void EpollEventDispatcher::unregisterSocketNotifier(QSocketNotifier *notifier)
{
    const int fd = int(notifier->socket());
    const auto it = m_watches.find(fd);
    if (it == m_watches.end())
        return;
    Watch &watch = it->second;
    QSocketNotifier *&slot = slotFor(watch, notifier->type());
    if (slot != notifier)
        return;
    slot = nullptr;
    if (!watch.read && !watch.write && !watch.exception)
        watch.wentEmpty = true;
    markDirty(fd, watch);
}

void EpollEventDispatcher::markDirty(int fd, Watch &watch)
{
    if (watch.dirty)
        return;
    watch.dirty = true;
    m_dirty.push_back(fd);
}

void EpollEventDispatcher::syncWatches()
{
    for (const int fd : m_dirty) {
        const auto it = m_watches.find(fd);
        if (it != m_watches.end() && it->second.dirty)
            syncWatch(fd, it->second); // may erase it
    }
    m_dirty.clear();
}

// Brings the epoll set in line with the notifiers registered for `fd`; forgets the fd once it has none.
void EpollEventDispatcher::syncWatch(int fd, Watch &watch)
{
    watch.dirty = false;
    const quint32 wanted = (watch.read ? quint32(EPOLLIN) : 0u) | (watch.write ? quint32(EPOLLOUT) : 0u)
                           | (watch.exception ? quint32(EPOLLPRI) : 0u);
    epoll_event event{};
    event.data.fd = fd;
    if (watch.wentEmpty) {
        // Every notifier went away, so the descriptor may have been closed and this number reused for
        // another file, which the epoll set does not know yet: start over.
        watch.wentEmpty = false;
        if (watch.alwaysReady) {
            watch.alwaysReady = false;
            --m_alwaysReadyCount;
        } else if (watch.kernelEvents != 0) {
            ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, &event); // ENOENT/EBADF: closed, so already gone
            watch.kernelEvents = 0;
        }
    }
    if (wanted == 0) {
        if (watch.alwaysReady)
            --m_alwaysReadyCount;
        else if (watch.kernelEvents != 0)
            ::epoll_ctl(m_epoll, EPOLL_CTL_DEL, fd, &event);
        m_watches.erase(fd);
        return;
    }
    if (watch.alwaysReady || wanted == watch.kernelEvents)
        return;
    event.events = wanted;
    int op = watch.kernelEvents == 0 ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    if (::epoll_ctl(m_epoll, op, fd, &event) != 0) {
        // ADD of a number the set still holds, or MOD of one it dropped on close: the other operation.
        if (errno == EEXIST || errno == ENOENT) {
            op = op == EPOLL_CTL_ADD ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
            if (::epoll_ctl(m_epoll, op, fd, &event) == 0) {
                watch.kernelEvents = wanted;
                return;
            }
        }
        if (errno == EPERM) {
            // Regular files and some character devices: poll() reports them ready all the time; so do we.
            watch.alwaysReady = true;
            ++m_alwaysReadyCount;
            watch.kernelEvents = 0;
            return;
        }
        qWarning("EpollEventDispatcher: cannot watch socket %d: %s", fd, std::strerror(errno));
        return;
    }
    watch.kernelEvents = wanted;
}

void EpollEventDispatcher::registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object)
{
    if (timerId < 1 || interval < 0 || !object)
        return;
    const auto existing = m_timers.find(timerId);
    if (existing != m_timers.end())
        eraseTimer(existing);
    Timer &timer = m_timers[timerId];
    timer.intervalMs = interval;
    timer.type = timerType;
    timer.object = object;
    m_timersByObject.emplace(object, timerId);
    timer.deadline = Clock::time_point::max(); // not queued yet
    scheduleTimer(timerId, timer, Clock::now() + std::chrono::milliseconds(interval));
}

void EpollEventDispatcher::scheduleTimer(int timerId, Timer &timer, Clock::time_point deadline)
{
    if (timer.deadline != Clock::time_point::max())
        m_timerQueue.erase({timer.deadline, timerId});
    timer.deadline = deadline;
    m_timerQueue.emplace(deadline, timerId);
}

void EpollEventDispatcher::eraseTimer(std::unordered_map<int, Timer>::iterator it)
{
    const int timerId = it->first;
    Timer &timer = it->second;
    m_timerQueue.erase({timer.deadline, timerId});
    auto [first, last] = m_timersByObject.equal_range(timer.object);
    for (auto byObject = first; byObject != last; ++byObject) {
        if (byObject->second == timerId) {
            m_timersByObject.erase(byObject);
            break;
        }
    }
    m_timers.erase(it);
}

bool EpollEventDispatcher::unregisterTimer(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return false;
    eraseTimer(it);
    return true;
}

bool EpollEventDispatcher::unregisterTimers(QObject *object)
{
    auto [first, last] = m_timersByObject.equal_range(object);
    if (first == last)
        return false;
    std::vector<int> ids;
    for (auto it = first; it != last; ++it)
        ids.push_back(it->second);
    for (const int id : ids)
        unregisterTimer(id);
    return true;
}

QList<QAbstractEventDispatcher::TimerInfo> EpollEventDispatcher::registeredTimers(QObject *object) const
{
    QList<TimerInfo> timers;
    auto [first, last] = m_timersByObject.equal_range(object);
    for (auto it = first; it != last; ++it) {
        const Timer &timer = m_timers.at(it->second);
        timers.append(TimerInfo(it->second, int(timer.intervalMs), timer.type));
    }
    return timers;
}

int EpollEventDispatcher::remainingTime(int timerId)
{
    const auto it = m_timers.find(timerId);
    if (it == m_timers.end())
        return -1;
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(it->second.deadline - Clock::now());
    return int(std::max<qint64>(0, left.count()));
}

void EpollEventDispatcher::wakeUp()
{
    // Any thread may call this; one pending write to the eventfd is enough until the loop reads it.
    if (!isValid() || !m_wakeupPending.testAndSetAcquire(0, 1))
        return;
    eventfd_t one = 1;
    while (::eventfd_write(m_wakeFd, one) != 0 && errno == EINTR) {
    }
}

void EpollEventDispatcher::interrupt()
{
    m_interrupted.storeRelease(1);
    wakeUp();
}

qint64 EpollEventDispatcher::waitTimeoutNs(bool mayWait, bool withTimers) const
{
    if (!mayWait || m_alwaysReadyCount > 0)
        return 0;
    if (!withTimers || m_timerQueue.empty())
        return -1;
    const auto left = std::chrono::duration_cast<std::chrono::nanoseconds>(m_timerQueue.begin()->first - Clock::now());
    return std::max<qint64>(0, left.count());
}

int EpollEventDispatcher::wait(int epoll, epoll_event *events, qint64 timeoutNs)
{
    // epoll_pwait2 (Linux 5.11) takes the timeout in nanoseconds, so a timer fires on time rather than up
    // to a millisecond late; older kernels get epoll_wait with the timeout rounded up.
    if (m_havePwait2) {
        timespec timeout{};
        timeout.tv_sec = time_t(timeoutNs / 1000000000);
        timeout.tv_nsec = long(timeoutNs % 1000000000);
        const int count = ::epoll_pwait2(epoll, events, kMaxEventsPerWait, timeoutNs < 0 ? nullptr : &timeout, nullptr);
        if (count >= 0 || errno != ENOSYS)
            return count;
        m_havePwait2 = false;
    }
    const int timeoutMs = timeoutNs < 0 ? -1
                                        : int(std::min<qint64>((timeoutNs + 999999) / 1000000, std::numeric_limits<int>::max()));
    return ::epoll_wait(epoll, events, kMaxEventsPerWait, timeoutMs);
}

bool EpollEventDispatcher::processEvents(QEventLoop::ProcessEventsFlags flags)
{
    if (!isValid())
        return false;
    m_interrupted.storeRelaxed(0);
    emit awake();
    QCoreApplication::sendPostedEvents();

    syncWatches();
    const bool withSockets = !flags.testFlag(QEventLoop::ExcludeSocketNotifiers);
    const bool withTimers = !flags.testFlag(QEventLoop::X11ExcludeTimers);
    const bool mayWait = flags.testFlag(QEventLoop::WaitForMoreEvents) && !m_interrupted.loadAcquire();
    const qint64 timeoutNs = waitTimeoutNs(mayWait, withTimers);
    if (timeoutNs != 0)
        emit aboutToBlock();

    epoll_event events[kMaxEventsPerWait];
    int count = wait(withSockets ? m_epoll : m_wakeOnlyEpoll, events, timeoutNs);
    if (count < 0) {
        if (errno != EINTR)
            qWarning("EpollEventDispatcher: epoll_wait failed: %s", std::strerror(errno));
        count = 0;
    }
    if (timeoutNs != 0)
        emit awake();

    bool worked = false;
    for (int i = 0; i < count; ++i) {
        if (events[i].data.fd != m_wakeFd)
            continue;
        eventfd_t value = 0;
        ::eventfd_read(m_wakeFd, &value);
        m_wakeupPending.storeRelease(0);
        worked = true; // posted events wait for the next call, which starts with them
    }
    if (withSockets) {
        worked |= activateSockets(events, count);
        worked |= activateAlwaysReady();
    }
    if (withTimers)
        worked |= activateTimers();
    return worked;
}

bool EpollEventDispatcher::activateSockets(const epoll_event *events, int count)
{
    bool activated = false;
    QEvent event(QEvent::SockAct);
    // Look the notifiers up afresh for every delivery: an earlier one may have disabled or deleted them.
    const auto deliver = [&](int fd, QSocketNotifier *Watch::*slot) {
        const auto it = m_watches.find(fd);
        if (it == m_watches.end())
            return;
        if (QSocketNotifier *notifier = it->second.*slot) {
            QCoreApplication::sendEvent(notifier, &event);
            activated = true;
        }
    };
    for (int i = 0; i < count; ++i) {
        const int fd = events[i].data.fd;
        const quint32 ready = events[i].events;
        if (fd == m_wakeFd)
            continue;
        if (ready & kReadReady)
            deliver(fd, &Watch::read);
        if (ready & kWriteReady)
            deliver(fd, &Watch::write);
        if (ready & kExceptionReady)
            deliver(fd, &Watch::exception);
    }
    return activated;
}

bool EpollEventDispatcher::activateAlwaysReady()
{
    if (m_alwaysReadyCount == 0)
        return false;
    std::vector<QSocketNotifier *> ready;
    for (const auto &[fd, watch] : m_watches) {
        if (!watch.alwaysReady)
            continue;
        for (QSocketNotifier *notifier : {watch.read, watch.write})
            if (notifier)
                ready.push_back(notifier);
    }
    QEvent event(QEvent::SockAct);
    for (QSocketNotifier *notifier : ready) {
        // Still registered? An earlier delivery may have removed it.
        const auto it = m_watches.find(int(notifier->socket()));
        if (it == m_watches.end() || (it->second.read != notifier && it->second.write != notifier))
            continue;
        QCoreApplication::sendEvent(notifier, &event);
    }
    return !ready.empty();
}

bool EpollEventDispatcher::activateTimers()
{
    if (m_timerQueue.empty())
        return false;
    const Clock::time_point now = Clock::now();
    std::vector<int> due;
    for (const auto &[deadline, timerId] : m_timerQueue) {
        if (deadline > now)
            break;
        due.push_back(timerId);
    }
    bool fired = false;
    for (const int timerId : due) {
        auto it = m_timers.find(timerId);
        // Gone, restarted, or being delivered further up the stack (a nested event loop).
        if (it == m_timers.end() || it->second.deadline > now || it->second.inEvent)
            continue;
        Timer &timer = it->second;
        const auto interval = std::chrono::milliseconds(timer.intervalMs);
        // Keep the period when the loop was late by less than one interval; otherwise skip the misses.
        Clock::time_point next = timer.deadline + interval;
        if (next <= now)
            next = now + interval;
        scheduleTimer(timerId, timer, next);
        timer.inEvent = true;
        QObject *object = timer.object;
        QTimerEvent event(timerId);
        QCoreApplication::sendEvent(object, &event);
        fired = true;
        it = m_timers.find(timerId); // the handler may have stopped or restarted it
        if (it != m_timers.end())
            it->second.inEvent = false;
    }
    return fired;
}

} // namespace arena
