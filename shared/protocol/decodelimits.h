// DecodeLimits: the bounds the strict protocol decoder enforces on one message.
#pragma once

#include <QtGlobal>

namespace arena::protocol {

// Largest integer every client can hold exactly (JavaScript's Number.MAX_SAFE_INTEGER): the bound of
// rid, seq and time fields.
inline constexpr quint64 MaxSafeInteger = (quint64(1) << 53) - 1;

// Fixed string bounds of the protocol (UTF-8 bytes after unescaping); not configurable because both
// ends must agree on them.
inline constexpr qsizetype MaxIdBytes = 128;     // ids and names: room_id, room_type, player_id, ticket, ...
inline constexpr qsizetype MaxTokenBytes = 1024; // auth and resume tokens
inline constexpr qsizetype MaxTextBytes = 1024;  // human-readable text: error messages, reasons
inline constexpr qsizetype MaxReasonBytes = 64;  // machine-readable reasons ("requested", "shutdown")
inline constexpr qsizetype MaxFieldPathBytes = 256; // `field` of an error message

// Whether fields a message type does not define are an error (servers) or skipped (clients reading
// messages from a newer server).
enum class UnknownFields : quint8 { Reject, Ignore };

struct DecodeLimits
{
    qsizetype maxMessageBytes = 64 * 1024; // whole text message, checked before parsing
    qsizetype maxPayloadBytes = 16 * 1024; // one free-form value (data, metadata, state, params, ...), compact form
    int maxPayloadDepth = 16;              // nested arrays/objects inside one free-form value
    int maxDepth = 32;                     // nested arrays/objects in the whole message (bounds the parser's stack)
    qsizetype maxArrayItems = 256;         // protocol lists (members, rooms, players, instances)
    UnknownFields unknownFields = UnknownFields::Reject;

    // For clients reading what a server or agent sent: large lists and states, unknown fields skipped.
    static constexpr DecodeLimits trusted()
    {
        return DecodeLimits{16 * 1024 * 1024, 8 * 1024 * 1024, 64, 96, 100000, UnknownFields::Ignore};
    }

    friend bool operator==(const DecodeLimits &, const DecodeLimits &) = default;
};

} // namespace arena::protocol
