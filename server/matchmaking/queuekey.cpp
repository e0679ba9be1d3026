#include "server/matchmaking/queuekey.h"

namespace arena {

namespace {

bool isRoomTypeChar(QChar c)
{
    return (c >= QLatin1Char('a') && c <= QLatin1Char('z')) || (c >= QLatin1Char('A') && c <= QLatin1Char('Z'))
        || (c >= QLatin1Char('0') && c <= QLatin1Char('9')) || c == QLatin1Char('_') || c == QLatin1Char('.')
        || c == QLatin1Char('-');
}

} // namespace

QueueKey::QueueKey(QString roomType, int teamSize) : m_roomType(std::move(roomType)), m_teamSize(teamSize) {}

std::optional<QueueKey> QueueKey::fromTag(const QByteArray &tag)
{
    const qsizetype colon = tag.lastIndexOf(':');
    if (colon <= 0)
        return std::nullopt;
    const QString roomType = QString::fromUtf8(tag.left(colon));
    bool ok = false;
    const int teamSize = tag.mid(colon + 1).toInt(&ok);
    if (!ok || teamSize < 1 || !isValidRoomType(roomType) || QByteArray::number(teamSize) != tag.mid(colon + 1))
        return std::nullopt;
    return QueueKey(roomType, teamSize);
}

bool QueueKey::isValidRoomType(const QString &roomType)
{
    if (roomType.isEmpty() || roomType.size() > 64)
        return false;
    for (const QChar c : roomType) {
        if (!isRoomTypeChar(c))
            return false;
    }
    return true;
}

QByteArray QueueKey::tag() const
{
    return m_roomType.toUtf8() + ':' + QByteArray::number(m_teamSize);
}

QByteArray QueueKey::queue() const
{
    return QByteArrayLiteral("mm:{") + tag() + QByteArrayLiteral("}:queue");
}

QByteArray QueueKey::levels() const
{
    return QByteArrayLiteral("mm:{") + tag() + QByteArrayLiteral("}:levels");
}

QByteArray QueueKey::ticketPrefix() const
{
    return QByteArrayLiteral("mm:{") + tag() + QByteArrayLiteral("}:ticket:");
}

QByteArray QueueKey::ticket(const QString &ticketId) const
{
    return ticketPrefix() + ticketId.toUtf8();
}

QByteArray QueueKey::ref(const QString &ticketId) const
{
    return tag() + '|' + ticketId.toUtf8();
}

QByteArray QueueKey::queuesKey()
{
    return QByteArrayLiteral("mm:queues");
}

QByteArray QueueKey::sessionKey(const QString &sessionId)
{
    return QByteArrayLiteral("mm:session:") + sessionId.toUtf8();
}

QByteArray QueueKey::instanceTicketsKey(const QString &instanceId)
{
    return QByteArrayLiteral("mm:instance:") + instanceId.toUtf8() + QByteArrayLiteral(":tickets");
}

std::optional<QueueKey::Ref> QueueKey::parseRef(const QByteArray &ref)
{
    const qsizetype bar = ref.indexOf('|');
    if (bar <= 0 || bar == ref.size() - 1 || !fromTag(ref.left(bar)))
        return std::nullopt;
    return Ref{ref.left(bar), QString::fromUtf8(ref.mid(bar + 1))};
}

} // namespace arena
