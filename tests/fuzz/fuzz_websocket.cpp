// fuzz_websocket: libFuzzer target for the native WebSocket transport's parsers — the HTTP upgrade parser
// (WebSocketHandshake) and the RFC 6455 frame parser (WebSocketFramer) — on arbitrary bytes in arbitrary
// chunkings, each chunk in its own heap buffer (the framer unmasks in place and must not keep pointers
// into a chunk). It must never crash; the outcome must not depend on the chunking; events must keep the
// framer's promises (sizes, UTF-8, close codes, nothing after the end).
//
// Input: byte 0 picks the mode (bit 0: start with the upgrade request, else frames only) and the message
// limit (bits 1..4); byte 1 salts the chunking; the rest is what the client sends.
#include "server/gateway/websocketframer.h"
#include "server/gateway/websockethandshake.h"
#include "tests/fuzz/fuzzcutter.h"

#include <QByteArrayList>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>

using namespace arena;
using Event = WebSocketFramer::Event;

namespace {

[[noreturn]] void die(const char *what, QByteArrayView bytes, const QByteArray &detail = {})
{
    const QByteArray hex = bytes.first(std::min<qsizetype>(bytes.size(), 512)).toByteArray().toHex();
    std::fprintf(stderr, "fuzz_websocket: %s\n  bytes (%lld, hex, first 512): %s\n  detail: %s\n", what,
                 static_cast<long long>(bytes.size()), hex.constData(), detail.constData());
    std::abort();
}

using arena::fuzz::Cutter;

struct Outcome
{
    WebSocketHandshake::State handshake = WebSocketHandshake::State::Upgrade;
    QByteArray response;
    QByteArrayList events;
};

QByteArray describe(const Event &e)
{
    QByteArray tag;
    switch (e.type) {
    case Event::Type::Text: tag = "T"; break;
    case Event::Type::Binary: tag = "B"; break;
    case Event::Type::Ping: tag = "P"; break;
    case Event::Type::Pong: tag = "O"; break;
    case Event::Type::Close: tag = "C"; break;
    case Event::Type::ProtocolError: tag = "E"; break;
    }
    return tag + QByteArray::number(e.code) + ':' + e.payload.toByteArray();
}

void check(const Event &e, qsizetype maxMessage, QByteArrayView input)
{
    switch (e.type) {
    case Event::Type::Text:
        if (!e.payload.isValidUtf8())
            die("a text message that is not valid UTF-8", input);
        [[fallthrough]];
    case Event::Type::Binary:
        if (e.payload.size() > maxMessage)
            die("a message over the limit", input);
        break;
    case Event::Type::Ping:
    case Event::Type::Pong:
        if (e.payload.size() > 125)
            die("a control payload over 125 bytes", input);
        break;
    case Event::Type::Close:
        if (e.code != 1005 && !WebSocketFramer::isValidCloseCode(e.code))
            die("an invalid close code reported", input);
        if (e.payload.size() > 123 || !e.payload.isValidUtf8())
            die("a bad close reason reported", input);
        break;
    case Event::Type::ProtocolError:
        if (e.code != 1002 && e.code != 1007 && e.code != 1009)
            die("an unexpected protocol error code", input);
        if (!e.error)
            die("a protocol error without a reason", input);
        break;
    }
}

// chunk 0: the whole input at once; otherwise pieces of at most `chunk` bytes (cut by `cutter` when set).
Outcome run(QByteArrayView stream, bool handshake, qsizetype maxMessage, qsizetype chunk, Cutter *cutter)
{
    Outcome out;
    WebSocketHandshake upgrade;
    WebSocketFramer framer(maxMessage);
    bool framing = !handshake;
    bool ended = false;
    qsizetype pos = 0;
    const auto frames = [&](QByteArray bytes) {
        if (ended || bytes.isEmpty())
            return;
        // A heap copy per chunk, freed right after: ASan reports any pointer the framer keeps into it.
        auto buffer = std::make_unique<char[]>(size_t(bytes.size()));
        std::copy(bytes.cbegin(), bytes.cend(), buffer.get());
        framer.feed(buffer.get(), bytes.size());
        Event e;
        while (framer.next(e)) {
            if (ended)
                die("an event after Close or ProtocolError", stream);
            check(e, maxMessage, stream);
            out.events.append(describe(e));
            ended = e.type == Event::Type::Close || e.type == Event::Type::ProtocolError;
        }
    };
    while (pos < stream.size()) {
        qsizetype n = stream.size() - pos;
        if (chunk > 0)
            n = std::min(n, cutter ? cutter->next(chunk) : chunk);
        const QByteArrayView piece = stream.sliced(pos, n);
        pos += n;
        if (framing) {
            frames(piece.toByteArray());
            continue;
        }
        out.handshake = upgrade.feed(piece);
        if (out.handshake == WebSocketHandshake::State::Incomplete)
            continue;
        out.response = upgrade.response();
        if (out.response.isEmpty())
            die("a finished handshake without a response", stream);
        if (out.handshake == WebSocketHandshake::State::Refused)
            return out;
        framing = true;
        frames(upgrade.takeRemainder());
    }
    if (!framing)
        out.handshake = upgrade.state();
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    if (size < 2)
        return 0;
    const bool handshake = data[0] & 1;
    const qsizetype maxMessage = qsizetype(16) << ((data[0] >> 1) & 0x0F); // 16 B .. 512 KiB
    const QByteArrayView stream(reinterpret_cast<const char *>(data) + 2, qsizetype(size) - 2);

    const Outcome whole = run(stream, handshake, maxMessage, 0, nullptr);
    Cutter cutter(stream, data[1]);
    const Outcome cut = run(stream, handshake, maxMessage, 64, &cutter);
    const auto same = [&](const Outcome &a, const Outcome &b, const char *what) {
        if (a.handshake != b.handshake || a.response != b.response || a.events != b.events)
            die(what, stream, a.events.join('|').left(400) + " vs " + b.events.join('|').left(400));
    };
    same(whole, cut, "the outcome depends on the chunking (random cuts)");
    if (stream.size() <= 4096)
        same(whole, run(stream, handshake, maxMessage, 1, nullptr), "the outcome depends on the chunking (bytes)");
    return 0;
}
