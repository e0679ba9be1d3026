#include "agent/redisprobe.h"

#include "agent/agentlog.h"
#include "shared/redis/redisclient.h"

#include <QElapsedTimer>

#include <algorithm>
#include <cmath>
#include <utility>

namespace arena {

namespace {

constexpr char InfoTask[] = "agent.redis.info";
constexpr char PingTask[] = "agent.redis.ping";

double roundedMs(double ms)
{
    return std::round(ms * 1000.0) / 1000.0; // microsecond resolution is plenty for a round trip
}

} // namespace

RedisProbe::PingStats RedisProbe::PingStats::from(QList<double> roundTripsMs, int failures)
{
    PingStats stats;
    stats.failures = failures;
    stats.count = int(roundTripsMs.size());
    if (roundTripsMs.isEmpty())
        return stats;
    std::sort(roundTripsMs.begin(), roundTripsMs.end());
    stats.p50Ms = percentile(roundTripsMs, 0.50);
    stats.p99Ms = percentile(roundTripsMs, 0.99);
    stats.maxMs = roundTripsMs.last();
    return stats;
}

QJsonObject RedisProbe::Figures::toJson() const
{
    QJsonObject o = info ? info->toJson() : QJsonObject();
    o.insert(QStringLiteral("reachable"), reachable);
    if (!reachable) {
        o.insert(QStringLiteral("error"), error);
        if (unreachableSince.isValid())
            o.insert(QStringLiteral("unreachable_since"), unreachableSince.toString(Qt::ISODateWithMs));
    }
    o.insert(QStringLiteral("pings"), ping.count);
    o.insert(QStringLiteral("ping_failures"), ping.failures);
    if (ping.p50Ms)
        o.insert(QStringLiteral("ping_p50_ms"), roundedMs(*ping.p50Ms));
    if (ping.p99Ms)
        o.insert(QStringLiteral("ping_p99_ms"), roundedMs(*ping.p99Ms));
    if (ping.maxMs)
        o.insert(QStringLiteral("ping_max_ms"), roundedMs(*ping.maxMs));
    if (!infoError.isEmpty())
        o.insert(QStringLiteral("info_error"), infoError);
    return o;
}

RedisProbe::RedisProbe(RedisClient &client, TaskRegistry &tasks, Settings settings, QObject *parent)
    : QObject(parent), m_client(client), m_tasks(tasks), m_settings(settings)
{
}

RedisProbe::~RedisProbe()
{
    stop();
}

Result<void> RedisProbe::start()
{
    if (m_started)
        return {};
    if (m_settings.interval.count() < 1 || m_settings.pingsPerInterval < 0 || m_settings.timeout.count() < 1)
        return Error{QStringLiteral("invalid_settings"),
                     QStringLiteral("the Redis probe needs an interval and a timeout of at least 1 ms and "
                                    "a PING count of 0 or more")};
    if (Result<void> added = m_tasks.everyAsync(QLatin1String(InfoTask), m_settings.interval,
                                                [this](const TaskRegistry::Done &done) { runInfo(done); });
        !added)
        return added;
    if (m_settings.pingsPerInterval > 0) {
        const auto period = std::max(std::chrono::milliseconds(1), m_settings.interval / m_settings.pingsPerInterval);
        if (Result<void> added = m_tasks.every(QLatin1String(PingTask), period, [this] { sendPing(); }); !added) {
            m_tasks.cancel(QLatin1String(InfoTask));
            return added;
        }
    }
    m_started = true;
    (void)m_tasks.runNow(QLatin1String(InfoTask)); // figures right away, not one interval later
    return {};
}

void RedisProbe::stop()
{
    if (!m_started)
        return;
    m_started = false;
    m_tasks.cancel(QLatin1String(InfoTask));
    m_tasks.cancel(QLatin1String(PingTask));
}

RedisProbe::Figures RedisProbe::figures() const
{
    Figures f;
    f.reachable = m_reachable;
    if (!m_reachable) {
        f.error = m_error;
        f.unreachableSince = m_unreachableSince;
    }
    f.info = m_info;
    f.infoError = m_infoError;
    f.ping = m_lastPing;
    return f;
}

std::optional<double> RedisProbe::percentile(const QList<double> &sorted, double q)
{
    if (sorted.isEmpty() || q <= 0.0 || q > 1.0)
        return std::nullopt;
    // Nearest rank: the smallest value with at least q of all values at or below it.
    const auto rank = qsizetype(std::ceil(q * double(sorted.size())));
    return sorted.at(std::clamp<qsizetype>(rank - 1, 0, sorted.size() - 1));
}

void RedisProbe::runInfo(const TaskRegistry::Done &done)
{
    closeInterval();
    if (unreachableNow()) {
        const QString why = notConnectedReason();
        m_info.reset();
        m_infoError = why;
        noteFailure(why);
        done(Error{QStringLiteral("unavailable"), why});
        return;
    }
    m_client.command({QByteArrayLiteral("INFO")}, this, [this, done](Result<Reply> reply) {
        if (!reply) {
            m_info.reset();
            m_infoError = QStringLiteral("INFO: ") + reply.error().message;
            // An error reply (INFO refused by an ACL, say) still proves Redis answers.
            if (reply.error().code != QLatin1String("redis_error"))
                noteFailure(m_infoError);
            done(reply.error());
            return;
        }
        Result<RedisInfo> parsed = reply->isString()
            ? RedisInfo::parse(reply->bytes())
            : Result<RedisInfo>(Error{QStringLiteral("invalid_info"), QStringLiteral("INFO did not answer with text")});
        noteSuccess();
        if (!parsed) {
            m_info.reset();
            m_infoError = QStringLiteral("INFO: ") + parsed.error().message;
            done(parsed.error());
            return;
        }
        m_info = std::move(parsed).value();
        m_infoError.clear();
        done(Result<void>());
    }, m_settings.timeout);
}

void RedisProbe::sendPing()
{
    if (unreachableNow()) {
        ++m_windowFailures;
        noteFailure(notConnectedReason());
        return;
    }
    QElapsedTimer clock;
    clock.start();
    m_client.command({QByteArrayLiteral("PING")}, this, [this, clock](Result<Reply> reply) {
        if (!reply) {
            ++m_windowFailures;
            noteFailure(QStringLiteral("PING: ") + reply.error().message);
            return;
        }
        m_window.append(double(clock.nsecsElapsed()) / 1e6);
        noteSuccess();
    }, m_settings.timeout);
}

void RedisProbe::closeInterval()
{
    m_lastPing = PingStats::from(std::exchange(m_window, {}), std::exchange(m_windowFailures, 0));
}

void RedisProbe::noteSuccess()
{
    if (!m_reachable) {
        m_reachable = true;
        m_error.clear();
        m_unreachableSince = QDateTime();
        qCInfo(lcAgentCollect, "Redis at %s answers", qUtf8Printable(m_client.options().displayUrl()));
        emit reachabilityChanged(true, QString());
    }
    noteSettled();
}

void RedisProbe::noteFailure(const QString &error)
{
    m_error = error;
    if (!m_unreachableSince.isValid())
        m_unreachableSince = QDateTime::currentDateTimeUtc();
    if (m_reachable) {
        m_reachable = false;
        qCWarning(lcAgentCollect, "Redis at %s unreachable: %s", qUtf8Printable(m_client.options().displayUrl()),
                  qUtf8Printable(error));
        emit reachabilityChanged(false, error);
    } else if (!m_settled) {
        qCWarning(lcAgentCollect, "Redis at %s unreachable: %s", qUtf8Printable(m_client.options().displayUrl()),
                  qUtf8Printable(error));
    }
    noteSettled();
}

void RedisProbe::noteSettled()
{
    if (m_settled)
        return;
    m_settled = true;
    emit settledChanged();
}

bool RedisProbe::unreachableNow() const
{
    // While the first connection is still being made a command just waits for it; once a connection
    // attempt has failed, waiting would only turn "Connection refused" into a timeout.
    if (m_client.isConnected())
        return false;
    return m_client.state() == RedisClient::State::Closed || !m_client.lastError().isEmpty();
}

QString RedisProbe::notConnectedReason() const
{
    if (m_client.state() == RedisClient::State::Closed)
        return QStringLiteral("the Redis client is closed");
    const QString last = m_client.lastError();
    return last.isEmpty() ? QStringLiteral("connecting to Redis") : QStringLiteral("not connected: ") + last;
}

} // namespace arena
