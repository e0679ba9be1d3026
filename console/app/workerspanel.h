// WorkersPanel: the workers of the selected instance, with [Restart…] and [Drain…] for the selected one.
#pragma once

#include <QWidget>

class QLabel;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace arena::console {

class WorkersModel;

class WorkersPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkersPanel)

public:
    explicit WorkersPanel(WorkersModel &model, QWidget *parent = nullptr);

    // "" when the whole fleet is selected: there is nobody's workers to show.
    void setInstance(const QString &instance);
    QString instance() const { return m_instance; }
    // Whether the buttons may act, and if not why (their tooltip).
    void setActionsAllowed(bool allowed, const QString &reason);

    QString selectedWorker() const;
    QTableView *view() const { return m_view; }
    QPushButton *restartButton() const { return m_restart; }
    QPushButton *drainButton() const { return m_drain; }

Q_SIGNALS:
    void restartRequested(const QString &instance, const QString &worker);
    void drainRequested(const QString &instance, const QString &worker);

private:
    void updateButtons();

    WorkersModel &m_model;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QLabel *m_title = nullptr;
    QPushButton *m_restart = nullptr;
    QPushButton *m_drain = nullptr;
    QString m_instance;
    bool m_allowed = false;
    QString m_reason;
};

} // namespace arena::console
