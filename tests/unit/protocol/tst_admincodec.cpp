// TestAdminCodec: the admin protocol (console / arena-ctl <-> arena-agent): round trips, enum names and the
// rules that span fields.
#include "shared/protocol/codec.h"
#include "tests/unit/protocol/codectestsupport.h"

#include <QSet>
#include <QTest>

using namespace arena::protocol;

Q_DECLARE_METATYPE(arena::protocol::AdminClientMessage)
Q_DECLARE_METATYPE(arena::protocol::AdminServerMessage)
Q_DECLARE_METATYPE(arena::protocol::DecodeErrorKind)

using arena::protocol::test::json;
using arena::protocol::test::s;
using arena::protocol::test::Sample;

namespace {

QList<Sample<AdminClientMessage>> clientSamples()
{
    return {
        {"auth", Auth{.token = s("secret"), .rid = 1}, R"({"type":"auth","rid":1,"token":"secret"})"},
        {"subscribe all", Subscribe{.all = true, .rid = 2}, R"({"type":"subscribe","rid":2,"all":true,"instances":[]})"},
        {"subscribe some", Subscribe{.instances = {s("host-a"), s("host-b")}},
         R"({"type":"subscribe","all":false,"instances":["host-a","host-b"]})"},
        {"subscribe none", Subscribe{}, R"({"type":"subscribe","all":false,"instances":[]})"},
        {"action",
         Action{.id = s("a-1"), .kind = ActionKind::ScaleWorkers, .target = s("host-a"),
                .params = json(R"({"workers":4})"), .dryRun = true, .rid = 3},
         R"({"type":"action","rid":3,"id":"a-1","kind":"scale_workers","target":"host-a","params":{"workers":4},"dry_run":true})"},
        {"action on the fleet", Action{.id = s("a-2"), .kind = ActionKind::Cleanup},
         R"({"type":"action","id":"a-2","kind":"cleanup","params":{},"dry_run":false})"},
        {"restart_worker", Action{.id = s("a-3"), .kind = ActionKind::RestartWorker, .target = s("h"), .params = json(R"({"worker":3})")},
         R"({"type":"action","id":"a-3","kind":"restart_worker","target":"h","params":{"worker":3},"dry_run":false})"},
        {"drain_worker", Action{.id = s("a-4"), .kind = ActionKind::DrainWorker, .target = s("h")},
         R"({"type":"action","id":"a-4","kind":"drain_worker","target":"h","params":{},"dry_run":false})"},
        {"drain_instance", Action{.id = s("a-5"), .kind = ActionKind::DrainInstance, .target = s("h")},
         R"({"type":"action","id":"a-5","kind":"drain_instance","target":"h","params":{},"dry_run":false})"},
        {"dispose_room",
         Action{.id = s("a-6"), .kind = ActionKind::DisposeRoom, .target = s("h"), .params = json(R"({"room_id":"r-1"})")},
         R"({"type":"action","id":"a-6","kind":"dispose_room","target":"h","params":{"room_id":"r-1"},"dry_run":false})"},
        {"query rooms", Query{.kind = QueryKind::Rooms, .target = s("host-b"), .rid = 4},
         R"({"type":"query","rid":4,"kind":"rooms","target":"host-b","params":{}})"},
        {"query audit", Query{.kind = QueryKind::Audit, .params = json(R"({"count":20})")},
         R"({"type":"query","kind":"audit","params":{"count":20}})"},
    };
}

QList<Sample<AdminServerMessage>> serverSamples()
{
    return {
        {"auth_ok", AuthOk{.role = Role::Operator, .instance = s("host-a"), .protocol = 1, .rid = 1},
         R"({"type":"auth_ok","rid":1,"role":"operator","instance":"host-a","protocol":1})"},
        {"auth_ok viewer", AuthOk{.role = Role::Viewer, .instance = s("host-a")},
         R"({"type":"auth_ok","role":"viewer","instance":"host-a","protocol":1})"},
        {"snapshot",
         Snapshot{.instance = s("host-a"), .time = 1712345678901,
                  .figures = json(R"({"sessions":1204,"workers":[{"id":1,"cpu":0.5}]})")},
         R"({"type":"snapshot","instance":"host-a","time":1712345678901,"figures":{"sessions":1204,"workers":[{"id":1,"cpu":0.5}]}})"},
        {"fleet",
         Fleet{.time = 1712345678901,
               .instances = {InstanceSummary{s("host-a"), s("10.0.0.1"), InstanceState::Up, 1204, 300, 40, 12, 1712345678000},
                             InstanceSummary{s("host-b"), s("10.0.0.2"), InstanceState::Draining, 3, 1, 0, 1, 1712345678500},
                             InstanceSummary{s("host-c"), s("10.0.0.3"), InstanceState::Down, 0, 0, 0, 0, 1712345600000}}},
         R"({"type":"fleet","time":1712345678901,"instances":[)"
         R"({"id":"host-a","host":"10.0.0.1","state":"up","sessions":1204,"rooms":300,"matches":40,"workers":12,"last_seen":1712345678000},)"
         R"({"id":"host-b","host":"10.0.0.2","state":"draining","sessions":3,"rooms":1,"matches":0,"workers":1,"last_seen":1712345678500},)"
         R"({"id":"host-c","host":"10.0.0.3","state":"down","sessions":0,"rooms":0,"matches":0,"workers":0,"last_seen":1712345600000}]})"},
        {"action_result ok", ActionResult{.id = s("a-1"), .ok = true, .result = json(R"({"workers":4})"), .rid = 3},
         R"({"type":"action_result","rid":3,"id":"a-1","ok":true,"result":{"workers":4}})"},
        {"action_result failed",
         ActionResult{.id = s("a-2"), .ok = false, .error = ErrorInfo{ErrorCode::NotFound, s("no instance host-z")}},
         R"({"type":"action_result","id":"a-2","ok":false,"result":{},"error":{"code":"not_found","message":"no instance host-z"}})"},
        {"audit_entry",
         AuditEntry{.id = s("1712345678901-0"), .time = 1712345678901, .actor = s("ops-1"), .role = Role::Operator,
                    .actionId = s("a-1"), .kind = ActionKind::Cleanup, .target = s("host-a"), .dryRun = true,
                    .ok = true, .result = json(R"({"sessions":0,"rooms":3,"tickets":41})")},
         R"({"type":"audit_entry","id":"1712345678901-0","time":1712345678901,"actor":"ops-1","role":"operator",)"
         R"("action_id":"a-1","kind":"cleanup","target":"host-a","params":{},"dry_run":true,"ok":true,)"
         R"("result":{"sessions":0,"rooms":3,"tickets":41}})"},
        {"audit_entry failed",
         AuditEntry{.id = s("1712345678902-0"), .time = 1712345678902, .actor = s("ops-2"), .role = Role::Operator,
                    .actionId = s("a-9"), .kind = ActionKind::DrainInstance, .ok = false,
                    .error = ErrorInfo{ErrorCode::Forbidden, s("viewer token")}},
         R"({"type":"audit_entry","id":"1712345678902-0","time":1712345678902,"actor":"ops-2","role":"operator",)"
         R"("action_id":"a-9","kind":"drain_instance","params":{},"dry_run":false,"ok":false,"result":{},)"
         R"("error":{"code":"forbidden","message":"viewer token"}})"},
        {"query_result",
         QueryResult{.kind = QueryKind::Rooms, .target = s("host-b"), .ok = true, .result = json(R"({"rooms":[]})"), .rid = 4},
         R"({"type":"query_result","rid":4,"kind":"rooms","target":"host-b","ok":true,"result":{"rooms":[]}})"},
        {"query_result failed",
         QueryResult{.kind = QueryKind::Snapshot, .target = s("host-z"), .ok = false,
                     .error = ErrorInfo{ErrorCode::NotFound, s("no instance host-z")}},
         R"({"type":"query_result","kind":"snapshot","target":"host-z","ok":false,"result":{},)"
         R"("error":{"code":"not_found","message":"no instance host-z"}})"},
        {"error", ErrorMessage{.code = ErrorCode::Unauthorized, .message = s("bad token"), .rid = 1},
         R"({"type":"error","rid":1,"code":"unauthorized","message":"bad token"})"},
    };
}

} // namespace

class TestAdminCodec : public QObject
{
    Q_OBJECT

private slots:
    void clientRoundTrip_data();
    void clientRoundTrip();
    void serverRoundTrip_data();
    void serverRoundTrip();
    void everyTypeHasASample();
    void enumNames();
    void errors_data();
    void errors();
};

void TestAdminCodec::clientRoundTrip_data()
{
    QTest::addColumn<AdminClientMessage>("message");
    QTest::addColumn<QByteArray>("wire");
    for (const auto &sample : clientSamples())
        QTest::newRow(sample.name) << sample.message << sample.wire;
}

void TestAdminCodec::clientRoundTrip()
{
    QFETCH(AdminClientMessage, message);
    QFETCH(QByteArray, wire);
    QCOMPARE(encode(message), wire);
    const auto decoded = decodeAdminClientMessage(wire);
    QVERIFY2(decoded.ok(), qPrintable(decoded.ok() ? QString() : decoded.error().toString()));
    QVERIFY(decoded.value() == message);
    QCOMPARE(encode(decoded.value()), wire);
}

void TestAdminCodec::serverRoundTrip_data()
{
    QTest::addColumn<AdminServerMessage>("message");
    QTest::addColumn<QByteArray>("wire");
    for (const auto &sample : serverSamples())
        QTest::newRow(sample.name) << sample.message << sample.wire;
}

void TestAdminCodec::serverRoundTrip()
{
    QFETCH(AdminServerMessage, message);
    QFETCH(QByteArray, wire);
    QCOMPARE(encode(message), wire);
    for (const DecodeLimits &limits : {DecodeLimits{}, DecodeLimits::trusted()}) {
        const auto decoded = decodeAdminServerMessage(wire, limits);
        QVERIFY2(decoded.ok(), qPrintable(decoded.ok() ? QString() : decoded.error().toString()));
        QVERIFY(decoded.value() == message);
        QCOMPARE(encode(decoded.value()), wire);
    }
}

void TestAdminCodec::everyTypeHasASample()
{
    QSet<std::size_t> client;
    for (const auto &sample : clientSamples())
        client.insert(sample.message.index());
    QCOMPARE(client.size(), qsizetype(std::variant_size_v<AdminClientMessage>));
    QSet<std::size_t> server;
    for (const auto &sample : serverSamples())
        server.insert(sample.message.index());
    QCOMPARE(server.size(), qsizetype(std::variant_size_v<AdminServerMessage>));

    QSet<ActionKind> kinds;
    for (const auto &sample : clientSamples()) {
        if (const auto *action = std::get_if<Action>(&sample.message))
            kinds.insert(action->kind);
    }
    QCOMPARE(kinds.size(), 6);
}

void TestAdminCodec::enumNames()
{
    for (const Role role : {Role::Viewer, Role::Operator})
        QCOMPARE(roleFromName(QByteArrayView(roleName(role).data(), roleName(role).size())), std::optional<Role>(role));
    for (const ActionKind kind : {ActionKind::Cleanup, ActionKind::ScaleWorkers, ActionKind::RestartWorker,
                                  ActionKind::DrainWorker, ActionKind::DrainInstance, ActionKind::DisposeRoom}) {
        const QLatin1StringView name = actionKindName(kind);
        QVERIFY(!name.isEmpty());
        QCOMPARE(actionKindFromName(QByteArrayView(name.data(), name.size())), std::optional<ActionKind>(kind));
    }
    for (const InstanceState state : {InstanceState::Up, InstanceState::Draining, InstanceState::Down}) {
        const QLatin1StringView name = instanceStateName(state);
        QCOMPARE(instanceStateFromName(QByteArrayView(name.data(), name.size())), std::optional<InstanceState>(state));
    }
    for (const QueryKind kind : {QueryKind::Rooms, QueryKind::Audit, QueryKind::Snapshot}) {
        const QLatin1StringView name = queryKindName(kind);
        QVERIFY(!name.isEmpty());
        QCOMPARE(queryKindFromName(QByteArrayView(name.data(), name.size())), std::optional<QueryKind>(kind));
    }
    QCOMPARE(queryKindFromName("workers"), std::nullopt);
    QCOMPARE(roleFromName("admin"), std::nullopt);
    QCOMPARE(actionKindFromName("Cleanup"), std::nullopt);
    QCOMPARE(instanceStateFromName(""), std::nullopt);
}

void TestAdminCodec::errors_data()
{
    QTest::addColumn<QByteArray>("wire");
    QTest::addColumn<bool>("fromServer");
    QTest::addColumn<DecodeErrorKind>("kind");
    QTest::addColumn<QString>("path");

    using K = DecodeErrorKind;
    QTest::newRow("player message to the agent") << QByteArray(R"({"type":"join","room_id":"r"})") << false
                                                 << K::UnknownType << s("type");
    QTest::newRow("agent message sent by a client") << QByteArray(R"({"type":"auth_ok","role":"viewer","instance":"h","protocol":1})")
                                                    << false << K::UnknownType << s("type");
    QTest::newRow("auth without token") << QByteArray(R"({"type":"auth","rid":1})") << false << K::MissingField << s("token");
    QTest::newRow("empty token") << QByteArray(R"({"type":"auth","token":""})") << false << K::InvalidValue << s("token");
    QTest::newRow("unknown action kind") << QByteArray(R"({"type":"action","id":"a","kind":"reboot"})") << false
                                         << K::InvalidValue << s("kind");
    QTest::newRow("action kind not a string") << QByteArray(R"({"type":"action","id":"a","kind":1})") << false
                                              << K::WrongType << s("kind");
    QTest::newRow("params not an object") << QByteArray(R"({"type":"action","id":"a","kind":"cleanup","params":[1]})")
                                          << false << K::WrongType << s("params");
    QTest::newRow("dry_run as string") << QByteArray(R"({"type":"action","id":"a","kind":"cleanup","dry_run":"true"})")
                                       << false << K::WrongType << s("dry_run");
    QTest::newRow("subscribe all with a list") << QByteArray(R"({"type":"subscribe","all":true,"instances":["h"]})")
                                               << false << K::InvalidValue << s("instances");
    QTest::newRow("subscribe with empty id") << QByteArray(R"({"type":"subscribe","instances":["h",""]})") << false
                                             << K::InvalidValue << s("instances[1]");
    QTest::newRow("subscribe instances not a list") << QByteArray(R"({"type":"subscribe","instances":"all"})") << false
                                                    << K::WrongType << s("instances");
    QTest::newRow("unknown query kind") << QByteArray(R"({"type":"query","kind":"sessions"})") << false
                                        << K::InvalidValue << s("kind");
    QTest::newRow("query without kind") << QByteArray(R"({"type":"query","target":"h"})") << false
                                        << K::MissingField << s("kind");
    QTest::newRow("query_result ok with error")
        << QByteArray(R"({"type":"query_result","kind":"rooms","ok":true,"error":{"code":"not_found","message":"x"}})")
        << true << K::InvalidValue << s("error");
    QTest::newRow("unknown role") << QByteArray(R"({"type":"auth_ok","role":"admin","instance":"h","protocol":1})") << true
                                  << K::InvalidValue << s("role");
    QTest::newRow("figures not an object") << QByteArray(R"({"type":"snapshot","instance":"h","time":1,"figures":null})")
                                           << true << K::WrongType << s("figures");
    QTest::newRow("unknown instance state")
        << QByteArray(R"({"type":"fleet","time":1,"instances":[{"id":"h","host":"x","state":"sideways","sessions":0,)"
                      R"("rooms":0,"matches":0,"workers":0,"last_seen":0}]})")
        << true << K::InvalidValue << s("instances[0].state");
    QTest::newRow("failed result without error") << QByteArray(R"({"type":"action_result","id":"a","ok":false})") << true
                                                 << K::MissingField << s("error");
    QTest::newRow("ok result with error")
        << QByteArray(R"({"type":"action_result","id":"a","ok":true,"error":{"code":"internal","message":"x"}})") << true
        << K::InvalidValue << s("error");
    QTest::newRow("nested error bad code")
        << QByteArray(R"({"type":"action_result","id":"a","ok":false,"error":{"code":"boom","message":"x"}})") << true
        << K::InvalidValue << s("error.code");
    QTest::newRow("audit entry time float")
        << QByteArray(R"({"type":"audit_entry","id":"1","time":1.5,"actor":"o","role":"operator","action_id":"a",)"
                      R"("kind":"cleanup","dry_run":false,"ok":true})")
        << true << K::WrongType << s("time");
}

void TestAdminCodec::errors()
{
    QFETCH(QByteArray, wire);
    QFETCH(bool, fromServer);
    QFETCH(DecodeErrorKind, kind);
    QFETCH(QString, path);

    DecodeError error;
    if (fromServer) {
        const auto decoded = decodeAdminServerMessage(wire, DecodeLimits{});
        QVERIFY(!decoded.ok());
        error = decoded.error();
    } else {
        const auto decoded = decodeAdminClientMessage(wire);
        QVERIFY(!decoded.ok());
        error = decoded.error();
    }
    QCOMPARE(decodeErrorKindName(error.kind), decodeErrorKindName(kind));
    QCOMPARE(error.path, path);
}

QTEST_GUILESS_MAIN(TestAdminCodec)
#include "tst_admincodec.moc"
