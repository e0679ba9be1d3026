// WebSocketHandshake: valid upgrade requests (whole, split at every byte, byte by byte), each missing or
// wrong header, the header size limit, and a first frame pipelined behind the request.
#include "server/gateway/websockethandshake.h"

#include <QTest>

using arena::WebSocketHandshake;
using State = WebSocketHandshake::State;

namespace {

const QByteArray kKey = "dGhlIHNhbXBsZSBub25jZQ==";
const QByteArray kAccept = "s3pPLMBiTxaQ9kYGzzhZRbK+xOo="; // RFC 6455 section 1.3

QByteArray request(const QByteArrayList &headers, const QByteArray &requestLine = "GET /chat HTTP/1.1")
{
    QByteArray r = requestLine + "\r\n";
    for (const QByteArray &h : headers)
        r += h + "\r\n";
    return r + "\r\n";
}

QByteArrayList standardHeaders()
{
    return {"Host: server.example.com", "Upgrade: websocket", "Connection: Upgrade", "Sec-WebSocket-Key: " + kKey,
            "Sec-WebSocket-Version: 13"};
}

// `headers` without the one whose name starts with `name`.
QByteArrayList without(const QByteArray &name)
{
    QByteArrayList out;
    for (const QByteArray &h : standardHeaders()) {
        if (!h.startsWith(name + ':'))
            out.append(h);
    }
    return out;
}

QByteArrayList replaced(const QByteArray &name, const QByteArray &line)
{
    QByteArrayList out = without(name);
    out.append(line);
    return out;
}

} // namespace

class TestWebSocketHandshake final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void acceptKey()
    {
        QCOMPARE(WebSocketHandshake::acceptKey(kKey), kAccept);
    }

    void validRequests_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::newRow("rfc example") << request(standardHeaders());
        QTest::newRow("lower-case names") << request({"host: a", "upgrade: websocket", "connection: upgrade",
                                                       "sec-websocket-key: " + kKey, "sec-websocket-version: 13"});
        QTest::newRow("upper-case names and values")
            << request({"HOST: a", "UPGRADE: WEBSOCKET", "CONNECTION: UPGRADE", "SEC-WEBSOCKET-KEY: " + kKey,
                        "SEC-WEBSOCKET-VERSION: 13"});
        QTest::newRow("connection token list") << request(replaced("Connection", "Connection: keep-alive, Upgrade"));
        QTest::newRow("connection repeated")
            << request(replaced("Connection", "Connection: keep-alive") + QByteArrayList{"Connection: upgrade"});
        QTest::newRow("whitespace around values")
            << request({"Host:a", "Upgrade: \twebsocket ", "Connection:   Upgrade", "Sec-WebSocket-Key:  " + kKey + " ",
                        "Sec-WebSocket-Version:13"});
        QTest::newRow("other headers") << request(standardHeaders()
                                                  + QByteArrayList{"Origin: http://example.com",
                                                                   "Sec-WebSocket-Protocol: chat",
                                                                   "Sec-WebSocket-Extensions: permessage-deflate",
                                                                   "User-Agent: test"});
        QTest::newRow("empty host value") << request(replaced("Host", "Host:"));
        QTest::newRow("query in target") << request(standardHeaders(), "GET /?a=1&b=2 HTTP/1.1");
    }

    void validRequests()
    {
        QFETCH(QByteArray, input);
        const QByteArray expected = "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                                    "Sec-WebSocket-Accept: "
            + kAccept + "\r\n\r\n";
        {
            WebSocketHandshake h;
            QCOMPARE(h.feed(input), State::Upgrade);
            QCOMPARE(h.response(), expected);
            QVERIFY(h.takeRemainder().isEmpty());
        }
        for (qsizetype split = 1; split < input.size(); ++split) {
            WebSocketHandshake h;
            QCOMPARE(h.feed(QByteArrayView(input).first(split)), State::Incomplete);
            QVERIFY(h.response().isEmpty());
            QCOMPARE(h.feed(QByteArrayView(input).sliced(split)), State::Upgrade);
            QCOMPARE(h.response(), expected);
            QVERIFY(h.takeRemainder().isEmpty());
        }
        WebSocketHandshake bytewise;
        for (qsizetype i = 0; i < input.size(); ++i)
            QCOMPARE(bytewise.feed(QByteArrayView(input).sliced(i, 1)), i + 1 == input.size() ? State::Upgrade
                                                                                             : State::Incomplete);
        QCOMPARE(bytewise.response(), expected);
        // Input after the end is ignored (it belongs to the framer via takeRemainder()).
        QCOMPARE(bytewise.feed("more"), State::Upgrade);
    }

    void refusedRequests_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<int>("status");
        QTest::newRow("POST") << request(standardHeaders(), "POST /chat HTTP/1.1") << 400;
        QTest::newRow("lower-case method") << request(standardHeaders(), "get /chat HTTP/1.1") << 400;
        QTest::newRow("HTTP/1.0") << request(standardHeaders(), "GET /chat HTTP/1.0") << 400;
        QTest::newRow("no target") << request(standardHeaders(), "GET HTTP/1.1") << 400;
        QTest::newRow("extra space") << request(standardHeaders(), "GET  /chat HTTP/1.1") << 400;
        QTest::newRow("empty request line") << request(standardHeaders(), "") << 400;
        QTest::newRow("not http") << QByteArray("\x16\x03\x01\x02\x00\r\n\r\n", 9) << 400;
        QTest::newRow("no Host") << request(without("Host")) << 400;
        QTest::newRow("two Hosts") << request(standardHeaders() + QByteArrayList{"Host: b"}) << 400;
        QTest::newRow("no Upgrade") << request(without("Upgrade")) << 400;
        QTest::newRow("Upgrade: h2c") << request(replaced("Upgrade", "Upgrade: h2c")) << 400;
        QTest::newRow("no Connection") << request(without("Connection")) << 400;
        QTest::newRow("Connection: keep-alive") << request(replaced("Connection", "Connection: keep-alive")) << 400;
        QTest::newRow("Connection: upgraded") << request(replaced("Connection", "Connection: upgraded")) << 400;
        QTest::newRow("no version") << request(without("Sec-WebSocket-Version")) << 400;
        QTest::newRow("version 8") << request(replaced("Sec-WebSocket-Version", "Sec-WebSocket-Version: 8")) << 426;
        QTest::newRow("version 13, 8")
            << request(replaced("Sec-WebSocket-Version", "Sec-WebSocket-Version: 13, 8")) << 426;
        QTest::newRow("two versions")
            << request(standardHeaders() + QByteArrayList{"Sec-WebSocket-Version: 13"}) << 400;
        QTest::newRow("no key") << request(without("Sec-WebSocket-Key")) << 400;
        QTest::newRow("empty key") << request(replaced("Sec-WebSocket-Key", "Sec-WebSocket-Key:")) << 400;
        QTest::newRow("key not base64")
            << request(replaced("Sec-WebSocket-Key", "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=!")) << 400;
        QTest::newRow("key of 15 bytes")
            << request(replaced("Sec-WebSocket-Key", "Sec-WebSocket-Key: " + QByteArray(15, 'x').toBase64())) << 400;
        QTest::newRow("key of 17 bytes")
            << request(replaced("Sec-WebSocket-Key", "Sec-WebSocket-Key: " + QByteArray(17, 'x').toBase64())) << 400;
        QTest::newRow("two keys") << request(standardHeaders() + QByteArrayList{"Sec-WebSocket-Key: " + kKey}) << 400;
        QTest::newRow("folded header") << request(standardHeaders() + QByteArrayList{"X-A: 1", " continued"}) << 400;
        QTest::newRow("no colon") << request(standardHeaders() + QByteArrayList{"X-A 1"}) << 400;
        QTest::newRow("space before colon") << request(standardHeaders() + QByteArrayList{"X-A : 1"}) << 400;
        QTest::newRow("empty name") << request(standardHeaders() + QByteArrayList{": 1"}) << 400;
        QTest::newRow("bare LF in value") << request(standardHeaders() + QByteArrayList{"X-A: 1\nX-B: 2"}) << 400;
    }

    void refusedRequests()
    {
        QFETCH(QByteArray, input);
        QFETCH(int, status);
        for (qsizetype split = 0; split < input.size(); ++split) {
            WebSocketHandshake h;
            if (split > 0)
                QCOMPARE(h.feed(QByteArrayView(input).first(split)), State::Incomplete);
            QCOMPARE(h.feed(QByteArrayView(input).sliced(split)), State::Refused);
            QVERIFY(!h.refusalReason().isEmpty());
            const QByteArray &response = h.response();
            QVERIFY2(response.startsWith(status == 426 ? "HTTP/1.1 426 Upgrade Required\r\n" : "HTTP/1.1 400 Bad Request\r\n"),
                     response.constData());
            QCOMPARE(response.contains("\r\nSec-WebSocket-Version: 13\r\n"), status == 426);
            QVERIFY(response.contains("\r\nConnection: close\r\n"));
            const qsizetype bodyStart = response.indexOf("\r\n\r\n") + 4;
            QVERIFY(response.contains("Content-Length: " + QByteArray::number(response.size() - bodyStart) + "\r\n"));
            QVERIFY(h.takeRemainder().isEmpty());
            QCOMPARE(h.feed("GET"), State::Refused);
        }
    }

    void headerBlockLimit()
    {
        // A block of exactly 8 KiB is accepted; one byte more is refused.
        const QByteArray base = request(standardHeaders() + QByteArrayList{"X-Pad: "});
        const qsizetype pad = WebSocketHandshake::maxHeaderBytes - base.size();
        QVERIFY(pad > 0);
        const QByteArray atLimit = request(standardHeaders() + QByteArrayList{"X-Pad: " + QByteArray(pad, 'a')});
        QCOMPARE(atLimit.size(), WebSocketHandshake::maxHeaderBytes);
        {
            WebSocketHandshake h;
            QCOMPARE(h.feed(atLimit), State::Upgrade);
        }
        const QByteArray over = request(standardHeaders() + QByteArrayList{"X-Pad: " + QByteArray(pad + 1, 'a')});
        {
            WebSocketHandshake h;
            QCOMPARE(h.feed(over), State::Refused);
            QVERIFY(h.response().startsWith("HTTP/1.1 400 "));
        }
        {
            // Fed in two parts: 8191 bytes without the end are not refused yet; 8 KiB without the end are.
            WebSocketHandshake h;
            QCOMPARE(h.feed(QByteArrayView(over).first(over.size() - 2)), State::Incomplete);
            QCOMPARE(h.feed(QByteArrayView(over).last(2).first(1)), State::Refused);
        }
        {
            // A client that never ends its headers is refused once it has sent 8 KiB, not buffered on.
            WebSocketHandshake h;
            QByteArray chunk = "GET / HTTP/1.1\r\n";
            State state = h.feed(chunk);
            qsizetype sent = chunk.size();
            while (state == State::Incomplete && sent < 100000) {
                state = h.feed("X-Header: 0123456789012345678901234567890123456789\r\n");
                sent += 52;
            }
            QCOMPARE(state, State::Refused);
            QVERIFY(sent <= WebSocketHandshake::maxHeaderBytes + 52);
        }
        {
            WebSocketHandshake h;
            QCOMPARE(h.feed(QByteArray(20000, 'a')), State::Refused);
        }
    }

    void pipelinedFirstFrame()
    {
        const QByteArray req = request(standardHeaders());
        const QByteArray frame("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11); // "Hello", RFC 6455 5.7
        const QByteArray input = req + frame + frame;
        for (qsizetype split = 1; split <= input.size(); ++split) {
            WebSocketHandshake h;
            State state = h.feed(QByteArrayView(input).first(split));
            QByteArray rest;
            if (split < req.size()) {
                QCOMPARE(state, State::Incomplete);
                QCOMPARE(h.feed(QByteArrayView(input).sliced(split)), State::Upgrade);
                rest = h.takeRemainder();
            } else {
                QCOMPARE(state, State::Upgrade);
                // What follows the split would be read by the framer directly.
                rest = h.takeRemainder() + QByteArrayView(input).sliced(split).toByteArray();
            }
            QCOMPARE(rest, frame + frame);
            QVERIFY(h.takeRemainder().isEmpty());
        }
    }
};

QTEST_APPLESS_MAIN(TestWebSocketHandshake)
#include "tst_websockethandshake.moc"
