#include "console/app/workeractiondialog.h"

#include "console/app/consolesession.h"
#include "console/app/uitext.h"

#include <QDialogButtonBox>
#include <QFormLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QVBoxLayout>

namespace arena::console {

using protocol::ActionKind;

WorkerActionDialog::WorkerActionDialog(ConsoleSession &session, Mode mode, const QString &instance,
                                       const QString &worker, QWidget *parent)
    : ActionDialog(session, parent), m_mode(mode), m_instance(instance), m_worker(worker)
{
    const bool restart = mode == Mode::Restart;
    setObjectName(restart ? QStringLiteral("restartWorkerDialog") : QStringLiteral("drainWorkerDialog"));
    setWindowTitle(restart ? tr("Restart worker %1 on %2").arg(worker, instance)
                           : tr("Drain worker %1 on %2").arg(worker, instance));

    auto *explain = new QLabel(restart ? tr("Restarting stops worker %1 and starts a fresh one; its matches are "
                                            "restored from their last state on another worker.")
                                             .arg(worker)
                                       : tr("Draining worker %1 gives it no new matches; it stops once its matches "
                                            "have ended, or at the deadline, when the rest move to other workers.")
                                             .arg(worker),
                               this);
    explain->setWordWrap(true);

    m_result = new QPlainTextEdit(this);
    m_result->setObjectName(QStringLiteral("workerActionResult"));
    m_result->setReadOnly(true);
    m_result->setMaximumHeight(160);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(explain);
    if (!restart) {
        m_deadline = new QSpinBox(this);
        m_deadline->setObjectName(QStringLiteral("drainDeadline"));
        m_deadline->setRange(0, 24 * 3600);
        m_deadline->setSuffix(tr(" s"));
        m_deadline->setSpecialValueText(tr("server default"));
        m_deadline->setToolTip(tr("How long the worker may take before its remaining matches are moved"));
        auto *form = new QFormLayout;
        form->addRow(tr("Deadline:"), m_deadline);
        layout->addLayout(form);
    }
    layout->addWidget(m_result);
    layout->addWidget(statusArea());

    m_confirm = new QPushButton(restart ? tr("Restart %1").arg(worker) : tr("Drain %1").arg(worker), this);
    m_confirm->setObjectName(QStringLiteral("workerActionConfirm"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_confirm, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_confirm, &QPushButton::clicked, this, &WorkerActionDialog::confirm);
    connect(this, &ActionDialog::phaseChanged, this, &WorkerActionDialog::updateButtons);
    layout->addWidget(buttons);
    resize(460, 320);

    updateButtons();
    runPreview();
}

QString WorkerActionDialog::resultText() const
{
    return m_result->toPlainText();
}

ActionKind WorkerActionDialog::kind() const
{
    return m_mode == Mode::Restart ? ActionKind::RestartWorker : ActionKind::DrainWorker;
}

QJsonObject WorkerActionDialog::params() const
{
    QJsonObject p{{QStringLiteral("worker"), m_worker}};
    if (m_deadline && m_deadline->value() > 0)
        p.insert(QStringLiteral("deadline_ms"), qint64(m_deadline->value()) * 1000);
    return p;
}

void WorkerActionDialog::runPreview()
{
    if (isBusy() || !checkAllowed())
        return;
    send(kind(), m_instance, params(), true, tr("Looking up worker %1…").arg(m_worker), [this](const protocol::ActionResult &r) {
        if (!r.ok) {
            showFailure(tr("The dry run"), r);
            return;
        }
        const QJsonObject w = r.result.toJsonObject().value(QStringLiteral("worker")).toObject();
        const int matches = w.value(QStringLiteral("matches")).toInt();
        QString text = tr("Worker %1 (pid %2) is %3 and hosts %4.")
                           .arg(m_worker, compactJson(w.value(QStringLiteral("pid"))),
                                compactJson(w.value(QStringLiteral("state"))), plural(matches, tr("match"), tr("matches")));
        if (matches > 0)
            text += m_mode == Mode::Restart ? tr("\nThey would be restored on another worker.")
                                            : tr("\nThey keep running until they end or the deadline passes.");
        m_result->setPlainText(text);
        setStatus(m_mode == Mode::Restart ? tr("Press Restart %1 to go ahead.").arg(m_worker)
                                          : tr("Press Drain %1 to go ahead.").arg(m_worker),
                  Tone::Neutral);
        setPhase(Phase::Previewed);
    });
}

void WorkerActionDialog::confirm()
{
    if (phase() != Phase::Previewed || !checkAllowed())
        return;
    const QString what = m_mode == Mode::Restart ? tr("Restarting %1").arg(m_worker) : tr("Draining %1").arg(m_worker);
    send(kind(), m_instance, params(), false, what + QStringLiteral("…"), [this, what](const protocol::ActionResult &r) {
        if (!r.ok) {
            showFailure(what, r);
            return;
        }
        m_result->setPlainText(fieldsText(r.result.toJsonObject()));
        setStatus(m_mode == Mode::Restart ? tr("Worker %1 restarted.").arg(m_worker)
                                          : tr("Worker %1 is draining.").arg(m_worker),
                  Tone::Success);
        setPhase(Phase::Done);
    });
}

void WorkerActionDialog::updateButtons()
{
    const QString why = m_session.whyNoActions();
    m_confirm->setEnabled(why.isEmpty() && phase() == Phase::Previewed);
    m_confirm->setToolTip(why);
    if (m_deadline)
        m_deadline->setEnabled(!isBusy() && phase() != Phase::Done);
}

} // namespace arena::console
