#include "server/serversettings.h"

#include "shared/core/defaults.h"
#include "shared/core/logging.h"

using namespace std::chrono_literals;

namespace arena {

QList<SettingSpec> serverSettings()
{
    QList<SettingSpec> specs{
        SettingSpec::integer(QStringLiteral("admin-port"), defaults::adminPort,
                             QStringLiteral("Admin HTTP port (health, metrics, actions); 0 picks a free port"), 0, 65535),
        SettingSpec::string(QStringLiteral("bind"), QStringLiteral("127.0.0.1"),
                            QStringLiteral("Address the admin port listens on (0.0.0.0 for every interface)")),
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
        SettingSpec::string(QStringLiteral("instance-id"), QString(),
                            QStringLiteral("Name of this instance in the fleet; empty means <hostname>-<pid>")),
        SettingSpec::filePath(QStringLiteral("admin-token-file"), QString(),
                              QStringLiteral("File of \"role token\" lines (viewer, operator); without it the "
                                             "admin API serves loopback clients only"),
                              true),
        SettingSpec::duration(QStringLiteral("store-check-interval"), 5s,
                              QStringLiteral("How often the store round trip is measured for /health"), 100ms, 10min),
        SettingSpec::duration(QStringLiteral("shutdown-deadline"), defaults::shutdownDeadline,
                              QStringLiteral("Longest a graceful shutdown may take before the process exits"),
                              0ms, 10min),
    };
    specs += loggingSettings();
    return specs;
}

} // namespace arena
