// FleetPanel: the fleet table (sortable, coloured by health) and the "Whole fleet" toggle; what is
// selected decides whose charts and workers are shown.
#pragma once

#include <QWidget>

class QPushButton;
class QSettings;
class QSortFilterProxyModel;
class QTableView;

namespace arena::console {

class FleetModel;

class FleetPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetPanel)

public:
    explicit FleetPanel(FleetModel &model, QWidget *parent = nullptr);

    QTableView *view() const { return m_view; }
    QSortFilterProxyModel *proxy() const { return m_proxy; }
    QPushButton *wholeFleetButton() const { return m_wholeFleet; }

    // The selected instance, "" when the whole fleet is chosen.
    QString selectedInstance() const { return m_selected; }
    bool isWholeFleet() const { return m_selected.isEmpty(); }
    // Selects that instance's row (when it has one yet: otherwise once it appears).
    void selectInstance(const QString &instance);
    void selectWholeFleet();

    void saveState(QSettings &settings) const;
    void restoreState(const QSettings &settings);

Q_SIGNALS:
    // "" for the whole fleet.
    void selectionChanged(const QString &instance);

private:
    void onCurrentRowChanged();
    void setSelected(const QString &instance);
    void showColumnMenu(const QPoint &pos);

    FleetModel &m_model;
    QSortFilterProxyModel *m_proxy = nullptr;
    QTableView *m_view = nullptr;
    QPushButton *m_wholeFleet = nullptr;
    QString m_selected;
    QString m_wanted; // selectInstance() before its row existed
};

} // namespace arena::console
