// arena-console's widgets against a real fleet, offscreen: one redis-server, two arena-server instances
// (alpha, beta; each its own Redis database) with their workers, and two arena-agent processes sharing
// database 0. The main window connected to alpha's agent fills its fleet table and charts; the Cleanup
// toolbar button opens the dialog on a dry-run preview, confirming runs it on the servers and the result
// lands in the event log; a viewer token leaves every action disabled with the reason; a killed server
// turns its row red. Keyboard shortcuts, chart zoom and hover, broken lines over gaps and disposing a room
// are driven as an operator would. Screenshots of the window, one chart and the cleanup dialog are saved for the docs.
#include "console/app/chartgrid.h"
#include "console/app/chartpanel.h"
#include "console/app/chartspec.h"
#include "console/app/cleanupdialog.h"
#include "console/app/connectdialog.h"
#include "console/app/connectionprofile.h"
#include "console/app/draindialog.h"
#include "console/app/scaledialog.h"
#include "console/app/workeractiondialog.h"
#include "console/app/consolesession.h"
#include "console/app/eventlogpanel.h"
#include "console/app/fleetpanel.h"
#include "console/app/mainwindow.h"
#include "console/app/roomsdialog.h"
#include "console/app/uitext.h"
#include "console/app/workerspanel.h"
#include "console/core/eventfiltermodel.h"
#include "console/core/roomsmodel.h"
#include "tests/support/adminhttp.h"
#include "tests/support/childprocess.h"
#include "tests/support/redisserver.h"
#include "tests/support/testplayer.h"

#include <QApplication>
#include <QChart>
#include <QDateTimeAxis>
#include <QJsonArray>
#include <QLegend>
#include <QLegendMarker>
#include <QMessageBox>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QLineSeries>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QRadioButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QSpinBox>
#include <QStandardPaths>
#include <QStyleFactory>
#include <QItemSelectionModel>
#include <QTableView>
#include <QImage>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>
#include <QToolTip>
#include <QToolBar>
#include <QToolButton>
#include <QTreeWidget>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <csignal>
#include <memory>

using namespace arena;
using namespace arena::console;
using test::TestPlayer;

namespace {

const QRegularExpression serverReady(
    QStringLiteral("^arena-server ready player=(\\d+) admin=(\\d+) instance=(\\S+) store=(\\w+)"));
const QRegularExpression agentReady(QStringLiteral("^arena-agent ready port=(\\d+) instance=(\\S+) redis=(\\S+)"));

const QByteArray serverToken("server-operator-token-0123456789");
const QByteArray operatorToken("console-operator-token-0123456789");
const QByteArray viewerToken("console-viewer-token-0123456789");

struct Instance
{
    QString id;
    int db = 0;
    std::unique_ptr<test::ChildProcess> server;
    std::unique_ptr<test::ChildProcess> agent;
    quint16 playerPort = 0;
    quint16 adminPort = 0;
    quint16 agentPort = 0;
};

// Events of the log with that kind whose text holds every one of `parts`.
int countEvents(EventLogModel &log, Event::Kind kind, const QStringList &parts)
{
    int n = 0;
    for (int row = 0; row < log.rowCount(); ++row) {
        const Event &e = log.eventAt(row);
        if (e.kind != kind)
            continue;
        bool all = true;
        for (const QString &p : parts)
            all = all && e.text.contains(p);
        n += all ? 1 : 0;
    }
    return n;
}

QString eventTexts(EventLogModel &log)
{
    QStringList lines;
    for (int row = 0; row < log.rowCount(); ++row)
        lines.append(eventKindName(log.eventAt(row).kind) + QStringLiteral(": ") + log.eventAt(row).text);
    return lines.join(QLatin1Char('\n'));
}

int pointsIn(ChartPanel *panel, int series = 0)
{
    return panel ? int(panel->shownPoints(series).size()) : -1;
}

// The newest value a chart shows for one of its series (NaN before it has one).
double lastValue(ChartPanel *panel, int series = 0)
{
    const QList<QPointF> points = panel->shownPoints(series);
    return points.isEmpty() ? std::nan("") : points.last().y();
}

// Clicks `button` in the next message box that comes up (QMessageBox::question blocks in its own loop),
// keeping its text.
void answerMessageBox(QMessageBox::StandardButton button, QString *text)
{
    auto *poll = new QTimer;
    auto tries = std::make_shared<int>(0);
    QObject::connect(poll, &QTimer::timeout, poll, [poll, tries, button, text] {
        auto *box = qobject_cast<QMessageBox *>(QApplication::activeModalWidget());
        if (box && box->button(button)) {
            *text = box->text();
            box->button(button)->click();
        } else if (++*tries < 100) {
            return;
        }
        poll->deleteLater();
    });
    poll->start(50);
}

// Ids of the rooms the server lists at GET /rooms.
QStringList serverRooms(quint16 adminPort, const QByteArray &token)
{
    QStringList ids;
    for (const QJsonValue &room : test::getJson(adminPort, QStringLiteral("/rooms"), token).value(QStringLiteral("rooms")).toArray())
        ids.append(room.toObject().value(QStringLiteral("id")).toString());
    return ids;
}

} // namespace

class TestConsole final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QTemporaryDir m_settingsDir;
    QString m_screenshots;
    std::unique_ptr<test::RedisServer> m_redis;
    Instance m_alpha;
    Instance m_beta;
    struct Player
    {
        std::unique_ptr<TestPlayer> player;
        QString instance;
        QString roomId; // relay players: the room they chat in
    };
    std::vector<Player> m_players;
    QTimer m_traffic; // relay players chat, so messages/s has something to show
    int m_trafficTick = 0;

    std::unique_ptr<QSettings> m_settings;
    std::unique_ptr<ConsoleSession> m_session;
    std::unique_ptr<MainWindow> m_window;

    QString file(const QString &name, const QByteArray &text)
    {
        const QString path = m_dir.filePath(name);
        QFile f(path);
        if (f.open(QIODevice::WriteOnly))
            f.write(text);
        return path;
    }

    bool startServer(Instance &instance)
    {
        instance.server = std::make_unique<test::ChildProcess>();
        const QStringList args{QStringLiteral("--player-port"), QStringLiteral("0"),
                               QStringLiteral("--admin-port"), QStringLiteral("0"),
                               QStringLiteral("--instance-id"), instance.id,
                               QStringLiteral("--redis"), m_redis->url(instance.db),
                               QStringLiteral("--admin-token-file"), m_dir.filePath(QStringLiteral("server-tokens")),
                               QStringLiteral("--workers-min"), QStringLiteral("1"),
                               QStringLiteral("--workers-max"), QStringLiteral("3"),
                               // The periodic sweep would race the test's own cleanup.
                               QStringLiteral("--cleanup-interval"), QStringLiteral("1h")};
        if (!instance.server->startAndWait(QStringLiteral(ARENA_SERVER_BINARY), args, serverReady, 20000)) {
            qWarning("%s", qPrintable(instance.server->lastError()));
            return false;
        }
        instance.playerPort = quint16(instance.server->readyMatch().captured(1).toUInt());
        instance.adminPort = quint16(instance.server->readyMatch().captured(2).toUInt());
        const quint16 adminPort = instance.adminPort;
        instance.agent = std::make_unique<test::ChildProcess>();
        const QStringList agentArgs{QStringLiteral("--server"), QStringLiteral("http://127.0.0.1:%1").arg(adminPort),
                                    QStringLiteral("--server-token-file"), m_dir.filePath(QStringLiteral("server-tokens")),
                                    QStringLiteral("--port"), QStringLiteral("0"),
                                    QStringLiteral("--redis"), m_redis->url(0),
                                    QStringLiteral("--token-file"), m_dir.filePath(QStringLiteral("agent-tokens")),
                                    QStringLiteral("--action-timeout"), QStringLiteral("5s")};
        if (!instance.agent->startAndWait(QStringLiteral(ARENA_AGENT_BINARY), agentArgs, agentReady, 20000)) {
            qWarning("%s", qPrintable(instance.agent->lastError()));
            return false;
        }
        instance.agentPort = quint16(instance.agent->readyMatch().captured(1).toUInt());
        return instance.agent->readyMatch().captured(2) == instance.id;
    }

    ConnectionProfile profileFor(const Instance &instance, const QByteArray &token) const
    {
        ConnectionProfile p;
        p.agent = QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(instance.agentPort));
        p.token = token;
        return p;
    }

    // Players in relay rooms, so the sessions and rooms charts and the rooms browser have something.
    bool addPlayers(const Instance &instance, int count)
    {
        for (int i = 0; i < count; ++i) {
            auto player = std::make_unique<TestPlayer>();
            if (!player->connectAs(instance.playerPort, QStringLiteral("%1-player-%2").arg(instance.id).arg(m_players.size())))
                return false;
            player->client->send(protocol::JoinOrCreate{
                .roomType = QStringLiteral("relay"),
                .metadata = protocol::RawJson::fromJsonObject({{QStringLiteral("mode"), QStringLiteral("ffa")},
                                                               {QStringLiteral("map"), QStringLiteral("harbour")}}),
                .maxClients = 4});
            const auto joined = player->next<protocol::Joined>();
            if (!joined)
                return false;
            m_players.push_back({std::move(player), instance.id, joined->roomId});
        }
        return true;
    }

    // Two players matched into a duel, which runs in the instance's worker.
    bool addDuel(const Instance &instance)
    {
        auto a = std::make_unique<TestPlayer>();
        auto b = std::make_unique<TestPlayer>();
        const int n = int(m_players.size());
        if (!a->connectAs(instance.playerPort, QStringLiteral("%1-duelist-%2").arg(instance.id).arg(n)) ||
            !b->connectAs(instance.playerPort, QStringLiteral("%1-duelist-%2").arg(instance.id).arg(n + 1)))
            return false;
        a->client->send(protocol::Queue{.roomType = QStringLiteral("duel")});
        b->client->send(protocol::Queue{.roomType = QStringLiteral("duel")});
        if (!a->next<protocol::MatchFound>(15000) || !b->next<protocol::MatchFound>(15000))
            return false;
        m_players.push_back({std::move(a), instance.id, QString()});
        m_players.push_back({std::move(b), instance.id, QString()});
        return true;
    }

    void removeRelayPlayer(const QString &instance)
    {
        for (auto it = m_players.rbegin(); it != m_players.rend(); ++it) {
            if (it->instance == instance && !it->roomId.isEmpty()) {
                it->player->client->send(protocol::Leave{.roomId = it->roomId});
                it->player->client->close();
                m_players.erase(std::next(it).base());
                return;
            }
        }
    }

    int relayPlayers(const QString &instance) const
    {
        return int(std::count_if(m_players.begin(), m_players.end(),
                                 [&](const Player &p) { return p.instance == instance && !p.roomId.isEmpty(); }));
    }

    void sendTraffic()
    {
        ++m_trafficTick;
        int i = 0;
        for (Player &p : m_players) {
            // A varying share of the relay players speaks each tick.
            if (!p.roomId.isEmpty() && (m_trafficTick + i++) % 3 != 0) {
                p.player->client->send(protocol::RoomMessage{
                    .roomId = p.roomId, .data = protocol::RawJson::fromJsonObject({{QStringLiteral("say"), m_trafficTick}})});
            }
            p.player->clear();
        }
    }

    QString screenshot(QWidget *widget, const QString &name)
    {
        const QString path = QDir(m_screenshots).filePath(name);
        if (!widget->grab().save(path))
            qWarning("could not save %s", qPrintable(path));
        return path;
    }

    void dumpOnFailure()
    {
        if (!QTest::currentTestFailed())
            return;
        for (Instance *i : {&m_alpha, &m_beta}) {
            if (i->server)
                qWarning("%s server said:\n%s", qPrintable(i->id), i->server->output().right(3000).constData());
            if (i->agent)
                qWarning("%s agent said:\n%s", qPrintable(i->id), i->agent->output().right(3000).constData());
        }
        if (m_session)
            qWarning("event log:\n%s", qPrintable(eventTexts(m_session->events())));
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        QVERIFY(m_settingsDir.isValid());
        // The console's settings (profiles, palette, layout) go to a temporary folder, never the user's.
        QStandardPaths::setTestModeEnabled(true);
        QSettings::setPath(QSettings::NativeFormat, QSettings::UserScope, m_settingsDir.path());
        QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
        m_settings = std::make_unique<QSettings>(m_settingsDir.filePath(QStringLiteral("arena-console.conf")),
                                                 QSettings::IniFormat);

        m_screenshots = qEnvironmentVariable("ARENA_SCREENSHOT_DIR");
        if (m_screenshots.isEmpty())
            m_screenshots = QCoreApplication::applicationDirPath() + QStringLiteral("/screenshots");
        QVERIFY(QDir().mkpath(m_screenshots));

        file(QStringLiteral("server-tokens"), "operator " + serverToken + "\n");
        file(QStringLiteral("agent-tokens"), "viewer " + viewerToken + " watcher\noperator " + operatorToken + " ops-1\n");

        m_redis = std::make_unique<test::RedisServer>();
        QVERIFY2(m_redis->start(), qPrintable(m_redis->lastError()));
        m_alpha.id = QStringLiteral("alpha");
        m_alpha.db = 1;
        m_beta.id = QStringLiteral("beta");
        m_beta.db = 2;
        QVERIFY(startServer(m_alpha));
        QVERIFY(startServer(m_beta));
        QVERIFY(addPlayers(m_alpha, 3));
        QVERIFY(addDuel(m_alpha));
        QVERIFY(addPlayers(m_beta, 2));
        m_traffic.setInterval(250);
        connect(&m_traffic, &QTimer::timeout, this, &TestConsole::sendTraffic);
        m_traffic.start();
    }

    void cleanup()
    {
        dumpOnFailure();
    }

    void cleanupTestCase()
    {
        m_traffic.stop();
        m_window.reset();
        m_session.reset();
        m_players.clear();
        for (Instance *i : {&m_alpha, &m_beta}) {
            if (i->agent)
                i->agent->stop(3000);
            if (i->server)
                i->server->stop(5000);
        }
        m_redis.reset();
    }

    void historyOfGoneInstancesIsForgotten()
    {
        // Through the signals real pushes arrive on, no agent needed.
        ConsoleSession session;
        const qint64 t0 = 1795363200000;
        const auto fleetAt = [](qint64 t, const QStringList &ids) {
            protocol::Fleet fleet{.time = quint64(t)};
            for (const QString &id : ids)
                fleet.instances.append(protocol::InstanceSummary{.id = id, .host = QStringLiteral("h"), .lastSeen = quint64(t)});
            return fleet;
        };
        const auto snapshotOf = [](const QString &id, qint64 t) {
            return protocol::Snapshot{.instance = id, .time = quint64(t),
                                      .figures = protocol::RawJson::fromJsonObject(
                                          {{QStringLiteral("sessions"), QJsonObject{{QStringLiteral("total"), 3}}}})};
        };
        Q_EMIT session.client().fleetReceived(fleetAt(t0, {QStringLiteral("a"), QStringLiteral("b")}));
        Q_EMIT session.client().snapshotReceived(snapshotOf(QStringLiteral("a"), t0));
        Q_EMIT session.client().snapshotReceived(snapshotOf(QStringLiteral("b"), t0));
        QCOMPARE(session.history().instances().size(), 2);
        // b leaves the fleet: kept through a short absence, forgotten after ConsoleSession::forgetAfterMs.
        Q_EMIT session.client().fleetReceived(fleetAt(t0 + ConsoleSession::forgetAfterMs - 60000, {QStringLiteral("a")}));
        QCOMPARE(session.history().instances().size(), 2);
        Q_EMIT session.client().fleetReceived(fleetAt(t0 + ConsoleSession::forgetAfterMs + 60000, {QStringLiteral("a")}));
        QCOMPARE(session.history().instances(), QStringList{QStringLiteral("a")});
        QVERIFY(session.history().history(QStringLiteral("a"), SeriesId::Sessions));
    }

    void profilesAreSavedAndOffered()
    {
        QSettings settings(m_settingsDir.filePath(QStringLiteral("profiles.conf")), QSettings::IniFormat);
        ProfileStore store(settings);
        QVERIFY(store.names().isEmpty());

        ConnectDialog dialog(store, std::nullopt);
        dialog.findChild<QComboBox *>(QStringLiteral("profileName"))->setCurrentText(QStringLiteral("staging"));
        dialog.findChild<QLineEdit *>(QStringLiteral("agentUrl"))->setText(QStringLiteral("http://10.0.0.5:4602"));
        dialog.findChild<QLineEdit *>(QStringLiteral("token"))->setText(QStringLiteral("  secret-token  "));
        dialog.findChild<QLineEdit *>(QStringLiteral("fallbackUrl"))->setText(QStringLiteral("10.0.0.6"));
        // Tokens are kept in the (plain-text) settings file only when asked for.
        QCheckBox *keep = dialog.findChild<QCheckBox *>(QStringLiteral("saveToken"));
        QVERIFY(!keep->isChecked());
        keep->setChecked(true);
        dialog.accept();
        QCOMPARE(dialog.result(), int(QDialog::Accepted));
        const ConnectionProfile p = dialog.profile();
        QCOMPARE(p.agent, QUrl(QStringLiteral("ws://10.0.0.5:4602")));
        QCOMPARE(p.token, QByteArray("secret-token"));
        QCOMPARE(p.fallbacks, QList<QUrl>{QUrl(QStringLiteral("ws://10.0.0.6:4602"))});
        QCOMPARE(store.names(), QStringList{QStringLiteral("staging")});
        QCOMPARE(store.lastUsed(), QStringLiteral("staging"));
        QCOMPARE(*store.lastUsedProfile(), p);

        // A new dialog starts from the last used profile; a bad address is refused in words.
        ConnectDialog again(store, std::nullopt);
        QCOMPARE(again.findChild<QLineEdit *>(QStringLiteral("agentUrl"))->text(), QStringLiteral("ws://10.0.0.5:4602"));
        again.findChild<QLineEdit *>(QStringLiteral("agentUrl"))->setText(QStringLiteral("ftp://x"));
        again.accept();
        QCOMPARE(again.result(), int(QDialog::Rejected));
        QVERIFY(again.findChild<QLabel *>(QStringLiteral("connectError"))->text().contains(QStringLiteral("ws://")));

        QVERIFY(readTokenFile(m_dir.filePath(QStringLiteral("agent-tokens"))).value() == viewerToken);
        QVERIFY(!readTokenFile(m_dir.filePath(QStringLiteral("missing"))).ok());
    }

    void fleetTableFills()
    {
        m_session = std::make_unique<ConsoleSession>();
        m_window = std::make_unique<MainWindow>(*m_session, *m_settings);
        m_window->resize(1600, 1000);
        m_window->show();
        QVERIFY(QTest::qWaitForWindowExposed(m_window.get()));
        QSignalSpy statuses(m_session.get(), &ConsoleSession::statusChanged);
        m_session->connectTo(profileFor(m_alpha, operatorToken));

        QTRY_VERIFY_WITH_TIMEOUT(m_session->isReady(), 10000);
        QVERIFY2(m_session->statusText().startsWith(QStringLiteral("connected to ws://127.0.0.1:")),
                 qPrintable(m_session->statusText()));
        QVERIFY(m_session->statusText().endsWith(QStringLiteral(" as operator")));
        QCOMPARE(m_window->agentStateButton()->text(), m_session->statusText());
        QVERIFY(!statuses.isEmpty());

        FleetModel &fleet = m_session->fleet();
        QTableView *table = m_window->fleetPanel()->view();
        QTRY_COMPARE_WITH_TIMEOUT(table->model()->rowCount(), 2, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(fleet.rowOf(QStringLiteral("alpha")) >= 0 && fleet.rowOf(QStringLiteral("beta")) >= 0, 5000);
        QTRY_COMPARE_WITH_TIMEOUT(fleet.health(fleet.rowOf(QStringLiteral("beta"))), FleetModel::Healthy, 15000);
        QCOMPARE(fleet.health(fleet.rowOf(QStringLiteral("alpha"))), FleetModel::Healthy);
        // Sorted by instance: alpha first.
        QCOMPARE(table->model()->index(0, FleetModel::Instance).data(FleetModel::InstanceRole).toString(), QStringLiteral("alpha"));

        // The agent's own instance is selected: its charts and its workers are shown.
        QTRY_COMPARE(m_window->selectedInstance(), QStringLiteral("alpha"));
        QCOMPARE(m_window->charts()->instance(), QStringLiteral("alpha"));
        QTRY_VERIFY_WITH_TIMEOUT(m_window->workersPanel()->view()->model()->rowCount() >= 1, 10000);
        QVERIFY(m_window->cleanupAction()->isEnabled());
        QVERIFY(m_window->scaleAction()->isEnabled());
        QVERIFY(m_window->roomsAction()->isEnabled());
    }

    void chartsReceivePoints()
    {
        QVERIFY(m_window);
        ChartGrid *charts = m_window->charts();
        QCOMPARE(charts->panels().size(), 9);
        ChartPanel *load = charts->panel(QStringLiteral("load"));
        ChartPanel *cpu = charts->panel(QStringLiteral("cpu"));
        ChartPanel *redis = charts->panel(QStringLiteral("redis-memory"));
        QVERIFY(load && cpu && redis);
        QTRY_VERIFY_WITH_TIMEOUT(pointsIn(load) >= 3, 15000);
        QTRY_VERIFY_WITH_TIMEOUT(pointsIn(cpu) >= 2, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(pointsIn(redis) >= 2, 10000);
        // Alpha's five players (three chatting, two in a duel) are on its sessions line, and the axis shows them.
        QTRY_COMPARE_WITH_TIMEOUT(lastValue(load), 5.0, 10000);
        QVERIFY(load->leftAxis()->max() >= 5.0);
        QTRY_COMPARE_WITH_TIMEOUT(lastValue(load, 2), 1.0, 10000); // the duel

        // The whole fleet sums both instances' sessions.
        m_window->fleetPanel()->wholeFleetButton()->click();
        QCOMPARE(charts->instance(), QString());
        QVERIFY(m_window->fleetPanel()->wholeFleetButton()->isChecked());
        QTRY_COMPARE_WITH_TIMEOUT(lastValue(load), 7.0, 10000);
        QVERIFY(!m_window->scaleAction()->isEnabled()); // needs an instance
        QVERIFY(m_window->scaleAction()->toolTip().contains(QStringLiteral("select an instance")));

        // Pause freezes the points; the refresh rate stays at four a second at most.
        const int before = charts->refreshCount();
        QTest::qWait(2000);
        QVERIFY2(charts->refreshCount() - before <= 9, qPrintable(QString::number(charts->refreshCount() - before)));
        m_window->pauseAction()->trigger();
        QVERIFY(charts->isPaused());
        const QList<QPointF> frozen = load->shownPoints(0);
        QTest::qWait(1500);
        QCOMPARE(load->shownPoints(0), frozen);
        m_window->pauseAction()->trigger();
        QVERIFY(!charts->isPaused());

        // Back to alpha by clicking its row.
        QTableView *table = m_window->fleetPanel()->view();
        const QRect alphaRow = table->visualRect(table->model()->index(0, FleetModel::Instance));
        QTest::mouseClick(table->viewport(), Qt::LeftButton, {}, alphaRow.center());
        QCOMPARE(m_window->selectedInstance(), QStringLiteral("alpha"));
        QTRY_COMPARE_WITH_TIMEOUT(lastValue(load), 5.0, 5000);

        // CSV of what the charts show: a header naming alpha's series, then rows.
        const QByteArray csv = charts->visibleSeriesCsv();
        QVERIFY2(csv.startsWith("time,alpha sessions"), csv.left(200).constData());
        QVERIFY(csv.count("\r\n") > 3);
        const QString png = m_dir.filePath(QStringLiteral("chart.png"));
        charts->setCurrentPanel(load);
        QVERIFY(m_window->exportChartPng(png));
        QVERIFY(QImage(png).width() > 100);
    }

    void chartGapsBreakTheLine()
    {
        // Four minutes of one instance's sessions with the instance down twice: the line stops at each
        // gap instead of joining across it, and the lone sample between the gaps shows as a dot.
        const ChartSpec spec = defaultChartSpecs().first();
        QCOMPARE(spec.key, QStringLiteral("load"));
        ChartPanel panel(spec);
        panel.setSubject(QStringLiteral("gamma"));
        panel.resize(900, 380);
        const qint64 to = QDateTime::currentMSecsSinceEpoch() / 1000 * 1000;
        const qint64 from = to - ChartGrid::FiveMinutes;
        const auto sessionsAt = [](int s) { return 4.0 + 2.0 * std::sin(s / 15.0); };
        QList<SeriesPoint> sessions;
        QList<SeriesPoint> rooms;
        for (int s = 0; s < 300; ++s) {
            const qint64 t = from + s * 1000;
            if (s < 100 || (s >= 190 && s < 250) || s == 280)
                sessions.append({t, sessionsAt(s), sessionsAt(s), sessionsAt(s)});
            rooms.append({t, 2.0, 2.0, 2.0});
        }
        QList<QList<SeriesPoint>> data(spec.all().size());
        data[0] = sessions;
        data[1] = rooms;
        panel.setData(data, from, to);

        const QList<QLineSeries *> runs = panel.segments(0);
        QCOMPARE(runs.size(), 3);
        QCOMPARE(runs.at(0)->count(), 100);
        QCOMPARE(runs.at(1)->count(), 60);
        QCOMPARE(runs.at(2)->count(), 1);
        QVERIFY(runs.at(2)->pointsVisible());
        QVERIFY(!runs.at(0)->pointsVisible());
        QCOMPARE(panel.shownPoints(0).size(), sessions.size());
        QCOMPARE(panel.segments(1).size(), 1); // rooms has no gap
        QCOMPARE(panel.segments(1).first()->count(), 300);
        for (QLineSeries *run : runs) {
            QCOMPARE(run->name(), runs.first()->name());
            QCOMPARE(run->pen().color(), runs.first()->pen().color());
        }
        panel.show();
        QVERIFY(QTest::qWaitForWindowExposed(&panel));
        // The legend names each series once.
        int shownMarkers = 0;
        for (QLegendMarker *marker : panel.chart()->legend()->markers())
            shownMarkers += marker->isVisible() ? 1 : 0;
        QCOMPARE(shownMarkers, int(spec.all().size()));

        // No pixel of the sessions' colour where a line across the first gap would run.
        const QColor colour = runs.first()->pen().color();
        const auto colourNear = [&](const QImage &image, const QPointF &at) {
            const QPoint centre = panel.mapFromScene(at);
            int n = 0;
            for (int y = centre.y() - 3; y <= centre.y() + 3; ++y) {
                for (int x = centre.x() - 3; x <= centre.x() + 3; ++x) {
                    const QColor c = image.pixelColor(x, y);
                    n += std::abs(c.red() - colour.red()) + std::abs(c.green() - colour.green()) +
                                 std::abs(c.blue() - colour.blue()) < 60 ? 1 : 0;
                }
            }
            return n;
        };
        const double midValue = (sessionsAt(99) + sessionsAt(190)) / 2;
        const QPointF midGap = panel.chart()->mapToPosition(QPointF(double(from + 145'000), midValue), runs.first());
        QTest::qWait(100);
        QCOMPARE(colourNear(panel.viewport()->grab().toImage(), midGap), 0);
        QVERIFY(panel.render().save(QDir(m_screenshots).filePath(QStringLiteral("console-chart-gaps.png"))));
        // The same check finds the line once the figures are there: segments no longer needed are emptied.
        QList<QList<SeriesPoint>> joined = data;
        joined[0].clear();
        for (int s = 0; s < 300; ++s) {
            const double v = s >= 100 && s < 190 ? midValue : sessionsAt(s);
            joined[0].append({from + s * 1000, v, v, v});
        }
        panel.setData(joined, from, to);
        QCOMPARE(panel.segments(0).size(), 3);
        QCOMPARE(panel.segments(0).at(1)->count(), 0);
        QCOMPARE(panel.segments(0).at(2)->count(), 0);
        QTest::qWait(100);
        QVERIFY(colourNear(panel.viewport()->grab().toImage(), midGap) > 0);

        // Splitting follows the bucket width: 10 s buckets break at a 30 s step, not at a 20 s one.
        QList<SeriesPoint> buckets;
        for (qint64 t : {0, 10, 20, 30, 50, 60, 70, 100, 110, 120})
            buckets.append({t * 1000, 1.0, 1.0, 1.0});
        const QList<QList<QPointF>> split = ChartPanel::segmentsOf(buckets);
        QCOMPARE(split.size(), 2);
        QCOMPARE(split.first().size(), 7);
        QCOMPARE(ChartPanel::segmentsOf({}).size(), 1);
        QCOMPARE(ChartPanel::segmentsOf(buckets, 1).size(), 1);
    }

    void chartZoomAndHover()
    {
        QVERIFY(m_window);
        ChartPanel *load = m_window->charts()->panel(QStringLiteral("load"));
        QTRY_VERIFY_WITH_TIMEOUT(pointsIn(load) >= 3, 10000);
        QVERIFY(!load->isZoomed());
        const auto timeSpan = [load] { return load->timeAxis()->max().toMSecsSinceEpoch() - load->timeAxis()->min().toMSecsSinceEpoch(); };
        const auto valueSpan = [load] { return load->leftAxis()->max() - load->leftAxis()->min(); };
        const qint64 liveSpan = timeSpan();
        const double liveValues = valueSpan();
        QCOMPARE(liveSpan, ChartGrid::FiveMinutes);

        // A rubber band over the middle of the plot zooms into it, and new figures do not undo it.
        const QRectF plot = load->chart()->plotArea();
        const auto at = [&](double fx, double fy) {
            return load->mapFromScene(plot.topLeft() + QPointF(plot.width() * fx, plot.height() * fy));
        };
        const auto drag = [&] {
            QTest::mousePress(load->viewport(), Qt::LeftButton, {}, at(0.3, 0.2));
            QTest::mouseMove(load->viewport(), at(0.5, 0.5));
            QTest::mouseMove(load->viewport(), at(0.7, 0.8));
            QTest::mouseRelease(load->viewport(), Qt::LeftButton, {}, at(0.7, 0.8));
        };
        drag();
        QVERIFY(load->isZoomed());
        const qint64 zoomedSpan = timeSpan();
        QVERIFY2(zoomedSpan < liveSpan * 0.6, qPrintable(QString::number(zoomedSpan)));
        QVERIFY(valueSpan() < liveValues * 0.8);
        QCOMPARE(m_window->charts()->currentPanel(), load);
        QTest::qWait(1200);
        QVERIFY(load->isZoomed());
        QCOMPARE(timeSpan(), zoomedSpan);

        // Escape goes back to the live view...
        load->setFocus();
        QTest::keyClick(load, Qt::Key_Escape);
        QVERIFY(!load->isZoomed());
        QCOMPARE(timeSpan(), ChartGrid::FiveMinutes);
        // ...and so does a right-click.
        drag();
        QVERIFY(load->isZoomed());
        QTest::mouseClick(load->viewport(), Qt::RightButton, {}, at(0.5, 0.5));
        QVERIFY(!load->isZoomed());
        QCOMPARE(timeSpan(), ChartGrid::FiveMinutes);

        // Hovering the sessions line shows the nearest point's value and time (paused, so it holds still).
        m_window->pauseAction()->trigger();
        QVERIFY(m_window->charts()->isPaused());
        const SeriesId id = load->spec().all().first();
        const SeriesPoint newest = load->data().first().last();
        const QString value = QStringLiteral("<b>%1</b>: %2").arg(seriesInfo(id).title, formatSeriesValue(id, newest.value));
        const QString time = QDateTime::fromMSecsSinceEpoch(newest.t).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
        const QPointF near(double(newest.t - 200), newest.value + 0.3);
        const QString text = load->valueText(0, near);
        QVERIFY2(text.contains(value) && text.contains(time), qPrintable(text));
        QLineSeries *sessions = load->segments(0).last();
        Q_EMIT sessions->hovered(near, true);
        QTRY_VERIFY(QToolTip::isVisible());
        QCOMPARE(QToolTip::text(), text);
        Q_EMIT sessions->hovered(near, false);
        QTRY_VERIFY(!QToolTip::isVisible());
        QVERIFY(load->valueText(0, near).contains(value)); // still the same point while paused
        m_window->pauseAction()->trigger();
        QVERIFY(!m_window->charts()->isPaused());
    }

    void cleanupPreviewThenRun()
    {
        QVERIFY(m_window);
        // Orphaned game states (their room records are gone): two on alpha, one on beta.
        for (const auto &[db, room] : {std::pair{1, "ghost-a1"}, std::pair{1, "ghost-a2"}, std::pair{2, "ghost-b1"}}) {
            const QString key = QStringLiteral("arena:room:{%1}:state").arg(QLatin1String(room));
            QCOMPARE(m_redis->cli({QStringLiteral("-n"), QString::number(db), QStringLiteral("SET"), key, QStringLiteral("{}")}),
                     QByteArray("OK"));
        }

        QToolButton *button = m_window->findChild<QToolButton *>(QStringLiteral("cleanupButton"));
        QVERIFY(button);
        QVERIFY(button->isEnabled());
        QTest::mouseClick(button, Qt::LeftButton);
        QTRY_VERIFY(m_window->cleanupDialog());
        CleanupDialog *dialog = m_window->cleanupDialog();
        QVERIFY(QTest::qWaitForWindowExposed(dialog));
        QVERIFY(!dialog->isFleetScope()); // alpha is selected

        // The dry run's preview: alpha's two orphaned states, nothing removed yet.
        QTRY_COMPARE_WITH_TIMEOUT(dialog->phase(), ActionDialog::Phase::Previewed, 10000);
        QCOMPARE(dialog->lastTotal(), 2);
        QTreeWidget *tree = dialog->preview();
        QCOMPARE(tree->topLevelItemCount(), 1);
        QCOMPARE(tree->topLevelItem(0)->text(0), QStringLiteral("alpha"));
        const auto states = tree->findItems(QStringLiteral("states"), Qt::MatchExactly | Qt::MatchRecursive);
        QCOMPARE(states.size(), 1);
        QCOMPARE(states.first()->text(1), QStringLiteral("2"));
        QVERIFY2(states.first()->text(2).contains(QStringLiteral("ghost-a1")), qPrintable(states.first()->text(2)));
        QVERIFY(dialog->runButton()->isEnabled());
        QCOMPARE(m_redis->cli({QStringLiteral("-n"), QStringLiteral("1"), QStringLiteral("EXISTS"),
                               QStringLiteral("arena:room:{ghost-a1}:state")}),
                 QByteArray("1"));

        // The whole fleet: both instances, three items.
        dialog->findChild<QRadioButton *>(QStringLiteral("cleanupScopeFleet"))->click();
        QTRY_COMPARE_WITH_TIMEOUT(dialog->phase(), ActionDialog::Phase::Previewed, 10000);
        QTRY_COMPARE(tree->topLevelItemCount(), 2);
        QCOMPARE(dialog->lastTotal(), 3);
        QVERIFY(dialog->statusText().contains(QStringLiteral("would remove 3 items")));
        screenshot(dialog, QStringLiteral("console-cleanup.png"));

        // Confirm: the servers remove them, the dialog says so, and the event log has each instance's entry.
        QTest::mouseClick(dialog->runButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(dialog->phase(), ActionDialog::Phase::Done, 15000);
        QCOMPARE(dialog->lastTotal(), 3);
        QVERIFY2(dialog->statusText().contains(QStringLiteral("removed 3 items")), qPrintable(dialog->statusText()));
        for (const auto &[db, room] : {std::pair{1, "ghost-a1"}, std::pair{1, "ghost-a2"}, std::pair{2, "ghost-b1"}}) {
            QCOMPARE(m_redis->cli({QStringLiteral("-n"), QString::number(db), QStringLiteral("EXISTS"),
                                   QStringLiteral("arena:room:{%1}:state").arg(QLatin1String(room))}),
                     QByteArray("0"));
        }
        EventLogModel &log = m_session->events();
        QTRY_COMPARE_WITH_TIMEOUT(countEvents(log, Event::Kind::Cleanup, {QStringLiteral("ops-1 on alpha"),
                                                                          QStringLiteral("2 states removed")}) -
                                      countEvents(log, Event::Kind::Cleanup, {QStringLiteral("ops-1 on alpha"),
                                                                              QStringLiteral("(dry run)")}),
                                  1, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(countEvents(log, Event::Kind::Cleanup, {QStringLiteral("on beta"), QStringLiteral("1 state removed")}) >= 1,
                                 10000);
        // The log's filters: only cleanups, then a search.
        EventLogPanel *events = m_window->eventLog();
        for (Event::Kind kind : {Event::Kind::Instance, Event::Kind::Worker, Event::Kind::Action, Event::Kind::Connection})
            events->kindBox(kind)->setChecked(false);
        QVERIFY(events->view()->model()->rowCount() >= 2);
        for (int row = 0; row < events->view()->model()->rowCount(); ++row)
            QCOMPARE(events->view()->model()->index(row, 0).data(EventLogModel::KindRole).toInt(), int(Event::Kind::Cleanup));
        events->searchField()->setText(QStringLiteral("on beta"));
        QVERIFY(events->view()->model()->rowCount() >= 1);
        events->searchField()->clear();
        for (Event::Kind kind : {Event::Kind::Instance, Event::Kind::Worker, Event::Kind::Action, Event::Kind::Connection})
            events->kindBox(kind)->setChecked(true);
        dialog->close();
        QTRY_VERIFY(!m_window->cleanupDialog());
    }

    void roomsBrowser()
    {
        QVERIFY(m_window);
        RoomsDialog *rooms = m_window->openRoomsDialog();
        QVERIFY(rooms);
        QTRY_VERIFY_WITH_TIMEOUT(rooms->loads() >= 1, 10000);
        QVERIFY2(rooms->model()->rowCount() >= 1, qPrintable(rooms->statusText()));
        QTRY_VERIFY(rooms->model()->rowCount() >= 2); // the relay room and the duel
        int relay = -1;
        for (int row = 0; row < rooms->view()->model()->rowCount(); ++row) {
            if (rooms->view()->model()->index(row, RoomsModel::Type).data().toString() == QLatin1String("relay"))
                relay = row;
        }
        QVERIFY(relay >= 0);
        rooms->view()->selectRow(relay);
        QVERIFY2(rooms->details()->toPlainText().contains(QStringLiteral("harbour")), qPrintable(rooms->details()->toPlainText()));
        QVERIFY(rooms->details()->toPlainText().contains(QStringLiteral("alpha-player-")));
        QVERIFY(rooms->disposeButton()->isEnabled());
        rooms->close();
    }

    void roomsDispose()
    {
        QVERIFY(m_window);
        // A room of its own, so the other players keep theirs.
        TestPlayer owner;
        QVERIFY(owner.connectAs(m_alpha.playerPort, QStringLiteral("alpha-owner")));
        owner.client->send(protocol::Create{
            .roomType = QStringLiteral("relay"),
            .maxClients = 2,
            .metadata = protocol::RawJson::fromJsonObject({{QStringLiteral("map"), QStringLiteral("lighthouse")}})});
        const auto joined = owner.next<protocol::Joined>();
        QVERIFY(joined);
        const QString room = joined->roomId;
        QVERIFY(serverRooms(m_alpha.adminPort, serverToken).contains(room));

        RoomsDialog *rooms = m_window->openRoomsDialog();
        QVERIFY(rooms);
        QTRY_VERIFY_WITH_TIMEOUT(rooms->loads() >= 1, 10000);
        const auto rowOf = [rooms](const QString &id) {
            for (int row = 0; row < rooms->view()->model()->rowCount(); ++row) {
                if (rooms->view()->model()->index(row, RoomsModel::Id).data(RoomsModel::RoomIdRole).toString() == id)
                    return row;
            }
            return -1;
        };
        QTRY_VERIFY_WITH_TIMEOUT(rowOf(room) >= 0, 5000);
        rooms->view()->selectRow(rowOf(room));
        QCOMPARE(rooms->selectedRoom(), room);
        QVERIFY(rooms->details()->toPlainText().contains(QStringLiteral("lighthouse")));

        // Dispose asks first: Cancel leaves the room alone.
        QString question;
        answerMessageBox(QMessageBox::Cancel, &question);
        QTest::mouseClick(rooms->disposeButton(), Qt::LeftButton);
        QVERIFY2(question.contains(room) && question.contains(QStringLiteral("alpha")), qPrintable(question));
        QTest::qWait(300);
        QVERIFY(serverRooms(m_alpha.adminPort, serverToken).contains(room));

        // Yes disposes it on the server, and the dialog's list follows.
        question.clear();
        const int loads = rooms->loads();
        answerMessageBox(QMessageBox::Yes, &question);
        QTest::mouseClick(rooms->disposeButton(), Qt::LeftButton);
        QVERIFY(question.contains(room));
        QTRY_VERIFY_WITH_TIMEOUT(!serverRooms(m_alpha.adminPort, serverToken).contains(room), 10000);
        QTRY_VERIFY_WITH_TIMEOUT(rooms->loads() > loads, 10000);
        QTRY_VERIFY_WITH_TIMEOUT(countEvents(m_session->events(), Event::Kind::Action,
                                             {QStringLiteral("ops-1 disposed of room ") + room}) == 1, 10000);
        QCOMPARE(rowOf(room), -1);
        QVERIFY(serverRooms(m_alpha.adminPort, serverToken).size() >= 2); // the others' rooms remain
        rooms->close();
    }

    void keyboardShortcuts()
    {
        QVERIFY(m_window);
        MainWindow *window = m_window.get();
        const auto activate = [window] {
            window->activateWindow();
            return QTest::qWaitForWindowActive(window);
        };
        QVERIFY(activate());
        ChartGrid *charts = window->charts();
        ChartPanel *load = charts->panel(QStringLiteral("load"));
        load->setFocus();

        // Space pauses and resumes the charts.
        QVERIFY(!charts->isPaused());
        QTest::keyClick(window, Qt::Key_Space);
        QVERIFY(charts->isPaused());
        QVERIFY(window->pauseAction()->isChecked());
        QTest::keyClick(window, Qt::Key_Space);
        QVERIFY(!charts->isPaused());

        // 1 / 2 / 3 choose the window; the time axis follows.
        for (const auto &[key, span] : {std::pair{Qt::Key_2, ChartGrid::OneHour}, std::pair{Qt::Key_3, ChartGrid::OneDay},
                                        std::pair{Qt::Key_1, ChartGrid::FiveMinutes}}) {
            QTest::keyClick(window, key);
            QCOMPARE(charts->window(), span);
            QCOMPARE(load->toMs() - load->fromMs(), span);
        }

        // Ctrl+L opens the cleanup dialog.
        QVERIFY(!window->cleanupDialog());
        QTest::keyClick(window, Qt::Key_L, Qt::ControlModifier);
        QTRY_VERIFY(window->cleanupDialog());
        QVERIFY(window->cleanupDialog()->isVisible());
        QTRY_COMPARE_WITH_TIMEOUT(window->cleanupDialog()->phase(), ActionDialog::Phase::Previewed, 10000);
        window->cleanupDialog()->close();
        QTRY_VERIFY(!window->cleanupDialog());
        QVERIFY(activate());

        // Ctrl+R opens the rooms dialog.
        const auto openRooms = [window] {
            int n = 0;
            for (RoomsDialog *d : window->findChildren<RoomsDialog *>())
                n += d->isVisible() ? 1 : 0;
            return n;
        };
        QTRY_COMPARE(openRooms(), 0);
        QTest::keyClick(window, Qt::Key_R, Qt::ControlModifier);
        QTRY_COMPARE(openRooms(), 1);
        for (RoomsDialog *d : window->findChildren<RoomsDialog *>()) {
            if (d->isVisible()) {
                QCOMPARE(d->instance(), QStringLiteral("alpha"));
                d->close();
            }
        }
        QVERIFY(activate());

        // Ctrl+F puts the cursor in the event log's search field: typing filters the log.
        load->setFocus();
        QLineEdit *search = window->eventLog()->searchField();
        QVERIFY(!search->hasFocus());
        QTest::keyClick(window, Qt::Key_F, Qt::ControlModifier);
        QTRY_VERIFY(search->hasFocus());
        QTest::keyClicks(QApplication::focusWidget(), QStringLiteral("beta"));
        QCOMPARE(search->text(), QStringLiteral("beta"));
        search->clear();
        load->setFocus();
    }

    void screenshotsOfTheWindow()
    {
        QVERIFY(m_window);
        // Let the charts gather more history, then keep pictures for the docs. ARENA_SCREENSHOT_SECONDS
        // makes it longer, with players coming and going, for pictures whose charts have a shape.
        const int seconds = std::max(3, qEnvironmentVariableIntValue("ARENA_SCREENSHOT_SECONDS"));
        for (int s = 0; s < seconds; ++s) {
            QTest::qWait(1000);
            if (seconds <= 3 || s % 6 != 0)
                continue;
            const int wantAlpha = 3 + int(std::lround(3.0 * std::sin(s / 35.0)) + s / 60);
            const int wantBeta = 2 + int(std::lround(2.0 * std::sin(s / 23.0 + 1.0)));
            for (const auto &[instance, want] : {std::pair{&m_alpha, wantAlpha}, std::pair{&m_beta, wantBeta}}) {
                if (relayPlayers(instance->id) < want)
                    QVERIFY(addPlayers(*instance, 1));
                else if (relayPlayers(instance->id) > want)
                    removeRelayPlayer(instance->id);
            }
            if (s % 90 == 48)
                QVERIFY(addDuel(m_alpha));
        }
        m_window->charts()->refresh();
        QTest::qWait(300);
        screenshot(m_window.get(), QStringLiteral("console-main.png"));
        // One chart as File → Export renders it, at a size that reads well on its own.
        ChartPanel *load = m_window->charts()->panel(QStringLiteral("load"));
        ChartPanel large(load->spec());
        large.setSubject(QStringLiteral("alpha"));
        large.resize(900, 380);
        const QList<QList<SeriesPoint>> shown = load->data();
        large.setData(shown, load->fromMs(), load->toMs());
        QCOMPARE(large.shownPoints(0).size(), shown.first().size());
        large.show();
        QVERIFY(QTest::qWaitForWindowExposed(&large));
        QVERIFY(large.render().save(QDir(m_screenshots).filePath(QStringLiteral("console-chart.png"))));
        m_window->setDarkPalette(true);
        QTest::qWait(300);
        screenshot(m_window.get(), QStringLiteral("console-main-dark.png"));
        QCOMPARE(m_settings->value(QStringLiteral("view/darkPalette")).toBool(), true);
        m_window->setDarkPalette(false);
    }

    // The arena-console program itself, without a display: --screenshot connects to the agent, shows
    // the fleet for a while, writes the window as a PNG and exits 0; a bad delay is refused with 2.
    void consoleProgramWritesAScreenshot()
    {
        const QString png = m_dir.filePath(QStringLiteral("program.png"));
        QTemporaryDir config;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.insert(QStringLiteral("QT_QPA_PLATFORM"), QStringLiteral("offscreen"));
        env.insert(QStringLiteral("XDG_CONFIG_HOME"), config.path()); // not the user's profiles
        QProcess console;
        console.setProcessEnvironment(env);
        console.start(QStringLiteral(ARENA_CONSOLE_BINARY),
                      {QStringLiteral("--agent"), QStringLiteral("ws://127.0.0.1:%1").arg(m_alpha.agentPort),
                       QStringLiteral("--token-file"), m_dir.filePath(QStringLiteral("agent-tokens")),
                       QStringLiteral("--screenshot"), png, QStringLiteral("--screenshot-after"), QStringLiteral("3")});
        QVERIFY(console.waitForFinished(30000));
        QCOMPARE(console.exitStatus(), QProcess::NormalExit);
        QCOMPARE(console.exitCode(), 0);
        QVERIFY(console.readAllStandardOutput().contains("arena-console: wrote " + png.toUtf8()));
        QImage picture(png);
        QCOMPARE(picture.size(), QSize(1440, 900));
        // Not a blank window: the fleet table and charts put many colours on it.
        QSet<QRgb> colours;
        for (int y = 0; y < picture.height(); y += 7) {
            for (int x = 0; x < picture.width(); x += 7)
                colours.insert(picture.pixel(x, y));
        }
        QVERIFY2(colours.size() > 20, qPrintable(QString::number(colours.size())));

        QProcess bad;
        bad.setProcessEnvironment(env);
        bad.start(QStringLiteral(ARENA_CONSOLE_BINARY), {QStringLiteral("--screenshot-after"), QStringLiteral("0")});
        QVERIFY(bad.waitForFinished(10000));
        QCOMPARE(bad.exitCode(), 2);
        QVERIFY(bad.readAllStandardError().contains("--screenshot-after"));
    }

    void viewerTokenDisablesActions()
    {
        ConsoleSession session;
        MainWindow window(session, *m_settings);
        window.show();
        session.connectTo(profileFor(m_beta, viewerToken));
        QTRY_VERIFY_WITH_TIMEOUT(session.isReady(), 10000);
        QVERIFY(session.statusText().endsWith(QStringLiteral(" as viewer")));
        QTRY_COMPARE_WITH_TIMEOUT(window.fleetPanel()->view()->model()->rowCount(), 2, 15000);
        QTRY_COMPARE(window.selectedInstance(), QStringLiteral("beta"));

        const QString reason = viewerTokenReason();
        QCOMPARE(reason, QStringLiteral("your token is a viewer token: actions need an operator token"));
        for (QAction *action : {window.cleanupAction(), window.scaleAction(), window.drainAction()}) {
            QVERIFY2(!action->isEnabled(), qPrintable(action->text()));
            QCOMPARE(action->toolTip(), reason);
        }
        QToolButton *cleanup = window.findChild<QToolButton *>(QStringLiteral("cleanupButton"));
        QVERIFY(!cleanup->isEnabled());
        QCOMPARE(cleanup->toolTip(), reason);
        QTest::mouseClick(cleanup, Qt::LeftButton);
        QVERIFY(!window.cleanupDialog());
        QVERIFY(!window.openCleanupDialog());
        QCOMPARE(window.workersPanel()->restartButton()->toolTip(), reason);
        QVERIFY(!window.workersPanel()->restartButton()->isEnabled());
        // Looking is allowed.
        QVERIFY(window.roomsAction()->isEnabled());
    }

    void scaleDrainAndErrors()
    {
        QVERIFY(m_window);
        FleetModel &fleet = m_session->fleet();

        // Scale alpha from one worker to two: the pool's limits come from its snapshot, a dry run first.
        ScaleDialog *scale = m_window->openScaleDialog();
        QVERIFY(scale);
        QTRY_COMPARE_WITH_TIMEOUT(scale->workersBox()->maximum(), 3, 10000);
        QCOMPARE(scale->workersBox()->value(), 1);
        QVERIFY(!scale->applyButton()->isEnabled());
        scale->workersBox()->setValue(2);
        QTest::mouseClick(scale->previewButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(scale->phase(), ActionDialog::Phase::Previewed, 10000);
        QVERIFY2(scale->resultText().contains(QStringLiteral("alpha runs 1 worker; it would run 2")), qPrintable(scale->resultText()));
        QVERIFY(scale->applyButton()->isEnabled());
        QTest::mouseClick(scale->applyButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(scale->phase(), ActionDialog::Phase::Done, 10000);
        QVERIFY2(scale->resultText().contains(QStringLiteral("1 → 2")), qPrintable(scale->resultText()));
        QTRY_COMPARE_WITH_TIMEOUT(m_window->workersPanel()->view()->model()->rowCount(), 2, 10000);
        // The real run and its dry run, both audited.
        QTRY_VERIFY_WITH_TIMEOUT(countEvents(m_session->events(), Event::Kind::Action,
                                             {QStringLiteral("ops-1 scaled workers on alpha to 2")}) == 2, 10000);
        QCOMPARE(countEvents(m_session->events(), Event::Kind::Action,
                             {QStringLiteral("ops-1 scaled workers on alpha to 2"), QStringLiteral("(dry run)")}), 1);
        scale->close();

        // An error reads as the agent's message with its code.
        WorkerActionDialog missing(*m_session, WorkerActionDialog::Mode::Restart, QStringLiteral("alpha"), QStringLiteral("w99"));
        QTRY_COMPARE_WITH_TIMEOUT(missing.phase(), ActionDialog::Phase::Failed, 10000);
        QVERIFY2(missing.statusText().contains(QStringLiteral("no worker w99 (error not_found)")), qPrintable(missing.statusText()));
        QVERIFY(!missing.confirmButton()->isEnabled());

        // Drain beta with a deadline, see it amber and the action turn into Cancel drain, then cancel.
        QTableView *table = m_window->fleetPanel()->view();
        m_window->fleetPanel()->selectInstance(QStringLiteral("beta"));
        QCOMPARE(m_window->selectedInstance(), QStringLiteral("beta"));
        DrainDialog *drain = m_window->openDrainDialog();
        QVERIFY(drain);
        QTRY_COMPARE_WITH_TIMEOUT(drain->phase(), ActionDialog::Phase::Previewed, 10000);
        QVERIFY2(drain->resultText().contains(QStringLiteral("beta is serving")), qPrintable(drain->resultText()));
        QVERIFY(!drain->cancelDrainButton()->isVisible());
        drain->deadlineBox()->setValue(120);
        QTest::mouseClick(drain->drainButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(drain->phase(), ActionDialog::Phase::Done, 10000);
        drain->close();
        const int beta = fleet.rowOf(QStringLiteral("beta"));
        QTRY_COMPARE_WITH_TIMEOUT(fleet.health(beta), FleetModel::Draining, 10000);
        QCOMPARE(m_window->drainAction()->text(), QStringLiteral("Cancel drain…"));
        drain = m_window->openDrainDialog();
        QTRY_COMPARE_WITH_TIMEOUT(drain->phase(), ActionDialog::Phase::Previewed, 10000);
        QVERIFY(drain->isDraining());
        QVERIFY(drain->cancelDrainButton()->isEnabled());
        QVERIFY(!drain->drainButton()->isEnabled());
        QTest::mouseClick(drain->cancelDrainButton(), Qt::LeftButton);
        QTRY_COMPARE_WITH_TIMEOUT(drain->phase(), ActionDialog::Phase::Done, 10000);
        drain->close();
        QTRY_COMPARE_WITH_TIMEOUT(fleet.health(beta), FleetModel::Healthy, 10000);
        QCOMPARE(m_window->drainAction()->text(), QStringLiteral("Drain…"));

        // Back to alpha for the rest.
        m_window->fleetPanel()->selectInstance(QStringLiteral("alpha"));
        QCOMPARE(table->selectionModel()->selectedRows().size(), 1);
    }

    void killedServerTurnsRed()
    {
        QVERIFY(m_window);
        FleetModel &fleet = m_session->fleet();
        m_beta.server->sendSignal(SIGKILL);
        const int row = fleet.rowOf(QStringLiteral("beta"));
        QTRY_COMPARE_WITH_TIMEOUT(fleet.health(row), FleetModel::Down, 10000);
        QCOMPARE(fleet.index(row, FleetModel::Instance).data(FleetModel::HealthRole).toInt(), int(FleetModel::Down));
        QCOMPARE(fleet.health(fleet.rowOf(QStringLiteral("alpha"))), FleetModel::Healthy);

        // The row is painted red: its dot and its text take the "down" colour.
        const QColor red = FleetModel::healthColor(FleetModel::Down);
        QVERIFY(red.red() > red.green() + 60 && red.red() > red.blue() + 60);
        QTableView *table = m_window->fleetPanel()->view();
        QTest::qWait(300);
        const QImage image = table->viewport()->grab().toImage();
        const QRect betaRow = table->visualRect(table->model()->index(1, FleetModel::Health))
                                  .united(table->visualRect(table->model()->index(1, FleetModel::Instance)));
        int redPixels = 0;
        const qreal dpr = image.devicePixelRatio();
        for (int y = int(betaRow.top() * dpr); y < int(betaRow.bottom() * dpr); ++y) {
            for (int x = int(betaRow.left() * dpr); x < int(betaRow.right() * dpr); ++x)
                redPixels += image.pixelColor(x, y).rgb() == red.rgb() ? 1 : 0;
        }
        QVERIFY2(redPixels > 10, qPrintable(QString::number(redPixels)));
        QTRY_VERIFY_WITH_TIMEOUT(countEvents(m_session->events(), Event::Kind::Instance, {QStringLiteral("beta")}) >= 1, 5000);
        screenshot(m_window.get(), QStringLiteral("console-main-down.png"));
    }
};

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Arena"));
    QApplication::setApplicationName(QStringLiteral("arena-console-test"));
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));
    TestConsole test;
    return QTest::qExec(&test, argc, argv);
}

#include "tst_console.moc"
