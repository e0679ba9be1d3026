// The strict codec of the player and admin protocols: decode one WebSocket text message into a message
// variant, encode any message struct (or variant) back to compact JSON.
#pragma once

#include "shared/protocol/adminmessages.h"
#include "shared/protocol/decodeerror.h"
#include "shared/protocol/decodelimits.h"
#include "shared/protocol/playermessages.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QLatin1StringView>

#include <optional>
#include <variant>

namespace arena::protocol {

// Servers decode what clients send with the strict default limits.
DecodeResult<ClientMessage> decodeClientMessage(QByteArrayView json, const DecodeLimits &limits = {});
DecodeResult<AdminClientMessage> decodeAdminClientMessage(QByteArrayView json, const DecodeLimits &limits = {});

// Clients decode what a server or agent sends: by default with DecodeLimits::trusted() (large lists,
// unknown fields skipped so an older client keeps working against a newer server).
DecodeResult<ServerMessage> decodeServerMessage(QByteArrayView json,
                                                const DecodeLimits &limits = DecodeLimits::trusted());
DecodeResult<AdminServerMessage> decodeAdminServerMessage(QByteArrayView json,
                                                          const DecodeLimits &limits = DecodeLimits::trusted());

template<typename T, typename Variant>
struct IsAlternative;
template<typename T, typename... Ts>
struct IsAlternative<T, std::variant<Ts...>> : std::bool_constant<(std::is_same_v<T, Ts> || ...)>
{
};

template<typename M>
concept ProtocolMessage = IsAlternative<M, ClientMessage>::value || IsAlternative<M, ServerMessage>::value
    || IsAlternative<M, AdminClientMessage>::value || IsAlternative<M, AdminServerMessage>::value;

template<typename V>
concept ProtocolVariant = std::is_same_v<V, ClientMessage> || std::is_same_v<V, ServerMessage>
    || std::is_same_v<V, AdminClientMessage> || std::is_same_v<V, AdminServerMessage>;

// Compact JSON: {"type":...,"rid":...,fields in protocol order}; optional fields that are empty are left out.
template<ProtocolMessage M>
QByteArray encode(const M &message);

QByteArray encode(const ClientMessage &message);
QByteArray encode(const ServerMessage &message);
QByteArray encode(const AdminClientMessage &message);
QByteArray encode(const AdminServerMessage &message);

template<ProtocolVariant V>
QLatin1StringView messageType(const V &message)
{
    return std::visit(
        [](const auto &m) {
            return QLatin1StringView(m.wireType.data(), qsizetype(m.wireType.size()));
        },
        message);
}

template<ProtocolVariant V>
std::optional<quint64> requestId(const V &message)
{
    return std::visit([](const auto &m) { return m.rid; }, message);
}

} // namespace arena::protocol
