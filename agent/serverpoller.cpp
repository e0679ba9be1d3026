#include "agent/serverpoller.h"

#include "agent/agentlog.h"
#include "agent/metricstext.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonParseError>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QNetworkRequest>

#include <utility>

namespace arena {

namespace {

constexpr char PollTask[] = "agent.server.poll";

Result<QJsonObject> jsonObject(const QByteArray &body, const QString &path)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(body, &error);
    if (error.error != QJsonParseError::NoError)
        return Error{QStringLiteral("invalid_reply"),
                     QStringLiteral("GET %1: the body is not JSON (%2)").arg(path, error.errorString())};
    if (!doc.isObject())
        return Error{QStringLiteral("invalid_reply"), QStringLiteral("GET %1: the body is not a JSON object").arg(path)};
    return doc.object();
}

} // namespace

// The three answers of one poll; the poll is complete when `left` reaches 0.
struct ServerPoller::Round
{
    Answer health;
    Answer workers;
    Answer metrics;
    int left = 3;
    quint64 generation = 0;
    TaskRegistry::Done done;
};

ServerPoller::ServerPoller(Settings settings, TaskRegistry &tasks, QObject *parent)
    : QObject(parent), m_settings(std::move(settings)), m_tasks(tasks), m_network(new QNetworkAccessManager(this))
{
    // The agent sits beside its server: a proxy from the environment would only blur "server down".
    m_network->setProxy(QNetworkProxy::NoProxy);
    m_downTimer.setSingleShot(true);
    m_downTimer.setTimerType(Qt::PreciseTimer);
    connect(&m_downTimer, &QTimer::timeout, this, &ServerPoller::onDownDeadline);
    m_stateSince = QDateTime::currentDateTimeUtc();
}

ServerPoller::~ServerPoller()
{
    stop();
}

QString ServerPoller::stateName(State state)
{
    switch (state) {
    case State::Unknown: return QStringLiteral("unknown");
    case State::Up: return QStringLiteral("up");
    case State::Down: return QStringLiteral("down");
    }
    return {};
}

Result<void> ServerPoller::start()
{
    if (m_started)
        return {};
    const QString scheme = m_settings.baseUrl.scheme();
    if (!m_settings.baseUrl.isValid() || m_settings.baseUrl.host().isEmpty()
        || (scheme != QLatin1String("http") && scheme != QLatin1String("https")))
        return Error{QStringLiteral("invalid_settings"),
                     QStringLiteral("the server URL must be http://host:port, not \"%1\"")
                         .arg(m_settings.baseUrl.toDisplayString())};
    if (m_settings.interval.count() < 1 || m_settings.requestTimeout.count() < 1 || m_settings.downAfter.count() < 1)
        return Error{QStringLiteral("invalid_settings"),
                     QStringLiteral("poll interval, request timeout and down delay must be at least 1 ms")};
    if (Result<void> added = m_tasks.everyAsync(QLatin1String(PollTask), m_settings.interval,
                                                [this](const TaskRegistry::Done &done) { poll(done); });
        !added)
        return added;
    m_started = true;
    armDownDeadline(); // a server that never answers is down `downAfter` after we started
    (void)m_tasks.runNow(QLatin1String(PollTask));
    return {};
}

void ServerPoller::stop()
{
    if (!m_started)
        return;
    m_started = false;
    ++m_generation;
    m_tasks.cancel(QLatin1String(PollTask));
    m_downTimer.stop();
    for (QNetworkReply *reply : std::exchange(m_inFlight, {}))
        reply->abort(); // its finished handler sees the old generation and drops the answer
}

QString ServerPoller::instanceId() const
{
    return m_stats.value(QStringLiteral("instance")).toString();
}

qint64 ServerPoller::serverPid() const
{
    return m_stats.value(QStringLiteral("pid")).toInteger();
}

QList<qint64> ServerPoller::workerPids() const
{
    QList<qint64> pids;
    if (!m_workers)
        return pids;
    for (const QJsonValue &w : m_workers->value(QStringLiteral("workers")).toArray()) {
        const qint64 pid = w.toObject().value(QStringLiteral("pid")).toInteger();
        if (pid > 0)
            pids.append(pid);
    }
    return pids;
}

QUrl ServerPoller::urlFor(const QString &path) const
{
    QUrl url = m_settings.baseUrl;
    QString prefix = url.path();
    while (prefix.endsWith(QLatin1Char('/')))
        prefix.chop(1);
    url.setPath(prefix + path);
    return url;
}

void ServerPoller::poll(const TaskRegistry::Done &done)
{
    auto round = std::make_shared<Round>();
    round->generation = m_generation;
    round->done = done;
    get(round, QStringLiteral("/health/stats"), &Round::health);
    get(round, QStringLiteral("/workers/stats"), &Round::workers);
    get(round, QStringLiteral("/metrics"), &Round::metrics);
}

QNetworkRequest ServerPoller::request(const QUrl &url, std::chrono::milliseconds timeout) const
{
    QNetworkRequest request(url);
    request.setTransferTimeout(int(timeout.count()));
    if (!m_settings.token.isEmpty())
        request.setRawHeader(QByteArrayLiteral("Authorization"), QByteArrayLiteral("Bearer ") + m_settings.token);
    if (m_settings.tls)
        request.setSslConfiguration(*m_settings.tls);
    return request;
}

void ServerPoller::get(const std::shared_ptr<Round> &round, const QString &path, Answer Round::*slot)
{
    QNetworkReply *reply = m_network->get(request(urlFor(path), m_settings.requestTimeout));
    m_inFlight.append(reply);
    connect(reply, &QNetworkReply::finished, this, [this, reply, round, path, slot] {
        m_inFlight.removeOne(reply);
        reply->deleteLater();
        if (round->generation != m_generation)
            return;
        Answer &answer = (*round).*slot;
        answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        answer.body = reply->readAll();
        if (answer.status == 0) {
            // No HTTP answer at all. The transfer timeout aborts the reply, which Qt reports as
            // "Operation canceled"; say what happened instead.
            const QString why = reply->error() == QNetworkReply::OperationCanceledError
                ? QStringLiteral("no answer within %1 ms").arg(m_settings.requestTimeout.count())
                : reply->errorString();
            answer.error = QStringLiteral("GET %1: %2").arg(path, why);
        } else if (answer.status != 200) {
            // The admin API's errors are {"error": code, "message": text}.
            const QString message = QJsonDocument::fromJson(answer.body).object().value(QStringLiteral("message")).toString();
            answer.error = QStringLiteral("GET %1: HTTP %2%3")
                               .arg(path)
                               .arg(answer.status)
                               .arg(message.isEmpty() ? QString() : QStringLiteral(" ") + message);
        }
        if (--round->left == 0)
            finish(*round, round->done);
    });
}

void ServerPoller::finish(const Round &round, const TaskRegistry::Done &done)
{
    QString failure = round.health.error;
    if (failure.isEmpty()) {
        Result<QJsonObject> stats = jsonObject(round.health.body, QStringLiteral("/health/stats"));
        if (stats)
            m_stats = std::move(stats).value();
        else
            failure = stats.error().message;
    }
    if (!failure.isEmpty()) {
        // The figures of the last success stay; the state turns Down at the deadline, not here.
        m_lastError = failure;
        emit polled(false);
        done(Error{QStringLiteral("unavailable"), failure});
        return;
    }

    if (round.workers.status == 503) {
        m_workers.reset(); // --workers-max 0: no pool to report, which is fine
        m_workersError.clear();
    } else if (!round.workers.error.isEmpty()) {
        m_workers.reset();
        m_workersError = round.workers.error;
    } else if (Result<QJsonObject> workers = jsonObject(round.workers.body, QStringLiteral("/workers/stats")); workers) {
        m_workers = std::move(workers).value();
        m_workersError.clear();
    } else {
        m_workers.reset();
        m_workersError = workers.error().message;
    }

    if (!round.metrics.error.isEmpty()) {
        m_queues = QueueMetrics();
        m_metricsError = round.metrics.error;
    } else if (Result<MetricsText> metrics = MetricsText::parse(round.metrics.body); metrics) {
        m_queues = QueueMetrics::fromSamples(metrics->samples);
        m_metricsError.clear();
    } else {
        m_queues = QueueMetrics();
        m_metricsError = QStringLiteral("GET /metrics: ") + metrics.error().message;
    }

    m_lastSuccess = QDateTime::currentDateTimeUtc();
    m_lastError.clear();
    armDownDeadline();
    setState(State::Up, QString());
    emit polled(true);
    done(Result<void>());
}

void ServerPoller::setState(State state, const QString &reason)
{
    if (state == m_state)
        return;
    m_state = state;
    m_stateSince = QDateTime::currentDateTimeUtc();
    const QString url = m_settings.baseUrl.toDisplayString();
    if (state == State::Down) {
        m_downReason = reason;
        qCWarning(lcAgentCollect, "server at %s is down: %s", qUtf8Printable(url), qUtf8Printable(reason));
        emit serverDown(reason);
    } else if (state == State::Up) {
        m_downReason.clear();
        qCInfo(lcAgentCollect, "server at %s is up (instance %s)", qUtf8Printable(url), qUtf8Printable(instanceId()));
        emit serverUp();
    }
}

void ServerPoller::armDownDeadline()
{
    m_downTimer.start(m_settings.downAfter);
}

void ServerPoller::onDownDeadline()
{
    const QString since = m_lastSuccess.isValid() ? QStringLiteral("no successful poll for %1 ms")
                                                        .arg(m_settings.downAfter.count())
                                                  : QStringLiteral("no successful poll within %1 ms of starting")
                                                        .arg(m_settings.downAfter.count());
    setState(State::Down, m_lastError.isEmpty() ? since : since + QStringLiteral(": ") + m_lastError);
}

} // namespace arena
