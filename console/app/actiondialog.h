// ActionDialog: what every action dialog shares — sending the action through the session's client,
// a busy bar while it runs, and a status line with the outcome in words (the agent's error code and
// message on failure).
#pragma once

#include "shared/protocol/adminmessages.h"

#include <QDialog>
#include <QJsonObject>

#include <functional>
#include <optional>

class QLabel;
class QProgressBar;

namespace arena::console {

class ConsoleSession;

class ActionDialog : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActionDialog)

public:
    enum class Phase { Idle, Previewing, Previewed, Running, Done, Failed };
    Q_ENUM(Phase)

    Phase phase() const { return m_phase; }
    QString statusText() const;
    bool isBusy() const { return m_phase == Phase::Previewing || m_phase == Phase::Running; }

Q_SIGNALS:
    void phaseChanged(arena::console::ActionDialog::Phase phase);

protected:
    enum class Tone { Neutral, Busy, Success, Error };

    ActionDialog(ConsoleSession &session, QWidget *parent);

    // The status line and busy bar, for the subclass's layout.
    QWidget *statusArea() const { return m_statusArea; }
    // Sends the action; `done` runs with the answer unless the dialog is gone by then. Sets the phase to
    // Previewing (dry run) or Running, and the status to `busyText`.
    void send(protocol::ActionKind kind, const std::optional<QString> &target, const QJsonObject &params, bool dryRun,
              const QString &busyText, std::function<void(const protocol::ActionResult &)> done);
    void setStatus(const QString &text, Tone tone);
    void setPhase(Phase phase);
    // A failed answer: the status says what went wrong, the phase becomes Failed.
    void showFailure(const QString &what, const protocol::ActionResult &result);
    // The session allows actions (operator token, connected); otherwise the status says why.
    bool checkAllowed();

    ConsoleSession &m_session;

private:
    QWidget *m_statusArea = nullptr;
    QLabel *m_status = nullptr;
    QProgressBar *m_busy = nullptr;
    Phase m_phase = Phase::Idle;
};

} // namespace arena::console
