// DecodeError and DecodeResult<T>: why a protocol message was refused, with the path of the offending field.
#pragma once

#include "shared/protocol/errorcode.h"

#include <QString>

#include <optional>
#include <utility>
#include <variant>

namespace arena::protocol {

enum class DecodeErrorKind : quint8 {
    TooLarge,     // message over maxMessageBytes, or a free-form value over maxPayloadBytes
    Syntax,       // not JSON text (RFC 8259), including bad escapes and trailing data
    InvalidUtf8,  // invalid UTF-8 bytes or a lone surrogate escape
    DuplicateKey, // the same key twice in one object (anywhere in the message)
    TooDeep,      // nesting over maxDepth, or a free-form value over maxPayloadDepth
    UnknownType,  // `type` names no message of this protocol direction
    UnknownField, // a field the message type does not define (UnknownFields::Reject)
    MissingField, // a required field is absent
    WrongType,    // wrong JSON type, including a fraction or exponent where an integer is expected
    OutOfRange,   // a number outside the field's range, or one no double can hold (1e400)
    StringTooLong,
    ArrayTooLong,
    InvalidValue, // right type, refused value: empty id, control characters, unknown enum name
};

QLatin1StringView decodeErrorKindName(DecodeErrorKind kind);

struct DecodeError
{
    DecodeErrorKind kind = DecodeErrorKind::Syntax;
    QString path;    // "" for the message itself, else e.g. "room_id", "data.moves[2]", "rooms[0].metadata"
    QString message; // human-readable reason, without the path
    qsizetype offset = -1;      // byte offset in the message for parse-level errors, else -1
    std::optional<quint64> rid; // the request id, when the message got far enough to have a valid one
    QString type;               // the message type, when it was read

    static DecodeError make(DecodeErrorKind kind, QString message, QString path = QString());

    // The protocol error this becomes on the wire: too_large, unknown_type or bad_request.
    ErrorCode errorCode() const;
    // "path: message", or just the message for whole-message errors.
    QString toString() const;

    friend bool operator==(const DecodeError &, const DecodeError &) = default;
};

// A decoded value or the DecodeError that refused it.
template<typename T>
class [[nodiscard]] DecodeResult
{
public:
    DecodeResult(T value) : m_data(std::in_place_index<0>, std::move(value)) {}
    DecodeResult(DecodeError error) : m_data(std::in_place_index<1>, std::move(error)) {}

    bool ok() const { return m_data.index() == 0; }
    explicit operator bool() const { return ok(); }

    const T &value() const & { return std::get<0>(m_data); }
    T &value() & { return std::get<0>(m_data); }
    T &&value() && { return std::get<0>(std::move(m_data)); }
    const T &operator*() const & { return value(); }
    const T *operator->() const { return &value(); }

    const DecodeError &error() const { return std::get<1>(m_data); }

private:
    std::variant<T, DecodeError> m_data;
};

} // namespace arena::protocol
