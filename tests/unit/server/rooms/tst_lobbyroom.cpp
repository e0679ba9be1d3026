// Tests LobbyRoom: the listing sent on join, pushed on list changes and on refresh, and per-member filters.
#include "fakeroomcontext.h"

#include "server/rooms/lobbyroom.h"
#include "shared/protocol/errorcode.h"

#include <QJsonArray>
#include <QTest>

using namespace arena;
using namespace arena::test;

namespace {

protocol::RoomInfo roomInfo(const QString &id, const QString &type, quint32 clients = 1, quint32 maxClients = 2,
                            bool locked = false, QByteArrayView metadata = "{}")
{
    protocol::RoomInfo info;
    info.roomId = id;
    info.roomType = type;
    info.clients = clients;
    info.maxClients = maxClients;
    info.locked = locked;
    info.metadata = rawJson(metadata);
    return info;
}

QStringList roomIds(const QJsonObject &event)
{
    QStringList ids;
    const QJsonArray rooms = event.value(QLatin1String("rooms")).toArray();
    for (const QJsonValue &room : rooms)
        ids.append(room.toObject().value(QLatin1String("id")).toString());
    return ids;
}

QStringList ids(std::initializer_list<const char *> list)
{
    QStringList result;
    for (const char *id : list)
        result.append(QString::fromLatin1(id));
    return result;
}

} // namespace

class TestLobbyRoom final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void typeInfo();
    void joinerGetsListing();
    void listingShape();
    void emptyServer();
    void listChangeBroadcastToAll();
    void unchangedListingNotResent();
    void refreshResends();
    void filterByType();
    void filterByMetadata();
    void filterByTypeAndMetadata();
    void filterCleared_data();
    void filterCleared();
    void listChangeHonoursEachFilter();
    void leaveForgetsFilter();
    void badRequests_data();
    void badRequests();
    void listingIsCapped();
    void listChangeWithNoMembers();
    void restoredLobbySendsEachMemberTheListing();

private:
    QList<protocol::RoomInfo> m_rooms;
};

void TestLobbyRoom::init()
{
    m_rooms = {
        roomInfo(QStringLiteral("r-1"), QStringLiteral("lobby"), 3, 256), // this lobby
        roomInfo(QStringLiteral("r-2"), QStringLiteral("duel"), 1, 2, false, R"({"mode":"ranked","map":"arena"})"),
        roomInfo(QStringLiteral("r-3"), QStringLiteral("relay"), 5, 16, false, R"({"mode":"casual"})"),
        roomInfo(QStringLiteral("r-4"), QStringLiteral("duel"), 2, 2, true, R"({"mode":"casual"})"),
        roomInfo(QStringLiteral("r-9"), QStringLiteral("lobby"), 10, 256), // another lobby
    };
}

void TestLobbyRoom::typeInfo()
{
    const RoomTypeInfo info = LobbyRoom::typeInfo();
    QCOMPARE(info.name, QStringLiteral("lobby"));
    QCOMPARE(info.defaultMaxClients, 256u);
    QCOMPARE(info.maxMaxClients, 1024u);
    QVERIFY(info.autoDispose);
    QVERIFY(info.watchesRoomList);
    QVERIFY(dynamic_cast<LobbyRoom *>(info.create().get()));
}

void TestLobbyRoom::joinerGetsListing()
{
    LobbyRoom room;
    FakeRoomContext context(QStringLiteral("lobby"), 256);
    context.rooms = m_rooms;
    QVERIFY(context.create(room).ok());
    QVERIFY(context.join(room, member(1)).ok());

    QCOMPARE(context.sent.size(), 1);
    QCOMPARE(context.sent.first().sessionId, QStringLiteral("s-1"));
    const QJsonObject event = context.sent.first().data.toJsonObject();
    QCOMPARE(event.value(QLatin1String("kind")).toString(), QStringLiteral("rooms"));
    // Lobbies (this one and others) are left out.
    QCOMPARE(roomIds(event), ids({"r-2", "r-3", "r-4"}));
    QCOMPARE(event.value(QLatin1String("total")).toInt(), 3);
    QVERIFY(context.broadcasts.isEmpty());

    // The next joiner gets its own copy; the first one is not sent the list again.
    QVERIFY(context.join(room, member(2)).ok());
    QCOMPARE(context.sent.size(), 2);
    QCOMPARE(context.sent.last().sessionId, QStringLiteral("s-2"));
    QCOMPARE(context.sent.last().data, context.sent.first().data);
    QVERIFY(context.broadcasts.isEmpty());
    QCOMPARE(context.strayMessages, 0);
    QVERIFY(room.state().isNull());
}

void TestLobbyRoom::listingShape()
{
    LobbyRoom room;
    FakeRoomContext context(QStringLiteral("lobby"), 256);
    context.rooms = {roomInfo(QStringLiteral("r-2"), QStringLiteral("duel"), 1, 2, true,
                              R"({"mode":"ranked","stake":1.50,"tags":["a","b"]})")};
    QVERIFY(context.join(room, member(1)).ok());
    QCOMPARE(context.sent.size(), 1);
    // The room_list entry shape; metadata passed on as the creator wrote it.
    QCOMPARE(context.sent.first().data.json(),
             QByteArray(R"({"kind":"rooms","rooms":[{"id":"r-2","type":"duel","clients":1,"max_clients":2,)"
                        R"("locked":true,"metadata":{"mode":"ranked","stake":1.50,"tags":["a","b"]}}],"total":1})"));
}

void TestLobbyRoom::emptyServer()
{
    LobbyRoom room;
    FakeRoomContext context(QStringLiteral("lobby"), 256);
    QVERIFY(context.join(room, member(1)).ok());
    QCOMPARE(context.sent.size(), 1);
    QCOMPARE(context.sent.first().data.json(), QByteArray(R"({"kind":"rooms","rooms":[],"total":0})"));
}

void TestLobbyRoom::listChangeBroadcastToAll()
{
    LobbyRoom room;
    FakeRoomContext context(QStringLiteral("lobby"), 256);
    context.rooms = m_rooms;
    for (int i = 1; i <= 3; ++i)
        QVERIFY(context.join(room, member(i)).ok());
    context.clearRecords();

    context.rooms.append(roomInfo(QStringLiteral("r-5"), QStringLiteral("relay"), 1, 16));
    room.onRoomListChanged(context);

    QVERIFY(context.sent.isEmpty());
    QCOMPARE(context.broadcasts.size(), 1);
    QVERIFY(context.broadcasts.first().from.isEmpty());
    const QJsonObject event = context.broadcasts.first().data.toJsonObject();
    QCOMPARE(event.value(QLatin1String("kind")).toString(), QStringLiteral("rooms"));
    QCOMPARE(roomIds(event), ids({"r-2", "r-3", "r-4", "r-5"}));

    // A room going away is a change too; so is a changed member count.
    context.clearRecords();
    context.rooms.removeAt(1);
    room.onRoomListChanged(context);
    QCOMPARE(context.broadcasts.size(), 1);
    QCOMPARE(roomIds(context.broadcasts.first().data.toJsonObject()), ids({"r-3", "r-4", "r-5"}));

    context.clearRecords();
    context.rooms[1].clients = 6;
    room.onRoomListChanged(context);
    QCOMPARE(context.broadcasts.size(), 1);
    QCOMPARE(context.broadcasts.first().data.toJsonObject().value(QLatin1String("rooms")).toArray().at(0)
                 .toObject().value(QLatin1String("clients")).toInt(),
             6);
}

void TestLobbyRoom::unchangedListingNotResent()
{
    LobbyRoom room;
    FakeRoomContext context(QStringLiteral("lobby"), 256);
    context.rooms = m_rooms;
    QVERIFY(context.join(room, member(1)).ok());
    QVERIFY(context.join(room, member(2)).ok());
    context.clearRecords();

    room.onRoomListChanged(context);
    QVERIFY(context.broadcasts.isEmpty());
    QVERIFY(context.sent.isEmpty());

    // Changes to lobbies alone do not change a lobby's listing.
    context.rooms[0].clients = 4;
    context.rooms[4].clients = 11;
    context.rooms.append(roomInfo(QStringLiteral("r-10"), QStringLiteral("lobby"), 1, 256));
    room.onRoomListChanged(context);
    QVERIFY(context.broadcasts.isEmpty());
    QVERIFY(context.sent.isEmpty());
}

void TestLobbyRoom::refreshResends()
{
    LobbyRoom room;
    FakeRoomContext context(QStringLiteral("lobby"), 256);
    context.rooms = m_rooms;
    QVERIFY(context.join(room, member(1)).ok());
    QVERIFY(context.join(room, member(2)).ok());
    context.clearRecords();

    QVERIFY(context.message(room, member(2), R"({"action":"refresh"})").ok());
    QCOMPARE(context.sent.size(), 1);
    QCOMPARE(context.sent.first().sessionId, QStringLiteral("s-2"));
    QCOMPARE(roomIds(context.sent.first().data.toJsonObject()), ids({"r-2", "r-3", "r-4"}));
    QVERIFY(context.broadcasts.isEmpty());

    // Extra fields are ignored.
    QVERIFY(context.message(room, member(1), R"({"action":"refresh","please":true})").ok());
    QCOMPARE(context.sent.size(), 2);
    QCOMPARE(context.sent.last().sessionId, QStringLiteral("s-1"));
}

void TestLobbyRoom::restoredLobbySendsEachMemberTheListing()
{
    LobbyRoom room;
    FakeRoomContext context(QStringLiteral("lobby"), 256);
    context.rooms = m_rooms;
    QVERIFY(context.join(room, member(1)).ok());
    QVERIFY(context.join(room, member(2)).ok());
    QVERIFY(context.message(room, member(1), R"({"action":"filter","roomType":"duel"})").ok());

    // Taken over by another instance: each member gets the unfiltered listing, and list changes reach
    // both again.
    LobbyRoom moved;
    FakeRoomContext movedContext(QStringLiteral("lobby"), 256);
    movedContext.rooms = m_rooms;
    QVERIFY(movedContext.restore(moved, room.snapshot(), context.members()).ok());
    QCOMPARE(movedContext.sent.size(), 2);
    QCOMPARE(movedContext.sent.at(0).sessionId, QStringLiteral("s-1"));
    QCOMPARE(movedContext.sent.at(1).sessionId, QStringLiteral("s-2"));
    for (const auto &sent : std::as_const(movedContext.sent))
        QCOMPARE(roomIds(sent.data.toJsonObject()), ids({"r-2", "r-3", "r-4"}));
    movedContext.clearRecords();
    movedContext.rooms.removeAt(2); // r-3 goes
    moved.onRoomListChanged(movedContext);
    QVERIFY(movedContext.sent.isEmpty());
    QCOMPARE(movedContext.broadcasts.size(), 1);
    QCOMPARE(roomIds(movedContext.broadcasts.first().data.toJsonObject()), ids({"r-2", "r-4"}));
}

void TestLobbyRoom::filterByType()
{
    LobbyRoom room;
    FakeRoomContext context(QStringLiteral("lobby"), 256);
    context.rooms = m_rooms;
    QVERIFY(context.join(room, member(1)).ok());
    context.clearRecords();

    QVERIFY(context.message(room, member(1), R"({"action":"filter","roomType":"duel"})").ok());
    QCOMPARE(context.sent.size(), 1);
    const QJsonObject event = context.sent.first().data.toJsonObject();
    QCOMPARE(roomIds(event), ids({"r-2", "r-4"}));
    QCOMPARE(event.value(QLatin1String("total")).toInt(), 2);

    // The filter stays for refreshes.
    QVERIFY(context.message(room, member(1), R"({"action":"refresh"})").ok());
    QCOMPARE(roomIds(context.sent.last().data.toJsonObject()), ids({"r-2", "r-4"}));

    // An unknown (but well-formed) type simply matches nothing; asking for lobbies too.
    QVERIFY(context.message(room, member(1), R"({"action":"filter","roomType":"chess"})").ok());
    QCOMPARE(roomIds(context.sent.last().data.toJsonObject()), QStringList());
    QVERIFY(context.message(room, member(1), R"({"action":"filter","roomType":"lobby"})").ok());
    QCOMPARE(roomIds(context.sent.last().data.toJsonObject()), QStringList());
}

void TestLobbyRoom::filterByMetadata()
{
    LobbyRoom room;
    FakeRoomContext context(QStringLiteral("lobby"), 256);
    context.rooms = m_rooms;
    QVERIFY(context.join(room, member(1)).ok());

    QVERIFY(context.message(room, member(1), R"({"action":"filter","metadata":{"mode":"casual"}})").ok());
    QCOMPARE(roomIds(context.sent.last().data.toJsonObject()), ids({"r-3", "r-4"}));

    QVERIFY(context.message(room, member(1), R"({"action":"filter","metadata":{"mode":"ranked","map":"arena"}})").ok());
    QCOMPARE(roomIds(context.sent.last().data.toJsonObject()), ids({"r-2"}));

    // Every key must match, with an equal value of the same type.
    QVERIFY(context.message(room, member(1), R"({"action":"filter","metadata":{"mode":"ranked","map":"moon"}})").ok());
    QCOMPARE(roomIds(context.sent.last().data.toJsonObject()), QStringList());
    QVERIFY(context.message(room, member(1), R"({"action":"filter","metadata":{"missing":1}})").ok());
    QCOMPARE(roomIds(context.sent.last().data.toJsonObject()), QStringList());

    context.rooms.append(roomInfo(QStringLiteral("r-6"), QStringLiteral("relay"), 1, 4, false, R"({"level":3})"));
    QVERIFY(context.message(room, member(1), R"({"action":"filter","metadata":{"level":"3"}})").ok());
    QCOMPARE(roomIds(context.sent.last().data.toJsonObject()), QStringList());
    QVERIFY(context.message(room, member(1), R"({"action":"filter","metadata":{"level":3}})").ok());
    QCOMPARE(roomIds(context.sent.last().data.toJsonObject()), ids({"r-6"}));

    // An empty metadata filter matches everything.
    QVERIFY(context.message(room, member(1), R"({"action":"filter","metadata":{}})").ok());
    QCOMPARE(roomIds(context.sent.last().data.toJsonObject()), ids({"r-2", "r-3", "r-4", "r-6"}));
}

void TestLobbyRoom::filterByTypeAndMetadata()
{
    LobbyRoom room;
    FakeRoomContext context(QStringLiteral("lobby"), 256);
    context.rooms = m_rooms;
    QVERIFY(context.join(room, member(1)).ok());
    QVERIFY(context.message(room, member(1), R"({"action":"filter","roomType":"duel","metadata":{"mode":"casual"}})").ok());
    QCOMPARE(roomIds(context.sent.last().data.toJsonObject()), ids({"r-4"}));
}

void TestLobbyRoom::filterCleared_data()
{
    QTest::addColumn<QByteArray>("clear");
    QTest::newRow("no fields") << QByteArray(R"({"action":"filter"})");
    QTest::newRow("nulls") << QByteArray(R"({"action":"filter","roomType":null,"metadata":null})");
    QTest::newRow("empty metadata") << QByteArray(R"({"action":"filter","metadata":{}})");
}

void TestLobbyRoom::filterCleared()
{
    QFETCH(QByteArray, clear);
    LobbyRoom room;
    FakeRoomContext context(QStringLiteral("lobby"), 256);
    context.rooms = m_rooms;
    QVERIFY(context.join(room, member(1)).ok());
    QVERIFY(context.join(room, member(2)).ok());
    QVERIFY(context.message(room, member(1), R"({"action":"filter","roomType":"relay"})").ok());
    QCOMPARE(roomIds(context.sent.last().data.toJsonObject()), ids({"r-3"}));

    QVERIFY(context.message(room, member(1), clear).ok());
    QCOMPARE(context.sent.last().sessionId, QStringLiteral("s-1"));
    QCOMPARE(roomIds(context.sent.last().data.toJsonObject()), ids({"r-2", "r-3", "r-4"}));

    // With nobody filtering any more, a change is one broadcast again.
    context.clearRecords();
    context.rooms.append(roomInfo(QStringLiteral("r-5"), QStringLiteral("duel")));
    room.onRoomListChanged(context);
    QVERIFY(context.sent.isEmpty());
    QCOMPARE(context.broadcasts.size(), 1);
}

void TestLobbyRoom::listChangeHonoursEachFilter()
{
    LobbyRoom room;
    FakeRoomContext context(QStringLiteral("lobby"), 256);
    context.rooms = m_rooms;
    for (int i = 1; i <= 4; ++i)
        QVERIFY(context.join(room, member(i)).ok());
    QVERIFY(context.message(room, member(1), R"({"action":"filter","roomType":"duel"})").ok());
    QVERIFY(context.message(room, member(3), R"({"action":"filter","roomType":"relay"})").ok());
    context.clearRecords();

    // A new duel: the duel watcher and the unfiltered members hear of it, the relay watcher does not.
    context.rooms.append(roomInfo(QStringLiteral("r-5"), QStringLiteral("duel")));
    room.onRoomListChanged(context);
    QVERIFY(context.broadcasts.isEmpty());
    QCOMPARE(context.sent.size(), 3);
    QCOMPARE(context.sentTo(QStringLiteral("s-1")).size(), 1);
    QCOMPARE(roomIds(context.sentTo(QStringLiteral("s-1")).first()), ids({"r-2", "r-4", "r-5"}));
    QCOMPARE(context.sentTo(QStringLiteral("s-2")).size(), 1);
    QCOMPARE(roomIds(context.sentTo(QStringLiteral("s-2")).first()), ids({"r-2", "r-3", "r-4", "r-5"}));
    QVERIFY(context.sentTo(QStringLiteral("s-3")).isEmpty());
    QCOMPARE(context.sentTo(QStringLiteral("s-4")).size(), 1);
    QCOMPARE(context.sentTo(QStringLiteral("s-4")).first(), context.sentTo(QStringLiteral("s-2")).first());

    // A relay change: only the relay watcher and the unfiltered members.
    context.clearRecords();
    context.rooms[2].clients = 9;
    room.onRoomListChanged(context);
    QVERIFY(context.sentTo(QStringLiteral("s-1")).isEmpty());
    QCOMPARE(context.sentTo(QStringLiteral("s-2")).size(), 1);
    QCOMPARE(roomIds(context.sentTo(QStringLiteral("s-3")).first()), ids({"r-3"}));
    QCOMPARE(context.sentTo(QStringLiteral("s-4")).size(), 1);
    QCOMPARE(context.strayMessages, 0);
}

void TestLobbyRoom::leaveForgetsFilter()
{
    LobbyRoom room;
    FakeRoomContext context(QStringLiteral("lobby"), 256);
    context.rooms = m_rooms;
    QVERIFY(context.join(room, member(1)).ok());
    QVERIFY(context.join(room, member(2)).ok());
    QVERIFY(context.message(room, member(1), R"({"action":"filter","roomType":"duel"})").ok());
    context.leave(room, member(1));
    context.clearRecords();

    // The remaining member is unfiltered: a change is a broadcast, nothing is sent to the one who left.
    context.rooms.append(roomInfo(QStringLiteral("r-5"), QStringLiteral("relay")));
    room.onRoomListChanged(context);
    QCOMPARE(context.broadcasts.size(), 1);
    QVERIFY(context.sent.isEmpty());

    // Coming back (same session) starts unfiltered.
    QVERIFY(context.join(room, member(1)).ok());
    QCOMPARE(roomIds(context.sentTo(QStringLiteral("s-1")).last()), ids({"r-2", "r-3", "r-4", "r-5"}));
    QCOMPARE(context.strayMessages, 0);
}

void TestLobbyRoom::badRequests_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("array") << QByteArray(R"(["refresh"])");
    QTest::newRow("string") << QByteArray(R"("refresh")");
    QTest::newRow("number") << QByteArray("1");
    QTest::newRow("null") << QByteArray("null");
    QTest::newRow("empty object") << QByteArray("{}");
    QTest::newRow("action not a string") << QByteArray(R"({"action":1})");
    QTest::newRow("action null") << QByteArray(R"({"action":null})");
    QTest::newRow("unknown action") << QByteArray(R"({"action":"join"})");
    QTest::newRow("action wrong case") << QByteArray(R"({"action":"Refresh"})");
    QTest::newRow("roomType a number") << QByteArray(R"({"action":"filter","roomType":3})");
    QTest::newRow("roomType an object") << QByteArray(R"({"action":"filter","roomType":{}})");
    QTest::newRow("roomType empty") << QByteArray(R"({"action":"filter","roomType":""})");
    QTest::newRow("roomType invalid name") << QByteArray(R"({"action":"filter","roomType":"Duel!"})");
    QTest::newRow("metadata an array") << QByteArray(R"({"action":"filter","metadata":[]})");
    QTest::newRow("metadata a string") << QByteArray(R"({"action":"filter","metadata":"mode=ranked"})");
}

void TestLobbyRoom::badRequests()
{
    QFETCH(QByteArray, json);
    LobbyRoom room;
    FakeRoomContext context(QStringLiteral("lobby"), 256);
    context.rooms = m_rooms;
    QVERIFY(context.join(room, member(1)).ok());
    QVERIFY(context.message(room, member(1), R"({"action":"filter","roomType":"duel"})").ok());
    context.clearRecords();

    const Result<void> result = context.message(room, member(1), json);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, QStringLiteral("bad_request"));
    QVERIFY(!result.error().message.isEmpty());
    QVERIFY(context.sent.isEmpty());
    QVERIFY(context.broadcasts.isEmpty());

    // A refused filter leaves the previous one in place.
    QVERIFY(context.message(room, member(1), R"({"action":"refresh"})").ok());
    QCOMPARE(roomIds(context.sent.last().data.toJsonObject()), ids({"r-2", "r-4"}));
}

void TestLobbyRoom::listingIsCapped()
{
    LobbyRoom room;
    FakeRoomContext context(QStringLiteral("lobby"), 256);
    for (int i = 0; i < 150; ++i)
        context.rooms.append(roomInfo(QStringLiteral("r-%1").arg(i + 100), QStringLiteral("relay")));
    QVERIFY(context.join(room, member(1)).ok());
    const QJsonObject event = context.sent.last().data.toJsonObject();
    const QStringList listed = roomIds(event);
    QCOMPARE(listed.size(), LobbyRoom::MaxListedRooms);
    QCOMPARE(listed.first(), QStringLiteral("r-100"));
    QCOMPARE(listed.last(), QStringLiteral("r-199"));
    QCOMPARE(event.value(QLatin1String("total")).toInt(), 150);
}

void TestLobbyRoom::listChangeWithNoMembers()
{
    LobbyRoom room;
    FakeRoomContext context(QStringLiteral("lobby"), 256);
    context.rooms = m_rooms;
    room.onRoomListChanged(context);
    QVERIFY(context.broadcasts.isEmpty());
    QVERIFY(context.sent.isEmpty());
}

QTEST_GUILESS_MAIN(TestLobbyRoom)
#include "tst_lobbyroom.moc"
