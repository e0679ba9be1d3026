// The store keys of one room (docs/OPERATIONS.md, key table). The room id is the Redis Cluster hash tag,
// so a room's record, state and snapshot sit in one slot.
#pragma once

#include <QByteArray>
#include <QString>

namespace arena::roomkeys {

inline QByteArray record(const QString &roomId)
{
    return "room:{" + roomId.toUtf8() + '}';
}
inline QByteArray state(const QString &roomId)
{
    return record(roomId) + ":state";
}
inline QByteArray snapshot(const QString &roomId)
{
    return record(roomId) + ":snapshot";
}
// The room id in a key written by record(), state() or snapshot(); empty for any other key.
inline QString idOf(const QByteArray &key)
{
    if (!key.startsWith("room:{"))
        return {};
    const qsizetype end = key.indexOf('}', 6);
    return end < 0 ? QString() : QString::fromUtf8(key.mid(6, end - 6));
}

} // namespace arena::roomkeys
