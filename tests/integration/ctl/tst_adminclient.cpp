// AdminClient against real arena-agent processes (see testfleet.h): authentication and the role, fleet and
// snapshot pushes following the subscription, actions and queries answered by rid, an audit entry pushed for
// an action, a viewer's action completed with `forbidden`, requests made while disconnected or left
// unanswered (a stopped agent) completed with `unavailable`, a refused token not retried, and reconnection:
// to a fallback address when the first is down, and back to an agent that was killed and restarted, with
// the subscription sent again and pending requests failed when the connection dropped.
#include "shared/client/adminclient.h"
#include "tests/integration/ctl/testfleet.h"

#include <QSignalSpy>
#include <QTest>

#include <csignal>

using namespace arena;
using protocol::ActionKind;
using protocol::ErrorCode;
using protocol::QueryKind;
using namespace std::chrono_literals;

Q_DECLARE_METATYPE(arena::AdminClient::State)

class TestAdminClient final : public QObject
{
    Q_OBJECT

private:
    test::TestFleet m_fleet;

    static bool fleetHasBoth(const protocol::Fleet &fleet, const QString &a, const QString &b)
    {
        int up = 0;
        for (const protocol::InstanceSummary &i : fleet.instances) {
            if ((i.id == a || i.id == b) && i.state == protocol::InstanceState::Up)
                ++up;
        }
        return up == 2;
    }

    // A client of `url` with `token`, authenticated (or not, when refused).
    static bool connectClient(AdminClient &client, const QString &url, const char *token)
    {
        QSignalSpy authenticated(&client, &AdminClient::authenticated);
        client.connectTo(QUrl(url), token);
        return authenticated.wait(5000);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_fleet.start(QStringLiteral("ac-it-a"), QStringLiteral("ac-it-b")), qPrintable(m_fleet.lastError()));
    }

    void authenticatesAndReceivesPushes()
    {
        AdminClient client;
        QSignalSpy states(&client, &AdminClient::stateChanged);
        QSignalSpy authenticated(&client, &AdminClient::authenticated);
        QSignalSpy fleets(&client, &AdminClient::fleetReceived);
        QSignalSpy snapshots(&client, &AdminClient::snapshotReceived);
        // Subscribing before connecting: sent once authenticated.
        client.subscribe({m_fleet.b.id});
        client.connectTo(QUrl(m_fleet.a.agentUrl()), test::TestFleet::OperatorToken);
        QCOMPARE(client.state(), AdminClient::State::Connecting);
        QVERIFY(authenticated.wait(5000));
        QCOMPARE(authenticated.first().at(0).value<protocol::Role>(), protocol::Role::Operator);
        QCOMPARE(authenticated.first().at(1).toString(), m_fleet.a.id);
        QCOMPARE(client.state(), AdminClient::State::Ready);
        QCOMPARE(client.role(), protocol::Role::Operator);
        QCOMPARE(client.instance(), m_fleet.a.id);
        QCOMPARE(states.size(), 3);
        QCOMPARE(states.at(0).at(0).value<AdminClient::State>(), AdminClient::State::Connecting);
        QCOMPARE(states.at(1).at(0).value<AdminClient::State>(), AdminClient::State::Authenticating);
        QCOMPARE(states.at(2).at(0).value<AdminClient::State>(), AdminClient::State::Ready);

        // The fleet comes at once and every interval; both instances once B's agent has published.
        QTRY_VERIFY_WITH_TIMEOUT(!fleets.isEmpty()
                                     && fleetHasBoth(fleets.last().at(0).value<protocol::Fleet>(), m_fleet.a.id, m_fleet.b.id),
                                 20000);
        // Snapshots of B only.
        QTRY_VERIFY_WITH_TIMEOUT(snapshots.size() >= 2, 5000);
        for (const QList<QVariant> &s : snapshots) {
            const auto snapshot = s.at(0).value<protocol::Snapshot>();
            QCOMPARE(snapshot.instance, m_fleet.b.id);
            QVERIFY(snapshot.figures.toJsonObject().contains(QStringLiteral("server")));
        }
        // All of them.
        client.subscribeAll();
        snapshots.clear();
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(snapshots.cbegin(), snapshots.cend(), [this](const QList<QVariant> &s) {
            return s.at(0).value<protocol::Snapshot>().instance == m_fleet.a.id;
        }), 5000);
        // None.
        client.subscribe({});
        QTest::qWait(300); // a push already on its way
        snapshots.clear();
        QTest::qWait(1500);
        QCOMPARE(snapshots.size(), 0);
    }

    void actionsAndQueriesAreAnswered()
    {
        AdminClient client;
        QSignalSpy audit(&client, &AdminClient::auditEntryReceived);
        QVERIFY(connectClient(client, m_fleet.a.agentUrl(), test::TestFleet::OperatorToken));

        std::optional<protocol::QueryResult> rooms;
        client.query(QueryKind::Rooms, m_fleet.b.id, {}, [&](const protocol::QueryResult &r) { rooms = r; });
        std::optional<protocol::QueryResult> snapshot;
        client.query(QueryKind::Snapshot, std::nullopt, {}, [&](const protocol::QueryResult &r) { snapshot = r; });
        std::optional<protocol::ActionResult> scale;
        const QString id = client.action(ActionKind::ScaleWorkers, m_fleet.b.id, {{QStringLiteral("workers"), 2}}, true,
                                         [&](const protocol::ActionResult &r) { scale = r; });
        QVERIFY(id.startsWith(QStringLiteral("ctl-")));
        QCOMPARE(id.size(), 16);
        QCOMPARE(client.pendingRequests(), 3);
        QTRY_VERIFY_WITH_TIMEOUT(rooms && snapshot && scale, 10000);
        QCOMPARE(client.pendingRequests(), 0);

        QVERIFY(rooms->ok);
        QCOMPARE(rooms->kind, QueryKind::Rooms);
        QVERIFY(rooms->result.toJsonObject().value(QStringLiteral("rooms")).isArray());
        QVERIFY(snapshot->ok);
        QCOMPARE(snapshot->result.toJsonObject().value(QStringLiteral("instance")).toString(), m_fleet.a.id);
        QVERIFY2(scale->ok, scale->error ? qPrintable(scale->error->message) : "");
        QCOMPARE(scale->id, id);

        // Every client hears of every action.
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(audit.cbegin(), audit.cend(), [&id](const QList<QVariant> &e) {
            return e.at(0).value<protocol::AuditEntry>().actionId == id;
        }), 5000);

        // Another prefix, for the console.
        client.setActionIdPrefix(QStringLiteral("console"));
        std::optional<protocol::ActionResult> cleanup;
        const QString consoleId = client.action(ActionKind::Cleanup, m_fleet.a.id, {}, true,
                                                [&](const protocol::ActionResult &r) { cleanup = r; });
        QVERIFY(consoleId.startsWith(QStringLiteral("console-")));
        QTRY_VERIFY_WITH_TIMEOUT(cleanup, 10000);
        QVERIFY(cleanup->ok);
    }

    void errorsCompleteTheirRequest()
    {
        AdminClient viewer;
        QVERIFY(connectClient(viewer, m_fleet.a.agentUrl(), test::TestFleet::ViewerToken));
        QCOMPARE(viewer.role(), protocol::Role::Viewer);
        std::optional<protocol::ActionResult> refused;
        const QString id = viewer.action(ActionKind::Cleanup, std::nullopt, {}, false,
                                         [&](const protocol::ActionResult &r) { refused = r; });
        QTRY_VERIFY_WITH_TIMEOUT(refused, 5000);
        QCOMPARE(refused->ok, false);
        QCOMPARE(refused->id, id);
        QCOMPARE(refused->error.value_or(protocol::ErrorInfo{}).code, ErrorCode::Forbidden);
        QCOMPARE(viewer.state(), AdminClient::State::Ready); // the connection stays open

        std::optional<protocol::QueryResult> unknown;
        viewer.query(QueryKind::Snapshot, QStringLiteral("no-such-instance"), {},
                     [&](const protocol::QueryResult &r) { unknown = r; });
        QTRY_VERIFY_WITH_TIMEOUT(unknown, 5000);
        QCOMPARE(unknown->ok, false);
        QCOMPARE(unknown->error.value_or(protocol::ErrorInfo{}).code, ErrorCode::NotFound);

        // Not connected: failed at once, but never inside the call.
        AdminClient idle;
        bool called = false;
        std::optional<protocol::ActionResult> offline;
        idle.action(ActionKind::Cleanup, std::nullopt, {}, true, [&](const protocol::ActionResult &r) {
            called = true;
            offline = r;
        });
        QVERIFY(!called);
        QTRY_VERIFY_WITH_TIMEOUT(offline, 1000);
        QCOMPARE(offline->error.value_or(protocol::ErrorInfo{}).code, ErrorCode::Unavailable);
    }

    void unansweredRequestTimesOut()
    {
        AdminClient client;
        client.setRequestTimeout(500ms);
        QVERIFY(connectClient(client, m_fleet.b.agentUrl(), test::TestFleet::ViewerToken));
        m_fleet.b.agent->sendSignal(SIGSTOP);
        std::optional<protocol::QueryResult> result;
        QElapsedTimer clock;
        clock.start();
        client.query(QueryKind::Audit, std::nullopt, {}, [&](const protocol::QueryResult &r) { result = r; });
        QTRY_VERIFY_WITH_TIMEOUT(result, 3000);
        m_fleet.b.agent->sendSignal(SIGCONT);
        QVERIFY(clock.elapsed() >= 450);
        QCOMPARE(result->ok, false);
        QCOMPARE(result->kind, QueryKind::Audit);
        QCOMPARE(result->error.value_or(protocol::ErrorInfo{}).code, ErrorCode::Unavailable);
        QVERIFY(result->error->message.contains(QStringLiteral("500 ms")));
    }

    void refusedTokenIsNotRetried()
    {
        AdminClient client;
        client.setReconnect(true);
        client.setReconnectDelays(50ms, 200ms);
        QSignalSpy failed(&client, &AdminClient::failed);
        QSignalSpy scheduled(&client, &AdminClient::reconnectScheduled);
        client.connectTo(QUrl(m_fleet.a.agentUrl()), "wrong-token-0123456789");
        QVERIFY(failed.wait(5000));
        QCOMPARE(failed.first().at(0).value<protocol::ErrorInfo>().code, ErrorCode::Unauthorized);
        QTRY_COMPARE_WITH_TIMEOUT(client.state(), AdminClient::State::Disconnected, 5000);
        QTest::qWait(500);
        QCOMPARE(scheduled.size(), 0);
        QCOMPARE(failed.size(), 1);
    }

    void reconnectsToAFallback()
    {
        AdminClient client;
        client.setReconnect(true);
        client.setReconnectDelays(50ms, 200ms);
        client.setFallbackUrls({QUrl(m_fleet.a.agentUrl())});
        QSignalSpy failed(&client, &AdminClient::failed);
        QSignalSpy scheduled(&client, &AdminClient::reconnectScheduled);
        QSignalSpy authenticated(&client, &AdminClient::authenticated);
        client.connectTo(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(test::freePort())), test::TestFleet::OperatorToken);
        QVERIFY(authenticated.wait(5000));
        QCOMPARE(authenticated.first().at(1).toString(), m_fleet.a.id);
        QCOMPARE(failed.size(), 1);
        QCOMPARE(failed.first().at(0).value<protocol::ErrorInfo>().code, ErrorCode::Unavailable);
        QCOMPARE(scheduled.size(), 1);
        QCOMPARE(scheduled.first().at(0).toUrl(), QUrl(m_fleet.a.agentUrl()));
        QCOMPARE(client.currentUrl(), QUrl(m_fleet.a.agentUrl()));
    }

    // Last: it kills and restarts agent B.
    void reconnectsAfterTheAgentCameBack()
    {
        AdminClient client;
        client.setReconnect(true);
        client.setReconnectDelays(100ms, 400ms, 0.5);
        QSignalSpy authenticated(&client, &AdminClient::authenticated);
        QSignalSpy disconnected(&client, &AdminClient::disconnected);
        QSignalSpy snapshots(&client, &AdminClient::snapshotReceived);
        QSignalSpy scheduled(&client, &AdminClient::reconnectScheduled);
        client.subscribe({m_fleet.b.id});
        client.connectTo(QUrl(m_fleet.b.agentUrl()), test::TestFleet::OperatorToken);
        QVERIFY(authenticated.wait(5000));
        QTRY_VERIFY_WITH_TIMEOUT(!snapshots.isEmpty(), 5000);

        // A request in flight when the connection drops fails with a clear error.
        m_fleet.b.agent->sendSignal(SIGSTOP);
        std::optional<protocol::ActionResult> lost;
        client.action(ActionKind::Cleanup, m_fleet.b.id, {}, true, [&](const protocol::ActionResult &r) { lost = r; });
        const quint16 port = m_fleet.b.agentPort;
        m_fleet.b.agent->sendSignal(SIGKILL);
        QVERIFY(m_fleet.b.agent->waitForFinished(5000));
        QTRY_VERIFY_WITH_TIMEOUT(lost, 5000);
        QCOMPARE(lost->ok, false);
        QCOMPARE(lost->error.value_or(protocol::ErrorInfo{}).code, ErrorCode::Unavailable);
        QVERIFY2(lost->error->message.contains(QStringLiteral("connection to the agent lost")), qPrintable(lost->error->message));
        QCOMPARE(disconnected.size(), 1);
        QVERIFY(scheduled.size() >= 1);
        // Backoff: the delays grow (with ±50 % jitter around 100, 200, 400, 400 ms ...) up to the cap.
        QTRY_VERIFY_WITH_TIMEOUT(scheduled.size() >= 4, 5000);
        for (const QList<QVariant> &s : scheduled)
            QVERIFY(s.at(1).toInt() <= 600);

        QVERIFY2(m_fleet.startAgent(m_fleet.b, port), qPrintable(m_fleet.lastError()));
        QTRY_COMPARE_WITH_TIMEOUT(authenticated.size(), 2, 5000);
        QCOMPARE(client.state(), AdminClient::State::Ready);
        // The subscription was sent again: B's snapshots come from the new agent.
        snapshots.clear();
        QTRY_VERIFY_WITH_TIMEOUT(snapshots.size() >= 2, 5000);
        for (const QList<QVariant> &s : snapshots)
            QCOMPARE(s.at(0).value<protocol::Snapshot>().instance, m_fleet.b.id);

        // Closing on purpose: no more attempts.
        scheduled.clear();
        client.disconnectFromAgent();
        QCOMPARE(client.state(), AdminClient::State::Disconnected);
        QCOMPARE(disconnected.size(), 2);
        QTest::qWait(500);
        QCOMPARE(scheduled.size(), 0);
    }
};

QTEST_GUILESS_MAIN(TestAdminClient)
#include "tst_adminclient.moc"
