#include "tools/ctl/ctlrunner.h"

#include "tools/ctl/ctlformat.h"

#include <QDateTime>

namespace arena::ctl {

using protocol::ActionKind;
using protocol::ErrorCode;
using protocol::QueryKind;

CtlRunner::CtlRunner(CtlOptions options, QTextStream &out, QTextStream &err, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_out(out), m_err(err), m_client(this),
      m_now([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    m_deadline.setSingleShot(true);
    connect(&m_deadline, &QTimer::timeout, this, [this] {
        fail(ExitCode::Timeout, QStringLiteral("timeout"),
             QStringLiteral("no answer from the agent at %1 within %2 ms (%3)")
                 .arg(m_options.agent.toDisplayString())
                 .arg(m_options.timeoutMs)
                 .arg(m_waitingFor));
    });
    // --timeout-ms decides: the client's own limits are set beyond it.
    const std::chrono::milliseconds beyond(qint64(m_options.timeoutMs) + 5000);
    m_client.setRequestTimeout(beyond);
    m_client.setHandshakeTimeout(beyond);
    connect(&m_client, &AdminClient::authenticated, this, &CtlRunner::onAuthenticated);
    connect(&m_client, &AdminClient::failed, this, &CtlRunner::onFailed);
    connect(&m_client, &AdminClient::fleetReceived, this, &CtlRunner::onFleet);
    connect(&m_client, &AdminClient::disconnected, this, [this] {
        // Requests in flight are failed by the client (and reported there); this covers `fleet`.
        fail(ExitCode::Unreachable, QStringLiteral("unavailable"),
             QStringLiteral("the agent closed the connection (%1)").arg(m_waitingFor));
    });
}

void CtlRunner::start()
{
    m_deadline.start(m_options.timeoutMs);
    m_waitingFor = QStringLiteral("connecting");
    m_client.connectTo(m_options.agent, m_options.token);
}

void CtlRunner::onAuthenticated()
{
    const QJsonObject none;
    switch (m_options.command) {
    case Command::Fleet:
        m_waitingFor = QStringLiteral("waiting for the fleet");
        return; // the agent pushes it at once
    case Command::Stats:
    case Command::Rooms:
    case Command::Audit: {
        QueryKind kind = QueryKind::Snapshot;
        QJsonObject params;
        std::optional<QString> target = m_options.instance;
        if (m_options.command == Command::Rooms) {
            kind = QueryKind::Rooms;
            if (m_options.roomType)
                params.insert(QStringLiteral("type"), *m_options.roomType);
        } else if (m_options.command == Command::Audit) {
            kind = QueryKind::Audit;
            params.insert(QStringLiteral("count"), m_options.count);
            target.reset();
        }
        m_waitingFor = QStringLiteral("waiting for the %1 query").arg(protocol::queryKindName(kind));
        m_client.query(kind, target, params, [this](const protocol::QueryResult &r) { onQueryResult(r); });
        return;
    }
    case Command::Cleanup:
        sendAction(ActionKind::Cleanup, none);
        return;
    case Command::WorkersScale:
        sendAction(ActionKind::ScaleWorkers, {{QStringLiteral("workers"), m_options.workers}});
        return;
    case Command::WorkersRestart:
        sendAction(ActionKind::RestartWorker, {{QStringLiteral("worker"), m_options.workerId}});
        return;
    case Command::WorkersDrain: {
        QJsonObject params{{QStringLiteral("worker"), m_options.workerId}};
        if (m_options.deadlineMs)
            params.insert(QStringLiteral("deadline_ms"), *m_options.deadlineMs);
        sendAction(ActionKind::DrainWorker, params);
        return;
    }
    case Command::Drain: {
        QJsonObject params;
        if (m_options.cancel)
            params.insert(QStringLiteral("cancel"), true);
        if (m_options.deadlineMs)
            params.insert(QStringLiteral("deadline_ms"), *m_options.deadlineMs);
        sendAction(ActionKind::DrainInstance, params);
        return;
    }
    case Command::RoomsDispose:
        sendAction(ActionKind::DisposeRoom, {{QStringLiteral("room_id"), m_options.roomId}});
        return;
    }
}

void CtlRunner::sendAction(ActionKind kind, const QJsonObject &params)
{
    m_waitingFor = QStringLiteral("waiting for the %1 action's result").arg(protocol::actionKindName(kind));
    m_client.action(kind, m_options.instance, params, m_options.dryRun,
                    [this, kind](const protocol::ActionResult &r) { onActionResult(kind, r); });
}

void CtlRunner::onFailed(const protocol::ErrorInfo &error)
{
    const QString code = protocol::errorCodeName(error.code);
    if (error.code == ErrorCode::Unauthorized) {
        QString message = QStringLiteral("authentication failed: the agent refused the token (%1)").arg(error.message);
        if (m_options.token.isEmpty())
            message += QStringLiteral("; no token was given (--token-file, --token or ARENA_TOKEN)");
        fail(exitCodeForAuthError(error.code), code, message);
        return;
    }
    fail(exitCodeForAuthError(error.code), code, error.message);
}

void CtlRunner::onFleet(const protocol::Fleet &fleet)
{
    if (m_options.command != Command::Fleet || m_done)
        return;
    if (m_options.json)
        m_out << QString::fromUtf8(fleetJson(fleet));
    else
        m_out << fleetTable(fleet, m_now());
    finish(ExitCode::Ok);
}

void CtlRunner::onActionResult(ActionKind kind, const protocol::ActionResult &result)
{
    if (m_done)
        return;
    if (result.ok) {
        if (m_options.json)
            m_out << QString::fromUtf8(resultJson(result.result));
        else
            m_out << actionText(kind, m_options.instance, m_options.dryRun, result.result.toJsonObject());
        finish(ExitCode::Ok);
        return;
    }
    const protocol::ErrorInfo error = result.error.value_or(
        protocol::ErrorInfo{ErrorCode::Internal, QStringLiteral("the action failed without saying why")});
    // A fleet cleanup that failed on some instances still says what the others did.
    if (!m_options.json && !result.result.toJsonObject().isEmpty())
        m_out << actionText(kind, m_options.instance, m_options.dryRun, result.result.toJsonObject());
    fail(exitCodeForRequestError(error.code, m_client.state() == AdminClient::State::Ready),
         protocol::errorCodeName(error.code), error.message, result.result);
}

void CtlRunner::onQueryResult(const protocol::QueryResult &result)
{
    if (m_done)
        return;
    if (!result.ok) {
        const protocol::ErrorInfo error = result.error.value_or(
            protocol::ErrorInfo{ErrorCode::Internal, QStringLiteral("the query failed without saying why")});
        fail(exitCodeForRequestError(error.code, m_client.state() == AdminClient::State::Ready),
             protocol::errorCodeName(error.code), error.message);
        return;
    }
    if (m_options.json) {
        m_out << QString::fromUtf8(resultJson(result.result));
    } else {
        const QJsonObject r = result.result.toJsonObject();
        switch (result.kind) {
        case QueryKind::Rooms: m_out << roomsTable(r); break;
        case QueryKind::Audit: m_out << auditTable(r); break;
        case QueryKind::Snapshot: m_out << statsText(r, m_now()); break;
        }
    }
    finish(ExitCode::Ok);
}

void CtlRunner::fail(ExitCode code, const QString &errorCode, const QString &message, const protocol::RawJson &result)
{
    if (m_done)
        return;
    m_err << QStringLiteral("arena-ctl: %1: %2\n").arg(errorCode, message);
    if (m_options.json)
        m_out << QString::fromUtf8(errorJson(errorCode, message, result));
    finish(code);
}

void CtlRunner::finish(ExitCode code)
{
    if (m_done)
        return;
    m_done = true;
    m_deadline.stop();
    m_out.flush();
    m_err.flush();
    m_client.disconnectFromAgent();
    emit finished(int(code));
}

} // namespace arena::ctl
