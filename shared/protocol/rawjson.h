// RawJson: a free-form JSON value (room data, metadata, state, action params) held as compact, validated text.
#pragma once

#include "shared/protocol/decodeerror.h"
#include "shared/protocol/decodelimits.h"

#include <QByteArray>
#include <QJsonObject>
#include <QJsonValue>

namespace arena::protocol {

namespace detail {
struct RawJsonAccess;
}

// Kept as text rather than a QJsonValue so a relay forwards game payloads without building a tree:
// decoding copies the bytes (minus whitespace), encoding appends them. Numbers and escapes stay as the
// sender wrote them, so no precision is lost. Equality compares that compact text.
class RawJson final
{
public:
    RawJson(); // JSON null

    static RawJson emptyObject();
    // Strict parse of one JSON value, bounded by limits.maxPayloadBytes / maxPayloadDepth.
    static DecodeResult<RawJson> parse(QByteArrayView json, const DecodeLimits &limits = {});
    static RawJson fromJsonValue(const QJsonValue &value);
    static RawJson fromJsonObject(const QJsonObject &object);

    // Compact JSON text, e.g. {"x":1}.
    const QByteArray &json() const { return m_json; }
    qsizetype size() const { return m_json.size(); }
    QJsonValue toJsonValue() const;
    // The object, or an empty one when the value is not an object.
    QJsonObject toJsonObject() const;

    bool isNull() const;
    bool isObject() const;
    bool isArray() const;

    friend bool operator==(const RawJson &, const RawJson &) = default;

private:
    friend struct detail::RawJsonAccess;
    explicit RawJson(QByteArray compactJson) : m_json(std::move(compactJson)) {}

    QByteArray m_json;
};

} // namespace arena::protocol
