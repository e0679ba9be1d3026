// Tests DuelRoom: seating, the turn rules (attack, heal, defend, forfeit), refusals, the turn timer,
// game over, forfeit on leave and self-disposal; validateOptions; the tick; snapshot and restore (round
// trips in every phase, restored duels against un-interrupted twins, timers, malformed snapshots).
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

qint64 msOf(const QJsonObject &object, const char *key)
{
    return object.value(QLatin1String(key)).toInteger(-1);
}

QByteArray action(const char *name)
{
    return QByteArray("{\"action\":\"") + name + "\"}";
}

// One thing that happens to a duel, applied the same way to a restored duel and its twin.
struct Step
{
    enum Kind { Join, Leave, Act, Wait, Tick };
    Kind kind;
    int who = 0;            // member number for Join, Leave, Act
    const char *name = "";  // action for Act
    qint64 ms = 0;          // for Wait
};

Step join(int who) { return Step{Step::Join, who}; }
Step leave(int who) { return Step{Step::Leave, who}; }
Step act(int who, const char *name) { return Step{Step::Act, who, name}; }
Step passTime(qint64 ms) { return Step{Step::Wait, 0, "", ms}; }
Step tick() { return Step{Step::Tick}; }

QJsonObject scriptOptions()
{
    return QJsonObject{{QStringLiteral("turnSeconds"), 10}};
}

// Scripts of whole duels (created with scriptOptions()), each passing through waiting, playing and
// finished to the room's disposal.
QList<Step> script(const QString &name)
{
    if (name == QLatin1String("ko")) {
        // Defending, heals, a skip, refused actions and late ticks, then attacks until a knock-out.
        QList<Step> steps = {
            join(1), passTime(1500), join(2), passTime(3000), act(1, "attack"), act(2, "defend"), passTime(10000),
            act(1, "attack"), act(2, "heal"), passTime(4000), act(1, "attack"), act(2, "heal"), act(1, "heal"),
            passTime(6000), tick(), act(2, "attack"), act(2, "heal"), act(1, "defend"), act(2, "heal"),
            act(1, "heal"), act(2, "attack"), act(1, "heal"),
        };
        for (int i = 0; i < 12; ++i)
            steps << act(1, "attack") << passTime(2500) << tick() << act(2, "attack");
        steps << act(1, "heal") << passTime(9000) << tick() << passTime(1000);
        return steps;
    }
    if (name == QLatin1String("timeout")) {
        // Nobody plays for a while, then one player acts once and stops again: skips, then a timeout.
        return {join(1), join(2), passTime(25000), act(2, "defend"), passTime(4000), act(1, "attack"), passTime(7000),
                tick(), passTime(60000), passTime(10000)};
    }
    // "leave": one player leaves mid-game (forfeit), the other after the end.
    return {join(1), leave(1), join(3), passTime(2000), join(2), act(3, "attack"), passTime(3000), act(2, "defend"),
            passTime(4000), leave(2), passTime(4000), leave(3), passTime(10000)};
}

Result<void> runStep(FakeRoomContext &context, DuelRoom &room, const Step &step)
{
    switch (step.kind) {
    case Step::Join:
        return context.join(room, member(step.who));
    case Step::Leave:
        context.leave(room, member(step.who));
        return {};
    case Step::Act:
        return context.message(room, member(step.who), action(step.name));
    case Step::Wait:
        context.advance(room, std::chrono::milliseconds(step.ms));
        return {};
    case Step::Tick:
        context.tick(room);
        return {};
    }
    Q_UNREACHABLE();
}

bool lockedNow(const FakeRoomContext &context)
{
    return !context.lockChanges.isEmpty() && context.lockChanges.last();
}

// Changes one field of a JSON document, `path` like "players/0/hp"; an undefined value removes it, an
// array index one past the end appends.
QJsonValue withField(const QJsonValue &root, QStringList path, const QJsonValue &value)
{
    const QString key = path.takeFirst();
    if (root.isArray()) {
        QJsonArray array = root.toArray();
        const qsizetype i = key.toInt();
        if (path.isEmpty() && value.isUndefined())
            array.removeAt(i);
        else if (i == array.size())
            array.append(path.isEmpty() ? value : withField(QJsonObject(), path, value));
        else
            array[i] = path.isEmpty() ? value : withField(array.at(i), path, value);
        return array;
    }
    QJsonObject object = root.toObject();
    if (path.isEmpty() && value.isUndefined())
        object.remove(key);
    else
        object.insert(key, path.isEmpty() ? value : withField(object.value(key), path, value));
    return object;
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

    // Worker hosting: create options checked on the server, the tick, snapshot and restore.
    void validateOptionsMatchesOnCreate_data();
    void validateOptionsMatchesOnCreate();
    void tickInterval();
    void tickDoesNothingBeforeTheDeadline();
    void tickSkipsAnOverdueTurn();
    void tickAndTimerNeverSkipTwice();
    void roundTripWaiting();
    void roundTripWaitingEmpty();
    void roundTripPlaying();
    void roundTripFinished();
    void snapshotLeavesPendingSeatsOut();
    void restoredDuelPlaysLikeItsTwin_data();
    void restoredDuelPlaysLikeItsTwin();
    void restoreRestartsTurnTimerWithTimeLeft();
    void restoreSkipsAnExpiredTurnAtOnce();
    void restoreSkipsAnExpiredTurnOnTick();
    void restoreStartsDisposeTimerWithTimeLeft();
    void malformedSnapshots_data();
    void malformedSnapshots();
    void snapshotsThatAreNotObjects_data();
    void snapshotsThatAreNotObjects();
    void snapshotMustFitTheMembers_data();
    void snapshotMustFitTheMembers();
    void restoreNeedsTwoSeats();

private:
    static void startDuel(FakeRoomContext &context, DuelRoom &room, const QJsonObject &options = {});
    static void checkStateConsistent(const FakeRoomContext &context, const DuelRoom &room);
    // Restores `snapshot` into `room` in a new context at `now` with `members`; the context's records
    // hold what restore did.
    static void restoreInto(FakeRoomContext &context, DuelRoom &room, const protocol::RawJson &snapshot,
                            const QList<RoomMember> &members);
    static void compareRecords(const FakeRoomContext &restored, const FakeRoomContext &twin);
    static QJsonObject playingSnapshot();
    static QJsonObject waitingSnapshot();
    static QJsonObject finishedSnapshot();
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

void TestDuelRoom::restoreInto(FakeRoomContext &context, DuelRoom &room, const protocol::RawJson &snapshot,
                               const QList<RoomMember> &members)
{
    const Result<void> restored = context.restore(room, snapshot, members);
    QVERIFY2(restored.ok(), qPrintable(restored.ok() ? QString() : restored.error().message));
    // Members resync from the published state; the restored room reports the same state and snapshot.
    QCOMPARE(context.states.size(), 1);
    QCOMPARE(context.states.last(), room.state());
    QCOMPARE(room.snapshot(), snapshot);
    QVERIFY(context.broadcasts.isEmpty());
    QVERIFY(context.sent.isEmpty());
    QVERIFY(context.disposeReasons.isEmpty());
}

void TestDuelRoom::compareRecords(const FakeRoomContext &restored, const FakeRoomContext &twin)
{
    QCOMPARE(restored.broadcasts.size(), twin.broadcasts.size());
    for (qsizetype i = 0; i < twin.broadcasts.size(); ++i) {
        QCOMPARE(restored.broadcasts.at(i).data, twin.broadcasts.at(i).data);
        QCOMPARE(restored.broadcasts.at(i).from, twin.broadcasts.at(i).from);
    }
    QCOMPARE(restored.sent.size(), twin.sent.size());
    QCOMPARE(restored.states, twin.states);
    QCOMPARE(restored.lockChanges, twin.lockChanges);
    QCOMPARE(restored.timers, twin.timers);
    QCOMPARE(restored.disposeReasons, twin.disposeReasons);
    QCOMPARE(restored.members(), twin.members());
    QCOMPARE(restored.nowMs(), twin.nowMs());
}

void TestDuelRoom::typeInfo()
{
    const RoomTypeInfo info = DuelRoom::typeInfo();
    QCOMPARE(info.name, QStringLiteral("duel"));
    QCOMPARE(info.defaultMaxClients, 2u);
    QCOMPARE(info.maxMaxClients, 2u);
    QVERIFY(info.autoDispose);
    QVERIFY(!info.watchesRoomList);
    QVERIFY(info.runsInWorker);
    QVERIFY(info.validateOptions);
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

void TestDuelRoom::validateOptionsMatchesOnCreate_data()
{
    QTest::addColumn<QJsonObject>("options");
    QTest::addColumn<quint32>("maxClients");
    QTest::addColumn<bool>("accepted");
    const auto turnSeconds = [](const QJsonValue &value) {
        return QJsonObject{{QStringLiteral("turnSeconds"), value}};
    };
    QTest::newRow("no options") << QJsonObject() << 2u << true;
    QTest::newRow("other options") << QJsonObject{{QStringLiteral("mode"), QStringLiteral("ranked")}} << 2u << true;
    QTest::newRow("minimum") << turnSeconds(1) << 2u << true;
    QTest::newRow("maximum") << turnSeconds(300) << 2u << true;
    QTest::newRow("integral double") << turnSeconds(12.0) << 2u << true;
    QTest::newRow("zero") << turnSeconds(0) << 2u << false;
    QTest::newRow("negative") << turnSeconds(-5) << 2u << false;
    QTest::newRow("above maximum") << turnSeconds(301) << 2u << false;
    QTest::newRow("huge") << turnSeconds(1e300) << 2u << false;
    QTest::newRow("fraction") << turnSeconds(1.5) << 2u << false;
    QTest::newRow("string") << turnSeconds(QStringLiteral("30")) << 2u << false;
    QTest::newRow("bool") << turnSeconds(true) << 2u << false;
    QTest::newRow("null") << turnSeconds(QJsonValue::Null) << 2u << false;
    QTest::newRow("array") << turnSeconds(QJsonArray{30}) << 2u << false;
    QTest::newRow("object") << turnSeconds(QJsonObject{{QStringLiteral("s"), 30}}) << 2u << false;
    QTest::newRow("one seat") << QJsonObject() << 1u << false;
    QTest::newRow("three seats") << QJsonObject() << 3u << false;
    QTest::newRow("no seats") << turnSeconds(30) << 0u << false;
    QTest::newRow("bad seats and bad option") << turnSeconds(0) << 4u << false;
}

void TestDuelRoom::validateOptionsMatchesOnCreate()
{
    QFETCH(QJsonObject, options);
    QFETCH(quint32, maxClients);
    QFETCH(bool, accepted);

    const RoomTypeInfo info = DuelRoom::typeInfo();
    const Result<void> validated = info.validateOptions(options, maxClients);
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), maxClients);
    const Result<void> created = context.create(room, options);

    QCOMPARE(validated.ok(), accepted);
    QCOMPARE(created.ok(), accepted);
    if (!accepted) {
        // The same refusal, so a player sees the same error whichever side checked.
        QCOMPARE(validated.error(), created.error());
        QCOMPARE(validated.error().code, QStringLiteral("bad_request"));
    }
}

void TestDuelRoom::tickInterval()
{
    DuelRoom room;
    QCOMPARE(room.tickInterval(), std::chrono::milliseconds(50));
}

void TestDuelRoom::tickDoesNothingBeforeTheDeadline()
{
    // Waiting: nothing to time, however late.
    DuelRoom waiting;
    FakeRoomContext waitingContext(QStringLiteral("duel"), 2);
    QVERIFY(waitingContext.create(waiting).ok());
    QVERIFY(waitingContext.join(waiting, member(1)).ok());
    waitingContext.clearRecords();
    waitingContext.setNow(waitingContext.nowMs() + 3'600'000);
    waitingContext.tick(waiting);
    QVERIFY(waitingContext.states.isEmpty());
    QVERIFY(waitingContext.broadcasts.isEmpty());

    // Playing, up to the last millisecond of the turn: silent.
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room, QJsonObject{{QStringLiteral("turnSeconds"), 10}});
    const qint64 deadline = msOf(room.state().toJsonObject(), "turnEndsAt");
    const auto timers = context.timers;
    for (const qint64 at : {context.nowMs(), deadline - 1000, deadline - 1}) {
        context.setNow(at);
        context.tick(room);
    }
    QVERIFY(context.states.isEmpty());
    QVERIFY(context.broadcasts.isEmpty());
    QCOMPARE(context.timers, timers);

    // Finished: the dispose timer ends the room, not the tick.
    QVERIFY(context.message(room, member(1), action("forfeit")).ok());
    context.clearRecords();
    context.setNow(context.nowMs() + 60'000);
    context.tick(room);
    QVERIFY(context.states.isEmpty());
    QVERIFY(context.broadcasts.isEmpty());
    QVERIFY(context.disposeReasons.isEmpty());
}

void TestDuelRoom::tickSkipsAnOverdueTurn()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room, QJsonObject{{QStringLiteral("turnSeconds"), 10}});
    const qint64 deadline = msOf(room.state().toJsonObject(), "turnEndsAt");

    // The turn timer is lost (as if it had never been started); the clock passes the deadline.
    context.timers.remove(DuelRoom::turnTimer());
    context.setNow(deadline + 30);
    context.tick(room);

    QCOMPARE(context.broadcasts.size(), 1);
    const QJsonObject skipped = context.broadcastObjects().first();
    QCOMPARE(str(skipped, "kind"), QStringLiteral("turn_skipped"));
    QCOMPARE(str(skipped, "player"), s1);
    QCOMPARE(num(skipped, "skippedTurns"), 1);
    QCOMPARE(context.states.size(), 1);
    checkStateConsistent(context, room);
    QCOMPARE(str(context.lastState(), "turn"), s2);
    // The next turn is timed from the skip, and the timer runs again.
    QCOMPARE(msOf(context.lastState(), "turnEndsAt"), deadline + 30 + 10000);
    QCOMPARE(context.timers.value(DuelRoom::turnTimer()), deadline + 30 + 10000);

    // Nothing more until the next deadline.
    context.tick(room);
    context.setNow(deadline + 30 + 9999);
    context.tick(room);
    QCOMPARE(context.broadcasts.size(), 1);
    QCOMPARE(context.states.size(), 1);
}

void TestDuelRoom::tickAndTimerNeverSkipTwice()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room, QJsonObject{{QStringLiteral("turnSeconds"), 10}});
    const qint64 deadline = msOf(room.state().toJsonObject(), "turnEndsAt");

    // The tick gets to the deadline before the (late) timer: it skips, and the timer moves on with it.
    context.setNow(deadline);
    context.tick(room);
    QCOMPARE(context.broadcasts.size(), 1);
    context.advance(room, 0ms);
    context.advance(room, 9999ms);
    QCOMPARE(context.broadcasts.size(), 1);
    QCOMPARE(str(context.lastState(), "turn"), s2);

    // Now the timer first: the tick right after finds nothing to do.
    context.advance(room, 1ms);
    QCOMPARE(context.broadcasts.size(), 2);
    QCOMPARE(str(context.broadcastObjects().last(), "player"), s2);
    context.tick(room);
    QCOMPARE(context.broadcasts.size(), 2);
    QCOMPARE(context.states.size(), 2);
}

void TestDuelRoom::roundTripWaiting()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    QVERIFY(context.create(room, QJsonObject{{QStringLiteral("turnSeconds"), 45}}).ok());
    QVERIFY(context.join(room, member(1)).ok());

    const QJsonObject snapshot = room.snapshot().toJsonObject();
    const QJsonObject expected{
        {QStringLiteral("version"), 1},
        {QStringLiteral("phase"), QStringLiteral("waiting")},
        {QStringLiteral("turnSeconds"), 45},
        {QStringLiteral("round"), 0},
        {QStringLiteral("turn"), QJsonValue()},
        {QStringLiteral("turnEndsAt"), QJsonValue()},
        {QStringLiteral("players"),
         QJsonArray{QJsonObject{{QStringLiteral("sessionId"), s1},
                                {QStringLiteral("playerId"), QStringLiteral("p-1")},
                                {QStringLiteral("hp"), 100},
                                {QStringLiteral("healsLeft"), 3},
                                {QStringLiteral("defending"), false},
                                {QStringLiteral("skippedTurns"), 0}}}},
        {QStringLiteral("winner"), QJsonValue()},
        {QStringLiteral("reason"), QJsonValue()},
        {QStringLiteral("finishedAt"), QJsonValue()},
    };
    QCOMPARE(snapshot, expected);

    DuelRoom restored;
    FakeRoomContext moved(QStringLiteral("duel"), 2, QStringLiteral("r-1"));
    moved.setNow(context.nowMs() + 5000);
    restoreInto(moved, restored, room.snapshot(), context.members());
    QCOMPARE(moved.lastState(), context.lastState());
    QVERIFY(moved.timers.isEmpty());
    QVERIFY(moved.lockChanges.isEmpty());

    // The player keeps the first move and the room its turn time.
    QVERIFY(moved.join(restored, member(2)).ok());
    QCOMPARE(str(moved.lastState(), "phase"), QStringLiteral("playing"));
    QCOMPARE(str(moved.lastState(), "turn"), s1);
    QCOMPARE(moved.timers.value(DuelRoom::turnTimer()), moved.nowMs() + 45000);
    QCOMPARE(moved.lockChanges, QList<bool>{true});
    // A second join by the seated player is still refused.
    QCOMPARE(restored.onJoin(moved, member(1)).error().code, QStringLiteral("conflict"));
}

void TestDuelRoom::roundTripWaitingEmpty()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    QVERIFY(context.create(room).ok());
    const QJsonObject snapshot = room.snapshot().toJsonObject();
    QCOMPARE(str(snapshot, "phase"), QStringLiteral("waiting"));
    QVERIFY(snapshot.value(QLatin1String("players")).toArray().isEmpty());

    DuelRoom restored;
    FakeRoomContext moved(QStringLiteral("duel"), 2);
    restoreInto(moved, restored, room.snapshot(), {});
    QCOMPARE(moved.lastState(), context.lastState());
    QVERIFY(moved.join(restored, member(1)).ok());
    QVERIFY(moved.join(restored, member(2)).ok());
    QCOMPARE(str(moved.lastState(), "phase"), QStringLiteral("playing"));
    QCOMPARE(num(moved.lastState(), "turnSeconds"), 30);
}

void TestDuelRoom::roundTripPlaying()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room, QJsonObject{{QStringLiteral("turnSeconds"), 10}});
    QVERIFY(context.message(room, member(1), action("defend")).ok()); // s-2's turn, round 1
    QVERIFY(context.message(room, member(2), action("attack")).ok()); // 15 halved: s-1 93
    QVERIFY(context.message(room, member(1), action("attack")).ok()); // round 2, 20: s-2 80
    QVERIFY(context.message(room, member(2), action("heal")).ok());   // s-2 92, 2 heals left
    QVERIFY(context.fireTimer(room, DuelRoom::turnTimer()));          // s-1 skips (1)
    QVERIFY(context.message(room, member(2), action("defend")).ok()); // round 4, s-1 to move
    const qint64 turnEndsAt = context.nowMs() + 10000;
    context.setNow(context.nowMs() + 4000);

    const QJsonObject snapshot = room.snapshot().toJsonObject();
    const QJsonObject expected{
        {QStringLiteral("version"), 1},
        {QStringLiteral("phase"), QStringLiteral("playing")},
        {QStringLiteral("turnSeconds"), 10},
        {QStringLiteral("round"), 4},
        {QStringLiteral("turn"), s1},
        {QStringLiteral("turnEndsAt"), turnEndsAt},
        {QStringLiteral("players"),
         QJsonArray{QJsonObject{{QStringLiteral("sessionId"), s1},
                                {QStringLiteral("playerId"), QStringLiteral("p-1")},
                                {QStringLiteral("hp"), 93},
                                {QStringLiteral("healsLeft"), 3},
                                {QStringLiteral("defending"), false},
                                {QStringLiteral("skippedTurns"), 1}},
                    QJsonObject{{QStringLiteral("sessionId"), s2},
                                {QStringLiteral("playerId"), QStringLiteral("p-2")},
                                {QStringLiteral("hp"), 92},
                                {QStringLiteral("healsLeft"), 2},
                                {QStringLiteral("defending"), true},
                                {QStringLiteral("skippedTurns"), 0}}}},
        {QStringLiteral("winner"), QJsonValue()},
        {QStringLiteral("reason"), QJsonValue()},
        {QStringLiteral("finishedAt"), QJsonValue()},
    };
    QCOMPARE(snapshot, expected);

    DuelRoom restored;
    FakeRoomContext moved(QStringLiteral("duel"), 2);
    moved.setNow(context.nowMs());
    restoreInto(moved, restored, room.snapshot(), context.members());
    QCOMPARE(moved.lastState(), context.lastState());
    QCOMPARE(moved.lockChanges, QList<bool>{true});
    QCOMPARE(moved.timers.keys(), QStringList{DuelRoom::turnTimer()});
    QCOMPARE(moved.timers.value(DuelRoom::turnTimer()), turnEndsAt);

    // Round 4: 15, halved by s-2's defence; s-1's attack resets its skip count.
    QVERIFY(moved.message(restored, member(1), action("attack")).ok());
    const QJsonObject hit = moved.broadcastObjects().last();
    QCOMPARE(num(hit, "damage"), 7);
    QVERIFY(hit.value(QLatin1String("defended")).toBool());
    QCOMPARE(hpOf(moved.lastState(), s2), 85);
    QCOMPARE(num(playerState(moved.lastState(), s1), "skippedTurns"), 0);
    QCOMPARE(str(moved.lastState(), "turn"), s2);
    // s-2 has two heals left, not three.
    QVERIFY(moved.message(restored, member(2), action("heal")).ok());
    QCOMPARE(num(moved.broadcastObjects().last(), "healsLeft"), 1);
}

void TestDuelRoom::roundTripFinished()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room);
    QVERIFY(context.message(room, member(1), action("attack")).ok());
    const qint64 finishedAt = context.nowMs() + 2000;
    context.setNow(finishedAt);
    QVERIFY(context.message(room, member(2), action("forfeit")).ok());
    context.leave(room, member(2)); // the loser goes; the result stays
    context.setNow(finishedAt + 3000);

    const QJsonObject snapshot = room.snapshot().toJsonObject();
    QCOMPARE(str(snapshot, "phase"), QStringLiteral("finished"));
    QCOMPARE(str(snapshot, "winner"), s1);
    QCOMPARE(str(snapshot, "reason"), QStringLiteral("forfeit"));
    QCOMPARE(msOf(snapshot, "finishedAt"), finishedAt);
    QVERIFY(snapshot.value(QLatin1String("turn")).isNull());
    QVERIFY(snapshot.value(QLatin1String("turnEndsAt")).isNull());
    QCOMPARE(num(snapshot, "round"), 1);
    const QJsonArray players = snapshot.value(QLatin1String("players")).toArray();
    QCOMPARE(players.size(), 2);
    QCOMPARE(str(players.at(1).toObject(), "sessionId"), s2);
    QCOMPARE(num(players.at(1).toObject(), "hp"), 85);

    DuelRoom restored;
    FakeRoomContext moved(QStringLiteral("duel"), 2);
    moved.setNow(finishedAt + 4000);
    restoreInto(moved, restored, room.snapshot(), context.members());
    QCOMPARE(moved.lastState(), context.lastState());
    QCOMPARE(moved.lockChanges, QList<bool>{true});
    // Disposed 10 s after the end, not 10 s after the restore.
    QCOMPARE(moved.timers.keys(), QStringList{DuelRoom::disposeTimer()});
    QCOMPARE(moved.timers.value(DuelRoom::disposeTimer()), finishedAt + 10000);

    // Still over: actions and joins are refused.
    QCOMPARE(moved.message(restored, member(1), action("attack")).error().code, QStringLiteral("conflict"));
    QCOMPARE(moved.join(restored, member(3)).error().code, QStringLiteral("conflict"));
    moved.advance(restored, 5999ms);
    QVERIFY(moved.disposeReasons.isEmpty());
    moved.advance(restored, 1ms);
    QCOMPARE(moved.disposeReasons, QStringList{QStringLiteral("finished")});

    // Restored after the dispose time: disposed at once.
    DuelRoom late;
    FakeRoomContext lateContext(QStringLiteral("duel"), 2);
    lateContext.setNow(finishedAt + 60'000);
    restoreInto(lateContext, late, room.snapshot(), context.members());
    QCOMPARE(lateContext.timers.value(DuelRoom::disposeTimer()), finishedAt + 60'000);
    lateContext.advance(late, 0ms);
    QCOMPARE(lateContext.disposeReasons, QStringList{QStringLiteral("finished")});
}

void TestDuelRoom::snapshotLeavesPendingSeatsOut()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    QVERIFY(context.create(room).ok());
    QVERIFY(context.join(room, member(1)).ok());
    const protocol::RawJson before = room.snapshot();
    QVERIFY(room.onJoin(context, member(2)).ok()); // reserved, not yet added by the manager
    QCOMPARE(room.snapshot(), before);
    QCOMPARE(room.snapshot().toJsonObject().value(QLatin1String("players")).toArray().size(), 1);

    // The restored duel holds no ghost seat: another player can take it.
    DuelRoom restored;
    FakeRoomContext moved(QStringLiteral("duel"), 2);
    restoreInto(moved, restored, room.snapshot(), {member(1)});
    QVERIFY(moved.join(restored, member(3)).ok());
    QCOMPARE(str(moved.lastState(), "phase"), QStringLiteral("playing"));
    QCOMPARE(hpOf(moved.lastState(), QStringLiteral("s-3")), 100);
}

void TestDuelRoom::restoredDuelPlaysLikeItsTwin_data()
{
    QTest::addColumn<QString>("scriptName");
    QTest::addColumn<int>("cut");
    for (const char *name : {"ko", "timeout", "leave"}) {
        // Every point up to the room's disposal (a disposed room is never moved).
        const QList<Step> steps = script(QString::fromLatin1(name));
        DuelRoom room;
        FakeRoomContext context(QStringLiteral("duel"), 2);
        (void)context.create(room, scriptOptions());
        for (int cut = 0; cut <= steps.size() && context.disposeReasons.isEmpty(); ++cut) {
            QTest::addRow("%s, moved after step %d (%s)", name, cut,
                          qPrintable(str(room.state().toJsonObject(), "phase")))
                << QString::fromLatin1(name) << cut;
            if (cut < steps.size())
                (void)runStep(context, room, steps.at(cut));
        }
    }
}

void TestDuelRoom::restoredDuelPlaysLikeItsTwin()
{
    QFETCH(QString, scriptName);
    QFETCH(int, cut);
    const QList<Step> steps = script(scriptName);

    // The twin plays the whole script; a copy of it moves to another context after `cut` steps.
    DuelRoom twin;
    FakeRoomContext twinContext(QStringLiteral("duel"), 2);
    QVERIFY(twinContext.create(twin, scriptOptions()).ok());
    for (qsizetype i = 0; i < cut; ++i)
        (void)runStep(twinContext, twin, steps.at(i));
    QVERIFY(twinContext.disposeReasons.isEmpty());

    DuelRoom restored;
    FakeRoomContext restoredContext(QStringLiteral("duel"), 2);
    restoredContext.setNow(twinContext.nowMs());
    restoreInto(restoredContext, restored, twin.snapshot(), twinContext.members());
    QCOMPARE(restored.state(), twin.state());
    QCOMPARE(restoredContext.timers, twinContext.timers);
    QCOMPARE(lockedNow(restoredContext), lockedNow(twinContext));

    twinContext.clearRecords();
    restoredContext.clearRecords();
    for (qsizetype i = cut; i < steps.size(); ++i) {
        const Result<void> expected = runStep(twinContext, twin, steps.at(i));
        const Result<void> actual = runStep(restoredContext, restored, steps.at(i));
        QCOMPARE(actual.ok(), expected.ok());
        if (!expected.ok())
            QCOMPARE(actual.error(), expected.error());
        compareRecords(restoredContext, twinContext);
        QCOMPARE(restored.state(), twin.state());
        QCOMPARE(restored.snapshot(), twin.snapshot());
    }
    // Every script plays to the end.
    QCOMPARE(restoredContext.disposeReasons, QStringList{QStringLiteral("finished")});
}

void TestDuelRoom::restoreRestartsTurnTimerWithTimeLeft()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room, QJsonObject{{QStringLiteral("turnSeconds"), 10}});
    const qint64 started = context.nowMs();
    context.setNow(started + 4000);
    const protocol::RawJson snapshot = room.snapshot();

    // The move took 3 s: 3 s of the turn are left.
    DuelRoom restored;
    FakeRoomContext moved(QStringLiteral("duel"), 2);
    moved.setNow(started + 7000);
    restoreInto(moved, restored, snapshot, context.members());
    QCOMPARE(moved.timers.value(DuelRoom::turnTimer()), started + 10000);
    QCOMPARE(msOf(moved.lastState(), "turnEndsAt"), started + 10000);

    moved.advance(restored, 2999ms);
    QVERIFY(moved.broadcasts.isEmpty());
    moved.advance(restored, 1ms);
    QCOMPARE(moved.broadcasts.size(), 1);
    QCOMPARE(str(moved.broadcastObjects().first(), "kind"), QStringLiteral("turn_skipped"));
    QCOMPARE(str(moved.broadcastObjects().first(), "player"), s1);
    QCOMPARE(str(moved.lastState(), "turn"), s2);
    QCOMPARE(msOf(moved.lastState(), "turnEndsAt"), started + 20000);
}

void TestDuelRoom::restoreSkipsAnExpiredTurnAtOnce()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room, QJsonObject{{QStringLiteral("turnSeconds"), 10}});
    const qint64 started = context.nowMs();

    DuelRoom restored;
    FakeRoomContext moved(QStringLiteral("duel"), 2);
    moved.setNow(started + 15000);
    restoreInto(moved, restored, room.snapshot(), context.members());
    // 0 ms left: due now.
    QCOMPARE(moved.timers.value(DuelRoom::turnTimer()), started + 15000);
    moved.advance(restored, 0ms);
    QCOMPARE(moved.broadcasts.size(), 1);
    QCOMPARE(str(moved.broadcastObjects().first(), "kind"), QStringLiteral("turn_skipped"));
    QCOMPARE(str(moved.broadcastObjects().first(), "player"), s1);
    // The next turn gets its full time from now.
    QCOMPARE(str(moved.lastState(), "turn"), s2);
    QCOMPARE(msOf(moved.lastState(), "turnEndsAt"), started + 25000);
    QCOMPARE(moved.timers.value(DuelRoom::turnTimer()), started + 25000);
}

void TestDuelRoom::restoreSkipsAnExpiredTurnOnTick()
{
    // Should the 0 ms timer be slow to fire, the first tick skips the turn.
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room, QJsonObject{{QStringLiteral("turnSeconds"), 10}});
    const qint64 started = context.nowMs();

    DuelRoom restored;
    FakeRoomContext moved(QStringLiteral("duel"), 2);
    moved.setNow(started + 15000);
    restoreInto(moved, restored, room.snapshot(), context.members());
    moved.clearRecords();
    moved.tick(restored);
    QCOMPARE(moved.broadcasts.size(), 1);
    QCOMPARE(str(moved.broadcastObjects().first(), "player"), s1);
    QCOMPARE(moved.states.size(), 1);
    QCOMPARE(moved.timers.value(DuelRoom::turnTimer()), started + 25000);
    // The timer was restarted with the skip, so it does not skip again.
    moved.advance(restored, 0ms);
    QCOMPARE(moved.broadcasts.size(), 1);
}

void TestDuelRoom::restoreStartsDisposeTimerWithTimeLeft()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    startDuel(context, room, QJsonObject{{QStringLiteral("turnSeconds"), 5}});
    context.advance(room, 25s); // five skips: s-1 loses by timeout
    QCOMPARE(str(context.lastState(), "reason"), QStringLiteral("timeout"));
    const qint64 finishedAt = context.nowMs();

    DuelRoom restored;
    FakeRoomContext moved(QStringLiteral("duel"), 2);
    moved.setNow(finishedAt + 2500);
    restoreInto(moved, restored, room.snapshot(), context.members());
    QCOMPARE(num(playerState(moved.lastState(), s1), "skippedTurns"), 3);
    QCOMPARE(moved.timers.value(DuelRoom::disposeTimer()), finishedAt + 10000);
    QVERIFY(!moved.timers.contains(DuelRoom::turnTimer()));
    moved.advance(restored, 7499ms);
    QVERIFY(moved.disposeReasons.isEmpty());
    moved.advance(restored, 1ms);
    QCOMPARE(moved.disposeReasons, QStringList{QStringLiteral("finished")});
}

QJsonObject TestDuelRoom::playingSnapshot()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    (void)context.create(room);
    (void)context.join(room, member(1));
    (void)context.join(room, member(2));
    (void)context.message(room, member(1), action("defend"));
    return room.snapshot().toJsonObject();
}

QJsonObject TestDuelRoom::waitingSnapshot()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    (void)context.create(room);
    (void)context.join(room, member(1));
    return room.snapshot().toJsonObject();
}

QJsonObject TestDuelRoom::finishedSnapshot()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    (void)context.create(room);
    (void)context.join(room, member(1));
    (void)context.join(room, member(2));
    (void)context.message(room, member(2), action("forfeit"));
    return room.snapshot().toJsonObject();
}

void TestDuelRoom::malformedSnapshots_data()
{
    QTest::addColumn<QString>("phase");    // which valid snapshot the change is made to
    QTest::addColumn<QString>("path");     // field changed, e.g. "players/0/hp"
    QTest::addColumn<QJsonValue>("value"); // undefined: the field is removed
    QTest::addColumn<QString>("named");    // what the refusal must name

    const QJsonValue removed(QJsonValue::Undefined);
    const QString playing = QStringLiteral("playing");
    const QString waiting = QStringLiteral("waiting");
    const QString finished = QStringLiteral("finished");
    const auto row = [](const char *name, const QString &phase, const char *path, const QJsonValue &value,
                        const char *named) {
        QTest::newRow(name) << phase << QString::fromLatin1(path) << value << QString::fromLatin1(named);
    };

    row("version missing", playing, "version", removed, "version");
    row("version 2", playing, "version", 2, "version");
    row("version string", playing, "version", QStringLiteral("1"), "version");
    row("phase missing", playing, "phase", removed, "phase");
    row("phase unknown", playing, "phase", QStringLiteral("paused"), "phase");
    row("phase number", playing, "phase", 1, "phase");
    row("turnSeconds missing", playing, "turnSeconds", removed, "turnSeconds");
    row("turnSeconds zero", playing, "turnSeconds", 0, "turnSeconds");
    row("turnSeconds above maximum", playing, "turnSeconds", 301, "turnSeconds");
    row("turnSeconds fraction", playing, "turnSeconds", 1.5, "turnSeconds");
    row("turnSeconds string", playing, "turnSeconds", QStringLiteral("30"), "turnSeconds");
    row("round missing", playing, "round", removed, "round");
    row("round 0 while playing", playing, "round", 0, "round");
    row("round fraction", playing, "round", 2.5, "round");
    row("round string", playing, "round", QStringLiteral("2"), "round");
    row("round above int", playing, "round", 1e10, "round");
    row("players missing", playing, "players", removed, "players");
    row("players an object", playing, "players", QJsonObject(), "players");
    row("one player while playing", playing, "players/1", removed, "players");
    row("three players", playing, "players/2", QJsonObject{{QStringLiteral("sessionId"), QStringLiteral("s-3")}},
        "players");
    row("player not an object", playing, "players/0", 5, "players[0]");
    row("sessionId missing", playing, "players/0/sessionId", removed, "players[0].sessionId");
    row("sessionId number", playing, "players/0/sessionId", 1, "players[0].sessionId");
    row("sessionId empty", playing, "players/0/sessionId", QString(), "players[0].sessionId");
    row("playerId missing", playing, "players/1/playerId", removed, "players[1].playerId");
    row("playerId null", playing, "players/1/playerId", QJsonValue::Null, "players[1].playerId");
    row("hp missing", playing, "players/0/hp", removed, "players[0].hp");
    row("hp above 100", playing, "players/0/hp", 101, "players[0].hp");
    row("hp negative", playing, "players/1/hp", -1, "players[1].hp");
    row("hp 0 while playing", playing, "players/1/hp", 0, "players[1].hp");
    row("hp fraction", playing, "players/0/hp", 50.5, "players[0].hp");
    row("hp string", playing, "players/0/hp", QStringLiteral("100"), "players[0].hp");
    row("hp above 100 when finished", finished, "players/0/hp", 150, "players[0].hp");
    row("healsLeft missing", playing, "players/0/healsLeft", removed, "players[0].healsLeft");
    row("healsLeft 4", playing, "players/0/healsLeft", 4, "players[0].healsLeft");
    row("healsLeft negative", playing, "players/0/healsLeft", -1, "players[0].healsLeft");
    row("defending missing", playing, "players/0/defending", removed, "players[0].defending");
    row("defending a string", playing, "players/0/defending", QStringLiteral("yes"), "players[0].defending");
    row("defending a number", playing, "players/0/defending", 1, "players[0].defending");
    row("skippedTurns missing", playing, "players/1/skippedTurns", removed, "players[1].skippedTurns");
    row("skippedTurns 3 while playing", playing, "players/1/skippedTurns", 3, "players[1].skippedTurns");
    row("skippedTurns 4 when finished", finished, "players/1/skippedTurns", 4, "players[1].skippedTurns");
    row("skippedTurns bool", playing, "players/1/skippedTurns", true, "players[1].skippedTurns");
    row("same session twice", playing, "players/1/sessionId", s1, "players[1]");
    row("same player twice", playing, "players/1/playerId", QStringLiteral("p-1"), "players[1]");
    row("turn missing", playing, "turn", removed, "turn");
    row("turn null while playing", playing, "turn", QJsonValue::Null, "turn");
    row("turn not a player", playing, "turn", QStringLiteral("s-9"), "turn");
    row("turn an index", playing, "turn", 0, "turn");
    row("turnEndsAt missing", playing, "turnEndsAt", removed, "turnEndsAt");
    row("turnEndsAt null while playing", playing, "turnEndsAt", QJsonValue::Null, "turnEndsAt");
    row("turnEndsAt negative", playing, "turnEndsAt", -1, "turnEndsAt");
    row("turnEndsAt string", playing, "turnEndsAt", QStringLiteral("1700000030000"), "turnEndsAt");
    row("turnEndsAt fraction", playing, "turnEndsAt", 1.5, "turnEndsAt");
    row("winner while playing", playing, "winner", s1, "winner");
    row("reason while playing", playing, "reason", QStringLiteral("ko"), "reason");
    row("finishedAt while playing", playing, "finishedAt", 5, "finishedAt");
    row("finishedAt missing while playing", playing, "finishedAt", removed, "finishedAt");
    row("round 1 while waiting", waiting, "round", 1, "round");
    row("two players while waiting", waiting, "players/1",
        QJsonObject{{QStringLiteral("sessionId"), s2}, {QStringLiteral("playerId"), QStringLiteral("p-2")},
                    {QStringLiteral("hp"), 100}, {QStringLiteral("healsLeft"), 3},
                    {QStringLiteral("defending"), false}, {QStringLiteral("skippedTurns"), 0}},
        "players");
    row("turn while waiting", waiting, "turn", s1, "turn");
    row("turnEndsAt while waiting", waiting, "turnEndsAt", 1, "turnEndsAt");
    row("winner missing when finished", finished, "winner", removed, "winner");
    row("winner null when finished", finished, "winner", QJsonValue::Null, "winner");
    row("winner not a player", finished, "winner", QStringLiteral("s-9"), "winner");
    row("reason unknown", finished, "reason", QStringLiteral("boredom"), "reason");
    row("reason missing", finished, "reason", removed, "reason");
    row("finishedAt missing", finished, "finishedAt", removed, "finishedAt");
    row("finishedAt null when finished", finished, "finishedAt", QJsonValue::Null, "finishedAt");
    row("finishedAt beyond 2^53", finished, "finishedAt", 1e17, "finishedAt");
    row("turn when finished", finished, "turn", s1, "turn");
    row("one player when finished", finished, "players/0", removed, "players");
}

void TestDuelRoom::malformedSnapshots()
{
    QFETCH(QString, phase);
    QFETCH(QString, path);
    QFETCH(QJsonValue, value);
    QFETCH(QString, named);

    const QJsonObject valid = phase == QLatin1String("playing") ? playingSnapshot()
        : phase == QLatin1String("waiting")                      ? waitingSnapshot()
                                                                 : finishedSnapshot();
    QCOMPARE(str(valid, "phase"), phase);
    const QList<RoomMember> members = phase == QLatin1String("waiting") ? QList<RoomMember>{member(1)}
                                                                          : QList<RoomMember>{member(1), member(2)};
    const QJsonObject changed = withField(valid, path.split(QLatin1Char('/')), value).toObject();
    QVERIFY(changed != valid);

    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    const Result<void> restored = context.restore(room, protocol::RawJson::fromJsonObject(changed), members);
    QVERIFY(!restored.ok());
    QCOMPARE(restored.error().code, QStringLiteral("bad_request"));
    QVERIFY2(restored.error().message.contains(named), qPrintable(restored.error().message));
    // Refused before anything changed.
    QVERIFY(context.states.isEmpty());
    QVERIFY(context.timers.isEmpty());
    QVERIFY(context.lockChanges.isEmpty());
    QVERIFY(context.broadcasts.isEmpty());
    QVERIFY(room.state().isNull());

    // The same room takes the valid snapshot afterwards.
    QVERIFY(context.restore(room, protocol::RawJson::fromJsonObject(valid), members).ok());
    QCOMPARE(room.snapshot().toJsonObject(), valid);
}

void TestDuelRoom::snapshotsThatAreNotObjects_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("null") << QByteArray("null");
    QTest::newRow("array") << QByteArray("[1,2]");
    QTest::newRow("string") << QByteArray("\"playing\"");
    QTest::newRow("number") << QByteArray("1");
    QTest::newRow("empty object") << QByteArray("{}");
}

void TestDuelRoom::snapshotsThatAreNotObjects()
{
    QFETCH(QByteArray, json);
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    const Result<void> restored = context.restore(room, rawJson(json), {});
    QVERIFY(!restored.ok());
    QCOMPARE(restored.error().code, QStringLiteral("bad_request"));
    QVERIFY(restored.error().message.contains(QStringLiteral("duel snapshot")));
    QVERIFY(context.states.isEmpty());
}

void TestDuelRoom::snapshotMustFitTheMembers_data()
{
    QTest::addColumn<QString>("phase");
    QTest::addColumn<QStringList>("members"); // "session/player"
    QTest::addColumn<bool>("accepted");
    QTest::addColumn<QString>("named");
    const QString m1 = QStringLiteral("s-1/p-1");
    const QString m2 = QStringLiteral("s-2/p-2");
    const QString m3 = QStringLiteral("s-3/p-3");
    const QString playing = QStringLiteral("playing");
    const QString waiting = QStringLiteral("waiting");
    const QString finished = QStringLiteral("finished");
    QTest::newRow("playing, both members") << playing << QStringList{m1, m2} << true << QString();
    QTest::newRow("playing, members in another order") << playing << QStringList{m2, m1} << true << QString();
    QTest::newRow("playing, a player is not a member")
        << playing << QStringList{m1} << false << QStringLiteral("players[1]");
    QTest::newRow("playing, no members") << playing << QStringList{} << false << QStringLiteral("players[0]");
    QTest::newRow("playing, another member instead")
        << playing << QStringList{m1, m3} << false << QStringLiteral("players[1]");
    QTest::newRow("playing, same session, other player")
        << playing << QStringList{m1, QStringLiteral("s-2/p-9")} << false << QStringLiteral("players[1]");
    QTest::newRow("playing, a member without a seat")
        << playing << QStringList{m1, m2, m3} << false << QStringLiteral("s-3");
    QTest::newRow("waiting, the member") << waiting << QStringList{m1} << true << QString();
    QTest::newRow("waiting, the player is not a member")
        << waiting << QStringList{} << false << QStringLiteral("players[0]");
    QTest::newRow("waiting, a member without a seat")
        << waiting << QStringList{m1, m2} << false << QStringLiteral("s-2");
    // After the end, players who left are kept; members are still players.
    QTest::newRow("finished, both members") << finished << QStringList{m1, m2} << true << QString();
    QTest::newRow("finished, one left") << finished << QStringList{m2} << true << QString();
    QTest::newRow("finished, both left") << finished << QStringList{} << true << QString();
    QTest::newRow("finished, a member without a seat")
        << finished << QStringList{m1, m3} << false << QStringLiteral("s-3");
}

void TestDuelRoom::snapshotMustFitTheMembers()
{
    QFETCH(QString, phase);
    QFETCH(QStringList, members);
    QFETCH(bool, accepted);
    QFETCH(QString, named);
    const QJsonObject snapshot = phase == QLatin1String("playing") ? playingSnapshot()
        : phase == QLatin1String("waiting")                         ? waitingSnapshot()
                                                                    : finishedSnapshot();
    QList<RoomMember> roomMembers;
    for (const QString &m : std::as_const(members))
        roomMembers.append(RoomMember{m.section(QLatin1Char('/'), 0, 0), m.section(QLatin1Char('/'), 1, 1)});

    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 2);
    const Result<void> restored = context.restore(room, protocol::RawJson::fromJsonObject(snapshot), roomMembers);
    QCOMPARE(restored.ok(), accepted);
    if (accepted) {
        QCOMPARE(room.snapshot().toJsonObject(), snapshot);
        return;
    }
    QCOMPARE(restored.error().code, QStringLiteral("bad_request"));
    QVERIFY2(restored.error().message.contains(named), qPrintable(restored.error().message));
    QVERIFY(context.states.isEmpty());
    QVERIFY(context.timers.isEmpty());
}

void TestDuelRoom::restoreNeedsTwoSeats()
{
    DuelRoom room;
    FakeRoomContext context(QStringLiteral("duel"), 3);
    const Result<void> restored =
        context.restore(room, protocol::RawJson::fromJsonObject(waitingSnapshot()), {member(1)});
    QVERIFY(!restored.ok());
    QCOMPARE(restored.error().code, QStringLiteral("bad_request"));
    QVERIFY(context.states.isEmpty());
}

QTEST_GUILESS_MAIN(TestDuelRoom)
#include "tst_duelroom.moc"
