#include "shared/protocol/rawjson.h"

#include "shared/protocol/jsonreader.h"
#include "shared/protocol/jsonwriter.h"

namespace arena::protocol {

RawJson::RawJson() : m_json(QByteArrayLiteral("null")) {}

RawJson RawJson::emptyObject()
{
    return RawJson(QByteArrayLiteral("{}"));
}

DecodeResult<RawJson> RawJson::parse(QByteArrayView json, const DecodeLimits &limits)
{
    if (json.size() > limits.maxMessageBytes) {
        return DecodeError::make(DecodeErrorKind::TooLarge,
                                 QStringLiteral("value of %1 bytes is over the limit of %2")
                                     .arg(json.size()).arg(limits.maxMessageBytes));
    }
    JsonReader reader;
    if (!reader.parse(json, limits.maxPayloadDepth))
        return reader.error();
    QByteArray compact = reader.compact(0);
    if (compact.size() > limits.maxPayloadBytes) {
        return DecodeError::make(DecodeErrorKind::TooLarge,
                                 QStringLiteral("value of %1 bytes is over the limit of %2")
                                     .arg(compact.size()).arg(limits.maxPayloadBytes));
    }
    return RawJson(std::move(compact));
}

RawJson RawJson::fromJsonValue(const QJsonValue &value)
{
    QByteArray out;
    {
        JsonWriter writer(out);
        writer.writeJsonValue(value);
    }
    return RawJson(std::move(out));
}

RawJson RawJson::fromJsonObject(const QJsonObject &object)
{
    return fromJsonValue(QJsonValue(object));
}

QJsonValue RawJson::toJsonValue() const
{
    JsonReader reader;
    // The text was validated (or written by JsonWriter) when this value was made.
    if (!reader.parse(m_json, JsonReader::DepthCeiling))
        return QJsonValue();
    return reader.toJsonValue(0);
}

QJsonObject RawJson::toJsonObject() const
{
    return isObject() ? toJsonValue().toObject() : QJsonObject();
}

bool RawJson::isNull() const
{
    return m_json == "null";
}

bool RawJson::isObject() const
{
    return m_json.startsWith('{');
}

bool RawJson::isArray() const
{
    return m_json.startsWith('[');
}

} // namespace arena::protocol
