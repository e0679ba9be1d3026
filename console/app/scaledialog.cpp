#include "console/app/scaledialog.h"

#include "console/app/consolesession.h"
#include "console/app/uitext.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QJsonArray>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPointer>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace arena::console {

using protocol::ActionKind;

namespace {

QString idList(const QJsonValue &value)
{
    QStringList ids;
    for (const QJsonValue &v : value.toArray())
        ids.append(compactJson(v));
    return ids.join(QStringLiteral(", "));
}

} // namespace

ScaleDialog::ScaleDialog(ConsoleSession &session, const QString &instance, int currentWorkers, QWidget *parent)
    : ActionDialog(session, parent), m_instance(instance), m_current(currentWorkers)
{
    setObjectName(QStringLiteral("scaleDialog"));
    setWindowTitle(tr("Scale workers of %1").arg(instance));

    m_currentLabel = new QLabel(this);
    m_currentLabel->setObjectName(QStringLiteral("scaleCurrent"));
    m_workers = new QSpinBox(this);
    m_workers->setObjectName(QStringLiteral("scaleWorkers"));
    m_workers->setRange(0, 256);
    m_workers->setValue(currentWorkers);
    m_workers->setSuffix(tr(" workers"));
    connect(m_workers, &QSpinBox::valueChanged, this, &ScaleDialog::updateButtons);

    m_result = new QPlainTextEdit(this);
    m_result->setObjectName(QStringLiteral("scaleResult"));
    m_result->setReadOnly(true);
    m_result->setPlaceholderText(tr("The dry run's preview and the result appear here."));
    m_result->setMaximumHeight(140);

    auto *form = new QFormLayout;
    form->addRow(tr("Now:"), m_currentLabel);
    form->addRow(tr("Scale to:"), m_workers);

    m_preview = new QPushButton(tr("Preview"), this);
    m_preview->setObjectName(QStringLiteral("scalePreviewButton"));
    m_apply = new QPushButton(tr("Apply"), this);
    m_apply->setObjectName(QStringLiteral("scaleApplyButton"));
    m_apply->setDefault(true);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_preview, QDialogButtonBox::ActionRole);
    buttons->addButton(m_apply, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_preview, &QPushButton::clicked, this, &ScaleDialog::runPreview);
    connect(m_apply, &QPushButton::clicked, this, &ScaleDialog::apply);
    connect(this, &ActionDialog::phaseChanged, this, &ScaleDialog::updateButtons);

    auto *layout = new QVBoxLayout(this);
    layout->addLayout(form);
    layout->addWidget(m_result);
    layout->addWidget(statusArea());
    layout->addWidget(buttons);
    resize(460, 300);

    m_currentLabel->setText(tr("%1 on %2").arg(plural(currentWorkers, tr("worker")), instance));
    updateButtons();
    loadPool();
}

QString ScaleDialog::resultText() const
{
    return m_result->toPlainText();
}

void ScaleDialog::loadPool()
{
    // The pool's limits come with the instance's latest snapshot; asking is a query, not an action, so it
    // leaves no audit entry.
    QPointer<ScaleDialog> self(this);
    m_session.client().query(protocol::QueryKind::Snapshot, m_instance, {}, [self](const protocol::QueryResult &r) {
        if (!self || !r.ok)
            return;
        const QJsonObject totals = r.result.toJsonObject()
                                       .value(QStringLiteral("figures")).toObject()
                                       .value(QStringLiteral("workers")).toObject()
                                       .value(QStringLiteral("totals")).toObject();
        if (totals.isEmpty())
            return;
        const int total = totals.value(QStringLiteral("total_workers")).toInt();
        const int min = totals.value(QStringLiteral("min_workers")).toInt();
        const int max = totals.value(QStringLiteral("max_workers")).toInt();
        const bool untouched = self->m_workers->value() == self->m_current;
        self->m_current = total;
        self->m_currentLabel->setText(tr("%1 on %2 (the pool allows %3 to %4)")
                                          .arg(plural(total, tr("worker")), self->m_instance)
                                          .arg(min)
                                          .arg(max));
        if (max > 0)
            self->m_workers->setMaximum(max);
        if (untouched)
            self->m_workers->setValue(total);
    });
}

void ScaleDialog::runPreview()
{
    if (isBusy() || !checkAllowed())
        return;
    const int requested = m_workers->value();
    send(ActionKind::ScaleWorkers, m_instance, {{QStringLiteral("workers"), requested}}, true,
         tr("Dry run: scaling %1 to %2…").arg(m_instance).arg(requested), [this, requested](const protocol::ActionResult &r) {
        if (!r.ok) {
            showFailure(tr("The dry run"), r);
            return;
        }
        const QJsonObject o = r.result.toJsonObject();
        const int now = o.value(QStringLiteral("workers")).toInt(m_current);
        QString text = tr("%1 runs %2; it would run %3.").arg(m_instance, plural(now, tr("worker"))).arg(requested);
        if (o.contains(QStringLiteral("max_workers")))
            text += tr("\nThe pool allows %1 to %2 workers; the server refuses a count outside them.")
                        .arg(o.value(QStringLiteral("min_workers")).toInt())
                        .arg(o.value(QStringLiteral("max_workers")).toInt());
        if (requested < now)
            text += tr("\nStopped workers hand their matches over to the others first.");
        m_result->setPlainText(text);
        m_previewed = requested;
        setStatus(tr("Preview ready: press Apply to scale %1 to %2.").arg(m_instance, plural(requested, tr("worker"))),
                  Tone::Neutral);
        setPhase(Phase::Previewed);
    });
}

void ScaleDialog::apply()
{
    if (isBusy() || m_previewed != m_workers->value() || !checkAllowed())
        return;
    const int requested = m_workers->value();
    send(ActionKind::ScaleWorkers, m_instance, {{QStringLiteral("workers"), requested}}, false,
         tr("Scaling %1 to %2…").arg(m_instance, plural(requested, tr("worker"))), [this](const protocol::ActionResult &r) {
        if (!r.ok) {
            showFailure(tr("Scaling"), r);
            return;
        }
        const QJsonObject o = r.result.toJsonObject();
        QString text;
        if (o.contains(QStringLiteral("workers_before")) && o.contains(QStringLiteral("workers"))) {
            text = tr("workers: %1 → %2").arg(compactJson(o.value(QStringLiteral("workers_before"))),
                                                compactJson(o.value(QStringLiteral("workers"))));
            if (!o.value(QStringLiteral("started")).toArray().isEmpty())
                text += tr("\nstarted %1").arg(idList(o.value(QStringLiteral("started"))));
            if (!o.value(QStringLiteral("stopped")).toArray().isEmpty())
                text += tr("\nstopped %1").arg(idList(o.value(QStringLiteral("stopped"))));
            if (o.contains(QStringLiteral("matches_moved")))
                text += tr("\n%1 matches moved, %2 failed").arg(compactJson(o.value(QStringLiteral("matches_moved"))),
                                                                compactJson(o.value(QStringLiteral("matches_failed"))));
            m_current = o.value(QStringLiteral("workers")).toInt();
        } else {
            text = fieldsText(o);
        }
        m_result->setPlainText(text);
        m_previewed = -1;
        setStatus(tr("Done: %1 now runs %2.").arg(m_instance, plural(m_current, tr("worker"))), Tone::Success);
        setPhase(Phase::Done);
    });
}

void ScaleDialog::updateButtons()
{
    const QString why = m_session.whyNoActions();
    const bool allowed = why.isEmpty();
    m_preview->setEnabled(allowed && !isBusy());
    m_apply->setEnabled(allowed && !isBusy() && m_previewed == m_workers->value() && phase() == Phase::Previewed);
    m_apply->setToolTip(!allowed ? why
                        : m_previewed == m_workers->value() ? tr("Scale to %1").arg(m_workers->value())
                                                            : tr("Preview this count first"));
    m_preview->setToolTip(allowed ? tr("Dry run: what scaling to this count would do") : why);
}

} // namespace arena::console
