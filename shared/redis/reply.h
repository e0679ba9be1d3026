// Reply: an owned, copyable value of a Redis reply (also what StateStore operations return).
#pragma once

#include <QByteArray>
#include <QList>
#include <QString>

#include <optional>

namespace arena {

class Reply
{
public:
    enum class Type { Nil, Status, Error, Integer, String, Array };

    Reply() = default;
    static Reply nil() { return Reply(); }
    static Reply status(QByteArray s) { return Reply(Type::Status, std::move(s)); }
    static Reply error(QByteArray s) { return Reply(Type::Error, std::move(s)); }
    static Reply string(QByteArray s) { return Reply(Type::String, std::move(s)); }
    static Reply integer(qint64 v)
    {
        Reply r;
        r.m_type = Type::Integer;
        r.m_integer = v;
        return r;
    }
    static Reply array(QList<Reply> elements)
    {
        Reply r;
        r.m_type = Type::Array;
        r.m_elements = std::move(elements);
        return r;
    }

    Type type() const { return m_type; }
    bool isNil() const { return m_type == Type::Nil; }
    bool isError() const { return m_type == Type::Error; }
    bool isInteger() const { return m_type == Type::Integer; }
    bool isString() const { return m_type == Type::String; }
    bool isStatus() const { return m_type == Type::Status; }
    bool isArray() const { return m_type == Type::Array; }

    // Payload of String, Status and Error replies.
    const QByteArray &bytes() const { return m_bytes; }
    qint64 integer() const { return m_integer; }
    const QList<Reply> &elements() const { return m_elements; }

    // Integer value, or a String/Status that parses as one.
    std::optional<qint64> toInteger() const
    {
        if (m_type == Type::Integer)
            return m_integer;
        if (m_type == Type::String || m_type == Type::Status) {
            bool ok = false;
            const qint64 v = m_bytes.toLongLong(&ok);
            if (ok)
                return v;
        }
        return std::nullopt;
    }

    // Debug form, e.g. [1, "a", (nil)].
    QString toDebugString() const
    {
        switch (m_type) {
        case Type::Nil: return QStringLiteral("(nil)");
        case Type::Status: return QString::fromUtf8(m_bytes);
        case Type::Error: return QStringLiteral("(error) ") + QString::fromUtf8(m_bytes);
        case Type::Integer: return QString::number(m_integer);
        case Type::String: return QLatin1Char('"') + QString::fromUtf8(m_bytes) + QLatin1Char('"');
        case Type::Array: {
            QStringList parts;
            for (const Reply &e : m_elements)
                parts << e.toDebugString();
            return QLatin1Char('[') + parts.join(QStringLiteral(", ")) + QLatin1Char(']');
        }
        }
        return {};
    }

    friend bool operator==(const Reply &a, const Reply &b);

private:
    Reply(Type t, QByteArray b) : m_type(t), m_bytes(std::move(b)) {}

    Type m_type = Type::Nil;
    QByteArray m_bytes;
    qint64 m_integer = 0;
    QList<Reply> m_elements;
};

// Not defaulted: QList<Reply>'s equality traits need Reply complete.
inline bool operator==(const Reply &a, const Reply &b)
{
    return a.m_type == b.m_type && a.m_bytes == b.m_bytes && a.m_integer == b.m_integer
        && a.m_elements == b.m_elements;
}

} // namespace arena
