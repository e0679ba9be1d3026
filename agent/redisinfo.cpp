#include "agent/redisinfo.h"

#include <QByteArray>

#include <algorithm>
#include <utility>

namespace arena {

namespace {

Error invalid(const QString &why)
{
    return Error{QStringLiteral("invalid_info"), why};
}

// "db3:keys=12,expires=2,avg_ttl=0" (the prefix already checked)
std::optional<RedisInfo::Db> parseDb(QByteArrayView field, QByteArrayView value)
{
    bool ok = false;
    RedisInfo::Db db;
    db.index = int(field.sliced(2).toLongLong(&ok));
    if (!ok || db.index < 0)
        return std::nullopt;
    bool sawKeys = false;
    for (const QByteArray &pair : value.toByteArray().split(',')) {
        const qsizetype eq = pair.indexOf('=');
        if (eq <= 0)
            return std::nullopt;
        const QByteArray name = pair.left(eq);
        const qint64 n = pair.mid(eq + 1).toLongLong(&ok);
        if (!ok)
            return std::nullopt;
        if (name == "keys") {
            db.keys = n;
            sawKeys = true;
        } else if (name == "expires") {
            db.expires = n;
        }
    }
    return sawKeys ? std::optional<RedisInfo::Db>(db) : std::nullopt;
}

} // namespace

std::optional<qint64> RedisInfo::totalKeys() const
{
    if (!hasKeyspaceSection)
        return std::nullopt;
    qint64 sum = 0;
    for (const Db &db : keyspace)
        sum += db.keys;
    return sum;
}

Result<RedisInfo> RedisInfo::parse(QByteArrayView text)
{
    RedisInfo info;
    const std::pair<const char *, std::optional<qint64> RedisInfo::*> numeric[] = {
        {"uptime_in_seconds", &RedisInfo::uptimeSeconds},
        {"used_memory", &RedisInfo::usedMemory},
        {"used_memory_peak", &RedisInfo::usedMemoryPeak},
        {"connected_clients", &RedisInfo::connectedClients},
        {"instantaneous_ops_per_sec", &RedisInfo::opsPerSecond},
        {"total_commands_processed", &RedisInfo::totalCommandsProcessed},
        {"pubsub_channels", &RedisInfo::pubsubChannels},
        {"pubsub_patterns", &RedisInfo::pubsubPatterns},
    };
    bool known = false;
    bool inKeyspace = false;
    for (QByteArray line : text.toByteArray().split('\n')) {
        if (line.endsWith('\r'))
            line.chop(1);
        if (line.isEmpty())
            continue;
        if (line.startsWith('#')) {
            inKeyspace = line.mid(1).trimmed().compare("keyspace", Qt::CaseInsensitive) == 0;
            if (inKeyspace) {
                info.hasKeyspaceSection = true;
                known = true;
            }
            continue;
        }
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue; // not a figure; INFO has none, but a proxy in front of Redis might add some
        const QByteArrayView field = QByteArrayView(line).first(colon);
        const QByteArrayView value = QByteArrayView(line).sliced(colon + 1);
        if (inKeyspace || (field.startsWith("db") && field.size() > 2 && value.startsWith("keys="))) {
            const auto db = parseDb(field, value);
            if (!db)
                return invalid(QStringLiteral("malformed keyspace line \"%1\"").arg(QString::fromUtf8(line.left(80))));
            info.hasKeyspaceSection = true;
            info.keyspace.append(*db);
            known = true;
            continue;
        }
        if (field == "redis_version") {
            info.version = QString::fromUtf8(value.trimmed());
            known = true;
            continue;
        }
        for (const auto &[name, member] : numeric) {
            if (field != name)
                continue;
            bool ok = false;
            const qint64 n = value.trimmed().toLongLong(&ok);
            if (!ok)
                return invalid(QStringLiteral("%1 is not a number: \"%2\"")
                                   .arg(QLatin1String(name), QString::fromUtf8(value.first(std::min<qsizetype>(value.size(), 40)))));
            info.*member = n;
            known = true;
            break;
        }
    }
    if (!known)
        return invalid(QStringLiteral("none of the expected INFO fields is present"));
    return info;
}

QJsonObject RedisInfo::toJson() const
{
    QJsonObject o;
    if (!version.isEmpty())
        o.insert(QStringLiteral("version"), version);
    const std::pair<const char *, std::optional<qint64>> figures[] = {
        {"uptime_s", uptimeSeconds},
        {"used_memory", usedMemory},
        {"used_memory_peak", usedMemoryPeak},
        {"connected_clients", connectedClients},
        {"ops_per_sec", opsPerSecond},
        {"total_commands", totalCommandsProcessed},
        {"pubsub_channels", pubsubChannels},
        {"pubsub_patterns", pubsubPatterns},
        {"keys", totalKeys()},
    };
    for (const auto &[name, value] : figures) {
        if (value)
            o.insert(QLatin1String(name), *value);
    }
    if (hasKeyspaceSection) {
        QJsonObject dbs;
        for (const Db &db : keyspace)
            dbs.insert(QStringLiteral("db%1").arg(db.index),
                       QJsonObject{{QStringLiteral("keys"), db.keys}, {QStringLiteral("expires"), db.expires}});
        o.insert(QStringLiteral("keyspace"), dbs);
    }
    return o;
}

} // namespace arena
