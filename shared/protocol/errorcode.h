// ErrorCode: the one list of API errors, mapped once to wire strings, HTTP statuses and WebSocket close codes.
#pragma once

#include "shared/result.h"

#include <QByteArrayView>
#include <QLatin1StringView>
#include <QString>
#include <QStringView>

#include <array>
#include <optional>

namespace arena::protocol {

enum class ErrorCode : quint8 {
    BadRequest,
    Unauthorized,
    Forbidden,
    NotFound,
    Conflict,
    RoomFull,
    RoomLocked,
    Gone,
    SessionExpired,
    TooLarge,
    RateLimited,
    ServerBusy,
    Unavailable,
    Internal,
    UnknownType,
};

// Every ErrorCode in declaration order, for tables and tests.
inline constexpr std::array<ErrorCode, 15> allErrorCodes = {
    ErrorCode::BadRequest,  ErrorCode::Unauthorized,   ErrorCode::Forbidden, ErrorCode::NotFound,
    ErrorCode::Conflict,    ErrorCode::RoomFull,       ErrorCode::RoomLocked, ErrorCode::Gone,
    ErrorCode::SessionExpired, ErrorCode::TooLarge,    ErrorCode::RateLimited, ErrorCode::ServerBusy,
    ErrorCode::Unavailable, ErrorCode::Internal,       ErrorCode::UnknownType,
};

// Wire string used in the `code` field of `error` messages and in admin HTTP error bodies, e.g. "room_full".
QLatin1StringView errorCodeName(ErrorCode code);
std::optional<ErrorCode> errorCodeFromName(QByteArrayView name);
std::optional<ErrorCode> errorCodeFromName(QStringView name);

// HTTP status the admin API (and any HTTP front) answers with for this error.
int httpStatus(ErrorCode code);

// WebSocket close code to use when this error ends the connection; nullopt for errors that never do.
std::optional<quint16> closeCode(ErrorCode code);

// Bridges to arena::Result: Error{code = wire string, message}.
Error toError(ErrorCode code, QString message);
std::optional<ErrorCode> errorCodeOf(const Error &error);

} // namespace arena::protocol
