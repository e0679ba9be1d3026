// TestPlayerCodec: every player message round-trips through its pinned wire form; every decode error
// kind is reported with the right field path and the request id when one was readable.
#include "shared/protocol/codec.h"
#include "tests/unit/protocol/codectestsupport.h"

#include <QSet>
#include <QTest>

#include <cmath>

using namespace arena::protocol;

Q_DECLARE_METATYPE(arena::protocol::ClientMessage)
Q_DECLARE_METATYPE(arena::protocol::ServerMessage)
Q_DECLARE_METATYPE(arena::protocol::DecodeErrorKind)

using arena::protocol::test::json;
using arena::protocol::test::s;
using arena::protocol::test::Sample;

namespace {

QList<Sample<ClientMessage>> clientSamples()
{
    return {
        {"hello, nothing set", Hello{}, R"({"type":"hello"})"},
        {"hello, all set",
         Hello{.playerId = s("p-1"), .token = s("tok"), .resumeToken = s("res-1"), .protocol = 1, .rid = 1},
         R"({"type":"hello","rid":1,"player_id":"p-1","token":"tok","resume_token":"res-1","protocol":1})"},
        {"ping", Ping{.time = 1712345678901.5, .rid = 2}, R"({"type":"ping","rid":2,"time":1712345678901.5})"},
        {"join_or_create",
         JoinOrCreate{.roomType = s("duel"), .filter = json(R"({"mode":"ranked"})"),
                      .metadata = json(R"({"mode":"ranked","map":"arena"})"), .maxClients = 2, .rid = 3},
         R"({"type":"join_or_create","rid":3,"room_type":"duel","filter":{"mode":"ranked"},)"
         R"("metadata":{"mode":"ranked","map":"arena"},"max_clients":2})"},
        {"join_or_create, defaults", JoinOrCreate{.roomType = s("lobby")},
         R"({"type":"join_or_create","room_type":"lobby","filter":{},"metadata":{}})"},
        {"create",
         Create{.roomType = s("chat"), .isPrivate = true, .maxClients = 16, .metadata = json(R"({"topic":"x"})"), .rid = 4},
         R"({"type":"create","rid":4,"room_type":"chat","private":true,"max_clients":16,"metadata":{"topic":"x"}})"},
        {"join", Join{.roomId = s("r-1"), .rid = 5}, R"({"type":"join","rid":5,"room_id":"r-1"})"},
        {"join, non-ASCII id", Join{.roomId = s("caf\xC3\xA9-\xF0\x9F\x98\x80")},
         "{\"type\":\"join\",\"room_id\":\"caf\xC3\xA9-\xF0\x9F\x98\x80\"}"},
        {"leave", Leave{.roomId = s("r-1"), .rid = 6}, R"({"type":"leave","rid":6,"room_id":"r-1"})"},
        {"list_rooms", ListRooms{.roomType = s("duel"), .filter = json(R"({"mode":"ranked"})"), .rid = 7},
         R"({"type":"list_rooms","rid":7,"room_type":"duel","filter":{"mode":"ranked"}})"},
        {"list_rooms, defaults", ListRooms{}, R"({"type":"list_rooms","filter":{}})"},
        {"room_message",
         RoomMessage{.roomId = s("r-1"), .data = json(R"({"action":"attack","target":"s-2"})"), .rid = 8},
         R"({"type":"room_message","rid":8,"room_id":"r-1","data":{"action":"attack","target":"s-2"}})"},
        {"room_message, string data", RoomMessage{.roomId = s("r-1"), .data = json(R"("hi")")},
         R"({"type":"room_message","room_id":"r-1","data":"hi"})"},
        {"room_message, null data", RoomMessage{.roomId = s("r-1")},
         R"({"type":"room_message","room_id":"r-1","data":null})"},
        {"queue", Queue{.level = 12, .teamSize = 2, .roomType = s("duel"), .rid = 9},
         R"({"type":"queue","rid":9,"room_type":"duel","level":12,"team_size":2})"},
        {"cancel_queue", CancelQueue{.rid = 10}, R"({"type":"cancel_queue","rid":10})"},
        {"lock_room", LockRoom{.roomId = s("r-1"), .rid = 11}, R"({"type":"lock_room","rid":11,"room_id":"r-1"})"},
        {"unlock_room", UnlockRoom{.roomId = s("r-1"), .rid = 12}, R"({"type":"unlock_room","rid":12,"room_id":"r-1"})"},
        {"largest rid", Join{.roomId = s("r"), .rid = MaxSafeInteger},
         R"({"type":"join","rid":9007199254740991,"room_id":"r"})"},
    };
}

QList<Sample<ServerMessage>> serverSamples()
{
    const QList<Member> duo{{s("s-1"), s("p-1")}, {s("s-2"), s("p-2")}};
    return {
        {"welcome",
         Welcome{.sessionId = s("s-1"), .playerId = s("p-1"), .resumeToken = s("rt-1"), .instance = s("host-1"),
                 .heartbeatMs = 15000, .resumed = true, .protocol = 1, .limits = {65536, 16384, 16, 50}, .rid = 1},
         R"({"type":"welcome","rid":1,"session_id":"s-1","player_id":"p-1","resume_token":"rt-1","instance":"host-1",)"
         R"("heartbeat_ms":15000,"resumed":true,"protocol":1,"limits":{"max_message_bytes":65536,)"
         R"("max_payload_bytes":16384,"max_payload_depth":16,"messages_per_second":50}})"},
        {"ack", Ack{.rid = 11}, R"({"type":"ack","rid":11})"},
        {"pong", Pong{.time = 12.25, .serverTime = 1712345678901, .rid = 2},
         R"({"type":"pong","rid":2,"time":12.25,"server_time":1712345678901})"},
        {"joined",
         Joined{.roomId = s("r-1"), .roomType = s("duel"), .seq = 0, .maxClients = 2, .members = duo,
                .metadata = json(R"({"mode":"ranked"})"), .state = json(R"({"turn":"s-1"})"), .rid = 3},
         R"({"type":"joined","rid":3,"room_id":"r-1","room_type":"duel","seq":0,"max_clients":2,"members":)"
         R"([{"session_id":"s-1","player_id":"p-1"},{"session_id":"s-2","player_id":"p-2"}],)"
         R"("metadata":{"mode":"ranked"},"state":{"turn":"s-1"}})"},
        {"left", Left{.roomId = s("r-1"), .reason = s("requested"), .rid = 4},
         R"({"type":"left","rid":4,"room_id":"r-1","reason":"requested"})"},
        {"member_joined", MemberJoined{.roomId = s("r-1"), .sessionId = s("s-2"), .playerId = s("p-2")},
         R"({"type":"member_joined","room_id":"r-1","session_id":"s-2","player_id":"p-2"})"},
        {"member_left",
         MemberLeft{.roomId = s("r-1"), .sessionId = s("s-2"), .playerId = s("p-2"), .reason = s("disconnected")},
         R"({"type":"member_left","room_id":"r-1","session_id":"s-2","player_id":"p-2","reason":"disconnected"})"},
        {"room_event", RoomEvent{.roomId = s("r-1"), .from = s("s-2"), .seq = 42, .data = json(R"({"action":"attack"})")},
         R"({"type":"room_event","room_id":"r-1","from":"s-2","seq":42,"data":{"action":"attack"}})"},
        {"room_event, from the room", RoomEvent{.roomId = s("r-1"), .seq = 43, .data = json(R"({"event":"ended"})")},
         R"({"type":"room_event","room_id":"r-1","seq":43,"data":{"event":"ended"}})"},
        {"room_state", RoomState{.roomId = s("r-1"), .seq = 44, .state = json(R"({"hp":[80,100]})")},
         R"({"type":"room_state","room_id":"r-1","seq":44,"state":{"hp":[80,100]}})"},
        {"room_list",
         RoomList{.rooms = {RoomInfo{s("r-1"), s("duel"), 1, 2, false, json(R"({"mode":"ranked"})")},
                            RoomInfo{s("r-2"), s("chat"), 16, 16, true, RawJson::emptyObject()}},
                  .rid = 5},
         R"({"type":"room_list","rid":5,"rooms":[{"id":"r-1","type":"duel","clients":1,"max_clients":2,)"
         R"("locked":false,"metadata":{"mode":"ranked"}},{"id":"r-2","type":"chat","clients":16,"max_clients":16,)"
         R"("locked":true,"metadata":{}}]})"},
        {"room_list, empty", RoomList{}, R"({"type":"room_list","rooms":[]})"},
        {"queued", Queued{.ticket = s("t-1"), .roomType = s("duel"), .level = 12, .teamSize = 1, .rid = 6},
         R"({"type":"queued","rid":6,"ticket":"t-1","room_type":"duel","level":12,"team_size":1})"},
        {"queue_cancelled", QueueCancelled{.ticket = s("t-1"), .reason = s("requested"), .rid = 7},
         R"({"type":"queue_cancelled","rid":7,"ticket":"t-1","reason":"requested"})"},
        {"match_found", MatchFound{.matchId = s("m-1"), .roomId = s("r-9"), .roomType = s("duel"), .players = duo},
         R"({"type":"match_found","match_id":"m-1","room_id":"r-9","room_type":"duel","players":)"
         R"([{"session_id":"s-1","player_id":"p-1"},{"session_id":"s-2","player_id":"p-2"}]})"},
        {"match_restored", MatchRestored{.roomId = s("r-9"), .matchId = s("m-1")},
         R"({"type":"match_restored","room_id":"r-9","match_id":"m-1"})"},
        {"session_closing", SessionClosing{.reason = s("shutdown"), .code = 1001, .retryAfterMs = 5000},
         R"({"type":"session_closing","reason":"shutdown","code":1001,"retry_after_ms":5000})"},
        {"error", ErrorMessage{.code = ErrorCode::RoomFull, .message = s("room r-1 is full"), .rid = 8},
         R"({"type":"error","rid":8,"code":"room_full","message":"room r-1 is full"})"},
        {"error, all set",
         ErrorMessage{.code = ErrorCode::RateLimited, .message = s("slow down\n"), .field = s("data.x[2]"),
                      .retryAfterMs = 250, .rid = 9},
         R"({"type":"error","rid":9,"code":"rate_limited","message":"slow down\n","field":"data.x[2]","retry_after_ms":250})"},
    };
}

DecodeLimits strictLimits()
{
    return DecodeLimits{};
}

QByteArray nested(int levels)
{
    return QByteArray(levels, '[') + QByteArray(levels, ']');
}

} // namespace

class TestPlayerCodec : public QObject
{
    Q_OBJECT

private slots:
    void clientRoundTrip_data();
    void clientRoundTrip();
    void serverRoundTrip_data();
    void serverRoundTrip();
    void everyTypeHasASample();
    void acceptsEquivalentSpellings_data();
    void acceptsEquivalentSpellings();
    void clientErrors_data();
    void clientErrors();
    void serverErrors_data();
    void serverErrors();
    void oversizeCheckedBeforeParsing();
    void unknownFields();
    void errorReplyEchoesRid();
    void numberEdgeCases();
    void payloadKeptVerbatim();
    void helpers();
};

void TestPlayerCodec::clientRoundTrip_data()
{
    QTest::addColumn<ClientMessage>("message");
    QTest::addColumn<QByteArray>("wire");
    for (const auto &sample : clientSamples())
        QTest::newRow(sample.name) << sample.message << sample.wire;
}

void TestPlayerCodec::clientRoundTrip()
{
    QFETCH(ClientMessage, message);
    QFETCH(QByteArray, wire);

    QCOMPARE(encode(message), wire);
    const auto decoded = decodeClientMessage(wire);
    QVERIFY2(decoded.ok(), qPrintable(decoded.ok() ? QString() : decoded.error().toString()));
    QVERIFY(decoded.value() == message);
    QCOMPARE(encode(decoded.value()), wire);
    // The per-type overload writes the same bytes as the variant one.
    QCOMPARE(std::visit([](const auto &m) { return encode(m); }, message), wire);
}

void TestPlayerCodec::serverRoundTrip_data()
{
    QTest::addColumn<ServerMessage>("message");
    QTest::addColumn<QByteArray>("wire");
    for (const auto &sample : serverSamples())
        QTest::newRow(sample.name) << sample.message << sample.wire;
}

void TestPlayerCodec::serverRoundTrip()
{
    QFETCH(ServerMessage, message);
    QFETCH(QByteArray, wire);

    QCOMPARE(encode(message), wire);
    // Both with the strict server-side limits and the trusted client default.
    for (const DecodeLimits &limits : {strictLimits(), DecodeLimits::trusted()}) {
        const auto decoded = decodeServerMessage(wire, limits);
        QVERIFY2(decoded.ok(), qPrintable(decoded.ok() ? QString() : decoded.error().toString()));
        QVERIFY(decoded.value() == message);
        QCOMPARE(encode(decoded.value()), wire);
    }
}

void TestPlayerCodec::everyTypeHasASample()
{
    QSet<std::size_t> client;
    for (const auto &sample : clientSamples())
        client.insert(sample.message.index());
    QCOMPARE(client.size(), qsizetype(std::variant_size_v<ClientMessage>));
    QSet<std::size_t> server;
    for (const auto &sample : serverSamples())
        server.insert(sample.message.index());
    QCOMPARE(server.size(), qsizetype(std::variant_size_v<ServerMessage>));
}

void TestPlayerCodec::acceptsEquivalentSpellings_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<ClientMessage>("expected");

    const ClientMessage join = Join{.roomId = s("r-1"), .rid = 5};
    QTest::newRow("whitespace") << QByteArray(" {\n \"type\" : \"join\" ,\t\"rid\":5, \"room_id\": \"r-1\" }\n") << join;
    QTest::newRow("type not first") << QByteArray(R"({"room_id":"r-1","rid":5,"type":"join"})") << join;
    QTest::newRow("escaped key") << QByteArray(R"({"type":"join","rid":5,"room\u005fid":"r-1"})") << join;
    QTest::newRow("escaped type") << QByteArray(R"({"type":"\u006aoin","rid":5,"room_id":"r-1"})") << join;
    QTest::newRow("escaped value") << QByteArray(R"({"type":"join","rid":5,"room_id":"r\u002d1"})") << join;
    QTest::newRow("rid minus zero") << QByteArray(R"({"type":"join","rid":-0,"room_id":"r"})")
                                    << ClientMessage(Join{.roomId = s("r"), .rid = 0});
    QTest::newRow("id of exactly 128 bytes") << QByteArray(R"({"type":"join","room_id":")" + QByteArray(128, 'x') + "\"}")
                                             << ClientMessage(Join{.roomId = QString(128, QLatin1Char('x'))});
    QTest::newRow("queue without team_size") << QByteArray(R"({"type":"queue","room_type":"duel","level":0})")
                                             << ClientMessage(Queue{.level = 0, .teamSize = 1, .roomType = s("duel")});
    QTest::newRow("create without optionals") << QByteArray(R"({"type":"create","room_type":"chat"})")
                                              << ClientMessage(Create{.roomType = s("chat")});
    QTest::newRow("ping with integer time") << QByteArray(R"({"type":"ping","time":17})") << ClientMessage(Ping{.time = 17});
    QTest::newRow("ping time underflows to zero") << QByteArray(R"({"type":"ping","time":1e-400})")
                                                  << ClientMessage(Ping{.time = 0});
}

void TestPlayerCodec::acceptsEquivalentSpellings()
{
    QFETCH(QByteArray, wire);
    QFETCH(ClientMessage, expected);
    const auto decoded = decodeClientMessage(wire);
    QVERIFY2(decoded.ok(), qPrintable(decoded.ok() ? QString() : decoded.error().toString()));
    QVERIFY(decoded.value() == expected);
}

void TestPlayerCodec::clientErrors_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<DecodeErrorKind>("kind");
    QTest::addColumn<QString>("path");
    QTest::addColumn<qint64>("rid"); // -1: none echoed
    QTest::addColumn<ErrorCode>("code");

    const auto bad = ErrorCode::BadRequest;
    using K = DecodeErrorKind;
    const QString none;

    QTest::newRow("not JSON") << QByteArray("hello") << K::Syntax << none << qint64(-1) << bad;
    QTest::newRow("truncated") << QByteArray(R"({"type":"join","room_id":"r)") << K::Syntax << s("room_id") << qint64(-1) << bad;
    QTest::newRow("array message") << QByteArray("[]") << K::WrongType << none << qint64(-1) << bad;
    QTest::newRow("string message") << QByteArray(R"("join")") << K::WrongType << none << qint64(-1) << bad;
    QTest::newRow("no type") << QByteArray(R"({"room_id":"r"})") << K::MissingField << s("type") << qint64(-1) << bad;
    QTest::newRow("type not a string") << QByteArray(R"({"type":7})") << K::WrongType << s("type") << qint64(-1) << bad;
    QTest::newRow("type null") << QByteArray(R"({"type":null,"rid":2})") << K::WrongType << s("type") << qint64(2) << bad;
    QTest::newRow("unknown type") << QByteArray(R"({"type":"nope","rid":3})") << K::UnknownType << s("type") << qint64(3)
                                  << ErrorCode::UnknownType;
    QTest::newRow("server type sent by a client") << QByteArray(R"({"type":"welcome"})") << K::UnknownType << s("type")
                                                  << qint64(-1) << ErrorCode::UnknownType;
    QTest::newRow("type differs by case") << QByteArray(R"({"type":"Join","room_id":"r"})") << K::UnknownType << s("type")
                                          << qint64(-1) << ErrorCode::UnknownType;
    QTest::newRow("duplicate type") << QByteArray(R"({"type":"join","type":"leave","room_id":"r"})") << K::DuplicateKey
                                    << s("type") << qint64(-1) << bad;
    QTest::newRow("missing required field") << QByteArray(R"({"type":"join","rid":1})") << K::MissingField
                                            << s("room_id") << qint64(1) << bad;
    QTest::newRow("wrong type") << QByteArray(R"({"type":"join","rid":1,"room_id":5})") << K::WrongType << s("room_id")
                                << qint64(1) << bad;
    QTest::newRow("null for a string") << QByteArray(R"({"type":"join","room_id":null})") << K::WrongType << s("room_id")
                                       << qint64(-1) << bad;
    QTest::newRow("empty id") << QByteArray(R"({"type":"join","room_id":""})") << K::InvalidValue << s("room_id")
                              << qint64(-1) << bad;
    QTest::newRow("control character in id") << QByteArray(R"({"type":"join","room_id":"a\u0001b"})") << K::InvalidValue
                                             << s("room_id") << qint64(-1) << bad;
    QTest::newRow("DEL in id") << QByteArray("{\"type\":\"join\",\"room_id\":\"a\x7F\"}") << K::InvalidValue
                               << s("room_id") << qint64(-1) << bad;
    QTest::newRow("id too long") << QByteArray(R"({"type":"join","rid":4,"room_id":")" + QByteArray(129, 'x') + "\"}")
                                 << K::StringTooLong << s("room_id") << qint64(4) << bad;
    QTest::newRow("id too long once unescaped") << QByteArray(R"({"type":"join","room_id":")"
                                                              + QByteArray("\\u00e9").repeated(65) + "\"}")
                                                << K::StringTooLong << s("room_id") << qint64(-1) << bad;
    QTest::newRow("token too long") << QByteArray(R"({"type":"hello","token":")" + QByteArray(1025, 't') + "\"}")
                                    << K::StringTooLong << s("token") << qint64(-1) << bad;
    QTest::newRow("unknown field") << QByteArray(R"({"type":"join","rid":1,"room_id":"r","extra":1})")
                                   << K::UnknownField << s("extra") << qint64(1) << bad;
    QTest::newRow("field of another message") << QByteArray(R"({"type":"leave","room_id":"r","level":1})")
                                              << K::UnknownField << s("level") << qint64(-1) << bad;
    QTest::newRow("rid negative") << QByteArray(R"({"type":"join","rid":-1,"room_id":"r"})") << K::OutOfRange << s("rid")
                                  << qint64(-1) << bad;
    QTest::newRow("rid 2^53") << QByteArray(R"({"type":"join","rid":9007199254740992,"room_id":"r"})") << K::OutOfRange
                              << s("rid") << qint64(-1) << bad;
    QTest::newRow("rid 2^53+1") << QByteArray(R"({"type":"join","rid":9007199254740993,"room_id":"r"})") << K::OutOfRange
                                << s("rid") << qint64(-1) << bad;
    QTest::newRow("rid 2^64") << QByteArray(R"({"type":"join","rid":18446744073709551616,"room_id":"r"})")
                              << K::OutOfRange << s("rid") << qint64(-1) << bad;
    QTest::newRow("rid float") << QByteArray(R"({"type":"join","rid":1.0,"room_id":"r"})") << K::WrongType << s("rid")
                               << qint64(-1) << bad;
    QTest::newRow("rid exponent") << QByteArray(R"({"type":"join","rid":1e2,"room_id":"r"})") << K::WrongType << s("rid")
                                  << qint64(-1) << bad;
    QTest::newRow("rid 1e400") << QByteArray(R"({"type":"join","rid":1e400,"room_id":"r"})") << K::OutOfRange << s("rid")
                               << qint64(-1) << bad;
    QTest::newRow("rid string") << QByteArray(R"({"type":"join","rid":"7","room_id":"r"})") << K::WrongType << s("rid")
                                << qint64(-1) << bad;
    QTest::newRow("float level") << QByteArray(R"({"type":"queue","rid":2,"room_type":"duel","level":1.5})")
                                 << K::WrongType << s("level") << qint64(2) << bad;
    QTest::newRow("level out of range") << QByteArray(R"({"type":"queue","room_type":"duel","level":1000001})")
                                        << K::OutOfRange << s("level") << qint64(-1) << bad;
    QTest::newRow("team_size zero") << QByteArray(R"({"type":"queue","room_type":"duel","level":1,"team_size":0})")
                                    << K::OutOfRange << s("team_size") << qint64(-1) << bad;
    QTest::newRow("team_size -0") << QByteArray(R"({"type":"queue","room_type":"duel","level":1,"team_size":-0})")
                                  << K::OutOfRange << s("team_size") << qint64(-1) << bad;
    QTest::newRow("max_clients zero") << QByteArray(R"({"type":"create","room_type":"x","max_clients":0})")
                                      << K::OutOfRange << s("max_clients") << qint64(-1) << bad;
    QTest::newRow("bool as string") << QByteArray(R"({"type":"create","room_type":"x","private":"yes"})")
                                    << K::WrongType << s("private") << qint64(-1) << bad;
    QTest::newRow("bool as number") << QByteArray(R"({"type":"create","room_type":"x","private":1})")
                                    << K::WrongType << s("private") << qint64(-1) << bad;
    QTest::newRow("ping time string") << QByteArray(R"({"type":"ping","time":"now"})") << K::WrongType << s("time")
                                      << qint64(-1) << bad;
    QTest::newRow("ping time 1e400") << QByteArray(R"({"type":"ping","time":1e400})") << K::OutOfRange << s("time")
                                     << qint64(-1) << bad;
    QTest::newRow("filter not an object") << QByteArray(R"({"type":"join_or_create","room_type":"x","filter":[]})")
                                          << K::WrongType << s("filter") << qint64(-1) << bad;
    QTest::newRow("duplicate key in metadata")
        << QByteArray(R"({"type":"create","rid":3,"room_type":"x","metadata":{"a":1,"a":2}})") << K::DuplicateKey
        << s("metadata.a") << qint64(-1) << bad;
    QTest::newRow("invalid UTF-8 in data") << QByteArray("{\"type\":\"room_message\",\"room_id\":\"r\",\"data\":{\"k\":\"\xFF\"}}")
                                           << K::InvalidUtf8 << s("data.k") << qint64(-1) << bad;
    QTest::newRow("lone surrogate in id") << QByteArray(R"({"type":"join","room_id":"\ud800"})") << K::InvalidUtf8
                                          << s("room_id") << qint64(-1) << bad;
    QTest::newRow("data nested too deep") << QByteArray(R"({"type":"room_message","rid":6,"room_id":"r","data":)"
                                                        + nested(17) + "}")
                                          << K::TooDeep << s("data") << qint64(6) << bad;
    QTest::newRow("message nested too deep") << QByteArray(R"({"type":"room_message","room_id":"r","data":)"
                                                           + nested(40) + "}")
                                             << K::TooDeep << s("data") + s("[0]").repeated(31) << qint64(-1) << bad;
    QTest::newRow("data too large") << QByteArray(R"({"type":"room_message","rid":7,"room_id":"r","data":")"
                                                  + QByteArray(16 * 1024, 'x') + "\"}")
                                    << K::TooLarge << s("data") << qint64(7) << ErrorCode::TooLarge;
}

void TestPlayerCodec::clientErrors()
{
    QFETCH(QByteArray, wire);
    QFETCH(DecodeErrorKind, kind);
    QFETCH(QString, path);
    QFETCH(qint64, rid);
    QFETCH(ErrorCode, code);

    const auto decoded = decodeClientMessage(wire);
    QVERIFY(!decoded.ok());
    const DecodeError &error = decoded.error();
    QCOMPARE(decodeErrorKindName(error.kind), decodeErrorKindName(kind));
    QCOMPARE(error.path, path);
    QCOMPARE(error.rid, rid < 0 ? std::nullopt : std::optional<quint64>(quint64(rid)));
    QCOMPARE(error.errorCode(), code);
    QVERIFY(!error.message.isEmpty());
}

void TestPlayerCodec::serverErrors_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<DecodeErrorKind>("kind");
    QTest::addColumn<QString>("path");

    using K = DecodeErrorKind;
    QTest::newRow("client type sent by a server") << QByteArray(R"({"type":"join","room_id":"r"})") << K::UnknownType
                                                  << s("type");
    QTest::newRow("nested member wrong type")
        << QByteArray(R"({"type":"match_found","match_id":"m","room_id":"r","room_type":"duel",)"
                      R"("players":[{"session_id":"s","player_id":"p"},{"session_id":"s","player_id":5}]})")
        << K::WrongType << s("players[1].player_id");
    QTest::newRow("nested member missing field")
        << QByteArray(R"({"type":"match_found","match_id":"m","room_id":"r","room_type":"duel","players":[{"session_id":"s"}]})")
        << K::MissingField << s("players[0].player_id");
    QTest::newRow("nested unknown field")
        << QByteArray(R"({"type":"match_found","match_id":"m","room_id":"r","room_type":"duel",)"
                      R"("players":[{"session_id":"s","player_id":"p","x":1}]})")
        << K::UnknownField << s("players[0].x");
    QTest::newRow("member not an object")
        << QByteArray(R"({"type":"match_found","match_id":"m","room_id":"r","room_type":"duel","players":["s"]})")
        << K::WrongType << s("players[0]");
    QTest::newRow("room metadata not an object")
        << QByteArray(R"({"type":"room_list","rooms":[{"id":"r","type":"t","clients":0,"max_clients":1,"locked":false,"metadata":{}},)"
                      R"({"id":"r","type":"t","clients":0,"max_clients":1,"locked":false,"metadata":7}]})")
        << K::WrongType << s("rooms[1].metadata");
    QTest::newRow("too many members")
        << QByteArray(R"({"type":"match_found","match_id":"m","room_id":"r","room_type":"duel","players":[)"
                      + QByteArray(R"({"session_id":"s","player_id":"p"},)").repeated(256)
                      + R"({"session_id":"s","player_id":"p"}]})")
        << K::ArrayTooLong << s("players");
    QTest::newRow("unknown error code") << QByteArray(R"({"type":"error","code":"oops","message":"m"})") << K::InvalidValue
                                        << s("code");
    QTest::newRow("error code as number") << QByteArray(R"({"type":"error","code":404,"message":"m"})") << K::WrongType
                                          << s("code");
    QTest::newRow("close code below 1000") << QByteArray(R"({"type":"session_closing","reason":"x","code":999})")
                                           << K::OutOfRange << s("code");
    QTest::newRow("limits missing a field")
        << QByteArray(R"({"type":"welcome","session_id":"s","player_id":"p","resume_token":"t","instance":"i",)"
                      R"("heartbeat_ms":1000,"resumed":false,"protocol":1,"limits":{"max_message_bytes":1,)"
                      R"("max_payload_bytes":1,"max_payload_depth":1}})")
        << K::MissingField << s("limits.messages_per_second");
    QTest::newRow("heartbeat zero")
        << QByteArray(R"({"type":"welcome","session_id":"s","player_id":"p","resume_token":"t","instance":"i",)"
                      R"("heartbeat_ms":0,"resumed":false,"protocol":1,"limits":{"max_message_bytes":1,)"
                      R"("max_payload_bytes":1,"max_payload_depth":1,"messages_per_second":1}})")
        << K::OutOfRange << s("heartbeat_ms");
    QTest::newRow("reason too long") << QByteArray(R"({"type":"left","room_id":"r","reason":")" + QByteArray(65, 'r') + "\"}")
                                     << K::StringTooLong << s("reason");
}

void TestPlayerCodec::serverErrors()
{
    QFETCH(QByteArray, wire);
    QFETCH(DecodeErrorKind, kind);
    QFETCH(QString, path);

    const auto decoded = decodeServerMessage(wire, strictLimits());
    QVERIFY(!decoded.ok());
    QCOMPARE(decodeErrorKindName(decoded.error().kind), decodeErrorKindName(kind));
    QCOMPARE(decoded.error().path, path);
}

void TestPlayerCodec::oversizeCheckedBeforeParsing()
{
    DecodeLimits limits;
    limits.maxMessageBytes = 64;
    // Over the size limit and not even JSON: the size is what gets reported.
    const QByteArray garbage(65, '{');
    const auto decoded = decodeClientMessage(garbage, limits);
    QVERIFY(!decoded.ok());
    QCOMPARE(decoded.error().kind, DecodeErrorKind::TooLarge);
    QCOMPARE(decoded.error().path, QString());
    QCOMPARE(decoded.error().errorCode(), ErrorCode::TooLarge);
    QCOMPARE(closeCode(decoded.error().errorCode()), std::optional<quint16>(1009));

    const QByteArray exact = R"({"type":"join","room_id":")" + QByteArray(64 - 28, 'x') + "\"}";
    QCOMPARE(exact.size(), 64);
    QVERIFY(decodeClientMessage(exact, limits).ok());
    QCOMPARE(decodeClientMessage(exact + ' ', limits).error().kind, DecodeErrorKind::TooLarge);

    // The default limit is 64 KiB.
    const QByteArray big = R"({"type":"room_message","room_id":"r","data":")" + QByteArray(70000, 'x') + "\"}";
    QCOMPARE(decodeClientMessage(big).error().kind, DecodeErrorKind::TooLarge);
    QCOMPARE(decodeClientMessage(big).error().path, QString());
}

void TestPlayerCodec::unknownFields()
{
    const QByteArray wire = R"({"type":"member_joined","room_id":"r","session_id":"s","player_id":"p","since":5})";
    const auto strict = decodeServerMessage(wire, strictLimits());
    QVERIFY(!strict.ok());
    QCOMPARE(strict.error().kind, DecodeErrorKind::UnknownField);
    QCOMPARE(strict.error().path, QStringLiteral("since"));

    // Clients skip fields a newer server added; the known ones still decode and are still checked.
    const auto lenient = decodeServerMessage(wire);
    QVERIFY(lenient.ok());
    QVERIFY(lenient.value() == ServerMessage(MemberJoined{.roomId = s("r"), .sessionId = s("s"), .playerId = s("p")}));
    QVERIFY(!decodeServerMessage(R"({"type":"member_joined","room_id":"r","session_id":"s","player_id":5,"x":1})").ok());

    DecodeLimits ignoring;
    ignoring.unknownFields = UnknownFields::Ignore;
    QVERIFY(decodeClientMessage(R"({"type":"join","room_id":"r","extra":{"deep":[1]}})", ignoring).ok());
    // Ignored fields are still parsed strictly.
    QCOMPARE(decodeClientMessage(R"({"type":"join","room_id":"r","extra":{"a":1,"a":2}})", ignoring).error().kind,
             DecodeErrorKind::DuplicateKey);
}

void TestPlayerCodec::errorReplyEchoesRid()
{
    const auto decoded = decodeClientMessage(R"({"type":"join","rid":77})");
    QVERIFY(!decoded.ok());
    QCOMPARE(decoded.error().type, QStringLiteral("join"));
    const ErrorMessage reply = ErrorMessage::fromDecodeError(decoded.error());
    QCOMPARE(encode(reply),
             QByteArray(R"({"type":"error","rid":77,"code":"bad_request","message":"room_id: missing required field",)"
                        R"("field":"room_id"})"));
    const auto back = decodeServerMessage(encode(reply));
    QVERIFY(back.ok());
    QVERIFY(back.value() == ServerMessage(reply));
}

void TestPlayerCodec::numberEdgeCases()
{
    // -0 as a double survives the round trip as -0.
    const auto minusZero = decodeClientMessage(R"({"type":"ping","time":-0})");
    QVERIFY(minusZero.ok());
    const double time = std::get<Ping>(minusZero.value()).time;
    QCOMPARE(time, 0.0);
    QVERIFY(std::signbit(time));
    QCOMPARE(encode(minusZero.value()), QByteArray(R"({"type":"ping","time":-0})"));

    // Doubles are written in their shortest exact form and read back bit for bit.
    for (const double value : {0.1, 1.0 / 3.0, 9007199254740993.0, 1e300, 5e-324, -2.5e-8}) {
        const QByteArray wire = encode(Ping{.time = value});
        const auto back = decodeClientMessage(wire);
        QVERIFY(back.ok());
        QCOMPARE(std::get<Ping>(back.value()).time, value);
    }

    // Exponent spellings of a double field are fine; the field is a number.
    const auto exponent = decodeClientMessage(R"({"type":"ping","time":1.5E3})");
    QVERIFY(exponent.ok());
    QCOMPARE(std::get<Ping>(exponent.value()).time, 1500.0);
}

void TestPlayerCodec::payloadKeptVerbatim()
{
    const QByteArray wire = "{\"type\":\"room_message\",\"room_id\":\"r\",\"data\": { \"n\" : 1.50 , \"big\": 12345678901234567890,"
                            " \"e\":1E2, \"s\":\"\\u00e9 \\\" x\" } }";
    const auto decoded = decodeClientMessage(wire);
    QVERIFY(decoded.ok());
    const RoomMessage &message = std::get<RoomMessage>(decoded.value());
    QCOMPARE(message.data.json(), QByteArray(R"({"n":1.50,"big":12345678901234567890,"e":1E2,"s":"\u00e9 \" x"})"));
    QCOMPARE(encode(message),
             QByteArray(R"({"type":"room_message","room_id":"r","data":{"n":1.50,"big":12345678901234567890,"e":1E2,"s":"\u00e9 \" x"}})"));
    QCOMPARE(message.data.toJsonObject().value(QStringLiteral("s")).toString(), QString(QChar(0xE9)) + s(" \" x"));
}

void TestPlayerCodec::helpers()
{
    const ClientMessage join = Join{.roomId = s("r"), .rid = 9};
    QCOMPARE(messageType(join), QLatin1StringView("join"));
    QCOMPARE(requestId(join), std::optional<quint64>(9));
    const ServerMessage event = RoomEvent{.roomId = s("r"), .seq = 1};
    QCOMPARE(messageType(event), QLatin1StringView("room_event"));
    QCOMPARE(requestId(event), std::nullopt);

    // A QString holding a lone surrogate is written as U+FFFD, so the output always decodes.
    const QByteArray wire = encode(Join{.roomId = QString(QChar(0xD800))});
    const auto decoded = decodeClientMessage(wire);
    QVERIFY(decoded.ok());
    QCOMPARE(std::get<Join>(decoded.value()).roomId, QString(QChar(0xFFFD)));
}

QTEST_GUILESS_MAIN(TestPlayerCodec)
#include "tst_playercodec.moc"
