// Helpers shared by the codec tests: literal JSON values, UTF-8 strings and pinned wire samples.
#pragma once

#include "shared/protocol/codec.h"

#include <QByteArray>
#include <QString>

namespace arena::protocol::test {

// A RawJson from a literal known to be valid.
inline RawJson json(const char *text)
{
    auto parsed = RawJson::parse(QByteArrayView(text));
    Q_ASSERT(parsed.ok());
    return parsed.value();
}

inline QString s(const char *utf8)
{
    return QString::fromUtf8(utf8);
}

// A message and the exact wire text it encodes to.
template<typename Message>
struct Sample
{
    const char *name;
    Message message;
    QByteArray wire;
};

} // namespace arena::protocol::test
