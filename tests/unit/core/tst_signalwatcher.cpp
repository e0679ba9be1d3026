// SignalWatcher: blocked Unix signals arrive as Qt signals on the event loop.
#include "shared/core/signalwatcher.h"

#include <QSignalSpy>
#include <QTest>

#include <csignal>
#include <unistd.h>

using namespace arena;

class TestSignalWatcher final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void deliversOnEventLoop()
    {
        SignalWatcher watcher({SIGUSR1, SIGUSR2});
        QVERIFY(watcher.isValid());
        QSignalSpy received(&watcher, &SignalWatcher::received);
        ::kill(::getpid(), SIGUSR1);
        QCOMPARE(received.count(), 0); // not inside kill(): later, from the event loop
        QTRY_COMPARE(received.count(), 1);
        QCOMPARE(received.at(0).at(0).toInt(), SIGUSR1);
        ::kill(::getpid(), SIGUSR2);
        QTRY_COMPARE(received.count(), 2);
        QCOMPARE(received.at(1).at(0).toInt(), SIGUSR2);
    }

    void unwatchedSignalIsNotReported()
    {
        SignalWatcher watcher({SIGUSR1});
        QSignalSpy received(&watcher, &SignalWatcher::received);
        ::kill(::getpid(), SIGUSR2); // blocked, so it stays pending instead of killing the test
        QTest::qWait(100);
        QCOMPARE(received.count(), 0);
        ::kill(::getpid(), SIGUSR1);
        QTRY_COMPARE(received.count(), 1);
        QCOMPARE(received.at(0).at(0).toInt(), SIGUSR1);
    }
};

// Signals must be blocked before any thread starts (QtTest's watchdog thread among them), as in
// arena-server's main(); otherwise another thread takes the signal and dies of it.
int main(int argc, char *argv[])
{
    SignalWatcher::blockSignals({SIGUSR1, SIGUSR2});
    QCoreApplication app(argc, argv);
    TestSignalWatcher test;
    return QTest::qExec(&test, argc, argv);
}
#include "tst_signalwatcher.moc"
