// RedisProbe: watches one Redis for the agent — INFO figures every interval and PING round trips
// (p50 / p99 / max over the interval), and whether Redis is reachable at all.
#pragma once

#include "agent/redisinfo.h"
#include "shared/core/taskregistry.h"
#include "shared/result.h"

#include <QDateTime>
#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QString>

#include <chrono>
#include <optional>

namespace arena {

class RedisClient;

// The probe never owns or opens the client: whoever does keeps it connected (RedisClient reconnects by
// itself). While Redis is away the figures say unreachable with the error, the PINGs keep going (each
// failing at once, without waiting for its timeout, while the client cannot connect), and the first
// answer after Redis is back makes them reachable again. Its two jobs live in the given task registry as "agent.redis.info" (async, every
// interval) and "agent.redis.ping" (pingsPerInterval times per interval).
class RedisProbe final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RedisProbe)

public:
    struct Settings
    {
        std::chrono::milliseconds interval{1000};
        int pingsPerInterval = 10;
        // Per command; a PING or INFO without an answer in this time counts as failed.
        std::chrono::milliseconds timeout{1000};
    };

    struct PingStats
    {
        int count = 0;    // answered PINGs
        int failures = 0; // PINGs that failed or timed out, or could not be sent
        std::optional<double> p50Ms;
        std::optional<double> p99Ms;
        std::optional<double> maxMs;

        static PingStats from(QList<double> roundTripsMs, int failures);
    };

    struct Figures
    {
        bool reachable = false;
        QString error;              // why not reachable; empty while reachable
        QDateTime unreachableSince; // UTC; invalid while reachable
        std::optional<RedisInfo> info; // from the last INFO, when it succeeded
        QString infoError;          // why the last INFO failed (Redis may refuse INFO yet answer PING)
        PingStats ping;             // over the last completed interval

        // {"reachable", "error", "unreachable_since", "pings", "ping_failures", "ping_p50_ms",
        //  "ping_p99_ms", "ping_max_ms", "info_error", and RedisInfo::toJson()'s fields}; absent
        // figures are left out.
        QJsonObject toJson() const;
    };

    RedisProbe(RedisClient &client, TaskRegistry &tasks, Settings settings, QObject *parent = nullptr);
    ~RedisProbe() override; // stop()

    // Registers the two jobs and runs INFO at once. Errors: the registry's (e.g. "duplicate_task"),
    // "invalid_settings".
    Result<void> start();
    void stop();

    Figures figures() const;
    const Settings &settings() const { return m_settings; }
    // False until the first command has been answered or has failed: before that, figures() says
    // "not checked yet", which is no news about Redis, so the collector holds its first snapshots back.
    // Bounded by the connection attempt and Settings::timeout.
    bool settled() const { return m_settled; }

    // Nearest-rank percentile (q in (0, 1]) of ascending values; empty for no values.
    static std::optional<double> percentile(const QList<double> &sorted, double q);

Q_SIGNALS:
    void reachabilityChanged(bool reachable, const QString &error);
    // Once, when settled() turns true (after reachabilityChanged, when that comes too).
    void settledChanged();

private:
    void runInfo(const TaskRegistry::Done &done);
    void sendPing();
    void closeInterval();
    void noteSuccess();
    void noteFailure(const QString &error);
    void noteSettled();
    bool unreachableNow() const;
    QString notConnectedReason() const;

    RedisClient &m_client;
    TaskRegistry &m_tasks;
    Settings m_settings;
    bool m_started = false;
    bool m_settled = false;
    bool m_reachable = false;
    QString m_error = QStringLiteral("not checked yet");
    QDateTime m_unreachableSince;
    std::optional<RedisInfo> m_info;
    QString m_infoError;
    QList<double> m_window; // round trips of the current interval, ms
    int m_windowFailures = 0;
    PingStats m_lastPing;
};

} // namespace arena
