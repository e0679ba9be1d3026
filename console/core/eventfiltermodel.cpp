#include "console/core/eventfiltermodel.h"

#include "console/core/eventlogmodel.h"

namespace arena::console {

EventFilterModel::EventFilterModel(QObject *parent)
    : QSortFilterProxyModel(parent),
      m_kinds{Event::Kind::Instance, Event::Kind::Worker, Event::Kind::Cleanup, Event::Kind::Action, Event::Kind::Connection}
{
    setSortRole(EventLogModel::SortRole);
}

EventFilterModel::~EventFilterModel() = default;

void EventFilterModel::setKinds(const QSet<Event::Kind> &kinds)
{
    if (kinds == m_kinds)
        return;
    m_kinds = kinds;
    invalidateFilter();
}

void EventFilterModel::setMinimumSeverity(Event::Severity severity)
{
    if (severity == m_minimumSeverity)
        return;
    m_minimumSeverity = severity;
    invalidateFilter();
}

void EventFilterModel::setSearchText(const QString &text)
{
    if (text == m_searchText)
        return;
    m_searchText = text;
    invalidateFilter();
}

bool EventFilterModel::filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const
{
    const QAbstractItemModel *source = sourceModel();
    if (!source)
        return false;
    const QModelIndex index = source->index(sourceRow, 0, sourceParent);
    const auto kind = Event::Kind(source->data(index, EventLogModel::KindRole).toInt());
    if (!m_kinds.contains(kind))
        return false;
    if (source->data(index, EventLogModel::SeverityRole).toInt() < int(m_minimumSeverity))
        return false;
    if (m_searchText.isEmpty())
        return true;
    return source->data(index, EventLogModel::InstanceRole).toString().contains(m_searchText, Qt::CaseInsensitive)
           || source->data(index, EventLogModel::TextRole).toString().contains(m_searchText, Qt::CaseInsensitive);
}

} // namespace arena::console
