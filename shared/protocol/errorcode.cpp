#include "shared/protocol/errorcode.h"

#include <QString>

namespace arena::protocol {

namespace {

struct ErrorCodeInfo
{
    ErrorCode code;
    QLatin1StringView name;
    int httpStatus;
    quint16 closeCode; // 0: the error never closes the connection
};

// The single mapping table; tests check that it covers every enum value exactly once, in order.
constexpr std::array<ErrorCodeInfo, allErrorCodes.size()> errorTable = {{
    {ErrorCode::BadRequest, QLatin1StringView("bad_request"), 400, 0},
    {ErrorCode::Unauthorized, QLatin1StringView("unauthorized"), 401, 1008},
    {ErrorCode::Forbidden, QLatin1StringView("forbidden"), 403, 1008},
    {ErrorCode::NotFound, QLatin1StringView("not_found"), 404, 0},
    {ErrorCode::Conflict, QLatin1StringView("conflict"), 409, 0},
    {ErrorCode::RoomFull, QLatin1StringView("room_full"), 409, 0},
    {ErrorCode::RoomLocked, QLatin1StringView("room_locked"), 423, 0},
    {ErrorCode::Gone, QLatin1StringView("gone"), 410, 0},
    {ErrorCode::SessionExpired, QLatin1StringView("session_expired"), 410, 1008},
    {ErrorCode::TooLarge, QLatin1StringView("too_large"), 413, 1009},
    {ErrorCode::RateLimited, QLatin1StringView("rate_limited"), 429, 1008},
    {ErrorCode::ServerBusy, QLatin1StringView("server_busy"), 429, 1013},
    {ErrorCode::Unavailable, QLatin1StringView("unavailable"), 503, 1013},
    {ErrorCode::Internal, QLatin1StringView("internal"), 500, 1011},
    {ErrorCode::UnknownType, QLatin1StringView("unknown_type"), 400, 0},
}};

constexpr bool tableMatchesEnum()
{
    for (std::size_t i = 0; i < errorTable.size(); ++i) {
        if (errorTable[i].code != allErrorCodes[i])
            return false;
    }
    return true;
}
static_assert(tableMatchesEnum(), "errorTable must list every ErrorCode in declaration order");

const ErrorCodeInfo &info(ErrorCode code)
{
    const auto index = static_cast<std::size_t>(code);
    Q_ASSERT(index < errorTable.size());
    return errorTable[index < errorTable.size() ? index : static_cast<std::size_t>(ErrorCode::Internal)];
}

} // namespace

QLatin1StringView errorCodeName(ErrorCode code)
{
    return info(code).name;
}

std::optional<ErrorCode> errorCodeFromName(QByteArrayView name)
{
    for (const ErrorCodeInfo &entry : errorTable) {
        if (QByteArrayView(entry.name.data(), entry.name.size()) == name)
            return entry.code;
    }
    return std::nullopt;
}

std::optional<ErrorCode> errorCodeFromName(QStringView name)
{
    for (const ErrorCodeInfo &entry : errorTable) {
        if (name == entry.name)
            return entry.code;
    }
    return std::nullopt;
}

int httpStatus(ErrorCode code)
{
    return info(code).httpStatus;
}

std::optional<quint16> closeCode(ErrorCode code)
{
    const quint16 value = info(code).closeCode;
    return value == 0 ? std::nullopt : std::optional<quint16>(value);
}

Error toError(ErrorCode code, QString message)
{
    return Error{QString(errorCodeName(code)), std::move(message)};
}

std::optional<ErrorCode> errorCodeOf(const Error &error)
{
    return errorCodeFromName(QStringView(error.code));
}

} // namespace arena::protocol
