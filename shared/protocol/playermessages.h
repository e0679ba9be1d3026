// Player protocol messages: one plain value struct per message type, client-to-server and server-to-client.
#pragma once

#include "shared/protocol/errormessage.h"
#include "shared/protocol/protocolversion.h"
#include "shared/protocol/rawjson.h"

#include <QList>
#include <QString>

#include <optional>
#include <string_view>
#include <variant>

namespace arena::protocol {

// Every struct: `wireType` is its "type" string; `rid` is the envelope's request id (sent by clients on
// requests, echoed by the server on the reply); the other members are the message's fields.

struct Member
{
    QString sessionId{};
    QString playerId{};

    friend bool operator==(const Member &, const Member &) = default;
};

struct RoomInfo
{
    QString roomId{};
    QString roomType{};
    quint32 clients = 0;
    quint32 maxClients = 0;
    bool locked = false;
    RawJson metadata = RawJson::emptyObject();

    friend bool operator==(const RoomInfo &, const RoomInfo &) = default;
};

struct ServerLimits
{
    quint64 maxMessageBytes = 0;
    quint64 maxPayloadBytes = 0;
    quint32 maxPayloadDepth = 0;
    quint32 messagesPerSecond = 0;

    friend bool operator==(const ServerLimits &, const ServerLimits &) = default;
};

// Client to server.

struct Hello
{
    static constexpr std::string_view wireType = "hello";
    std::optional<QString> playerId{};
    std::optional<QString> token{};       // auth token, when the server requires one
    std::optional<QString> resumeToken{}; // from an earlier welcome, to take that session back
    std::optional<quint32> protocol{};    // the client's ProtocolVersion
    std::optional<quint64> rid{};
    friend bool operator==(const Hello &, const Hello &) = default;
};

struct Ping
{
    static constexpr std::string_view wireType = "ping";
    double time = 0; // client clock, echoed in pong
    std::optional<quint64> rid{};
    friend bool operator==(const Ping &, const Ping &) = default;
};

struct JoinOrCreate
{
    static constexpr std::string_view wireType = "join_or_create";
    QString roomType{};
    RawJson filter = RawJson::emptyObject();   // metadata a room must match to be joined
    RawJson metadata = RawJson::emptyObject(); // metadata of the room if one is created
    std::optional<quint32> maxClients{};         // of the room if one is created
    std::optional<quint64> rid{};
    friend bool operator==(const JoinOrCreate &, const JoinOrCreate &) = default;
};

struct Create
{
    static constexpr std::string_view wireType = "create";
    QString roomType{};
    bool isPrivate = false; // not listed, joinable by id only
    std::optional<quint32> maxClients{};
    RawJson metadata = RawJson::emptyObject();
    std::optional<quint64> rid{};
    friend bool operator==(const Create &, const Create &) = default;
};

struct Join
{
    static constexpr std::string_view wireType = "join";
    QString roomId{};
    std::optional<quint64> rid{};
    friend bool operator==(const Join &, const Join &) = default;
};

struct Leave
{
    static constexpr std::string_view wireType = "leave";
    QString roomId{};
    std::optional<quint64> rid{};
    friend bool operator==(const Leave &, const Leave &) = default;
};

struct ListRooms
{
    static constexpr std::string_view wireType = "list_rooms";
    std::optional<QString> roomType{};
    RawJson filter = RawJson::emptyObject();
    std::optional<quint64> rid{};
    friend bool operator==(const ListRooms &, const ListRooms &) = default;
};

struct RoomMessage
{
    static constexpr std::string_view wireType = "room_message";
    QString roomId{};
    RawJson data{}; // any JSON value; the room type defines its shape
    std::optional<quint64> rid{};
    friend bool operator==(const RoomMessage &, const RoomMessage &) = default;
};

struct Queue
{
    static constexpr std::string_view wireType = "queue";
    quint32 level = 0;
    quint32 teamSize = 1;
    QString roomType{};
    std::optional<quint64> rid{};
    friend bool operator==(const Queue &, const Queue &) = default;
};

struct CancelQueue
{
    static constexpr std::string_view wireType = "cancel_queue";
    std::optional<quint64> rid{};
    friend bool operator==(const CancelQueue &, const CancelQueue &) = default;
};

struct LockRoom
{
    static constexpr std::string_view wireType = "lock_room";
    QString roomId{};
    std::optional<quint64> rid{};
    friend bool operator==(const LockRoom &, const LockRoom &) = default;
};

struct UnlockRoom
{
    static constexpr std::string_view wireType = "unlock_room";
    QString roomId{};
    std::optional<quint64> rid{};
    friend bool operator==(const UnlockRoom &, const UnlockRoom &) = default;
};

// Server to client.

struct Welcome
{
    static constexpr std::string_view wireType = "welcome";
    QString sessionId{};
    QString playerId{};
    QString resumeToken{};
    QString instance{};
    quint32 heartbeatMs = 0;
    bool resumed = false;
    quint32 protocol = ProtocolVersion;
    ServerLimits limits{};
    std::optional<quint64> rid{};
    friend bool operator==(const Welcome &, const Welcome &) = default;
};

// Success reply to a request that has no other reply (lock_room, unlock_room, a room_message with a rid).
struct Ack
{
    static constexpr std::string_view wireType = "ack";
    std::optional<quint64> rid{};
    friend bool operator==(const Ack &, const Ack &) = default;
};

struct Pong
{
    static constexpr std::string_view wireType = "pong";
    double time = 0;        // the ping's client time
    quint64 serverTime = 0; // server clock, ms since the Unix epoch
    std::optional<quint64> rid{};
    friend bool operator==(const Pong &, const Pong &) = default;
};

struct Joined
{
    static constexpr std::string_view wireType = "joined";
    QString roomId{};
    QString roomType{};
    quint64 seq = 0; // sequence number of `state`; room_event/room_state that follow count up from it
    quint32 maxClients = 0;
    QList<Member> members{};
    RawJson metadata = RawJson::emptyObject();
    RawJson state{};
    std::optional<quint64> rid{};
    friend bool operator==(const Joined &, const Joined &) = default;
};

struct Left
{
    static constexpr std::string_view wireType = "left";
    QString roomId{};
    QString reason{};
    std::optional<quint64> rid{};
    friend bool operator==(const Left &, const Left &) = default;
};

struct MemberJoined
{
    static constexpr std::string_view wireType = "member_joined";
    QString roomId{};
    QString sessionId{};
    QString playerId{};
    std::optional<quint64> rid{};
    friend bool operator==(const MemberJoined &, const MemberJoined &) = default;
};

struct MemberLeft
{
    static constexpr std::string_view wireType = "member_left";
    QString roomId{};
    QString sessionId{};
    QString playerId{};
    QString reason{};
    std::optional<quint64> rid{};
    friend bool operator==(const MemberLeft &, const MemberLeft &) = default;
};

struct RoomEvent
{
    static constexpr std::string_view wireType = "room_event";
    QString roomId{};
    std::optional<QString> from{}; // sender's session id; absent for events of the room logic itself
    quint64 seq = 0;
    RawJson data{};
    std::optional<quint64> rid{};
    friend bool operator==(const RoomEvent &, const RoomEvent &) = default;
};

struct RoomState
{
    static constexpr std::string_view wireType = "room_state";
    QString roomId{};
    quint64 seq = 0;
    RawJson state{};
    std::optional<quint64> rid{};
    friend bool operator==(const RoomState &, const RoomState &) = default;
};

struct RoomList
{
    static constexpr std::string_view wireType = "room_list";
    QList<RoomInfo> rooms{};
    std::optional<quint64> rid{};
    friend bool operator==(const RoomList &, const RoomList &) = default;
};

struct Queued
{
    static constexpr std::string_view wireType = "queued";
    QString ticket{};
    QString roomType{};
    quint32 level = 0;
    quint32 teamSize = 1;
    std::optional<quint64> rid{};
    friend bool operator==(const Queued &, const Queued &) = default;
};

struct QueueCancelled
{
    static constexpr std::string_view wireType = "queue_cancelled";
    QString ticket{};
    QString reason{};
    std::optional<quint64> rid{};
    friend bool operator==(const QueueCancelled &, const QueueCancelled &) = default;
};

struct MatchFound
{
    static constexpr std::string_view wireType = "match_found";
    QString matchId{};
    QString roomId{};
    QString roomType{};
    QList<Member> players{};
    std::optional<quint64> rid{};
    friend bool operator==(const MatchFound &, const MatchFound &) = default;
};

struct MatchRestored
{
    static constexpr std::string_view wireType = "match_restored";
    QString roomId{};
    QString matchId{};
    std::optional<quint64> rid{};
    friend bool operator==(const MatchRestored &, const MatchRestored &) = default;
};

struct SessionClosing
{
    static constexpr std::string_view wireType = "session_closing";
    QString reason{};
    quint32 code = 1000; // the WebSocket close code that follows
    std::optional<quint64> retryAfterMs{};
    std::optional<quint64> rid{};
    friend bool operator==(const SessionClosing &, const SessionClosing &) = default;
};

using ClientMessage = std::variant<Hello, Ping, JoinOrCreate, Create, Join, Leave, ListRooms, RoomMessage, Queue,
                                   CancelQueue, LockRoom, UnlockRoom>;

using ServerMessage = std::variant<Welcome, Ack, Pong, Joined, Left, MemberJoined, MemberLeft, RoomEvent, RoomState,
                                   RoomList, Queued, QueueCancelled, MatchFound, MatchRestored, SessionClosing,
                                   ErrorMessage>;

} // namespace arena::protocol
