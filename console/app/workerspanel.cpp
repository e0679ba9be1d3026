#include "console/app/workerspanel.h"

#include "console/app/tablefit.h"
#include "console/core/workersmodel.h"

#include <QHBoxLayout>
#include <QHeaderView>
#include <QItemSelectionModel>
#include <QLabel>
#include <QPushButton>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

namespace arena::console {

WorkersPanel::WorkersPanel(WorkersModel &model, QWidget *parent) : QWidget(parent), m_model(model)
{
    setObjectName(QStringLiteral("workersPanel"));
    m_proxy = new QSortFilterProxyModel(this);
    m_proxy->setSourceModel(&model);
    m_proxy->setSortRole(WorkersModel::SortRole);
    m_proxy->setDynamicSortFilter(true);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("workersTable"));
    m_view->setModel(m_proxy);
    fitColumnsToContents(m_view);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setSelectionMode(QAbstractItemView::SingleSelection);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(WorkersModel::Id, Qt::AscendingOrder);
    m_view->setAlternatingRowColors(true);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 8);
    m_view->horizontalHeader()->setStretchLastSection(false);
    connect(m_view->selectionModel(), &QItemSelectionModel::selectionChanged, this, &WorkersPanel::updateButtons);
    connect(m_proxy, &QAbstractItemModel::modelReset, this, &WorkersPanel::updateButtons);
    connect(m_proxy, &QAbstractItemModel::rowsRemoved, this, &WorkersPanel::updateButtons);

    m_title = new QLabel(this);
    m_title->setObjectName(QStringLiteral("workersTitle"));
    QFont bold = m_title->font();
    bold.setBold(true);
    m_title->setFont(bold);

    m_restart = new QPushButton(tr("Restart…"), this);
    m_restart->setObjectName(QStringLiteral("restartWorkerButton"));
    m_drain = new QPushButton(tr("Drain…"), this);
    m_drain->setObjectName(QStringLiteral("drainWorkerButton"));
    connect(m_restart, &QPushButton::clicked, this, [this] {
        if (const QString w = selectedWorker(); !w.isEmpty())
            Q_EMIT restartRequested(m_instance, w);
    });
    connect(m_drain, &QPushButton::clicked, this, [this] {
        if (const QString w = selectedWorker(); !w.isEmpty())
            Q_EMIT drainRequested(m_instance, w);
    });

    auto *top = new QHBoxLayout;
    top->addWidget(m_title);
    top->addStretch(1);
    top->addWidget(m_restart);
    top->addWidget(m_drain);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addLayout(top);
    layout->addWidget(m_view, 1);
    setInstance(QString());
}

void WorkersPanel::setInstance(const QString &instance)
{
    m_instance = instance;
    m_model.setInstance(instance);
    m_title->setText(instance.isEmpty() ? tr("Workers — select an instance in the fleet table")
                                        : tr("Workers of %1").arg(instance));
    updateButtons();
}

void WorkersPanel::setActionsAllowed(bool allowed, const QString &reason)
{
    m_allowed = allowed;
    m_reason = reason;
    updateButtons();
}

QString WorkersPanel::selectedWorker() const
{
    const QModelIndexList rows = m_view->selectionModel()->selectedRows();
    return rows.isEmpty() ? QString() : rows.first().data(WorkersModel::WorkerIdRole).toString();
}

void WorkersPanel::updateButtons()
{
    const QString worker = selectedWorker();
    QString why = m_reason;
    if (m_allowed && worker.isEmpty())
        why = tr("select a worker first");
    const bool enabled = m_allowed && !worker.isEmpty();
    for (QPushButton *b : {m_restart, m_drain}) {
        b->setEnabled(enabled);
        b->setToolTip(enabled ? QString() : why);
    }
    if (enabled) {
        m_restart->setToolTip(tr("Restart worker %1: its matches move to another worker").arg(worker));
        m_drain->setToolTip(tr("Drain worker %1: no new matches, it stops when its matches end").arg(worker));
    }
}

} // namespace arena::console
