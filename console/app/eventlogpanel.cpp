#include "console/app/eventlogpanel.h"

#include "console/core/eventfiltermodel.h"
#include "console/core/eventlogmodel.h"

#include <QCheckBox>
#include <QComboBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QTableView>
#include <QVBoxLayout>

namespace arena::console {

EventLogPanel::EventLogPanel(EventLogModel &model, QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("eventLogPanel"));
    m_filter = new EventFilterModel(this);
    m_filter->setSourceModel(&model);

    m_view = new QTableView(this);
    m_view->setObjectName(QStringLiteral("eventTable"));
    m_view->setModel(m_filter);
    m_view->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_view->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_view->setSortingEnabled(true);
    m_view->sortByColumn(EventLogModel::Time, Qt::DescendingOrder); // newest first
    m_view->setWordWrap(false);
    m_view->verticalHeader()->hide();
    m_view->verticalHeader()->setDefaultSectionSize(m_view->fontMetrics().height() + 6);
    // Fixed starting widths rather than ResizeToContents, which would measure thousands of rows on every
    // new event.
    QHeaderView *header = m_view->horizontalHeader();
    header->setSectionResizeMode(QHeaderView::Interactive);
    header->setSectionResizeMode(EventLogModel::Text, QHeaderView::Stretch);
    const QFontMetrics fm = m_view->fontMetrics();
    const int pad = 2 * fm.horizontalAdvance(QLatin1Char('M'));
    // Room for the date, which events from before today show.
    header->resizeSection(EventLogModel::Time, fm.horizontalAdvance(QStringLiteral("0000-00-00 00:00:00")) + pad);
    header->resizeSection(EventLogModel::Severity, fm.horizontalAdvance(QStringLiteral("warning")) + pad);
    header->resizeSection(EventLogModel::Kind, fm.horizontalAdvance(QStringLiteral("connection")) + pad);
    header->resizeSection(EventLogModel::Instance, fm.horizontalAdvance(QStringLiteral("host-instance-01")) + pad);

    auto *filters = new QHBoxLayout;
    filters->addWidget(new QLabel(tr("Show:"), this));
    const std::pair<Event::Kind, QString> kinds[] = {
        {Event::Kind::Instance, tr("Instances")}, {Event::Kind::Worker, tr("Workers")},
        {Event::Kind::Cleanup, tr("Cleanups")},   {Event::Kind::Action, tr("Actions")},
        {Event::Kind::Connection, tr("Connection")}};
    for (const auto &[kind, label] : kinds) {
        auto *box = new QCheckBox(label, this);
        box->setObjectName(QStringLiteral("eventKind-") + eventKindName(kind));
        box->setChecked(true);
        connect(box, &QCheckBox::toggled, this, &EventLogPanel::applyKinds);
        filters->addWidget(box);
        m_kinds.insert(kind, box);
    }
    filters->addSpacing(12);
    m_severity = new QComboBox(this);
    m_severity->setObjectName(QStringLiteral("eventSeverity"));
    m_severity->addItem(tr("All severities"), int(Event::Severity::Info));
    m_severity->addItem(tr("Warnings and errors"), int(Event::Severity::Warning));
    m_severity->addItem(tr("Errors only"), int(Event::Severity::Error));
    connect(m_severity, &QComboBox::currentIndexChanged, this, [this](int index) {
        m_filter->setMinimumSeverity(Event::Severity(m_severity->itemData(index).toInt()));
    });
    filters->addWidget(m_severity);
    m_search = new QLineEdit(this);
    m_search->setObjectName(QStringLiteral("eventSearch"));
    m_search->setPlaceholderText(tr("Search instance or text (Ctrl+F)"));
    m_search->setClearButtonEnabled(true);
    connect(m_search, &QLineEdit::textChanged, m_filter, &EventFilterModel::setSearchText);
    filters->addWidget(m_search, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 2, 4, 4);
    layout->addLayout(filters);
    layout->addWidget(m_view, 1);
}

void EventLogPanel::focusSearch()
{
    m_search->setFocus(Qt::ShortcutFocusReason);
    m_search->selectAll();
}

void EventLogPanel::applyKinds()
{
    QSet<Event::Kind> kinds;
    for (auto it = m_kinds.begin(); it != m_kinds.end(); ++it) {
        if (it.value()->isChecked())
            kinds.insert(it.key());
    }
    m_filter->setKinds(kinds);
}

} // namespace arena::console
