#include "console/core/eventlogmodel.h"

#include "console/core/fleetmodel.h"

#include <QDateTime>

#include <algorithm>

namespace arena::console {

EventLogModel::EventLogModel(QObject *parent)
    : QAbstractTableModel(parent), m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
}

EventLogModel::~EventLogModel() = default;

int EventLogModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_events.size());
}

int EventLogModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant EventLogModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Event &e = m_events[std::size_t(index.row())];
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        switch (Column(column)) {
        case Time: {
            const Qt::TimeSpec spec = m_utc ? Qt::UTC : Qt::LocalTime;
            const QDateTime t = QDateTime::fromMSecsSinceEpoch(e.time, spec);
            // A time alone is ambiguous once the log spans more than a day.
            const bool today = t.date() == QDateTime::fromMSecsSinceEpoch(m_clock(), spec).date();
            return t.toString(today ? QStringLiteral("HH:mm:ss") : QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        }
        case Severity:
            return eventSeverityName(e.severity);
        case Kind:
            return eventKindName(e.kind);
        case Instance:
            return e.instance;
        case Text:
            return e.text;
        case ColumnCount:
            break;
        }
        return {};
    case SortRole:
        switch (Column(column)) {
        case Time:
            return e.time;
        case Severity:
            return int(e.severity);
        case Kind:
            return int(e.kind);
        case Instance:
            return e.instance;
        case Text:
            return e.text;
        case ColumnCount:
            break;
        }
        return {};
    case KindRole:
        return int(e.kind);
    case SeverityRole:
        return int(e.severity);
    case InstanceRole:
        return e.instance;
    case TextRole:
        return e.text;
    case TimeRole:
        return e.time;
    case Qt::ToolTipRole:
        if (column == Time)
            return QDateTime::fromMSecsSinceEpoch(e.time, m_utc ? Qt::UTC : Qt::LocalTime).toString(Qt::ISODateWithMs);
        if (column == Text)
            return e.text;
        return {};
    case Qt::ForegroundRole:
        if (column != Severity)
            return {};
        if (e.severity == Event::Severity::Error)
            return FleetModel::healthColor(FleetModel::Down);
        if (e.severity == Event::Severity::Warning)
            return FleetModel::healthColor(FleetModel::Degraded);
        return {};
    default:
        return {};
    }
}

QVariant EventLogModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Time:
        return tr("Time");
    case Severity:
        return tr("Severity");
    case Kind:
        return tr("Kind");
    case Instance:
        return tr("Instance");
    case Text:
        return tr("Event");
    case ColumnCount:
        break;
    }
    return {};
}

const Event &EventLogModel::eventAt(int row) const
{
    Q_ASSERT(row >= 0 && row < int(m_events.size()));
    return m_events[std::size_t(row)];
}

void EventLogModel::setMaxRows(int maxRows)
{
    m_maxRows = std::max(1, maxRows);
    trim();
}

void EventLogModel::setUtc(bool utc)
{
    if (utc == m_utc)
        return;
    m_utc = utc;
    if (!m_events.empty())
        Q_EMIT dataChanged(index(0, Time), index(int(m_events.size()) - 1, Time));
}

void EventLogModel::setClock(Clock clock)
{
    m_clock = std::move(clock);
    if (!m_events.empty())
        Q_EMIT dataChanged(index(0, Time), index(int(m_events.size()) - 1, Time));
}

void EventLogModel::append(const Event &event)
{
    const int row = int(m_events.size());
    beginInsertRows({}, row, row);
    m_events.push_back(event);
    endInsertRows();
    trim();
}

void EventLogModel::appendEvents(const QList<Event> &events)
{
    // Events that would be dropped at once are never inserted.
    const qsizetype skip = std::max<qsizetype>(0, events.size() - m_maxRows);
    if (events.size() == skip)
        return;
    const int first = int(m_events.size());
    beginInsertRows({}, first, first + int(events.size() - skip) - 1);
    m_events.insert(m_events.end(), events.begin() + skip, events.end());
    endInsertRows();
    trim();
}

void EventLogModel::trim()
{
    const int excess = int(m_events.size()) - m_maxRows;
    if (excess <= 0)
        return;
    beginRemoveRows({}, 0, excess - 1);
    m_events.erase(m_events.begin(), m_events.begin() + excess);
    endRemoveRows();
}

void EventLogModel::clear()
{
    if (m_events.empty())
        return;
    beginRemoveRows({}, 0, int(m_events.size()) - 1);
    m_events.clear();
    endRemoveRows();
}

} // namespace arena::console
