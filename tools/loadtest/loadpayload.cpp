#include "tools/loadtest/loadpayload.h"

#include <limits>

namespace arena {

namespace {

// Reads `"<key>":<digits>` at `pos`, moving past it. Digits only (no sign, no fraction), at most 18 so
// the value fits.
bool readField(QByteArrayView json, qsizetype &pos, char key, quint64 &value)
{
    if (pos + 4 > json.size() || json[pos] != '"' || json[pos + 1] != key || json[pos + 2] != '"'
        || json[pos + 3] != ':')
        return false;
    pos += 4;
    const qsizetype start = pos;
    quint64 v = 0;
    while (pos < json.size() && json[pos] >= '0' && json[pos] <= '9' && pos - start < 18)
        v = v * 10 + quint64(json[pos++] - '0');
    if (pos == start)
        return false;
    value = v;
    return true;
}

} // namespace

QByteArray LoadPayload::toJson(int paddingBytes) const
{
    QByteArray json;
    json.reserve(48 + qMax(0, paddingBytes));
    json.append("{\"t\":").append(QByteArray::number(sentNs));
    json.append(",\"s\":").append(QByteArray::number(seq));
    json.append(",\"c\":").append(QByteArray::number(client));
    if (paddingBytes > 0)
        json.append(",\"p\":\"").append(QByteArray(paddingBytes, 'x')).append('"');
    json.append('}');
    return json;
}

std::optional<LoadPayload> LoadPayload::fromJson(QByteArrayView json)
{
    if (json.size() < 2 || json[0] != '{' || json.back() != '}')
        return std::nullopt;
    qsizetype pos = 1;
    quint64 t = 0, s = 0, c = 0;
    if (!readField(json, pos, 't', t) || pos >= json.size() || json[pos++] != ','
        || !readField(json, pos, 's', s) || pos >= json.size() || json[pos++] != ','
        || !readField(json, pos, 'c', c) || c > quint64(std::numeric_limits<int>::max()))
        return std::nullopt;
    // What may follow: the end, or the padding field.
    if (json[pos] != '}' && !QByteArrayView(json).sliced(pos).startsWith(",\"p\":\""))
        return std::nullopt;
    return LoadPayload{qint64(t), s, int(c)};
}

} // namespace arena
