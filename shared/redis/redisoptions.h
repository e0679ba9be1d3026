// RedisOptions: where and how to reach Redis, parsed from a redis:// URL, with Arena's timeouts.
#pragma once

#include "shared/result.h"

#include <QByteArray>
#include <QString>

#include <chrono>

namespace arena {

struct RedisOptions
{
    QByteArray host = QByteArrayLiteral("127.0.0.1");
    quint16 port = 6379;
    QByteArray username; // Redis 6 ACL user; empty means the default user
    QByteArray password; // empty means no AUTH
    int database = 0;
    QByteArray clientName; // CLIENT SETNAME, shows up in CLIENT LIST

    std::chrono::milliseconds connectTimeout{2000};
    std::chrono::milliseconds commandTimeout{5000};
    std::chrono::milliseconds reconnectMin{100};
    std::chrono::milliseconds reconnectMax{5000};
    // Commands issued while disconnected wait (up to their timeout) in a queue of this length;
    // past it they fail at once with "unavailable".
    int maxQueued = 10000;

    // redis://[[user]:password@]host[:port][/db]; percent-escapes in user and password are decoded.
    static Result<RedisOptions> fromUrl(const QString &url);
    // The URL without the password, for logs.
    QString displayUrl() const;
};

} // namespace arena
