// WebSocketFramer: every parser rule (masking, reserved bits, opcodes, control frames, fragmentation,
// message size, UTF-8, close codes), each input fed whole, split at every byte and byte by byte; the
// 7/16/64-bit lengths; and the encoder.
#include "server/gateway/websocketframer.h"

#include <QTest>

using arena::Utf8Validator;
using arena::WebSocketFramer;
using Event = WebSocketFramer::Event;
using Opcode = WebSocketFramer::Opcode;

namespace {

constexpr quint8 FIN = 0x80;
constexpr quint8 kText = 0x1;
constexpr quint8 kBinary = 0x2;
constexpr quint8 kCont = 0x0;
constexpr quint8 kClose = 0x8;
constexpr quint8 kPing = 0x9;
constexpr quint8 kPong = 0xA;

enum class Length { Auto, Bits16, Bits64 };

// A client frame: `first` is FIN | RSV | opcode.
QByteArray frame(quint8 first, const QByteArray &payload, bool masked = true, Length form = Length::Auto,
                 QByteArray mask = QByteArray("\x37\xfa\x21\x3d", 4))
{
    QByteArray out;
    out.append(char(first));
    const quint8 maskBit = masked ? 0x80 : 0;
    const quint64 n = quint64(payload.size());
    if (form == Length::Auto && n < 126) {
        out.append(char(maskBit | n));
    } else if (form != Length::Bits64 && n <= 0xFFFF) {
        out.append(char(maskBit | 126));
        out.append(char(n >> 8));
        out.append(char(n & 0xFF));
    } else {
        out.append(char(maskBit | 127));
        for (int i = 0; i < 8; ++i)
            out.append(char((n >> (56 - 8 * i)) & 0xFF));
    }
    if (!masked)
        return out + payload;
    out.append(mask);
    for (qsizetype i = 0; i < payload.size(); ++i)
        out.append(char(payload[i] ^ mask[i % 4]));
    return out;
}

QByteArray closeFrame(quint16 code, const QByteArray &reason = {})
{
    QByteArray payload;
    payload.append(char(code >> 8));
    payload.append(char(code & 0xFF));
    return frame(FIN | kClose, payload + reason);
}

QByteArray describe(const Event &e)
{
    switch (e.type) {
    case Event::Type::Text:
        return "T:" + e.payload.toByteArray();
    case Event::Type::Binary:
        return "B:" + e.payload.toByteArray();
    case Event::Type::Ping:
        return "P:" + e.payload.toByteArray();
    case Event::Type::Pong:
        return "O:" + e.payload.toByteArray();
    case Event::Type::Close:
        return "C:" + QByteArray::number(e.code) + ':' + e.payload.toByteArray();
    case Event::Type::ProtocolError:
        return "E:" + QByteArray::number(e.code);
    }
    return "?";
}

// Feeds `input` in the given chunks (each copied, as the transport's read buffer would be) and returns
// the events.
QByteArrayList run(const QByteArray &input, const QList<qsizetype> &cuts, qsizetype maxMessage)
{
    WebSocketFramer framer(maxMessage);
    QByteArrayList events;
    qsizetype from = 0;
    QList<qsizetype> ends = cuts;
    ends.append(input.size());
    for (qsizetype end : ends) {
        QByteArray chunk = input.mid(from, end - from); // a fresh buffer, unmasked in place
        from = end;
        if (chunk.isEmpty())
            continue;
        framer.feed(chunk.data(), chunk.size());
        Event e;
        while (framer.next(e))
            events.append(describe(e));
        chunk.fill('\xEE'); // the framer must not read the old buffer later
    }
    return events;
}

} // namespace

class TestWebSocketFramer final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QByteArray>("input");
        QTest::addColumn<qint64>("maxMessage");
        QTest::addColumn<QByteArrayList>("expected");
        const qint64 max = 64 * 1024;

        QTest::newRow("text") << frame(FIN | kText, "Hello") << max << QByteArrayList{"T:Hello"};
        QTest::newRow("rfc masked Hello") << QByteArray("\x81\x85\x37\xfa\x21\x3d\x7f\x9f\x4d\x51\x58", 11) << max
                                          << QByteArrayList{"T:Hello"};
        QTest::newRow("empty text") << frame(FIN | kText, "") << max << QByteArrayList{"T:"};
        QTest::newRow("binary") << frame(FIN | kBinary, QByteArray("\x00\xff\x80", 3)) << max
                                << QByteArrayList{"B:" + QByteArray("\x00\xff\x80", 3)};
        QTest::newRow("binary is not checked as UTF-8") << frame(FIN | kBinary, "\xc0\xaf") << max
                                                        << QByteArrayList{"B:\xc0\xaf"};
        QTest::newRow("two frames") << frame(FIN | kText, "a") + frame(FIN | kText, "bc") << max
                                    << QByteArrayList{"T:a", "T:bc"};
        QTest::newRow("zero mask") << frame(FIN | kText, "plain", true, Length::Auto, QByteArray(4, '\0')) << max
                                   << QByteArrayList{"T:plain"};
        const QByteArray longText = QByteArray("0123456789abcdef").repeated(63) + "xyz";
        QTest::newRow("masking over 8-byte words") << frame(FIN | kText, longText) << max
                                                   << QByteArrayList{"T:" + longText};

        // Masking, reserved bits, opcodes.
        QTest::newRow("unmasked") << frame(FIN | kText, "Hello", false) << max << QByteArrayList{"E:1002"};
        QTest::newRow("unmasked ping") << frame(FIN | kPing, "", false) << max << QByteArrayList{"E:1002"};
        QTest::newRow("rsv1") << frame(FIN | 0x40 | kText, "a") << max << QByteArrayList{"E:1002"};
        QTest::newRow("rsv2") << frame(FIN | 0x20 | kText, "a") << max << QByteArrayList{"E:1002"};
        QTest::newRow("rsv3") << frame(FIN | 0x10 | kBinary, "a") << max << QByteArrayList{"E:1002"};
        for (quint8 op : {0x3, 0x4, 0x5, 0x6, 0x7, 0xB, 0xC, 0xD, 0xE, 0xF}) {
            QTest::addRow("opcode %x", op) << frame(FIN | op, "a") << max << QByteArrayList{"E:1002"};
        }
        QTest::newRow("error after a good frame") << frame(FIN | kText, "ok") + frame(FIN | 0x3, "") << max
                                                  << QByteArrayList{"T:ok", "E:1002"};
        QTest::newRow("nothing after an error") << frame(FIN | 0x3, "") + frame(FIN | kText, "x") << max
                                                << QByteArrayList{"E:1002"};

        // Control frames.
        QTest::newRow("ping") << frame(FIN | kPing, "abc") << max << QByteArrayList{"P:abc"};
        QTest::newRow("empty ping") << frame(FIN | kPing, "") << max << QByteArrayList{"P:"};
        QTest::newRow("pong") << frame(FIN | kPong, "xyz") << max << QByteArrayList{"O:xyz"};
        QTest::newRow("ping of 125") << frame(FIN | kPing, QByteArray(125, 'p')) << max
                                     << QByteArrayList{"P:" + QByteArray(125, 'p')};
        QTest::newRow("ping of 126") << frame(FIN | kPing, QByteArray(126, 'p')) << max << QByteArrayList{"E:1002"};
        QTest::newRow("ping with 16-bit length") << frame(FIN | kPing, "a", true, Length::Bits16) << max
                                                 << QByteArrayList{"E:1002"};
        QTest::newRow("fragmented ping") << frame(kPing, "a") << max << QByteArrayList{"E:1002"};
        QTest::newRow("fragmented close") << frame(kClose, "") << max << QByteArrayList{"E:1002"};
        QTest::newRow("pong between fragments") << frame(kText, "Hel") + frame(FIN | kPong, "") + frame(FIN | kCont, "lo")
                                                << max << QByteArrayList{"O:", "T:Hello"};

        // Fragmentation.
        QTest::newRow("fragmented text") << frame(kText, "Hel") + frame(FIN | kCont, "lo") << max
                                         << QByteArrayList{"T:Hello"};
        QTest::newRow("fragmented text with ping")
            << frame(kText, "Hel") + frame(FIN | kPing, "p") + frame(FIN | kCont, "lo") << max
            << QByteArrayList{"P:p", "T:Hello"};
        QTest::newRow("three fragments and an empty one")
            << frame(kText, "a") + frame(kCont, "") + frame(kCont, "b") + frame(FIN | kCont, "c") << max
            << QByteArrayList{"T:abc"};
        QTest::newRow("fragmented binary") << frame(kBinary, "\x01") + frame(FIN | kCont, "\x02") << max
                                           << QByteArrayList{"B:\x01\x02"};
        QTest::newRow("two fragmented messages")
            << frame(kText, "a") + frame(FIN | kCont, "b") + frame(kBinary, "c") + frame(FIN | kCont, "d") << max
            << QByteArrayList{"T:ab", "B:cd"};
        QTest::newRow("continuation first") << frame(FIN | kCont, "a") << max << QByteArrayList{"E:1002"};
        QTest::newRow("continuation after a whole message") << frame(FIN | kText, "a") + frame(FIN | kCont, "b")
                                                            << max << QByteArrayList{"T:a", "E:1002"};
        QTest::newRow("text during a fragmented message") << frame(kText, "a") + frame(FIN | kText, "b") << max
                                                          << QByteArrayList{"E:1002"};
        QTest::newRow("binary during a fragmented message") << frame(kText, "a") + frame(kBinary, "b") << max
                                                            << QByteArrayList{"E:1002"};
        QTest::newRow("close during a fragmented message") << frame(kText, "a") + closeFrame(1000) << max
                                                           << QByteArrayList{"C:1000:"};

        // Lengths.
        QTest::newRow("7-bit 125") << frame(FIN | kBinary, QByteArray(125, 'x')) << max
                                   << QByteArrayList{"B:" + QByteArray(125, 'x')};
        QTest::newRow("16-bit 126") << frame(FIN | kBinary, QByteArray(126, 'x')) << max
                                    << QByteArrayList{"B:" + QByteArray(126, 'x')};
        QTest::newRow("16-bit for a short payload") << frame(FIN | kText, "abc", true, Length::Bits16) << max
                                                    << QByteArrayList{"T:abc"};
        QTest::newRow("64-bit for a short payload") << frame(FIN | kText, "abc", true, Length::Bits64) << max
                                                    << QByteArrayList{"T:abc"};
        QByteArray msb = frame(FIN | kBinary, "", true, Length::Bits64);
        msb[2] = char(0x80);
        QTest::newRow("64-bit with the top bit set") << msb << max << QByteArrayList{"E:1002"};

        // Message size.
        QTest::newRow("at the limit") << frame(FIN | kText, QByteArray(100, 'a')) << qint64(100)
                                      << QByteArrayList{"T:" + QByteArray(100, 'a')};
        QTest::newRow("over the limit") << frame(FIN | kText, QByteArray(101, 'a')) << qint64(100)
                                        << QByteArrayList{"E:1009"};
        QTest::newRow("fragments at the limit") << frame(kText, QByteArray(60, 'a')) + frame(FIN | kCont, QByteArray(40, 'b'))
                                                << qint64(100)
                                                << QByteArrayList{"T:" + QByteArray(60, 'a') + QByteArray(40, 'b')};
        QTest::newRow("fragments over the limit")
            << frame(kText, QByteArray(60, 'a')) + frame(FIN | kCont, QByteArray(41, 'b')) << qint64(100)
            << QByteArrayList{"E:1009"};
        QTest::newRow("control frames do not count") << frame(kText, QByteArray(100, 'a')) + frame(FIN | kPing, "ping")
                                                            + frame(FIN | kCont, "")
                                                     << qint64(100)
                                                     << QByteArrayList{"P:ping", "T:" + QByteArray(100, 'a')};

        // UTF-8.
        QTest::newRow("utf8 2-, 3- and 4-byte") << frame(FIN | kText, "\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e") << max
                                                << QByteArrayList{"T:\xc3\xa9\xe2\x82\xac\xf0\x9d\x84\x9e"};
        QTest::newRow("utf8 limits") << frame(FIN | kText, "\x7f\xdf\xbf\xef\xbf\xbf\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80")
                                     << max
                                     << QByteArrayList{"T:\x7f\xdf\xbf\xef\xbf\xbf\xf4\x8f\xbf\xbf\xed\x9f\xbf\xee\x80\x80"};
        const QList<QByteArray> invalid{"\xc0\xaf",         "\xc1\xbf",  "\xe0\x80\xaf", "\xe0\x9f\xbf", "\xed\xa0\x80",
                                        "\xed\xbf\xbf",     "\xf0\x80\x80\xaf", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80",
                                        "\xf5\x80\x80\x80", "\xff",      "\xfe",         "\x80",         "a\xbf",
                                        "\xe2\x82",         "\xf0\x9d\x84", "\xc3",     "\xe2\x28\xa1", "\xc3\x28"};
        for (const QByteArray &bad : invalid) {
            QTest::addRow("invalid utf8 %s", bad.toHex().constData()) << frame(FIN | kText, bad) << max
                                                                      << QByteArrayList{"E:1007"};
        }
        QTest::newRow("code point split across fragments")
            << frame(kText, "a\xf0\x9d") + frame(kCont, "\x84") + frame(FIN | kCont, "\x9e") << max
            << QByteArrayList{"T:a\xf0\x9d\x84\x9e"};
        QTest::newRow("split code point broken in the next fragment")
            << frame(kText, "\xf0\x9d") + frame(FIN | kCont, "A") << max << QByteArrayList{"E:1007"};
        QTest::newRow("message ends inside a code point") << frame(kText, "ok") + frame(FIN | kCont, "\xe2\x82")
                                                          << max << QByteArrayList{"E:1007"};
        QTest::newRow("invalid first fragment fails before the end")
            << frame(kText, "\xff") + frame(kCont, "never completed") << max << QByteArrayList{"E:1007"};
        QTest::newRow("ping payload is not checked") << frame(FIN | kPing, "\xff") << max << QByteArrayList{"P:\xff"};

        // Close frames.
        QTest::newRow("close without payload") << frame(FIN | kClose, "") << max << QByteArrayList{"C:1005:"};
        QTest::newRow("close with reason") << closeFrame(1000, "bye") << max << QByteArrayList{"C:1000:bye"};
        QTest::newRow("close with utf8 reason") << closeFrame(4000, "\xc3\xa9t\xc3\xa9") << max
                                                << QByteArrayList{"C:4000:\xc3\xa9t\xc3\xa9"};
        QTest::newRow("close with one byte") << frame(FIN | kClose, "\x03") << max << QByteArrayList{"E:1002"};
        QTest::newRow("close reason invalid utf8") << closeFrame(1000, "\xff") << max << QByteArrayList{"E:1007"};
        QTest::newRow("close reason cut code point") << closeFrame(1000, "\xc3") << max << QByteArrayList{"E:1007"};
        QTest::newRow("nothing after close") << closeFrame(1001) + frame(FIN | kText, "late") << max
                                             << QByteArrayList{"C:1001:"};
        for (quint16 code : {1000, 1001, 1002, 1003, 1007, 1008, 1009, 1010, 1011, 3000, 3999, 4000, 4999}) {
            QTest::addRow("close code %d", code) << closeFrame(code) << max
                                                 << QByteArrayList{"C:" + QByteArray::number(code) + ':'};
        }
        for (int code : {0, 1, 999, 1004, 1005, 1006, 1012, 1013, 1014, 1015, 1016, 1100, 2000, 2999, 5000, 65535}) {
            QTest::addRow("invalid close code %d", code) << closeFrame(quint16(code)) << max << QByteArrayList{"E:1002"};
        }
    }

    void parse()
    {
        QFETCH(QByteArray, input);
        QFETCH(qint64, maxMessage);
        QFETCH(QByteArrayList, expected);

        QCOMPARE(run(input, {}, maxMessage), expected);
        QList<qsizetype> everyByte;
        for (qsizetype i = 1; i < input.size(); ++i)
            everyByte.append(i);
        QCOMPARE(run(input, everyByte, maxMessage), expected);
        for (qsizetype split = 1; split < input.size(); ++split)
            QCOMPARE(run(input, {split}, maxMessage), expected);
    }

    void largeFrames_data()
    {
        QTest::addColumn<qsizetype>("size");
        QTest::addColumn<int>("headerSize"); // of the server frame the encoder writes
        QTest::newRow("0") << qsizetype(0) << 2;
        QTest::newRow("125") << qsizetype(125) << 2;
        QTest::newRow("126") << qsizetype(126) << 4;
        QTest::newRow("65535") << qsizetype(65535) << 4;
        QTest::newRow("65536") << qsizetype(65536) << 10;
        QTest::newRow("300000") << qsizetype(300000) << 10;
    }

    // Parsed in a few chunkings (every split point would be quadratic here); the encoder's frames have the
    // header form RFC 6455 prescribes and carry the payload.
    void largeFrames()
    {
        QFETCH(qsizetype, size);
        QFETCH(int, headerSize);
        QByteArray payload(size, Qt::Uninitialized);
        for (qsizetype i = 0; i < size; ++i)
            payload[i] = char('a' + (i * 7) % 26);
        const QByteArray input = frame(FIN | kText, payload);
        const QByteArrayList expected{"T:" + payload};
        for (qsizetype chunk : {qsizetype(1), qsizetype(7), qsizetype(4096), qsizetype(16384)}) {
            if (chunk == 1 && size > 70000)
                continue;
            QList<qsizetype> cuts;
            for (qsizetype at = chunk; at < input.size(); at += chunk)
                cuts.append(at);
            QCOMPARE(run(input, cuts, 1024 * 1024), expected);
        }
        QCOMPARE(run(input, {}, size - 1 >= 0 ? size - 1 : 0), size == 0 ? expected : QByteArrayList{"E:1009"});

        const QByteArray encoded = WebSocketFramer::encodeFrame(Opcode::Text, payload);
        QCOMPARE(encoded.size(), headerSize + size);
        QCOMPARE(quint8(encoded[0]), quint8(0x81)); // FIN, text
        QCOMPARE(quint8(encoded[1]) & 0x80, 0);       // servers do not mask
        quint64 length = quint8(encoded[1]) & 0x7F;
        if (headerSize == 4) {
            QCOMPARE(length, 126u);
            length = (quint64(quint8(encoded[2])) << 8) | quint8(encoded[3]);
        } else if (headerSize == 10) {
            QCOMPARE(length, 127u);
            length = 0;
            for (int i = 0; i < 8; ++i)
                length = (length << 8) | quint8(encoded[2 + i]);
        }
        QCOMPARE(length, quint64(size));
        QCOMPARE(encoded.sliced(headerSize), payload);
    }

    // The limit is decided from the header: a frame announcing more than the limit fails before its payload.
    void tooBigFromTheHeader()
    {
        QByteArray header;
        header.append(char(FIN | kBinary));
        header.append(char(0x80 | 127));
        const quint64 huge = quint64(1) << 40;
        for (int i = 0; i < 8; ++i)
            header.append(char((huge >> (56 - 8 * i)) & 0xFF));
        header.append("\x01\x02\x03\x04", 4);
        WebSocketFramer framer(64 * 1024);
        framer.feed(header.data(), header.size());
        Event e;
        QVERIFY(framer.next(e));
        QCOMPARE(e.type, Event::Type::ProtocolError);
        QCOMPARE(e.code, quint16(1009));
        QVERIFY(framer.hasFailed());
        QVERIFY(!framer.next(e));
        QCOMPARE(framer.bufferedBytes(), 0);
    }

    // A partial frame is kept until it completes; an idle framer holds nothing.
    void buffersOnlyPartialFrames()
    {
        WebSocketFramer framer(64 * 1024);
        QByteArray input = frame(FIN | kText, "first") + frame(FIN | kText, "second");
        const qsizetype firstSize = frame(FIN | kText, "first").size();
        QByteArray part = input.first(firstSize + 3);
        framer.feed(part.data(), part.size());
        Event e;
        QVERIFY(framer.next(e));
        QCOMPARE(e.payload.toByteArray(), QByteArray("first"));
        QVERIFY(!framer.next(e));
        QCOMPARE(framer.bufferedBytes(), 3);
        QByteArray rest = input.sliced(firstSize + 3);
        framer.feed(rest.data(), rest.size());
        QVERIFY(framer.next(e));
        QCOMPARE(e.payload.toByteArray(), QByteArray("second"));
        QVERIFY(!framer.next(e));
        QCOMPARE(framer.bufferedBytes(), 0);

        QByteArray fragmented = frame(kText, "ab") + frame(FIN | kCont, "cd");
        framer.feed(fragmented.data(), fragmented.size());
        QVERIFY(framer.next(e));
        QCOMPARE(e.payload.toByteArray(), QByteArray("abcd"));
        QVERIFY(!framer.next(e));
        QCOMPARE(framer.bufferedBytes(), 0);
    }

    void closePayload()
    {
        QCOMPARE(WebSocketFramer::closePayload(1000, "bye"), QByteArray("\x03\xe8" "bye", 5));
        QCOMPARE(WebSocketFramer::closePayload(4001, {}), QByteArray("\x0f\xa1", 2));
        // Cut to 123 bytes of reason, never inside a character.
        const QByteArray ascii(200, 'a');
        QCOMPARE(WebSocketFramer::closePayload(1000, ascii).size(), 125);
        QByteArray accents;
        for (int i = 0; i < 100; ++i)
            accents += "\xc3\xa9";
        const QByteArray cut = WebSocketFramer::closePayload(1000, accents);
        QCOMPARE(cut.size(), 2 + 122);
        QVERIFY(QByteArrayView(cut).sliced(2).isValidUtf8());
        // The encoded close frame parses back.
        const QByteArray encoded = WebSocketFramer::encodeFrame(Opcode::Close, cut);
        QByteArray masked = frame(quint8(encoded[0]), encoded.sliced(2));
        QCOMPARE(run(masked, {}, 1024), QByteArrayList{"C:1000:" + cut.sliced(2)});
    }

    void encoderRoundTrip_data()
    {
        QTest::addColumn<int>("opcode");
        QTest::addColumn<QByteArray>("payload");
        QTest::newRow("text") << int(Opcode::Text) << QByteArray("{\"type\":\"ping\"}");
        QTest::newRow("binary") << int(Opcode::Binary) << QByteArray("\x00\x01\x02", 3);
        QTest::newRow("ping") << int(Opcode::Ping) << QByteArray("p");
        QTest::newRow("pong") << int(Opcode::Pong) << QByteArray();
        QTest::newRow("text 1000") << int(Opcode::Text) << QByteArray(1000, 'q');
        QTest::newRow("text 70000") << int(Opcode::Text) << QByteArray(70000, 'r');
    }

    // Server frames, masked as a client would send them, parse back to the same message.
    void encoderRoundTrip()
    {
        QFETCH(int, opcode);
        QFETCH(QByteArray, payload);
        const QByteArray encoded = WebSocketFramer::encodeFrame(Opcode(opcode), payload);
        QCOMPARE(quint8(encoded[0]), quint8(0x80 | opcode));
        const qsizetype headerSize = payload.size() < 126 ? 2 : payload.size() <= 0xFFFF ? 4 : 10;
        QCOMPARE(encoded.sliced(headerSize), payload);
        QByteArray appended = "prefix";
        WebSocketFramer::appendFrame(appended, Opcode(opcode), payload);
        QCOMPARE(appended, "prefix" + encoded);
        char header[10];
        QCOMPARE(WebSocketFramer::writeHeader(header, Opcode(opcode), quint64(payload.size())), headerSize);
        QCOMPARE(QByteArray(header, headerSize), encoded.first(headerSize));

        const QByteArray asClient = frame(quint8(0x80 | opcode), payload);
        const char prefix = opcode == int(Opcode::Text) ? 'T' : opcode == int(Opcode::Binary) ? 'B'
                                                             : opcode == int(Opcode::Ping) ? 'P'
                                                                                           : 'O';
        QCOMPARE(run(asClient, {}, 1024 * 1024), QByteArrayList{QByteArray(1, prefix) + ':' + payload});
    }

    void utf8Validator()
    {
        Utf8Validator v;
        QVERIFY(v.feed("plain ascii text, long enough for the word loop"));
        QVERIFY(v.isComplete());
        QVERIFY(v.feed("\xe2"));
        QVERIFY(!v.isComplete());
        QVERIFY(v.feed("\x82"));
        QVERIFY(v.feed("\xac"));
        QVERIFY(v.isComplete());
        QVERIFY(!v.feed("\xed\xa0\x80"));
        // Agrees with Qt's validator on every 1- and 2-byte sequence and a sample of 3- and 4-byte ones.
        for (int a = 0; a < 256; ++a) {
            for (int b = 0; b < 256; ++b) {
                const char bytes[2] = {char(a), char(b)};
                for (qsizetype n : {1, 2}) {
                    Utf8Validator w;
                    const bool mine = w.feed(QByteArrayView(bytes, n)) && w.isComplete();
                    QCOMPARE(mine, QByteArrayView(bytes, n).isValidUtf8());
                }
                for (int c : {0x80, 0x9f, 0xa0, 0xbf, 0x41}) {
                    for (int d : {0x80, 0xbf, 0x41}) {
                        const char four[4] = {char(a), char(b), char(c), char(d)};
                        for (qsizetype n : {3, 4}) {
                            Utf8Validator w;
                            const bool mine = w.feed(QByteArrayView(four, n)) && w.isComplete();
                            QCOMPARE(mine, QByteArrayView(four, n).isValidUtf8());
                        }
                    }
                }
            }
        }
    }
};

QTEST_APPLESS_MAIN(TestWebSocketFramer)
#include "tst_websocketframer.moc"
