// DuelRoom: the `duel` room type, an authoritative turn-based duel for two players with a turn timer.
#pragma once

#include "server/rooms/room.h"

#include <QJsonObject>
#include <QList>
#include <QString>

#include <chrono>
#include <optional>

namespace arena {

// The worked example of docs/ROOMS.md: the room, not the clients, owns the rules. Players send
// {"action":"attack"|"heal"|"defend"|"forfeit"}; the room checks them, answers refusals with an error,
// broadcasts what happened as room_events, and pushes the whole state with setState after every change.
// The game starts when the second player has joined; the first to join moves first. A named timer
// skips a player's turn when it runs out, and another disposes of the room a while after the game ends.
//
// Rules (all deterministic, so clients can predict them and tests can check them):
// - attack deals attackDamage(round) = 10 + (round % 3) * 5 (round 1: 15, 2: 20, 3: 10, ...), halved
//   (rounded down) when the target defends; a round is one turn of each player.
// - defend halves the next damage the player takes (once; defending twice does not stack).
// - heal restores up to 12 hp, capped at 100, at most 3 times per player; with none left it is refused.
// - forfeit concedes at once (allowed out of turn); leaving while playing does the same.
// - a turn not played within turnSeconds is skipped; 3 skipped turns in a row lose the game.
// - hp 0 ends the game; the room disposes of itself 10 s later with reason "finished".
//
// Duels run in worker processes: snapshot() holds the seated players in seat order, the phase, turn,
// round and the absolute times of the turn deadline and of the end, so restore() can continue a match
// on another worker exactly where it was (same turn order, same damage sequence, same time left).
class DuelRoom final : public Room
{
    Q_DISABLE_COPY_MOVE(DuelRoom)

public:
    static constexpr quint32 Players = 2;
    static constexpr int StartHp = 100;
    static constexpr int MaxHp = 100;
    static constexpr int HealAmount = 12;
    static constexpr int MaxHeals = 3;
    static constexpr int MaxSkippedTurns = 3;
    static constexpr int DefaultTurnSeconds = 30;
    static constexpr int MinTurnSeconds = 1;
    static constexpr int MaxTurnSeconds = 300;
    static constexpr std::chrono::milliseconds DisposeDelay{10000};
    // 20 Hz: a backstop for the turn timer, so a late timer delays a skip by 50 ms at most.
    static constexpr std::chrono::milliseconds TickInterval{50};
    static constexpr int SnapshotVersion = 1;

    struct Options
    {
        int turnSeconds = DefaultTurnSeconds;
    };

    static QString turnTimer() { return QStringLiteral("turn"); }
    static QString disposeTimer() { return QStringLiteral("dispose"); }
    static int attackDamage(int round) { return 10 + (round % 3) * 5; }

    DuelRoom() = default;

    static RoomTypeInfo typeInfo();
    // The one check of create options, used by onCreate and by typeInfo().validateOptions: max clients
    // must be 2, option `turnSeconds` whole seconds from 1 to 300 (default 30). Refusals: "bad_request".
    static Result<Options> parseOptions(const QJsonObject &options, quint32 maxClients);

    Result<void> onCreate(RoomContext &context, const QJsonObject &options) override;
    Result<void> onJoin(RoomContext &context, const RoomMember &member) override;
    void onJoined(RoomContext &context, const RoomMember &member) override;
    void onLeave(RoomContext &context, const RoomMember &member, const QString &reason) override;
    Result<void> onMessage(RoomContext &context, const RoomMember &from, const protocol::RawJson &data) override;
    void onTimer(RoomContext &context, const QString &name) override;
    // Skips the turn if its deadline passed and the turn timer has not fired (yet); nothing otherwise.
    void onTick(RoomContext &context) override;
    std::chrono::milliseconds tickInterval() const override { return TickInterval; }
    void onDispose(RoomContext &context) override;
    protocol::RawJson state() const override { return m_state; }
    protocol::RawJson snapshot() const override { return m_snapshot; }
    Result<void> restore(RoomContext &context, const protocol::RawJson &snapshot) override;

private:
    enum class Phase { Waiting, Playing, Finished };

    struct Player
    {
        QString sessionId;
        QString playerId;
        int hp = StartHp;
        int healsLeft = MaxHeals;
        bool defending = false;
        int skippedTurns = 0; // in a row
    };

    // A snapshot read and checked in full, so restore() changes nothing when it refuses one.
    struct SavedGame
    {
        QList<Player> players;
        Phase phase = Phase::Waiting;
        int turnSeconds = DefaultTurnSeconds;
        qsizetype turn = 0;
        int round = 0;
        qint64 turnEndsAt = 0;
        std::optional<qsizetype> winner;
        QString reason;
        qint64 finishedAt = 0;
    };

    static QString phaseName(Phase phase);
    static Result<SavedGame> readSnapshot(const QJsonObject &snapshot, const QList<RoomMember> &members);
    static Result<Player> readPlayer(const QJsonObject &object, const QString &prefix, Phase phase);
    qsizetype indexOf(const QString &sessionId) const;
    qsizetype seatsTaken() const { return m_players.size() + m_pending.size(); }
    QJsonObject hpByPlayer() const;

    void start(RoomContext &context);
    Result<void> attack(RoomContext &context, qsizetype actor);
    Result<void> heal(RoomContext &context, qsizetype actor);
    Result<void> defend(RoomContext &context, qsizetype actor);
    void skipTurn(RoomContext &context);
    void nextTurn(RoomContext &context);
    void finish(RoomContext &context, qsizetype winner, const QString &reason);
    void publishState(RoomContext &context);

    QList<Player> m_players;     // seated, in join order (index 0 moves first)
    QList<RoomMember> m_pending; // accepted by onJoin, not yet added by the manager
    Phase m_phase = Phase::Waiting;
    int m_turnSeconds = DefaultTurnSeconds;
    qsizetype m_turn = 0;        // index into m_players
    int m_round = 0;
    qint64 m_turnEndsAt = 0;
    std::optional<qsizetype> m_winner;
    QString m_reason;
    qint64 m_finishedAt = 0;     // when the game ended, for the dispose timer of a restored duel
    protocol::RawJson m_state;
    // Built with m_state: every change publishes the state, and the worker may ask after every hook.
    protocol::RawJson m_snapshot;
};

} // namespace arena
