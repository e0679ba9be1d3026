#include "shared/protocol/adminmessages.h"

#include <array>
#include <utility>

namespace arena::protocol {

namespace {

template<typename E, std::size_t N>
using NameTable = std::array<std::pair<E, QLatin1StringView>, N>;

constexpr NameTable<Role, 2> roleNames = {{
    {Role::Viewer, QLatin1StringView("viewer")},
    {Role::Operator, QLatin1StringView("operator")},
}};

constexpr NameTable<ActionKind, 6> actionKindNames = {{
    {ActionKind::Cleanup, QLatin1StringView("cleanup")},
    {ActionKind::ScaleWorkers, QLatin1StringView("scale_workers")},
    {ActionKind::RestartWorker, QLatin1StringView("restart_worker")},
    {ActionKind::DrainWorker, QLatin1StringView("drain_worker")},
    {ActionKind::DrainInstance, QLatin1StringView("drain_instance")},
    {ActionKind::DisposeRoom, QLatin1StringView("dispose_room")},
}};

constexpr NameTable<QueryKind, 3> queryKindNames = {{
    {QueryKind::Rooms, QLatin1StringView("rooms")},
    {QueryKind::Audit, QLatin1StringView("audit")},
    {QueryKind::Snapshot, QLatin1StringView("snapshot")},
}};

constexpr NameTable<InstanceState, 3> instanceStateNames = {{
    {InstanceState::Up, QLatin1StringView("up")},
    {InstanceState::Draining, QLatin1StringView("draining")},
    {InstanceState::Down, QLatin1StringView("down")},
}};

template<typename E, std::size_t N>
QLatin1StringView nameOf(const NameTable<E, N> &table, E value)
{
    for (const auto &[entry, name] : table) {
        if (entry == value)
            return name;
    }
    return QLatin1StringView();
}

template<typename E, std::size_t N>
std::optional<E> valueOf(const NameTable<E, N> &table, QByteArrayView name)
{
    for (const auto &[entry, entryName] : table) {
        if (QByteArrayView(entryName.data(), entryName.size()) == name)
            return entry;
    }
    return std::nullopt;
}

} // namespace

QLatin1StringView roleName(Role role)
{
    return nameOf(roleNames, role);
}

std::optional<Role> roleFromName(QByteArrayView name)
{
    return valueOf(roleNames, name);
}

QLatin1StringView actionKindName(ActionKind kind)
{
    return nameOf(actionKindNames, kind);
}

std::optional<ActionKind> actionKindFromName(QByteArrayView name)
{
    return valueOf(actionKindNames, name);
}

QLatin1StringView queryKindName(QueryKind kind)
{
    return nameOf(queryKindNames, kind);
}

std::optional<QueryKind> queryKindFromName(QByteArrayView name)
{
    return valueOf(queryKindNames, name);
}

QLatin1StringView instanceStateName(InstanceState state)
{
    return nameOf(instanceStateNames, state);
}

std::optional<InstanceState> instanceStateFromName(QByteArrayView name)
{
    return valueOf(instanceStateNames, name);
}

} // namespace arena::protocol
