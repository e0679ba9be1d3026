// DrainDialog: drain an instance (no new sessions, rooms, tickets or matches; it hands over and stops
// by a deadline), or cancel the drain of one that is draining. A dry run shows what is left on it.
#pragma once

#include "console/app/actiondialog.h"

class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace arena::console {

class DrainDialog final : public ActionDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(DrainDialog)

public:
    // `draining`: what the fleet table says now; the dry run's answer replaces it.
    DrainDialog(ConsoleSession &session, const QString &instance, bool draining, QWidget *parent = nullptr);

    QSpinBox *deadlineBox() const { return m_deadline; }
    QPushButton *drainButton() const { return m_drain; }
    QPushButton *cancelDrainButton() const { return m_cancelDrain; }
    QString resultText() const;
    bool isDraining() const { return m_draining; }

public Q_SLOTS:
    void runPreview();
    void drain();
    void cancelDrain();

private:
    void run(bool cancel);
    void updateButtons();

    QString m_instance;
    bool m_draining = false;
    QSpinBox *m_deadline = nullptr;
    QPlainTextEdit *m_result = nullptr;
    QPushButton *m_drain = nullptr;
    QPushButton *m_cancelDrain = nullptr;
};

} // namespace arena::console
