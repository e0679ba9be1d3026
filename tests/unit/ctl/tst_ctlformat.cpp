// arena-ctl's output: table alignment, ages, sizes and numbers; the fleet, rooms and audit tables; the
// stats summary from a snapshot; action results (cleanup per kind and per instance, scaling); and the
// shape of the --json documents.
#include "tools/ctl/ctlformat.h"
#include "tools/ctl/texttable.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QTest>

#include <algorithm>

using namespace arena;
using namespace arena::ctl;

namespace {

QJsonObject json(const char *text)
{
    QJsonParseError error;
    const QJsonDocument doc = QJsonDocument::fromJson(QByteArray(text), &error);
    if (error.error != QJsonParseError::NoError)
        qFatal("bad fixture JSON: %s", qPrintable(error.errorString()));
    return doc.object();
}

QJsonObject fixture(const char *name)
{
    QFile file(QFINDTESTDATA(QStringLiteral("data/") + QLatin1String(name)));
    if (!file.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(file.readAll()).object();
}

constexpr qint64 Now = 1795363201123; // 2026-11-22 16:00:01.123 UTC

} // namespace

class TestCtlFormat final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void tableAlignment()
    {
        TextTable table({{QStringLiteral("ID"), TextTable::Align::Left},
                         {QStringLiteral("N"), TextTable::Align::Right},
                         {QStringLiteral("NOTE"), TextTable::Align::Left}});
        table.addRow({QStringLiteral("a"), QStringLiteral("1"), QStringLiteral("x")});
        table.addRow({QStringLiteral("longer-id"), QStringLiteral("1234"), QString()});
        table.addRow({QStringLiteral("b")}); // short rows are padded
        QCOMPARE(table.rowCount(), 3);
        QCOMPARE(table.render(), QStringLiteral("ID            N  NOTE\n"
                                                "a             1  x\n"
                                                "longer-id  1234\n"
                                                "b\n"));
        // No trailing spaces anywhere; a header wider than its cells sets the width.
        TextTable wide({{QStringLiteral("A-LONG-HEADER"), TextTable::Align::Left}, {QStringLiteral("B"), TextTable::Align::Left}});
        wide.addRow({QStringLiteral("x"), QStringLiteral("y")});
        QCOMPARE(wide.render(), QStringLiteral("A-LONG-HEADER  B\nx              y\n"));
    }

    void ages_data()
    {
        QTest::addColumn<qint64>("ms");
        QTest::addColumn<QString>("text");
        QTest::newRow("0") << qint64(0) << "0.0s ago";
        QTest::newRow("negative (clock skew)") << qint64(-300) << "0.0s ago";
        QTest::newRow("0.4 s") << qint64(400) << "0.4s ago";
        QTest::newRow("9.95 s") << qint64(9949) << "9.9s ago";
        QTest::newRow("12 s") << qint64(12500) << "12s ago";
        QTest::newRow("3 m 4 s") << qint64(184000) << "3m 4s ago";
        QTest::newRow("2 h 5 m") << qint64((2 * 3600 + 5 * 60 + 9) * 1000) << "2h 5m ago";
        QTest::newRow("3 d 2 h") << qint64((3 * 86400 + 2 * 3600) * 1000) << "3d 2h ago";
    }

    void ages()
    {
        QFETCH(qint64, ms);
        QFETCH(QString, text);
        QCOMPARE(formatAge(ms), text);
    }

    void sizesAndNumbers()
    {
        QCOMPARE(formatBytes(0), QStringLiteral("0 B"));
        QCOMPARE(formatBytes(1023), QStringLiteral("1023 B"));
        QCOMPARE(formatBytes(1024), QStringLiteral("1.0 KiB"));
        QCOMPARE(formatBytes(1536), QStringLiteral("1.5 KiB"));
        QCOMPARE(formatBytes(1143240), QStringLiteral("1.1 MiB"));
        QCOMPARE(formatBytes(qint64(3) * 1024 * 1024 * 1024), QStringLiteral("3.0 GiB"));
        QCOMPARE(formatKb(38436), QStringLiteral("37.5 MiB"));
        QCOMPARE(formatKb(24684084), QStringLiteral("23.5 GiB"));
        QCOMPARE(formatNumber(1.5), QStringLiteral("1.5"));
        QCOMPARE(formatNumber(2.0), QStringLiteral("2"));
        QCOMPARE(formatNumber(0.081, 3), QStringLiteral("0.081"));
        QCOMPARE(formatNumber(0.0814, 3), QStringLiteral("0.081"));
        QCOMPARE(formatNumber(-0.001), QStringLiteral("0"));
        QCOMPARE(formatNumber(1234567), QStringLiteral("1234567"));
        QCOMPARE(formatTime(Now), QStringLiteral("2026-11-22 16:00:01"));
    }

    void fleet()
    {
        protocol::Fleet fleet;
        fleet.time = quint64(Now);
        fleet.instances = {
            {QStringLiteral("host-a"), QStringLiteral("a.example"), protocol::InstanceState::Up, 1204, 300, 40, 12, quint64(Now - 400)},
            {QStringLiteral("host-b-long"), QStringLiteral("10.0.0.2"), protocol::InstanceState::Draining, 3, 1, 0, 1, quint64(Now - 1000)},
            {QStringLiteral("c"), QStringLiteral("c"), protocol::InstanceState::Down, 0, 0, 0, 0, quint64(Now - 184000)},
        };
        QCOMPARE(fleetTable(fleet, Now),
                 QStringLiteral("ID           HOST       STATE     SESSIONS  ROOMS  MATCHES  WORKERS  LAST-SEEN\n"
                                "host-a       a.example  up            1204    300       40       12  0.4s ago\n"
                                "host-b-long  10.0.0.2   draining         3      1        0        1  1.0s ago\n"
                                "c            c          down             0      0        0        0  3m 4s ago\n"));
        QCOMPARE(fleetTable(protocol::Fleet{}, Now), QStringLiteral("no instances\n"));

        // --json: one line, one document, the fields of the protocol's fleet message.
        const QByteArray text = fleetJson(fleet);
        QVERIFY(text.endsWith('\n'));
        QCOMPARE(text.count('\n'), 1);
        const QJsonObject doc = QJsonDocument::fromJson(text).object();
        QCOMPARE(doc.value(QStringLiteral("time")).toInteger(), Now);
        const QJsonArray instances = doc.value(QStringLiteral("instances")).toArray();
        QCOMPARE(instances.size(), 3);
        const QJsonObject a = instances.at(0).toObject();
        QCOMPARE(a.keys(), (QStringList{QStringLiteral("host"), QStringLiteral("id"), QStringLiteral("last_seen"),
                                        QStringLiteral("matches"), QStringLiteral("rooms"), QStringLiteral("sessions"),
                                        QStringLiteral("state"), QStringLiteral("workers")}));
        QCOMPARE(a.value(QStringLiteral("id")).toString(), QStringLiteral("host-a"));
        QCOMPARE(a.value(QStringLiteral("state")).toString(), QStringLiteral("up"));
        QCOMPARE(a.value(QStringLiteral("sessions")).toInt(), 1204);
        QCOMPARE(a.value(QStringLiteral("last_seen")).toInteger(), Now - 400);
        QCOMPARE(instances.at(1).toObject().value(QStringLiteral("state")).toString(), QStringLiteral("draining"));
    }

    void rooms()
    {
        const QJsonObject result = json(R"({"count":3,"rooms":[
            {"id":"r-1","type":"relay","host":"server","clients":2,"maxClients":16,"locked":false,"private":false,
             "metadata":{"topic":"x"},"members":[],"createdAt":"2026-11-22T16:40:00.000Z"},
            {"id":"r-22","type":"duel","host":"w1","clients":2,"maxClients":2,"locked":true,"private":false,
             "metadata":{},"members":[]},
            {"id":"r-3","type":"duel","host":"moving","clients":1,"maxClients":2,"locked":false,
             "metadata":{"a":"0123456789012345678901234567890123456789012345678901234567890123456789"}}]})");
        QCOMPARE(roomsTable(result),
                 QStringLiteral("ID    TYPE   CLIENTS/MAX  LOCKED  HOST        METADATA\n"
                                "r-1   relay         2/16  no      in-process  {\"topic\":\"x\"}\n"
                                "r-22  duel           2/2  yes     worker w1   -\n"
                                "r-3   duel           1/2  no      moving      {\"a\":\"012345678901234567890123456789012345678901234567890...\n"));
        QCOMPARE(roomsTable(json(R"({"rooms":[],"count":0})")), QStringLiteral("no rooms\n"));
    }

    void audit()
    {
        const QJsonObject result = json(R"({"entries":[
            {"id":"1795363201400-0","time":1795363201398,"actor":"ops-1","role":"operator","action_id":"ctl-1",
             "kind":"scale_workers","target":"host-b","params":{"workers":2},"dry_run":false,"ok":true,
             "result":{"workers":2,"workers_before":1}},
            {"id":"1795363200000-0","time":1795363200000,"actor":"watcher","role":"viewer","action_id":"ctl-2",
             "kind":"cleanup","params":{},"dry_run":true,"ok":false,"result":{},
             "error":{"code":"forbidden","message":"viewers may not act"}}]})");
        QCOMPARE(auditTable(result),
                 QStringLiteral("TIME                 ACTOR    ROLE      KIND           TARGET  DRY-RUN  OK   RESULT/ERROR\n"
                                "2026-11-22 16:00:01  ops-1    operator  scale_workers  host-b  no       yes  {\"workers\":2,\"workers_before\":1}\n"
                                "2026-11-22 16:00:00  watcher  viewer    cleanup        -       yes      no   forbidden: viewers may not act\n"));
        QCOMPARE(auditTable(json(R"({"entries":[]})")), QStringLiteral("no audit entries\n"));
    }

    void stats()
    {
        // The example of agent/SNAPSHOT.md (two workers), as a `snapshot` query answers it.
        const QJsonObject result = fixture("snapshot-up.json");
        QVERIFY(!result.isEmpty());
        const QString text = statsText(result, Now);
        const QStringList expected{
            QStringLiteral("instance  host-a-4711 (snapshot 0.4s ago)\n"),
            QStringLiteral("server    up  status ok  version 0.1.0  uptime 41s  pid 4711  player port 4600\n"),
            QStringLiteral("process   cpu 1.5%  rss 37.5 MiB  fds 31  threads 6  pid 4711\n"),
            QStringLiteral("sessions  3 (3 connected, 0 awaiting resume, 0 awaiting hello)\n"),
            QStringLiteral("rooms     1: duel 1 (2 clients)\n"),
            QStringLiteral("matches   1 active, 1 formed since start\n"),
            QStringLiteral("queues    duel (team 1): 1 ticket; duel wait p50 0.1 s p99 0.247 s\n"),
            QStringLiteral("workers   2 (1 active, 0 idle) matches 11 min 1 max 2 target 1 deaths 0\n"),
            QStringLiteral("  ID     PID  STATE     MATCHES  CPU%        RSS\n"
                           "  w1    4720  ready           1   0.8   21.0 MiB\n"
                           "  w12  14720  draining       10  12.3  118.7 MiB\n"),
            QStringLiteral("store     redis  available  round trip 0.31 ms\n"),
            QStringLiteral("redis     reachable  ping p50 0.081 ms  p99 0.143 ms  memory 1.1 MiB  ops/s 37  clients 4  keys 9  version 7.0.15\n"),
            QStringLiteral("host      load 0.48 0.75 1.07  memory 2% used of 23.5 GiB  cpus 2\n"),
        };
        const QStringList lines = text.split(QLatin1Char('\n'));
        const QStringList expectedLines = expected.join(QString()).split(QLatin1Char('\n'));
        for (qsizetype i = 0; i < std::min(lines.size(), expectedLines.size()); ++i)
            QCOMPARE(lines.at(i), expectedLines.at(i));
        QCOMPARE(lines.size(), expectedLines.size());

        // A server that is down: no admin-API parts, its reason shown, Redis unreachable.
        const QJsonObject down = json(R"({"instance":"b","time":1795363201123,"figures":{"instance":"b",
          "server":{"state":"down","reason":"no successful poll for 3000 ms: Connection refused","pid":12,
                    "process":{"pid":12,"exists":false,"error":"no such process"}},
          "redis":{"reachable":false,"error":"not connected: Connection refused"},
          "host":{"cpus":4}}})");
        QCOMPARE(statsText(down, Now),
                 QStringLiteral("instance  b (snapshot 0.0s ago)\n"
                                "server    down  pid 12\n"
                                "          no successful poll for 3000 ms: Connection refused\n"
                                "process   gone  pid 12  no such process\n"
                                "redis     UNREACHABLE  not connected: Connection refused\n"
                                "host      cpus 4\n"));
    }

    void cleanupResults()
    {
        const QJsonObject real = json(R"({"dryRun":false,"counts":{"rooms":3,"sessions":0},"total":3,
            "items":{"rooms":["r-1","r-2","r-3"],"sessions":[]},"durationMs":12})");
        QCOMPARE(actionText(protocol::ActionKind::Cleanup, QStringLiteral("host-b"), false, real),
                 QStringLiteral("cleanup on host-b\n"
                                "removed 3 items (12 ms)\n"
                                "  KIND      COUNT\n"
                                "  rooms         3\n"
                                "  sessions      0\n"));
        // A dry run lists the items.
        const QJsonObject dry = json(R"({"dryRun":true,"counts":{"rooms":2,"tickets":1},"total":3,
            "items":{"rooms":["r-1","r-2"],"tickets":["t-9"]},"durationMs":3,"errors":{"tickets":"redis down"}})");
        QCOMPARE(actionText(protocol::ActionKind::Cleanup, QStringLiteral("b"), true, dry),
                 QStringLiteral("cleanup on b (dry run)\n"
                                "would remove 3 items (3 ms)\n"
                                "  KIND     COUNT  ITEMS     ERROR\n"
                                "  rooms        2  r-1, r-2\n"
                                "  tickets      1  t-9       redis down\n"));
        // The whole fleet: per instance, failures included.
        const QJsonObject fleet = json(R"({"instances":{
            "a":{"dryRun":false,"counts":{"rooms":1},"total":1,"items":{"rooms":["r-1"]},"durationMs":2},
            "b":{"error":{"code":"unavailable","message":"agent of b not answering"}}},"failed":1})");
        QCOMPARE(actionText(protocol::ActionKind::Cleanup, std::nullopt, false, fleet),
                 QStringLiteral("cleanup on the fleet\n"
                                "a:\n"
                                "  removed 1 item (2 ms)\n"
                                "    KIND   COUNT\n"
                                "    rooms      1\n"
                                "b:\n"
                                "  failed: unavailable: agent of b not answering\n"
                                "1 instance failed\n"));
    }

    void otherActionResults()
    {
        QCOMPARE(actionText(protocol::ActionKind::ScaleWorkers, QStringLiteral("b"), false,
                            json(R"({"workers_before":1,"workers":2,"started":["w2"]})")),
                 QStringLiteral("scale_workers on b\nworkers: 1 -> 2 (started w2)\n"));
        QCOMPARE(actionText(protocol::ActionKind::ScaleWorkers, QStringLiteral("b"), false,
                            json(R"({"workers_before":3,"workers":1,"stopped":["w2","w3"],"matches_moved":4,"matches_failed":0})")),
                 QStringLiteral("scale_workers on b\nworkers: 3 -> 1 (stopped w2, w3; 4 matches moved, 0 failed)\n"));
        // Anything else: its fields, one per line.
        QCOMPARE(actionText(protocol::ActionKind::ScaleWorkers, std::nullopt, true, json(R"({"current":1,"requested":4})")),
                 QStringLiteral("scale_workers on the agent's instance (dry run)\n  current: 1\n  requested: 4\n"));
        QCOMPARE(actionText(protocol::ActionKind::DisposeRoom, QStringLiteral("b"), false, json(R"({"disposed":"r-1"})")),
                 QStringLiteral("dispose_room on b\n  disposed: r-1\n"));
    }

    void jsonDocuments()
    {
        // A result is printed as the agent sent it.
        const auto raw = protocol::RawJson::parse(R"({"b":1.50,"a":"\u00e9"})");
        QVERIFY(raw.ok());
        QCOMPARE(resultJson(raw.value()), QByteArray(R"({"b":1.50,"a":"\u00e9"})" "\n"));
        QCOMPARE(resultJson(protocol::RawJson()), QByteArray("{}\n"));

        QByteArray error = errorJson(QStringLiteral("forbidden"), QStringLiteral("viewers may not act"));
        QCOMPARE(error, QByteArray(R"({"error":{"code":"forbidden","message":"viewers may not act"}})" "\n"));
        // A failure that still carries a result (a fleet cleanup with a failed instance) keeps it.
        error = errorJson(QStringLiteral("unavailable"), QStringLiteral("1 of 2 failed"),
                          protocol::RawJson::fromJsonObject(json(R"({"failed":1})")));
        QCOMPARE(error, QByteArray(R"({"error":{"code":"unavailable","message":"1 of 2 failed"},"result":{"failed":1}})" "\n"));
        // An empty result is left out.
        QCOMPARE(errorJson(QStringLiteral("x"), QStringLiteral("y"), protocol::RawJson::emptyObject()),
                 QByteArray(R"({"error":{"code":"x","message":"y"}})" "\n"));
    }
};

QTEST_GUILESS_MAIN(TestCtlFormat)
#include "tst_ctlformat.moc"
