#include "console/app/consolesession.h"

#include "console/app/consoleuilog.h"
#include "console/app/uitext.h"

#include <cmath>

namespace arena::console {

using protocol::Role;

ConsoleSession::ConsoleSession(QObject *parent) : QObject(parent)
{
    m_client.setActionIdPrefix(QStringLiteral("console"));
    m_client.setReconnectDelays(std::chrono::milliseconds(1000), std::chrono::milliseconds(30000));

    connect(&m_client, &AdminClient::stateChanged, this, &ConsoleSession::onStateChanged);
    connect(&m_client, &AdminClient::authenticated, this, &ConsoleSession::onAuthenticated);
    connect(&m_client, &AdminClient::failed, this, &ConsoleSession::onFailed);
    connect(&m_client, &AdminClient::disconnected, this, &ConsoleSession::onDisconnected);
    connect(&m_client, &AdminClient::reconnectScheduled, this, &ConsoleSession::onReconnectScheduled);

    connect(&m_client, &AdminClient::fleetReceived, this, &ConsoleSession::onFleet);
    connect(&m_client, &AdminClient::fleetReceived, &m_fleet, &FleetModel::applyFleet);
    connect(&m_client, &AdminClient::fleetReceived, &m_detector, &EventDetector::onFleet);
    connect(&m_client, &AdminClient::snapshotReceived, &m_history, &FleetHistory::ingestSnapshot);
    connect(&m_client, &AdminClient::snapshotReceived, &m_fleet, &FleetModel::applySnapshot);
    connect(&m_client, &AdminClient::snapshotReceived, &m_workers, &WorkersModel::applySnapshot);
    connect(&m_client, &AdminClient::snapshotReceived, &m_detector, &EventDetector::onSnapshot);
    connect(&m_client, &AdminClient::auditEntryReceived, &m_detector, &EventDetector::onAuditEntry);
    connect(&m_detector, &EventDetector::event, &m_events, &EventLogModel::append);

    m_countdown.setInterval(250);
    connect(&m_countdown, &QTimer::timeout, this, &ConsoleSession::updateCountdown);
    m_ageTimer.setInterval(1000);
    connect(&m_ageTimer, &QTimer::timeout, this, &ConsoleSession::tickAges);
    m_ageTimer.start();

    m_statusText = tr("not connected");
}

ConsoleSession::~ConsoleSession()
{
    // The client outlives the models declared after it; nothing it says on the way out may reach them.
    m_client.disconnect();
}

void ConsoleSession::connectTo(const ConnectionProfile &profile)
{
    const bool otherAgent = profile.agent != m_profile.agent;
    m_profile = profile;
    m_refused = false;
    if (otherAgent) {
        m_history.clear();
        m_fleet.clear();
        m_workers.setInstance(QString());
        m_lastFleetTime = 0;
    }
    m_detector.reset();
    qCInfo(lcConsoleUi) << "connecting to" << profile.agent.toString() << "with" << profile.fallbacks.size()
                        << "fallback(s)";
    m_client.setFallbackUrls(profile.fallbacks);
    m_client.setReconnect(true);
    m_client.subscribeAll();
    m_client.connectTo(profile.agent, profile.token);
}

void ConsoleSession::reconnect()
{
    if (m_profile.canConnect())
        connectTo(m_profile);
}

void ConsoleSession::disconnectFromAgent()
{
    m_countdown.stop();
    m_client.disconnectFromAgent();
    setStatus(tr("disconnected from %1").arg(m_profile.agent.toString()), Status::Disconnected, true);
    Q_EMIT accessChanged();
}

std::optional<Role> ConsoleSession::role() const
{
    return isReady() ? m_client.role() : std::nullopt;
}

bool ConsoleSession::canAct() const
{
    return role() == Role::Operator;
}

QString ConsoleSession::whyNoActions() const
{
    if (!isReady())
        return tr("not connected to an agent: %1").arg(m_statusText);
    if (m_client.role() != Role::Operator)
        return viewerTokenReason();
    return QString();
}

void ConsoleSession::setStatus(const QString &text, Status status, bool logIt)
{
    const bool changed = text != m_statusText || status != m_status;
    m_statusText = text;
    m_status = status;
    if (!changed)
        return;
    if (logIt) {
        const Event::Severity severity = status == Status::Failed ? Event::Severity::Error
                                         : status == Status::Disconnected ? Event::Severity::Warning
                                                                          : Event::Severity::Info;
        m_detector.onConnectionState(text, severity);
    }
    Q_EMIT statusChanged(text, status);
}

void ConsoleSession::onStateChanged(AdminClient::State state)
{
    switch (state) {
    case AdminClient::State::Connecting:
        m_countdown.stop();
        setStatus(tr("connecting to %1…").arg(m_client.currentUrl().toString()), Status::Connecting, false);
        break;
    case AdminClient::State::Authenticating:
        setStatus(tr("authenticating with %1…").arg(m_client.currentUrl().toString()), Status::Connecting, false);
        break;
    case AdminClient::State::Ready:
    case AdminClient::State::Disconnected:
        break; // authenticated(), failed() and disconnected() say more
    }
    Q_EMIT accessChanged();
}

void ConsoleSession::onAuthenticated(Role role, const QString &instance)
{
    m_countdown.stop();
    m_refused = false;
    setStatus(tr("connected to %1 as %2").arg(m_client.currentUrl().toString(), QString(protocol::roleName(role))),
              Status::Connected, true);
    Q_EMIT authenticated(instance);
    Q_EMIT accessChanged();
}

void ConsoleSession::onFailed(const protocol::ErrorInfo &error)
{
    if (error.code == protocol::ErrorCode::Unauthorized) {
        m_refused = true;
        m_countdown.stop();
        setStatus(tr("token refused by %1: %2").arg(m_client.currentUrl().toString(), error.message), Status::Failed, true);
    } else {
        setStatus(tr("cannot connect to %1: %2").arg(m_client.currentUrl().toString(), errorText(error)), Status::Failed,
                  true);
    }
    Q_EMIT accessChanged();
}

void ConsoleSession::onDisconnected()
{
    if (m_client.reconnectEnabled() && !m_refused)
        setStatus(tr("lost the connection to %1").arg(m_client.currentUrl().toString()), Status::Failed, true);
    Q_EMIT accessChanged();
}

void ConsoleSession::onReconnectScheduled(const QUrl &url, int delayMs)
{
    m_retryUrl = url;
    m_retryAt = QDeadlineTimer(delayMs);
    updateCountdown();
    m_countdown.start();
}

void ConsoleSession::updateCountdown()
{
    const qint64 left = m_retryAt.remainingTime();
    if (left <= 0) {
        m_countdown.stop();
        return;
    }
    const int seconds = int(std::ceil(double(left) / 1000.0));
    QString text = tr("reconnecting in %1 s…").arg(seconds);
    if (m_retryUrl != m_profile.agent)
        text = tr("reconnecting to %1 in %2 s…").arg(m_retryUrl.toString()).arg(seconds);
    setStatus(text, Status::Failed, false);
}

void ConsoleSession::onFleet(const protocol::Fleet &fleet)
{
    m_lastFleetTime = qint64(fleet.time);
    m_sinceFleet.start();
    for (const protocol::InstanceSummary &instance : fleet.instances)
        m_lastListed.insert(instance.id, m_lastFleetTime);
    // Gone from the fleet for long (the agents forget an instance after 10 minutes): drop its history.
    // A shorter absence (Redis away, so the agent lists only its own instance) keeps it.
    for (const QString &id : m_history.instances()) {
        const qint64 listed = m_lastListed.value(id, m_lastFleetTime);
        m_lastListed.insert(id, listed);
        if (m_lastFleetTime - listed > forgetAfterMs) {
            qCInfo(lcConsoleUi) << "forgetting the history of" << id << "gone from the fleet for"
                                << (m_lastFleetTime - listed) / 60000 << "min";
            m_history.forget(id);
            m_lastListed.remove(id);
        }
    }
}

void ConsoleSession::tickAges()
{
    // Extrapolate the agent's clock, so ages grow while no fleet arrives (connection lost) without
    // mixing in the console's own clock.
    if (m_lastFleetTime > 0 && m_sinceFleet.isValid())
        m_fleet.setReferenceTime(m_lastFleetTime + m_sinceFleet.elapsed());
}

} // namespace arena::console
