#include "console/app/cleanupdialog.h"

#include "console/app/consolesession.h"
#include "console/app/uitext.h"

#include <QDialogButtonBox>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonArray>
#include <QLabel>
#include <QPushButton>
#include <QRadioButton>
#include <QTreeWidget>
#include <QVBoxLayout>

namespace arena::console {

using protocol::ActionKind;

namespace {

// Long item lists are shown under their kind, collapsed.
constexpr int ItemsShownInline = 4;

} // namespace

CleanupDialog::CleanupDialog(ConsoleSession &session, const QString &instance, QWidget *parent)
    : ActionDialog(session, parent), m_instance(instance)
{
    setObjectName(QStringLiteral("cleanupDialog"));
    setWindowTitle(tr("Cleanup"));

    auto *scope = new QGroupBox(tr("Scope"), this);
    m_scopeInstance = new QRadioButton(instance.isEmpty() ? tr("This instance (select one in the fleet table)")
                                                          : tr("This instance: %1").arg(instance),
                                       scope);
    m_scopeInstance->setObjectName(QStringLiteral("cleanupScopeInstance"));
    m_scopeInstance->setEnabled(!instance.isEmpty());
    m_scopeFleet = new QRadioButton(tr("Whole fleet (every instance that is up)"), scope);
    m_scopeFleet->setObjectName(QStringLiteral("cleanupScopeFleet"));
    (instance.isEmpty() ? m_scopeFleet : m_scopeInstance)->setChecked(true);
    auto *scopeLayout = new QHBoxLayout(scope);
    scopeLayout->addWidget(m_scopeInstance);
    scopeLayout->addWidget(m_scopeFleet);
    scopeLayout->addStretch(1);
    connect(m_scopeFleet, &QRadioButton::toggled, this, [this] { runPreview(); });

    auto *explain = new QLabel(tr("Cleanup removes what belongs to dead instances or has expired: idle sessions, "
                                  "abandoned rooms, stale queue tickets, orphaned game states. A dry run lists it "
                                  "first; nothing is removed until you press Run cleanup."),
                               this);
    explain->setWordWrap(true);

    m_tree = new QTreeWidget(this);
    m_tree->setObjectName(QStringLiteral("cleanupPreview"));
    m_tree->setColumnCount(3);
    m_tree->setHeaderLabels({tr("Instance / kind"), tr("Count"), tr("Items")});
    m_tree->setRootIsDecorated(true);
    m_tree->setAlternatingRowColors(true);
    m_tree->setUniformRowHeights(true);
    m_tree->header()->setStretchLastSection(true);
    m_tree->setMinimumHeight(220);

    m_previewButton = new QPushButton(tr("Preview again"), this);
    m_previewButton->setObjectName(QStringLiteral("cleanupPreviewButton"));
    m_previewButton->setToolTip(tr("Run the dry run again: list what a cleanup would remove now"));
    m_run = new QPushButton(tr("Run cleanup"), this);
    m_run->setObjectName(QStringLiteral("cleanupRunButton"));
    m_run->setDefault(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_previewButton, QDialogButtonBox::ActionRole);
    buttons->addButton(m_run, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_previewButton, &QPushButton::clicked, this, &CleanupDialog::runPreview);
    connect(m_run, &QPushButton::clicked, this, &CleanupDialog::runCleanup);
    connect(this, &ActionDialog::phaseChanged, this, &CleanupDialog::updateButtons);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(scope);
    layout->addWidget(explain);
    layout->addWidget(m_tree, 1);
    layout->addWidget(statusArea());
    layout->addWidget(buttons);
    resize(640, 440);

    updateButtons();
    runPreview();
}

bool CleanupDialog::isFleetScope() const
{
    return m_scopeFleet->isChecked();
}

void CleanupDialog::setFleetScope(bool fleet)
{
    if (fleet || m_scopeInstance->isEnabled())
        (fleet ? m_scopeFleet : m_scopeInstance)->setChecked(true);
}

std::optional<QString> CleanupDialog::target() const
{
    if (isFleetScope())
        return std::nullopt; // the agent runs it on every instance that is up
    return m_instance;
}

void CleanupDialog::runPreview()
{
    if (isBusy() || !checkAllowed()) {
        updateButtons();
        return;
    }
    m_tree->clear();
    const QString where = isFleetScope() ? tr("the whole fleet") : m_instance;
    send(ActionKind::Cleanup, target(), {}, true, tr("Dry run on %1…").arg(where),
         [this, where](const protocol::ActionResult &result) {
        const QJsonObject report = result.result.toJsonObject();
        if (!report.isEmpty())
            showReport(report, true);
        if (!result.ok) {
            showFailure(tr("The dry run on %1").arg(where), result);
            return;
        }
        setStatus(m_total == 0 ? tr("Nothing to remove on %1.").arg(where)
                               : tr("A cleanup would remove %1 on %2. Press Run cleanup to remove them.")
                                     .arg(plural(m_total, tr("item")), where),
                  Tone::Neutral);
        setPhase(Phase::Previewed);
    });
}

void CleanupDialog::runCleanup()
{
    if (phase() != Phase::Previewed || !checkAllowed())
        return;
    const QString where = isFleetScope() ? tr("the whole fleet") : m_instance;
    send(ActionKind::Cleanup, target(), {}, false, tr("Cleaning up %1…").arg(where),
         [this, where](const protocol::ActionResult &result) {
        const QJsonObject report = result.result.toJsonObject();
        if (!report.isEmpty())
            showReport(report, false);
        if (!result.ok) {
            showFailure(tr("The cleanup of %1").arg(where), result);
            return;
        }
        setStatus(tr("Cleanup done on %1: removed %2.").arg(where, plural(m_total, tr("item"))), Tone::Success);
        setPhase(Phase::Done);
    });
}

void CleanupDialog::showReport(const QJsonObject &result, bool dryRun)
{
    m_tree->clear();
    m_total = 0;
    if (result.contains(QStringLiteral("instances"))) {
        const QJsonObject instances = result.value(QStringLiteral("instances")).toObject();
        for (auto it = instances.begin(); it != instances.end(); ++it)
            m_total += addInstance(it.key(), it.value().toObject(), dryRun);
    } else {
        m_total = addInstance(m_instance, result, dryRun);
    }
    m_tree->header()->resizeSections(QHeaderView::ResizeToContents);
}

int CleanupDialog::addInstance(const QString &instance, const QJsonObject &report, bool dryRun)
{
    auto *top = new QTreeWidgetItem(m_tree);
    top->setText(0, instance);
    QFont bold = top->font(0);
    bold.setBold(true);
    top->setFont(0, bold);
    if (report.contains(QStringLiteral("error")) && !report.contains(QStringLiteral("counts"))) {
        const QJsonObject e = report.value(QStringLiteral("error")).toObject();
        top->setText(2, tr("failed: %1").arg(errorText(e.value(QStringLiteral("code")).toString(),
                                                        e.value(QStringLiteral("message")).toString())));
        top->setForeground(2, QBrush(palette().color(QPalette::BrightText)));
        return 0;
    }
    const QJsonObject counts = report.value(QStringLiteral("counts")).toObject();
    const QJsonObject items = report.value(QStringLiteral("items")).toObject();
    const QJsonObject errors = report.value(QStringLiteral("errors")).toObject();
    const int total = report.value(QStringLiteral("total")).toInt();
    top->setText(1, QString::number(total));
    top->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
    top->setText(2, dryRun ? tr("would remove %1").arg(plural(total, tr("item")))
                           : tr("removed %1 in %2 ms").arg(plural(total, tr("item")))
                                 .arg(report.value(QStringLiteral("durationMs")).toInteger()));
    QStringList kinds = counts.keys();
    for (const QString &k : errors.keys()) {
        if (!kinds.contains(k))
            kinds.append(k);
    }
    for (const QString &kind : std::as_const(kinds)) {
        auto *row = new QTreeWidgetItem(top);
        row->setText(0, kind);
        row->setText(1, QString::number(counts.value(kind).toInt()));
        row->setTextAlignment(1, Qt::AlignRight | Qt::AlignVCenter);
        QStringList list;
        for (const QJsonValue &v : items.value(kind).toArray())
            list.append(compactJson(v));
        if (errors.contains(kind)) {
            row->setText(2, tr("failed: %1").arg(errors.value(kind).toString()));
        } else if (list.size() <= ItemsShownInline) {
            row->setText(2, list.join(QStringLiteral(", ")));
        } else {
            row->setText(2, list.mid(0, ItemsShownInline).join(QStringLiteral(", ")) + tr(", … (%1 more)").arg(list.size() - ItemsShownInline));
            for (const QString &item : std::as_const(list))
                (new QTreeWidgetItem(row))->setText(2, item);
        }
    }
    top->setExpanded(true);
    return total;
}

void CleanupDialog::updateButtons()
{
    const bool allowed = m_session.canAct();
    m_run->setEnabled(allowed && phase() == Phase::Previewed);
    m_previewButton->setEnabled(allowed && !isBusy());
    m_scopeInstance->setEnabled(!m_instance.isEmpty() && !isBusy());
    m_scopeFleet->setEnabled(!isBusy());
    m_run->setToolTip(allowed ? (phase() == Phase::Previewed ? tr("Remove what the preview lists")
                                                             : tr("Available once a dry run has listed what would go"))
                              : m_session.whyNoActions());
}

} // namespace arena::console
