// ErrorMessage: the `error` message of both the player and the admin protocol; ErrorInfo: an error inside another message.
#pragma once

#include "shared/protocol/decodeerror.h"
#include "shared/protocol/errorcode.h"

#include <QString>

#include <optional>
#include <string_view>

namespace arena::protocol {

struct ErrorInfo
{
    ErrorCode code = ErrorCode::Internal;
    QString message{};

    friend bool operator==(const ErrorInfo &, const ErrorInfo &) = default;
};

struct ErrorMessage
{
    static constexpr std::string_view wireType = "error";

    ErrorCode code = ErrorCode::Internal;
    QString message{};
    std::optional<QString> field{};        // path of the offending field when a request was refused by the decoder
    std::optional<quint64> retryAfterMs{}; // for rate_limited, server_busy, unavailable
    std::optional<quint64> rid{};          // the rid of the request this answers

    // The reply to a message the decoder refused: code, "path: reason", field and rid filled in.
    static ErrorMessage fromDecodeError(const DecodeError &error);
    static ErrorMessage make(ErrorCode code, QString message, std::optional<quint64> rid = std::nullopt);

    friend bool operator==(const ErrorMessage &, const ErrorMessage &) = default;
};

} // namespace arena::protocol
