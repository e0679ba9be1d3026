#include "agent/agentsettings.h"

#include "shared/core/defaults.h"
#include "shared/core/logging.h"

using namespace std::chrono_literals;

namespace arena {

QList<SettingSpec> agentSettings()
{
    QList<SettingSpec> specs{
        SettingSpec::url(QStringLiteral("server"), QStringLiteral("http://127.0.0.1:4601"),
                         QStringLiteral("Admin API of the arena-server instance this agent watches"),
                         {QStringLiteral("http"), QStringLiteral("https")}),
        SettingSpec::filePath(QStringLiteral("server-token-file"), QString(),
                              QStringLiteral("Token file of the server's admin API; the agent presents its first "
                                             "operator token (else its first token)"),
                              true),
        SettingSpec::filePath(QStringLiteral("server-ca-file"), QString(),
                              QStringLiteral("PEM certificates to trust for an https:// server (its own, or the CA that "
                                             "signed it); empty: the system's trust store"),
                              true),
        SettingSpec::integer(QStringLiteral("port"), 4602,
                             QStringLiteral("Agent port: WebSocket admin protocol and HTTP /live, /metrics, /snapshot; "
                                            "0 picks a free port"),
                             0, 65535),
        SettingSpec::string(QStringLiteral("bind"), QStringLiteral("127.0.0.1"),
                            QStringLiteral("Address the agent port listens on (0.0.0.0 for every interface)")),
        SettingSpec::url(QStringLiteral("redis"), QString(),
                         QStringLiteral("Shared Redis redis://[user:password@]host[:port][/db]; empty: this agent "
                                        "serves its own instance only"),
                         {QStringLiteral("redis")}),
        SettingSpec::string(QStringLiteral("redis-prefix"), QString(defaults::redisKeyPrefix),
                            QStringLiteral("Prefix of every Redis key and channel the agent uses")),
        SettingSpec::filePath(QStringLiteral("token-file"), QString(),
                              QStringLiteral("File of \"role token [name]\" lines (viewer, operator) for consoles and "
                                             "arena-ctl; without it loopback clients only, as operator"),
                              true),
        SettingSpec::string(QStringLiteral("instance-id"), QString(),
                            QStringLiteral("Id of the instance; empty: learnt from the server before the agent is ready")),
        SettingSpec::duration(QStringLiteral("interval"), 1s,
                              QStringLiteral("Collection and publishing interval"), 100ms, 1min),
        SettingSpec::duration(QStringLiteral("action-timeout"), 10s,
                              QStringLiteral("How long an action routed to another instance's agent may take"), 100ms,
                              10min),
        SettingSpec::integer(QStringLiteral("audit-max-entries"), 10000,
                             QStringLiteral("Approximate cap of the Redis audit stream"), 100, 10000000),
    };
    specs += loggingSettings();
    return specs;
}

} // namespace arena
