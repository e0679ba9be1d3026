#include "shared/redis/redisoptions.h"

#include <QUrl>

namespace arena {

Result<RedisOptions> RedisOptions::fromUrl(const QString &text)
{
    const QUrl url(text, QUrl::StrictMode);
    const auto bad = [&](const QString &why) {
        return Result<RedisOptions>::failure(QStringLiteral("bad_url"),
                                             QStringLiteral("invalid Redis URL \"%1\": %2").arg(text, why));
    };
    if (!url.isValid())
        return bad(url.errorString());
    if (url.scheme() != QLatin1String("redis"))
        return bad(QStringLiteral("the scheme must be redis:// (rediss:// needs TLS, which hiredis 0.14 lacks)"));
    if (url.host().isEmpty())
        return bad(QStringLiteral("no host"));
    if (url.hasQuery() || url.hasFragment())
        return bad(QStringLiteral("query and fragment are not supported"));

    RedisOptions options;
    options.host = url.host().toUtf8();
    const int port = url.port(6379);
    if (port <= 0 || port > 65535)
        return bad(QStringLiteral("port out of range"));
    options.port = quint16(port);
    options.username = url.userName(QUrl::FullyDecoded).toUtf8();
    options.password = url.password(QUrl::FullyDecoded).toUtf8();
    if (!options.username.isEmpty() && options.password.isEmpty())
        return bad(QStringLiteral("a user name needs a password"));

    QString path = url.path();
    if (path.startsWith(QLatin1Char('/')))
        path.remove(0, 1);
    if (!path.isEmpty()) {
        bool ok = false;
        const int db = path.toInt(&ok);
        if (!ok || db < 0)
            return bad(QStringLiteral("the database \"%1\" is not a non-negative number").arg(path));
        options.database = db;
    }
    return options;
}

QString RedisOptions::displayUrl() const
{
    QString auth;
    if (!password.isEmpty())
        auth = QString::fromUtf8(username) + QStringLiteral(":***@");
    return QStringLiteral("redis://%1%2:%3/%4").arg(auth, QString::fromUtf8(host)).arg(port).arg(database);
}

} // namespace arena
