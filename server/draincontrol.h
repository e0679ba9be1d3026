// DrainControl: an instance's drain — no new sessions, player-made rooms, queue tickets or matches, while
// what exists runs to its end; with a deadline, what is left is then closed. The process keeps running.
#pragma once

#include <QDateTime>
#include <QJsonObject>
#include <QObject>
#include <QTimer>

#include <chrono>
#include <functional>
#include <optional>

namespace arena {

class PlayerService;

class DrainControl final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DrainControl)

public:
    // `players` must outlive this.
    explicit DrainControl(PlayerService &players, QObject *parent = nullptr);

    // Starts draining, or goes on with the drain under way (same `since`). This instance's queue tickets
    // are cancelled (queue_cancelled "draining") each time. `deadline`, counted from now, replaces an
    // earlier one; without one an earlier deadline stays. Delivers state() and what this call did
    // ("changed", "tickets_cancelled").
    void start(std::optional<std::chrono::milliseconds> deadline, std::function<void(QJsonObject)> done);
    // Back to normal: readiness and new players, rooms, tickets and matches. Returns state() and
    // "changed" (false when it was not draining).
    QJsonObject cancel();

    bool isDraining() const { return m_since.isValid(); }
    // {"draining", and while draining "since", "deadline_ms", "deadline_at", "deadline_passed";
    //  "remaining": {"sessions", "rooms", "matches", "queued_tickets"}}
    QJsonObject state() const;
    QJsonObject remaining() const;

private:
    void onDeadline();

    PlayerService &m_players;
    QDateTime m_since;                       // invalid while not draining
    std::optional<qint64> m_deadlineMs;      // as asked for
    QDateTime m_deadlineAt;
    bool m_deadlinePassed = false;
    QTimer m_deadline;
};

} // namespace arena
