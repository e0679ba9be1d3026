#include "shared/core/accesscontrol.h"

#include <QCryptographicHash>
#include <QFile>
#include <QRegularExpression>

namespace arena {

namespace {

constexpr qsizetype minimumTokenLength = 16;

// Compares without an early exit, so response time does not reveal how much of a token matched.
bool constantTimeEquals(const QByteArray &a, const QByteArray &b)
{
    if (a.size() != b.size())
        return false;
    unsigned char diff = 0;
    for (qsizetype i = 0; i < a.size(); ++i)
        diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

} // namespace

QString roleName(Role role)
{
    return role == Role::Operator ? QStringLiteral("operator") : QStringLiteral("viewer");
}

Result<QByteArray> readTokenFile(const QString &path, std::optional<Role> prefer)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("invalid_config"), QStringLiteral("cannot read token file %1: %2").arg(path, file.errorString())};
    QByteArray first;
    int lineNumber = 0;
    while (!file.atEnd()) {
        ++lineNumber;
        QByteArray line = file.readLine();
        if (const qsizetype hash = line.indexOf('#'); hash >= 0)
            line.truncate(hash);
        const QList<QByteArray> fields = line.simplified().split(' ');
        if (fields.size() == 1 && fields.first().isEmpty())
            continue;
        if (fields.size() < 2)
            return Error{QStringLiteral("invalid_config"),
                         QStringLiteral("%1:%2: expected \"role token [name]\"").arg(path).arg(lineNumber)};
        if (!prefer || fields.at(0) == roleName(*prefer).toUtf8())
            return fields.at(1);
        if (first.isEmpty())
            first = fields.at(1);
    }
    if (!first.isEmpty())
        return first;
    return Error{QStringLiteral("invalid_config"), QStringLiteral("token file %1 holds no token").arg(path)};
}

Result<AccessControl> AccessControl::fromTokenFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("invalid_config"),
                     QStringLiteral("cannot read token file %1: %2").arg(path, file.errorString())};
    return fromText(file.readAll(), path);
}

Result<AccessControl> AccessControl::fromText(const QByteArray &text, const QString &origin)
{
    AccessControl access;
    const QList<QByteArray> lines = text.split('\n');
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const QByteArray line = lines[i].trimmed();
        if (line.isEmpty() || line.startsWith('#'))
            continue;
        const auto fail = [&](const QString &why) {
            return Result<AccessControl>(Error{QStringLiteral("invalid_config"),
                                               QStringLiteral("%1 line %2: %3").arg(origin).arg(i + 1).arg(why)});
        };
        const QList<QByteArray> parts = line.simplified().split(' ');
        if (parts.size() != 2 && parts.size() != 3)
            return fail(QStringLiteral("expected \"role token [name]\""));
        Role role;
        if (parts[0] == "viewer")
            role = Role::Viewer;
        else if (parts[0] == "operator")
            role = Role::Operator;
        else
            return fail(QStringLiteral("unknown role \"%1\" (viewer or operator)").arg(QString::fromUtf8(parts[0])));
        if (parts[1].size() < minimumTokenLength)
            return fail(QStringLiteral("token shorter than %1 characters").arg(minimumTokenLength));
        for (const Token &t : std::as_const(access.m_tokens)) {
            if (t.token == parts[1])
                return fail(QStringLiteral("token listed twice"));
        }
        QString name;
        if (parts.size() == 3) {
            static const QRegularExpression valid(QStringLiteral("^[A-Za-z0-9_.-]{1,64}$"));
            name = QString::fromUtf8(parts[2]);
            if (!valid.match(name).hasMatch())
                return fail(QStringLiteral("name \"%1\" must be 1-64 letters, digits, '-', '_' or '.'").arg(name));
        } else {
            name = roleName(role) + QLatin1Char('-')
                + QString::fromLatin1(QCryptographicHash::hash(parts[1], QCryptographicHash::Sha256).toHex().left(8));
        }
        access.m_tokens.append(Token{role, parts[1], name});
    }
    if (access.m_tokens.isEmpty())
        return Error{QStringLiteral("invalid_config"), QStringLiteral("%1 holds no tokens").arg(origin)};
    return access;
}

Result<Role> AccessControl::authorize(const QByteArray &authorization, const QHostAddress &peer, Role needed) const
{
    if (m_tokens.isEmpty()) {
        if (peer.isLoopback())
            return Role::Operator;
        return Error{QStringLiteral("forbidden"),
                     QStringLiteral("no token file is configured, so only loopback clients are served")};
    }
    static const QByteArray scheme = QByteArrayLiteral("Bearer ");
    if (!authorization.startsWith(scheme))
        return Error{QStringLiteral("unauthorized"), QStringLiteral("missing \"Authorization: Bearer <token>\"")};
    const QByteArray presented = authorization.mid(scheme.size()).trimmed();
    for (const Token &t : m_tokens) {
        if (!constantTimeEquals(t.token, presented))
            continue;
        if (needed == Role::Operator && t.role != Role::Operator)
            return Error{QStringLiteral("forbidden"), QStringLiteral("this action needs an operator token")};
        return t.role;
    }
    return Error{QStringLiteral("unauthorized"), QStringLiteral("unknown token")};
}

Result<AccessControl::Identity> AccessControl::identify(const QByteArray &token, const QHostAddress &peer) const
{
    if (m_tokens.isEmpty()) {
        if (peer.isLoopback())
            return Identity{Role::Operator, QStringLiteral("loopback")};
        return Error{QStringLiteral("forbidden"),
                     QStringLiteral("no token file is configured, so only loopback clients are served")};
    }
    for (const Token &t : m_tokens) {
        if (constantTimeEquals(t.token, token))
            return Identity{t.role, t.name};
    }
    return Error{QStringLiteral("unauthorized"), QStringLiteral("unknown token")};
}

} // namespace arena
