#include "server/rooms/duelroom.h"

#include "server/rooms/roomslog.h"
#include "shared/protocol/errorcode.h"

#include <QJsonValue>

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <limits>

namespace arena {

namespace {

using protocol::ErrorCode;

Error refuse(ErrorCode code, const QString &message)
{
    return protocol::toError(code, message);
}

// Largest ms time accepted in a snapshot: doubles hold integers exactly up to 2^53.
constexpr qint64 MaxSnapshotTime = qint64(1) << 53;

// Snapshot fields are named in refusals the way they are written, e.g. "players[1].hp".
Error badSnapshot(const QString &where, const QString &problem)
{
    return refuse(ErrorCode::BadRequest, QStringLiteral("malformed duel snapshot: %1 %2").arg(where, problem));
}

QString fieldName(const QString &prefix, const char *key)
{
    return prefix + QLatin1String(key);
}

Result<QJsonValue> requiredField(const QJsonObject &object, const QString &prefix, const char *key)
{
    const QLatin1String name(key);
    if (!object.contains(name))
        return badSnapshot(fieldName(prefix, key), QStringLiteral("is missing"));
    return object.value(name);
}

Result<qint64> wholeNumber(const QJsonObject &object, const QString &prefix, const char *key, qint64 min, qint64 max)
{
    const Result<QJsonValue> value = requiredField(object, prefix, key);
    if (!value)
        return value.error();
    const double number = value->toDouble();
    if (!value->isDouble() || number != std::floor(number) || number < double(min) || number > double(max)) {
        return badSnapshot(fieldName(prefix, key),
                           QStringLiteral("must be a whole number from %1 to %2").arg(min).arg(max));
    }
    return qint64(number);
}

Result<QString> nonEmptyText(const QJsonObject &object, const QString &prefix, const char *key)
{
    const Result<QJsonValue> value = requiredField(object, prefix, key);
    if (!value)
        return value.error();
    if (!value->isString() || value->toString().isEmpty())
        return badSnapshot(fieldName(prefix, key), QStringLiteral("must be a non-empty string"));
    return value->toString();
}

Result<bool> flag(const QJsonObject &object, const QString &prefix, const char *key)
{
    const Result<QJsonValue> value = requiredField(object, prefix, key);
    if (!value)
        return value.error();
    if (!value->isBool())
        return badSnapshot(fieldName(prefix, key), QStringLiteral("must be true or false"));
    return value->toBool();
}

// Fields that only mean something in another phase are written as null; anything else is a snapshot
// that contradicts itself.
Result<void> nullField(const QJsonObject &object, const char *key, const QString &phase)
{
    const Result<QJsonValue> value = requiredField(object, {}, key);
    if (!value)
        return value.error();
    if (!value->isNull())
        return badSnapshot(QLatin1String(key), QStringLiteral("must be null while the duel is %1").arg(phase));
    return {};
}

} // namespace

RoomTypeInfo DuelRoom::typeInfo()
{
    RoomTypeInfo info;
    info.name = QStringLiteral("duel");
    info.description = QStringLiteral("Authoritative turn-based duel for two players, with a turn timer");
    info.defaultMaxClients = Players;
    info.maxMaxClients = Players;
    info.autoDispose = true;
    info.watchesRoomList = false;
    // A worker that crashes mid-match costs the players nothing: the duel is restored elsewhere.
    info.runsInWorker = true;
    info.create = [] { return std::make_unique<DuelRoom>(); };
    info.validateOptions = [](const QJsonObject &options, quint32 maxClients) -> Result<void> {
        const Result<Options> parsed = parseOptions(options, maxClients);
        if (!parsed)
            return parsed.error();
        return {};
    };
    return info;
}

Result<DuelRoom::Options> DuelRoom::parseOptions(const QJsonObject &options, quint32 maxClients)
{
    if (maxClients != Players)
        return refuse(ErrorCode::BadRequest, QStringLiteral("a duel is for exactly 2 players (max_clients 2)"));

    Options parsed;
    const QJsonValue turnSeconds = options.value(QLatin1String("turnSeconds"));
    if (!turnSeconds.isUndefined()) {
        const double seconds = turnSeconds.toDouble(-1);
        if (!turnSeconds.isDouble() || seconds != std::floor(seconds) || seconds < MinTurnSeconds
            || seconds > MaxTurnSeconds) {
            return refuse(ErrorCode::BadRequest, QStringLiteral("turnSeconds must be a whole number of seconds "
                                                                "from %1 to %2")
                                                     .arg(MinTurnSeconds)
                                                     .arg(MaxTurnSeconds));
        }
        parsed.turnSeconds = int(seconds);
    }
    return parsed;
}

Result<void> DuelRoom::onCreate(RoomContext &context, const QJsonObject &options)
{
    const Result<Options> parsed = parseOptions(options, context.maxClients());
    if (!parsed)
        return parsed.error();
    m_turnSeconds = parsed->turnSeconds;
    publishState(context);
    return {};
}

Result<void> DuelRoom::restore(RoomContext &context, const protocol::RawJson &snapshot)
{
    if (context.maxClients() != Players)
        return refuse(ErrorCode::BadRequest, QStringLiteral("a duel is for exactly 2 players (max_clients 2)"));
    if (!snapshot.isObject())
        return refuse(ErrorCode::BadRequest, QStringLiteral("malformed duel snapshot: not a JSON object"));
    Result<SavedGame> read = readSnapshot(snapshot.toJsonObject(), context.members());
    if (!read)
        return read.error();

    SavedGame &saved = read.value();
    m_players = std::move(saved.players);
    m_pending.clear();
    m_phase = saved.phase;
    m_turnSeconds = saved.turnSeconds;
    m_turn = saved.turn;
    m_round = saved.round;
    m_turnEndsAt = saved.turnEndsAt;
    m_winner = saved.winner;
    m_reason = saved.reason;
    m_finishedAt = saved.finishedAt;

    const qint64 now = context.nowMs();
    switch (m_phase) {
    case Phase::Waiting:
        break;
    case Phase::Playing:
        // The lock belongs to the context, which may be new; a started duel takes nobody else.
        context.setLocked(true);
        // An overdue turn gets 0 ms: it is skipped at once, as it would have been without the crash.
        context.startTimer(turnTimer(), std::chrono::milliseconds(std::max<qint64>(0, m_turnEndsAt - now)));
        break;
    case Phase::Finished:
        context.setLocked(true);
        context.startTimer(disposeTimer(),
                           std::chrono::milliseconds(std::max<qint64>(0, m_finishedAt + DisposeDelay.count() - now)));
        break;
    }
    qCInfo(lcRooms) << "duel" << context.roomId() << "restored:" << phaseName(m_phase) << "round" << m_round;
    publishState(context);
    return {};
}

Result<DuelRoom::SavedGame> DuelRoom::readSnapshot(const QJsonObject &snapshot, const QList<RoomMember> &members)
{
    SavedGame saved;

    const QJsonValue version = snapshot.value(QLatin1String("version"));
    if (!version.isDouble() || version.toDouble() != SnapshotVersion) {
        return badSnapshot(QStringLiteral("version"),
                           QStringLiteral("must be %1 (the snapshot format this server reads)").arg(SnapshotVersion));
    }

    const Result<QString> phase = nonEmptyText(snapshot, {}, "phase");
    if (!phase)
        return phase.error();
    if (*phase == phaseName(Phase::Waiting))
        saved.phase = Phase::Waiting;
    else if (*phase == phaseName(Phase::Playing))
        saved.phase = Phase::Playing;
    else if (*phase == phaseName(Phase::Finished))
        saved.phase = Phase::Finished;
    else
        return badSnapshot(QStringLiteral("phase"), QStringLiteral("must be waiting, playing or finished"));
    const bool playing = saved.phase == Phase::Playing;
    const bool finished = saved.phase == Phase::Finished;

    const Result<qint64> turnSeconds = wholeNumber(snapshot, {}, "turnSeconds", MinTurnSeconds, MaxTurnSeconds);
    if (!turnSeconds)
        return turnSeconds.error();
    saved.turnSeconds = int(*turnSeconds);

    // Round 0 means "not started"; it counts up from 1 once the game runs.
    const Result<qint64> round = saved.phase == Phase::Waiting
        ? wholeNumber(snapshot, {}, "round", 0, 0)
        : wholeNumber(snapshot, {}, "round", 1, std::numeric_limits<int>::max());
    if (!round)
        return round.error();
    saved.round = int(*round);

    const Result<QJsonValue> playersValue = requiredField(snapshot, {}, "players");
    if (!playersValue)
        return playersValue.error();
    if (!playersValue->isArray())
        return badSnapshot(QStringLiteral("players"), QStringLiteral("must be an array, in seat order"));
    const QJsonArray players = playersValue->toArray();
    const bool seatsFit = saved.phase == Phase::Waiting ? players.size() < qsizetype(Players)
                                                        : players.size() == qsizetype(Players);
    if (!seatsFit) {
        return badSnapshot(QStringLiteral("players"),
                           saved.phase == Phase::Waiting
                               ? QStringLiteral("must hold at most 1 player while the duel is waiting")
                               : QStringLiteral("must hold 2 players while the duel is %1").arg(*phase));
    }
    for (qsizetype i = 0; i < players.size(); ++i) {
        const QString prefix = QStringLiteral("players[%1].").arg(i);
        if (!players.at(i).isObject())
            return badSnapshot(QStringLiteral("players[%1]").arg(i), QStringLiteral("must be an object"));
        const Result<Player> player = readPlayer(players.at(i).toObject(), prefix, saved.phase);
        if (!player)
            return player.error();
        for (const Player &other : std::as_const(saved.players)) {
            if (other.sessionId == player->sessionId || other.playerId == player->playerId) {
                return badSnapshot(QStringLiteral("players[%1]").arg(i),
                                   QStringLiteral("has the session or player id of another player"));
            }
        }
        saved.players.append(*player);
    }

    // The snapshot must fit the members the manager kept: while the game is not over every seated player
    // is a member; members without a seat cannot exist in a duel. A finished duel keeps players who left.
    for (qsizetype i = 0; i < saved.players.size(); ++i) {
        const Player &player = saved.players.at(i);
        const bool isMember = members.contains(RoomMember{player.sessionId, player.playerId});
        if (!isMember && !finished) {
            return badSnapshot(QStringLiteral("players[%1]").arg(i),
                               QStringLiteral("(%1, %2) is not a member of the room")
                                   .arg(player.sessionId, player.playerId));
        }
    }
    for (const RoomMember &member : members) {
        const bool seated = std::any_of(saved.players.cbegin(), saved.players.cend(), [&member](const Player &p) {
            return p.sessionId == member.sessionId && p.playerId == member.playerId;
        });
        if (!seated) {
            return badSnapshot(QStringLiteral("players"), QStringLiteral("has no seat for member (%1, %2)")
                                                              .arg(member.sessionId, member.playerId));
        }
    }

    const auto seatOf = [&saved](const QString &sessionId) -> qsizetype {
        for (qsizetype i = 0; i < saved.players.size(); ++i) {
            if (saved.players.at(i).sessionId == sessionId)
                return i;
        }
        return -1;
    };

    if (playing) {
        const Result<QString> turn = nonEmptyText(snapshot, {}, "turn");
        if (!turn)
            return turn.error();
        saved.turn = seatOf(*turn);
        if (saved.turn < 0)
            return badSnapshot(QStringLiteral("turn"), QStringLiteral("must be the session id of a player"));
        const Result<qint64> turnEndsAt = wholeNumber(snapshot, {}, "turnEndsAt", 0, MaxSnapshotTime);
        if (!turnEndsAt)
            return turnEndsAt.error();
        saved.turnEndsAt = *turnEndsAt;
    } else {
        if (Result<void> absent = nullField(snapshot, "turn", *phase); !absent)
            return absent.error();
        if (Result<void> absent = nullField(snapshot, "turnEndsAt", *phase); !absent)
            return absent.error();
    }

    if (finished) {
        const Result<QString> winner = nonEmptyText(snapshot, {}, "winner");
        if (!winner)
            return winner.error();
        const qsizetype winnerSeat = seatOf(*winner);
        if (winnerSeat < 0)
            return badSnapshot(QStringLiteral("winner"), QStringLiteral("must be the session id of a player"));
        saved.winner = winnerSeat;
        const Result<QString> reason = nonEmptyText(snapshot, {}, "reason");
        if (!reason)
            return reason.error();
        const bool knownReason = *reason == QLatin1String("ko") || *reason == QLatin1String("timeout")
            || *reason == QLatin1String("forfeit");
        if (!knownReason)
            return badSnapshot(QStringLiteral("reason"), QStringLiteral("must be ko, timeout or forfeit"));
        saved.reason = *reason;
        const Result<qint64> finishedAt = wholeNumber(snapshot, {}, "finishedAt", 0, MaxSnapshotTime);
        if (!finishedAt)
            return finishedAt.error();
        saved.finishedAt = *finishedAt;
    } else {
        for (const char *key : {"winner", "reason", "finishedAt"}) {
            if (Result<void> absent = nullField(snapshot, key, *phase); !absent)
                return absent.error();
        }
    }
    return saved;
}

Result<DuelRoom::Player> DuelRoom::readPlayer(const QJsonObject &object, const QString &prefix, Phase phase)
{
    const bool playing = phase == Phase::Playing;
    const Result<QString> sessionId = nonEmptyText(object, prefix, "sessionId");
    if (!sessionId)
        return sessionId.error();
    const Result<QString> playerId = nonEmptyText(object, prefix, "playerId");
    if (!playerId)
        return playerId.error();
    // A player at 0 hp or with 3 skips in a row would have ended the game.
    const Result<qint64> hp = wholeNumber(object, prefix, "hp", playing ? 1 : 0, MaxHp);
    if (!hp)
        return hp.error();
    const Result<qint64> healsLeft = wholeNumber(object, prefix, "healsLeft", 0, MaxHeals);
    if (!healsLeft)
        return healsLeft.error();
    const Result<bool> defending = flag(object, prefix, "defending");
    if (!defending)
        return defending.error();
    const Result<qint64> skipped =
        wholeNumber(object, prefix, "skippedTurns", 0, playing ? MaxSkippedTurns - 1 : MaxSkippedTurns);
    if (!skipped)
        return skipped.error();

    Player player;
    player.sessionId = *sessionId;
    player.playerId = *playerId;
    player.hp = int(*hp);
    player.healsLeft = int(*healsLeft);
    player.defending = *defending;
    player.skippedTurns = int(*skipped);
    return player;
}

Result<void> DuelRoom::onJoin(RoomContext &context, const RoomMember &member)
{
    Q_UNUSED(context);
    if (m_phase == Phase::Finished)
        return refuse(ErrorCode::Conflict, QStringLiteral("this duel is over"));
    const auto sameSeat = [&member](const auto &seat) {
        return seat.sessionId == member.sessionId || seat.playerId == member.playerId;
    };
    if (std::any_of(m_players.cbegin(), m_players.cend(), sameSeat)
        || std::any_of(m_pending.cbegin(), m_pending.cend(), sameSeat)) {
        return refuse(ErrorCode::Conflict, QStringLiteral("you already have a seat in this duel"));
    }
    // The manager checks capacity first; this guards the rules if it ever let a third one through.
    if (m_phase != Phase::Waiting || seatsTaken() >= Players)
        return refuse(ErrorCode::RoomFull, QStringLiteral("this duel already has two players"));
    m_pending.append(member);
    return {};
}

void DuelRoom::onJoined(RoomContext &context, const RoomMember &member)
{
    if (!m_pending.removeOne(member)) {
        qCWarning(lcRooms) << "duel" << context.roomId() << "ignores" << member.sessionId
                           << "which joined without onJoin accepting it";
        return;
    }
    m_players.append(Player{member.sessionId, member.playerId});
    if (m_players.size() == qsizetype(Players))
        start(context);
    else
        publishState(context);
}

void DuelRoom::onLeave(RoomContext &context, const RoomMember &member, const QString &reason)
{
    if (m_pending.removeOne(member))
        return; // a reserved seat the manager could not fill ("join_failed")
    const qsizetype index = indexOf(member.sessionId);
    if (index < 0)
        return;
    switch (m_phase) {
    case Phase::Waiting:
        m_players.removeAt(index);
        publishState(context);
        return;
    case Phase::Playing:
        qCDebug(lcRooms) << "duel" << context.roomId() << ":" << member.sessionId << "left (" << reason
                         << ") and forfeits";
        finish(context, 1 - index, QStringLiteral("forfeit"));
        return;
    case Phase::Finished:
        // Both players stay in the final state, so the result remains readable until disposal.
        return;
    }
}

Result<void> DuelRoom::onMessage(RoomContext &context, const RoomMember &from, const protocol::RawJson &data)
{
    if (!data.isObject())
        return refuse(ErrorCode::BadRequest, QStringLiteral("duel messages are objects like {\"action\":\"attack\"}"));
    const QJsonValue actionValue = data.toJsonObject().value(QLatin1String("action"));
    if (!actionValue.isString()) {
        return refuse(ErrorCode::BadRequest,
                      QStringLiteral("duel messages need a string \"action\": attack, heal, defend or forfeit"));
    }
    const QString action = actionValue.toString();
    const bool known = action == QLatin1String("attack") || action == QLatin1String("heal")
        || action == QLatin1String("defend") || action == QLatin1String("forfeit");
    if (!known) {
        return refuse(ErrorCode::BadRequest,
                      QStringLiteral("unknown duel action \"%1\": use attack, heal, defend or forfeit").arg(action));
    }

    const qsizetype actor = indexOf(from.sessionId);
    if (actor < 0)
        return refuse(ErrorCode::Forbidden, QStringLiteral("only the duel's players can act"));
    if (m_phase == Phase::Waiting)
        return refuse(ErrorCode::Conflict, QStringLiteral("the duel has not started: waiting for a second player"));
    if (m_phase == Phase::Finished)
        return refuse(ErrorCode::Conflict, QStringLiteral("this duel is over"));

    if (action == QLatin1String("forfeit")) {
        finish(context, 1 - actor, QStringLiteral("forfeit"));
        return {};
    }
    if (actor != m_turn)
        return refuse(ErrorCode::Conflict, QStringLiteral("not your turn"));
    if (action == QLatin1String("attack"))
        return attack(context, actor);
    if (action == QLatin1String("heal"))
        return heal(context, actor);
    return defend(context, actor);
}

void DuelRoom::onTimer(RoomContext &context, const QString &name)
{
    if (name == turnTimer() && m_phase == Phase::Playing) {
        skipTurn(context);
        return;
    }
    if (name == disposeTimer() && m_phase == Phase::Finished) {
        // Last statement: the manager ends the room inside this call.
        context.dispose(QStringLiteral("finished"));
        return;
    }
    qCDebug(lcRooms) << "duel" << context.roomId() << "ignores timer" << name;
}

void DuelRoom::onTick(RoomContext &context)
{
    // Two comparisons per tick, and silent unless the deadline passed. The skip moves the deadline on
    // and restarts the turn timer (or the game ends and cancels it), so a turn is never skipped twice,
    // whichever of the tick and the timer gets there first.
    if (m_phase == Phase::Playing && context.nowMs() >= m_turnEndsAt)
        skipTurn(context);
}

void DuelRoom::onDispose(RoomContext &context)
{
    context.cancelTimer(turnTimer());
    context.cancelTimer(disposeTimer());
}

QString DuelRoom::phaseName(Phase phase)
{
    switch (phase) {
    case Phase::Waiting:
        return QStringLiteral("waiting");
    case Phase::Playing:
        return QStringLiteral("playing");
    case Phase::Finished:
        return QStringLiteral("finished");
    }
    Q_UNREACHABLE();
}

qsizetype DuelRoom::indexOf(const QString &sessionId) const
{
    for (qsizetype i = 0; i < m_players.size(); ++i) {
        if (m_players.at(i).sessionId == sessionId)
            return i;
    }
    return -1;
}

QJsonObject DuelRoom::hpByPlayer() const
{
    QJsonObject hp;
    for (const Player &player : m_players)
        hp.insert(player.sessionId, player.hp);
    return hp;
}

void DuelRoom::start(RoomContext &context)
{
    m_phase = Phase::Playing;
    m_turn = 0;
    m_round = 1;
    // Nobody else can take part; locked rooms stay listed, shown as in progress.
    context.setLocked(true);
    m_turnEndsAt = context.nowMs() + qint64(m_turnSeconds) * 1000;
    context.startTimer(turnTimer(), std::chrono::seconds(m_turnSeconds));
    context.broadcast(protocol::RawJson::fromJsonObject(QJsonObject{
        {QStringLiteral("kind"), QStringLiteral("game_started")},
        {QStringLiteral("turn"), m_players.at(m_turn).sessionId},
        {QStringLiteral("round"), m_round},
        {QStringLiteral("turnEndsAt"), m_turnEndsAt},
    }));
    publishState(context);
}

Result<void> DuelRoom::attack(RoomContext &context, qsizetype actor)
{
    const qsizetype targetIndex = 1 - actor;
    Player &target = m_players[targetIndex];
    const bool defended = target.defending;
    const int damage = defended ? attackDamage(m_round) / 2 : attackDamage(m_round);
    target.defending = false;
    target.hp = std::max(0, target.hp - damage);
    m_players[actor].skippedTurns = 0;
    context.broadcast(protocol::RawJson::fromJsonObject(QJsonObject{
        {QStringLiteral("kind"), QStringLiteral("action")},
        {QStringLiteral("by"), m_players.at(actor).sessionId},
        {QStringLiteral("action"), QStringLiteral("attack")},
        {QStringLiteral("target"), target.sessionId},
        {QStringLiteral("damage"), damage},
        {QStringLiteral("defended"), defended},
        {QStringLiteral("healed"), 0},
        {QStringLiteral("hp"), hpByPlayer()},
    }));
    if (target.hp <= 0)
        finish(context, actor, QStringLiteral("ko"));
    else
        nextTurn(context);
    return {};
}

Result<void> DuelRoom::heal(RoomContext &context, qsizetype actor)
{
    Player &player = m_players[actor];
    if (player.healsLeft <= 0)
        return refuse(ErrorCode::Conflict, QStringLiteral("no heals left (%1 per duel)").arg(MaxHeals));
    const int healed = std::min(HealAmount, MaxHp - player.hp);
    player.hp += healed;
    --player.healsLeft;
    player.skippedTurns = 0;
    context.broadcast(protocol::RawJson::fromJsonObject(QJsonObject{
        {QStringLiteral("kind"), QStringLiteral("action")},
        {QStringLiteral("by"), player.sessionId},
        {QStringLiteral("action"), QStringLiteral("heal")},
        {QStringLiteral("damage"), 0},
        {QStringLiteral("healed"), healed},
        {QStringLiteral("healsLeft"), player.healsLeft},
        {QStringLiteral("hp"), hpByPlayer()},
    }));
    nextTurn(context);
    return {};
}

Result<void> DuelRoom::defend(RoomContext &context, qsizetype actor)
{
    Player &player = m_players[actor];
    player.defending = true;
    player.skippedTurns = 0;
    context.broadcast(protocol::RawJson::fromJsonObject(QJsonObject{
        {QStringLiteral("kind"), QStringLiteral("action")},
        {QStringLiteral("by"), player.sessionId},
        {QStringLiteral("action"), QStringLiteral("defend")},
        {QStringLiteral("damage"), 0},
        {QStringLiteral("healed"), 0},
        {QStringLiteral("hp"), hpByPlayer()},
    }));
    nextTurn(context);
    return {};
}

void DuelRoom::skipTurn(RoomContext &context)
{
    Player &player = m_players[m_turn];
    ++player.skippedTurns;
    context.broadcast(protocol::RawJson::fromJsonObject(QJsonObject{
        {QStringLiteral("kind"), QStringLiteral("turn_skipped")},
        {QStringLiteral("player"), player.sessionId},
        {QStringLiteral("skippedTurns"), player.skippedTurns},
    }));
    if (player.skippedTurns >= MaxSkippedTurns)
        finish(context, 1 - m_turn, QStringLiteral("timeout"));
    else
        nextTurn(context);
}

void DuelRoom::nextTurn(RoomContext &context)
{
    m_turn = 1 - m_turn;
    if (m_turn == 0)
        ++m_round;
    m_turnEndsAt = context.nowMs() + qint64(m_turnSeconds) * 1000;
    context.startTimer(turnTimer(), std::chrono::seconds(m_turnSeconds));
    publishState(context);
}

void DuelRoom::finish(RoomContext &context, qsizetype winner, const QString &reason)
{
    m_phase = Phase::Finished;
    m_winner = winner;
    m_reason = reason;
    m_turnEndsAt = 0;
    m_finishedAt = context.nowMs();
    context.cancelTimer(turnTimer());
    qCDebug(lcRooms) << "duel" << context.roomId() << "won by" << m_players.at(winner).sessionId << "by" << reason;
    context.broadcast(protocol::RawJson::fromJsonObject(QJsonObject{
        {QStringLiteral("kind"), QStringLiteral("game_over")},
        {QStringLiteral("winner"), m_players.at(winner).sessionId},
        {QStringLiteral("loser"), m_players.at(1 - winner).sessionId},
        {QStringLiteral("reason"), reason},
        {QStringLiteral("hp"), hpByPlayer()},
    }));
    publishState(context);
    // Gives clients time to show the result; members who leave earlier do not hold the room up
    // (an empty room is disposed at once, since the type sets autoDispose).
    context.startTimer(disposeTimer(), DisposeDelay);
}

void DuelRoom::publishState(RoomContext &context)
{
    QJsonObject players;
    for (const Player &player : m_players) {
        players.insert(player.sessionId, QJsonObject{
                                             {QStringLiteral("playerId"), player.playerId},
                                             {QStringLiteral("hp"), player.hp},
                                             {QStringLiteral("healsLeft"), player.healsLeft},
                                             {QStringLiteral("defending"), player.defending},
                                             {QStringLiteral("skippedTurns"), player.skippedTurns},
                                         });
    }
    const bool playing = m_phase == Phase::Playing;
    const QJsonObject state{
        {QStringLiteral("phase"), phaseName(m_phase)},
        {QStringLiteral("turn"), playing ? QJsonValue(m_players.at(m_turn).sessionId) : QJsonValue()},
        {QStringLiteral("round"), m_round},
        {QStringLiteral("turnSeconds"), m_turnSeconds},
        {QStringLiteral("turnEndsAt"), playing ? QJsonValue(m_turnEndsAt) : QJsonValue()},
        {QStringLiteral("players"), players},
        {QStringLiteral("winner"), m_winner ? QJsonValue(m_players.at(*m_winner).sessionId) : QJsonValue()},
        {QStringLiteral("reason"), m_reason.isEmpty() ? QJsonValue() : QJsonValue(m_reason)},
    };
    m_state = protocol::RawJson::fromJsonObject(state);

    // Seat order matters (seat 0 moves first in every round), so players are an array here, with ids.
    QJsonArray seats;
    for (const Player &player : m_players) {
        seats.append(QJsonObject{
            {QStringLiteral("sessionId"), player.sessionId},
            {QStringLiteral("playerId"), player.playerId},
            {QStringLiteral("hp"), player.hp},
            {QStringLiteral("healsLeft"), player.healsLeft},
            {QStringLiteral("defending"), player.defending},
            {QStringLiteral("skippedTurns"), player.skippedTurns},
        });
    }
    const bool finished = m_phase == Phase::Finished;
    m_snapshot = protocol::RawJson::fromJsonObject(QJsonObject{
        {QStringLiteral("version"), SnapshotVersion},
        {QStringLiteral("phase"), phaseName(m_phase)},
        {QStringLiteral("turnSeconds"), m_turnSeconds},
        {QStringLiteral("round"), m_round},
        {QStringLiteral("turn"), state.value(QLatin1String("turn"))},
        {QStringLiteral("turnEndsAt"), state.value(QLatin1String("turnEndsAt"))},
        {QStringLiteral("players"), seats},
        {QStringLiteral("winner"), state.value(QLatin1String("winner"))},
        {QStringLiteral("reason"), state.value(QLatin1String("reason"))},
        {QStringLiteral("finishedAt"), finished ? QJsonValue(m_finishedAt) : QJsonValue()},
    });
    context.setState(m_state);
}

} // namespace arena
