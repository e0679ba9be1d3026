// The real arena-ctl binary against a real fleet: one redis-server, two arena-server instances (each on
// its own Redis database, with workers) and an arena-agent beside each (both agents on the same database,
// so they share the fleet). Through agent A, arena-ctl sees both instances, reads B's figures, runs a
// cleanup dry run and scales B's workers (checked on B's admin API), lists a room a player created on B and
// shows the audit trail; a viewer's action is refused (exit 1, forbidden), an unknown instance is not_found
// (exit 1), a wrong token or an agent not listening is exit 3, and an agent that does not answer is exit 4.
#include "tests/integration/ctl/testfleet.h"
#include "tests/support/adminhttp.h"
#include "tests/support/testplayer.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <csignal>
#include <memory>
#include <sys/prctl.h>

using namespace arena;

namespace {

const QByteArray ServerViewerToken = test::TestFleet::ServerViewerToken;

struct CtlRun
{
    int exitCode = -1; // -1: did not finish
    QByteArray out;
    QByteArray err;

    QJsonObject json() const { return QJsonDocument::fromJson(out).object(); }
    QString describe() const
    {
        return QStringLiteral("exit %1\nstdout: %2\nstderr: %3")
            .arg(exitCode)
            .arg(QString::fromUtf8(out), QString::fromUtf8(err));
    }
};

} // namespace

class TestArenaCtl final : public QObject
{
    Q_OBJECT

private:
    test::TestFleet m_fleet;
    test::FleetInstance &m_a = m_fleet.a;
    test::FleetInstance &m_b = m_fleet.b;
    QString m_operatorTokens; // arena-ctl token files: the first token is the one used
    QString m_viewerTokens;
    std::unique_ptr<test::TestPlayer> m_player;
    QString m_roomId;

    // Runs arena-ctl with `args` and waits for it.
    CtlRun ctl(const QStringList &args, int timeoutMs = 30000)
    {
        QProcess process;
        process.setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove(QStringLiteral("ARENA_TOKEN"));
        process.setProcessEnvironment(env);
        process.start(QStringLiteral(ARENA_CTL_BINARY), args);
        CtlRun run;
        if (!process.waitForFinished(timeoutMs)) {
            process.kill();
            process.waitForFinished(2000);
        } else if (process.exitStatus() == QProcess::NormalExit) {
            run.exitCode = process.exitCode();
        }
        run.out = process.readAllStandardOutput();
        run.err = process.readAllStandardError();
        return run;
    }

    // arena-ctl through agent A with the operator's token file.
    CtlRun operatorCtl(const QStringList &args, int timeoutMs = 30000)
    {
        return ctl(QStringList{QStringLiteral("--agent"), m_a.agentUrl(), QStringLiteral("--token-file"), m_operatorTokens}
                       + args,
                   timeoutMs);
    }

    // The instances of `fleet --json` through A, by id.
    QHash<QString, QJsonObject> fleet()
    {
        QHash<QString, QJsonObject> byId;
        const CtlRun run = operatorCtl({QStringLiteral("fleet"), QStringLiteral("--json")});
        for (const QJsonValue &v : run.json().value(QStringLiteral("instances")).toArray())
            byId.insert(v.toObject().value(QStringLiteral("id")).toString(), v.toObject());
        return byId;
    }

    bool bothUp()
    {
        const auto instances = fleet();
        return instances.value(m_a.id).value(QStringLiteral("state")).toString() == QLatin1String("up")
            && instances.value(m_b.id).value(QStringLiteral("state")).toString() == QLatin1String("up");
    }

    int workersOfB()
    {
        return test::getJson(m_b.adminPort, QStringLiteral("/workers/stats"), ServerViewerToken)
            .value(QStringLiteral("pool"))
            .toObject()
            .value(QStringLiteral("total_workers"))
            .toInt(-1);
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY2(m_fleet.start(QStringLiteral("ctl-it-a"), QStringLiteral("ctl-it-b")), qPrintable(m_fleet.lastError()));
        m_operatorTokens = m_fleet.path(QStringLiteral("ctl-operator"));
        m_viewerTokens = m_fleet.path(QStringLiteral("ctl-viewer"));
        // Each agent publishes its instance every second; A knows B once B's agent has published.
        QTRY_VERIFY_WITH_TIMEOUT(bothUp(), 20000);
    }

    void cleanup()
    {
        if (!QTest::currentTestFailed())
            return;
        for (const test::FleetInstance *i : {&m_a, &m_b}) {
            if (i->agent)
                qWarning("agent of %s said:\n%s", qPrintable(i->id), i->agent->output().right(4000).constData());
        }
    }

    void fleetListsBothInstances()
    {
        const CtlRun json = operatorCtl({QStringLiteral("fleet"), QStringLiteral("--json")});
        QVERIFY2(json.exitCode == 0, qPrintable(json.describe()));
        QCOMPARE(json.out.count('\n'), 1); // one JSON document
        const QJsonObject doc = json.json();
        QVERIFY(doc.value(QStringLiteral("time")).toInteger() > 0);
        const QJsonArray instances = doc.value(QStringLiteral("instances")).toArray();
        QStringList ids;
        for (const QJsonValue &v : instances) {
            const QJsonObject i = v.toObject();
            ids.append(i.value(QStringLiteral("id")).toString());
            QCOMPARE(i.value(QStringLiteral("state")).toString(), QStringLiteral("up"));
            QVERIFY(i.value(QStringLiteral("workers")).toInt() >= 1);
            QVERIFY(i.value(QStringLiteral("last_seen")).toInteger() > 0);
        }
        ids.sort();
        QCOMPARE(ids, (QStringList{m_a.id, m_b.id}));

        // The table, through B this time, as a viewer whose token is given with --token.
        const CtlRun text = ctl({QStringLiteral("fleet"), QStringLiteral("--agent"), m_b.agentUrl(), QStringLiteral("--token"),
                                 QString::fromLatin1(test::TestFleet::ViewerToken)});
        QVERIFY2(text.exitCode == 0, qPrintable(text.describe()));
        const QStringList lines = QString::fromUtf8(text.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QCOMPARE(lines.size(), 3);
        QVERIFY2(lines.at(0).startsWith(QStringLiteral("ID ")) && lines.at(0).contains(QStringLiteral("LAST-SEEN")),
                 qPrintable(lines.at(0)));
        QVERIFY(text.out.contains(m_a.id.toUtf8()) && text.out.contains(m_b.id.toUtf8()));
        QVERIFY(text.out.contains(" ago"));
        QVERIFY(text.err.isEmpty());
    }

    void statsOfAnotherInstance()
    {
        const CtlRun json = operatorCtl({QStringLiteral("stats"), m_b.id, QStringLiteral("--json")});
        QVERIFY2(json.exitCode == 0, qPrintable(json.describe()));
        const QJsonObject doc = json.json();
        QCOMPARE(doc.value(QStringLiteral("instance")).toString(), m_b.id);
        const QJsonObject figures = doc.value(QStringLiteral("figures")).toObject();
        QCOMPARE(figures.value(QStringLiteral("instance")).toString(), m_b.id);
        const QJsonObject server = figures.value(QStringLiteral("server")).toObject();
        QCOMPARE(server.value(QStringLiteral("state")).toString(), QStringLiteral("up"));
        QCOMPARE(server.value(QStringLiteral("pid")).toInteger(), m_b.server->processId());
        QCOMPARE(server.value(QStringLiteral("player_port")).toInt(), int(m_b.playerPort));
        QVERIFY(figures.value(QStringLiteral("workers")).toObject().contains(QStringLiteral("totals")));
        QVERIFY(figures.value(QStringLiteral("sessions")).isObject());

        const CtlRun text = operatorCtl({QStringLiteral("stats"), m_b.id});
        QVERIFY2(text.exitCode == 0, qPrintable(text.describe()));
        const QString out = QString::fromUtf8(text.out);
        QVERIFY2(out.startsWith(QStringLiteral("instance  ") + m_b.id), qPrintable(out));
        for (const char *label : {"\nserver    up", "\nprocess ", "\nsessions ", "\nworkers ", "\nredis     reachable", "\nhost "})
            QVERIFY2(out.contains(QLatin1String(label)), qPrintable(QLatin1String(label) + QStringLiteral(" in\n") + out));
        QVERIFY(out.contains(QString::number(m_b.server->processId())));
    }

    void cleanupDryRunOfAnotherInstance()
    {
        const CtlRun text = operatorCtl({QStringLiteral("cleanup"), QStringLiteral("--dry-run"), QStringLiteral("--instance"), m_b.id});
        QVERIFY2(text.exitCode == 0, qPrintable(text.describe()));
        QVERIFY2(text.out.startsWith("cleanup on " + m_b.id.toUtf8() + " (dry run)\nwould remove "), text.out.constData());

        const CtlRun json = operatorCtl({QStringLiteral("cleanup"), QStringLiteral("--dry-run"), QStringLiteral("--instance"),
                                         m_b.id, QStringLiteral("--json")});
        QVERIFY2(json.exitCode == 0, qPrintable(json.describe()));
        QCOMPARE(json.json().value(QStringLiteral("dryRun")).toBool(), true);
        QVERIFY(json.json().value(QStringLiteral("counts")).isObject());
    }

    void scaleWorkersOfAnotherInstance()
    {
        QCOMPARE(workersOfB(), 1);
        const CtlRun run = operatorCtl({QStringLiteral("workers"), QStringLiteral("scale"), QStringLiteral("2"),
                                        QStringLiteral("--instance"), m_b.id});
        QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
        QVERIFY2(run.out.startsWith("scale_workers on " + m_b.id.toUtf8()), run.out.constData());
        QTRY_COMPARE_WITH_TIMEOUT(workersOfB(), 2, 10000);
    }

    void viewerMayNotAct()
    {
        const QStringList args{QStringLiteral("--agent"), m_a.agentUrl(), QStringLiteral("--token-file"), m_viewerTokens,
                               QStringLiteral("workers"), QStringLiteral("scale"), QStringLiteral("2"),
                               QStringLiteral("--instance"), m_b.id};
        const CtlRun text = ctl(args);
        QVERIFY2(text.exitCode == 1, qPrintable(text.describe()));
        QVERIFY2(text.err.contains("forbidden"), qPrintable(text.describe()));
        QVERIFY(text.out.isEmpty());

        const CtlRun json = ctl(args + QStringList{QStringLiteral("--json")});
        QVERIFY2(json.exitCode == 1, qPrintable(json.describe()));
        QCOMPARE(json.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
                 QStringLiteral("forbidden"));
        QVERIFY(json.err.contains("forbidden"));

        // Looking is allowed.
        const CtlRun look = ctl({QStringLiteral("--agent"), m_a.agentUrl(), QStringLiteral("--token-file"), m_viewerTokens,
                                 QStringLiteral("rooms"), QStringLiteral("--instance"), m_b.id});
        QVERIFY2(look.exitCode == 0, qPrintable(look.describe()));
    }

    void unknownInstance()
    {
        const CtlRun action = operatorCtl({QStringLiteral("workers"), QStringLiteral("scale"), QStringLiteral("1"),
                                           QStringLiteral("--instance"), QStringLiteral("no-such-instance")});
        QVERIFY2(action.exitCode == 1, qPrintable(action.describe()));
        QVERIFY2(action.err.contains("not_found"), qPrintable(action.describe()));

        const CtlRun query = operatorCtl({QStringLiteral("stats"), QStringLiteral("no-such-instance"), QStringLiteral("--json")});
        QVERIFY2(query.exitCode == 1, qPrintable(query.describe()));
        QCOMPARE(query.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
                 QStringLiteral("not_found"));
    }

    void wrongToken()
    {
        const CtlRun run = ctl({QStringLiteral("--agent"), m_a.agentUrl(), QStringLiteral("--token"),
                                QStringLiteral("wrong-token-0123456789"), QStringLiteral("fleet")});
        QVERIFY2(run.exitCode == 3, qPrintable(run.describe()));
        QVERIFY2(run.err.contains("unauthorized"), qPrintable(run.describe()));
        QVERIFY2(run.err.contains("authentication failed"), qPrintable(run.describe()));

        // No token at all, against an agent with a token file: refused too.
        const CtlRun none = ctl({QStringLiteral("--agent"), m_a.agentUrl(), QStringLiteral("fleet"), QStringLiteral("--json")});
        QVERIFY2(none.exitCode == 3, qPrintable(none.describe()));
        QCOMPARE(none.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
                 QStringLiteral("unauthorized"));
    }

    void agentNotListening()
    {
        const quint16 port = test::freePort();
        const CtlRun run = ctl({QStringLiteral("--agent"), QStringLiteral("ws://127.0.0.1:%1").arg(port),
                                QStringLiteral("--token-file"), m_operatorTokens, QStringLiteral("fleet")});
        QVERIFY2(run.exitCode == 3, qPrintable(run.describe()));
        QVERIFY2(run.err.contains("cannot connect"), qPrintable(run.describe()));
    }

    void auditShowsTheActions()
    {
        const CtlRun json = operatorCtl({QStringLiteral("audit"), QStringLiteral("--json")});
        QVERIFY2(json.exitCode == 0, qPrintable(json.describe()));
        const QJsonArray entries = json.json().value(QStringLiteral("entries")).toArray();
        bool scaled = false;
        bool refused = false;
        qint64 previousTime = std::numeric_limits<qint64>::max();
        for (const QJsonValue &v : entries) {
            const QJsonObject e = v.toObject();
            QVERIFY(e.value(QStringLiteral("time")).toInteger() <= previousTime); // newest first
            previousTime = e.value(QStringLiteral("time")).toInteger();
            if (e.value(QStringLiteral("kind")).toString() != QLatin1String("scale_workers")
                || e.value(QStringLiteral("target")).toString() != m_b.id)
                continue;
            if (e.value(QStringLiteral("actor")).toString() == QLatin1String("ops-1") && e.value(QStringLiteral("ok")).toBool()) {
                scaled = true;
                QCOMPARE(e.value(QStringLiteral("role")).toString(), QStringLiteral("operator"));
                QCOMPARE(e.value(QStringLiteral("params")).toObject().value(QStringLiteral("workers")).toInt(), 2);
                QCOMPARE(e.value(QStringLiteral("dry_run")).toBool(true), false);
                QVERIFY(e.value(QStringLiteral("action_id")).toString().startsWith(QStringLiteral("ctl-")));
            }
            if (e.value(QStringLiteral("actor")).toString() == QLatin1String("watcher")) {
                refused = true;
                QCOMPARE(e.value(QStringLiteral("ok")).toBool(true), false);
                QCOMPARE(e.value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
                         QStringLiteral("forbidden"));
            }
        }
        QVERIFY2(scaled, json.out.constData());
        QVERIFY2(refused, json.out.constData()); // refusals are audited too (docs/ADMIN-API.md, Roles)

        const CtlRun text = operatorCtl({QStringLiteral("audit"), QStringLiteral("--count"), QStringLiteral("50")});
        QVERIFY2(text.exitCode == 0, qPrintable(text.describe()));
        QVERIFY(text.out.startsWith("TIME "));
        QVERIFY(text.out.contains("ops-1"));
        QVERIFY(text.out.contains("scale_workers"));
    }

    void roomsOfAnotherInstance()
    {
        m_player = std::make_unique<test::TestPlayer>();
        QVERIFY(m_player->connectAs(m_b.playerPort, QStringLiteral("ctl-player")));
        protocol::Create create;
        create.roomType = QStringLiteral("relay");
        create.maxClients = 8;
        create.metadata = protocol::RawJson::fromJsonObject({{QStringLiteral("topic"), QStringLiteral("ctl-test")}});
        m_player->client->send(create);
        const auto joined = m_player->next<protocol::Joined>();
        QVERIFY(joined);
        m_roomId = joined->roomId;

        const CtlRun text = operatorCtl({QStringLiteral("rooms"), QStringLiteral("--instance"), m_b.id});
        QVERIFY2(text.exitCode == 0, qPrintable(text.describe()));
        const QStringList lines = QString::fromUtf8(text.out).split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        QVERIFY2(lines.size() >= 2 && lines.at(0).startsWith(QStringLiteral("ID ")), qPrintable(text.describe()));
        const auto row = std::find_if(lines.begin(), lines.end(), [this](const QString &l) { return l.startsWith(m_roomId); });
        QVERIFY2(row != lines.end(), qPrintable(text.describe()));
        QVERIFY2(row->contains(QStringLiteral("relay")) && row->contains(QStringLiteral("1/8"))
                     && row->contains(QStringLiteral("in-process")) && row->contains(QStringLiteral("ctl-test")),
                 qPrintable(*row));

        const CtlRun json = operatorCtl({QStringLiteral("rooms"), QStringLiteral("--instance"), m_b.id, QStringLiteral("--json")});
        QVERIFY2(json.exitCode == 0, qPrintable(json.describe()));
        const QJsonArray rooms = json.json().value(QStringLiteral("rooms")).toArray();
        QVERIFY(std::any_of(rooms.begin(), rooms.end(), [this](const QJsonValue &v) {
            return v.toObject().value(QStringLiteral("id")).toString() == m_roomId;
        }));
        // The type filter, and A's own rooms (none) when no instance is named.
        const CtlRun duels = operatorCtl({QStringLiteral("rooms"), QStringLiteral("--instance"), m_b.id, QStringLiteral("--type"),
                                          QStringLiteral("duel")});
        QVERIFY2(duels.exitCode == 0, qPrintable(duels.describe()));
        QVERIFY(!duels.out.contains(m_roomId.toUtf8()));
        const CtlRun own = operatorCtl({QStringLiteral("rooms")});
        QVERIFY2(own.exitCode == 0, qPrintable(own.describe()));
        QCOMPARE(own.out, QByteArray("no rooms\n"));
    }

    void disposeRoomOfAnotherInstance()
    {
        QVERIFY(!m_roomId.isEmpty());
        const CtlRun run = operatorCtl({QStringLiteral("rooms"), QStringLiteral("dispose"), m_roomId, QStringLiteral("--instance"), m_b.id});
        QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
        QVERIFY(m_player->next<protocol::Left>(5000));
        const CtlRun again = operatorCtl({QStringLiteral("rooms"), QStringLiteral("dispose"), m_roomId, QStringLiteral("--instance"), m_b.id});
        QVERIFY2(again.exitCode == 1 && again.err.contains("not_found"), qPrintable(again.describe()));
    }

    // Last but one: it stops agent B for a while.
    void agentThatDoesNotAnswerTimesOut()
    {
        m_b.agent->sendSignal(SIGSTOP);
        const CtlRun run = ctl({QStringLiteral("--agent"), m_b.agentUrl(), QStringLiteral("--token-file"), m_operatorTokens,
                                QStringLiteral("--timeout-ms"), QStringLiteral("1000"), QStringLiteral("fleet"), QStringLiteral("--json")});
        m_b.agent->sendSignal(SIGCONT);
        QVERIFY2(run.exitCode == 4, qPrintable(run.describe()));
        QCOMPARE(run.json().value(QStringLiteral("error")).toObject().value(QStringLiteral("code")).toString(),
                 QStringLiteral("timeout"));
        QVERIFY(run.err.contains("1000 ms"));
    }

    void cleanupOfTheWholeFleet()
    {
        const CtlRun run = operatorCtl({QStringLiteral("cleanup"), QStringLiteral("--json")});
        QVERIFY2(run.exitCode == 0, qPrintable(run.describe()));
        const QJsonObject instances = run.json().value(QStringLiteral("instances")).toObject();
        QVERIFY2(instances.contains(m_a.id) && instances.contains(m_b.id), run.out.constData());
        QCOMPARE(run.json().value(QStringLiteral("failed")).toInt(-1), 0);
    }
};

QTEST_GUILESS_MAIN(TestArenaCtl)
#include "tst_arenactl.moc"
