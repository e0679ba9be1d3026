#include "server/serversettings.h"

#include "server/auth/playerauth.h"
#include "server/matchmaking/matchmakersettings.h"
#include "shared/core/defaults.h"
#include "shared/core/logging.h"

using namespace std::chrono_literals;

namespace arena {

QList<SettingSpec> serverSettings()
{
    QList<SettingSpec> specs{
        SettingSpec::integer(QStringLiteral("player-port"), defaults::playerPort,
                             QStringLiteral("Player WebSocket port; 0 picks a free port"), 0, 65535),
        SettingSpec::string(QStringLiteral("bind"), QStringLiteral("0.0.0.0"),
                            QStringLiteral("Address the player port listens on")),
        SettingSpec::integer(QStringLiteral("session-limit"), 10000,
                             QStringLiteral("Sessions this instance holds; over it a connection gets server_busy "
                                            "and close 1013 (seed 001)"),
                             1, 1000000),
        SettingSpec::duration(QStringLiteral("session-idle-timeout"), defaults::sessionIdleExpiry,
                              QStringLiteral("A session that sends nothing for this long is closed (seed 001)"),
                              1s, 24h),
        SettingSpec::duration(QStringLiteral("resume-grace"), defaults::sessionIdleExpiry,
                              QStringLiteral("How long a dropped session keeps its seats, waiting for a resume"),
                              0ms, 24h),
        SettingSpec::duration(QStringLiteral("cleanup-interval"), defaults::cleanupInterval,
                              QStringLiteral("Period of the cleanup sweep (idle sessions, empty rooms, stale "
                                             "tickets, orphaned states; seeds 000, 001)"),
                              100ms, 24h),
        SettingSpec::duration(QStringLiteral("hello-timeout"), 10s,
                              QStringLiteral("Time a new connection has to upgrade to WebSocket and say hello"),
                              100ms, 5min),
        SettingSpec::enumeration(QStringLiteral("player-transport"), {QStringLiteral("native"), QStringLiteral("qt")},
                                 QStringLiteral("native"),
                                 QStringLiteral("WebSocket implementation of the player port: native (the server's "
                                                "own, lean per connection) or qt (QWebSocketServer)")),
        SettingSpec::duration(QStringLiteral("heartbeat-interval"), 15s,
                              QStringLiteral("How often clients are asked to ping when otherwise idle"), 1s, 10min),
        SettingSpec::integer(QStringLiteral("max-message-bytes"), 64 * 1024,
                             QStringLiteral("Largest player message; a larger one closes the connection with 1009"),
                             1024, 16 * 1024 * 1024),
        SettingSpec::integer(QStringLiteral("messages-per-second"), 50,
                             QStringLiteral("Sustained messages per second a session may send"), 1, 100000),
        SettingSpec::integer(QStringLiteral("message-burst"), 100,
                             QStringLiteral("Messages a session may send at once above the sustained rate"), 1,
                             1000000),
        SettingSpec::integer(QStringLiteral("max-outbound-bytes"), 1024 * 1024,
                             QStringLiteral("Unsent bytes a client may leave queued before it is disconnected"),
                             4096, 1024 * 1024 * 1024),
        SettingSpec::integer(QStringLiteral("admin-port"), defaults::adminPort,
                             QStringLiteral("Admin HTTP port (health, metrics, actions); 0 picks a free port"), 0, 65535),
        SettingSpec::string(QStringLiteral("admin-bind"), QStringLiteral("127.0.0.1"),
                            QStringLiteral("Address the admin port listens on (0.0.0.0 for every interface)")),
        SettingSpec::filePath(QStringLiteral("tls-cert"), QString(),
                              QStringLiteral("PEM certificate chain (the server's first) for TLS on the player and admin "
                                             "ports (wss://, https://); with tls-key. Empty: plain TCP"),
                              true),
        SettingSpec::filePath(QStringLiteral("tls-key"), QString(),
                              QStringLiteral("PEM private key (unencrypted) of tls-cert"), true),
        SettingSpec::enumeration(QStringLiteral("tls-ports"),
                                 {QStringLiteral("both"), QStringLiteral("player"), QStringLiteral("admin")},
                                 QStringLiteral("both"),
                                 QStringLiteral("Which ports serve TLS when tls-cert is set (the player port then uses "
                                                "the qt transport)")),
        SettingSpec::url(QStringLiteral("redis"), QString(),
                         QStringLiteral("Redis URL redis://[user:password@]host[:port][/db]; "
                                        "empty runs on the embedded in-memory store"),
                         {QStringLiteral("redis")}),
        SettingSpec::string(QStringLiteral("redis-prefix"), QString(defaults::redisKeyPrefix),
                            QStringLiteral("Prefix of every Redis key and channel Arena writes")),
        SettingSpec::integer(QStringLiteral("redis-pool-size"), 2,
                             QStringLiteral("Redis connections for commands (pub/sub has its own)"), 1, 64),
        SettingSpec::duration(QStringLiteral("redis-connect-timeout"), 2s,
                              QStringLiteral("Time allowed to connect and authenticate to Redis"), 100ms, 60s),
        SettingSpec::duration(QStringLiteral("redis-command-timeout"), 5s,
                              QStringLiteral("Time a Redis command may take before it fails"), 50ms, 5min),
        SettingSpec::duration(QStringLiteral("lease-ttl"), 10s,
                              QStringLiteral("Lifetime of this instance's lease in the fleet registry; renewed every "
                                             "third of it. An instance that misses it (paused, cut off) takes no new "
                                             "work until it registers again with a new epoch"),
                              1s, 10min),
        SettingSpec::string(QStringLiteral("instance-id"), QString(),
                            QStringLiteral("Name of this instance in the fleet; empty means <hostname>-<pid>")),
        SettingSpec::filePath(QStringLiteral("admin-token-file"), QString(),
                              QStringLiteral("File of \"role token\" lines (viewer, operator); without it the "
                                             "admin API serves loopback clients only"),
                              true),
        SettingSpec::duration(QStringLiteral("store-check-interval"), 5s,
                              QStringLiteral("How often the store round trip is measured for /health"), 100ms, 10min),
        SettingSpec::integer(QStringLiteral("workers-min"), defaults::workersMin,
                             QStringLiteral("arena-worker processes kept running even when idle (seed 004)"), 0, 64),
        SettingSpec::integer(QStringLiteral("workers-max"), defaults::workersMax(),
                             QStringLiteral("Most arena-worker processes; 0 runs worker room types (duel) inside "
                                            "the server process. Default: min(cores, 4) (seed 004)"),
                             0, 64),
        SettingSpec::integer(QStringLiteral("worker-match-limit"), defaults::workerMatchLimit,
                             QStringLiteral("Matches one worker hosts before new ones go to another (measured: "
                                            "docs/BENCHMARKS.md, worker pool)"),
                             1, 100000),
        SettingSpec::duration(QStringLiteral("worker-idle-timeout"), defaults::workerIdleSuspension,
                              QStringLiteral("A worker without matches for this long is stopped, down to "
                                             "--workers-min (seed 004)"),
                              100ms, 24h),
        SettingSpec::duration(QStringLiteral("worker-watchdog-timeout"), defaults::workerWatchdogTimeout,
                              QStringLiteral("A worker that does not answer its watchdog for this long is killed "
                                             "and its matches restored elsewhere (seed 001)"),
                              100ms, 10min),
        SettingSpec::duration(QStringLiteral("worker-drain-deadline"), 60s,
                              QStringLiteral("Default time a draining worker's matches have to finish before they "
                                             "are moved to other workers"),
                              0ms, 24h),
        SettingSpec::filePath(QStringLiteral("worker-binary"), QString(),
                              QStringLiteral("The arena-worker executable; default: next to arena-server")),
        SettingSpec::filePath(QStringLiteral("audit-log"), QString(),
                              QStringLiteral("File that operator actions are appended to as JSON lines (who, when, "
                                             "what, result); they are logged and kept for GET /audit either way")),
        SettingSpec::duration(QStringLiteral("shutdown-deadline"), defaults::shutdownDeadline,
                              QStringLiteral("Longest a graceful shutdown may take before the process exits"),
                              0ms, 10min),
    };
    specs += PlayerAuth::specs();
    specs += MatchmakerSettings::specs();
    specs += loggingSettings();
    return specs;
}

} // namespace arena
