#include "console/core/workersmodel.h"

#include "console/core/format.h"

#include <QHash>
#include <QJsonArray>
#include <QJsonValue>
#include <QSet>

namespace arena::console {

namespace {

QVariant numberOf(const QJsonObject &worker, QLatin1StringView key)
{
    const QJsonValue v = worker.value(key);
    return v.isDouble() ? QVariant(v.toDouble()) : QVariant();
}

bool isNumeric(int column)
{
    return column != WorkersModel::Id && column != WorkersModel::State;
}

} // namespace

WorkersModel::WorkersModel(QObject *parent) : QAbstractTableModel(parent) {}

WorkersModel::~WorkersModel() = default;

int WorkersModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int WorkersModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant WorkersModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayValue(row.worker, index.column());
    case SortRole:
        return sortValue(row.worker, index.column());
    case WorkerIdRole:
        return row.id;
    case WorkerRole:
        return row.worker;
    case Qt::TextAlignmentRole:
        return isNumeric(index.column()) ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    case Qt::ToolTipRole:
        if (index.column() == State && !row.worker.value(QLatin1StringView("exists")).toBool(true))
            return tr("the process is gone");
        return {};
    default:
        return {};
    }
}

QVariant WorkersModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::TextAlignmentRole)
        return isNumeric(section) ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Id:
        return tr("Id");
    case Pid:
        return tr("PID");
    case State:
        return tr("State");
    case Matches:
        return tr("Matches");
    case Cpu:
        return tr("CPU");
    case Rss:
        return tr("RSS");
    case TickLagP99:
        return tr("Tick lag p99");
    case TickLagMax:
        return tr("Tick lag max");
    case Uptime:
        return tr("Uptime");
    case Restarts:
        return tr("Restarts");
    case ColumnCount:
        break;
    }
    return {};
}

QVariant WorkersModel::sortValue(const QJsonObject &worker, int column) const
{
    switch (Column(column)) {
    case Id:
        return worker.value(QLatin1StringView("id")).toString();
    case Pid:
        return numberOf(worker, QLatin1StringView("pid"));
    case State:
        return worker.value(QLatin1StringView("state")).toString();
    case Matches:
        return numberOf(worker, QLatin1StringView("matches"));
    case Cpu:
        return numberOf(worker, QLatin1StringView("cpu_percent"));
    case Rss: {
        const QVariant kb = numberOf(worker, QLatin1StringView("rss_kb"));
        return kb.isValid() ? QVariant(kb.toDouble() / 1024.0) : QVariant();
    }
    case TickLagP99:
        return numberOf(worker, QLatin1StringView("tick_lag_p99_ms"));
    case TickLagMax:
        return numberOf(worker, QLatin1StringView("tick_lag_max_ms"));
    case Uptime:
        return numberOf(worker, QLatin1StringView("uptime_s"));
    case Restarts:
        return numberOf(worker, QLatin1StringView("restarts"));
    case ColumnCount:
        break;
    }
    return {};
}

QVariant WorkersModel::displayValue(const QJsonObject &worker, int column) const
{
    const QVariant raw = sortValue(worker, column);
    if (!raw.isValid())
        return {};
    switch (Column(column)) {
    case Id:
    case State:
        return raw;
    case Pid:
        return QString::number(qint64(raw.toDouble()));
    case Matches:
    case Restarts:
        return format::count(qint64(raw.toDouble()));
    case Cpu:
        return format::percent(raw.toDouble());
    case Rss:
        return format::mebibytes(raw.toDouble());
    case TickLagP99:
    case TickLagMax:
        return format::milliseconds(raw.toDouble());
    case Uptime:
        return format::uptime(raw.toDouble());
    case ColumnCount:
        break;
    }
    return {};
}

void WorkersModel::setInstance(const QString &instance)
{
    if (instance == m_instance)
        return;
    beginResetModel();
    m_instance = instance;
    m_rows.clear();
    endResetModel();
}

QString WorkersModel::workerAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).id : QString();
}

int WorkersModel::rowOf(const QString &workerId) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).id == workerId)
            return i;
    }
    return -1;
}

QJsonObject WorkersModel::workerObject(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).worker : QJsonObject();
}

void WorkersModel::applySnapshot(const protocol::Snapshot &snapshot)
{
    if (m_instance.isEmpty() || snapshot.instance != m_instance)
        return;
    const QJsonObject figures = snapshot.figures.toJsonObject();
    const QJsonArray list = figures.value(QLatin1StringView("workers")).toObject().value(QLatin1StringView("list")).toArray();

    // Latest object per id, in the snapshot's order.
    QHash<QString, QJsonObject> current;
    QList<QString> order;
    for (const QJsonValue &v : list) {
        const QJsonObject worker = v.toObject();
        const QString id = worker.value(QLatin1StringView("id")).toString();
        if (id.isEmpty())
            continue;
        if (!current.contains(id))
            order.append(id);
        current.insert(id, worker);
    }

    for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
        if (current.contains(m_rows.at(i).id))
            continue;
        beginRemoveRows({}, i, i);
        m_rows.removeAt(i);
        endRemoveRows();
    }

    for (int i = 0; i < m_rows.size(); ++i) {
        Row &row = m_rows[i];
        const QJsonObject &worker = current[row.id];
        if (worker == row.worker)
            continue;
        const QJsonObject before = row.worker;
        row.worker = worker;
        // Changed cells only, in runs of adjacent columns; the whole object (WorkerRole) changes with any.
        int c = 0;
        bool any = false;
        while (c < ColumnCount) {
            const auto same = [&](int col) {
                return sortValue(before, col) == sortValue(worker, col);
            };
            if (same(c)) {
                ++c;
                continue;
            }
            int last = c;
            while (last + 1 < ColumnCount && !same(last + 1))
                ++last;
            Q_EMIT dataChanged(index(i, c), index(i, last));
            any = true;
            c = last + 1;
        }
        if (!any) // only fields without a column changed (fds, last_heard_ms_ago): WorkerRole did
            Q_EMIT dataChanged(index(i, 0), index(i, ColumnCount - 1), {WorkerRole});
    }

    QList<Row> added;
    for (const QString &id : std::as_const(order)) {
        if (rowOf(id) < 0)
            added.append(Row{id, current.value(id)});
    }
    if (!added.isEmpty()) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + added.size()) - 1);
        m_rows.append(added);
        endInsertRows();
    }
}

} // namespace arena::console
