// Field tables of the player protocol; the order of each table is the order fields are written in.
#include "shared/protocol/codec.h"

#include "shared/protocol/schema_p.h"

namespace arena::protocol {

namespace detail {

namespace {
constexpr UIntSpec MaxClientsSpec{1, 10000};
constexpr UIntSpec LevelSpec{0, 1000000};
constexpr UIntSpec TeamSizeSpec{1, 64};
constexpr UIntSpec ProtocolSpec{1, 65535};
constexpr PayloadSpec AnyJson{false};
constexpr PayloadSpec JsonObject{true};
} // namespace

template<>
struct Schema<Member>
{
    static constexpr auto fields = std::make_tuple(requiredField("session_id", &Member::sessionId, IdSpec{}),
                                                   requiredField("player_id", &Member::playerId, IdSpec{}));
};

template<>
struct Schema<RoomInfo>
{
    static constexpr auto fields = std::make_tuple(requiredField("id", &RoomInfo::roomId, IdSpec{}),
                                                   requiredField("type", &RoomInfo::roomType, IdSpec{}),
                                                   requiredField("clients", &RoomInfo::clients, CountSpec),
                                                   requiredField("max_clients", &RoomInfo::maxClients, CountSpec),
                                                   requiredField("locked", &RoomInfo::locked, BoolSpec{}),
                                                   requiredField("metadata", &RoomInfo::metadata, JsonObject));
};

template<>
struct Schema<ServerLimits>
{
    static constexpr auto fields =
        std::make_tuple(requiredField("max_message_bytes", &ServerLimits::maxMessageBytes, TimeSpec),
                        requiredField("max_payload_bytes", &ServerLimits::maxPayloadBytes, TimeSpec),
                        requiredField("max_payload_depth", &ServerLimits::maxPayloadDepth, UIntSpec{0, 512}),
                        requiredField("messages_per_second", &ServerLimits::messagesPerSecond, CountSpec));
};

template<>
struct Schema<Hello>
{
    static constexpr auto fields = std::make_tuple(optionalField("player_id", &Hello::playerId, IdSpec{}),
                                                   optionalField("token", &Hello::token, TokenSpec),
                                                   optionalField("resume_token", &Hello::resumeToken, TokenSpec),
                                                   optionalField("protocol", &Hello::protocol, ProtocolSpec));
};

template<>
struct Schema<Ping>
{
    static constexpr auto fields = std::make_tuple(requiredField("time", &Ping::time, DoubleSpec{}));
};

template<>
struct Schema<JoinOrCreate>
{
    static constexpr auto fields = std::make_tuple(requiredField("room_type", &JoinOrCreate::roomType, IdSpec{}),
                                                   optionalField("filter", &JoinOrCreate::filter, JsonObject),
                                                   optionalField("metadata", &JoinOrCreate::metadata, JsonObject),
                                                   optionalField("max_clients", &JoinOrCreate::maxClients, MaxClientsSpec));
};

template<>
struct Schema<Create>
{
    static constexpr auto fields = std::make_tuple(requiredField("room_type", &Create::roomType, IdSpec{}),
                                                   optionalField("private", &Create::isPrivate, BoolSpec{}),
                                                   optionalField("max_clients", &Create::maxClients, MaxClientsSpec),
                                                   optionalField("metadata", &Create::metadata, JsonObject));
};

template<>
struct Schema<Join>
{
    static constexpr auto fields = std::make_tuple(requiredField("room_id", &Join::roomId, IdSpec{}));
};

template<>
struct Schema<Leave>
{
    static constexpr auto fields = std::make_tuple(requiredField("room_id", &Leave::roomId, IdSpec{}));
};

template<>
struct Schema<ListRooms>
{
    static constexpr auto fields = std::make_tuple(optionalField("room_type", &ListRooms::roomType, IdSpec{}),
                                                   optionalField("filter", &ListRooms::filter, JsonObject));
};

template<>
struct Schema<RoomMessage>
{
    static constexpr auto fields = std::make_tuple(requiredField("room_id", &RoomMessage::roomId, IdSpec{}),
                                                   requiredField("data", &RoomMessage::data, AnyJson));
};

template<>
struct Schema<Queue>
{
    static constexpr auto fields = std::make_tuple(requiredField("room_type", &Queue::roomType, IdSpec{}),
                                                   requiredField("level", &Queue::level, LevelSpec),
                                                   optionalField("team_size", &Queue::teamSize, TeamSizeSpec));
};

template<>
struct Schema<CancelQueue>
{
    static constexpr auto fields = std::tuple<>{};
};

template<>
struct Schema<LockRoom>
{
    static constexpr auto fields = std::make_tuple(requiredField("room_id", &LockRoom::roomId, IdSpec{}));
};

template<>
struct Schema<UnlockRoom>
{
    static constexpr auto fields = std::make_tuple(requiredField("room_id", &UnlockRoom::roomId, IdSpec{}));
};

template<>
struct Schema<Welcome>
{
    static constexpr auto fields = std::make_tuple(requiredField("session_id", &Welcome::sessionId, IdSpec{}),
                                                   requiredField("player_id", &Welcome::playerId, IdSpec{}),
                                                   requiredField("resume_token", &Welcome::resumeToken, TokenSpec),
                                                   requiredField("instance", &Welcome::instance, IdSpec{}),
                                                   requiredField("heartbeat_ms", &Welcome::heartbeatMs, UIntSpec{1, 3600000}),
                                                   requiredField("resumed", &Welcome::resumed, BoolSpec{}),
                                                   requiredField("protocol", &Welcome::protocol, ProtocolSpec),
                                                   requiredField("limits", &Welcome::limits, ObjectSpec{}));
};

template<>
struct Schema<Ack>
{
    static constexpr auto fields = std::tuple<>{};
};

template<>
struct Schema<Pong>
{
    static constexpr auto fields = std::make_tuple(requiredField("time", &Pong::time, DoubleSpec{}),
                                                   requiredField("server_time", &Pong::serverTime, TimeSpec));
};

template<>
struct Schema<Joined>
{
    static constexpr auto fields = std::make_tuple(requiredField("room_id", &Joined::roomId, IdSpec{}),
                                                   requiredField("room_type", &Joined::roomType, IdSpec{}),
                                                   requiredField("seq", &Joined::seq, TimeSpec),
                                                   requiredField("max_clients", &Joined::maxClients, CountSpec),
                                                   requiredField("members", &Joined::members, ListSpec<ObjectSpec>{}),
                                                   requiredField("metadata", &Joined::metadata, JsonObject),
                                                   requiredField("state", &Joined::state, AnyJson));
};

template<>
struct Schema<Left>
{
    static constexpr auto fields = std::make_tuple(requiredField("room_id", &Left::roomId, IdSpec{}),
                                                   requiredField("reason", &Left::reason, ReasonSpec));
};

template<>
struct Schema<MemberJoined>
{
    static constexpr auto fields = std::make_tuple(requiredField("room_id", &MemberJoined::roomId, IdSpec{}),
                                                   requiredField("session_id", &MemberJoined::sessionId, IdSpec{}),
                                                   requiredField("player_id", &MemberJoined::playerId, IdSpec{}));
};

template<>
struct Schema<MemberLeft>
{
    static constexpr auto fields = std::make_tuple(requiredField("room_id", &MemberLeft::roomId, IdSpec{}),
                                                   requiredField("session_id", &MemberLeft::sessionId, IdSpec{}),
                                                   requiredField("player_id", &MemberLeft::playerId, IdSpec{}),
                                                   requiredField("reason", &MemberLeft::reason, ReasonSpec));
};

template<>
struct Schema<RoomEvent>
{
    static constexpr auto fields = std::make_tuple(requiredField("room_id", &RoomEvent::roomId, IdSpec{}),
                                                   optionalField("from", &RoomEvent::from, IdSpec{}),
                                                   requiredField("seq", &RoomEvent::seq, TimeSpec),
                                                   requiredField("data", &RoomEvent::data, AnyJson));
};

template<>
struct Schema<RoomState>
{
    static constexpr auto fields = std::make_tuple(requiredField("room_id", &RoomState::roomId, IdSpec{}),
                                                   requiredField("seq", &RoomState::seq, TimeSpec),
                                                   requiredField("state", &RoomState::state, AnyJson));
};

template<>
struct Schema<RoomList>
{
    static constexpr auto fields = std::make_tuple(requiredField("rooms", &RoomList::rooms, ListSpec<ObjectSpec>{}));
};

template<>
struct Schema<Queued>
{
    static constexpr auto fields = std::make_tuple(requiredField("ticket", &Queued::ticket, IdSpec{}),
                                                   requiredField("room_type", &Queued::roomType, IdSpec{}),
                                                   requiredField("level", &Queued::level, LevelSpec),
                                                   requiredField("team_size", &Queued::teamSize, TeamSizeSpec));
};

template<>
struct Schema<QueueCancelled>
{
    static constexpr auto fields = std::make_tuple(requiredField("ticket", &QueueCancelled::ticket, IdSpec{}),
                                                   requiredField("reason", &QueueCancelled::reason, ReasonSpec));
};

template<>
struct Schema<MatchFound>
{
    static constexpr auto fields = std::make_tuple(requiredField("match_id", &MatchFound::matchId, IdSpec{}),
                                                   requiredField("room_id", &MatchFound::roomId, IdSpec{}),
                                                   requiredField("room_type", &MatchFound::roomType, IdSpec{}),
                                                   requiredField("players", &MatchFound::players, ListSpec<ObjectSpec>{}));
};

template<>
struct Schema<MatchRestored>
{
    static constexpr auto fields = std::make_tuple(requiredField("room_id", &MatchRestored::roomId, IdSpec{}),
                                                   requiredField("match_id", &MatchRestored::matchId, IdSpec{}));
};

template<>
struct Schema<SessionClosing>
{
    static constexpr auto fields = std::make_tuple(requiredField("reason", &SessionClosing::reason, ReasonSpec),
                                                   requiredField("code", &SessionClosing::code, UIntSpec{1000, 4999}),
                                                   optionalField("retry_after_ms", &SessionClosing::retryAfterMs, TimeSpec));
};

} // namespace detail

DecodeResult<ClientMessage> decodeClientMessage(QByteArrayView json, const DecodeLimits &limits)
{
    return detail::decodeEnvelope<ClientMessage>(json, limits);
}

DecodeResult<ServerMessage> decodeServerMessage(QByteArrayView json, const DecodeLimits &limits)
{
    return detail::decodeEnvelope<ServerMessage>(json, limits);
}

template<ProtocolMessage M>
QByteArray encode(const M &message)
{
    return detail::encodeMessage(message);
}

QByteArray encode(const ClientMessage &message)
{
    return std::visit([](const auto &m) { return detail::encodeMessage(m); }, message);
}

QByteArray encode(const ServerMessage &message)
{
    return std::visit([](const auto &m) { return detail::encodeMessage(m); }, message);
}

template QByteArray encode<Hello>(const Hello &);
template QByteArray encode<Ping>(const Ping &);
template QByteArray encode<JoinOrCreate>(const JoinOrCreate &);
template QByteArray encode<Create>(const Create &);
template QByteArray encode<Join>(const Join &);
template QByteArray encode<Leave>(const Leave &);
template QByteArray encode<ListRooms>(const ListRooms &);
template QByteArray encode<RoomMessage>(const RoomMessage &);
template QByteArray encode<Queue>(const Queue &);
template QByteArray encode<CancelQueue>(const CancelQueue &);
template QByteArray encode<LockRoom>(const LockRoom &);
template QByteArray encode<UnlockRoom>(const UnlockRoom &);
template QByteArray encode<Welcome>(const Welcome &);
template QByteArray encode<Ack>(const Ack &);
template QByteArray encode<Pong>(const Pong &);
template QByteArray encode<Joined>(const Joined &);
template QByteArray encode<Left>(const Left &);
template QByteArray encode<MemberJoined>(const MemberJoined &);
template QByteArray encode<MemberLeft>(const MemberLeft &);
template QByteArray encode<RoomEvent>(const RoomEvent &);
template QByteArray encode<RoomState>(const RoomState &);
template QByteArray encode<RoomList>(const RoomList &);
template QByteArray encode<Queued>(const Queued &);
template QByteArray encode<QueueCancelled>(const QueueCancelled &);
template QByteArray encode<MatchFound>(const MatchFound &);
template QByteArray encode<MatchRestored>(const MatchRestored &);
template QByteArray encode<SessionClosing>(const SessionClosing &);
template QByteArray encode<ErrorMessage>(const ErrorMessage &);

} // namespace arena::protocol
