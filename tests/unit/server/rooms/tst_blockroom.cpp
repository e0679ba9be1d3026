// Tests BlockRoom, the test-only `block` type: echo, blocking the thread for the time asked (capped),
// refusals, and restore of a room that keeps no state.
#include "fakeroomcontext.h"

#include "server/rooms/blockroom.h"

#include <QElapsedTimer>
#include <QTest>

using namespace arena;
using namespace arena::test;
using namespace std::chrono_literals;

class TestBlockRoom final : public QObject
{
    Q_OBJECT

private slots:
    void typeInfo();
    void echoBroadcastsTheDataBack_data();
    void echoBroadcastsTheDataBack();
    void blockBlocksTheThread();
    void blockZero();
    void blockDuration_data();
    void blockDuration();
    void badMessages_data();
    void badMessages();
    void busyWait();
    void restore();
};

void TestBlockRoom::typeInfo()
{
    const RoomTypeInfo info = BlockRoom::typeInfo();
    QCOMPARE(info.name, QStringLiteral("block"));
    QVERIFY(info.runsInWorker);
    QVERIFY(info.autoDispose);
    QVERIFY(!info.watchesRoomList);
    QCOMPARE(info.defaultMaxClients, 8u);
    QCOMPARE(info.maxMaxClients, 64u);
    QVERIFY(!info.description.isEmpty());
    QVERIFY(dynamic_cast<BlockRoom *>(info.create().get()));
    QCOMPARE(BlockRoom::MaxBlock, std::chrono::milliseconds(10 * 60 * 1000));
}

void TestBlockRoom::echoBroadcastsTheDataBack_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("action only") << QByteArray("{\"action\":\"echo\"}");
    QTest::newRow("with data") << QByteArray("{\"action\":\"echo\",\"n\":7,\"text\":\"hi\"}");
    QTest::newRow("nested, kept as written") << QByteArray("{\"action\":\"echo\",\"x\":{\"y\":[1.50,null]}}");
}

void TestBlockRoom::echoBroadcastsTheDataBack()
{
    QFETCH(QByteArray, json);
    BlockRoom room;
    FakeRoomContext context(QStringLiteral("block"), 8);
    QVERIFY(context.create(room).ok());
    for (int n = 1; n <= 3; ++n)
        QVERIFY(context.join(room, member(n)).ok());

    QVERIFY(context.message(room, member(2), json).ok());
    QCOMPARE(context.broadcasts.size(), 1);
    QCOMPARE(context.broadcasts.first().data.json(), rawJson(json).json());
    QCOMPARE(context.broadcasts.first().from, QStringLiteral("s-2"));
    QVERIFY(context.sent.isEmpty());
    QVERIFY(context.states.isEmpty());
    QVERIFY(context.timers.isEmpty());
}

void TestBlockRoom::blockBlocksTheThread()
{
    BlockRoom room;
    FakeRoomContext context(QStringLiteral("block"), 8);
    QVERIFY(context.join(room, member(1)).ok());
    QVERIFY(context.join(room, member(2)).ok());

    QElapsedTimer elapsed;
    elapsed.start();
    QVERIFY(context.message(room, member(1), "{\"action\":\"block\",\"ms\":50}").ok());
    // The behaviour itself: the call returns only after the time asked for.
    QVERIFY2(elapsed.elapsed() >= 50, qPrintable(QString::number(elapsed.elapsed())));

    // Only the sender hears that it is over.
    QVERIFY(context.broadcasts.isEmpty());
    QCOMPARE(context.sent.size(), 1);
    QCOMPARE(context.sent.first().sessionId, QStringLiteral("s-1"));
    const QJsonObject done = context.sent.first().data.toJsonObject();
    QCOMPARE(done.value(QLatin1String("kind")).toString(), QStringLiteral("blocked"));
    QCOMPARE(done.value(QLatin1String("ms")).toInteger(), 50);
    QCOMPARE(context.strayMessages, 0);
    QVERIFY(context.states.isEmpty());
}

void TestBlockRoom::blockZero()
{
    BlockRoom room;
    FakeRoomContext context(QStringLiteral("block"), 8);
    QVERIFY(context.join(room, member(1)).ok());
    QVERIFY(context.message(room, member(1), "{\"action\":\"block\",\"ms\":0}").ok());
    QCOMPARE(context.sent.size(), 1);
    QCOMPARE(context.sent.first().data.toJsonObject().value(QLatin1String("ms")).toInteger(), 0);
}

void TestBlockRoom::blockDuration_data()
{
    QTest::addColumn<QJsonValue>("ms");
    QTest::addColumn<qint64>("expected"); // -1: refused
    QTest::newRow("zero") << QJsonValue(0) << qint64(0);
    QTest::newRow("typical") << QJsonValue(50) << qint64(50);
    QTest::newRow("integral double") << QJsonValue(250.0) << qint64(250);
    QTest::newRow("ten minutes") << QJsonValue(600000) << qint64(600000);
    QTest::newRow("just above the cap") << QJsonValue(600001) << qint64(600000);
    QTest::newRow("a day") << QJsonValue(86400000) << qint64(600000);
    QTest::newRow("huge") << QJsonValue(1e300) << qint64(600000);
    QTest::newRow("negative") << QJsonValue(-1) << qint64(-1);
    QTest::newRow("fraction") << QJsonValue(1.5) << qint64(-1);
    QTest::newRow("string") << QJsonValue(QStringLiteral("50")) << qint64(-1);
    QTest::newRow("null") << QJsonValue(QJsonValue::Null) << qint64(-1);
    QTest::newRow("missing") << QJsonValue(QJsonValue::Undefined) << qint64(-1);
}

void TestBlockRoom::blockDuration()
{
    QFETCH(QJsonValue, ms);
    QFETCH(qint64, expected);
    QJsonObject message{{QStringLiteral("action"), QStringLiteral("block")}};
    if (!ms.isUndefined())
        message.insert(QStringLiteral("ms"), ms);
    const Result<std::chrono::milliseconds> duration = BlockRoom::blockDuration(message);
    if (expected < 0) {
        QVERIFY(!duration.ok());
        QCOMPARE(duration.error().code, QStringLiteral("bad_request"));
        QVERIFY(duration.error().message.contains(QStringLiteral("ms")));
        return;
    }
    QVERIFY(duration.ok());
    QCOMPARE(duration->count(), expected);
}

void TestBlockRoom::badMessages_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("not an object") << QByteArray("[\"echo\"]");
    QTest::newRow("string") << QByteArray("\"block\"");
    QTest::newRow("null") << QByteArray("null");
    QTest::newRow("no action") << QByteArray("{\"ms\":50}");
    QTest::newRow("action a number") << QByteArray("{\"action\":1}");
    QTest::newRow("unknown action") << QByteArray("{\"action\":\"sleep\",\"ms\":50}");
    QTest::newRow("block without ms") << QByteArray("{\"action\":\"block\"}");
    QTest::newRow("block, negative ms") << QByteArray("{\"action\":\"block\",\"ms\":-5}");
    QTest::newRow("block, ms a string") << QByteArray("{\"action\":\"block\",\"ms\":\"50\"}");
    // Refused before blocking: a refusal must not stall the thread for 10 minutes.
    QTest::newRow("block, fraction of a huge ms") << QByteArray("{\"action\":\"block\",\"ms\":600000.5}");
}

void TestBlockRoom::badMessages()
{
    QFETCH(QByteArray, json);
    BlockRoom room;
    FakeRoomContext context(QStringLiteral("block"), 8);
    QVERIFY(context.join(room, member(1)).ok());
    QElapsedTimer elapsed;
    elapsed.start();
    const Result<void> result = context.message(room, member(1), json);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, QStringLiteral("bad_request"));
    QVERIFY(!result.error().message.isEmpty());
    QVERIFY(elapsed.elapsed() < 5000);
    QVERIFY(context.broadcasts.isEmpty());
    QVERIFY(context.sent.isEmpty());
}

void TestBlockRoom::busyWait()
{
    QElapsedTimer elapsed;
    elapsed.start();
    BlockRoom::busyWait(30ms);
    QVERIFY(elapsed.elapsed() >= 30);
}

void TestBlockRoom::restore()
{
    // Stateless: the snapshot is null, and restoring it succeeds with the members it had.
    BlockRoom room;
    FakeRoomContext context(QStringLiteral("block"), 8);
    QVERIFY(context.join(room, member(1)).ok());
    QVERIFY(room.snapshot().isNull());

    BlockRoom restored;
    FakeRoomContext moved(QStringLiteral("block"), 8);
    QVERIFY(moved.restore(restored, room.snapshot(), context.members()).ok());
    QVERIFY(moved.states.isEmpty());
    QVERIFY(moved.timers.isEmpty());
    QVERIFY(moved.message(restored, member(1), "{\"action\":\"echo\"}").ok());
    QCOMPARE(moved.broadcasts.size(), 1);

    // Anything else is not one of its snapshots.
    for (const char *json : {"{}", "{\"state\":1}", "[]", "0"}) {
        BlockRoom other;
        FakeRoomContext otherContext(QStringLiteral("block"), 8);
        const Result<void> refused = otherContext.restore(other, rawJson(json), {member(1)});
        QVERIFY(!refused.ok());
        QCOMPARE(refused.error().code, QStringLiteral("bad_request"));
    }
}

QTEST_GUILESS_MAIN(TestBlockRoom)
#include "tst_blockroom.moc"
