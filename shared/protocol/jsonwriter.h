// JsonWriter: appends compact JSON text to a QByteArray (the encoder's half of the strict codec).
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QLatin1StringView>
#include <QStringView>

#include <string_view>

namespace arena::protocol {

// Output is compact RFC 8259 text: strings as UTF-8 with only '"', '\\' and control characters escaped;
// a lone surrogate in a QString is written as U+FFFD; a non-finite double is written as null.
// Appends to `out` after what it already holds. While writing, `out` is grown ahead of the text (so
// single bytes cost a store, not a QByteArray call); finish() or the destructor trims it to the text.
class JsonWriter final
{
    Q_DISABLE_COPY_MOVE(JsonWriter)

public:
    explicit JsonWriter(QByteArray &out);
    ~JsonWriter();

    // Trims `out` to exactly the text written so far; writing may continue afterwards.
    QByteArray &finish();

    void beginObject();
    void endObject();
    void beginArray();
    void endArray();

    // A key known to need no escaping (protocol field names).
    void key(std::string_view plainKey);
    void key(QStringView key);

    void writeString(QStringView value);
    void writeString(QLatin1StringView plainValue); // ASCII known to need no escaping (enum names)
    void writeUInt(quint64 value);
    void writeInt(qint64 value);
    void writeDouble(double value);
    void writeBool(bool value);
    void writeNull();
    // Already valid, compact JSON text (a RawJson), copied as is.
    void writeRaw(QByteArrayView json);
    void writeJsonValue(const QJsonValue &value);

private:
    // Makes room for n more bytes and returns where they go.
    char *reserve(qsizetype n)
    {
        if (m_size + n > m_capacity)
            grow(n);
        return m_data + m_size;
    }
    void grow(qsizetype n);
    void put(char c) { *reserve(1) = c, ++m_size; }
    void put(const char *text, qsizetype n);
    void separator()
    {
        if (m_needComma)
            put(',');
    }
    void appendEscaped(QStringView value);

    QByteArray &m_out;
    char *m_data = nullptr;
    qsizetype m_size = 0;     // bytes of m_out that hold text
    qsizetype m_capacity = 0; // m_out.size() while writing
    bool m_needComma = false;
};

} // namespace arena::protocol
