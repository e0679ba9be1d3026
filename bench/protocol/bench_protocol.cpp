// bench_protocol: how many protocol messages one core decodes and encodes per second, with Arena's strict
// codec and, for the typical room message, with a QJsonDocument-based codec of the same message.
//
//   bench_protocol --benchmark_repetitions=5 --benchmark_report_aggregates_only=true
#include "shared/protocol/codec.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <benchmark/benchmark.h>

#include <cstdlib>

using namespace arena::protocol;

namespace {

// A typical relayed game action: ~120 bytes with a small data object.
const QByteArray roomMessageWire =
    R"({"type":"room_message","rid":1042,"room_id":"r-7f3a9c2e","data":{"action":"move","x":12,"y":-3,"dir":"north","seq":1042}})";

const QByteArray joinWire = R"({"type":"join","rid":7,"room_id":"r-7f3a9c2e"})";

const QByteArray welcomeWire =
    R"({"type":"welcome","rid":1,"session_id":"s-5b1e0c7a","player_id":"p-42","resume_token":"rt-9c8b7a6f5e4d3c2b1a",)"
    R"("instance":"host-a-1234","heartbeat_ms":15000,"resumed":false,"protocol":1,"limits":{"max_message_bytes":65536,)"
    R"("max_payload_bytes":16384,"max_payload_depth":16,"messages_per_second":50}})";

QByteArray roomListWire(int rooms)
{
    QByteArray wire = R"({"type":"room_list","rid":3,"rooms":[)";
    for (int i = 0; i < rooms; ++i) {
        if (i > 0)
            wire += ',';
        wire += R"({"id":"r-)" + QByteArray::number(i) + R"(","type":"duel","clients":1,"max_clients":2,"locked":false,)"
                R"("metadata":{"mode":"ranked","map":"arena"}})";
    }
    return wire + "]}";
}

QByteArray snapshotWire()
{
    QByteArray figures = R"({"sessions":1204,"rooms":300,"matches":40,"redis":{"used_memory":12345678,"ops":5400},"workers":[)";
    for (int i = 0; i < 8; ++i) {
        if (i > 0)
            figures += ',';
        figures += R"({"id":)" + QByteArray::number(i) + R"(,"pid":)" + QByteArray::number(4000 + i)
            + R"(,"state":"running","matches":5,"cpu":0.42,"rss":73400320,"tick_lag_ms":1.5,"restarts":0})";
    }
    figures += "]}";
    return R"({"type":"snapshot","instance":"host-a","time":1712345678901,"figures":)" + figures + "}";
}

template<typename Decoded>
const Decoded &expectOk(const Decoded &decoded, benchmark::State &state)
{
    if (!decoded.ok())
        state.SkipWithError("decode failed");
    return decoded;
}

void setCounters(benchmark::State &state, qsizetype bytes)
{
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * bytes);
    state.counters["msg_bytes"] = double(bytes);
}

void BM_RoomMessage_Decode(benchmark::State &state)
{
    for (auto _ : state) {
        auto decoded = decodeClientMessage(roomMessageWire);
        benchmark::DoNotOptimize(decoded);
    }
    expectOk(decodeClientMessage(roomMessageWire), state);
    setCounters(state, roomMessageWire.size());
}
BENCHMARK(BM_RoomMessage_Decode);

void BM_RoomMessage_Encode(benchmark::State &state)
{
    const ClientMessage message = decodeClientMessage(roomMessageWire).value();
    const auto &roomMessage = std::get<RoomMessage>(message);
    for (auto _ : state) {
        QByteArray wire = encode(roomMessage);
        benchmark::DoNotOptimize(wire);
    }
    if (encode(roomMessage) != roomMessageWire)
        state.SkipWithError("encode differs from the wire form");
    setCounters(state, roomMessageWire.size());
}
BENCHMARK(BM_RoomMessage_Encode);

void BM_RoomMessage_RoundTrip(benchmark::State &state)
{
    for (auto _ : state) {
        auto decoded = decodeClientMessage(roomMessageWire);
        QByteArray wire = encode(decoded.value());
        benchmark::DoNotOptimize(wire);
    }
    setCounters(state, roomMessageWire.size());
}
BENCHMARK(BM_RoomMessage_RoundTrip);

// What a relay does with a room message: decode it, and send every other member a room_event with the
// same data (encoded once per room).
void BM_RoomMessage_RelayAsRoomEvent(benchmark::State &state)
{
    quint64 seq = 0;
    for (auto _ : state) {
        auto decoded = decodeClientMessage(roomMessageWire);
        auto &in = std::get<RoomMessage>(decoded.value());
        RoomEvent event;
        event.roomId = std::move(in.roomId);
        event.from = QStringLiteral("s-5b1e0c7a");
        event.seq = ++seq;
        event.data = std::move(in.data);
        QByteArray wire = encode(event);
        benchmark::DoNotOptimize(wire);
    }
    setCounters(state, roomMessageWire.size());
}
BENCHMARK(BM_RoomMessage_RelayAsRoomEvent);

// Baseline: the same message through QJsonDocument, mapped to an equivalent struct with the same
// unknown-field check. It is less strict than the codec (duplicate keys: the last wins; lone surrogate
// escapes accepted; no field paths), so it does less work per message than the codec does.
struct QJsonRoomMessage
{
    QString roomId;
    QJsonValue data;
    std::optional<quint64> rid;
};

bool qjsonDecode(const QByteArray &wire, QJsonRoomMessage &out)
{
    QJsonParseError error;
    const QJsonDocument document = QJsonDocument::fromJson(wire, &error);
    if (error.error != QJsonParseError::NoError || !document.isObject())
        return false;
    const QJsonObject object = document.object();
    if (object.value(QLatin1StringView("type")).toString() != QLatin1StringView("room_message"))
        return false;
    for (auto it = object.constBegin(); it != object.constEnd(); ++it) {
        const QString key = it.key();
        if (key != QLatin1StringView("type") && key != QLatin1StringView("rid") && key != QLatin1StringView("room_id")
            && key != QLatin1StringView("data")) {
            return false;
        }
    }
    const QJsonValue rid = object.value(QLatin1StringView("rid"));
    if (!rid.isUndefined()) {
        const qint64 value = rid.toInteger(-1);
        if (value < 0)
            return false;
        out.rid = quint64(value);
    }
    const QJsonValue roomId = object.value(QLatin1StringView("room_id"));
    if (!roomId.isString())
        return false;
    out.roomId = roomId.toString();
    out.data = object.value(QLatin1StringView("data"));
    return !out.data.isUndefined();
}

QByteArray qjsonEncode(const QJsonRoomMessage &message)
{
    QJsonObject object;
    object.insert(QLatin1StringView("type"), QStringLiteral("room_message"));
    if (message.rid)
        object.insert(QLatin1StringView("rid"), qint64(*message.rid));
    object.insert(QLatin1StringView("room_id"), message.roomId);
    object.insert(QLatin1StringView("data"), message.data);
    return QJsonDocument(object).toJson(QJsonDocument::Compact);
}

void BM_RoomMessage_QJson_Decode(benchmark::State &state)
{
    for (auto _ : state) {
        QJsonRoomMessage message;
        const bool ok = qjsonDecode(roomMessageWire, message);
        benchmark::DoNotOptimize(ok);
        benchmark::DoNotOptimize(message);
    }
    QJsonRoomMessage check;
    if (!qjsonDecode(roomMessageWire, check))
        state.SkipWithError("QJsonDocument decode failed");
    setCounters(state, roomMessageWire.size());
}
BENCHMARK(BM_RoomMessage_QJson_Decode);

void BM_RoomMessage_QJson_Encode(benchmark::State &state)
{
    QJsonRoomMessage message;
    qjsonDecode(roomMessageWire, message);
    for (auto _ : state) {
        QByteArray wire = qjsonEncode(message);
        benchmark::DoNotOptimize(wire);
    }
    setCounters(state, roomMessageWire.size());
}
BENCHMARK(BM_RoomMessage_QJson_Encode);

void BM_RoomMessage_QJson_RoundTrip(benchmark::State &state)
{
    for (auto _ : state) {
        QJsonRoomMessage message;
        qjsonDecode(roomMessageWire, message);
        QByteArray wire = qjsonEncode(message);
        benchmark::DoNotOptimize(wire);
    }
    setCounters(state, roomMessageWire.size());
}
BENCHMARK(BM_RoomMessage_QJson_RoundTrip);

void BM_Join_RoundTrip(benchmark::State &state)
{
    for (auto _ : state) {
        auto decoded = decodeClientMessage(joinWire);
        QByteArray wire = encode(decoded.value());
        benchmark::DoNotOptimize(wire);
    }
    setCounters(state, joinWire.size());
}
BENCHMARK(BM_Join_RoundTrip);

void BM_Welcome_RoundTrip(benchmark::State &state)
{
    expectOk(decodeServerMessage(welcomeWire), state);
    for (auto _ : state) {
        auto decoded = decodeServerMessage(welcomeWire);
        QByteArray wire = encode(decoded.value());
        benchmark::DoNotOptimize(wire);
    }
    setCounters(state, welcomeWire.size());
}
BENCHMARK(BM_Welcome_RoundTrip);

void BM_RoomList20_RoundTrip(benchmark::State &state)
{
    const QByteArray wire = roomListWire(20);
    expectOk(decodeServerMessage(wire), state);
    for (auto _ : state) {
        auto decoded = decodeServerMessage(wire);
        QByteArray out = encode(decoded.value());
        benchmark::DoNotOptimize(out);
    }
    setCounters(state, wire.size());
}
BENCHMARK(BM_RoomList20_RoundTrip);

void BM_AdminSnapshot_RoundTrip(benchmark::State &state)
{
    const QByteArray wire = snapshotWire();
    expectOk(decodeAdminServerMessage(wire), state);
    for (auto _ : state) {
        auto decoded = decodeAdminServerMessage(wire);
        QByteArray out = encode(decoded.value());
        benchmark::DoNotOptimize(out);
    }
    setCounters(state, wire.size());
}
BENCHMARK(BM_AdminSnapshot_RoundTrip);

// A refused message costs no more than an accepted one (the error path allocates its strings).
void BM_Rejected_UnknownField(benchmark::State &state)
{
    const QByteArray wire = R"({"type":"room_message","rid":1042,"room_id":"r-7f3a9c2e","extra":true,"data":{}})";
    for (auto _ : state) {
        auto decoded = decodeClientMessage(wire);
        benchmark::DoNotOptimize(decoded);
    }
    if (decodeClientMessage(wire).ok())
        state.SkipWithError("expected a decode error");
    setCounters(state, wire.size());
}
BENCHMARK(BM_Rejected_UnknownField);

} // namespace

BENCHMARK_MAIN();
