// Tests RoomTypeRegistry: validation of added types, lookup, names, the built-in room types and the
// test-only ones.
#include "server/rooms/blockroom.h"
#include "server/rooms/duelroom.h"
#include "server/rooms/lobbyroom.h"
#include "server/rooms/relayroom.h"
#include "server/rooms/roomtyperegistry.h"

#include <QTest>

using namespace arena;

namespace {

RoomTypeInfo validType(const QString &name)
{
    RoomTypeInfo info;
    info.name = name;
    info.description = QStringLiteral("test type");
    info.defaultMaxClients = 4;
    info.maxMaxClients = 8;
    info.create = [] { return std::make_unique<RelayRoom>(); };
    return info;
}

} // namespace

class TestRoomTypeRegistry final : public QObject
{
    Q_OBJECT

private slots:
    void addAndFind();
    void validNames_data();
    void validNames();
    void invalidNames_data();
    void invalidNames();
    void duplicateRefused();
    void missingFactoryRefused();
    void clientLimits_data();
    void clientLimits();
    void namesSorted();
    void builtins();
    void builtinsTwiceFails();
    void builtinFactoriesMakeTheirRooms();
    void workerFieldsDefaultOff();
    void testTypes();
    void testTypesTwiceFail();
};

void TestRoomTypeRegistry::addAndFind()
{
    RoomTypeRegistry registry;
    QCOMPARE(registry.size(), 0);
    QVERIFY(registry.find(QStringLiteral("chat")) == nullptr);

    QVERIFY(registry.add(validType(QStringLiteral("chat"))).ok());
    QCOMPARE(registry.size(), 1);
    const RoomTypeInfo *found = registry.find(QStringLiteral("chat"));
    QVERIFY(found != nullptr);
    QCOMPARE(found->name, QStringLiteral("chat"));
    QCOMPARE(found->description, QStringLiteral("test type"));
    QCOMPARE(found->defaultMaxClients, 4u);
    QCOMPARE(found->maxMaxClients, 8u);
    QVERIFY(found->create);
    QVERIFY(found->create() != nullptr);

    QVERIFY(registry.find(QStringLiteral("Chat")) == nullptr);
    QVERIFY(registry.find(QString()) == nullptr);

    // Pointers handed out stay valid while more types are added.
    for (int i = 0; i < 50; ++i)
        QVERIFY(registry.add(validType(QStringLiteral("type-%1").arg(i))).ok());
    QCOMPARE(registry.find(QStringLiteral("chat")), found);
    QCOMPARE(found->name, QStringLiteral("chat"));
}

void TestRoomTypeRegistry::validNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("letters") << QStringLiteral("duel");
    QTest::newRow("digits") << QStringLiteral("2v2");
    QTest::newRow("underscore") << QStringLiteral("capture_the_flag");
    QTest::newRow("dash") << QStringLiteral("free-for-all");
    QTest::newRow("one char") << QStringLiteral("x");
    QTest::newRow("128 chars") << QString(128, QLatin1Char('a'));
}

void TestRoomTypeRegistry::validNames()
{
    QFETCH(QString, name);
    QVERIFY(RoomTypeRegistry::isValidName(name));
    RoomTypeRegistry registry;
    QVERIFY(registry.add(validType(name)).ok());
    QVERIFY(registry.find(name) != nullptr);
}

void TestRoomTypeRegistry::invalidNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("empty") << QString();
    QTest::newRow("upper case") << QStringLiteral("Duel");
    QTest::newRow("space") << QStringLiteral("my room");
    QTest::newRow("slash") << QStringLiteral("a/b");
    QTest::newRow("dot") << QStringLiteral("a.b");
    QTest::newRow("colon") << QStringLiteral("room:1");
    QTest::newRow("non-ascii letter") << QStringLiteral("du\u00e9l");
    QTest::newRow("129 chars") << QString(129, QLatin1Char('a'));
}

void TestRoomTypeRegistry::invalidNames()
{
    QFETCH(QString, name);
    QVERIFY(!RoomTypeRegistry::isValidName(name));
    RoomTypeRegistry registry;
    const Result<void> added = registry.add(validType(name));
    QVERIFY(!added.ok());
    QCOMPARE(added.error().code, QStringLiteral("invalid_room_type"));
    QVERIFY(added.error().message.contains(QStringLiteral("invalid")));
    QCOMPARE(registry.size(), 0);
}

void TestRoomTypeRegistry::duplicateRefused()
{
    RoomTypeRegistry registry;
    QVERIFY(registry.add(validType(QStringLiteral("chat"))).ok());
    RoomTypeInfo second = validType(QStringLiteral("chat"));
    second.description = QStringLiteral("second");
    const Result<void> added = registry.add(second);
    QVERIFY(!added.ok());
    QCOMPARE(added.error().code, QStringLiteral("invalid_room_type"));
    QVERIFY(added.error().message.contains(QStringLiteral("already registered")));
    QCOMPARE(registry.size(), 1);
    QCOMPARE(registry.find(QStringLiteral("chat"))->description, QStringLiteral("test type"));
}

void TestRoomTypeRegistry::missingFactoryRefused()
{
    RoomTypeRegistry registry;
    RoomTypeInfo info = validType(QStringLiteral("chat"));
    info.create = nullptr;
    const Result<void> added = registry.add(info);
    QVERIFY(!added.ok());
    QCOMPARE(added.error().code, QStringLiteral("invalid_room_type"));
    QVERIFY(added.error().message.contains(QStringLiteral("factory")));
    QVERIFY(registry.find(QStringLiteral("chat")) == nullptr);
}

void TestRoomTypeRegistry::clientLimits_data()
{
    QTest::addColumn<quint32>("defaultMax");
    QTest::addColumn<quint32>("maxMax");
    QTest::addColumn<bool>("ok");
    QTest::newRow("default below max") << 4u << 8u << true;
    QTest::newRow("default equals max") << 2u << 2u << true;
    QTest::newRow("one") << 1u << 1u << true;
    QTest::newRow("default zero") << 0u << 8u << false;
    QTest::newRow("both zero") << 0u << 0u << false;
    QTest::newRow("default above max") << 9u << 8u << false;
    QTest::newRow("max zero") << 1u << 0u << false;
}

void TestRoomTypeRegistry::clientLimits()
{
    QFETCH(quint32, defaultMax);
    QFETCH(quint32, maxMax);
    QFETCH(bool, ok);
    RoomTypeRegistry registry;
    RoomTypeInfo info = validType(QStringLiteral("chat"));
    info.defaultMaxClients = defaultMax;
    info.maxMaxClients = maxMax;
    const Result<void> added = registry.add(info);
    QCOMPARE(added.ok(), ok);
    QCOMPARE(registry.find(QStringLiteral("chat")) != nullptr, ok);
    if (!ok) {
        QCOMPARE(added.error().code, QStringLiteral("invalid_room_type"));
        QVERIFY(added.error().message.contains(QStringLiteral("defaultMaxClients")));
    }
}

void TestRoomTypeRegistry::namesSorted()
{
    RoomTypeRegistry registry;
    QVERIFY(registry.names().isEmpty());
    for (const char *name : {"zeta", "alpha", "mid", "alpha-2"})
        QVERIFY(registry.add(validType(QString::fromLatin1(name))).ok());
    QCOMPARE(registry.names(), (QStringList{QStringLiteral("alpha"), QStringLiteral("alpha-2"),
                                            QStringLiteral("mid"), QStringLiteral("zeta")}));
}

void TestRoomTypeRegistry::builtins()
{
    RoomTypeRegistry registry;
    QVERIFY(registerBuiltinRoomTypes(registry).ok());
    QCOMPARE(registry.names(), (QStringList{QStringLiteral("duel"), QStringLiteral("lobby"), QStringLiteral("relay")}));

    const RoomTypeInfo *relay = registry.find(QStringLiteral("relay"));
    QVERIFY(relay);
    QCOMPARE(relay->defaultMaxClients, 16u);
    QCOMPARE(relay->maxMaxClients, 256u);
    QVERIFY(relay->autoDispose);
    QVERIFY(!relay->watchesRoomList);
    QVERIFY(!relay->runsInWorker);
    QVERIFY(!relay->description.isEmpty());

    const RoomTypeInfo *lobby = registry.find(QStringLiteral("lobby"));
    QVERIFY(lobby);
    QCOMPARE(lobby->defaultMaxClients, 256u);
    QCOMPARE(lobby->maxMaxClients, 1024u);
    QVERIFY(lobby->autoDispose);
    QVERIFY(lobby->watchesRoomList);
    QVERIFY(!lobby->runsInWorker);

    const RoomTypeInfo *duel = registry.find(QStringLiteral("duel"));
    QVERIFY(duel);
    QCOMPARE(duel->defaultMaxClients, 2u);
    QCOMPARE(duel->maxMaxClients, 2u);
    QVERIFY(duel->autoDispose);
    QVERIFY(!duel->watchesRoomList);
    QVERIFY(duel->runsInWorker);
    QVERIFY(duel->validateOptions);
    QVERIFY(duel->validateOptions(QJsonObject(), 2).ok());
    QCOMPARE(duel->validateOptions(QJsonObject(), 3).error().code, QStringLiteral("bad_request"));

    // The test-only types are not among them.
    QVERIFY(registry.find(QStringLiteral("block")) == nullptr);
}

void TestRoomTypeRegistry::builtinsTwiceFails()
{
    RoomTypeRegistry registry;
    QVERIFY(registerBuiltinRoomTypes(registry).ok());
    const Result<void> again = registerBuiltinRoomTypes(registry);
    QVERIFY(!again.ok());
    QCOMPARE(again.error().code, QStringLiteral("invalid_room_type"));
    QCOMPARE(registry.size(), 3);

    // All or none: with one name taken, nothing is added and the existing type is untouched.
    RoomTypeRegistry custom;
    QVERIFY(custom.add(validType(QStringLiteral("lobby"))).ok());
    const Result<void> clash = registerBuiltinRoomTypes(custom);
    QVERIFY(!clash.ok());
    QCOMPARE(clash.error().code, QStringLiteral("invalid_room_type"));
    QVERIFY(clash.error().message.contains(QStringLiteral("lobby")));
    QCOMPARE(custom.names(), QStringList{QStringLiteral("lobby")});
    QCOMPARE(custom.find(QStringLiteral("lobby"))->description, QStringLiteral("test type"));

    // The way to replace one built-in: add the others from their typeInfo().
    QVERIFY(custom.add(RelayRoom::typeInfo()).ok());
    QVERIFY(custom.add(DuelRoom::typeInfo()).ok());
    QCOMPARE(custom.size(), 3);
}

void TestRoomTypeRegistry::builtinFactoriesMakeTheirRooms()
{
    RoomTypeRegistry registry;
    QVERIFY(registerBuiltinRoomTypes(registry).ok());
    const auto relay = registry.find(QStringLiteral("relay"))->create();
    const auto lobby = registry.find(QStringLiteral("lobby"))->create();
    const auto duel = registry.find(QStringLiteral("duel"))->create();
    QVERIFY(dynamic_cast<RelayRoom *>(relay.get()));
    QVERIFY(dynamic_cast<LobbyRoom *>(lobby.get()));
    QVERIFY(dynamic_cast<DuelRoom *>(duel.get()));
    // Each call makes a fresh room: rooms never share logic state.
    const auto secondDuel = registry.find(QStringLiteral("duel"))->create();
    QVERIFY(secondDuel.get() != duel.get());
}

void TestRoomTypeRegistry::workerFieldsDefaultOff()
{
    // A type hosts its rooms on the server and leaves options to onCreate unless it says otherwise.
    const RoomTypeInfo info;
    QVERIFY(!info.runsInWorker);
    QVERIFY(!info.validateOptions);
    RoomTypeRegistry registry;
    QVERIFY(registry.add(validType(QStringLiteral("chat"))).ok());
    QVERIFY(!registry.find(QStringLiteral("chat"))->runsInWorker);
    QVERIFY(!registry.find(QStringLiteral("chat"))->validateOptions);
}

void TestRoomTypeRegistry::testTypes()
{
    RoomTypeRegistry registry;
    QVERIFY(registerBuiltinRoomTypes(registry).ok());
    QVERIFY(registerTestRoomTypes(registry).ok());
    QCOMPARE(registry.names(), (QStringList{QStringLiteral("block"), QStringLiteral("duel"), QStringLiteral("lobby"),
                                            QStringLiteral("relay")}));
    const RoomTypeInfo *block = registry.find(QStringLiteral("block"));
    QVERIFY(block);
    QVERIFY(block->runsInWorker);
    QVERIFY(dynamic_cast<BlockRoom *>(block->create().get()));

    // On their own, too.
    RoomTypeRegistry testOnly;
    QVERIFY(registerTestRoomTypes(testOnly).ok());
    QCOMPARE(testOnly.names(), QStringList{QStringLiteral("block")});
}

void TestRoomTypeRegistry::testTypesTwiceFail()
{
    RoomTypeRegistry registry;
    QVERIFY(registerTestRoomTypes(registry).ok());
    const Result<void> again = registerTestRoomTypes(registry);
    QVERIFY(!again.ok());
    QCOMPARE(again.error().code, QStringLiteral("invalid_room_type"));
    QVERIFY(again.error().message.contains(QStringLiteral("block")));
    QCOMPARE(registry.size(), 1);
}

QTEST_GUILESS_MAIN(TestRoomTypeRegistry)
#include "tst_roomtyperegistry.moc"
