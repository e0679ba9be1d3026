// fuzz_ipc: libFuzzer target for the IPC FrameDecoder. Input is a byte stream fed in several chunkings
// and interleavings of append()/next(), under the default and a tiny frame limit. It must never crash;
// the frames and the final error must not depend on the chunking; an error must be final; and every
// decoded map must re-encode to a frame that decodes to an equal map and re-encodes to the same bytes.
#include "shared/ipc/frame.h"
#include "shared/ipc/framedecoder.h"
#include "tests/fuzz/fuzzcutter.h"

#include <QCborArray>
#include <QCborValue>
#include <QtEndian>
#include <QtNumeric>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>

using namespace arena;
using namespace arena::ipc;

namespace {

[[noreturn]] void die(const char *what, QByteArrayView bytes, const QString &detail = QString())
{
    const QByteArray hex = bytes.first(std::min<qsizetype>(bytes.size(), 512)).toByteArray().toHex();
    std::fprintf(stderr, "fuzz_ipc: %s\n  bytes (%lld, hex, first 512): %s\n  detail: %s\n", what,
                 static_cast<long long>(bytes.size()), hex.constData(), detail.toUtf8().constData());
    std::abort();
}

struct Outcome
{
    QList<QCborMap> frames;
    std::optional<Error> error;
    qsizetype leftover = 0; // bytes buffered but not handed out, when there is no error
};

enum class Drain { All, OnePerAppend };

using arena::fuzz::Cutter;

bool takeOne(FrameDecoder &decoder, Outcome &out)
{
    if (out.error)
        return false;
    auto r = decoder.next();
    if (!r.ok()) {
        out.error = r.error();
        return false;
    }
    if (!r->has_value())
        return false;
    out.frames.append(*r.value());
    return true;
}

// `cut` returns the size of the next chunk.
template<typename Cut>
Outcome feed(QByteArrayView input, qsizetype maxFrame, Drain drain, Cut cut)
{
    FrameDecoder decoder(maxFrame);
    Outcome out;
    for (qsizetype from = 0; from < input.size();) {
        const qsizetype n = std::min(cut(), input.size() - from);
        decoder.append(input.sliced(from, n));
        from += n;
        if (drain == Drain::All) {
            while (takeOne(decoder, out)) {}
        } else {
            takeOne(decoder, out);
        }
    }
    while (takeOne(decoder, out)) {}
    if (out.error) {
        if (!decoder.hasFailed() || decoder.bufferedBytes() != 0)
            die("failed decoder still holds bytes or does not report failure", input);
        // Final: more input changes nothing.
        decoder.append(encodeFrame(QCborMap()));
        auto again = decoder.next();
        if (again.ok() || !(again.error() == *out.error))
            die("error is not final", input, out.error->message);
    } else {
        out.leftover = decoder.bufferedBytes();
    }
    return out;
}

bool sameOutcome(const Outcome &a, const Outcome &b)
{
    return a.frames == b.frames && a.error.has_value() == b.error.has_value() && (!a.error || *a.error == *b.error) &&
           a.leftover == b.leftover;
}

// Equality of decoded values, except that any NaN equals any NaN: Qt compares doubles bit for bit but
// writes every NaN as the one canonical quiet NaN, so a NaN payload from the wire cannot survive a
// re-encoding (and nothing in Arena depends on one).
bool sameValue(const QCborValue &a, const QCborValue &b)
{
    if (a.isDouble() && b.isDouble() && qIsNaN(a.toDouble()) && qIsNaN(b.toDouble()))
        return true;
    if (a.isArray() && b.isArray()) {
        const QCborArray x = a.toArray();
        const QCborArray y = b.toArray();
        if (x.size() != y.size())
            return false;
        for (qsizetype i = 0; i < x.size(); ++i) {
            if (!sameValue(x.at(i), y.at(i)))
                return false;
        }
        return true;
    }
    if (a.isMap() && b.isMap()) {
        const QCborMap x = a.toMap();
        const QCborMap y = b.toMap();
        if (x.size() != y.size())
            return false;
        // Pairwise in wire order: maps from the wire may repeat a key, and both sides keep every pair.
        for (auto i = x.constBegin(), j = y.constBegin(); i != x.constEnd(); ++i, ++j) {
            if (!sameValue(i.key(), j.key()) || !sameValue(i.value(), j.value()))
                return false;
        }
        return true;
    }
    if (a.isTag() && b.isTag())
        return a.tag() == b.tag() && sameValue(a.taggedValue(), b.taggedValue());
    return a == b;
}

void checkRoundTrip(const QCborMap &map, QByteArrayView input)
{
    const QByteArray frame = encodeFrame(map);
    if (frame.size() <= FrameHeaderBytes)
        die("encodeFrame gave no frame for a decoded map", input);
    if (qFromBigEndian<quint32>(frame.constData()) != quint32(frame.size() - FrameHeaderBytes))
        die("encodeFrame header does not match its payload", frame);
    // Re-encoding may lengthen a value (a half-precision float becomes a double), so allow for it.
    FrameDecoder decoder(std::max(DefaultMaxFrameBytes, frame.size()));
    decoder.append(frame);
    auto r = decoder.next();
    if (!r.ok())
        die("re-encoded map does not decode", frame, r.error().message);
    if (!r->has_value())
        die("re-encoded frame is incomplete", frame);
    if (!sameValue(r->value(), map))
        die("decode(encode(map)) != map", frame,
            map.toCborValue().toDiagnosticNotation() + QStringLiteral(" vs ") +
                r->value().toCborValue().toDiagnosticNotation());
    if (encodeFrame(r->value()) != frame)
        die("encoding is not stable", frame);
    auto end = decoder.next();
    if (!end.ok() || end->has_value() || decoder.bufferedBytes() != 0)
        die("bytes left after a re-encoded frame", frame);
}

void check(QByteArrayView input, qsizetype maxFrame)
{
    const Outcome reference = feed(input, maxFrame, Drain::All, [&] { return std::max<qsizetype>(input.size(), 1); });
    if (reference.error && reference.error->message.isEmpty())
        die("error without a message", input, reference.error->code);

    // Where the frames end must follow from their headers alone.
    qsizetype consumed = 0;
    for (qsizetype i = 0; i < reference.frames.size(); ++i)
        consumed += FrameHeaderBytes + qsizetype(qFromBigEndian<quint32>(input.data() + consumed));
    if (!reference.error && consumed + reference.leftover != input.size())
        die("consumed and leftover bytes do not add up to the input", input);

    Cutter small(input, 1);
    Cutter any(input, 2);
    const auto bytewise = [] { return qsizetype(1); };
    const auto smallCuts = [&] { return small.next(16); };
    const auto anyCuts = [&] { return any.next(std::max<qsizetype>(input.size(), 1)); };
    const Outcome variants[] = {
        feed(input, maxFrame, Drain::All, bytewise),
        feed(input, maxFrame, Drain::OnePerAppend, bytewise),
        feed(input, maxFrame, Drain::All, smallCuts),
        feed(input, maxFrame, Drain::OnePerAppend, anyCuts),
    };
    for (const Outcome &variant : variants) {
        if (!sameOutcome(variant, reference))
            die("outcome depends on the chunking", input,
                QStringLiteral("%1 vs %2 frames; error %3 vs %4")
                    .arg(variant.frames.size())
                    .arg(reference.frames.size())
                    .arg(variant.error ? variant.error->code : QStringLiteral("none"),
                         reference.error ? reference.error->code : QStringLiteral("none")));
    }

    for (const QCborMap &map : reference.frames)
        checkRoundTrip(map, input);
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));
    check(input, DefaultMaxFrameBytes);
    check(input, 64); // reaches "frame_too_large" with small inputs
    return 0;
}
