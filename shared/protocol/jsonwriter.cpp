#include "shared/protocol/jsonwriter.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <cmath>
#include <limits>

namespace arena::protocol {

JsonWriter::JsonWriter(QByteArray &out) : m_out(out), m_size(out.size())
{
    m_capacity = m_size;
    grow(128);
}

JsonWriter::~JsonWriter()
{
    finish();
}

QByteArray &JsonWriter::finish()
{
    m_out.resize(m_size);
    m_capacity = m_size;
    m_data = m_out.data();
    return m_out;
}

void JsonWriter::grow(qsizetype n)
{
    m_capacity = std::max(m_size + n, m_capacity * 2);
    m_out.resize(m_capacity);
    m_data = m_out.data();
}

void JsonWriter::put(const char *text, qsizetype n)
{
    std::memcpy(reserve(n), text, std::size_t(n));
    m_size += n;
}

void JsonWriter::beginObject()
{
    separator();
    put('{');
    m_needComma = false;
}

void JsonWriter::endObject()
{
    put('}');
    m_needComma = true;
}

void JsonWriter::beginArray()
{
    separator();
    put('[');
    m_needComma = false;
}

void JsonWriter::endArray()
{
    put(']');
    m_needComma = true;
}

void JsonWriter::key(std::string_view plainKey)
{
    const auto n = qsizetype(plainKey.size());
    char *out = reserve(n + 4);
    if (m_needComma)
        *out++ = ',';
    *out++ = '"';
    std::memcpy(out, plainKey.data(), plainKey.size());
    out += n;
    *out++ = '"';
    *out++ = ':';
    m_size = out - m_data;
    m_needComma = false;
}

void JsonWriter::key(QStringView key)
{
    separator();
    appendEscaped(key);
    put(':');
    m_needComma = false;
}

void JsonWriter::writeString(QStringView value)
{
    separator();
    appendEscaped(value);
    m_needComma = true;
}

void JsonWriter::writeString(QLatin1StringView plainValue)
{
    const qsizetype n = plainValue.size();
    char *out = reserve(n + 3);
    if (m_needComma)
        *out++ = ',';
    *out++ = '"';
    std::memcpy(out, plainValue.data(), std::size_t(n));
    out += n;
    *out++ = '"';
    m_size = out - m_data;
    m_needComma = true;
}

void JsonWriter::writeUInt(quint64 value)
{
    separator();
    char *out = reserve(24);
    m_size = std::to_chars(out, out + 24, value).ptr - m_data;
    m_needComma = true;
}

void JsonWriter::writeInt(qint64 value)
{
    separator();
    char *out = reserve(24);
    m_size = std::to_chars(out, out + 24, value).ptr - m_data;
    m_needComma = true;
}

void JsonWriter::writeDouble(double value)
{
    if (!std::isfinite(value)) {
        writeNull();
        return;
    }
    separator();
    // Shortest text that reads back to the same double.
    char *out = reserve(32);
    m_size = std::to_chars(out, out + 32, value).ptr - m_data;
    m_needComma = true;
}

void JsonWriter::writeBool(bool value)
{
    separator();
    if (value)
        put("true", 4);
    else
        put("false", 5);
    m_needComma = true;
}

void JsonWriter::writeNull()
{
    separator();
    put("null", 4);
    m_needComma = true;
}

void JsonWriter::writeRaw(QByteArrayView json)
{
    separator();
    put(json.data(), json.size());
    m_needComma = true;
}

void JsonWriter::writeJsonValue(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        writeNull();
        return;
    case QJsonValue::Bool:
        writeBool(value.toBool());
        return;
    case QJsonValue::Double: {
        // QJsonValue keeps 64-bit integers exactly; write those without a fraction.
        constexpr qint64 sentinel = std::numeric_limits<qint64>::min();
        const qint64 integer = value.toInteger(sentinel);
        if (integer != sentinel)
            writeInt(integer);
        else
            writeDouble(value.toDouble());
        return;
    }
    case QJsonValue::String:
        writeString(QStringView(value.toString()));
        return;
    case QJsonValue::Array: {
        beginArray();
        const QJsonArray array = value.toArray();
        for (const QJsonValue &element : array)
            writeJsonValue(element);
        endArray();
        return;
    }
    case QJsonValue::Object: {
        beginObject();
        const QJsonObject object = value.toObject();
        for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
            key(QStringView(it.key()));
            writeJsonValue(it.value());
        }
        endObject();
        return;
    }
    }
}

void JsonWriter::appendEscaped(QStringView value)
{
    // Worst case per UTF-16 unit is 6 bytes (\u00XX).
    char *out = reserve(value.size() * 6 + 2);
    *out++ = '"';
    const char16_t *p = value.utf16();
    const char16_t *end = p + value.size();
    static constexpr char hex[] = "0123456789abcdef";
    while (p < end) {
        char32_t c = *p++;
        if (c < 0x80) {
            if (c >= 0x20 && c != '"' && c != '\\') {
                *out++ = char(c);
                continue;
            }
            *out++ = '\\';
            switch (c) {
            case '"':
                *out++ = '"';
                break;
            case '\\':
                *out++ = '\\';
                break;
            case '\b':
                *out++ = 'b';
                break;
            case '\f':
                *out++ = 'f';
                break;
            case '\n':
                *out++ = 'n';
                break;
            case '\r':
                *out++ = 'r';
                break;
            case '\t':
                *out++ = 't';
                break;
            default:
                *out++ = 'u';
                *out++ = '0';
                *out++ = '0';
                *out++ = hex[c >> 4];
                *out++ = hex[c & 0xF];
                break;
            }
            continue;
        }
        if (c >= 0xD800 && c <= 0xDBFF && p < end && *p >= 0xDC00 && *p <= 0xDFFF) {
            c = 0x10000 + ((c - 0xD800) << 10) + (char32_t(*p++) - 0xDC00);
        } else if (c >= 0xD800 && c <= 0xDFFF) {
            c = 0xFFFD;
        }
        if (c < 0x800) {
            *out++ = char(0xC0 | (c >> 6));
            *out++ = char(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            *out++ = char(0xE0 | (c >> 12));
            *out++ = char(0x80 | ((c >> 6) & 0x3F));
            *out++ = char(0x80 | (c & 0x3F));
        } else {
            *out++ = char(0xF0 | (c >> 18));
            *out++ = char(0x80 | ((c >> 12) & 0x3F));
            *out++ = char(0x80 | ((c >> 6) & 0x3F));
            *out++ = char(0x80 | (c & 0x3F));
        }
    }
    *out++ = '"';
    m_size = out - m_data;
}

} // namespace arena::protocol
