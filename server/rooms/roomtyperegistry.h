// RoomTypeRegistry: the room types a server offers, by name, and registration of the built-in ones.
#pragma once

#include "server/rooms/room.h"
#include "shared/result.h"

#include <QString>
#include <QStringList>
#include <QStringView>

#include <map>

namespace arena {

// Filled once at start-up, then read by the room manager for every create and join_or_create.
// Entries never move once added, so the pointers find() returns stay valid for the registry's lifetime.
class RoomTypeRegistry final
{
    Q_DISABLE_COPY_MOVE(RoomTypeRegistry)

public:
    RoomTypeRegistry() = default;

    // Refuses, with code "invalid_room_type": an invalid name (see isValidName), a name already
    // registered, a missing factory, defaultMaxClients 0, or defaultMaxClients above maxMaxClients.
    Result<void> add(RoomTypeInfo info);
    // nullptr for an unknown name.
    const RoomTypeInfo *find(const QString &name) const;
    // Sorted.
    QStringList names() const;
    qsizetype size() const { return qsizetype(m_types.size()); }

    // 1 to 128 characters (the protocol's id bound), each a lower-case ASCII letter, a digit, '_' or '-'.
    static bool isValidName(QStringView name);

private:
    std::map<QString, RoomTypeInfo> m_types;
};

// Adds `relay`, `lobby` and `duel`, or none of them (error "invalid_room_type") if a name is taken. To
// replace one with a game's own type, add the others from their typeInfo() instead.
Result<void> registerBuiltinRoomTypes(RoomTypeRegistry &registry);

// Adds the test-only types (`block`, see BlockRoom), which let a player stall a worker on purpose; the
// server enables them only for tests. Refuses (error "invalid_room_type") if a name is taken.
Result<void> registerTestRoomTypes(RoomTypeRegistry &registry);

} // namespace arena
