// RedisInfo: the figures the agent reports, parsed from the text of Redis' INFO command.
#pragma once

#include "shared/result.h"

#include <QByteArrayView>
#include <QJsonObject>
#include <QList>
#include <QString>

#include <optional>

namespace arena {

// A figure INFO did not contain (a section left out, an older server) stays empty rather than 0, so a
// dashboard can tell "none" from "not reported".
struct RedisInfo
{
    struct Db // one "dbN:keys=...,expires=...,avg_ttl=..." line of the Keyspace section
    {
        int index = 0;
        qint64 keys = 0;
        qint64 expires = 0;

        friend bool operator==(const Db &, const Db &) = default;
    };

    QString version;                               // redis_version
    std::optional<qint64> uptimeSeconds;           // uptime_in_seconds
    std::optional<qint64> usedMemory;              // used_memory (bytes)
    std::optional<qint64> usedMemoryPeak;          // used_memory_peak (bytes)
    std::optional<qint64> connectedClients;        // connected_clients
    std::optional<qint64> opsPerSecond;            // instantaneous_ops_per_sec
    std::optional<qint64> totalCommandsProcessed;  // total_commands_processed
    std::optional<qint64> pubsubChannels;          // pubsub_channels
    std::optional<qint64> pubsubPatterns;          // pubsub_patterns
    bool hasKeyspaceSection = false;               // "# Keyspace" was present (an empty one means no keys)
    QList<Db> keyspace;                            // in the order INFO lists them

    // Sum of keys over all databases; empty when INFO had no Keyspace section.
    std::optional<qint64> totalKeys() const;

    // Parses INFO's "field:value" lines (CRLF or LF), "# Section" headers and blank lines. Unknown lines
    // are skipped; a known numeric field that is not a number, or a malformed db line, is an error
    // ("invalid_info"), and so is a text without any of the known fields.
    static Result<RedisInfo> parse(QByteArrayView text);

    // {"version", "uptime_s", "used_memory", "used_memory_peak", "connected_clients", "ops_per_sec",
    //  "total_commands", "pubsub_channels", "pubsub_patterns", "keys", "keyspace": {"db0": {"keys",
    //  "expires"}, ...}}; absent figures are left out.
    QJsonObject toJson() const;
};

} // namespace arena
