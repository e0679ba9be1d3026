// EpollEventDispatcher: a Qt event dispatcher whose wait costs the same however many sockets are open.
//
// Qt's own dispatchers on Linux (glib's and QEventDispatcherUNIX) hand every enabled socket notifier to
// poll() on every wakeup, so a server with N connections pays O(N) per event (measured in
// docs/BENCHMARKS.md: 40-70 % of arena-server's CPU at 200-1000 players). This one keeps the notifiers in
// an epoll set (level-triggered, so the semantics are poll's) and the timers in an ordered set, so a
// wakeup costs O(ready sockets + due timers).
//
// Install it before the application object exists, for the main thread (installForMainThread() does, unless
// ARENA_EVENT_LOOP=qt asks for Qt's default). It serves one thread; other threads keep Qt's default.
#pragma once

#include <QAbstractEventDispatcher>
#include <QAtomicInt>

#include <chrono>
#include <set>
#include <unordered_map>
#include <utility>
#include <vector>

struct epoll_event;

namespace arena {

class EpollEventDispatcher final : public QAbstractEventDispatcher
{
    Q_OBJECT
public:
    explicit EpollEventDispatcher(QObject *parent = nullptr);
    ~EpollEventDispatcher() override;
    Q_DISABLE_COPY_MOVE(EpollEventDispatcher)

    // Call before constructing the Q*Application. Returns whether the epoll dispatcher is installed:
    // false when ARENA_EVENT_LOOP is "qt" or the kernel refused the descriptors.
    static bool installForMainThread();

    bool processEvents(QEventLoop::ProcessEventsFlags flags) override;

    void registerSocketNotifier(QSocketNotifier *notifier) override;
    void unregisterSocketNotifier(QSocketNotifier *notifier) override;

    using QAbstractEventDispatcher::registerTimer;
    void registerTimer(int timerId, qint64 interval, Qt::TimerType timerType, QObject *object) override;
    bool unregisterTimer(int timerId) override;
    bool unregisterTimers(QObject *object) override;
    QList<TimerInfo> registeredTimers(QObject *object) const override;
    int remainingTime(int timerId) override;

    void wakeUp() override;
    void interrupt() override;

    // Whether the kernel gave this dispatcher its epoll and eventfd descriptors; false means every
    // call is a no-op and the application should not install it.
    bool isValid() const { return m_epoll >= 0 && m_wakeOnlyEpoll >= 0 && m_wakeFd >= 0; }

private:
    using Clock = std::chrono::steady_clock;

    struct Watch
    {
        QSocketNotifier *read = nullptr;
        QSocketNotifier *write = nullptr;
        QSocketNotifier *exception = nullptr;
        quint32 kernelEvents = 0; // what the epoll set asks for, as of the last sync
        bool dirty = false;       // listed in m_dirty: the notifiers changed since the last sync
        bool wentEmpty = false;   // lost all its notifiers since the last sync (the fd may be a new one)
        bool alwaysReady = false; // a regular file: epoll refuses it, poll() calls it always ready
    };

    struct Timer
    {
        qint64 intervalMs = 0;
        Qt::TimerType type = Qt::CoarseTimer;
        QObject *object = nullptr;
        Clock::time_point deadline;
        bool inEvent = false; // its QTimerEvent is being delivered (a nested loop must not re-enter it)
    };

    static QSocketNotifier *&slotFor(Watch &watch, int type);
    void markDirty(int fd, Watch &watch);
    void syncWatches();
    void syncWatch(int fd, Watch &watch);
    // -1: no limit; 0: do not block.
    qint64 waitTimeoutNs(bool mayWait, bool withTimers) const;
    int wait(int epoll, ::epoll_event *events, qint64 timeoutNs);
    bool activateSockets(const ::epoll_event *events, int count);
    bool activateAlwaysReady();
    bool activateTimers();
    void scheduleTimer(int timerId, Timer &timer, Clock::time_point deadline);
    void eraseTimer(std::unordered_map<int, Timer>::iterator it);

    int m_epoll = -1;         // socket notifiers and the wakeup eventfd
    int m_wakeOnlyEpoll = -1; // the wakeup eventfd alone, for ExcludeSocketNotifiers
    int m_wakeFd = -1;
    QAtomicInt m_wakeupPending = 0;
    QAtomicInt m_interrupted = 0;
    bool m_havePwait2 = true;

    // Notifier changes reach the epoll set lazily, just before the next wait: a socket that turns its
    // write notifier on and off again within one iteration (QAbstractSocket does, for every flushed
    // write) costs no system call.
    std::unordered_map<int, Watch> m_watches;
    std::vector<int> m_dirty;
    int m_alwaysReadyCount = 0;

    std::unordered_map<int, Timer> m_timers;
    std::set<std::pair<Clock::time_point, int>> m_timerQueue; // (deadline, id), soonest first
    std::unordered_multimap<QObject *, int> m_timersByObject;
};

} // namespace arena
