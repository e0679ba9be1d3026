// CleanupDialog: cleanup of one instance or the whole fleet — a dry run first, whose preview lists
// what would be removed per instance and kind; [Run cleanup] then runs it and shows what was removed.
#pragma once

#include "console/app/actiondialog.h"

class QPushButton;
class QRadioButton;
class QTreeWidget;

namespace arena::console {

class CleanupDialog final : public ActionDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CleanupDialog)

public:
    // `instance`: the instance selected in the fleet table ("" when the whole fleet is); the dialog
    // starts with the matching scope and previews at once.
    CleanupDialog(ConsoleSession &session, const QString &instance, QWidget *parent = nullptr);

    bool isFleetScope() const;
    void setFleetScope(bool fleet);
    QTreeWidget *preview() const { return m_tree; }
    QPushButton *runButton() const { return m_run; }
    QPushButton *previewButton() const { return m_previewButton; }
    // Items (would be) removed over every instance, from the last answer.
    int lastTotal() const { return m_total; }

public Q_SLOTS:
    void runPreview();
    void runCleanup();

private:
    std::optional<QString> target() const;
    // Fills the tree from a result: a single instance's report, or a fleet's {"instances": {...}}.
    void showReport(const QJsonObject &result, bool dryRun);
    int addInstance(const QString &instance, const QJsonObject &report, bool dryRun);
    void updateButtons();

    QString m_instance;
    QRadioButton *m_scopeInstance = nullptr;
    QRadioButton *m_scopeFleet = nullptr;
    QTreeWidget *m_tree = nullptr;
    QPushButton *m_run = nullptr;
    QPushButton *m_previewButton = nullptr;
    int m_total = 0;
};

} // namespace arena::console
