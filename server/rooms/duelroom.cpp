#include "server/rooms/duelroom.h"

#include "server/rooms/roomslog.h"
#include "shared/protocol/errorcode.h"

#include <QJsonValue>

#include <algorithm>
#include <cmath>

namespace arena {

namespace {

using protocol::ErrorCode;

Error refuse(ErrorCode code, const QString &message)
{
    return protocol::toError(code, message);
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
    info.create = [] { return std::make_unique<DuelRoom>(); };
    return info;
}

Result<void> DuelRoom::onCreate(RoomContext &context, const QJsonObject &options)
{
    if (context.maxClients() != Players)
        return refuse(ErrorCode::BadRequest, QStringLiteral("a duel is for exactly 2 players (max_clients 2)"));

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
        m_turnSeconds = int(seconds);
    }
    publishState(context);
    return {};
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
        return;
    }
    if (name == disposeTimer() && m_phase == Phase::Finished) {
        // Last statement: the manager ends the room inside this call.
        context.dispose(QStringLiteral("finished"));
        return;
    }
    qCDebug(lcRooms) << "duel" << context.roomId() << "ignores timer" << name;
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
    context.setState(m_state);
}

} // namespace arena
