#include "shared/protocol/errormessage.h"

#include "shared/protocol/decodelimits.h"

namespace arena::protocol {

namespace {

// Cuts text to at most maxBytes of UTF-8 at a character boundary, so the reply still decodes on the
// other side even when the refused input had enormous keys.
QString truncatedUtf8(const QString &text, qsizetype maxBytes)
{
    qsizetype bytes = 0;
    for (qsizetype i = 0; i < text.size(); ++i) {
        const char16_t unit = text.at(i).unicode();
        qsizetype width = 1;
        qsizetype units = 1;
        if (unit >= 0x800) {
            width = 3;
            if (QChar::isHighSurrogate(unit) && i + 1 < text.size() && QChar::isLowSurrogate(text.at(i + 1).unicode())) {
                width = 4;
                units = 2;
            }
        } else if (unit >= 0x80) {
            width = 2;
        }
        if (bytes + width > maxBytes)
            return text.left(i);
        bytes += width;
        i += units - 1;
    }
    return text;
}

} // namespace

ErrorMessage ErrorMessage::fromDecodeError(const DecodeError &error)
{
    ErrorMessage reply;
    reply.code = error.errorCode();
    reply.message = truncatedUtf8(error.toString(), MaxTextBytes);
    if (!error.path.isEmpty())
        reply.field = truncatedUtf8(error.path, MaxFieldPathBytes);
    reply.rid = error.rid;
    return reply;
}

ErrorMessage ErrorMessage::make(ErrorCode code, QString message, std::optional<quint64> rid)
{
    ErrorMessage reply;
    reply.code = code;
    reply.message = std::move(message);
    reply.rid = rid;
    return reply;
}

} // namespace arena::protocol
