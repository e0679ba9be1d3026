// WorkerActionDialog: restart or drain one worker of an instance — the dry run shows the worker and the
// matches that would move, then the operator confirms (a drain with an optional deadline).
#pragma once

#include "console/app/actiondialog.h"

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace arena::console {

class WorkerActionDialog final : public ActionDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkerActionDialog)

public:
    enum class Mode { Restart, Drain };

    WorkerActionDialog(ConsoleSession &session, Mode mode, const QString &instance, const QString &worker,
                       QWidget *parent = nullptr);

    Mode mode() const { return m_mode; }
    QPushButton *confirmButton() const { return m_confirm; }
    QSpinBox *deadlineBox() const { return m_deadline; } // nullptr for a restart
    QString resultText() const;

public Q_SLOTS:
    void runPreview();
    void confirm();

private:
    protocol::ActionKind kind() const;
    QJsonObject params() const;
    void updateButtons();

    Mode m_mode;
    QString m_instance;
    QString m_worker;
    QPlainTextEdit *m_result = nullptr;
    QSpinBox *m_deadline = nullptr;
    QPushButton *m_confirm = nullptr;
};

} // namespace arena::console
