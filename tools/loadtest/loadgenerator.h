// LoadGenerator: arena-loadtest's core — simulated players that connect, join rooms, send timestamped
// room messages at a fixed rate, and the figures they measure.
#pragma once

#include "tools/loadtest/latencyhistogram.h"
#include "tools/loadtest/loadreport.h"
#include "tools/loadtest/loadtestoptions.h"

#include "shared/protocol/playermessages.h"

#include <QElapsedTimer>
#include <QObject>
#include <QHash>

#include <functional>
#include <memory>
#include <vector>

class QNetworkAccessManager;
class QTimer;

namespace arena {

class PlayerClient;

// One run, in phases; every phase has a count and a time limit, and a hard deadline over the whole run
// (LoadTestOptions::hardDeadlineSeconds) stops it whatever happens:
//   Preparing   reach the server's player port (TCP) and, with --admin-url, read its pid from /health
//   Connecting  open --clients connections at --connect-rate; each says hello and joins its room (or
//               queues and joins its match); ends when every client is in or has failed, at most
//               --join-timeout after the last connection was opened
//   Sending     each client in a room sends --rate messages per second for --duration seconds
//   Draining    wait for the deliveries still in flight, at most --drain-timeout
//   Closing     close every connection (close 1000), at most 3 s
// It only ever connects to the URLs in its options.
class LoadGenerator final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(LoadGenerator)

public:
    enum class Phase { Idle, Preparing, Connecting, Sending, Draining, Closing, Done };
    Q_ENUM(Phase)

    // Once-a-second figures for the live progress line.
    struct Progress
    {
        double elapsedSeconds = 0.0;
        Phase phase = Phase::Idle;
        int clients = 0;
        int opened = 0;
        int joined = 0;
        int failed = 0;
        quint64 sent = 0;
        quint64 delivered = 0;
        quint64 deliveredLastSecond = 0;
        qint64 p50LastSecondNs = 0; // latency of the deliveries of the last second
        qint64 p99LastSecondNs = 0;
        quint64 errors = 0;
        quint64 disconnects = 0;

        QString toText() const;
    };

    // Clients whose socket holds more unsent bytes than this skip their sends (counted as skipped), so
    // a server that stops reading cannot grow the generator's memory.
    static constexpr qint64 MaxUnsentBytes = 1024 * 1024;
    static constexpr int CloseTimeoutMs = 3000;

    explicit LoadGenerator(LoadTestOptions options, QObject *parent = nullptr);
    ~LoadGenerator() override;

    // Starts the run; finished() follows, always (the report says how it went).
    void start();
    // Ends the run early (SIGINT): skips to closing; the report says it was interrupted.
    void interrupt();

    Phase phase() const { return m_phase; }
    const LoadReport &report() const { return m_report; }
    static QString phaseName(Phase phase);

Q_SIGNALS:
    void progressed(const arena::LoadGenerator::Progress &progress);
    void finished();

private:
    enum class PlayerState { Idle, Connecting, Joining, InRoom, Failed, Gone };
    struct Player
    {
        PlayerClient *client = nullptr;
        int index = 0;
        PlayerState state = PlayerState::Idle;
        qint64 openedNs = 0;
        quint64 joinRid = 0;
        QString roomId;
        QByteArray sendPrefix; // {"type":"room_message","room_id":"...","data":
        quint64 nextSeq = 1;
        QHash<int, quint64> lastSeqFrom; // sender index -> last sequence number received (room-size entries)
    };

    void setPhase(Phase phase);
    void prepare();
    void probePlayerPort(std::function<void()> next, int index = 0);
    void sampleWatched(QList<std::optional<ProcessSample>> &into);
    void findServerPid(std::function<void()> next);
    void sampleServer(std::optional<ProcessSample> &into);
    void beginConnecting();
    void openDue();
    void openPlayer(Player &player);
    void disableNagle(PlayerClient &client);
    void onWelcomed(Player &player, const protocol::Welcome &welcome);
    void onMessage(Player &player, const protocol::ServerMessage &message);
    void onRoomEvent(Player &player, const protocol::RoomEvent &event);
    void onJoined(Player &player, const protocol::Joined &joined);
    void onDisconnected(Player &player, quint16 code, const QString &reason);
    void failPlayer(Player &player, const QString &code);
    void countError(const QString &code);
    void checkConnectingDone();
    void joinTimedOut();
    void beginSending();
    void sendDue();
    void sendOne(Player &player);
    void beginDraining();
    void beginClosing();
    void checkClosingDone();
    void finish();
    void fail(const QString &setupError);
    void emitProgress();
    qint64 nowNs() const { return m_clock.nsecsElapsed(); }

    LoadTestOptions m_options;
    QSslConfiguration m_tls; // m_options.tlsConfiguration(), built once
    LoadReport m_report;
    Phase m_phase = Phase::Idle;
    QElapsedTimer m_clock;
    std::vector<std::unique_ptr<Player>> m_players;
    // Players of this run in each room now; a message sent to a room is expected once per member.
    QHash<QString, int> m_roomPopulation;
    int m_opened = 0;
    int m_settled = 0; // players in a room, failed or gone during the connecting phase
    qint64 m_connectStartNs = 0;
    qint64 m_sendStartNs = 0;
    quint64 m_totalSends = 0;
    quint64 m_scheduled = 0; // send slots used so far (sent or skipped)
    quint64 m_skipped = 0;
    quint64 m_pings = 0;
    quint64 m_pingSlots = 0; // idle mode: ping slots used so far
    quint64 m_heartbeatMs = 0;
    qint64 m_serverPid = 0;
    int m_inRoom = 0;          // players in their room now
    int m_openConnections = 0; // clients whose connection is not closed

    QTimer *m_connectTimer = nullptr;
    QTimer *m_joinDeadline = nullptr;
    QTimer *m_sendTimer = nullptr;
    QTimer *m_drainDeadline = nullptr;
    QTimer *m_closeDeadline = nullptr;
    QTimer *m_hardDeadline = nullptr;
    QTimer *m_progressTimer = nullptr;
    QNetworkAccessManager *m_network = nullptr;

    LatencyHistogram m_lastSecond;
    quint64 m_deliveredAtLastProgress = 0;
};

} // namespace arena
