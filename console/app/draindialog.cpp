#include "console/app/draindialog.h"

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

DrainDialog::DrainDialog(ConsoleSession &session, const QString &instance, bool draining, QWidget *parent)
    : ActionDialog(session, parent), m_instance(instance), m_draining(draining)
{
    setObjectName(QStringLiteral("drainDialog"));
    setWindowTitle(tr("Drain %1").arg(instance));

    auto *explain = new QLabel(tr("A draining instance takes no new sessions, rooms, tickets or matches, tells its "
                                  "players, hands its matches over and stops serving by the deadline. The load "
                                  "balancer's readiness check fails at once."),
                               this);
    explain->setWordWrap(true);
    m_deadline = new QSpinBox(this);
    m_deadline->setObjectName(QStringLiteral("instanceDrainDeadline"));
    m_deadline->setRange(0, 24 * 3600);
    m_deadline->setSuffix(tr(" s"));
    m_deadline->setSpecialValueText(tr("server default"));
    m_result = new QPlainTextEdit(this);
    m_result->setObjectName(QStringLiteral("drainResult"));
    m_result->setReadOnly(true);
    m_result->setMaximumHeight(150);

    auto *form = new QFormLayout;
    form->addRow(tr("Deadline:"), m_deadline);

    m_drain = new QPushButton(tr("Drain %1").arg(instance), this);
    m_drain->setObjectName(QStringLiteral("drainInstanceButton"));
    m_cancelDrain = new QPushButton(tr("Cancel drain"), this);
    m_cancelDrain->setObjectName(QStringLiteral("cancelDrainButton"));
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    buttons->addButton(m_cancelDrain, QDialogButtonBox::ActionRole);
    buttons->addButton(m_drain, QDialogButtonBox::ActionRole);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_drain, &QPushButton::clicked, this, &DrainDialog::drain);
    connect(m_cancelDrain, &QPushButton::clicked, this, &DrainDialog::cancelDrain);
    connect(this, &ActionDialog::phaseChanged, this, &DrainDialog::updateButtons);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(explain);
    layout->addLayout(form);
    layout->addWidget(m_result);
    layout->addWidget(statusArea());
    layout->addWidget(buttons);
    resize(480, 320);

    updateButtons();
    runPreview();
}

QString DrainDialog::resultText() const
{
    return m_result->toPlainText();
}

void DrainDialog::runPreview()
{
    if (isBusy() || !checkAllowed())
        return;
    send(ActionKind::DrainInstance, m_instance, {}, true, tr("Asking %1 what is left on it…").arg(m_instance),
         [this](const protocol::ActionResult &r) {
        if (!r.ok) {
            showFailure(tr("The dry run"), r);
            return;
        }
        const QJsonObject o = r.result.toJsonObject();
        m_draining = o.value(QStringLiteral("draining")).toBool(m_draining);
        const QJsonObject remaining = o.value(QStringLiteral("remaining")).toObject();
        QString text = m_draining ? tr("%1 is draining. Left on it:\n").arg(m_instance)
                                  : tr("%1 is serving. On it now:\n").arg(m_instance);
        text += fieldsText(remaining, QStringLiteral("    "));
        m_result->setPlainText(text);
        setStatus(m_draining ? tr("Cancel the drain to let %1 take new players again.").arg(m_instance)
                             : tr("Choose a deadline and press Drain %1.").arg(m_instance),
                  Tone::Neutral);
        setPhase(Phase::Previewed);
    });
}

void DrainDialog::drain()
{
    run(false);
}

void DrainDialog::cancelDrain()
{
    run(true);
}

void DrainDialog::run(bool cancel)
{
    if (isBusy() || !checkAllowed())
        return;
    QJsonObject params;
    if (cancel)
        params.insert(QStringLiteral("cancel"), true);
    else if (m_deadline->value() > 0)
        params.insert(QStringLiteral("deadline_ms"), qint64(m_deadline->value()) * 1000);
    const QString what = cancel ? tr("Cancelling the drain of %1").arg(m_instance) : tr("Draining %1").arg(m_instance);
    send(ActionKind::DrainInstance, m_instance, params, false, what + QStringLiteral("…"),
         [this, cancel, what](const protocol::ActionResult &r) {
        if (!r.ok) {
            showFailure(what, r);
            return;
        }
        m_draining = !cancel;
        m_result->setPlainText(fieldsText(r.result.toJsonObject()));
        setStatus(cancel ? tr("%1 takes new players again.").arg(m_instance) : tr("%1 is draining.").arg(m_instance),
                  Tone::Success);
        setPhase(Phase::Done);
    });
}

void DrainDialog::updateButtons()
{
    const QString why = m_session.whyNoActions();
    const bool ready = why.isEmpty() && (phase() == Phase::Previewed || phase() == Phase::Done);
    m_drain->setEnabled(ready && !m_draining);
    m_cancelDrain->setEnabled(ready && m_draining);
    m_cancelDrain->setVisible(m_draining);
    m_drain->setDefault(!m_draining);
    m_cancelDrain->setDefault(m_draining);
    m_deadline->setEnabled(!m_draining && !isBusy());
    m_drain->setToolTip(why);
    m_cancelDrain->setToolTip(why);
}

} // namespace arena::console
