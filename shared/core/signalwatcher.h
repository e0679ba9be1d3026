// SignalWatcher: turns Unix signals (SIGTERM, SIGINT, SIGHUP) into a Qt signal through signalfd,
// so shutdown runs on the event loop instead of inside an async-signal handler.
#pragma once

#include <QList>
#include <QObject>

#include <memory>

class QSocketNotifier;

namespace arena {

class SignalWatcher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SignalWatcher)

public:
    // Blocks the signals for the calling thread and every thread it starts later: call it first in
    // main(), before any thread exists, so only the signalfd sees them.
    static void blockSignals(const QList<int> &signalNumbers);

    explicit SignalWatcher(const QList<int> &signalNumbers, QObject *parent = nullptr);
    ~SignalWatcher() override;

    bool isValid() const { return m_fd >= 0; }

Q_SIGNALS:
    void received(int signal);

private:
    void readPending();

    int m_fd = -1;
    std::unique_ptr<QSocketNotifier> m_notifier;
};

} // namespace arena
