#include "server/auth/playerauth.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QJsonValue>
#include <QLoggingCategory>
#include <QMessageAuthenticationCode>

#include <algorithm>
#include <cmath>

namespace arena {

namespace {

Q_LOGGING_CATEGORY(lcAuth, "arena.server.auth")

constexpr auto kBase64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;
constexpr qsizetype kSignatureBytes = 32;
constexpr qsizetype kMaxIdBytes = 128;
// Unix seconds JSON can carry exactly (2^53) and QDateTime can represent.
constexpr double kMaxSeconds = 9007199254.0 * 1000000.0;

Error unauthorized(const char *message)
{
    return Error{QStringLiteral("unauthorized"), QString::fromLatin1(message)};
}

Error invalidConfig(const QString &message)
{
    return Error{QStringLiteral("invalid_config"), message};
}

bool isBase64UrlChar(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
}

// Strict base64url: the alphabet only, no padding, and the canonical encoding of what it decodes to.
std::optional<QByteArray> decodeBase64Url(const QByteArray &text)
{
    if (text.isEmpty() || !std::all_of(text.cbegin(), text.cend(), isBase64UrlChar))
        return std::nullopt;
    const QByteArray::FromBase64Result decoded =
        QByteArray::fromBase64Encoding(text, kBase64Url | QByteArray::AbortOnBase64DecodingErrors);
    if (!decoded || decoded.decoded.toBase64(kBase64Url) != text)
        return std::nullopt;
    return decoded.decoded;
}

std::optional<QJsonObject> jsonObject(const QByteArray &json)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return std::nullopt;
    return doc.object();
}

bool isValidPlayerId(const QString &id)
{
    if (id.isEmpty() || id.toUtf8().size() > kMaxIdBytes)
        return false;
    return std::none_of(id.cbegin(), id.cend(), [](QChar c) { return c.unicode() < 0x20 || c.unicode() == 0x7f; });
}

// A NumericDate claim: a finite JSON number of seconds within range.
std::optional<double> numericDate(const QJsonValue &value)
{
    if (!value.isDouble())
        return std::nullopt;
    const double seconds = value.toDouble();
    if (!std::isfinite(seconds) || std::fabs(seconds) > kMaxSeconds)
        return std::nullopt;
    return seconds;
}

const QByteArray &headerPart()
{
    static const QByteArray part = QByteArrayLiteral(R"({"alg":"HS256","typ":"JWT"})").toBase64(kBase64Url);
    return part;
}

} // namespace

PlayerAuth::PlayerAuth(QByteArray secret) : m_secret(std::move(secret)) {}

Result<PlayerAuth> PlayerAuth::fromSecret(QByteArray secret)
{
    if (secret.size() < MinimumSecretBytes)
        return invalidConfig(QStringLiteral("the player token secret has %1 bytes; at least %2 are needed")
                                 .arg(secret.size())
                                 .arg(MinimumSecretBytes));
    return PlayerAuth(std::move(secret));
}

Result<PlayerAuth> PlayerAuth::fromSecretFile(const QString &path)
{
    if (path.isEmpty())
        return invalidConfig(QStringLiteral("no player token secret file given"));
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return invalidConfig(QStringLiteral("player token secret file %1: %2").arg(path, file.errorString()));
    QByteArray secret = file.read(MaximumSecretFileBytes + 1);
    if (secret.size() > MaximumSecretFileBytes)
        return invalidConfig(QStringLiteral("player token secret file %1 is larger than %2 bytes")
                                 .arg(path)
                                 .arg(MaximumSecretFileBytes));
    const auto isTrailingSpace = [](char c) { return c == '\r' || c == '\n' || c == ' ' || c == '\t'; };
    while (!secret.isEmpty() && isTrailingSpace(secret.back()))
        secret.chop(1);
    if (secret.size() < MinimumSecretBytes)
        return invalidConfig(QStringLiteral("player token secret file %1 holds %2 bytes; at least %3 are needed")
                                 .arg(path)
                                 .arg(secret.size())
                                 .arg(MinimumSecretBytes));
    if (file.permissions() & (QFileDevice::ReadOther | QFileDevice::WriteOther))
        qCWarning(lcAuth, "player token secret file %s is accessible to every user; restrict it (chmod 600)",
                  qUtf8Printable(path));
    return PlayerAuth(std::move(secret));
}

QByteArray PlayerAuth::sign(const QByteArray &signingInput) const
{
    return QMessageAuthenticationCode::hash(signingInput, m_secret, QCryptographicHash::Sha256);
}

Result<QString> PlayerAuth::issue(const QString &playerId, std::chrono::seconds ttl) const
{
    return issue(playerId, ttl, QDateTime::currentDateTimeUtc());
}

Result<QString> PlayerAuth::issue(const QString &playerId, std::chrono::seconds ttl, const QDateTime &now) const
{
    if (!isValidPlayerId(playerId))
        return Error{QStringLiteral("bad_request"),
                     QStringLiteral("a player id is 1..128 bytes without control characters")};
    if (ttl.count() <= 0)
        return Error{QStringLiteral("bad_request"), QStringLiteral("a token needs a positive lifetime")};
    const qint64 issuedAt = now.toSecsSinceEpoch();
    const QJsonObject payload{
        {QStringLiteral("sub"), playerId},
        {QStringLiteral("iat"), double(issuedAt)},
        {QStringLiteral("exp"), double(issuedAt + ttl.count())},
    };
    const QByteArray signingInput =
        headerPart() + '.' + QJsonDocument(payload).toJson(QJsonDocument::Compact).toBase64(kBase64Url);
    return QString::fromLatin1(signingInput + '.' + sign(signingInput).toBase64(kBase64Url));
}

Result<PlayerClaims> PlayerAuth::verify(const QString &token) const
{
    return verify(token, QDateTime::currentDateTimeUtc());
}

Result<PlayerClaims> PlayerAuth::verify(const QString &token, const QDateTime &now) const
{
    if (token.isEmpty() || token.size() > MaximumTokenBytes)
        return unauthorized("malformed token");
    const QByteArray bytes = token.toLatin1();
    if (QString::fromLatin1(bytes) != token)
        return unauthorized("malformed token");
    const QList<QByteArray> parts = bytes.split('.');
    if (parts.size() != 3)
        return unauthorized("malformed token");
    const std::optional<QByteArray> headerJson = decodeBase64Url(parts[0]);
    const std::optional<QByteArray> payloadJson = decodeBase64Url(parts[1]);
    const std::optional<QByteArray> signature = decodeBase64Url(parts[2]);
    if (!headerJson || !payloadJson || !signature || signature->size() != kSignatureBytes)
        return unauthorized("malformed token");

    // Nothing the token says is believed before its signature is.
    if (!constantTimeEquals(sign(parts[0] + '.' + parts[1]), *signature))
        return unauthorized("bad signature");

    const std::optional<QJsonObject> header = jsonObject(*headerJson);
    if (!header || header->value(QLatin1String("alg")) != QJsonValue(QStringLiteral("HS256"))
        || (header->contains(QLatin1String("typ")) && header->value(QLatin1String("typ")) != QJsonValue(QStringLiteral("JWT")))) {
        qCDebug(lcAuth) << "token header refused:" << *headerJson;
        return unauthorized("malformed token");
    }
    const std::optional<QJsonObject> payload = jsonObject(*payloadJson);
    if (!payload)
        return unauthorized("malformed token");
    const QJsonValue sub = payload->value(QLatin1String("sub"));
    const std::optional<double> exp = numericDate(payload->value(QLatin1String("exp")));
    if (!sub.isString() || !isValidPlayerId(sub.toString()) || !exp)
        return unauthorized("malformed token");
    std::optional<double> nbf;
    if (payload->contains(QLatin1String("nbf"))) {
        nbf = numericDate(payload->value(QLatin1String("nbf")));
        if (!nbf)
            return unauthorized("malformed token");
    }

    const double nowSeconds = double(now.toMSecsSinceEpoch()) / 1000.0;
    const auto skew = double(m_clockSkew.count());
    if (nowSeconds >= *exp + skew)
        return unauthorized("token expired");
    if (nbf && nowSeconds < *nbf - skew)
        return unauthorized("token not yet valid");
    return PlayerClaims{sub.toString(), QDateTime::fromSecsSinceEpoch(qint64(std::floor(*exp)), Qt::UTC)};
}

bool PlayerAuth::constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    // volatile keeps the compiler from turning the loop into an early-exit comparison.
    volatile unsigned char difference = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        difference = difference | static_cast<unsigned char>(a[i] ^ b[i]);
    return difference == 0;
}

QList<SettingSpec> PlayerAuth::specs()
{
    return {
        SettingSpec::filePath(QStringLiteral("player-token-secret-file"), QString(),
                              QStringLiteral("File holding the shared secret (at least 32 bytes) of signed player "
                                             "tokens (JWT HS256); when set, hello must carry a valid token. "
                                             "Empty: players are anonymous"),
                              true),
        SettingSpec::duration(QStringLiteral("player-token-clock-skew"), std::chrono::seconds(0),
                              QStringLiteral("Clock difference tolerated when checking a token's expiry"),
                              std::chrono::seconds(0), std::chrono::minutes(10)),
    };
}

} // namespace arena
