// Tests DuelRoom: seating, the turn rules (attack, heal, defend, forfeit), refusals, the turn timer,
// game over, forfeit on leave and self-disposal.
#include "fakeroomcontext.h"

#include "server/rooms/duelroom.h"

#include <QJsonArray>
#include <QTest>

using namespace arena;
using namespace arena::test;
using namespace std::chrono_literals;

namespace {

const QString s1 = QStringLiteral("s-1");
const QString s2 = QStringLiteral("s-2");

QJsonObject playerState(const QJsonObject &state, const QString &sessionId)
{
    return state.value(QLatin1String("players")).toObject().value(sessionId).toObject();
}

int hpOf(const QJsonObject &state, const QString &sessionId)
{
    return playerState(state, sessionId).value(QLatin1String("hp")).toInt(-1);
}

QString str(const QJsonObject &object, const char *key)
{
    return object.value(QLatin1String(key)).toString();
}

int num(const QJsonObject &object, const char *key)
{
    return object.value(QLatin1String(key)).toInt(-1);
}

} // namespace

class TestDuelRoom final : public QObject
{
    Q_OBJECT

private slots:
    void typeInfo();
    void createDefaults();
    void turnSecondsOption_data();
    void turnSecondsOption();
    void createNeedsTwoSeats();
    void firstJoinerWaits();
    void secondJoinerStartsTheGame();
    void thirdJoinerRefused();
    void reservedSeatCounts();
    void sameSessionOrPlayerRefused();
    void failedJoinFreesTheSeat();
    void leaveWhileWaitingFreesTheSeat();
    void attackDamageRule_data();
    void attackDamageRule();
    void attackAndTurnOrder();
    void notYourTurn();
    void badActions_data();
    void badActions();
    void notPlaying();
    void onlyPlayersAct();
    void healAndHealCap();
    void defendHalvesNextDamageOnce();
    void gameOverByKoAndSelfDispose();
    void turnTimerSkips();
    void skipCountResetsWhenActing();
    void threeSkipsInARowLose();
    void leavingWhilePlayingForfeits();
    void forfeitAction();
    void disposeCancelsTimers();
    void strayTimersIgnored();

private:
    static void startDuel(FakeRoomContext &context, DuelRoom &room, const QJsonObject &options = {});
    static void checkStateConsistent(const FakeRoomContext &context, const DuelRoom &room);
};

void TestDuelRoom::startDuel(FakeRoomContext &context, DuelRoom &room, const QJsonObject &options)
{
    QVERIFY(context.create(room, options).ok());
    QVERIFY(context.join(room, member(1)).ok());
    QVERIFY(context.join(room, member(2)).ok());
    QCOMPARE(str(context.lastState(), "phase"), QStringLiteral("playing"));
    context.clearRecords();
}

void TestDuelRoom::checkStateConsistent(const FakeRoomContext &context, const DuelRoom &room)
{
    QVERIFY(!context.states.isEmpty());
    QCOMPARE(room.state(), context.states.last());
}

void TestDuelRoom::typeInfo()
{
    const RoomTypeInfo info = DuelRoom::typeInfo();
    QCOMPARE(info.name, QStringLiteral("duel"));
    QCOMPARE(info.defaultMaxClients, 2u);
    QCOMPARE(info.maxMaxClients, 2u);
    QVERIFY(info.autoDispose);
    QVERIFY(!info.watchesRoomList);
    QVERIFY(dynamic_cast<DuelRoom *>(info.create().get()));
}

void TestDuelRoom::createDefaults()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    QVERIFY(context.create(room, QJsonObject{{QStringLiteral("mode"), QStringLiteral("ranked")}}).ok());
    QCOMPARE(context.states.size(), 1);
    checkStateConsistent(context, room);
    const QJsonObject state = context.lastState();
    QCOMPARE(str(state, "phase"), QStringLiteral("waiting"));
    QVERIFY(state.value(QLatin1String("turn")).isNull());
    QCOMPARE(num(state, "round"), 0);
    QCOMPARE(num(state, "turnSeconds"), 30);
    QVERIFY(state.value(QLatin1String("turnEndsAt")).isNull());
    QVERIFY(state.value(QLatin1String("players")).toObject().isEmpty());
    QVERIFY(state.value(QLatin1String("winner")).isNull());
    QVERIFY(state.value(QLatin1String("reason")).isNull());
    QVERIFY(context.timers.isEmpty());
    QVERIFY(context.broadcasts.isEmpty());
    QVERIFY(context.lockChanges.isEmpty());
}

void TestDuelRoom::turnSecondsOption_data()
{
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<int>("expected"); // 0: refused
    QTest::newRow("minimum") << QJsonValue(1) << 1;
    QTest::newRow("maximum") << QJsonValue(300) << 300;
    QTest::newRow("typical") << QJsonValue(45) << 45;
    QTest::newRow("integral double") << QJsonValue(12.0) << 12;
    QTest::newRow("zero") << QJsonValue(0) << 0;
    QTest::newRow("negative") << QJsonValue(-5) << 0;
    QTest::newRow("above maximum") << QJsonValue(301) << 0;
    QTest::newRow("huge") << QJsonValue(1e300) << 0;
    QTest::newRow("fraction") << QJsonValue(1.5) << 0;
    QTest::newRow("string") << QJsonValue(QStringLiteral("30")) << 0;
    QTest::newRow("bool") << QJsonValue(true) << 0;
    QTest::newRow("null") << QJsonValue(QJsonValue::Null) << 0;
    QTest::newRow("array") << QJsonValue(QJsonArray{30}) << 0;
}

void TestDuelRoom::turnSecondsOption()
{
    QFETCH(QJsonValue, value);
    QFETCH(int, expected);
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    const Result<void> created = context.create(room, QJsonObject{{QStringLiteral("turnSeconds"), value}});
    if (expected == 0) {
        QVERIFY(!created.ok());
        QCOMPARE(created.error().code, QStringLiteral("bad_request"));
        QVERIFY(created.error().message.contains(QStringLiteral("turnSeconds")));
        QVERIFY(context.states.isEmpty());
        return;
    }
    QVERIFY(created.ok());
    QCOMPARE(num(context.lastState(), "turnSeconds"), expected);

    // The timer uses it.
    QVERIFY(context.join(room, member(1)).ok());
    const qint64 startedAt = context.nowMs();
    QVERIFY(context.join(room, member(2)).ok());
    QCOMPARE(context.timers.value(DuelRoom::turnTimer()), startedAt + expected * 1000);
    QCOMPARE(context.lastState().value(QLatin1String("turnEndsAt")).toInteger(), startedAt + expected * 1000);
}

void TestDuelRoom::createNeedsTwoSeats()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 1);
    const Result<void> created = context.create(room);
    QVERIFY(!created.ok());
    QCOMPARE(created.error().code, QStringLiteral("bad_request"));
}

void TestDuelRoom::firstJoinerWaits()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    QVERIFY(context.create(room).ok());
    context.clearRecords();
    QVERIFY(context.join(room, member(1)).ok());

    QCOMPARE(context.states.size(), 1);
    checkStateConsistent(context, room);
    const QJsonObject state = context.lastState();
    QCOMPARE(str(state, "phase"), QStringLiteral("waiting"));
    const QJsonObject player = playerState(state, s1);
    QCOMPARE(num(player, "hp"), 100);
    QCOMPARE(str(player, "playerId"), QStringLiteral("p-1"));
    QCOMPARE(num(player, "healsLeft"), 3);
    QCOMPARE(player.value(QLatin1String("defending")).toBool(true), false);
    QCOMPARE(num(player, "skippedTurns"), 0);
    QVERIFY(context.timers.isEmpty());
    QVERIFY(context.broadcasts.isEmpty());
    QVERIFY(context.lockChanges.isEmpty());
}

void TestDuelRoom::secondJoinerStartsTheGame()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    QVERIFY(context.create(room).ok());
    QVERIFY(context.join(room, member(1)).ok());
    context.clearRecords();
    const qint64 now = context.nowMs();
    QVERIFY(context.join(room, member(2)).ok());

    QCOMPARE(context.lockChanges, QList<bool>{true});
    QCOMPARE(context.timers.keys(), QStringList{DuelRoom::turnTimer()});
    QCOMPARE(context.timers.value(DuelRoom::turnTimer()), now + 30000);

    QCOMPARE(context.broadcasts.size(), 1);
    QVERIFY(context.broadcasts.first().from.isEmpty());
    const QJsonObject started = context.broadcasts.first().data.toJsonObject();
    QCOMPARE(str(started, "kind"), QStringLiteral("game_started"));
    QCOMPARE(str(started, "turn"), s1); // the first to join moves first
    QCOMPARE(num(started, "round"), 1);
    QCOMPARE(started.value(QLatin1String("turnEndsAt")).toInteger(), now + 30000);

    checkStateConsistent(context, room);
    const QJsonObject state = context.lastState();
    QCOMPARE(str(state, "phase"), QStringLiteral("playing"));
    QCOMPARE(str(state, "turn"), s1);
    QCOMPARE(num(state, "round"), 1);
    QCOMPARE(state.value(QLatin1String("turnEndsAt")).toInteger(), now + 30000);
    QCOMPARE(hpOf(state, s1), 100);
    QCOMPARE(hpOf(state, s2), 100);
    QCOMPARE(str(playerState(state, s2), "playerId"), QStringLiteral("p-2"));
    QVERIFY(state.value(QLatin1String("winner")).isNull());
}

void TestDuelRoom::thirdJoinerRefused()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room);
    const Result<void> third = context.join(room, member(3));
    QVERIFY(!third.ok());
    QCOMPARE(third.error().code, QStringLiteral("room_full"));
    QCOMPARE(context.members().size(), 2);
    QVERIFY(context.states.isEmpty());
    QVERIFY(context.broadcasts.isEmpty());
}

void TestDuelRoom::reservedSeatCounts()
{
    // Joins accepted by onJoin but not yet completed hold their seats.
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    QVERIFY(context.create(room).ok());
    QVERIFY(room.onJoin(context, member(1)).ok());
    QVERIFY(room.onJoin(context, member(2)).ok());
    const Result<void> third = room.onJoin(context, member(3));
    QVERIFY(!third.ok());
    QCOMPARE(third.error().code, QStringLiteral("room_full"));

    room.onJoined(context, member(1));
    QCOMPARE(str(context.lastState(), "phase"), QStringLiteral("waiting"));
    room.onJoined(context, member(2));
    QCOMPARE(str(context.lastState(), "phase"), QStringLiteral("playing"));

    // A member the room never accepted is ignored rather than seated.
    const int states = context.states.size();
    room.onJoined(context, member(3));
    QCOMPARE(context.states.size(), states);
    QVERIFY(playerState(context.lastState(), QStringLiteral("s-3")).isEmpty());
}

void TestDuelRoom::sameSessionOrPlayerRefused()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    QVERIFY(context.create(room).ok());
    QVERIFY(context.join(room, member(1)).ok());

    const Result<void> again = room.onJoin(context, member(1));
    QVERIFY(!again.ok());
    QCOMPARE(again.error().code, QStringLiteral("conflict"));

    const Result<void> samePlayer = room.onJoin(context, RoomMember{QStringLiteral("s-5"), QStringLiteral("p-1")});
    QVERIFY(!samePlayer.ok());
    QCOMPARE(samePlayer.error().code, QStringLiteral("conflict"));

    // Still waiting for a real opponent.
    QCOMPARE(str(context.lastState(), "phase"), QStringLiteral("waiting"));
    QVERIFY(context.join(room, member(2)).ok());
    QCOMPARE(str(context.lastState(), "phase"), QStringLiteral("playing"));
}

void TestDuelRoom::failedJoinFreesTheSeat()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    QVERIFY(context.create(room).ok());
    QVERIFY(context.join(room, member(1)).ok());
    context.clearRecords();
    QVERIFY(context.failJoin(room, member(2)).ok());
    QVERIFY(context.states.isEmpty());
    QVERIFY(context.broadcasts.isEmpty());

    QVERIFY(context.join(room, member(3)).ok());
    const QJsonObject state = context.lastState();
    QCOMPARE(str(state, "phase"), QStringLiteral("playing"));
    QCOMPARE(str(state, "turn"), s1);
    QCOMPARE(hpOf(state, QStringLiteral("s-3")), 100);
    QCOMPARE(hpOf(state, s2), -1);
}

void TestDuelRoom::leaveWhileWaitingFreesTheSeat()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    QVERIFY(context.create(room).ok());
    QVERIFY(context.join(room, member(1)).ok());
    context.leave(room, member(1));
    checkStateConsistent(context, room);
    QCOMPARE(str(context.lastState(), "phase"), QStringLiteral("waiting"));
    QVERIFY(context.lastState().value(QLatin1String("players")).toObject().isEmpty());
    QVERIFY(context.broadcasts.isEmpty());

    QVERIFY(context.join(room, member(2)).ok());
    QVERIFY(context.join(room, member(3)).ok());
    QCOMPARE(str(context.lastState(), "turn"), s2);
    QCOMPARE(context.lastState().value(QLatin1String("players")).toObject().size(), 2);
}

void TestDuelRoom::attackDamageRule_data()
{
    QTest::addColumn<int>("round");
    QTest::addColumn<int>("damage");
    QTest::newRow("round 1") << 1 << 15;
    QTest::newRow("round 2") << 2 << 20;
    QTest::newRow("round 3") << 3 << 10;
    QTest::newRow("round 4") << 4 << 15;
    QTest::newRow("round 5") << 5 << 20;
    QTest::newRow("round 6") << 6 << 10;
}

void TestDuelRoom::attackDamageRule()
{
    QFETCH(int, round);
    QFETCH(int, damage);
    QCOMPARE(DuelRoom::attackDamage(round), damage);
}

void TestDuelRoom::attackAndTurnOrder()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room);
    context.setNow(context.nowMs() + 4000);

    QVERIFY(context.message(room, member(1), R"({"action":"attack","target":"s-2"})").ok());
    QCOMPARE(context.broadcasts.size(), 1);
    QVERIFY(context.broadcasts.first().from.isEmpty());
    const QJsonObject event = context.broadcasts.first().data.toJsonObject();
    QCOMPARE(str(event, "kind"), QStringLiteral("action"));
    QCOMPARE(str(event, "by"), s1);
    QCOMPARE(str(event, "action"), QStringLiteral("attack"));
    QCOMPARE(str(event, "target"), s2);
    QCOMPARE(num(event, "damage"), 15);
    QCOMPARE(num(event, "healed"), 0);
    QCOMPARE(event.value(QLatin1String("defended")).toBool(true), false);
    QCOMPARE(event.value(QLatin1String("hp")).toObject(),
             (QJsonObject{{s1, 100}, {s2, 85}}));

    checkStateConsistent(context, room);
    QJsonObject state = context.lastState();
    QCOMPARE(hpOf(state, s2), 85);
    QCOMPARE(str(state, "turn"), s2);
    QCOMPARE(num(state, "round"), 1);
    // The turn timer restarted for the new turn.
    QCOMPARE(state.value(QLatin1String("turnEndsAt")).toInteger(), context.nowMs() + 30000);
    QCOMPARE(context.timers.value(DuelRoom::turnTimer()), context.nowMs() + 30000);

    // Second player's turn in the same round: same damage.
    QVERIFY(context.message(room, member(2), R"({"action":"attack"})").ok());
    state = context.lastState();
    QCOMPARE(hpOf(state, s1), 85);
    QCOMPARE(str(state, "turn"), s1);
    QCOMPARE(num(state, "round"), 2);

    // Round 2 hits harder.
    QVERIFY(context.message(room, member(1), R"({"action":"attack"})").ok());
    QCOMPARE(hpOf(context.lastState(), s2), 65);
    QCOMPARE(num(context.broadcastObjects().last(), "damage"), 20);
    QCOMPARE(context.states.size(), 3);
}

void TestDuelRoom::notYourTurn()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room);
    const auto timersBefore = context.timers;

    for (const char *action : {R"({"action":"attack"})", R"({"action":"heal"})", R"({"action":"defend"})"}) {
        const Result<void> result = context.message(room, member(2), action);
        QVERIFY(!result.ok());
        QCOMPARE(result.error().code, QStringLiteral("conflict"));
        QCOMPARE(result.error().message, QStringLiteral("not your turn"));
    }
    QVERIFY(context.states.isEmpty());
    QVERIFY(context.broadcasts.isEmpty());
    QCOMPARE(context.timers, timersBefore);
}

void TestDuelRoom::badActions_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<bool>("started");
    const QList<QByteArray> bad = {
        QByteArray(R"(["attack"])"),
        QByteArray(R"("attack")"),
        QByteArray("42"),
        QByteArray("null"),
        QByteArray("{}"),
        QByteArray(R"({"act":"attack"})"),
        QByteArray(R"({"action":1})"),
        QByteArray(R"({"action":null})"),
        QByteArray(R"({"action":["attack"]})"),
        QByteArray(R"({"action":"dance"})"),
        QByteArray(R"({"action":"Attack"})"),
        QByteArray(R"({"action":""})"),
    };
    for (const bool started : {true, false}) {
        for (const QByteArray &json : bad)
            QTest::addRow("%s %s", started ? "playing" : "waiting", json.constData()) << json << started;
    }
}

void TestDuelRoom::badActions()
{
    QFETCH(QByteArray, json);
    QFETCH(bool, started);
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    if (started) {
        startDuel(context, room);
    } else {
        QVERIFY(context.create(room).ok());
        QVERIFY(context.join(room, member(1)).ok());
        context.clearRecords();
    }
    const Result<void> result = context.message(room, member(1), json);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, QStringLiteral("bad_request"));
    QVERIFY(!result.error().message.isEmpty());
    QVERIFY(context.states.isEmpty());
    QVERIFY(context.broadcasts.isEmpty());
}

void TestDuelRoom::notPlaying()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    QVERIFY(context.create(room).ok());
    QVERIFY(context.join(room, member(1)).ok());
    for (const char *action : {R"({"action":"attack"})", R"({"action":"forfeit"})"}) {
        const Result<void> waiting = context.message(room, member(1), action);
        QVERIFY(!waiting.ok());
        QCOMPARE(waiting.error().code, QStringLiteral("conflict"));
        QVERIFY(waiting.error().message.contains(QStringLiteral("not started")));
    }

    QVERIFY(context.join(room, member(2)).ok());
    QVERIFY(context.message(room, member(1), R"({"action":"forfeit"})").ok());
    QCOMPARE(str(context.lastState(), "phase"), QStringLiteral("finished"));
    context.clearRecords();
    for (const RoomMember &who : {member(1), member(2)}) {
        for (const char *action :
             {R"({"action":"attack"})", R"({"action":"heal"})", R"({"action":"defend"})", R"({"action":"forfeit"})"}) {
            const Result<void> finished = context.message(room, who, action);
            QVERIFY(!finished.ok());
            QCOMPARE(finished.error().code, QStringLiteral("conflict"));
            QVERIFY(finished.error().message.contains(QStringLiteral("over")));
        }
    }
    QVERIFY(context.states.isEmpty());
    QVERIFY(context.broadcasts.isEmpty());

    // Nobody joins a finished duel, even with a seat free.
    context.leave(room, member(2));
    const Result<void> late = context.join(room, member(3));
    QVERIFY(!late.ok());
    QCOMPARE(late.error().code, QStringLiteral("conflict"));
}

void TestDuelRoom::onlyPlayersAct()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room);
    const Result<void> result = context.message(room, member(9), R"({"action":"attack"})");
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, QStringLiteral("forbidden"));
    QVERIFY(context.states.isEmpty());
}

void TestDuelRoom::healAndHealCap()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room);

    // A heal at full hp restores nothing but still uses the turn and one heal.
    QVERIFY(context.message(room, member(1), R"({"action":"heal"})").ok());
    QJsonObject event = context.broadcastObjects().last();
    QCOMPARE(str(event, "kind"), QStringLiteral("action"));
    QCOMPARE(str(event, "action"), QStringLiteral("heal"));
    QCOMPARE(str(event, "by"), s1);
    QCOMPARE(num(event, "healed"), 0);
    QCOMPARE(num(event, "damage"), 0);
    QCOMPARE(num(event, "healsLeft"), 2);
    QCOMPARE(num(playerState(context.lastState(), s1), "healsLeft"), 2);
    QCOMPARE(str(context.lastState(), "turn"), s2);

    QVERIFY(context.message(room, member(2), R"({"action":"attack"})").ok()); // round 1: s-1 100 -> 85
    QCOMPARE(hpOf(context.lastState(), s1), 85);
    QVERIFY(context.message(room, member(1), R"({"action":"heal"})").ok()); // +12 -> 97
    event = context.broadcastObjects().last();
    QCOMPARE(num(event, "healed"), 12);
    QCOMPARE(event.value(QLatin1String("hp")).toObject().value(s1).toInt(), 97);
    QCOMPARE(hpOf(context.lastState(), s1), 97);

    QVERIFY(context.message(room, member(2), R"({"action":"defend"})").ok());
    QVERIFY(context.message(room, member(1), R"({"action":"heal"})").ok()); // capped: +3 -> 100
    event = context.broadcastObjects().last();
    QCOMPARE(num(event, "healed"), 3);
    QCOMPARE(num(event, "healsLeft"), 0);
    QCOMPARE(hpOf(context.lastState(), s1), 100);

    QVERIFY(context.message(room, member(2), R"({"action":"defend"})").ok());
    // A fourth heal is refused and the turn is kept.
    const int states = context.states.size();
    const int broadcasts = context.broadcasts.size();
    const Result<void> fourth = context.message(room, member(1), R"({"action":"heal"})");
    QVERIFY(!fourth.ok());
    QCOMPARE(fourth.error().code, QStringLiteral("conflict"));
    QVERIFY(fourth.error().message.contains(QStringLiteral("no heals left")));
    QCOMPARE(context.states.size(), states);
    QCOMPARE(context.broadcasts.size(), broadcasts);
    QCOMPARE(str(context.lastState(), "turn"), s1);
    QVERIFY(context.message(room, member(1), R"({"action":"attack"})").ok());

    // The other player's heals are their own.
    QVERIFY(context.message(room, member(2), R"({"action":"heal"})").ok());
    QCOMPARE(num(playerState(context.lastState(), s2), "healsLeft"), 2);
    checkStateConsistent(context, room);
}

void TestDuelRoom::defendHalvesNextDamageOnce()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room);

    QVERIFY(context.message(room, member(1), R"({"action":"defend"})").ok());
    QJsonObject event = context.broadcastObjects().last();
    QCOMPARE(str(event, "action"), QStringLiteral("defend"));
    QCOMPARE(num(event, "damage"), 0);
    QVERIFY(playerState(context.lastState(), s1).value(QLatin1String("defending")).toBool());

    QVERIFY(context.message(room, member(2), R"({"action":"attack"})").ok()); // round 1: 15 halved -> 7
    event = context.broadcastObjects().last();
    QCOMPARE(num(event, "damage"), 7);
    QVERIFY(event.value(QLatin1String("defended")).toBool());
    QCOMPARE(hpOf(context.lastState(), s1), 93);
    QVERIFY(!playerState(context.lastState(), s1).value(QLatin1String("defending")).toBool(true));

    // Defending lasts until damage comes, across the player's own turns, and does not stack.
    QVERIFY(context.message(room, member(1), R"({"action":"defend"})").ok());
    QVERIFY(context.message(room, member(2), R"({"action":"heal"})").ok());
    QVERIFY(context.message(room, member(1), R"({"action":"defend"})").ok());
    QVERIFY(context.message(room, member(2), R"({"action":"attack"})").ok()); // round 3: 10 halved once -> 5
    event = context.broadcastObjects().last();
    QCOMPARE(num(event, "damage"), 5);
    QCOMPARE(hpOf(context.lastState(), s1), 88);

    // The next hit is full again: round 4, 15.
    QVERIFY(context.message(room, member(1), R"({"action":"attack"})").ok());
    QVERIFY(context.message(room, member(2), R"({"action":"attack"})").ok());
    event = context.broadcastObjects().last();
    QCOMPARE(num(event, "damage"), 15);
    QVERIFY(!event.value(QLatin1String("defended")).toBool(true));
    QCOMPARE(hpOf(context.lastState(), s1), 73);
}

void TestDuelRoom::gameOverByKoAndSelfDispose()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room);

    // s-2 takes 15, 20, 10, 15, 20, 10, then the 7th attack (15) ends it at 0, not -5.
    const QList<int> expectedHp = {85, 65, 55, 40, 20, 10};
    for (const int hp : expectedHp) {
        QVERIFY(context.message(room, member(1), R"({"action":"attack"})").ok());
        QCOMPARE(hpOf(context.lastState(), s2), hp);
        QVERIFY(context.message(room, member(2), R"({"action":"attack"})").ok());
    }
    QCOMPARE(hpOf(context.lastState(), s1), 10);
    context.clearRecords();
    QVERIFY(context.message(room, member(1), R"({"action":"attack"})").ok());

    QCOMPARE(context.broadcasts.size(), 2);
    const QJsonObject attack = context.broadcasts.at(0).data.toJsonObject();
    QCOMPARE(num(attack, "damage"), 15);
    QCOMPARE(attack.value(QLatin1String("hp")).toObject().value(s2).toInt(), 0);
    const QJsonObject over = context.broadcasts.at(1).data.toJsonObject();
    QCOMPARE(str(over, "kind"), QStringLiteral("game_over"));
    QCOMPARE(str(over, "winner"), s1);
    QCOMPARE(str(over, "loser"), s2);
    QCOMPARE(str(over, "reason"), QStringLiteral("ko"));
    QVERIFY(context.broadcasts.at(1).from.isEmpty());

    QCOMPARE(context.states.size(), 1);
    checkStateConsistent(context, room);
    const QJsonObject state = context.lastState();
    QCOMPARE(str(state, "phase"), QStringLiteral("finished"));
    QCOMPARE(str(state, "winner"), s1);
    QCOMPARE(str(state, "reason"), QStringLiteral("ko"));
    QCOMPARE(hpOf(state, s2), 0);
    QVERIFY(state.value(QLatin1String("turn")).isNull());
    QVERIFY(state.value(QLatin1String("turnEndsAt")).isNull());

    // No turn timer any more; the room disposes of itself 10 s later.
    QVERIFY(!context.timers.contains(DuelRoom::turnTimer()));
    QCOMPARE(context.timers.value(DuelRoom::disposeTimer()), context.nowMs() + 10000);
    context.advance(room, 9999ms);
    QVERIFY(context.disposeReasons.isEmpty());
    context.advance(room, 1ms);
    QCOMPARE(context.disposeReasons, QStringList{QStringLiteral("finished")});
    QVERIFY(context.timers.isEmpty());
}

void TestDuelRoom::turnTimerSkips()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room, QJsonObject{{QStringLiteral("turnSeconds"), 10}});
    const qint64 start = context.nowMs();

    context.advance(room, 9999ms);
    QVERIFY(context.broadcasts.isEmpty());
    context.advance(room, 1ms);

    QCOMPARE(context.broadcasts.size(), 1);
    const QJsonObject skipped = context.broadcasts.first().data.toJsonObject();
    QCOMPARE(str(skipped, "kind"), QStringLiteral("turn_skipped"));
    QCOMPARE(str(skipped, "player"), s1);
    QCOMPARE(num(skipped, "skippedTurns"), 1);
    QVERIFY(context.broadcasts.first().from.isEmpty());

    const QJsonObject state = context.lastState();
    QCOMPARE(str(state, "turn"), s2);
    QCOMPARE(num(state, "round"), 1);
    QCOMPARE(num(playerState(state, s1), "skippedTurns"), 1);
    QCOMPARE(state.value(QLatin1String("turnEndsAt")).toInteger(), start + 20000);
    QCOMPARE(context.timers.value(DuelRoom::turnTimer()), start + 20000);
    QCOMPARE(hpOf(state, s1), 100);
    QCOMPARE(hpOf(state, s2), 100);

    // The skipped player may not act now; the other one may.
    const Result<void> late = context.message(room, member(1), R"({"action":"attack"})");
    QVERIFY(!late.ok());
    QCOMPARE(late.error().code, QStringLiteral("conflict"));
    QVERIFY(context.message(room, member(2), R"({"action":"attack"})").ok());
    QCOMPARE(str(context.lastState(), "turn"), s1);
    QCOMPARE(num(context.lastState(), "round"), 2);
}

void TestDuelRoom::skipCountResetsWhenActing()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room, QJsonObject{{QStringLiteral("turnSeconds"), 5}});

    QVERIFY(context.fireTimer(room, DuelRoom::turnTimer())); // s-1 skips (1)
    QVERIFY(context.message(room, member(2), R"({"action":"defend"})").ok());
    QVERIFY(context.fireTimer(room, DuelRoom::turnTimer())); // s-1 skips (2)
    QCOMPARE(num(playerState(context.lastState(), s1), "skippedTurns"), 2);
    QVERIFY(context.message(room, member(2), R"({"action":"defend"})").ok());
    QVERIFY(context.message(room, member(1), R"({"action":"heal"})").ok()); // acts: back to 0
    QCOMPARE(num(playerState(context.lastState(), s1), "skippedTurns"), 0);
    QVERIFY(context.message(room, member(2), R"({"action":"defend"})").ok());
    QVERIFY(context.fireTimer(room, DuelRoom::turnTimer())); // s-1 skips (1 again)
    QCOMPARE(num(context.broadcastObjects().last(), "skippedTurns"), 1);
    QCOMPARE(str(context.lastState(), "phase"), QStringLiteral("playing"));
}

void TestDuelRoom::threeSkipsInARowLose()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room, QJsonObject{{QStringLiteral("turnSeconds"), 5}});

    // Nobody plays: s-1, s-2, s-1, s-2 skip; s-1's third skip loses the game for s-1.
    context.advance(room, 24s);
    QCOMPARE(context.broadcasts.size(), 4);
    QCOMPARE(str(context.lastState(), "phase"), QStringLiteral("playing"));
    context.advance(room, 1s);

    const QList<QJsonObject> events = context.broadcastObjects();
    QCOMPARE(events.size(), 6);
    QStringList skippers;
    for (int i = 0; i < 5; ++i) {
        QCOMPARE(str(events.at(i), "kind"), QStringLiteral("turn_skipped"));
        skippers.append(str(events.at(i), "player"));
    }
    QCOMPARE(skippers, (QStringList{s1, s2, s1, s2, s1}));
    QCOMPARE(num(events.at(4), "skippedTurns"), 3);
    QCOMPARE(str(events.at(5), "kind"), QStringLiteral("game_over"));
    QCOMPARE(str(events.at(5), "winner"), s2);
    QCOMPARE(str(events.at(5), "loser"), s1);
    QCOMPARE(str(events.at(5), "reason"), QStringLiteral("timeout"));

    const QJsonObject state = context.lastState();
    QCOMPARE(str(state, "phase"), QStringLiteral("finished"));
    QCOMPARE(str(state, "winner"), s2);
    QCOMPARE(str(state, "reason"), QStringLiteral("timeout"));
    QVERIFY(!context.timers.contains(DuelRoom::turnTimer()));

    context.advance(room, 10s);
    QCOMPARE(context.disposeReasons, QStringList{QStringLiteral("finished")});
    QCOMPARE(context.broadcastObjects().size(), 6); // no skips after the end
}

void TestDuelRoom::leavingWhilePlayingForfeits()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room);
    QVERIFY(context.message(room, member(1), R"({"action":"attack"})").ok());
    context.clearRecords();

    context.leave(room, member(1), QStringLiteral("disconnected"));
    QCOMPARE(context.broadcasts.size(), 1);
    const QJsonObject over = context.broadcasts.first().data.toJsonObject();
    QCOMPARE(str(over, "kind"), QStringLiteral("game_over"));
    QCOMPARE(str(over, "winner"), s2);
    QCOMPARE(str(over, "loser"), s1);
    QCOMPARE(str(over, "reason"), QStringLiteral("forfeit"));

    const QJsonObject state = context.lastState();
    QCOMPARE(str(state, "phase"), QStringLiteral("finished"));
    QCOMPARE(str(state, "winner"), s2);
    QCOMPARE(str(state, "reason"), QStringLiteral("forfeit"));
    // The one who left stays in the final state.
    QCOMPARE(hpOf(state, s1), 100);
    QCOMPARE(hpOf(state, s2), 85);
    QVERIFY(!context.timers.contains(DuelRoom::turnTimer()));
    QVERIFY(context.timers.contains(DuelRoom::disposeTimer()));

    // The winner leaving afterwards changes nothing.
    context.clearRecords();
    context.leave(room, member(2));
    QVERIFY(context.broadcasts.isEmpty());
    QVERIFY(context.states.isEmpty());
    QCOMPARE(str(room.state().toJsonObject(), "winner"), s2);
}

void TestDuelRoom::forfeitAction()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room);
    // Allowed out of turn.
    QVERIFY(context.message(room, member(2), R"({"action":"forfeit"})").ok());
    const QJsonObject over = context.broadcastObjects().last();
    QCOMPARE(str(over, "kind"), QStringLiteral("game_over"));
    QCOMPARE(str(over, "winner"), s1);
    QCOMPARE(str(over, "reason"), QStringLiteral("forfeit"));
    QCOMPARE(str(context.lastState(), "phase"), QStringLiteral("finished"));
    checkStateConsistent(context, room);
    QVERIFY(context.fireTimer(room, DuelRoom::disposeTimer()));
    QCOMPARE(context.disposeReasons, QStringList{QStringLiteral("finished")});
}

void TestDuelRoom::disposeCancelsTimers()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room);
    QVERIFY(context.timers.contains(DuelRoom::turnTimer()));
    room.onDispose(context);
    QVERIFY(context.timers.isEmpty());

    DuelRoom finished;
    FakeRoomContext finishedContext(QStringLiteral("duel"), 2);
    startDuel(finishedContext, finished);
    QVERIFY(finishedContext.message(finished, member(1), R"({"action":"forfeit"})").ok());
    QVERIFY(finishedContext.timers.contains(DuelRoom::disposeTimer()));
    finished.onDispose(finishedContext);
    QVERIFY(finishedContext.timers.isEmpty());
}

void TestDuelRoom::strayTimersIgnored()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    QVERIFY(context.create(room).ok());
    QVERIFY(context.join(room, member(1)).ok());
    context.clearRecords();

    // A turn timer while waiting, a dispose timer while not finished, an unknown timer: no effect.
    room.onTimer(context, DuelRoom::turnTimer());
    room.onTimer(context, DuelRoom::disposeTimer());
    room.onTimer(context, QStringLiteral("bogus"));
    QVERIFY(context.broadcasts.isEmpty());
    QVERIFY(context.states.isEmpty());
    QVERIFY(context.disposeReasons.isEmpty());

    QVERIFY(context.join(room, member(2)).ok());
    context.clearRecords();
    room.onTimer(context, DuelRoom::disposeTimer());
    QVERIFY(context.disposeReasons.isEmpty());
    QVERIFY(context.states.isEmpty());
}

QTEST_GUILESS_MAIN(TestDuelRoom)
#include "tst_duelroom.moc"
