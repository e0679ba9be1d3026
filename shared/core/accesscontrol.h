// AccessControl: who may use an admin API — bearer tokens from a token file (`role token` lines),
// or, without a token file, loopback clients only, as operator.
#pragma once

#include "shared/result.h"

#include <QByteArray>
#include <QHostAddress>
#include <QList>
#include <QString>

#include <optional>

namespace arena {

enum class Role { Viewer, Operator };

QString roleName(Role role);

// A token for a client to present, from a token file of "role token [name]" lines ('#' starts a
// comment): the first token of role `prefer` if there is one, else the first token. Errors
// ("invalid_config") name the file, and the line of a malformed one.
Result<QByteArray> readTokenFile(const QString &path, std::optional<Role> prefer = std::nullopt);

class AccessControl final
{
public:
    // Without tokens: loopback clients only, treated as operator (DESIGN.md "Interfaces users see").
    AccessControl() = default;

    // Who presented a token: its role and a name for audit trails (the token file's third column, else
    // "<role>-<first 8 hex digits of the token's SHA-256>"; "loopback" without a token file).
    struct Identity
    {
        Role role = Role::Viewer;
        QString name;
    };

    // Reads lines "role token [name]" (roles viewer, operator; name: letters, digits, '-', '_', '.',
    // at most 64; '#' starts a comment). A malformed line, an
    // unknown role, a token shorter than 16 characters, a duplicate token or an unreadable or empty
    // file is an error naming the file and line.
    static Result<AccessControl> fromTokenFile(const QString &path);
    static Result<AccessControl> fromText(const QByteArray &text, const QString &origin);

    bool usesTokens() const { return !m_tokens.isEmpty(); }
    int tokenCount() const { return int(m_tokens.size()); }

    // Checks a request: `authorization` is the Authorization header ("Bearer <token>").
    // Errors: "unauthorized" (no or unknown token; HTTP 401), "forbidden" (viewer asking for an
    // operator action, or a remote client when no token file is configured; HTTP 403).
    Result<Role> authorize(const QByteArray &authorization, const QHostAddress &peer, Role needed) const;

    // Checks a bare token (as sent in a WebSocket auth message) from `peer`. Errors as authorize(), but
    // no role is asked for: the caller decides per request what the identity's role allows.
    Result<Identity> identify(const QByteArray &token, const QHostAddress &peer) const;

private:
    struct Token
    {
        Role role;
        QByteArray token;
        QString name;
    };
    QList<Token> m_tokens;
};

} // namespace arena
