// fuzz_protocol: libFuzzer target for the four protocol decoders and RawJson. Input must never crash;
// whatever decodes must re-encode to text that decodes to an equal value and re-encodes to the same
// bytes; whatever is refused must produce an error reply that itself encodes and decodes.
#include "shared/protocol/codec.h"
#include "shared/protocol/rawjson.h"

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>

using namespace arena::protocol;

namespace {

[[noreturn]] void die(const char *what, QByteArrayView wire, const QString &detail = QString())
{
    std::fprintf(stderr, "fuzz_protocol: %s\n  wire: %.*s\n  detail: %s\n", what, int(wire.size()), wire.data(),
                 detail.toUtf8().constData());
    std::abort();
}

template<typename Variant>
using Decoder = DecodeResult<Variant> (*)(QByteArrayView, const DecodeLimits &);

template<typename Variant>
void check(QByteArrayView input, Decoder<Variant> decode, const DecodeLimits &limits)
{
    const DecodeResult<Variant> decoded = decode(input, limits);
    if (!decoded.ok()) {
        const DecodeError &error = decoded.error();
        if (error.message.isEmpty())
            die("decode error without a message", input);
        const QByteArray reply = encode(ErrorMessage::fromDecodeError(error));
        const auto back = decodeServerMessage(reply, DecodeLimits{});
        if (!back.ok())
            die("error reply does not decode", reply, back.error().toString());
        if (!(back.value() == ServerMessage(ErrorMessage::fromDecodeError(error))))
            die("error reply changed in a round trip", reply);
        return;
    }
    const QByteArray first = encode(decoded.value());
    // Re-encoding may lengthen a number (1E5 -> 100000); every other bound applies unchanged.
    DecodeLimits relaxed = limits;
    relaxed.maxMessageBytes = std::max(limits.maxMessageBytes * 2, first.size());
    const DecodeResult<Variant> again = decode(first, relaxed);
    if (!again.ok())
        die("encoded message does not decode", first, again.error().toString());
    if (!(again.value() == decoded.value()))
        die("decode(encode(x)) != x", first);
    if (encode(again.value()) != first)
        die("encoding is not stable", first);
}

void checkRawJson(QByteArrayView input)
{
    const auto parsed = RawJson::parse(input, DecodeLimits::trusted());
    if (!parsed.ok())
        return;
    const auto again = RawJson::parse(parsed->json(), DecodeLimits::trusted());
    if (!again.ok() || !(again.value() == parsed.value()))
        die("RawJson compact form does not parse back to itself", parsed->json());
    // Through QJsonValue numbers and key order may change, but the result must stay valid JSON.
    const RawJson viaQt = RawJson::fromJsonValue(parsed->toJsonValue());
    if (!RawJson::parse(viaQt.json(), DecodeLimits::trusted()).ok())
        die("RawJson from a QJsonValue is not valid JSON", viaQt.json());
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    const QByteArrayView input(reinterpret_cast<const char *>(data), qsizetype(size));

    // Tight limits reach the bound checks with small inputs.
    DecodeLimits tight;
    tight.maxMessageBytes = 4096;
    tight.maxPayloadBytes = 64;
    tight.maxPayloadDepth = 3;
    tight.maxDepth = 6;
    tight.maxArrayItems = 4;

    for (const DecodeLimits &limits : {DecodeLimits{}, tight, DecodeLimits::trusted()}) {
        check<ClientMessage>(input, &decodeClientMessage, limits);
        check<ServerMessage>(input, &decodeServerMessage, limits);
        check<AdminClientMessage>(input, &decodeAdminClientMessage, limits);
        check<AdminServerMessage>(input, &decodeAdminServerMessage, limits);
    }
    checkRawJson(input);
    return 0;
}
