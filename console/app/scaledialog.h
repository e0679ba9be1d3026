// ScaleDialog: set the number of match workers of one instance — the current count and the pool's
// limits shown, a dry run preview, then apply.
#pragma once

#include "console/app/actiondialog.h"

class QLabel;
class QPlainTextEdit;
class QPushButton;
class QSpinBox;

namespace arena::console {

class ScaleDialog final : public ActionDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ScaleDialog)

public:
    // `currentWorkers`: the count the fleet table shows, until the instance's snapshot says more.
    ScaleDialog(ConsoleSession &session, const QString &instance, int currentWorkers, QWidget *parent = nullptr);

    QSpinBox *workersBox() const { return m_workers; }
    QPushButton *previewButton() const { return m_preview; }
    QPushButton *applyButton() const { return m_apply; }
    QString resultText() const;

public Q_SLOTS:
    void runPreview();
    void apply();

private:
    void loadPool();
    void updateButtons();

    QString m_instance;
    int m_current = 0;
    int m_previewed = -1; // the count the last successful dry run was for
    QLabel *m_currentLabel = nullptr;
    QSpinBox *m_workers = nullptr;
    QPlainTextEdit *m_result = nullptr;
    QPushButton *m_preview = nullptr;
    QPushButton *m_apply = nullptr;
};

} // namespace arena::console
