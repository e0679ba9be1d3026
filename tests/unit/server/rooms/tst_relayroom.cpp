// Tests RelayRoom: every message reaches every member unchanged, with the sender as `from`; and, as a room
// with nothing to keep, that it is restored (another instance took it over) by doing nothing, while the
// default Room::restore refuses.
#include "fakeroomcontext.h"

#include "server/rooms/relayroom.h"

#include <QTest>

using namespace arena;
using namespace arena::test;

class TestRelayRoom final : public QObject
{
    Q_OBJECT

private slots:
    void typeInfo();
    void passesDataThroughUnchanged_data();
    void passesDataThroughUnchanged();
    void everySenderIsNamed();
    void noStateNoTimersNoSends();
    void loneMemberGetsItsOwnMessage();
    void restoresWithItsMembersAndNothingElse();
};

void TestRelayRoom::typeInfo()
{
    const RoomTypeInfo info = RelayRoom::typeInfo();
    QCOMPARE(info.name, QStringLiteral("relay"));
    QCOMPARE(info.defaultMaxClients, 16u);
    QCOMPARE(info.maxMaxClients, 256u);
    QVERIFY(info.autoDispose);
    QVERIFY(!info.watchesRoomList);
    QVERIFY(!info.runsInWorker);
    QVERIFY(!info.validateOptions);
    QVERIFY(info.create);
    QVERIFY(dynamic_cast<RelayRoom *>(info.create().get()));
}

void TestRelayRoom::passesDataThroughUnchanged_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("object") << QByteArray(R"({"x":1,"y":-2.5})");
    QTest::newRow("nested object") << QByteArray(R"({"move":{"from":[1,2],"to":{"x":3,"y":[4,[5,{"z":null}]]}}})");
    QTest::newRow("array") << QByteArray(R"([1,"two",{"three":3},[4],true,null])");
    QTest::newRow("empty array") << QByteArray("[]");
    QTest::newRow("empty object") << QByteArray("{}");
    QTest::newRow("string") << QByteArray(R"("hello")");
    QTest::newRow("escapes kept as written") << QByteArray(R"("line\nbreak \"quoted\" \u00e9 \ud83d\ude00")");
    QTest::newRow("number kept as written") << QByteArray("1.2300e+10");
    QTest::newRow("big integer kept exactly") << QByteArray("123456789012345678901234567890");
    QTest::newRow("negative zero") << QByteArray("-0");
    QTest::newRow("true") << QByteArray("true");
    QTest::newRow("null") << QByteArray("null");
    QTest::newRow("unicode text") << QByteArray("{\"msg\":\"gr\xc3\xbc\xc3\x9f dich \xe2\x9c\x93\"}");
    // Messages that look like other room types' commands mean nothing to a relay.
    QTest::newRow("duel-like") << QByteArray(R"({"action":"attack"})");
    QTest::newRow("duplicate-looking keys in nested arrays") << QByteArray(R"([{"a":1},{"a":2}])");
}

void TestRelayRoom::passesDataThroughUnchanged()
{
    QFETCH(QByteArray, json);
    RelayRoom room;
    FakeRoomContext context(QStringLiteral("relay"), 16);
    QVERIFY(context.create(room).ok());
    for (int i = 1; i <= 3; ++i)
        QVERIFY(context.join(room, member(i)).ok());

    const protocol::RawJson data = rawJson(json);
    QVERIFY(room.onMessage(context, member(2), data).ok());

    QCOMPARE(context.broadcasts.size(), 1);
    QCOMPARE(context.broadcasts.first().from, QStringLiteral("s-2"));
    QCOMPARE(context.broadcasts.first().data, data);
    // Byte for byte the sender's (compact) text: nothing re-encoded.
    QCOMPARE(context.broadcasts.first().data.json(), json);
    QVERIFY(context.sent.isEmpty());
}

void TestRelayRoom::everySenderIsNamed()
{
    RelayRoom room;
    FakeRoomContext context(QStringLiteral("relay"), 16);
    for (int i = 1; i <= 4; ++i)
        QVERIFY(context.join(room, member(i)).ok());
    for (int i = 1; i <= 4; ++i)
        QVERIFY(context.message(room, member(i), QByteArray("{\"n\":") + QByteArray::number(i) + '}').ok());

    QCOMPARE(context.broadcasts.size(), 4);
    for (int i = 0; i < 4; ++i) {
        QCOMPARE(context.broadcasts.at(i).from, member(i + 1).sessionId);
        QCOMPARE(context.broadcasts.at(i).data.toJsonObject().value(QLatin1String("n")).toInt(), i + 1);
    }
}

void TestRelayRoom::noStateNoTimersNoSends()
{
    RelayRoom room;
    FakeRoomContext context(QStringLiteral("relay"), 16);
    QVERIFY(context.create(room, QJsonObject{{QStringLiteral("topic"), QStringLiteral("x")}}).ok());
    QVERIFY(context.join(room, member(1)).ok());
    QVERIFY(context.join(room, member(2)).ok());
    QVERIFY(context.message(room, member(1), "{\"a\":1}").ok());
    context.leave(room, member(2));
    QVERIFY(context.message(room, member(1), "[1]").ok());

    QVERIFY(room.state().isNull());
    QVERIFY(context.states.isEmpty());
    QVERIFY(context.timers.isEmpty());
    QVERIFY(context.sent.isEmpty());
    QVERIFY(context.lockChanges.isEmpty());
    QVERIFY(context.metadataChanges.isEmpty());
    QVERIFY(context.disposeReasons.isEmpty());
    QCOMPARE(context.broadcasts.size(), 2);
}

void TestRelayRoom::loneMemberGetsItsOwnMessage()
{
    RelayRoom room;
    FakeRoomContext context(QStringLiteral("relay"), 16);
    QVERIFY(context.join(room, member(7)).ok());
    QVERIFY(context.message(room, member(7), "\"echo\"").ok());
    QCOMPARE(context.broadcasts.size(), 1);
    QCOMPARE(context.broadcasts.first().from, QStringLiteral("s-7"));
    QCOMPARE(context.broadcasts.first().data.json(), QByteArray("\"echo\""));
}

namespace {

// A room type that opts into nothing: Room's defaults.
class PlainRoom final : public Room
{
public:
    Result<void> onMessage(RoomContext &, const RoomMember &, const protocol::RawJson &) override { return {}; }
};

} // namespace

void TestRelayRoom::restoresWithItsMembersAndNothingElse()
{
    RelayRoom room;
    FakeRoomContext context(QStringLiteral("relay"), 16);
    QVERIFY(context.join(room, member(1)).ok());
    QVERIFY(context.join(room, member(2)).ok());
    QVERIFY(context.message(room, member(1), "{\"a\":1}").ok());
    // Room::snapshot() defaults to state(): a relay room has none.
    QCOMPARE(room.snapshot(), room.state());
    QVERIFY(room.snapshot().isNull());

    // Taken over by another instance: it goes on with its members, sends nothing and starts nothing.
    RelayRoom moved;
    FakeRoomContext movedContext(QStringLiteral("relay"), 16);
    QVERIFY(movedContext.restore(moved, room.snapshot(), context.members()).ok());
    QVERIFY(movedContext.states.isEmpty());
    QVERIFY(movedContext.broadcasts.isEmpty());
    QVERIFY(movedContext.timers.isEmpty());
    QVERIFY(movedContext.message(moved, member(2), "{\"b\":2}").ok());
    QCOMPARE(movedContext.broadcasts.size(), 1);
    QCOMPARE(movedContext.broadcasts.first().from, member(2).sessionId);

    // Room::restore() itself refuses by default, naming the type, and does nothing.
    PlainRoom plain;
    FakeRoomContext plainContext(QStringLiteral("plain"), 16);
    const Result<void> restored = plainContext.restore(plain, room.snapshot(), context.members());
    QVERIFY(!restored.ok());
    QCOMPARE(restored.error().code, QStringLiteral("unavailable"));
    QVERIFY(restored.error().message.contains(QStringLiteral("\"plain\"")));
    QVERIFY(restored.error().message.contains(QStringLiteral("cannot be restored")));
    QVERIFY(plainContext.states.isEmpty());
    QVERIFY(plainContext.broadcasts.isEmpty());
}

QTEST_APPLESS_MAIN(TestRelayRoom)
#include "tst_relayroom.moc"
