// RoomsDialog: the rooms of one instance (the `rooms` query) — a table, the selected room's metadata and
// members, and Dispose for an operator.
#pragma once

#include <QDialog>
#include <QString>

class QLabel;
class QLineEdit;
class QPlainTextEdit;
class QPushButton;
class QSortFilterProxyModel;
class QTableView;

namespace arena::console {

class ConsoleSession;
class RoomsModel;

class RoomsDialog final : public QDialog
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoomsDialog)

public:
    RoomsDialog(ConsoleSession &session, const QString &instance, QWidget *parent = nullptr);

    QString instance() const { return m_instance; }
    RoomsModel *model() const { return m_model; }
    QTableView *view() const { return m_view; }
    QPlainTextEdit *details() const { return m_details; }
    QPushButton *disposeButton() const { return m_dispose; }
    QString statusText() const;
    QString selectedRoom() const;
    // Refreshes done so far (each answered query counts).
    int loads() const { return m_loads; }

public Q_SLOTS:
    void refresh();
    // Disposes the selected room; asks first unless `confirmed`.
    void disposeSelected(bool confirmed = false);

Q_SIGNALS:
    void loaded();

private:
    void showDetails();
    void setStatus(const QString &text, bool error);
    void updateButtons();

    ConsoleSession &m_session;
    QString m_instance;
    RoomsModel *m_model = nullptr;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QPlainTextEdit *m_details = nullptr;
    QLineEdit *m_type = nullptr;
    QLabel *m_status = nullptr;
    QPushButton *m_refresh = nullptr;
    QPushButton *m_dispose = nullptr;
    bool m_busy = false;
    int m_loads = 0;
};

} // namespace arena::console
