// Private to arena_protocol: the field-table machinery both codecs are written with, so that one table
// per message drives decoding and encoding alike and the two cannot drift apart.
#pragma once

#include "shared/protocol/decodeerror.h"
#include "shared/protocol/decodelimits.h"
#include "shared/protocol/errormessage.h"
#include "shared/protocol/jsonreader.h"
#include "shared/protocol/jsonwriter.h"
#include "shared/protocol/rawjson.h"

#include <QByteArray>
#include <QList>
#include <QString>

#include <array>
#include <charconv>
#include <concepts>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <variant>

namespace arena::protocol::detail {

struct RawJsonAccess
{
    static RawJson make(QByteArray compactJson) { return RawJson(std::move(compactJson)); }
};

// What a field holds on the wire, with its bounds.
struct IdSpec // non-empty string, no control characters
{
    qsizetype maxBytes = MaxIdBytes;
};
struct TextSpec // any string, possibly empty
{
    qsizetype maxBytes = MaxTextBytes;
};
struct UIntSpec // integer literal without fraction or exponent
{
    quint64 min = 0;
    quint64 max = MaxSafeInteger;
};
struct DoubleSpec
{
};
struct BoolSpec
{
};
struct PayloadSpec // free-form JSON, bounded by maxPayloadBytes / maxPayloadDepth
{
    bool objectOnly = false;
};
template<typename E>
struct EnumSpec
{
    QLatin1StringView (*toName)(E);
    std::optional<E> (*fromName)(QByteArrayView);
};
template<typename ElementSpec>
struct ListSpec // bounded by maxArrayItems
{
    ElementSpec element;
};
struct ObjectSpec // a nested struct with its own Schema
{
};

enum class Presence : quint8 { Required, Optional };

template<typename M, typename T, typename Spec>
struct Field
{
    std::string_view name;
    T M::*member;
    Spec spec;
    Presence presence;
};

template<typename M, typename T, typename Spec>
constexpr Field<M, T, Spec> requiredField(std::string_view name, T M::*member, Spec spec)
{
    return {name, member, spec, Presence::Required};
}

// Absent on the wire: std::optional members stay empty, others keep their default.
template<typename M, typename T, typename Spec>
constexpr Field<M, T, Spec> optionalField(std::string_view name, T M::*member, Spec spec)
{
    return {name, member, spec, Presence::Optional};
}

// Specialised per struct with `static constexpr auto fields = std::make_tuple(...)` and optionally
// `static bool validate(DecodeContext &, const M &)` for rules across fields.
template<typename M>
struct Schema;

template<typename T>
inline constexpr bool isOptional = false;
template<typename T>
inline constexpr bool isOptional<std::optional<T>> = true;

class DecodeContext
{
public:
    DecodeContext(const JsonReader &reader, const DecodeLimits &limits) : reader(reader), limits(limits) {}

    void push(std::string_view name)
    {
        if (m_depth < int(m_path.size()))
            m_path[std::size_t(m_depth)] = Segment{name, 0, true};
        ++m_depth;
    }
    void push(quint32 index)
    {
        if (m_depth < int(m_path.size()))
            m_path[std::size_t(m_depth)] = Segment{{}, index, false};
        ++m_depth;
    }
    void pop() { --m_depth; }

    // Records the error at the current path; always returns false so callers can `return fail(...)`.
    bool fail(DecodeErrorKind kind, QString message)
    {
        error.kind = kind;
        error.message = std::move(message);
        error.path = path();
        error.rid = rid;
        error.type = QString::fromLatin1(typeName.data(), qsizetype(typeName.size()));
        return false;
    }
    bool wrongType(quint32 node, QLatin1StringView expected)
    {
        return fail(DecodeErrorKind::WrongType,
                    QStringLiteral("expected %1, got %2").arg(expected, JsonReader::kindName(reader.node(node).kind)));
    }
    std::string_view string(quint32 node) { return reader.stringView(node, scratch); }

    const JsonReader &reader;
    const DecodeLimits &limits;
    std::optional<quint64> rid;
    std::string_view typeName; // a message's wireType once known (static storage)
    DecodeError error;
    std::string scratch;

private:
    struct Segment
    {
        std::string_view name;
        quint32 index;
        bool isName;
    };

    QString path() const
    {
        QString out;
        const int depth = std::min(m_depth, int(m_path.size()));
        for (int i = 0; i < depth; ++i) {
            const Segment &segment = m_path[std::size_t(i)];
            if (segment.isName) {
                if (!out.isEmpty())
                    out += QLatin1Char('.');
                out += QString::fromUtf8(segment.name.data(), qsizetype(segment.name.size()));
            } else {
                out += QStringLiteral("[%1]").arg(segment.index);
            }
        }
        return out;
    }

    std::array<Segment, 8> m_path{};
    int m_depth = 0;
};

// A quoted excerpt of input for error messages, so a huge value does not make a huge error.
inline QString excerpt(std::string_view text)
{
    constexpr std::size_t Max = 40;
    QString out = QString::fromUtf8(text.data(), qsizetype(std::min(text.size(), Max)));
    if (text.size() > Max)
        out += QStringLiteral("...");
    return out;
}

inline bool readString(DecodeContext &c, quint32 node, QString &out, qsizetype maxBytes, bool idRules)
{
    if (c.reader.node(node).kind != JsonReader::Kind::String)
        return c.wrongType(node, QLatin1StringView("a string"));
    const std::string_view text = c.string(node);
    if (qsizetype(text.size()) > maxBytes)
        return c.fail(DecodeErrorKind::StringTooLong, QStringLiteral("string longer than %1 bytes").arg(maxBytes));
    if (idRules) {
        if (text.empty())
            return c.fail(DecodeErrorKind::InvalidValue, QStringLiteral("must not be empty"));
        for (const char ch : text) {
            const auto byte = static_cast<unsigned char>(ch);
            if (byte < 0x20 || byte == 0x7F)
                return c.fail(DecodeErrorKind::InvalidValue, QStringLiteral("must not contain control characters"));
        }
    }
    out = QString::fromUtf8(text.data(), qsizetype(text.size()));
    return true;
}

inline bool readValue(DecodeContext &c, quint32 node, QString &out, const IdSpec &spec)
{
    return readString(c, node, out, spec.maxBytes, true);
}

inline bool readValue(DecodeContext &c, quint32 node, QString &out, const TextSpec &spec)
{
    return readString(c, node, out, spec.maxBytes, false);
}

template<std::integral T>
bool readValue(DecodeContext &c, quint32 node, T &out, const UIntSpec &spec)
{
    const JsonReader::Node &n = c.reader.node(node);
    if (n.kind != JsonReader::Kind::Number)
        return c.wrongType(node, QLatin1StringView("an integer"));
    const QByteArrayView raw = c.reader.raw(node);
    const std::string_view literal(raw.data(), std::size_t(raw.size()));
    if (n.flags & JsonReader::NonInteger) {
        return c.fail(DecodeErrorKind::WrongType,
                      QStringLiteral("expected an integer without fraction or exponent, got %1").arg(excerpt(literal)));
    }
    const bool negative = n.flags & JsonReader::Negative;
    const std::string_view digits = negative ? literal.substr(1) : literal;
    quint64 value = 0;
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    const bool inRange = ec == std::errc() && (!negative || value == 0) && value >= spec.min && value <= spec.max;
    if (!inRange) {
        return c.fail(DecodeErrorKind::OutOfRange,
                      QStringLiteral("expected an integer from %1 to %2, got %3").arg(spec.min).arg(spec.max).arg(excerpt(literal)));
    }
    Q_ASSERT(spec.max <= quint64(std::numeric_limits<T>::max()));
    out = T(value);
    return true;
}

inline bool readValue(DecodeContext &c, quint32 node, double &out, const DoubleSpec &)
{
    if (c.reader.node(node).kind != JsonReader::Kind::Number)
        return c.wrongType(node, QLatin1StringView("a number"));
    const QByteArrayView raw = c.reader.raw(node);
    double value = 0;
    const auto result = std::from_chars(raw.data(), raw.data() + raw.size(), value);
    // The parser refused overflow, so out of range here is underflow: the nearest double is zero.
    out = result.ec == std::errc() ? value : 0.0;
    return true;
}

inline bool readValue(DecodeContext &c, quint32 node, bool &out, const BoolSpec &)
{
    const JsonReader::Kind kind = c.reader.node(node).kind;
    if (kind != JsonReader::Kind::True && kind != JsonReader::Kind::False)
        return c.wrongType(node, QLatin1StringView("a boolean"));
    out = kind == JsonReader::Kind::True;
    return true;
}

inline bool readValue(DecodeContext &c, quint32 node, RawJson &out, const PayloadSpec &spec)
{
    const JsonReader::Node &n = c.reader.node(node);
    if (spec.objectOnly && n.kind != JsonReader::Kind::Object)
        return c.wrongType(node, QLatin1StringView("an object"));
    if (n.height > c.limits.maxPayloadDepth)
        return c.fail(DecodeErrorKind::TooDeep, QStringLiteral("nested deeper than %1 levels").arg(c.limits.maxPayloadDepth));
    const auto tooLarge = [&](qsizetype size) {
        return c.fail(DecodeErrorKind::TooLarge,
                      QStringLiteral("value of %1 bytes is over the limit of %2")
                                     .arg(size).arg(c.limits.maxPayloadBytes));
    };
    const qsizetype rawSize = n.end - n.begin;
    if (!(n.flags & JsonReader::Spaced) && rawSize > c.limits.maxPayloadBytes)
        return tooLarge(rawSize);
    QByteArray compact = c.reader.compact(node);
    if (compact.size() > c.limits.maxPayloadBytes)
        return tooLarge(compact.size());
    out = RawJsonAccess::make(std::move(compact));
    return true;
}

template<typename E>
bool readValue(DecodeContext &c, quint32 node, E &out, const EnumSpec<E> &spec)
{
    if (c.reader.node(node).kind != JsonReader::Kind::String)
        return c.wrongType(node, QLatin1StringView("a string"));
    const std::string_view name = c.string(node);
    const std::optional<E> value = spec.fromName(QByteArrayView(name.data(), qsizetype(name.size())));
    if (!value)
        return c.fail(DecodeErrorKind::InvalidValue, QStringLiteral("unknown value \"%1\"").arg(excerpt(name)));
    out = *value;
    return true;
}

template<typename M>
bool decodeObject(DecodeContext &c, quint32 objectNode, M &out, bool envelope);
template<typename M>
void encodeObject(JsonWriter &w, const M &value);

template<typename M>
    requires(!isOptional<M>)
bool readValue(DecodeContext &c, quint32 node, M &out, const ObjectSpec &)
{
    return decodeObject(c, node, out, false);
}

template<typename T, typename S>
bool readValue(DecodeContext &c, quint32 node, QList<T> &out, const ListSpec<S> &spec)
{
    const JsonReader::Node &n = c.reader.node(node);
    if (n.kind != JsonReader::Kind::Array)
        return c.wrongType(node, QLatin1StringView("an array"));
    if (qsizetype(n.count) > c.limits.maxArrayItems)
        return c.fail(DecodeErrorKind::ArrayTooLong, QStringLiteral("more than %1 items").arg(c.limits.maxArrayItems));
    out.clear();
    out.reserve(n.count);
    quint32 child = node + 1;
    for (quint32 i = 0; i < n.count; ++i) {
        c.push(i);
        T item{};
        if (!readValue(c, child, item, spec.element))
            return false;
        c.pop();
        out.append(std::move(item));
        child = c.reader.node(child).next;
    }
    return true;
}

template<typename T, typename S>
bool readValue(DecodeContext &c, quint32 node, std::optional<T> &out, const S &spec)
{
    T value{};
    if (!readValue(c, node, value, spec))
        return false;
    out = std::move(value);
    return true;
}

inline void writeValue(JsonWriter &w, const QString &value, const IdSpec &)
{
    w.writeString(QStringView(value));
}

inline void writeValue(JsonWriter &w, const QString &value, const TextSpec &)
{
    w.writeString(QStringView(value));
}

template<std::integral T>
void writeValue(JsonWriter &w, T value, const UIntSpec &)
{
    w.writeUInt(quint64(value));
}

inline void writeValue(JsonWriter &w, double value, const DoubleSpec &)
{
    w.writeDouble(value);
}

inline void writeValue(JsonWriter &w, bool value, const BoolSpec &)
{
    w.writeBool(value);
}

inline void writeValue(JsonWriter &w, const RawJson &value, const PayloadSpec &)
{
    w.writeRaw(value.json());
}

template<typename E>
void writeValue(JsonWriter &w, E value, const EnumSpec<E> &spec)
{
    w.writeString(spec.toName(value));
}

template<typename M>
    requires(!isOptional<M>)
void writeValue(JsonWriter &w, const M &value, const ObjectSpec &)
{
    encodeObject(w, value);
}

template<typename T, typename S>
void writeValue(JsonWriter &w, const QList<T> &value, const ListSpec<S> &spec)
{
    w.beginArray();
    for (const T &item : value)
        writeValue(w, item, spec.element);
    w.endArray();
}

template<typename M, typename F>
bool readField(DecodeContext &c, quint32 valueNode, M &out, const F &field)
{
    c.push(field.name);
    if (!readValue(c, valueNode, out.*(field.member), field.spec))
        return false;
    c.pop();
    return true;
}

template<typename M, typename F>
void writeField(JsonWriter &w, const M &value, const F &field)
{
    const auto &member = value.*(field.member);
    if constexpr (isOptional<std::remove_cvref_t<decltype(member)>>) {
        if (member) {
            w.key(field.name);
            writeValue(w, *member, field.spec);
        }
    } else {
        w.key(field.name);
        writeValue(w, member, field.spec);
    }
}

// Reads the member whose key matches one of M's fields; -1 when none does.
template<typename M, std::size_t... I>
int readMatchingField(DecodeContext &c, std::string_view key, quint32 valueNode, M &out, bool &ok,
                      std::index_sequence<I...>)
{
    (void)key; // unused when M has no fields
    (void)valueNode;
    int matched = -1;
    (void)((std::get<I>(Schema<M>::fields).name == key
                ? (matched = int(I), ok = readField(c, valueNode, out, std::get<I>(Schema<M>::fields)), true)
                : false)
           || ...);
    return matched;
}

template<typename M, std::size_t... I>
bool checkRequired(DecodeContext &c, quint64 seen, std::index_sequence<I...>)
{
    const auto check = [&](const auto &field, std::size_t index) {
        if (field.presence == Presence::Required && !(seen & (quint64(1) << index))) {
            c.push(field.name);
            return c.fail(DecodeErrorKind::MissingField, QStringLiteral("missing required field"));
        }
        return true;
    };
    (void)check; // unused when M has no fields
    return (check(std::get<I>(Schema<M>::fields), I) && ...);
}

template<typename M>
bool decodeObject(DecodeContext &c, quint32 objectNode, M &out, bool envelope)
{
    const JsonReader::Node &object = c.reader.node(objectNode);
    if (object.kind != JsonReader::Kind::Object)
        return c.wrongType(objectNode, QLatin1StringView("an object"));
    constexpr std::size_t FieldCount = std::tuple_size_v<std::remove_cvref_t<decltype(Schema<M>::fields)>>;
    static_assert(FieldCount <= 64);
    constexpr auto indexes = std::make_index_sequence<FieldCount>{};

    quint64 seen = 0;
    quint32 keyNode = objectNode + 1;
    for (quint32 i = 0; i < object.count; ++i) {
        const quint32 valueNode = keyNode + 1;
        const std::string_view key = c.string(keyNode);
        bool ok = true;
        const int matched = readMatchingField(c, key, valueNode, out, ok, indexes);
        if (matched >= 0) {
            if (!ok)
                return false;
            seen |= quint64(1) << matched;
        } else if (!(envelope && (key == "type" || key == "rid")) && c.limits.unknownFields == UnknownFields::Reject) {
            c.push(key);
            return c.fail(DecodeErrorKind::UnknownField, QStringLiteral("unknown field"));
        }
        keyNode = c.reader.node(valueNode).next;
    }
    if (!checkRequired<M>(c, seen, indexes))
        return false;
    if constexpr (requires(DecodeContext &ctx, const M &m) { Schema<M>::validate(ctx, m); })
        return Schema<M>::validate(c, out);
    return true;
}

template<typename M>
void encodeObject(JsonWriter &w, const M &value)
{
    w.beginObject();
    std::apply([&](const auto &...field) { (writeField(w, value, field), ...); }, Schema<M>::fields);
    w.endObject();
}

template<typename M>
QByteArray encodeMessage(const M &message)
{
    QByteArray out;
    {
        JsonWriter w(out);
        w.beginObject();
        w.key("type");
        w.writeString(QLatin1StringView(M::wireType.data(), qsizetype(M::wireType.size())));
        if (message.rid) {
            w.key("rid");
            w.writeUInt(*message.rid);
        }
        std::apply([&](const auto &...field) { (writeField(w, message, field), ...); }, Schema<M>::fields);
        w.endObject();
    }
    return out;
}

template<typename M, typename Variant>
DecodeResult<Variant> decodeAlternative(DecodeContext &c)
{
    M message;
    if (!decodeObject(c, 0, message, true))
        return c.error;
    message.rid = c.rid;
    return Variant(std::in_place_type<M>, std::move(message));
}

template<typename Variant>
struct Dispatch
{
    using Decoder = DecodeResult<Variant> (*)(DecodeContext &);
    struct Entry
    {
        std::string_view type;
        Decoder decode;
    };

    template<std::size_t... I>
    static constexpr std::array<Entry, sizeof...(I)> makeTable(std::index_sequence<I...>)
    {
        return {{Entry{std::variant_alternative_t<I, Variant>::wireType,
                       &decodeAlternative<std::variant_alternative_t<I, Variant>, Variant>}...}};
    }
    static constexpr auto table = makeTable(std::make_index_sequence<std::variant_size_v<Variant>>{});
};

// The envelope: size check before parsing, strict parse, root object, rid (so later errors can echo
// it), type, then the message's own fields.
template<typename Variant>
DecodeResult<Variant> decodeEnvelope(QByteArrayView json, const DecodeLimits &limits)
{
    if (json.size() > limits.maxMessageBytes) {
        return DecodeError::make(DecodeErrorKind::TooLarge,
                                 QStringLiteral("message of %1 bytes is over the limit of %2")
                                     .arg(json.size()).arg(limits.maxMessageBytes));
    }
    JsonReader reader;
    if (!reader.parse(json, limits.maxDepth))
        return reader.error();
    DecodeContext c(reader, limits);
    const JsonReader::Node &root = reader.node(0);
    if (root.kind != JsonReader::Kind::Object) {
        c.fail(DecodeErrorKind::WrongType,
               QStringLiteral("a message must be a JSON object, got %1").arg(JsonReader::kindName(root.kind)));
        return c.error;
    }
    quint32 typeNode = 0;
    quint32 ridNode = 0;
    quint32 keyNode = 1;
    for (quint32 i = 0; i < root.count; ++i) {
        const std::string_view key = c.string(keyNode);
        if (key == "type")
            typeNode = keyNode + 1;
        else if (key == "rid")
            ridNode = keyNode + 1;
        keyNode = reader.node(keyNode + 1).next;
    }
    if (ridNode != 0) {
        quint64 rid = 0;
        c.push(std::string_view("rid"));
        if (!readValue(c, ridNode, rid, UIntSpec{}))
            return c.error;
        c.pop();
        c.rid = rid;
    }
    c.push(std::string_view("type"));
    if (typeNode == 0) {
        c.fail(DecodeErrorKind::MissingField, QStringLiteral("missing required field"));
        return c.error;
    }
    if (reader.node(typeNode).kind != JsonReader::Kind::String) {
        c.wrongType(typeNode, QLatin1StringView("a string"));
        return c.error;
    }
    const std::string_view type = c.string(typeNode);
    for (const auto &entry : Dispatch<Variant>::table) {
        if (entry.type == type) {
            c.pop();
            c.typeName = entry.type;
            return entry.decode(c);
        }
    }
    c.fail(DecodeErrorKind::UnknownType, QStringLiteral("unknown message type \"%1\"").arg(excerpt(type)));
    return c.error;
}

// Bounds shared by both protocols.
inline constexpr UIntSpec CountSpec{0, 0xFFFFFFFFu};
inline constexpr UIntSpec TimeSpec{0, MaxSafeInteger}; // ms since the Unix epoch, or a duration in ms
inline constexpr IdSpec TokenSpec{MaxTokenBytes};
inline constexpr TextSpec ReasonSpec{MaxReasonBytes};
inline constexpr EnumSpec<ErrorCode> ErrorCodeSpec{&errorCodeName,
                                                   static_cast<std::optional<ErrorCode> (*)(QByteArrayView)>(&errorCodeFromName)};

// The error message and nested error are part of both protocols.
template<>
struct Schema<ErrorInfo>
{
    static constexpr auto fields = std::make_tuple(requiredField("code", &ErrorInfo::code, ErrorCodeSpec),
                                                   requiredField("message", &ErrorInfo::message, TextSpec{}));
};

template<>
struct Schema<ErrorMessage>
{
    static constexpr auto fields =
        std::make_tuple(requiredField("code", &ErrorMessage::code, ErrorCodeSpec),
                        requiredField("message", &ErrorMessage::message, TextSpec{}),
                        optionalField("field", &ErrorMessage::field, TextSpec{MaxFieldPathBytes}),
                        optionalField("retry_after_ms", &ErrorMessage::retryAfterMs, TimeSpec));
};

} // namespace arena::protocol::detail
