// CtlRunner: carries out one arena-ctl command — connect to the agent, authenticate, send the query or
// action (or wait for the fleet), print the answer — and reports the exit code.
#pragma once

#include "shared/client/adminclient.h"
#include "tools/ctl/ctlexitcode.h"
#include "tools/ctl/ctloptions.h"

#include <QObject>
#include <QTextStream>
#include <QTimer>

#include <functional>

namespace arena::ctl {

class CtlRunner final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CtlRunner)

public:
    // Output goes to `out` (the result) and `err` (errors), which must outlive the runner.
    CtlRunner(CtlOptions options, QTextStream &out, QTextStream &err, QObject *parent = nullptr);

    // Starts the command; finished() follows exactly once.
    void start();
    // The clock ages are computed against (ms since the Unix epoch).
    void setClock(std::function<qint64()> nowMs) { m_now = std::move(nowMs); }

Q_SIGNALS:
    void finished(int exitCode);

private:
    void onAuthenticated();
    void onFailed(const protocol::ErrorInfo &error);
    void onFleet(const protocol::Fleet &fleet);
    void onActionResult(protocol::ActionKind kind, const protocol::ActionResult &result);
    void onQueryResult(const protocol::QueryResult &result);
    void sendAction(protocol::ActionKind kind, const QJsonObject &params);
    // Prints the error (stderr; with --json also stdout) and finishes with `code`.
    void fail(ExitCode code, const QString &errorCode, const QString &message, const protocol::RawJson &result = {});
    void finish(ExitCode code);

    CtlOptions m_options;
    QTextStream &m_out;
    QTextStream &m_err;
    AdminClient m_client;
    QTimer m_deadline;
    QString m_waitingFor = QStringLiteral("connecting");
    std::function<qint64()> m_now;
    bool m_done = false;
};

} // namespace arena::ctl
