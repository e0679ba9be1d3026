#include "server/gateway/websockethandshake.h"

#include <QCryptographicHash>

namespace arena {

namespace {

constexpr QByteArrayView kGuid = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11";
constexpr QByteArrayView kEnd = "\r\n\r\n";

QByteArrayView trimmed(QByteArrayView v)
{
    while (!v.isEmpty() && (v.front() == ' ' || v.front() == '\t'))
        v = v.sliced(1);
    while (!v.isEmpty() && (v.back() == ' ' || v.back() == '\t'))
        v.chop(1);
    return v;
}

bool equalsIgnoreCase(QByteArrayView a, QByteArrayView b)
{
    return a.compare(b, Qt::CaseInsensitive) == 0;
}

// Whether a comma-separated header value (Connection: keep-alive, Upgrade) lists `token`.
bool listsToken(QByteArrayView value, QByteArrayView token)
{
    while (!value.isEmpty()) {
        const qsizetype comma = value.indexOf(',');
        const QByteArrayView item = comma < 0 ? value : value.first(comma);
        if (equalsIgnoreCase(trimmed(item), token))
            return true;
        if (comma < 0)
            break;
        value = value.sliced(comma + 1);
    }
    return false;
}

bool isTokenChar(char c)
{
    // RFC 9110 tchar
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return true;
    return QByteArrayView("!#$%&'*+-.^_`|~").contains(c);
}

bool isToken(QByteArrayView v)
{
    if (v.isEmpty())
        return false;
    for (char c : v) {
        if (!isTokenChar(c))
            return false;
    }
    return true;
}

void appendHeaderValue(QByteArray &target, QByteArrayView value)
{
    // Repeated list headers (Connection, Upgrade) combine into one list (RFC 9110 section 5.3).
    if (!target.isEmpty())
        target += ',';
    target += value;
}

} // namespace

QByteArray WebSocketHandshake::acceptKey(QByteArrayView key)
{
    QCryptographicHash sha1(QCryptographicHash::Sha1);
    sha1.addData(key);
    sha1.addData(kGuid);
    return sha1.result().toBase64();
}

WebSocketHandshake::State WebSocketHandshake::feed(QByteArrayView data)
{
    if (m_state != State::Incomplete || data.isEmpty())
        return m_state;
    // Only the last three bytes of what came before can start the terminator.
    const qsizetype searchFrom = qMax<qsizetype>(0, m_buffer.size() - 3);
    m_buffer.append(data);
    const qsizetype end = QByteArrayView(m_buffer).indexOf(kEnd, searchFrom);
    if (end < 0) {
        if (m_buffer.size() >= maxHeaderBytes)
            refuse(400, "request header block larger than 8 KiB");
        return m_state;
    }
    const qsizetype blockSize = end + kEnd.size();
    if (blockSize > maxHeaderBytes) {
        refuse(400, "request header block larger than 8 KiB");
        return m_state;
    }
    m_remainder = m_buffer.mid(blockSize);
    m_buffer.truncate(blockSize);
    parse(QByteArrayView(m_buffer).first(end + 2)); // the lines, each ending in CRLF
    m_buffer.clear();
    return m_state;
}

void WebSocketHandshake::parse(QByteArrayView block)
{
    const qsizetype lineEnd = block.indexOf("\r\n");
    const QByteArrayView requestLine = block.first(lineEnd);
    block = block.sliced(lineEnd + 2);

    // request-line = method SP request-target SP HTTP-version
    const qsizetype sp1 = requestLine.indexOf(' ');
    const qsizetype sp2 = sp1 < 0 ? -1 : requestLine.indexOf(' ', sp1 + 1);
    if (sp1 < 0 || sp2 < 0 || requestLine.indexOf(' ', sp2 + 1) >= 0)
        return refuse(400, "malformed request line");
    if (requestLine.first(sp1) != "GET")
        return refuse(400, "the upgrade request must be a GET");
    const QByteArrayView target = requestLine.sliced(sp1 + 1, sp2 - sp1 - 1);
    if (target.isEmpty())
        return refuse(400, "malformed request line");
    if (requestLine.sliced(sp2 + 1) != "HTTP/1.1")
        return refuse(400, "the upgrade request must be HTTP/1.1");

    bool haveHost = false;
    bool haveVersion = false;
    bool haveKey = false;
    QByteArray upgrade;
    QByteArray connection;
    QByteArrayView version;
    QByteArrayView key;
    while (!block.isEmpty()) {
        const qsizetype eol = block.indexOf("\r\n");
        const QByteArrayView line = block.first(eol);
        block = block.sliced(eol + 2);
        if (line.front() == ' ' || line.front() == '\t')
            return refuse(400, "folded header lines are not allowed");
        const qsizetype colon = line.indexOf(':');
        if (colon < 0 || !isToken(line.first(colon)))
            return refuse(400, "malformed header line");
        const QByteArrayView name = line.first(colon);
        const QByteArrayView value = trimmed(line.sliced(colon + 1));
        if (value.contains('\r') || value.contains('\n') || value.contains('\0'))
            return refuse(400, "malformed header line");
        if (equalsIgnoreCase(name, "Host")) {
            if (haveHost)
                return refuse(400, "more than one Host header");
            haveHost = true;
        } else if (equalsIgnoreCase(name, "Upgrade")) {
            appendHeaderValue(upgrade, value);
        } else if (equalsIgnoreCase(name, "Connection")) {
            appendHeaderValue(connection, value);
        } else if (equalsIgnoreCase(name, "Sec-WebSocket-Version")) {
            if (haveVersion)
                return refuse(400, "more than one Sec-WebSocket-Version header");
            haveVersion = true;
            version = value;
        } else if (equalsIgnoreCase(name, "Sec-WebSocket-Key")) {
            if (haveKey)
                return refuse(400, "more than one Sec-WebSocket-Key header");
            haveKey = true;
            key = value;
        }
    }
    if (!haveHost)
        return refuse(400, "no Host header");
    if (!listsToken(upgrade, "websocket"))
        return refuse(400, "no Upgrade: websocket header");
    if (!listsToken(connection, "upgrade"))
        return refuse(400, "the Connection header does not list upgrade");
    if (!haveVersion)
        return refuse(400, "no Sec-WebSocket-Version header");
    if (version != "13")
        return refuse(426, "only WebSocket version 13 is supported");
    if (!haveKey)
        return refuse(400, "no Sec-WebSocket-Key header");
    const auto decoded = QByteArray::fromBase64Encoding(key.toByteArray(), QByteArray::AbortOnBase64DecodingErrors);
    if (key.size() != 24 || !decoded || decoded.decoded.size() != 16)
        return refuse(400, "Sec-WebSocket-Key is not the base64 of 16 bytes");

    m_response = QByteArrayLiteral("HTTP/1.1 101 Switching Protocols\r\n"
                                   "Upgrade: websocket\r\n"
                                   "Connection: Upgrade\r\n"
                                   "Sec-WebSocket-Accept: ")
        + acceptKey(key) + QByteArrayLiteral("\r\n\r\n");
    m_state = State::Upgrade;
}

void WebSocketHandshake::refuse(int status, QByteArrayView reason)
{
    m_state = State::Refused;
    m_reason = reason.toByteArray();
    m_buffer.clear();
    m_remainder.clear();
    const QByteArray body = m_reason + '\n';
    m_response = status == 426 ? QByteArrayLiteral("HTTP/1.1 426 Upgrade Required\r\nSec-WebSocket-Version: 13\r\n")
                               : QByteArrayLiteral("HTTP/1.1 400 Bad Request\r\n");
    m_response += QByteArrayLiteral("Connection: close\r\nContent-Type: text/plain\r\nContent-Length: ")
        + QByteArray::number(body.size()) + QByteArrayLiteral("\r\n\r\n") + body;
}

} // namespace arena
