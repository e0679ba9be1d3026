// EventFilterModel: the event log as the operator filters it (kinds, minimum severity, search text).
#pragma once

#include "console/core/event.h"

#include <QSet>
#include <QSortFilterProxyModel>

namespace arena::console {

// Source: an EventLogModel (its KindRole, SeverityRole, InstanceRole and TextRole). Sorts on SortRole.
class EventFilterModel final : public QSortFilterProxyModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventFilterModel)

public:
    explicit EventFilterModel(QObject *parent = nullptr);
    ~EventFilterModel() override;

    // The kinds shown (all by default; an empty set shows none).
    void setKinds(const QSet<Event::Kind> &kinds);
    QSet<Event::Kind> kinds() const { return m_kinds; }
    void setMinimumSeverity(Event::Severity severity);
    Event::Severity minimumSeverity() const { return m_minimumSeverity; }
    // Case-insensitive substring of the instance or the text; empty shows everything.
    void setSearchText(const QString &text);
    QString searchText() const { return m_searchText; }

protected:
    bool filterAcceptsRow(int sourceRow, const QModelIndex &sourceParent) const override;

private:
    QSet<Event::Kind> m_kinds;
    Event::Severity m_minimumSeverity = Event::Severity::Info;
    QString m_searchText;
};

} // namespace arena::console
