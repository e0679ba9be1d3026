#include "console/app/fleetpanel.h"

#include "console/app/tablefit.h"
#include "console/app/healthdelegate.h"
#include "console/core/fleetmodel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QMenu>
#include <QPushButton>
#include <QSettings>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace arena::console {

FleetPanel::FleetPanel(FleetModel &model, QWidget *parent) : QWidget(parent), m_model(model)
{
    setObjectName(QStringLiteral("fleetPanel"));
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(&model);
    m_proxy->setSortRole(FleetModel::SortRole);
    m_proxy->setDynamicSortFilter(true);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("fleetTable"));
    m_view->setModel(m_proxy);
    fitColumnsToContents(m_view);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(FleetModel::Instance, Qt::AscendingOrder);
    m_view->setAlternatingRowColors(true);
    m_view->setWordWrap(false);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setHighlightSections(false);
    m_view->horizontalHeader()->setStretchLastSection(true);
    m_view->horizontalHeader()->setContextMenuPolicy(Qt::CustomContextMenu);
    m_view->setItemDelegate(new HealthDelegate(FleetModel::Health, m_view));
    // The table stays narrow by default; the header's context menu shows the other columns.
    for (int column : {FleetModel::Host, FleetModel::State, FleetModel::Uptime, FleetModel::Rooms, FleetModel::Matches,
                       FleetModel::QueueTickets, FleetModel::Rss, FleetModel::RedisPing, FleetModel::Lease})
        m_view->setColumnHidden(column, true);
    connect(m_view->horizontalHeader(), &QHeaderView::customContextMenuRequested, this, &FleetPanel::showColumnMenu);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &FleetPanel::onCurrentRowChanged);

    m_wholeFleet = new QPushButton(tr("Whole fleet"), this);
    m_wholeFleet->setObjectName(QStringLiteral("wholeFleetButton"));
    m_wholeFleet->setCheckable(true);
    m_wholeFleet->setToolTip(tr("Charts of the whole fleet: sums of counts and resources, the worst latency"));
    connect(m_wholeFleet, &QPushButton::clicked, this, [this](bool on) {
        if (on)
            selectWholeFleet();
        else if (m_selected.isEmpty())
            m_wholeFleet->setChecked(true); // one of the two is always chosen
    });

    auto *title = new QLabel(tr("Fleet"), this);
    QFont bold = title->font();
    bold.setBold(true);
    title->setFont(bold);
    auto *top = new QHBoxLayout;
    top->addWidget(title);
    top->addStretch(1);
    top->addWidget(m_wholeFleet);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);

    // A row that appears later (the instance asked for by selectInstance()) is selected then.
    connect(m_proxy, &QAbstractItemModel::rowsInserted, this, [this] {
        if (!m_wanted.isEmpty())
            selectInstance(m_wanted);
    });
    m_wholeFleet->setChecked(true);
}

void FleetPanel::selectInstance(const QString &instance)
{
    const int sourceRow = m_model.rowOf(instance);
    if (sourceRow < 0) {
        m_wanted = instance;
        return;
    }
    m_wanted.clear();
    const QModelIndex index = m_proxy->mapFromSource(m_model.index(sourceRow, FleetModel::Instance));
    m_view->selectionModel()->setCurrentIndex(index, QItemSelectionModel::ClearAndSelect | QItemSelectionModel::Rows);
    m_view->scrollTo(index);
}

void FleetPanel::selectWholeFleet()
{
    m_wanted.clear();
    m_view->selectionModel()->clearSelection();
    setSelected(QString());
}

void FleetPanel::onCurrentRowChanged()
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return; // keeps the instance whose row went away selected in the charts until the operator chooses
    setSelected(rows.first().data(FleetModel::InstanceRole).toString());
}

void FleetPanel::setSelected(const QString &instance)
{
    m_wholeFleet->setChecked(instance.isEmpty());
    if (instance == m_selected)
        return;
    m_selected = instance;
    Q_EMIT selectionChanged(instance);
}

void FleetPanel::showColumnMenu(const QPoint &pos)
{
    QMenu menu(this);
    for (int column = 0; column < m_model.columnCount(); ++column) {
        if (column == FleetModel::Instance)
            continue;
        QAction *action = menu.addAction(m_model.headerData(column, Qt::Horizontal, Qt::DisplayRole).toString());
        action->setCheckable(true);
        action->setChecked(!m_view->isColumnHidden(column));
        connect(action, &QAction::toggled, this, [this, column](bool on) { m_view->setColumnHidden(column, !on); });
    }
    menu.exec(m_view->horizontalHeader()->mapToGlobal(pos));
}

void FleetPanel::saveState(QSettings &settings) const
{
    settings.setValue(QStringLiteral("fleetTable/header"), m_view->horizontalHeader()->saveState());
}

void FleetPanel::restoreState(const QSettings &settings)
{
    const QByteArray state = settings.value(QStringLiteral("fleetTable/header")).toByteArray();
    if (!state.isEmpty())
        m_view->horizontalHeader()->restoreState(state);
}

} // namespace arena::console
