// Field tables of the admin protocol (console / arena-ctl <-> arena-agent).
#include "shared/protocol/codec.h"

#include "shared/protocol/schema_p.h"

namespace arena::protocol {

namespace detail {

namespace {
constexpr EnumSpec<Role> RoleSpec{&roleName, &roleFromName};
constexpr EnumSpec<ActionKind> ActionKindSpec{&actionKindName, &actionKindFromName};
constexpr EnumSpec<QueryKind> QueryKindSpec{&queryKindName, &queryKindFromName};
constexpr EnumSpec<InstanceState> InstanceStateSpec{&instanceStateName, &instanceStateFromName};
constexpr PayloadSpec JsonObject{true};

// ok and error must agree, so a client can branch on either.
bool checkOutcome(DecodeContext &c, bool ok, const std::optional<ErrorInfo> &error)
{
    if (ok && error) {
        c.push(std::string_view("error"));
        return c.fail(DecodeErrorKind::InvalidValue, QStringLiteral("must be absent when ok is true"));
    }
    if (!ok && !error) {
        c.push(std::string_view("error"));
        return c.fail(DecodeErrorKind::MissingField, QStringLiteral("required when ok is false"));
    }
    return true;
}
} // namespace

template<>
struct Schema<InstanceSummary>
{
    static constexpr auto fields = std::make_tuple(requiredField("id", &InstanceSummary::id, IdSpec{}),
                                                   requiredField("host", &InstanceSummary::host, TextSpec{255}),
                                                   requiredField("state", &InstanceSummary::state, InstanceStateSpec),
                                                   requiredField("sessions", &InstanceSummary::sessions, CountSpec),
                                                   requiredField("rooms", &InstanceSummary::rooms, CountSpec),
                                                   requiredField("matches", &InstanceSummary::matches, CountSpec),
                                                   requiredField("workers", &InstanceSummary::workers, CountSpec),
                                                   requiredField("last_seen", &InstanceSummary::lastSeen, TimeSpec));
};

template<>
struct Schema<Auth>
{
    static constexpr auto fields = std::make_tuple(requiredField("token", &Auth::token, TokenSpec));
};

template<>
struct Schema<Subscribe>
{
    static constexpr auto fields = std::make_tuple(optionalField("all", &Subscribe::all, BoolSpec{}),
                                                   optionalField("instances", &Subscribe::instances, ListSpec<IdSpec>{}));

    static bool validate(DecodeContext &c, const Subscribe &m)
    {
        if (m.all && !m.instances.isEmpty()) {
            c.push(std::string_view("instances"));
            return c.fail(DecodeErrorKind::InvalidValue, QStringLiteral("must be empty when all is true"));
        }
        return true;
    }
};

template<>
struct Schema<Action>
{
    static constexpr auto fields = std::make_tuple(requiredField("id", &Action::id, IdSpec{}),
                                                   requiredField("kind", &Action::kind, ActionKindSpec),
                                                   optionalField("target", &Action::target, IdSpec{}),
                                                   optionalField("params", &Action::params, JsonObject),
                                                   optionalField("dry_run", &Action::dryRun, BoolSpec{}));
};

template<>
struct Schema<Query>
{
    static constexpr auto fields = std::make_tuple(requiredField("kind", &Query::kind, QueryKindSpec),
                                                   optionalField("target", &Query::target, IdSpec{}),
                                                   optionalField("params", &Query::params, JsonObject));
};

template<>
struct Schema<AuthOk>
{
    static constexpr auto fields = std::make_tuple(requiredField("role", &AuthOk::role, RoleSpec),
                                                   requiredField("instance", &AuthOk::instance, IdSpec{}),
                                                   requiredField("protocol", &AuthOk::protocol, UIntSpec{1, 65535}));
};

template<>
struct Schema<Snapshot>
{
    static constexpr auto fields = std::make_tuple(requiredField("instance", &Snapshot::instance, IdSpec{}),
                                                   requiredField("time", &Snapshot::time, TimeSpec),
                                                   requiredField("figures", &Snapshot::figures, JsonObject));
};

template<>
struct Schema<Fleet>
{
    static constexpr auto fields = std::make_tuple(requiredField("time", &Fleet::time, TimeSpec),
                                                   requiredField("instances", &Fleet::instances, ListSpec<ObjectSpec>{}));
};

template<>
struct Schema<ActionResult>
{
    static constexpr auto fields = std::make_tuple(requiredField("id", &ActionResult::id, IdSpec{}),
                                                   requiredField("ok", &ActionResult::ok, BoolSpec{}),
                                                   optionalField("result", &ActionResult::result, JsonObject),
                                                   optionalField("error", &ActionResult::error, ObjectSpec{}));

    static bool validate(DecodeContext &c, const ActionResult &m) { return checkOutcome(c, m.ok, m.error); }
};

template<>
struct Schema<AuditEntry>
{
    static constexpr auto fields = std::make_tuple(requiredField("id", &AuditEntry::id, IdSpec{}),
                                                   requiredField("time", &AuditEntry::time, TimeSpec),
                                                   requiredField("actor", &AuditEntry::actor, IdSpec{}),
                                                   requiredField("role", &AuditEntry::role, RoleSpec),
                                                   requiredField("action_id", &AuditEntry::actionId, IdSpec{}),
                                                   requiredField("kind", &AuditEntry::kind, ActionKindSpec),
                                                   optionalField("target", &AuditEntry::target, IdSpec{}),
                                                   optionalField("params", &AuditEntry::params, JsonObject),
                                                   requiredField("dry_run", &AuditEntry::dryRun, BoolSpec{}),
                                                   requiredField("ok", &AuditEntry::ok, BoolSpec{}),
                                                   optionalField("result", &AuditEntry::result, JsonObject),
                                                   optionalField("error", &AuditEntry::error, ObjectSpec{}));

    static bool validate(DecodeContext &c, const AuditEntry &m) { return checkOutcome(c, m.ok, m.error); }
};

template<>
struct Schema<QueryResult>
{
    static constexpr auto fields = std::make_tuple(requiredField("kind", &QueryResult::kind, QueryKindSpec),
                                                   optionalField("target", &QueryResult::target, IdSpec{}),
                                                   requiredField("ok", &QueryResult::ok, BoolSpec{}),
                                                   optionalField("result", &QueryResult::result, JsonObject),
                                                   optionalField("error", &QueryResult::error, ObjectSpec{}));

    static bool validate(DecodeContext &c, const QueryResult &m) { return checkOutcome(c, m.ok, m.error); }
};

} // namespace detail

DecodeResult<AdminClientMessage> decodeAdminClientMessage(QByteArrayView json, const DecodeLimits &limits)
{
    return detail::decodeEnvelope<AdminClientMessage>(json, limits);
}

DecodeResult<AdminServerMessage> decodeAdminServerMessage(QByteArrayView json, const DecodeLimits &limits)
{
    return detail::decodeEnvelope<AdminServerMessage>(json, limits);
}

template<ProtocolMessage M>
QByteArray encode(const M &message)
{
    return detail::encodeMessage(message);
}

QByteArray encode(const AdminClientMessage &message)
{
    return std::visit([](const auto &m) { return detail::encodeMessage(m); }, message);
}

QByteArray encode(const AdminServerMessage &message)
{
    return std::visit([](const auto &m) { return detail::encodeMessage(m); }, message);
}

template QByteArray encode<Auth>(const Auth &);
template QByteArray encode<Subscribe>(const Subscribe &);
template QByteArray encode<Action>(const Action &);
template QByteArray encode<Query>(const Query &);
template QByteArray encode<QueryResult>(const QueryResult &);
template QByteArray encode<AuthOk>(const AuthOk &);
template QByteArray encode<Snapshot>(const Snapshot &);
template QByteArray encode<Fleet>(const Fleet &);
template QByteArray encode<ActionResult>(const ActionResult &);
template QByteArray encode<AuditEntry>(const AuditEntry &);

} // namespace arena::protocol
