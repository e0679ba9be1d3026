// seriesCatalog() and extract() against the example snapshot of agent/SNAPSHOT.md.
#include "console/core/seriescatalog.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSet>
#include <QTest>

using arena::console::SeriesId;
using arena::console::SeriesInfo;

namespace {

QJsonObject fixture()
{
    QFile file(QFINDTESTDATA("data/snapshot.json"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("data/snapshot.json not found");
    return QJsonDocument::fromJson(file.readAll()).object();
}

// Removes figures["a"]["b"]... (the last key).
QJsonObject without(QJsonObject figures, const QStringList &path)
{
    if (path.size() == 1) {
        figures.remove(path.first());
        return figures;
    }
    const QJsonObject inner = figures.value(path.first()).toObject();
    figures.insert(path.first(), without(inner, path.mid(1)));
    return figures;
}

} // namespace

class TestSeriesCatalog : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void catalogIsInIdOrder();
    void extractFromFixture_data();
    void extractFromFixture();
    void missingFigureIsNullopt_data();
    void missingFigureIsNullopt();
    void serverDownSnapshot();
    void withoutWorkerPool();
    void queueFigures();
};

void TestSeriesCatalog::catalogIsInIdOrder()
{
    const QList<SeriesInfo> &catalog = arena::console::seriesCatalog();
    QCOMPARE(catalog.size(), int(SeriesId::Count));
    QSet<QString> keys;
    for (int i = 0; i < catalog.size(); ++i) {
        QCOMPARE(int(catalog.at(i).id), i);
        QVERIFY(!catalog.at(i).key.isEmpty());
        QVERIFY(!catalog.at(i).title.isEmpty());
        keys.insert(catalog.at(i).key);
        QCOMPARE(*arena::console::seriesFromKey(catalog.at(i).key), catalog.at(i).id);
    }
    QCOMPARE(keys.size(), catalog.size());
    QCOMPARE(arena::console::seriesInfo(SeriesId::Sessions).fleet, SeriesInfo::Fleet::Sum);
    QCOMPARE(arena::console::seriesInfo(SeriesId::LatencyP99Ms).fleet, SeriesInfo::Fleet::Max);
    QCOMPARE(arena::console::seriesInfo(SeriesId::RedisMemoryMb).fleet, SeriesInfo::Fleet::Max);
    QVERIFY(!arena::console::seriesFromKey(QStringLiteral("nope")));
}

void TestSeriesCatalog::extractFromFixture_data()
{
    QTest::addColumn<SeriesId>("id");
    QTest::addColumn<double>("expected");
    QTest::newRow("sessions") << SeriesId::Sessions << 3.0;
    QTest::newRow("rooms") << SeriesId::Rooms << 1.0;
    QTest::newRow("matches") << SeriesId::Matches << 1.0;
    QTest::newRow("messages/s") << SeriesId::MessagesPerSecond << 20.02;
    QTest::newRow("latency p99") << SeriesId::LatencyP99Ms << 0.071;
    QTest::newRow("cpu server + workers") << SeriesId::CpuPercent << 1.5 + 0.8;
    QTest::newRow("rss MiB") << SeriesId::RssMb << (38436.0 + 21504.0) / 1024.0;
    QTest::newRow("workers") << SeriesId::Workers << 1.0;
    QTest::newRow("queue tickets") << SeriesId::QueueTickets << 1.0;
    QTest::newRow("queue wait p99") << SeriesId::QueueWaitP99S << 0.2475;
    QTest::newRow("redis memory MiB") << SeriesId::RedisMemoryMb << 1143240.0 / 1048576.0;
    QTest::newRow("redis ops/s") << SeriesId::RedisOpsPerSecond << 37.0;
    QTest::newRow("redis clients") << SeriesId::RedisClients << 4.0;
    QTest::newRow("redis ping p99") << SeriesId::RedisPingP99Ms << 0.143;
    QTest::newRow("cross-instance/s") << SeriesId::CrossInstancePerSecond << 10.01;
}

void TestSeriesCatalog::extractFromFixture()
{
    QFETCH(SeriesId, id);
    QFETCH(double, expected);
    const auto value = arena::console::extract(id, fixture());
    QVERIFY(value.has_value());
    QCOMPARE(*value, expected);
}

void TestSeriesCatalog::missingFigureIsNullopt_data()
{
    QTest::addColumn<SeriesId>("id");
    QTest::addColumn<QStringList>("removed");
    QTest::newRow("sessions") << SeriesId::Sessions << QStringList{QStringLiteral("sessions")};
    QTest::newRow("rooms.total") << SeriesId::Rooms << QStringList{QStringLiteral("rooms"), QStringLiteral("total")};
    QTest::newRow("matches") << SeriesId::Matches << QStringList{QStringLiteral("matches"), QStringLiteral("active")};
    QTest::newRow("traffic") << SeriesId::MessagesPerSecond << QStringList{QStringLiteral("traffic")};
    QTest::newRow("handle p99") << SeriesId::LatencyP99Ms << QStringList{QStringLiteral("traffic"), QStringLiteral("handle_p99_ms")};
    QTest::newRow("server cpu (first sample)") << SeriesId::CpuPercent
                                               << QStringList{QStringLiteral("server"), QStringLiteral("process"), QStringLiteral("cpu_percent")};
    QTest::newRow("server rss") << SeriesId::RssMb << QStringList{QStringLiteral("server"), QStringLiteral("process")};
    QTest::newRow("workers") << SeriesId::Workers << QStringList{QStringLiteral("workers")};
    QTest::newRow("queues") << SeriesId::QueueTickets << QStringList{QStringLiteral("queues")};
    QTest::newRow("wait") << SeriesId::QueueWaitP99S << QStringList{QStringLiteral("matchmaking"), QStringLiteral("wait")};
    QTest::newRow("redis") << SeriesId::RedisMemoryMb << QStringList{QStringLiteral("redis")};
    QTest::newRow("redis ops") << SeriesId::RedisOpsPerSecond << QStringList{QStringLiteral("redis"), QStringLiteral("ops_per_sec")};
    QTest::newRow("redis clients") << SeriesId::RedisClients << QStringList{QStringLiteral("redis"), QStringLiteral("connected_clients")};
    QTest::newRow("redis ping (none answered)") << SeriesId::RedisPingP99Ms
                                                << QStringList{QStringLiteral("redis"), QStringLiteral("ping_p99_ms")};
    QTest::newRow("no instance bus (no Redis)") << SeriesId::CrossInstancePerSecond
                                                << QStringList{QStringLiteral("traffic"), QStringLiteral("bus_out_per_s")};
}

void TestSeriesCatalog::missingFigureIsNullopt()
{
    QFETCH(SeriesId, id);
    QFETCH(QStringList, removed);
    QVERIFY(arena::console::extract(id, fixture()).has_value());
    QVERIFY(!arena::console::extract(id, without(fixture(), removed)).has_value());
}

void TestSeriesCatalog::serverDownSnapshot()
{
    // While down the admin-API parts are absent; server.process and redis stay.
    QJsonObject figures = fixture();
    for (const char *key : {"sessions", "rooms", "matches", "queues", "matchmaking", "traffic", "workers", "store", "redis_pool"})
        figures.remove(QLatin1String(key));
    for (SeriesId id : {SeriesId::Sessions, SeriesId::Rooms, SeriesId::Matches, SeriesId::MessagesPerSecond,
                        SeriesId::LatencyP99Ms, SeriesId::Workers, SeriesId::QueueTickets, SeriesId::QueueWaitP99S})
        QVERIFY2(!arena::console::extract(id, figures), qPrintable(arena::console::seriesInfo(id).key));
    QCOMPARE(*arena::console::extract(SeriesId::CpuPercent, figures), 1.5);
    QCOMPARE(*arena::console::extract(SeriesId::RedisClients, figures), 4.0);
    QVERIFY(!arena::console::extract(SeriesId::Sessions, QJsonObject()));
}

void TestSeriesCatalog::withoutWorkerPool()
{
    const QJsonObject figures = without(fixture(), {QStringLiteral("workers")});
    QCOMPARE(*arena::console::extract(SeriesId::CpuPercent, figures), 1.5);
    QCOMPARE(*arena::console::extract(SeriesId::RssMb, figures), 38436.0 / 1024.0);
}

void TestSeriesCatalog::queueFigures()
{
    QJsonObject figures = fixture();
    figures.insert(QStringLiteral("queues"),
                   QJsonArray{QJsonObject{{QStringLiteral("room_type"), QStringLiteral("duel")}, {QStringLiteral("tickets"), 4}},
                              QJsonObject{{QStringLiteral("room_type"), QStringLiteral("team")}, {QStringLiteral("tickets"), 37}}});
    QJsonObject matchmaking = figures.value(QStringLiteral("matchmaking")).toObject();
    QJsonObject wait = matchmaking.value(QStringLiteral("wait")).toObject();
    wait.insert(QStringLiteral("team"), QJsonObject{{QStringLiteral("p99_s"), 3.5}});
    wait.insert(QStringLiteral("empty"), QJsonObject{{QStringLiteral("count"), 0}});
    matchmaking.insert(QStringLiteral("wait"), wait);
    figures.insert(QStringLiteral("matchmaking"), matchmaking);
    QCOMPARE(*arena::console::extract(SeriesId::QueueTickets, figures), 41.0);
    QCOMPARE(*arena::console::extract(SeriesId::QueueWaitP99S, figures), 3.5);

    // No queues at all is a real zero; /metrics unreadable is not.
    figures.insert(QStringLiteral("queues"), QJsonArray());
    QCOMPARE(*arena::console::extract(SeriesId::QueueTickets, figures), 0.0);
    matchmaking.insert(QStringLiteral("error"), QStringLiteral("GET /metrics: timeout"));
    figures.insert(QStringLiteral("matchmaking"), matchmaking);
    QVERIFY(!arena::console::extract(SeriesId::QueueTickets, figures));
}

QTEST_GUILESS_MAIN(TestSeriesCatalog)
#include "tst_seriescatalog.moc"
