// WebSocketHandshake: the server side of the HTTP/1.1 upgrade to WebSocket (RFC 6455 section 4.2), fed
// incrementally with the bytes a new connection sends.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QtGlobal>

#include <utility>

namespace arena {

class WebSocketHandshake final
{
public:
    enum class State : quint8 {
        Incomplete, // the header block has not ended yet: feed more
        Upgrade,    // a valid upgrade request: send response(), then speak WebSocket
        Refused,    // not one: send response() (400 or 426), then close
    };

    // The request line and headers together, including the blank line that ends them.
    static constexpr qsizetype maxHeaderBytes = 8 * 1024;

    WebSocketHandshake() = default;
    Q_DISABLE_COPY_MOVE(WebSocketHandshake)

    // Takes the next bytes of the connection. Once the state is no longer Incomplete, more input is ignored.
    State feed(QByteArrayView data);
    State state() const { return m_state; }

    // The 101 Switching Protocols response, or the refusal; empty while Incomplete.
    const QByteArray &response() const { return m_response; }
    // Why the request was refused, for logs (empty unless Refused).
    const QByteArray &refusalReason() const { return m_reason; }
    // Bytes that followed the header block (a client may send its first frame right behind the request):
    // they belong to the WebSocket framer. Moves them out.
    QByteArray takeRemainder() { return std::exchange(m_remainder, QByteArray()); }

    // Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + the RFC 6455 GUID)).
    static QByteArray acceptKey(QByteArrayView key);

private:
    void parse(QByteArrayView block);
    void refuse(int status, QByteArrayView reason);

    QByteArray m_buffer;
    QByteArray m_response;
    QByteArray m_reason;
    QByteArray m_remainder;
    State m_state = State::Incomplete;
};

} // namespace arena
