// EpollEventDispatcher installed as the application's dispatcher: timers, socket notifiers, posted
// events from other threads, nested loops and the flags QEventLoop passes, with real sockets.
#include "shared/core/epolleventdispatcher.h"

#include <QCoreApplication>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QSignalSpy>
#include <QSocketNotifier>
#include <QTcpServer>
#include <QTcpSocket>
#include <QTemporaryFile>
#include <QTest>
#include <QThread>
#include <QTimer>

#include <atomic>
#include <memory>
#include <thread>

#include <sys/socket.h>
#include <unistd.h>

using arena::EpollEventDispatcher;

namespace {

struct SocketPair
{
    int fds[2] = {-1, -1};
    SocketPair() { ::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, fds); }
    ~SocketPair()
    {
        for (int fd : fds)
            if (fd >= 0)
                ::close(fd);
    }
    Q_DISABLE_COPY_MOVE(SocketPair)
};

class TimerRecorder : public QObject
{
public:
    QList<int> fired;
    std::function<void(int)> onTimer;

protected:
    void timerEvent(QTimerEvent *event) override
    {
        fired.append(event->timerId());
        if (onTimer)
            onTimer(event->timerId());
    }
};

} // namespace

class TestEpollEventDispatcher : public QObject
{
    Q_OBJECT

private slots:
    void isInstalled();
    void timersFireInDeadlineOrder();
    void singleShotAndRepeatingTimers();
    void timerStoppedInsideItsOwnEvent();
    void deletingAnObjectStopsItsTimers();
    void remainingTimeAndRegisteredTimers();
    void nestedLoopDoesNotReenterATimer();
    void readNotifierFiresWhileDataIsUnread();
    void writeNotifierFiresWhenWritable();
    void notifierDeletedByAnEarlierDeliveryIsSkipped();
    void disabledNotifierStaysQuiet();
    void regularFileIsAlwaysReady();
    void reusedDescriptorIsWatchedAfresh();
    void toggledWriteNotifierStillFires();
    void postedEventFromAnotherThreadWakesTheLoop();
    void interruptFromAnotherThreadEndsTheWait();
    void excludeSocketNotifiersDefersThem();
    void processEventsWithoutWaitReturnsFalseWhenIdle();
    void tcpEchoOverManyConnections();
};

void TestEpollEventDispatcher::isInstalled()
{
    auto *dispatcher = qobject_cast<EpollEventDispatcher *>(QAbstractEventDispatcher::instance());
    QVERIFY(dispatcher);
    QVERIFY(dispatcher->isValid());
}

void TestEpollEventDispatcher::timersFireInDeadlineOrder()
{
    QList<int> order;
    QTimer late, early, middle;
    for (auto [timer, ms, tag] : {std::tuple{&late, 60, 3}, std::tuple{&early, 10, 1}, std::tuple{&middle, 30, 2}}) {
        timer->setSingleShot(true);
        timer->setTimerType(Qt::PreciseTimer);
        connect(timer, &QTimer::timeout, this, [&order, tag = tag] { order.append(tag); });
        timer->start(ms);
    }
    QTRY_COMPARE_WITH_TIMEOUT(order.size(), 3, 2000);
    QCOMPARE(order, (QList<int>{1, 2, 3}));
}

void TestEpollEventDispatcher::singleShotAndRepeatingTimers()
{
    int single = 0;
    int repeating = 0;
    QTimer::singleShot(5, this, [&single] { ++single; });
    QTimer timer;
    connect(&timer, &QTimer::timeout, this, [&repeating] { ++repeating; });
    timer.start(10);
    QTRY_VERIFY_WITH_TIMEOUT(repeating >= 5, 3000);
    timer.stop();
    const int stoppedAt = repeating;
    QTest::qWait(50);
    QCOMPARE(single, 1);
    QCOMPARE(repeating, stoppedAt);

    // A zero-interval timer runs once per loop iteration, between other events.
    int zero = 0;
    QTimer zeroTimer;
    connect(&zeroTimer, &QTimer::timeout, this, [&] {
        if (++zero == 100)
            zeroTimer.stop();
    });
    zeroTimer.start(0);
    QTRY_COMPARE_WITH_TIMEOUT(zero, 100, 2000);
    QVERIFY(!zeroTimer.isActive());
}

void TestEpollEventDispatcher::timerStoppedInsideItsOwnEvent()
{
    TimerRecorder recorder;
    int id = 0;
    recorder.onTimer = [&](int firedId) { recorder.killTimer(firedId); };
    id = recorder.startTimer(5);
    QTest::qWait(60);
    QCOMPARE(recorder.fired, (QList<int>{id}));
}

void TestEpollEventDispatcher::deletingAnObjectStopsItsTimers()
{
    auto *dispatcher = QAbstractEventDispatcher::instance();
    auto recorder = std::make_unique<TimerRecorder>();
    const int first = recorder->startTimer(1000);
    const int second = recorder->startTimer(2000);
    QCOMPARE(dispatcher->registeredTimers(recorder.get()).size(), 2);
    recorder.reset();
    QCOMPARE(dispatcher->remainingTime(first), -1);
    QCOMPARE(dispatcher->remainingTime(second), -1);
}

void TestEpollEventDispatcher::remainingTimeAndRegisteredTimers()
{
    auto *dispatcher = QAbstractEventDispatcher::instance();
    TimerRecorder recorder;
    const int id = recorder.startTimer(500, Qt::PreciseTimer);
    const int left = dispatcher->remainingTime(id);
    QVERIFY2(left > 400 && left <= 500, qPrintable(QString::number(left)));
    const auto timers = dispatcher->registeredTimers(&recorder);
    QCOMPARE(timers.size(), 1);
    QCOMPARE(timers.first().timerId, id);
    QCOMPARE(timers.first().interval, 500);
    QCOMPARE(timers.first().timerType, Qt::PreciseTimer);
    recorder.killTimer(id);
    QCOMPARE(dispatcher->remainingTime(id), -1);
    QVERIFY(!dispatcher->unregisterTimer(id));
}

void TestEpollEventDispatcher::nestedLoopDoesNotReenterATimer()
{
    // A timer whose handler runs a nested event loop: other timers keep firing inside it, the timer
    // itself does not fire again until its handler returns.
    TimerRecorder recorder;
    int depth = 0;
    int maxDepth = 0;
    int other = 0;
    QTimer otherTimer;
    connect(&otherTimer, &QTimer::timeout, this, [&other] { ++other; });
    otherTimer.start(5);
    recorder.onTimer = [&](int) {
        ++depth;
        maxDepth = std::max(maxDepth, depth);
        if (recorder.fired.size() == 1) {
            QEventLoop nested;
            QTimer::singleShot(80, &nested, &QEventLoop::quit);
            nested.exec();
        }
        --depth;
    };
    const int id = recorder.startTimer(5);
    QTRY_VERIFY_WITH_TIMEOUT(recorder.fired.size() >= 3, 3000);
    recorder.killTimer(id);
    QCOMPARE(maxDepth, 1);
    QVERIFY2(other >= 5, qPrintable(QString::number(other)));
}

void TestEpollEventDispatcher::readNotifierFiresWhileDataIsUnread()
{
    SocketPair pair;
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    int activations = 0;
    QByteArray received;
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        // Level-triggered: reading one byte at a time still gets every byte.
        ++activations;
        char byte = 0;
        if (::read(pair.fds[0], &byte, 1) == 1)
            received.append(byte);
    });
    QTest::qWait(20);
    QCOMPARE(activations, 0);
    QCOMPARE(::write(pair.fds[1], "abc", 3), ssize_t(3));
    QTRY_COMPARE_WITH_TIMEOUT(received, QByteArray("abc"), 2000);
    QVERIFY(activations >= 3);

    // The peer closing is a read event too (read() then returns 0).
    bool sawEof = false;
    disconnect(&notifier, nullptr, this, nullptr);
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        char byte = 0;
        if (::read(pair.fds[0], &byte, 1) == 0) {
            sawEof = true;
            notifier.setEnabled(false);
        }
    });
    ::close(pair.fds[1]);
    pair.fds[1] = -1;
    QTRY_VERIFY_WITH_TIMEOUT(sawEof, 2000);
}

void TestEpollEventDispatcher::writeNotifierFiresWhenWritable()
{
    SocketPair pair;
    // Fill the socket buffer so it is no longer writable.
    QByteArray chunk(65536, 'x');
    qint64 written = 0;
    while (true) {
        const ssize_t n = ::write(pair.fds[0], chunk.constData(), size_t(chunk.size()));
        if (n <= 0)
            break;
        written += n;
    }
    QVERIFY(written > 0);
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Write);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        ++activations;
        notifier.setEnabled(false);
    });
    QTest::qWait(30);
    QCOMPARE(activations, 0);
    // Drain the other end: the socket becomes writable.
    while (::read(pair.fds[1], chunk.data(), size_t(chunk.size())) > 0) {
    }
    QTRY_COMPARE_WITH_TIMEOUT(activations, 1, 2000);
    QTest::qWait(20);
    QCOMPARE(activations, 1);
}

void TestEpollEventDispatcher::notifierDeletedByAnEarlierDeliveryIsSkipped()
{
    // Two sockets ready in the same wakeup; whichever is delivered first deletes the other's notifier.
    SocketPair a, b;
    auto *first = new QSocketNotifier(a.fds[0], QSocketNotifier::Read);
    auto *second = new QSocketNotifier(b.fds[0], QSocketNotifier::Read);
    int delivered = 0;
    QPointer<QSocketNotifier> firstGuard(first), secondGuard(second);
    connect(first, &QSocketNotifier::activated, this, [&] {
        ++delivered;
        delete secondGuard.data();
        firstGuard->setEnabled(false);
    });
    connect(second, &QSocketNotifier::activated, this, [&] {
        ++delivered;
        delete firstGuard.data();
        secondGuard->setEnabled(false);
    });
    QCOMPARE(::write(a.fds[1], "x", 1), ssize_t(1));
    QCOMPARE(::write(b.fds[1], "y", 1), ssize_t(1));
    QTest::qWait(50);
    QCOMPARE(delivered, 1);
    QCOMPARE(int(firstGuard.isNull()) + int(secondGuard.isNull()), 1);
    delete firstGuard.data();
    delete secondGuard.data();
}

void TestEpollEventDispatcher::disabledNotifierStaysQuiet()
{
    SocketPair pair;
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&] { ++activations; });
    notifier.setEnabled(false);
    QCOMPARE(::write(pair.fds[1], "x", 1), ssize_t(1));
    QTest::qWait(30);
    QCOMPARE(activations, 0);
    notifier.setEnabled(true);
    QTRY_VERIFY_WITH_TIMEOUT(activations > 0, 2000);
    notifier.setEnabled(false);
}

void TestEpollEventDispatcher::regularFileIsAlwaysReady()
{
    // epoll refuses regular files; poll() reports them ready, and so does this dispatcher.
    QTemporaryFile file;
    QVERIFY(file.open());
    file.write("data");
    file.flush();
    QSocketNotifier notifier(file.handle(), QSocketNotifier::Read);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        if (++activations == 3)
            notifier.setEnabled(false);
    });
    QTRY_COMPARE_WITH_TIMEOUT(activations, 3, 2000);
    QTest::qWait(20);
    QCOMPARE(activations, 3);
}

void TestEpollEventDispatcher::reusedDescriptorIsWatchedAfresh()
{
    // Within one iteration: a notifier goes away, its descriptor is closed, the number is reused by a new
    // socket with a new notifier. The epoll set dropped the old file on close; the new one must be added.
    auto first = std::make_unique<SocketPair>();
    QTest::qWait(1);
    auto oldNotifier = std::make_unique<QSocketNotifier>(first->fds[0], QSocketNotifier::Read);
    QTest::qWait(10); // synced into the epoll set
    const int number = first->fds[0];
    oldNotifier.reset();
    ::close(first->fds[0]);
    first->fds[0] = -1;
    SocketPair second;
    QCOMPARE(second.fds[0], number); // the lowest free number comes back
    QSocketNotifier notifier(second.fds[0], QSocketNotifier::Read);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        ++activations;
        notifier.setEnabled(false);
    });
    QCOMPARE(::write(second.fds[1], "x", 1), ssize_t(1));
    QTRY_COMPARE_WITH_TIMEOUT(activations, 1, 2000);
}

void TestEpollEventDispatcher::toggledWriteNotifierStillFires()
{
    // Turned on and off within one iteration (no system call), then on again: it must fire.
    SocketPair pair;
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Write);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        ++activations;
        notifier.setEnabled(false);
    });
    notifier.setEnabled(false);
    notifier.setEnabled(true);
    notifier.setEnabled(false);
    QTest::qWait(20);
    QCOMPARE(activations, 0);
    notifier.setEnabled(true);
    QTRY_COMPARE_WITH_TIMEOUT(activations, 1, 2000);
}

void TestEpollEventDispatcher::postedEventFromAnotherThreadWakesTheLoop()
{
    QObject receiver;
    bool ran = false;
    Qt::HANDLE ranOn = nullptr;
    QEventLoop loop;
    std::thread poster([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        QMetaObject::invokeMethod(&receiver, [&] {
            ran = true;
            ranOn = QThread::currentThreadId();
            loop.quit();
        }, Qt::QueuedConnection);
    });
    QTimer::singleShot(5000, &loop, &QEventLoop::quit); // guard only: the loop has no other timer
    QElapsedTimer elapsed;
    elapsed.start();
    loop.exec();
    poster.join();
    QVERIFY(ran);
    QCOMPARE(ranOn, QThread::currentThreadId());
    QVERIFY2(elapsed.elapsed() < 4000, "the posted event did not wake the loop");
}

void TestEpollEventDispatcher::interruptFromAnotherThreadEndsTheWait()
{
    // A wait with nothing to wake it but interrupt() from another thread; a broken interrupt hangs
    // here until the ctest timeout.
    auto *dispatcher = QAbstractEventDispatcher::instance();
    std::atomic<bool> sent = false;
    std::thread interrupter([&] {
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
        sent = true;
        dispatcher->interrupt();
    });
    while (!sent.load())
        dispatcher->processEvents(QEventLoop::WaitForMoreEvents);
    interrupter.join();
    QVERIFY(sent.load());
}

void TestEpollEventDispatcher::excludeSocketNotifiersDefersThem()
{
    SocketPair pair;
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    int activations = 0;
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        ++activations;
        char byte;
        while (::read(pair.fds[0], &byte, 1) == 1) {
        }
    });
    QCOMPARE(::write(pair.fds[1], "x", 1), ssize_t(1));
    // Waits for the timer only; the ready socket neither fires nor makes the wait return early.
    bool timerFired = false;
    QTimer::singleShot(40, this, [&timerFired] { timerFired = true; });
    QElapsedTimer elapsed;
    elapsed.start();
    QEventLoop loop;
    while (!timerFired && elapsed.elapsed() < 2000)
        loop.processEvents(QEventLoop::ExcludeSocketNotifiers | QEventLoop::WaitForMoreEvents);
    QVERIFY(timerFired);
    QCOMPARE(activations, 0);
    QTRY_COMPARE_WITH_TIMEOUT(activations, 1, 2000);
}

void TestEpollEventDispatcher::processEventsWithoutWaitReturnsFalseWhenIdle()
{
    auto *dispatcher = QAbstractEventDispatcher::instance();
    QCoreApplication::sendPostedEvents();
    while (dispatcher->processEvents(QEventLoop::AllEvents)) {
    }
    QVERIFY(!dispatcher->processEvents(QEventLoop::AllEvents));
    SocketPair pair;
    QSocketNotifier notifier(pair.fds[0], QSocketNotifier::Read);
    bool fired = false;
    connect(&notifier, &QSocketNotifier::activated, this, [&] {
        fired = true;
        notifier.setEnabled(false);
    });
    QCOMPARE(::write(pair.fds[1], "x", 1), ssize_t(1));
    QVERIFY(dispatcher->processEvents(QEventLoop::AllEvents));
    QVERIFY(fired);
}

void TestEpollEventDispatcher::tcpEchoOverManyConnections()
{
    // Qt's own networking on top: 200 clients each send 20 lines to an echo server and get them back.
    QTcpServer server;
    QVERIFY(server.listen(QHostAddress::LocalHost, 0));
    connect(&server, &QTcpServer::newConnection, this, [&server] {
        while (QTcpSocket *peer = server.nextPendingConnection()) {
            connect(peer, &QTcpSocket::readyRead, peer, [peer] { peer->write(peer->readAll()); });
            connect(peer, &QTcpSocket::disconnected, peer, &QObject::deleteLater);
        }
    });
    constexpr int kClients = 200;
    constexpr int kLines = 20;
    std::vector<std::unique_ptr<QTcpSocket>> clients;
    QList<QByteArray> received(kClients);
    int done = 0;
    for (int i = 0; i < kClients; ++i) {
        auto socket = std::make_unique<QTcpSocket>();
        QTcpSocket *raw = socket.get();
        connect(raw, &QTcpSocket::connected, this, [raw, i] {
            for (int line = 0; line < kLines; ++line)
                raw->write(QByteArray::number(i) + ':' + QByteArray::number(line) + '\n');
        });
        connect(raw, &QTcpSocket::readyRead, this, [raw, i, &received, &done] {
            received[i] += raw->readAll();
            if (received[i].count('\n') == kLines)
                ++done;
        });
        raw->connectToHost(QHostAddress::LocalHost, server.serverPort());
        clients.push_back(std::move(socket));
    }
    QTRY_COMPARE_WITH_TIMEOUT(done, kClients, 20000);
    for (int i = 0; i < kClients; ++i) {
        QByteArray expected;
        for (int line = 0; line < kLines; ++line)
            expected += QByteArray::number(i) + ':' + QByteArray::number(line) + '\n';
        QCOMPARE(received[i], expected);
    }
    clients.clear();
}

int main(int argc, char **argv)
{
    QCoreApplication::setEventDispatcher(new EpollEventDispatcher);
    QCoreApplication app(argc, argv);
    TestEpollEventDispatcher test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_epolleventdispatcher.moc"
