#include "shared/ipc/framedecoder.h"

#include <QCborStreamReader>
#include <QCborValue>
#include <QtEndian>

namespace arena::ipc {

namespace {

constexpr qsizetype KeptCapacity = 64 * 1024;

QString typeName(QCborStreamReader::Type type)
{
    switch (type) {
    case QCborStreamReader::UnsignedInteger:
    case QCborStreamReader::NegativeInteger: return QStringLiteral("an integer");
    case QCborStreamReader::ByteArray: return QStringLiteral("a byte string");
    case QCborStreamReader::String: return QStringLiteral("a text string");
    case QCborStreamReader::Array: return QStringLiteral("an array");
    case QCborStreamReader::Map: return QStringLiteral("a map");
    case QCborStreamReader::Tag: return QStringLiteral("a tagged value");
    case QCborStreamReader::SimpleType: return QStringLiteral("a simple value (bool, null or undefined)");
    case QCborStreamReader::Float16:
    case QCborStreamReader::Float:
    case QCborStreamReader::Double: return QStringLiteral("a floating-point number");
    case QCborStreamReader::Invalid: break;
    }
    return QStringLiteral("an invalid item");
}

} // namespace

FrameDecoder::FrameDecoder(qsizetype maxFrameBytes) : m_maxFrameBytes(maxFrameBytes) {}

void FrameDecoder::append(QByteArrayView bytes)
{
    if (m_error || bytes.isEmpty())
        return;
    if (m_pos > 0 && m_pos >= m_buffer.size() - m_pos) {
        m_buffer.remove(0, m_pos);
        m_pos = 0;
    }
    m_buffer.append(bytes);
}

Result<std::optional<QCborMap>> FrameDecoder::next()
{
    if (m_error)
        return *m_error;

    const qsizetype available = m_buffer.size() - m_pos;
    if (available < FrameHeaderBytes)
        return std::optional<QCborMap>();
    const char *header = m_buffer.constData() + m_pos;
    const quint32 length = qFromBigEndian<quint32>(header);
    if (qsizetype(length) > m_maxFrameBytes) {
        return fail(Error{QStringLiteral("frame_too_large"),
                          QStringLiteral("frame announces a %1-byte payload, over the limit of %2 bytes")
                              .arg(length)
                              .arg(m_maxFrameBytes)});
    }
    if (available - FrameHeaderBytes < qsizetype(length))
        return std::optional<QCborMap>();

    const char *payload = header + FrameHeaderBytes;
    if (length == 0)
        return fail(Error{QStringLiteral("invalid_cbor"),
                          QStringLiteral("frame payload is empty; expected a CBOR map")});

    // The reader works on the buffer in place (no copy); the decoded value owns its data.
    QCborStreamReader reader(payload, qsizetype(length));
    if (reader.lastError() != QCborError::NoError) {
        return fail(Error{QStringLiteral("invalid_cbor"),
                          QStringLiteral("frame payload is not valid CBOR: %1 at offset 0")
                              .arg(reader.lastError().toString())});
    }
    if (!reader.isMap()) {
        // Checked before decoding, so a large array is refused without building it.
        return fail(Error{QStringLiteral("not_a_map"),
                          QStringLiteral("frame payload is %1; expected a CBOR map").arg(typeName(reader.type()))});
    }
    const QCborValue value = QCborValue::fromCbor(reader);
    if (reader.lastError() != QCborError::NoError) {
        return fail(Error{QStringLiteral("invalid_cbor"),
                          QStringLiteral("frame payload is not valid CBOR: %1 at offset %2")
                              .arg(reader.lastError().toString())
                              .arg(reader.currentOffset())});
    }
    const qint64 used = reader.currentOffset();
    if (used != qint64(length)) {
        return fail(Error{QStringLiteral("trailing_bytes"),
                          QStringLiteral("frame payload has %1 byte(s) after its CBOR map (map %2 bytes, payload %3)")
                              .arg(qint64(length) - used)
                              .arg(used)
                              .arg(length)});
    }

    m_pos += FrameHeaderBytes + qsizetype(length);
    if (m_pos == m_buffer.size()) {
        // The common case on a quiet channel: everything consumed. Keep a small allocation for the next
        // read, but do not let one large frame pin its size for the life of the channel.
        if (m_buffer.capacity() > KeptCapacity)
            m_buffer = QByteArray();
        else
            m_buffer.resize(0);
        m_pos = 0;
    }
    return std::optional<QCborMap>(value.toMap());
}

Result<std::optional<QCborMap>> FrameDecoder::fail(Error error)
{
    m_error = error;
    // The rest of the stream is meaningless now; do not hold on to it.
    m_buffer = QByteArray();
    m_pos = 0;
    return error;
}

} // namespace arena::ipc
