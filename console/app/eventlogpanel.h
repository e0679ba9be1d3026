// EventLogPanel: the event log, newest first, filtered by kind, minimum severity and a search text.
#pragma once

#include "console/core/event.h"

#include <QHash>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QTableView;

namespace arena::console {

class EventFilterModel;
class EventLogModel;

class EventLogPanel final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventLogPanel)

public:
    explicit EventLogPanel(EventLogModel &model, QWidget *parent = nullptr);

    EventFilterModel *filter() const { return m_filter; }
    QTableView *view() const { return m_view; }
    QLineEdit *searchField() const { return m_search; }
    QComboBox *severityBox() const { return m_severity; }
    QCheckBox *kindBox(Event::Kind kind) const { return m_kinds.value(kind); }
    void focusSearch();

private:
    void applyKinds();

    EventFilterModel *m_filter = nullptr;
    QTableView *m_view = nullptr;
    QLineEdit *m_search = nullptr;
    QComboBox *m_severity = nullptr;
    QHash<Event::Kind, QCheckBox *> m_kinds;
};

} // namespace arena::console
