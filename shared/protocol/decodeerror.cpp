#include "shared/protocol/decodeerror.h"

namespace arena::protocol {

QLatin1StringView decodeErrorKindName(DecodeErrorKind kind)
{
    switch (kind) {
    case DecodeErrorKind::TooLarge:
        return QLatin1StringView("too_large");
    case DecodeErrorKind::Syntax:
        return QLatin1StringView("syntax");
    case DecodeErrorKind::InvalidUtf8:
        return QLatin1StringView("invalid_utf8");
    case DecodeErrorKind::DuplicateKey:
        return QLatin1StringView("duplicate_key");
    case DecodeErrorKind::TooDeep:
        return QLatin1StringView("too_deep");
    case DecodeErrorKind::UnknownType:
        return QLatin1StringView("unknown_type");
    case DecodeErrorKind::UnknownField:
        return QLatin1StringView("unknown_field");
    case DecodeErrorKind::MissingField:
        return QLatin1StringView("missing_field");
    case DecodeErrorKind::WrongType:
        return QLatin1StringView("wrong_type");
    case DecodeErrorKind::OutOfRange:
        return QLatin1StringView("out_of_range");
    case DecodeErrorKind::StringTooLong:
        return QLatin1StringView("string_too_long");
    case DecodeErrorKind::ArrayTooLong:
        return QLatin1StringView("array_too_long");
    case DecodeErrorKind::InvalidValue:
        return QLatin1StringView("invalid_value");
    }
    return QLatin1StringView("unknown");
}

DecodeError DecodeError::make(DecodeErrorKind kind, QString message, QString path)
{
    DecodeError error;
    error.kind = kind;
    error.message = std::move(message);
    error.path = std::move(path);
    return error;
}

ErrorCode DecodeError::errorCode() const
{
    switch (kind) {
    case DecodeErrorKind::TooLarge:
        return ErrorCode::TooLarge;
    case DecodeErrorKind::UnknownType:
        return ErrorCode::UnknownType;
    default:
        return ErrorCode::BadRequest;
    }
}

QString DecodeError::toString() const
{
    if (path.isEmpty())
        return message;
    return path + QStringLiteral(": ") + message;
}

} // namespace arena::protocol
