#include "server/matchmaking/ticket.h"

namespace arena {

QMap<QByteArray, QByteArray> Ticket::toFields() const
{
    return {
        {QByteArrayLiteral("id"), id.toUtf8()},
        {QByteArrayLiteral("session"), sessionId.toUtf8()},
        {QByteArrayLiteral("player"), playerId.toUtf8()},
        {QByteArrayLiteral("level"), QByteArray::number(level)},
        {QByteArrayLiteral("team_size"), QByteArray::number(teamSize)},
        {QByteArrayLiteral("room_type"), roomType.toUtf8()},
        {QByteArrayLiteral("enqueued"), QByteArray::number(enqueuedAtMs)},
        {QByteArrayLiteral("instance"), instanceId.toUtf8()},
    };
}

std::optional<Ticket> Ticket::fromFields(const QMap<QByteArray, QByteArray> &fields)
{
    static const QByteArray required[] = {"id", "session", "player", "level", "team_size", "room_type", "enqueued",
                                          "instance"};
    for (const QByteArray &name : required) {
        if (!fields.contains(name))
            return std::nullopt;
    }
    Ticket ticket;
    bool levelOk = false;
    bool sizeOk = false;
    bool timeOk = false;
    ticket.id = QString::fromUtf8(fields.value("id"));
    ticket.sessionId = QString::fromUtf8(fields.value("session"));
    ticket.playerId = QString::fromUtf8(fields.value("player"));
    ticket.level = fields.value("level").toInt(&levelOk);
    ticket.teamSize = fields.value("team_size").toInt(&sizeOk);
    ticket.roomType = QString::fromUtf8(fields.value("room_type"));
    ticket.enqueuedAtMs = fields.value("enqueued").toLongLong(&timeOk);
    ticket.instanceId = QString::fromUtf8(fields.value("instance"));
    if (!levelOk || !sizeOk || !timeOk || ticket.id.isEmpty())
        return std::nullopt;
    return ticket;
}

} // namespace arena
