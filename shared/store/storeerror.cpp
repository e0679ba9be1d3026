#include "shared/store/storeerror.h"

namespace arena {

Error storeErrorFromRedis(const QByteArray &message)
{
    QString code = QStringLiteral("command_error");
    if (message.startsWith("WRONGTYPE"))
        code = QStringLiteral("wrong_type");
    else if (message.startsWith("ERR value is not an integer") || message.startsWith("ERR hash value is not an integer"))
        code = QStringLiteral("not_integer");
    else if (message.startsWith("ERR increment or decrement would overflow"))
        code = QStringLiteral("overflow");
    else if (message.startsWith("ERR wrong number of arguments") || message.startsWith("ERR invalid expire time")
             || message.startsWith("ERR value is not a valid float") || message.startsWith("ERR min or max is not a float")
             || (message.startsWith("ERR") && message.contains("NaN")))
        code = QStringLiteral("invalid_argument");
    return Error{code, QString::fromUtf8(message)};
}

} // namespace arena
