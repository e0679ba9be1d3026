// ServerPoller: reads one arena-server's admin API every interval (health and stats, worker pool,
// Prometheus metrics) and keeps whether the server is up or down.
#pragma once

#include "agent/queuemetrics.h"
#include "shared/core/taskregistry.h"
#include "shared/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QElapsedTimer>
#include <QJsonObject>
#include <QList>
#include <QNetworkRequest>
#include <QObject>
#include <QSslConfiguration>
#include <QString>
#include <QTimer>
#include <QUrl>

#include <chrono>
#include <memory>
#include <optional>

class QNetworkAccessManager;
class QNetworkReply;

namespace arena {

// A poll is GET /health/stats, GET /workers/stats and GET /metrics at once, each with its own timeout.
// The poll succeeds when /health/stats answers 200 with a JSON object; the other two only fill in
// their figures (a 503 from /workers/stats means the server runs no worker pool, which is not an
// error). The server is Down once no poll has succeeded for `downAfter` — measured from the last
// success (or from start()), by a deadline timer rather than at poll time, so it is reported on time
// even while requests hang — and Up again on the next success. Polls run as the async task
// "agent.server.poll" of the given registry, so a poll still running when the next is due is skipped
// rather than piled up.
class ServerPoller final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ServerPoller)

public:
    enum class State { Unknown, Up, Down };
    Q_ENUM(State)

    struct Settings
    {
        QUrl baseUrl = QUrl(QStringLiteral("http://127.0.0.1:4601"));
        QByteArray token; // sent as "Authorization: Bearer <token>" when not empty
        std::chrono::milliseconds interval{1000};
        std::chrono::milliseconds requestTimeout{1000};
        std::chrono::milliseconds downAfter{3000};
        // For an https:// admin API: whom to trust (e.g. the CA of a private certificate); none: the
        // system's trust store.
        std::optional<QSslConfiguration> tls;
    };

    ServerPoller(Settings settings, TaskRegistry &tasks, QObject *parent = nullptr);
    ~ServerPoller() override; // stop()

    // Registers the poll task and polls at once. Errors: "invalid_settings" (a base URL that is not
    // http(s), an interval or timeout below 1 ms), or the registry's.
    Result<void> start();
    // Cancels the task and the requests in flight; state and figures stay as they are.
    void stop();

    const Settings &settings() const { return m_settings; }
    // A request to the server's admin API at `url`, with the timeout, token and TLS settings.
    QNetworkRequest request(const QUrl &url, std::chrono::milliseconds timeout) const;
    State state() const { return m_state; }
    static QString stateName(State state); // unknown, up, down
    QDateTime stateSince() const { return m_stateSince; } // UTC
    QString downReason() const { return m_downReason; }   // while Down

    // Figures of the last successful poll (empty before the first).
    const QJsonObject &stats() const { return m_stats; }  // GET /health/stats
    QDateTime lastSuccess() const { return m_lastSuccess; } // UTC; invalid before the first
    QString lastError() const { return m_lastError; }     // of the last failed poll; cleared on success
    // GET /workers/stats of the last successful poll; empty when the server runs no worker pool (503)
    // or the request failed (then workersError() says why).
    const std::optional<QJsonObject> &workers() const { return m_workers; }
    QString workersError() const { return m_workersError; }
    // From GET /metrics; metricsError() says why it is empty or old.
    const QueueMetrics &queues() const { return m_queues; }
    QString metricsError() const { return m_metricsError; }

    QString instanceId() const;    // "instance" of the health; empty before the first poll
    qint64 serverPid() const;      // "pid" of the health; 0 when unknown
    QList<qint64> workerPids() const;

    // The request URL for an admin API path (the base URL's path is kept as a prefix).
    QUrl urlFor(const QString &path) const;

Q_SIGNALS:
    void serverUp();
    void serverDown(const QString &reason);
    // After every poll, with whether /health/stats answered.
    void polled(bool ok);

private:
    struct Round;
    struct Answer
    {
        int status = 0; // HTTP status; 0 when there was none
        QByteArray body;
        QString error;  // transport error or HTTP error, with the path
    };

    void poll(const TaskRegistry::Done &done);
    void get(const std::shared_ptr<Round> &round, const QString &path, Answer Round::*slot);
    void finish(const Round &round, const TaskRegistry::Done &done);
    void setState(State state, const QString &reason);
    void armDownDeadline();
    void onDownDeadline();

    Settings m_settings;
    TaskRegistry &m_tasks;
    QNetworkAccessManager *m_network;
    QList<QNetworkReply *> m_inFlight;
    QTimer m_downTimer;
    bool m_started = false;
    quint64 m_generation = 0; // answers of polls from before stop() are dropped

    State m_state = State::Unknown;
    QDateTime m_stateSince;
    QString m_downReason;
    QJsonObject m_stats;
    QDateTime m_lastSuccess;
    QString m_lastError;
    std::optional<QJsonObject> m_workers;
    QString m_workersError;
    QueueMetrics m_queues;
    QString m_metricsError;
};

} // namespace arena
