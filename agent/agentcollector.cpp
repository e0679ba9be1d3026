#include "agent/agentcollector.h"

#include "agent/agentlog.h"
#include "agent/redisprobe.h"
#include "agent/serverpoller.h"
#include "shared/redis/redisclient.h"

#include <QDateTime>
#include <QJsonArray>
#include <QSysInfo>
#include <QSet>

#include <algorithm>
#include <utility>
#include <cmath>
#include <utility>

namespace arena {

Q_LOGGING_CATEGORY(lcAgent, "arena.agent")
Q_LOGGING_CATEGORY(lcAgentCollect, "arena.agent.collect")

namespace {

constexpr char CollectTask[] = "agent.collect";
constexpr int SnapshotFormat = 1;

double rounded2(double value)
{
    return std::round(value * 100.0) / 100.0;
}

// Copies `from[fromKey]` to `to[toKey]` when present: the server's camelCase names become the
// snapshot's snake_case ones.
void copy(QJsonObject &to, const QString &toKey, const QJsonObject &from, const QString &fromKey)
{
    const QJsonValue v = from.value(fromKey);
    if (!v.isUndefined() && !v.isNull())
        to.insert(toKey, v);
}

ServerPoller::Settings pollerSettings(const AgentCollector::Settings &s)
{
    ServerPoller::Settings p;
    p.baseUrl = s.server;
    p.token = s.token;
    p.interval = s.interval;
    p.requestTimeout = s.requestTimeout;
    p.downAfter = s.downAfter;
    p.tls = s.serverTls;
    return p;
}

RedisOptions probeOptions(RedisOptions options, std::chrono::milliseconds interval)
{
    if (options.clientName.isEmpty())
        options.clientName = QByteArrayLiteral("arena-agent");
    // A monitor should see Redis come back within about an interval; one connection retrying once
    // an interval costs Redis nothing, unlike the default backoff of up to 5 s.
    options.reconnectMax = std::min(options.reconnectMax, std::max(interval, std::chrono::milliseconds(100)));
    options.reconnectMin = std::min(options.reconnectMin, options.reconnectMax);
    return options;
}

} // namespace

AgentCollector::AgentCollector(Settings settings, TaskRegistry &tasks, QObject *parent)
    : QObject(parent),
      m_settings(std::move(settings)),
      m_tasks(tasks),
      m_poller(new ServerPoller(pollerSettings(m_settings), tasks, this)),
      m_processes(m_settings.procRoot),
      m_host(m_settings.procRoot)
{
    if (m_settings.redis) {
        m_redis = new RedisClient(probeOptions(*m_settings.redis, m_settings.interval), this);
        RedisProbe::Settings probe;
        probe.interval = m_settings.interval;
        probe.pingsPerInterval = m_settings.redisPingsPerInterval;
        probe.timeout = m_settings.requestTimeout;
        m_probe = new RedisProbe(*m_redis, tasks, probe, this);
    }
    // A change of the server's state is worth a snapshot of its own, not one up to an interval later.
    const auto snapshotNow = [this] {
        if (m_started)
            collectOnceSettled();
    };
    connect(m_poller, &ServerPoller::serverDown, this, snapshotNow);
    // Snapshots follow the polls, so a change on the server reaches consoles within one poll (not a
    // poll plus an interval); the periodic job covers intervals in which no poll finished (a hung server).
    connect(m_poller, &ServerPoller::polled, this, [this](bool ok) {
        if (m_started && ok)
            collectOnceSettled();
    });
    connect(m_poller, &ServerPoller::serverUp, this, snapshotNow);
    if (m_probe)
        connect(m_probe, &RedisProbe::settledChanged, this, [this] {
            if (m_started && std::exchange(m_snapshotHeld, false))
                collect();
        });
}

AgentCollector::~AgentCollector()
{
    stop();
}

Result<void> AgentCollector::start()
{
    if (m_started)
        return {};
    if (m_settings.interval.count() < 1)
        return Error{QStringLiteral("invalid_settings"), QStringLiteral("the snapshot interval must be at least 1 ms")};
    if (Result<void> polling = m_poller->start(); !polling)
        return polling;
    if (m_probe) {
        m_redis->open();
        if (Result<void> probing = m_probe->start(); !probing) {
            m_poller->stop();
            m_redis->close();
            return probing;
        }
    }
    // While polls succeed, each one makes the snapshot; the job steps in only when they do not (server
    // down, or hung so its last answer is older than an interval and a half), so no interval has two.
    const auto periodic = [this] {
        const QDateTime last = m_poller->lastSuccess();
        const bool pollsFlow = m_poller->state() == ServerPoller::State::Up && last.isValid()
            && last.msecsTo(QDateTime::currentDateTimeUtc()) < m_settings.interval.count() * 3 / 2;
        if (!pollsFlow)
            collectOnceSettled();
    };
    if (Result<void> added = m_tasks.every(QLatin1String(CollectTask), m_settings.interval, periodic);
        !added) {
        m_poller->stop();
        if (m_probe) {
            m_probe->stop();
            m_redis->close();
        }
        return added;
    }
    m_started = true;
    qCInfo(lcAgentCollect, "collecting every %lld ms from %s%s", qint64(m_settings.interval.count()),
           qUtf8Printable(m_settings.server.toDisplayString()),
           m_settings.redis ? qUtf8Printable(QStringLiteral(" and Redis at ") + m_settings.redis->displayUrl()) : "");
    return {};
}

void AgentCollector::stop()
{
    if (!m_started)
        return;
    m_started = false;
    m_snapshotHeld = false;
    m_tasks.cancel(QLatin1String(CollectTask));
    m_poller->stop();
    if (m_probe) {
        m_probe->stop();
        m_redis->close();
    }
}

void AgentCollector::collectOnceSettled()
{
    // The first poll usually answers before the first Redis command does; a snapshot then would say
    // Redis is unreachable when nothing is known yet, and consoles would show (and log) a false alarm.
    if (m_probe && !m_probe->settled()) {
        m_snapshotHeld = true;
        return;
    }
    collect();
}

QJsonObject AgentCollector::collect()
{
    const QJsonObject &stats = m_poller->stats();
    const bool live = m_poller->state() == ServerPoller::State::Up;
    QSet<qint64> watched;

    QJsonObject snapshot{
        {QStringLiteral("format"), SnapshotFormat},
        {QStringLiteral("seq"), qint64(++m_sequence)},
        {QStringLiteral("time"), QDateTime::currentMSecsSinceEpoch()},
        {QStringLiteral("interval_ms"), qint64(m_settings.interval.count())},
        {QStringLiteral("instance"), m_poller->instanceId()},
    };

    QJsonObject server = serverJson(stats, live);
    if (const qint64 pid = m_poller->serverPid(); pid > 0) {
        // Sampled whatever the state: a down server whose process still exists is hung, not gone.
        server.insert(QStringLiteral("process"), m_processes.sample(pid).toJson());
        watched.insert(pid);
    }
    snapshot.insert(QStringLiteral("server"), server);

    // The admin API's figures are shown only while the server answers: last-known ones would read
    // as current on a dashboard.
    if (live) {
        const QJsonValue sessions = stats.value(QStringLiteral("sessions"));
        if (sessions.isObject()) {
            const QJsonObject s = sessions.toObject();
            QJsonObject out;
            copy(out, QStringLiteral("total"), s, QStringLiteral("total"));
            copy(out, QStringLiteral("connected"), s, QStringLiteral("connected"));
            copy(out, QStringLiteral("awaiting_resume"), s, QStringLiteral("awaitingResume"));
            copy(out, QStringLiteral("awaiting_hello"), s, QStringLiteral("awaitingHello"));
            snapshot.insert(QStringLiteral("sessions"), out);
        } else if (sessions.isDouble()) { // /health's plain figures
            QJsonObject out{{QStringLiteral("total"), sessions}};
            copy(out, QStringLiteral("connected"), stats, QStringLiteral("connected"));
            snapshot.insert(QStringLiteral("sessions"), out);
        }

        const QJsonValue rooms = stats.value(QStringLiteral("rooms"));
        if (rooms.isObject()) {
            const QJsonObject r = rooms.toObject();
            QJsonObject out;
            copy(out, QStringLiteral("total"), r, QStringLiteral("total"));
            copy(out, QStringLiteral("by_type"), r, QStringLiteral("byType"));
            copy(out, QStringLiteral("clients_by_type"), r, QStringLiteral("clientsByType"));
            snapshot.insert(QStringLiteral("rooms"), out);
        } else if (rooms.isDouble()) {
            snapshot.insert(QStringLiteral("rooms"), QJsonObject{{QStringLiteral("total"), rooms}});
        }

        const QueueMetrics &queues = m_poller->queues();
        QJsonObject matches{{QStringLiteral("formed_total"), queues.matchesFormedTotal()}};
        snapshot.insert(QStringLiteral("queues"), queues.queuesJson());
        QJsonObject matchmaking{{QStringLiteral("wait"), queues.waitJson()}};
        copy(matchmaking, QStringLiteral("queued_sessions"), stats.value(QStringLiteral("matchmaking")).toObject(),
             QStringLiteral("queuedSessions"));
        if (!m_poller->metricsError().isEmpty())
            matchmaking.insert(QStringLiteral("error"), m_poller->metricsError());
        snapshot.insert(QStringLiteral("matchmaking"), matchmaking);

        addTrafficScrape();
        snapshot.insert(QStringLiteral("traffic"), m_traffic.toJson());

        if (const auto &workers = m_poller->workers()) {
            QJsonObject w = workersJson(*workers);
            for (const qint64 pid : m_poller->workerPids())
                watched.insert(pid);
            copy(matches, QStringLiteral("active"), w.value(QStringLiteral("totals")).toObject(),
                 QStringLiteral("total_matches"));
            snapshot.insert(QStringLiteral("workers"), w);
        } else if (!m_poller->workersError().isEmpty()) {
            snapshot.insert(QStringLiteral("workers"), QJsonObject{{QStringLiteral("error"), m_poller->workersError()}});
        }
        snapshot.insert(QStringLiteral("matches"), matches);

        const QJsonObject store = stats.value(QStringLiteral("store")).toObject();
        if (!store.isEmpty()) {
            QJsonObject out;
            copy(out, QStringLiteral("backend"), store, QStringLiteral("backend"));
            copy(out, QStringLiteral("available"), store, QStringLiteral("available"));
            copy(out, QStringLiteral("round_trip_ms"), store, QStringLiteral("roundTripMs"));
            const QString lastError = store.value(QStringLiteral("lastError")).toString();
            if (!lastError.isEmpty())
                out.insert(QStringLiteral("last_error"), lastError);
            snapshot.insert(QStringLiteral("store"), out);
        }
        const QJsonObject pool = store.value(QStringLiteral("pool")).toObject();
        if (!pool.isEmpty()) {
            QJsonObject out;
            const std::pair<const char *, const char *> names[] = {
                {"total", "total"},     {"connected", "connected"}, {"idle", "idle"},
                {"busy", "busy"},       {"in_flight", "inFlight"},  {"waiting", "waiting"},
                {"failed", "failed"},   {"reconnects", "reconnects"}, {"timeouts", "timeouts"}};
            for (const auto &[to, from] : names)
                copy(out, QLatin1String(to), pool, QLatin1String(from));
            snapshot.insert(QStringLiteral("redis_pool"), out);
        }
    }

    if (m_probe) {
        QJsonObject redis = m_probe->figures().toJson();
        redis.insert(QStringLiteral("url"), m_redis->options().displayUrl());
        snapshot.insert(QStringLiteral("redis"), redis);
    }
    QJsonObject host = m_host.sample().toJson();
    host.insert(QStringLiteral("name"), QSysInfo::machineHostName());
    snapshot.insert(QStringLiteral("host"), host);

    m_processes.retainOnly(watched);
    m_lastSnapshot = snapshot;
    emit snapshotReady(snapshot);
    return snapshot;
}

void AgentCollector::addTrafficScrape()
{
    // collect() runs more than once per poll (on serverUp and after the poll); the rates are per poll.
    const QDateTime polledAt = m_poller->lastSuccess();
    if (polledAt == m_trafficPolledAt)
        return;
    m_trafficPolledAt = polledAt;
    // A restarted server counts from zero again, possibly past the old figures by now.
    const QString server = QString::number(m_poller->serverPid()) + QLatin1Char('@')
        + m_poller->stats().value(QStringLiteral("startedAt")).toString();
    if (server != m_trafficServer) {
        m_traffic.reset();
        m_trafficServer = server;
    }
    // The poll has just finished (snapshots follow polls at once), so now is when it was scraped.
    m_traffic.add(m_poller->queues().traffic, TrafficMetrics::Clock::now());
}

QJsonObject AgentCollector::serverJson(const QJsonObject &stats, bool live)
{
    QString state = ServerPoller::stateName(m_poller->state());
    const QString status = stats.value(QStringLiteral("status")).toString();
    const bool draining = stats.value(QStringLiteral("draining")).toBool(false);
    if (live && (status == QLatin1String("shutting_down") || status == QLatin1String("draining") || draining))
        state = QStringLiteral("draining");

    QJsonObject server{
        {QStringLiteral("url"), m_settings.server.toDisplayString()},
        {QStringLiteral("state"), state},
        {QStringLiteral("since"), m_poller->stateSince().toString(Qt::ISODateWithMs)},
    };
    if (m_poller->state() == ServerPoller::State::Down)
        server.insert(QStringLiteral("reason"), m_poller->downReason());
    if (const QDateTime last = m_poller->lastSuccess(); last.isValid()) {
        server.insert(QStringLiteral("last_poll"), last.toString(Qt::ISODateWithMs));
        server.insert(QStringLiteral("last_poll_age_ms"), last.msecsTo(QDateTime::currentDateTimeUtc()));
    }
    if (!m_poller->lastError().isEmpty())
        server.insert(QStringLiteral("error"), m_poller->lastError());
    if (const qint64 pid = m_poller->serverPid(); pid > 0)
        server.insert(QStringLiteral("pid"), pid);
    if (live) {
        server.insert(QStringLiteral("status"), status);
        server.insert(QStringLiteral("draining"), draining);
        copy(server, QStringLiteral("version"), stats, QStringLiteral("version"));
        copy(server, QStringLiteral("started_at"), stats, QStringLiteral("startedAt"));
        copy(server, QStringLiteral("uptime_s"), stats, QStringLiteral("uptimeSeconds"));
        copy(server, QStringLiteral("player_port"), stats, QStringLiteral("playerPort"));
        copy(server, QStringLiteral("connections_accepted"), stats, QStringLiteral("connectionsAccepted"));
        // The instance's lease in the fleet registry: {state, epoch, ttl_ms, lost, renewed_at, lease_until}.
        if (const QJsonValue lease = stats.value(QStringLiteral("lease")); lease.isObject()) {
            QJsonObject out;
            for (const char *key : {"state", "epoch", "ttl_ms", "lost", "renewed_at", "lease_until", "error"})
                copy(out, QLatin1String(key), lease.toObject(), QLatin1String(key));
            server.insert(QStringLiteral("lease"), out);
        }
        // With Redis shared with other instances: {stand_ins, remote_rooms, orphans} (docs/OPERATIONS.md).
        if (const QJsonValue cluster = stats.value(QStringLiteral("cluster")); cluster.isObject()) {
            const QJsonObject c = cluster.toObject();
            server.insert(QStringLiteral("cluster"),
                          QJsonObject{{QStringLiteral("stand_ins"), c.value(QStringLiteral("standIns"))},
                                      {QStringLiteral("remote_rooms"), c.value(QStringLiteral("remoteRooms"))},
                                      {QStringLiteral("orphans"), c.value(QStringLiteral("orphans"))}});
        }
    }
    return server;
}

QJsonObject AgentCollector::workersJson(const QJsonObject &workerStats)
{
    QJsonArray list;
    double cpu = 0.0;
    bool anyCpu = false;
    qint64 rss = 0, fds = 0, threads = 0;
    bool anyRss = false, anyFds = false, anyThreads = false;
    for (const QJsonValue &value : workerStats.value(QStringLiteral("workers")).toArray()) {
        QJsonObject worker = value.toObject();
        const qint64 pid = worker.value(QStringLiteral("pid")).toInteger();
        if (pid > 0) {
            // The agent's own reading wins over the server's (same source, read now); the server's
            // stays where the agent has none yet (CPU needs two samples).
            const ProcessSampler::Sample s = m_processes.sample(pid);
            worker.insert(QStringLiteral("exists"), s.exists);
            if (s.cpuPercent)
                worker.insert(QStringLiteral("cpu_percent"), rounded2(*s.cpuPercent));
            if (s.rssKb)
                worker.insert(QStringLiteral("rss_kb"), *s.rssKb);
            if (s.fds)
                worker.insert(QStringLiteral("fds"), *s.fds);
            if (s.threads)
                worker.insert(QStringLiteral("threads"), *s.threads);
        }
        if (const QJsonValue c = worker.value(QStringLiteral("cpu_percent")); c.isDouble()) {
            cpu += c.toDouble();
            anyCpu = true;
        }
        if (const QJsonValue r = worker.value(QStringLiteral("rss_kb")); r.isDouble()) {
            rss += r.toInteger();
            anyRss = true;
        }
        if (const QJsonValue f = worker.value(QStringLiteral("fds")); f.isDouble()) {
            fds += f.toInteger();
            anyFds = true;
        }
        if (const QJsonValue t = worker.value(QStringLiteral("threads")); t.isDouble()) {
            threads += t.toInteger();
            anyThreads = true;
        }
        list.append(worker);
    }
    QJsonObject totals = workerStats.value(QStringLiteral("pool")).toObject();
    if (anyCpu)
        totals.insert(QStringLiteral("cpu_percent"), rounded2(cpu));
    if (anyRss)
        totals.insert(QStringLiteral("rss_kb"), rss);
    if (anyFds)
        totals.insert(QStringLiteral("fds"), fds);
    if (anyThreads)
        totals.insert(QStringLiteral("threads"), threads);
    return QJsonObject{{QStringLiteral("list"), list}, {QStringLiteral("totals"), totals}};
}

} // namespace arena
