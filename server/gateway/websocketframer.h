// WebSocketFramer: RFC 6455 framing for the server side — an incremental parser of client frames
// (masked; fragments reassembled; control frames between fragments; UTF-8 and close codes checked) and an
// encoder of server frames (unmasked, FIN set).
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QtGlobal>

namespace arena {

// Incremental UTF-8 validation (RFC 3629: no overlong forms, no surrogates, nothing above U+10FFFF); a
// code point may be split across calls.
class Utf8Validator final
{
public:
    // False as soon as the bytes cannot be the start of valid UTF-8.
    bool feed(QByteArrayView data);
    // No code point is left unfinished.
    bool isComplete() const { return m_need == 0; }
    void reset() { *this = Utf8Validator(); }

private:
    quint8 m_need = 0;     // continuation bytes still expected
    quint8 m_lower = 0x80; // bounds of the next continuation byte
    quint8 m_upper = 0xBF;
};

class WebSocketFramer final
{
public:
    enum class Opcode : quint8 { Continuation = 0x0, Text = 0x1, Binary = 0x2, Close = 0x8, Ping = 0x9, Pong = 0xA };

    struct Event
    {
        enum class Type : quint8 { Text, Binary, Ping, Pong, Close, ProtocolError };
        Type type = Type::ProtocolError;
        // The message (UTF-8 for Text), the ping or pong payload, or the close reason (UTF-8). It points
        // into the framer's or the fed buffer: valid until the next call to feed() or next().
        QByteArrayView payload;
        // Close: the peer's code, 1005 when its close frame carried none. ProtocolError: the code to close
        // the connection with (1002, 1007, 1009).
        quint16 code = 0;
        // ProtocolError: what was wrong, for logs and the close frame.
        const char *error = nullptr;
    };

    // Messages (all fragments together) larger than this fail with 1009, decided from the frame header.
    explicit WebSocketFramer(qsizetype maxMessageBytes) : m_maxMessageBytes(maxMessageBytes) {}
    Q_DISABLE_COPY_MOVE(WebSocketFramer)

    // Takes the next bytes from the client. `data` is unmasked in place and must stay valid until next()
    // returns nothing; what is left of a partial frame then is copied, so an idle connection keeps no
    // buffer.
    void feed(char *data, qsizetype size);
    // The next event, or nothing when more bytes are needed. After a Close or a ProtocolError event the
    // framer takes no more input.
    bool next(Event &event);

    bool hasFailed() const { return m_done && !m_closeReceived; }
    bool closeReceived() const { return m_closeReceived; }
    // Bytes held for an unfinished frame or message.
    qsizetype bufferedBytes() const { return m_buffer.size() + m_message.size(); }

    // The header of an unmasked server frame with FIN set; `out` needs room for 10 bytes. Returns its length.
    static qsizetype writeHeader(char *out, Opcode opcode, quint64 payloadSize);
    static void appendFrame(QByteArray &out, Opcode opcode, QByteArrayView payload);
    static QByteArray encodeFrame(Opcode opcode, QByteArrayView payload);
    // A close frame's payload: the code and the UTF-8 reason cut (at a character boundary) to fit 125 bytes.
    static QByteArray closePayload(quint16 code, QByteArrayView reasonUtf8);
    // RFC 6455 section 7.4: codes a close frame may carry.
    static bool isValidCloseCode(quint16 code);
    static void unmask(char *data, qsizetype size, const char mask[4]);

private:
    bool fail(Event &event, quint16 code, const char *error);
    // Keeps what is left unparsed of the fed bytes for the next feed().
    void keepRemainder();

    QByteArray m_buffer;     // unparsed bytes kept between feeds (a partial frame)
    char *m_input = nullptr; // bytes being parsed: m_buffer's or the caller's
    qsizetype m_inputSize = 0;
    qsizetype m_pos = 0;
    bool m_inputIsBuffer = false;

    QByteArray m_message; // fragments of the message in progress
    qsizetype m_maxMessageBytes;
    Utf8Validator m_utf8;
    Opcode m_messageOpcode = Opcode::Continuation; // Continuation: no fragmented message in progress
    bool m_releaseMessage = false;                 // m_message was handed out: clear it on the next call
    bool m_done = false;                           // a Close or ProtocolError ended the stream
    bool m_closeReceived = false;
};

} // namespace arena
