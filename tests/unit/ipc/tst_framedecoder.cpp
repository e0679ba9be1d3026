// TestFrameDecoder: incremental decoding of IPC frames, whatever the chunking, and every kind of bad frame.
#include "shared/ipc/frame.h"
#include "shared/ipc/framedecoder.h"
#include "tests/unit/ipc/ipctestdata.h"

#include <QCborArray>
#include <QCborValue>
#include <QTest>
#include <QtEndian>

#include <limits>

using namespace arena;
using namespace arena::ipc;
using namespace arena::ipc::testdata;

namespace {

struct Outcome
{
    QList<QCborMap> frames;
    std::optional<Error> error;
};

// Takes every frame the decoder has ready; stops at "need more bytes" or at the error.
void drain(FrameDecoder &decoder, Outcome &out)
{
    while (!out.error) {
        auto next = decoder.next();
        if (!next.ok()) {
            out.error = next.error();
            return;
        }
        if (!next->has_value())
            return;
        out.frames.append(*next.value());
    }
}

Outcome decodeInChunks(const QByteArray &stream, const QList<qsizetype> &cuts, qsizetype maxFrame)
{
    FrameDecoder decoder(maxFrame);
    Outcome out;
    qsizetype from = 0;
    for (qsizetype cut : cuts) {
        decoder.append(QByteArrayView(stream).sliced(from, cut - from));
        drain(decoder, out);
        from = cut;
    }
    decoder.append(QByteArrayView(stream).sliced(from));
    drain(decoder, out);
    if (!out.error && decoder.bufferedBytes() != 0)
        out.error = Error{QStringLiteral("test"), QStringLiteral("%1 bytes left over").arg(decoder.bufferedBytes())};
    return out;
}

// The chunkings every case runs through: whole, byte by byte, and split in two at every boundary.
QList<QPair<QString, QList<qsizetype>>> chunkings(qsizetype size)
{
    QList<QPair<QString, QList<qsizetype>>> result;
    result.append({QStringLiteral("whole"), {}});
    QList<qsizetype> everyByte;
    for (qsizetype i = 1; i < size; ++i)
        everyByte.append(i);
    result.append({QStringLiteral("byte by byte"), everyByte});
    for (qsizetype i = 0; i <= size; ++i)
        result.append({QStringLiteral("split at %1").arg(i), {i}});
    return result;
}

QCborMap nestedMap()
{
    QCborMap inner{{QStringLiteral("hp"), 97}, {QStringLiteral("pos"), QCborArray{1.5, -2.25, 0.0}}};
    QCborArray players;
    players.append(QCborMap{{QStringLiteral("id"), QStringLiteral("p1")}, {QStringLiteral("state"), inner}});
    players.append(QCborMap{{QStringLiteral("id"), QStringLiteral("p2")}, {QStringLiteral("state"), QCborValue()}});
    QCborMap map;
    map.insert(QStringLiteral("type"), QStringLiteral("snapshot"));
    map.insert(QStringLiteral("players"), players);
    map.insert(QStringLiteral("blob"), QByteArray("\x00\x01\xfe\xff", 4));
    map.insert(QStringLiteral("text"), QStringLiteral("Zoë – 対戦"));
    map.insert(QStringLiteral("min"), std::numeric_limits<qint64>::min());
    map.insert(QStringLiteral("max"), std::numeric_limits<qint64>::max());
    map.insert(QStringLiteral("flags"), QCborArray{true, false, QCborValue(QCborValue::Undefined)});
    map.insert(QStringLiteral("tagged"), QCborValue(QCborTag(4242), QStringLiteral("custom")));
    map.insert(42, QStringLiteral("integer key"));
    map.insert(QStringLiteral("deep"), QCborMap{{QStringLiteral("a"), QCborMap{{QStringLiteral("b"), QCborMap{
                                                     {QStringLiteral("c"), QCborArray{QCborArray{QCborArray{7}}}}}}}}});
    return map;
}

} // namespace

class TestFrameDecoder final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void encodeFrameLayout();
    void decodes_data();
    void decodes();
    void rejects_data();
    void rejects();
    void waitsForWholeFrame();
    void limitIsCheckedFromTheHeader();
    void errorIsFinal();
    void limitAppliesFromNextHeader();
    void manyFramesInOrderWithBoundedBuffer();
};

void TestFrameDecoder::encodeFrameLayout()
{
    QCOMPARE(encodeFrame(QCborMap()), QByteArray("\x00\x00\x00\x01\xa0", 5));

    const QCborMap map{{QStringLiteral("type"), QStringLiteral("hello")},
                       {QStringLiteral("data"), QByteArray(300, 'x')}};
    const QByteArray frame = encodeFrame(map);
    const QByteArray payload = map.toCborValue().toCbor();
    QCOMPARE(frame.size(), FrameHeaderBytes + payload.size());
    QCOMPARE(qFromBigEndian<quint32>(frame.constData()), quint32(payload.size()));
    QCOMPARE(frame.sliced(FrameHeaderBytes), payload);
}

void TestFrameDecoder::decodes_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<qsizetype>("maxFrame");
    QTest::addColumn<QList<QCborMap>>("expected");

    const QCborMap hello{{QStringLiteral("type"), QStringLiteral("hello")}, {QStringLiteral("worker"), 3}};
    QTest::newRow("one frame") << encodeFrame(hello) << DefaultMaxFrameBytes << QList<QCborMap>{hello};

    QByteArray many;
    QList<QCborMap> manyMaps;
    for (int i = 0; i < 40; ++i) {
        manyMaps.append(numbered(i));
        many += encodeFrame(manyMaps.last());
    }
    QTest::newRow("many frames in one buffer") << many << DefaultMaxFrameBytes << manyMaps;

    QTest::newRow("empty map") << encodeFrame(QCborMap()) << DefaultMaxFrameBytes << QList<QCborMap>{QCborMap()};
    QTest::newRow("empty maps back to back")
        << encodeFrame(QCborMap()) + encodeFrame(QCborMap()) + encodeFrame(QCborMap()) << DefaultMaxFrameBytes
        << QList<QCborMap>{QCborMap(), QCborMap(), QCborMap()};
    QTest::newRow("nested values") << encodeFrame(nestedMap()) + encodeFrame(hello) << DefaultMaxFrameBytes
                                   << QList<QCborMap>{nestedMap(), hello};

    const QByteArray atLimit = encodeFrame(hello);
    QTest::newRow("payload exactly at the limit") << atLimit << (atLimit.size() - FrameHeaderBytes)
                                                  << QList<QCborMap>{hello};

    // Another encoder's valid but non-canonical forms: indefinite-length map and text, a one-byte
    // integer written in the two-byte form.
    const QByteArray indefinite = QByteArray::fromHex("bf" "7f616b626579ff" "1801" "ff");
    QTest::newRow("non-canonical CBOR") << rawFrame(indefinite) << DefaultMaxFrameBytes
                                        << QList<QCborMap>{QCborMap{{QStringLiteral("key"), 1}}};
}

void TestFrameDecoder::decodes()
{
    QFETCH(QByteArray, stream);
    QFETCH(qsizetype, maxFrame);
    QFETCH(QList<QCborMap>, expected);

    for (const auto &[name, cuts] : chunkings(stream.size())) {
        const Outcome out = decodeInChunks(stream, cuts, maxFrame);
        QVERIFY2(!out.error, qPrintable(name + QStringLiteral(": ") + (out.error ? out.error->message : QString())));
        QVERIFY2(out.frames == expected, qPrintable(name));
    }
}

void TestFrameDecoder::rejects_data()
{
    QTest::addColumn<QByteArray>("stream");
    QTest::addColumn<qsizetype>("maxFrame");
    QTest::addColumn<int>("goodFrames"); // frames decoded before the bad one
    QTest::addColumn<QString>("code");
    QTest::addColumn<QString>("messagePart");

    const QByteArray good = encodeFrame(numbered(1)) + encodeFrame(numbered(2));

    // The payload never arrives: the header alone must be enough to refuse the frame.
    QTest::newRow("oversized length header")
        << headerOnly(quint32(DefaultMaxFrameBytes + 1)) << DefaultMaxFrameBytes << 0 << "frame_too_large"
        << "16777217-byte payload, over the limit of 16777216";
    QTest::newRow("largest length header") << headerOnly(0xFFFFFFFFu) << DefaultMaxFrameBytes << 0
                                           << "frame_too_large" << "4294967295";
    QTest::newRow("over a small limit") << good + encodeFrame(QCborMap{{QStringLiteral("pad"), QByteArray(64, 'x')}})
                                        << qsizetype(32) << 2 << "frame_too_large" << "limit of 32 bytes";

    QTest::newRow("empty payload") << rawFrame(QByteArray()) << DefaultMaxFrameBytes << 0 << "invalid_cbor"
                                   << "empty";
    QTest::newRow("truncated CBOR: missing pair") << good + rawFrame(QByteArray::fromHex("a2616101"))
                                                  << DefaultMaxFrameBytes << 2 << "invalid_cbor"
                                                  << "Unexpected end";
    QTest::newRow("truncated CBOR: short string") << rawFrame(QByteArray::fromHex("a161616361")) << DefaultMaxFrameBytes
                                                  << 0 << "invalid_cbor" << "not valid CBOR";
    QTest::newRow("truncated CBOR: byte string claims 4 GiB") << rawFrame(QByteArray::fromHex("a161615affffffff00"))
                                                              << DefaultMaxFrameBytes << 0 << "invalid_cbor"
                                                              << "not valid CBOR";
    QTest::newRow("invalid CBOR: stray break") << rawFrame(QByteArray::fromHex("ff")) << DefaultMaxFrameBytes << 0
                                               << "invalid_cbor" << "break";
    QTest::newRow("invalid CBOR: bad UTF-8 key") << rawFrame(QByteArray::fromHex("a161ff01")) << DefaultMaxFrameBytes
                                                 << 0 << "invalid_cbor" << "UTF-8";

    QTest::newRow("non-map: array") << good + rawFrame(QByteArray::fromHex("83010203")) << DefaultMaxFrameBytes << 2
                                    << "not_a_map" << "is an array; expected a CBOR map";
    QTest::newRow("non-map: integer") << rawFrame(QByteArray::fromHex("01")) << DefaultMaxFrameBytes << 0
                                      << "not_a_map" << "integer";
    QTest::newRow("non-map: text") << rawFrame(QByteArray::fromHex("63616263")) << DefaultMaxFrameBytes << 0
                                   << "not_a_map" << "text string";
    QTest::newRow("non-map: null") << rawFrame(QByteArray::fromHex("f6")) << DefaultMaxFrameBytes << 0
                                   << "not_a_map" << "simple value";
    QTest::newRow("non-map: tagged map") << rawFrame(QByteArray::fromHex("c1a0")) << DefaultMaxFrameBytes << 0
                                         << "not_a_map" << "tagged";

    QTest::newRow("trailing garbage: an extra item") << good + rawFrame(QByteArray::fromHex("a001"))
                                                     << DefaultMaxFrameBytes << 2 << "trailing_bytes"
                                                     << "1 byte(s) after its CBOR map";
    QTest::newRow("trailing garbage: a second map") << rawFrame(QByteArray::fromHex("a1616101a0"))
                                                    << DefaultMaxFrameBytes << 0 << "trailing_bytes"
                                                    << "1 byte(s) after its CBOR map (map 4 bytes, payload 5)";
    QTest::newRow("trailing garbage: junk bytes") << rawFrame(QByteArray::fromHex("a0ff18ffffff"))
                                                  << DefaultMaxFrameBytes << 0 << "trailing_bytes" << "5 byte(s)";
}

void TestFrameDecoder::rejects()
{
    QFETCH(QByteArray, stream);
    QFETCH(qsizetype, maxFrame);
    QFETCH(int, goodFrames);
    QFETCH(QString, code);
    QFETCH(QString, messagePart);

    for (const auto &[name, cuts] : chunkings(stream.size())) {
        const Outcome out = decodeInChunks(stream, cuts, maxFrame);
        QVERIFY2(out.error, qPrintable(name));
        QVERIFY2(out.frames.size() == goodFrames, qPrintable(name));
        for (int i = 0; i < goodFrames; ++i)
            QCOMPARE(out.frames.at(i), numbered(i + 1));
        QCOMPARE(out.error->code, code);
        QVERIFY2(out.error->message.contains(messagePart), qPrintable(out.error->message));
    }
}

void TestFrameDecoder::waitsForWholeFrame()
{
    const QCborMap map{{QStringLiteral("type"), QStringLiteral("state")}, {QStringLiteral("n"), 5}};
    const QByteArray frame = encodeFrame(map);
    FrameDecoder decoder;

    decoder.append(QByteArrayView(frame).first(3)); // part of the header
    auto r = decoder.next();
    QVERIFY(r.ok());
    QVERIFY(!r->has_value());
    QCOMPARE(decoder.bufferedBytes(), 3);

    decoder.append(QByteArrayView(frame).sliced(3, frame.size() - 4)); // all but the last byte
    r = decoder.next();
    QVERIFY(r.ok());
    QVERIFY(!r->has_value());
    QCOMPARE(decoder.bufferedBytes(), frame.size() - 1);

    decoder.append(QByteArrayView(frame).last(1));
    r = decoder.next();
    QVERIFY(r.ok());
    QVERIFY(r->has_value());
    QCOMPARE(r->value(), map);
    QCOMPARE(decoder.bufferedBytes(), 0);
    r = decoder.next();
    QVERIFY(r.ok());
    QVERIFY(!r->has_value());
    QVERIFY(!decoder.hasFailed());
}

void TestFrameDecoder::limitIsCheckedFromTheHeader()
{
    FrameDecoder decoder(1024);
    decoder.append(headerOnly(1025));
    decoder.append(QByteArray(100, 'x')); // the start of a payload that is never buffered for long
    const auto r = decoder.next();
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("frame_too_large"));
    QVERIFY(decoder.hasFailed());
    QCOMPARE(decoder.bufferedBytes(), 0);
}

void TestFrameDecoder::errorIsFinal()
{
    FrameDecoder decoder;
    decoder.append(rawFrame(QByteArray::fromHex("83010203")));
    const auto first = decoder.next();
    QVERIFY(!first.ok());
    QCOMPARE(first.error().code, QStringLiteral("not_a_map"));

    // A perfectly good frame afterwards changes nothing: the stream position is lost for good.
    decoder.append(encodeFrame(numbered(1)));
    QCOMPARE(decoder.bufferedBytes(), 0);
    for (int i = 0; i < 3; ++i) {
        const auto again = decoder.next();
        QVERIFY(!again.ok());
        QCOMPARE(again.error(), first.error());
    }
    QVERIFY(decoder.hasFailed());
}

void TestFrameDecoder::limitAppliesFromNextHeader()
{
    const QCborMap big{{QStringLiteral("pad"), QByteArray(100, 'x')}};
    FrameDecoder decoder;
    QCOMPARE(decoder.maxFrameBytes(), DefaultMaxFrameBytes);
    decoder.append(encodeFrame(big));
    auto r = decoder.next();
    QVERIFY(r.ok() && r->has_value());

    decoder.setMaxFrameBytes(64);
    QCOMPARE(decoder.maxFrameBytes(), 64);
    decoder.append(encodeFrame(numbered(1)) + encodeFrame(big));
    r = decoder.next();
    QVERIFY(r.ok() && r->has_value());
    QCOMPARE(r->value(), numbered(1));
    r = decoder.next();
    QVERIFY(!r.ok());
    QCOMPARE(r.error().code, QStringLiteral("frame_too_large"));
}

void TestFrameDecoder::manyFramesInOrderWithBoundedBuffer()
{
    // 400,000 frames (about 7 MB) in one buffer, then the same again in 4 KiB chunks: every frame comes
    // out in order, and after each chunk only the start of a frame is left unconsumed. (How fast it goes
    // is a benchmark's business, not this test's.)
    constexpr int Count = 400000;
    QByteArray stream;
    for (int i = 0; i < Count; ++i)
        stream += encodeFrame(numbered(i));

    for (const qsizetype chunk : {stream.size(), qsizetype(4096)}) {
        FrameDecoder decoder;
        int seen = 0;
        for (qsizetype from = 0; from < stream.size(); from += chunk) {
            decoder.append(QByteArrayView(stream).sliced(from, qMin(chunk, stream.size() - from)));
            for (;;) {
                auto r = decoder.next();
                QVERIFY(r.ok());
                if (!r->has_value())
                    break;
                QCOMPARE(r->value().value(QStringLiteral("seq")).toInteger(), qint64(seen));
                ++seen;
            }
            if (chunk < stream.size())
                QVERIFY2(decoder.bufferedBytes() < chunk, qPrintable(QString::number(decoder.bufferedBytes())));
        }
        QCOMPARE(seen, Count);
        QCOMPARE(decoder.bufferedBytes(), 0);
    }
}

QTEST_GUILESS_MAIN(TestFrameDecoder)
#include "tst_framedecoder.moc"
