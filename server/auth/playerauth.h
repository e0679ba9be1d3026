// PlayerAuth: HMAC-SHA256 signed player tokens with an expiry, checked before a session is created.
#pragma once

#include "shared/core/settingspec.h"
#include "shared/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QString>

#include <chrono>

namespace arena {

struct PlayerClaims
{
    QString playerId;
    QDateTime expiresAt; // UTC, whole seconds

    friend bool operator==(const PlayerClaims &, const PlayerClaims &) = default;
};

// Tokens are compact JWS (JWT) with HS256, so any JWT library holding the same secret can mint them:
//
//   base64url(header) "." base64url(payload) "." base64url(HMAC-SHA256(secret, first two parts))
//   header  {"alg":"HS256","typ":"JWT"}   (alg must be HS256; typ, if present, "JWT")
//   payload {"sub":"<player id>","exp":<unix seconds>,"iat":<unix seconds>}
//
// base64url without padding. `sub` is a protocol id (1..128 bytes, no control characters); `exp` is
// required; an optional `nbf` is honoured; other claims are ignored. The signature is checked (in
// constant time) before the payload is parsed. verify() fails with code "unauthorized" and one of the
// messages "malformed token", "bad signature", "token expired", "token not yet valid".
//
// The secret is at least 32 bytes. A secret file holds it as raw bytes; trailing newlines, carriage
// returns, spaces and tabs are not part of it (so `openssl rand -base64 48 > file` works).
// Without a PlayerAuth the server stays anonymous: players name themselves in hello.
class PlayerAuth final
{
public:
    static constexpr qsizetype MinimumSecretBytes = 32;
    static constexpr qsizetype MaximumSecretFileBytes = 64 * 1024;
    static constexpr qsizetype MaximumTokenBytes = 4096;

    // Error code "invalid_config": too short a secret; for a file also unreadable, too large; the
    // message names the file.
    static Result<PlayerAuth> fromSecret(QByteArray secret);
    static Result<PlayerAuth> fromSecretFile(const QString &path);

    // A token for playerId valid for ttl from now. Error "bad_request" for an invalid player id or a
    // ttl that is not positive.
    Result<QString> issue(const QString &playerId, std::chrono::seconds ttl) const;
    Result<QString> issue(const QString &playerId, std::chrono::seconds ttl, const QDateTime &now) const;

    Result<PlayerClaims> verify(const QString &token) const;
    Result<PlayerClaims> verify(const QString &token, const QDateTime &now) const;

    // Clock difference tolerated between the token's issuer and this server (exp and nbf); default 0.
    void setClockSkew(std::chrono::seconds allowance) { m_clockSkew = allowance; }
    std::chrono::seconds clockSkew() const { return m_clockSkew; }

    // Equality of two byte strings in time that depends on their lengths only.
    static bool constantTimeEquals(const QByteArray &a, const QByteArray &b);

    // The player-token-* settings arena-server adds to its spec list (a secret file turns tokens on).
    static QList<SettingSpec> specs();

private:
    explicit PlayerAuth(QByteArray secret);
    QByteArray sign(const QByteArray &signingInput) const;

    QByteArray m_secret;
    std::chrono::seconds m_clockSkew{0};
};

} // namespace arena
