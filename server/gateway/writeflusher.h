// WriteFlusher: writes the frames buffered on player sockets once per event-loop iteration.
//
// A QWebSocket buffers what it sends and writes it when the event loop next finds the socket writable,
// turning the socket's write notifier on and off for every burst. Flushing from a posted call instead
// writes each socket's frames of one iteration in a single write(), before the loop waits again, and with
// EpollEventDispatcher's lazy notifier updates the notifier toggle then costs no system call.
#pragma once

#include <QObject>
#include <QPointer>
#include <QWebSocket>

#include <vector>

namespace arena {

class WriteFlusher final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WriteFlusher)

public:
    explicit WriteFlusher(QObject *parent = nullptr) : QObject(parent) {}

    // Call right after queueing a frame on a socket that had nothing buffered before it (one that still
    // has a backlog is being drained by its write notifier already).
    void schedule(QWebSocket *socket);
    quint64 flushes() const { return m_flushes; }

private:
    void flushAll();

    std::vector<QPointer<QWebSocket>> m_pending;
    quint64 m_flushes = 0;
};

} // namespace arena
