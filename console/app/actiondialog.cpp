#include "console/app/actiondialog.h"

#include "console/app/consolepalette.h"
#include "console/app/consolesession.h"
#include "console/app/consoleuilog.h"
#include "console/app/uitext.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QPointer>
#include <QProgressBar>

namespace arena::console {

ActionDialog::ActionDialog(ConsoleSession &session, QWidget *parent) : QDialog(parent), m_session(session)
{
    m_statusArea = new QWidget(this);
    m_status = new QLabel(m_statusArea);
    m_status->setObjectName(QStringLiteral("actionStatus"));
    m_status->setWordWrap(true);
    m_status->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_busy = new QProgressBar(m_statusArea);
    m_busy->setObjectName(QStringLiteral("actionProgress"));
    m_busy->setRange(0, 0);
    m_busy->setMaximumWidth(120);
    m_busy->setMaximumHeight(14);
    m_busy->setTextVisible(false);
    m_busy->hide();
    auto *layout = new QHBoxLayout(m_statusArea);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_busy);
    layout->addWidget(m_status, 1);
}

QString ActionDialog::statusText() const
{
    return m_status->text();
}

void ActionDialog::send(protocol::ActionKind kind, const std::optional<QString> &target, const QJsonObject &params,
                        bool dryRun, const QString &busyText, std::function<void(const protocol::ActionResult &)> done)
{
    setPhase(dryRun ? Phase::Previewing : Phase::Running);
    setStatus(busyText, Tone::Busy);
    QPointer<ActionDialog> self(this);
    const QString id = m_session.client().action(kind, target, params, dryRun,
                                                 [self, done = std::move(done)](const protocol::ActionResult &result) {
        if (!self)
            return;
        done(result);
    });
    qCInfo(lcConsoleUi) << "action" << protocol::actionKindName(kind) << id << "on"
                        << (target ? *target : QStringLiteral("(default)")) << (dryRun ? "(dry run)" : "");
}

void ActionDialog::setStatus(const QString &text, Tone tone)
{
    m_status->setText(text);
    m_busy->setVisible(tone == Tone::Busy);
    QPalette p = palette();
    const bool dark = isDarkPalette(p);
    if (tone == Tone::Success)
        p.setColor(QPalette::WindowText, successColor(dark));
    else if (tone == Tone::Error)
        p.setColor(QPalette::WindowText, errorColor(dark));
    m_status->setPalette(p);
    QFont f = m_status->font();
    f.setBold(tone == Tone::Success || tone == Tone::Error);
    m_status->setFont(f);
}

void ActionDialog::setPhase(Phase phase)
{
    if (phase == m_phase)
        return;
    m_phase = phase;
    Q_EMIT phaseChanged(phase);
}

void ActionDialog::showFailure(const QString &what, const protocol::ActionResult &result)
{
    const QString reason = result.error ? errorText(*result.error) : tr("no reason given");
    qCWarning(lcConsoleUi) << what << "failed:" << reason;
    setStatus(tr("%1 failed: %2").arg(what, reason), Tone::Error);
    setPhase(Phase::Failed);
}

bool ActionDialog::checkAllowed()
{
    if (m_session.canAct())
        return true;
    setStatus(m_session.whyNoActions(), Tone::Error);
    return false;
}

} // namespace arena::console
