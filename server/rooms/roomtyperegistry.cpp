#include "server/rooms/roomtyperegistry.h"

#include "server/rooms/blockroom.h"
#include "server/rooms/duelroom.h"
#include "server/rooms/lobbyroom.h"
#include "server/rooms/relayroom.h"
#include "server/rooms/roomslog.h"
#include "shared/protocol/decodelimits.h"

Q_LOGGING_CATEGORY(lcRooms, "arena.server.rooms")

namespace arena {

namespace {

Error invalidType(const QString &message)
{
    return Error{QStringLiteral("invalid_room_type"), message};
}

} // namespace

Result<void> RoomTypeRegistry::add(RoomTypeInfo info)
{
    if (!isValidName(info.name)) {
        return invalidType(QStringLiteral("room type name \"%1\" is invalid: use 1 to %2 lower-case letters, "
                                          "digits, '_' or '-'")
                               .arg(info.name)
                               .arg(protocol::MaxIdBytes));
    }
    if (m_types.contains(info.name))
        return invalidType(QStringLiteral("room type \"%1\" is already registered").arg(info.name));
    if (!info.create)
        return invalidType(QStringLiteral("room type \"%1\" has no factory").arg(info.name));
    if (info.defaultMaxClients == 0)
        return invalidType(QStringLiteral("room type \"%1\": defaultMaxClients must be at least 1").arg(info.name));
    if (info.defaultMaxClients > info.maxMaxClients) {
        return invalidType(QStringLiteral("room type \"%1\": defaultMaxClients %2 is above maxMaxClients %3")
                               .arg(info.name)
                               .arg(info.defaultMaxClients)
                               .arg(info.maxMaxClients));
    }
    qCDebug(lcRooms) << "registered room type" << info.name;
    const QString name = info.name;
    m_types.emplace(name, std::move(info));
    return {};
}

const RoomTypeInfo *RoomTypeRegistry::find(const QString &name) const
{
    const auto it = m_types.find(name);
    return it == m_types.end() ? nullptr : &it->second;
}

QStringList RoomTypeRegistry::names() const
{
    QStringList result;
    result.reserve(size());
    for (const auto &entry : m_types)
        result.append(entry.first);
    return result;
}

bool RoomTypeRegistry::isValidName(QStringView name)
{
    if (name.isEmpty() || name.size() > protocol::MaxIdBytes)
        return false;
    for (const QChar c : name) {
        const char16_t u = c.unicode();
        const bool ok = (u >= u'a' && u <= u'z') || (u >= u'0' && u <= u'9') || u == u'_' || u == u'-';
        if (!ok)
            return false;
    }
    return true;
}

Result<void> registerBuiltinRoomTypes(RoomTypeRegistry &registry)
{
    const QList<RoomTypeInfo> builtins = {RelayRoom::typeInfo(), LobbyRoom::typeInfo(), DuelRoom::typeInfo()};
    // All or none, so a failed call leaves the registry as it was.
    for (const RoomTypeInfo &info : builtins) {
        if (registry.find(info.name))
            return invalidType(QStringLiteral("room type \"%1\" is already registered").arg(info.name));
    }
    for (const RoomTypeInfo &info : builtins) {
        if (Result<void> added = registry.add(info); !added)
            return added;
    }
    return {};
}

Result<void> registerTestRoomTypes(RoomTypeRegistry &registry)
{
    return registry.add(BlockRoom::typeInfo());
}

} // namespace arena
