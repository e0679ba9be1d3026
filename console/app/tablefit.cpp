#include "console/app/tablefit.h"

#include <QAbstractItemModel>
#include <QHeaderView>
#include <QPointer>
#include <QTableView>
#include <QTimer>

namespace arena::console {

void fitColumnsToContents(QTableView *view, std::chrono::milliseconds every)
{
    view->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
    auto *soon = new QTimer(view); // coalesces a burst of row changes into one fit
    soon->setSingleShot(true);
    soon->setInterval(0);
    QObject::connect(soon, &QTimer::timeout, view, &QTableView::resizeColumnsToContents);
    auto *periodic = new QTimer(view);
    periodic->setInterval(every);
    QObject::connect(periodic, &QTimer::timeout, view, &QTableView::resizeColumnsToContents);
    periodic->start();
    if (QAbstractItemModel *model = view->model()) {
        const auto fitSoon = [soon] { soon->start(); };
        QObject::connect(model, &QAbstractItemModel::rowsInserted, soon, fitSoon);
        QObject::connect(model, &QAbstractItemModel::rowsRemoved, soon, fitSoon);
        QObject::connect(model, &QAbstractItemModel::modelReset, soon, fitSoon);
        QObject::connect(model, &QAbstractItemModel::layoutChanged, soon, fitSoon);
    }
    view->resizeColumnsToContents();
}

} // namespace arena::console
