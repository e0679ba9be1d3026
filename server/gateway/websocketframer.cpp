#include "server/gateway/websocketframer.h"

#include <cstring>

namespace arena {

bool Utf8Validator::feed(QByteArrayView data)
{
    auto p = reinterpret_cast<const uchar *>(data.data());
    const auto end = p + data.size();
    while (p < end) {
        if (m_need == 0) {
            // Game messages are mostly ASCII: skip it eight bytes at a time.
            while (end - p >= 8) {
                quint64 word;
                std::memcpy(&word, p, 8);
                if (word & 0x8080808080808080ULL)
                    break;
                p += 8;
            }
            if (p == end)
                break;
            const uchar c = *p++;
            if (c < 0x80)
                continue;
            if (c >= 0xC2 && c <= 0xDF) {
                m_need = 1;
            } else if (c >= 0xE0 && c <= 0xEF) {
                m_need = 2;
                if (c == 0xE0)
                    m_lower = 0xA0; // overlong
                else if (c == 0xED)
                    m_upper = 0x9F; // surrogates
            } else if (c >= 0xF0 && c <= 0xF4) {
                m_need = 3;
                if (c == 0xF0)
                    m_lower = 0x90; // overlong
                else if (c == 0xF4)
                    m_upper = 0x8F; // above U+10FFFF
            } else {
                return false; // a continuation byte, C0/C1 (overlong) or F5..FF
            }
        } else {
            const uchar c = *p++;
            if (c < m_lower || c > m_upper)
                return false;
            m_lower = 0x80;
            m_upper = 0xBF;
            --m_need;
        }
    }
    return true;
}

void WebSocketFramer::feed(char *data, qsizetype size)
{
    if (m_done || size <= 0)
        return;
    if (m_releaseMessage) {
        m_message.clear();
        m_releaseMessage = false;
    }
    if (!m_buffer.isEmpty()) {
        m_buffer.append(data, size);
        m_input = m_buffer.data();
        m_inputSize = m_buffer.size();
        m_inputIsBuffer = true;
    } else {
        m_input = data;
        m_inputSize = size;
        m_inputIsBuffer = false;
    }
    m_pos = 0;
}

void WebSocketFramer::keepRemainder()
{
    const qsizetype left = m_inputSize - m_pos;
    if (m_inputIsBuffer) {
        if (left == 0)
            m_buffer.clear(); // frees it: an idle connection holds no buffer
        else if (m_pos > 0)
            m_buffer.remove(0, m_pos);
    } else if (left > 0) {
        m_buffer = QByteArray(m_input + m_pos, left);
    }
    m_input = nullptr;
    m_inputSize = 0;
    m_pos = 0;
    m_inputIsBuffer = false;
}

bool WebSocketFramer::fail(Event &event, quint16 code, const char *error)
{
    m_done = true;
    m_buffer.clear();
    m_message.clear();
    m_input = nullptr;
    m_inputSize = 0;
    m_pos = 0;
    event = Event{Event::Type::ProtocolError, {}, code, error};
    return true;
}

bool WebSocketFramer::next(Event &event)
{
    if (m_releaseMessage) {
        m_message.clear();
        m_releaseMessage = false;
    }
    if (m_done) {
        m_buffer.clear();
        m_message.clear();
        m_input = nullptr;
        m_inputSize = 0;
        m_pos = 0;
        return false;
    }
    for (;;) {
        const qsizetype avail = m_inputSize - m_pos;
        if (avail < 2) {
            keepRemainder();
            return false;
        }
        const auto *p = reinterpret_cast<const uchar *>(m_input + m_pos);
        const bool fin = p[0] & 0x80;
        const quint8 op = p[0] & 0x0F;
        if (p[0] & 0x70)
            return fail(event, 1002, "reserved bits set without a negotiated extension");
        if (op > 0xA || (op > 0x2 && op < 0x8))
            return fail(event, 1002, "unknown opcode");
        if (!(p[1] & 0x80))
            return fail(event, 1002, "client frames must be masked");
        const bool control = op & 0x8;
        quint64 length = p[1] & 0x7F;
        if (control) {
            if (!fin)
                return fail(event, 1002, "fragmented control frame");
            if (length > 125)
                return fail(event, 1002, "control frame payload longer than 125 bytes");
        }
        qsizetype header = 2;
        if (length == 126) {
            if (avail < 4) {
                keepRemainder();
                return false;
            }
            length = (quint64(p[2]) << 8) | p[3];
            header = 4;
        } else if (length == 127) {
            if (avail < 10) {
                keepRemainder();
                return false;
            }
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | p[2 + i];
            if (length >> 63)
                return fail(event, 1002, "64-bit payload length with the most significant bit set");
            header = 10;
        }
        header += 4; // the masking key
        const auto opcode = Opcode(op);
        if (!control) {
            const bool inMessage = m_messageOpcode != Opcode::Continuation;
            if (opcode == Opcode::Continuation && !inMessage)
                return fail(event, 1002, "continuation frame without a message in progress");
            if (opcode != Opcode::Continuation && inMessage)
                return fail(event, 1002, "new data frame before the fragmented message ended");
            // Decided before the payload is buffered, so a client cannot make the server hold it.
            if (length > quint64(m_maxMessageBytes - m_message.size()))
                return fail(event, 1009, "message too big");
        }
        if (avail < header || quint64(avail - header) < length) {
            keepRemainder();
            return false;
        }
        char *payload = m_input + m_pos + header;
        unmask(payload, qsizetype(length), m_input + m_pos + header - 4);
        m_pos += header + qsizetype(length);
        const QByteArrayView view(payload, qsizetype(length));

        if (control) {
            switch (opcode) {
            case Opcode::Ping:
                event = Event{Event::Type::Ping, view, 0, nullptr};
                return true;
            case Opcode::Pong:
                event = Event{Event::Type::Pong, view, 0, nullptr};
                return true;
            default:
                break;
            }
            // Close
            quint16 code = 1005;
            QByteArrayView reason;
            if (length == 1)
                return fail(event, 1002, "close frame with a one-byte payload");
            if (length >= 2) {
                code = quint16((quint8(view[0]) << 8) | quint8(view[1]));
                if (!isValidCloseCode(code))
                    return fail(event, 1002, "invalid close code");
                reason = view.sliced(2);
                Utf8Validator utf8;
                if (!utf8.feed(reason) || !utf8.isComplete())
                    return fail(event, 1007, "close reason is not valid UTF-8");
            }
            m_done = true;
            m_closeReceived = true;
            event = Event{Event::Type::Close, reason, code, nullptr};
            return true;
        }

        if (opcode != Opcode::Continuation)
            m_utf8.reset();
        const Opcode messageOpcode = opcode == Opcode::Continuation ? m_messageOpcode : opcode;
        const bool text = messageOpcode == Opcode::Text;
        if (text && !m_utf8.feed(view))
            return fail(event, 1007, "text message is not valid UTF-8");
        if (fin) {
            if (text && !m_utf8.isComplete())
                return fail(event, 1007, "text message is not valid UTF-8");
            event.type = text ? Event::Type::Text : Event::Type::Binary;
            event.code = 0;
            event.error = nullptr;
            if (m_messageOpcode != Opcode::Continuation) {
                m_message.append(view);
                event.payload = m_message;
                m_releaseMessage = true;
                m_messageOpcode = Opcode::Continuation;
            } else {
                event.payload = view; // one unfragmented frame: no copy
            }
            return true;
        }
        m_messageOpcode = messageOpcode;
        m_message.append(view);
    }
}

qsizetype WebSocketFramer::writeHeader(char *out, Opcode opcode, quint64 payloadSize)
{
    out[0] = char(0x80 | quint8(opcode));
    if (payloadSize < 126) {
        out[1] = char(payloadSize);
        return 2;
    }
    if (payloadSize <= 0xFFFF) {
        out[1] = char(126);
        out[2] = char(payloadSize >> 8);
        out[3] = char(payloadSize & 0xFF);
        return 4;
    }
    out[1] = char(127);
    for (int i = 0; i < 8; ++i)
        out[2 + i] = char((payloadSize >> (56 - 8 * i)) & 0xFF);
    return 10;
}

void WebSocketFramer::appendFrame(QByteArray &out, Opcode opcode, QByteArrayView payload)
{
    char header[10];
    const qsizetype headerSize = writeHeader(header, opcode, quint64(payload.size()));
    out.reserve(out.size() + headerSize + payload.size());
    out.append(header, headerSize);
    out.append(payload);
}

QByteArray WebSocketFramer::encodeFrame(Opcode opcode, QByteArrayView payload)
{
    QByteArray out;
    appendFrame(out, opcode, payload);
    return out;
}

QByteArray WebSocketFramer::closePayload(quint16 code, QByteArrayView reasonUtf8)
{
    qsizetype cut = qMin<qsizetype>(reasonUtf8.size(), 123);
    // Cut before a continuation byte's lead, not in the middle of a character.
    if (cut < reasonUtf8.size()) {
        while (cut > 0 && (quint8(reasonUtf8[cut]) & 0xC0) == 0x80)
            --cut;
    }
    QByteArray payload;
    payload.reserve(2 + cut);
    payload.append(char(code >> 8));
    payload.append(char(code & 0xFF));
    payload.append(reasonUtf8.first(cut));
    return payload;
}

bool WebSocketFramer::isValidCloseCode(quint16 code)
{
    return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1011) || (code >= 3000 && code <= 4999);
}

void WebSocketFramer::unmask(char *data, qsizetype size, const char mask[4])
{
    quint32 mask32;
    std::memcpy(&mask32, mask, 4);
    const quint64 mask64 = (quint64(mask32) << 32) | mask32;
    qsizetype i = 0;
    for (; i + 8 <= size; i += 8) {
        quint64 word;
        std::memcpy(&word, data + i, 8);
        word ^= mask64;
        std::memcpy(data + i, &word, 8);
    }
    for (; i < size; ++i)
        data[i] = char(data[i] ^ mask[i & 3]);
}

} // namespace arena
