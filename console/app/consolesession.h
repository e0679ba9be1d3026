// ConsoleSession: the console's connection to an agent and everything fed by it — the client, the
// histories, the fleet, workers and event-log models — wired together, with the connection's state in
// words. No widgets: the main window and the tests build one and look at it.
#pragma once

#include "console/app/connectionprofile.h"
#include "console/core/eventlog.h"
#include "console/core/fleethistory.h"
#include "console/core/fleetmodel.h"
#include "console/core/workersmodel.h"
#include "shared/client/adminclient.h"

#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QHash>
#include <QObject>
#include <QTimer>

#include <optional>

namespace arena::console {

class ConsoleSession final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ConsoleSession)

public:
    // An instance gone from the fleet pushes for this long loses its chart history (agent clock).
    static constexpr qint64 forgetAfterMs = 15 * 60 * 1000;

    // How the connection is doing, for the colour of the state in the toolbar.
    enum class Status { Disconnected, Connecting, Connected, Failed };
    Q_ENUM(Status)

    explicit ConsoleSession(QObject *parent = nullptr);
    ~ConsoleSession() override;

    AdminClient &client() { return m_client; }
    FleetHistory &history() { return m_history; }
    FleetModel &fleet() { return m_fleet; }
    WorkersModel &workers() { return m_workers; }
    EventLogModel &events() { return m_events; }
    EventDetector &detector() { return m_detector; }

    // Connects (reconnecting automatically, over the profile's fallbacks too) and subscribes to every
    // instance's snapshots. A different agent than before starts with empty histories and tables.
    void connectTo(const ConnectionProfile &profile);
    // Connects again with the current profile (F5), also after a refused token was fixed elsewhere.
    void reconnect();
    void disconnectFromAgent();
    ConnectionProfile profile() const { return m_profile; }

    bool isReady() const { return m_client.state() == AdminClient::State::Ready; }
    std::optional<protocol::Role> role() const;
    bool canAct() const; // ready with an operator token
    // Why actions are not allowed now ("" when they are): a viewer token, or no connection.
    QString whyNoActions() const;
    // The instance the agent runs beside ("" before auth).
    QString agentInstance() const { return m_client.instance(); }

    // "connected to ws://… as operator", "reconnecting in 2 s…", "token refused: …".
    QString statusText() const { return m_statusText; }
    Status status() const { return m_status; }

Q_SIGNALS:
    void statusChanged(const QString &text, arena::console::ConsoleSession::Status status);
    // The role or readiness changed: actions may have become allowed or not.
    void accessChanged();
    void authenticated(const QString &agentInstance);

private:
    void setStatus(const QString &text, Status status, bool logIt);
    void onStateChanged(AdminClient::State state);
    void onAuthenticated(protocol::Role role, const QString &instance);
    void onFailed(const protocol::ErrorInfo &error);
    void onDisconnected();
    void onReconnectScheduled(const QUrl &url, int delayMs);
    void updateCountdown();
    void onFleet(const protocol::Fleet &fleet);
    void tickAges();

    AdminClient m_client;
    FleetHistory m_history;
    FleetModel m_fleet;
    WorkersModel m_workers;
    EventLogModel m_events;
    EventDetector m_detector;
    ConnectionProfile m_profile;
    QString m_statusText;
    Status m_status = Status::Disconnected;
    bool m_refused = false;

    QTimer m_countdown; // "reconnecting in N s…"
    QUrl m_retryUrl;
    QDeadlineTimer m_retryAt;

    QTimer m_ageTimer; // ages in the fleet table keep growing between fleet pushes
    qint64 m_lastFleetTime = 0;
    QElapsedTimer m_sinceFleet;
    // When each instance with a history was last in a fleet push (agent clock, ms): the history of one
    // that has been gone for forgetAfterMs is dropped, so memory stays bounded however many instances
    // come and go over a long run.
    QHash<QString, qint64> m_lastListed;

};

} // namespace arena::console
