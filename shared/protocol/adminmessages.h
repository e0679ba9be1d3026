// Admin protocol messages (console or arena-ctl <-> arena-agent over WebSocket): plain value structs.
#pragma once

#include "shared/protocol/errormessage.h"
#include "shared/protocol/protocolversion.h"
#include "shared/protocol/rawjson.h"

#include <QByteArrayView>
#include <QLatin1StringView>
#include <QList>
#include <QString>

#include <optional>
#include <string_view>
#include <variant>

namespace arena::protocol {

enum class Role : quint8 { Viewer, Operator };
QLatin1StringView roleName(Role role);
std::optional<Role> roleFromName(QByteArrayView name);

enum class ActionKind : quint8 { Cleanup, ScaleWorkers, RestartWorker, DrainWorker, DrainInstance, DisposeRoom };
QLatin1StringView actionKindName(ActionKind kind);
std::optional<ActionKind> actionKindFromName(QByteArrayView name);

enum class QueryKind : quint8 { Rooms, Audit, Snapshot };
QLatin1StringView queryKindName(QueryKind kind);
std::optional<QueryKind> queryKindFromName(QByteArrayView name);

enum class InstanceState : quint8 { Up, Draining, Down };
QLatin1StringView instanceStateName(InstanceState state);
std::optional<InstanceState> instanceStateFromName(QByteArrayView name);

struct InstanceSummary
{
    QString id{};
    QString host{};
    InstanceState state = InstanceState::Up;
    quint32 sessions = 0;
    quint32 rooms = 0;
    quint32 matches = 0;
    quint32 workers = 0;
    quint64 lastSeen = 0; // ms since the Unix epoch of the last snapshot

    friend bool operator==(const InstanceSummary &, const InstanceSummary &) = default;
};

// Client to agent.

struct Auth
{
    static constexpr std::string_view wireType = "auth";
    QString token{};
    std::optional<quint64> rid{};
    friend bool operator==(const Auth &, const Auth &) = default;
};

// Replaces the set of instances whose snapshots are pushed: all of them, or the listed ones
// (an empty list stops snapshots). `all` with a non-empty list is refused.
struct Subscribe
{
    static constexpr std::string_view wireType = "subscribe";
    bool all = false;
    QList<QString> instances{};
    std::optional<quint64> rid{};
    friend bool operator==(const Subscribe &, const Subscribe &) = default;
};

struct Action
{
    static constexpr std::string_view wireType = "action";
    QString id{}; // chosen by the client; echoed in action_result and the audit entry
    ActionKind kind = ActionKind::Cleanup;
    std::optional<QString> target{}; // instance id; absent means the whole fleet (cleanup)
    RawJson params = RawJson::emptyObject();
    bool dryRun = false;
    std::optional<quint64> rid{};
    friend bool operator==(const Action &, const Action &) = default;
};

// A read that changes nothing (viewer role is enough), answered by query_result: the rooms of an
// instance, recent audit entries, the latest snapshot of an instance.
struct Query
{
    static constexpr std::string_view wireType = "query";
    QueryKind kind = QueryKind::Rooms;
    std::optional<QString> target{}; // instance id; absent means the agent's own instance
    RawJson params = RawJson::emptyObject();
    std::optional<quint64> rid{};
    friend bool operator==(const Query &, const Query &) = default;
};

// Agent to client.

struct AuthOk
{
    static constexpr std::string_view wireType = "auth_ok";
    Role role = Role::Viewer;
    QString instance{}; // the instance this agent runs beside
    quint32 protocol = ProtocolVersion;
    std::optional<quint64> rid{};
    friend bool operator==(const AuthOk &, const AuthOk &) = default;
};

struct Snapshot
{
    static constexpr std::string_view wireType = "snapshot";
    QString instance{};
    quint64 time = 0; // ms since the Unix epoch
    RawJson figures = RawJson::emptyObject();
    std::optional<quint64> rid{};
    friend bool operator==(const Snapshot &, const Snapshot &) = default;
};

struct Fleet
{
    static constexpr std::string_view wireType = "fleet";
    quint64 time = 0;
    QList<InstanceSummary> instances{};
    std::optional<quint64> rid{};
    friend bool operator==(const Fleet &, const Fleet &) = default;
};

// `error` is present exactly when ok is false.
struct ActionResult
{
    static constexpr std::string_view wireType = "action_result";
    QString id{};
    bool ok = false;
    RawJson result = RawJson::emptyObject();
    std::optional<ErrorInfo> error{};
    std::optional<quint64> rid{};
    friend bool operator==(const ActionResult &, const ActionResult &) = default;
};

struct AuditEntry
{
    static constexpr std::string_view wireType = "audit_entry";
    QString id{}; // the audit stream entry id
    quint64 time = 0;
    QString actor{}; // name of the token that asked
    Role role = Role::Operator;
    QString actionId{};
    ActionKind kind = ActionKind::Cleanup;
    std::optional<QString> target{};
    RawJson params = RawJson::emptyObject();
    bool dryRun = false;
    bool ok = false;
    RawJson result = RawJson::emptyObject();
    std::optional<ErrorInfo> error{};
    std::optional<quint64> rid{};
    friend bool operator==(const AuditEntry &, const AuditEntry &) = default;
};

// `error` is present exactly when ok is false.
struct QueryResult
{
    static constexpr std::string_view wireType = "query_result";
    QueryKind kind = QueryKind::Rooms;
    std::optional<QString> target{};
    bool ok = false;
    RawJson result = RawJson::emptyObject();
    std::optional<ErrorInfo> error{};
    std::optional<quint64> rid{};
    friend bool operator==(const QueryResult &, const QueryResult &) = default;
};

using AdminClientMessage = std::variant<Auth, Subscribe, Action, Query>;
using AdminServerMessage = std::variant<AuthOk, Snapshot, Fleet, ActionResult, AuditEntry, QueryResult, ErrorMessage>;

} // namespace arena::protocol
