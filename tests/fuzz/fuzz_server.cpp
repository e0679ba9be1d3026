// fuzz_server: libFuzzer target over the whole player message path, in-process: PlayerConnection
// (rate limit, decoding, outbound bound) over in-memory transports, SessionManager (hello, resume,
// ping, duplicate players), PlayerService's dispatch, rooms and matchmaking on a MemoryStore.
//
// One input is a script of lines ('\n'-separated) played by up to three clients a, b and c:
//   a<text>   client a sends <text> as one text message (opening a connection first if it has none)
//   !ba<data> client a sends <data> as one binary message
//   !ca !ga !ka  client a closes with 1000 / 1001 / 4000;  !da  client a drops (no close frame)
//   !sa !ra   client a stops / resumes reading (while stopped, what the server sends piles up)
//   !m        one matchmaking pass;  !e  one cleanup pass (expired sessions, empty rooms, stale tickets)
//   !t        a minute passes: every waiting room timer (duel turns, disposal) fires, and the
//             matchmaker's clock moves on (windows widen, tickets go stale after two)
// Any other first byte picks a client by its value and sends the rest of the line as text. In text,
// $T, $S and $R stand for the client's last resume token and session id and the last room id any
// client heard of, so resumes, joins by id and matches can happen.
//
// Checked after every line: every server message decodes strictly; sessions and rooms agree on
// membership; no connection the server closed outlives its close timeout (zero here). Checked after
// every input, once every client has closed and a cleanup pass ran: no session, pending connection or
// room is left, and the store holds no session, room or ticket keys. Any violation prints what broke
// and aborts. With ARENA_FUZZ_TRACE=1 in the environment every message either way is printed, to
// follow a reproducer.
#include "server/gateway/clienttransport.h"
#include "server/gateway/playerconnection.h"
#include "server/hosting/roommanager.h"
#include "server/matchmaking/matchmaker.h"
#include "server/playerservice.h"
#include "server/rooms/roomtyperegistry.h"
#include "server/sessions/sessionmanager.h"
#include "shared/core/metricsregistry.h"
#include "shared/core/taskregistry.h"
#include "shared/protocol/codec.h"
#include "shared/store/memorystore.h"

#include <QCoreApplication>
#include <QDateTime>
#include <QLoggingCategory>
#include <QStringDecoder>
#include <QTimer>

#include <array>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <vector>

using namespace arena;

namespace {

constexpr int Clients = 3;

[[noreturn]] void die(const char *what, const QString &detail = QString())
{
    std::fprintf(stderr, "fuzz_server: %s\n  %s\n", what, detail.toUtf8().constData());
    std::abort();
}

ConnectionLimits fuzzLimits()
{
    ConnectionLimits limits;
    limits.maxMessageBytes = 2048; // small, so oversized messages (close 1009) are reachable
    limits.messagesPerSecond = 20;
    limits.messageBurst = 16;      // a long script runs into the rate limit
    limits.maxOutboundBytes = 4096; // a client that stops reading is cut off after a few messages
    limits.closeTimeout = std::chrono::milliseconds(0); // fires in the next drain()
    return limits;
}

void traceLine(int client, const char *direction, const QByteArray &text);

// The client's end of one in-memory connection, shared with the transport the server owns.
struct Pipe
{
    int client = 0;
    PlayerConnection *connection = nullptr; // null once the transport is destroyed
    bool open = true;
    bool reading = true;
    qint64 backlog = 0;
    bool closeReported = false;
    // A close the server started while the client was not reading: the socket reports it once the
    // backlog is gone (the client reads again) or the connection drops.
    std::optional<quint16> pendingClose;
    QString pendingReason;

    void report(quint16 code, const QString &reason)
    {
        if (closeReported || !connection)
            return;
        closeReported = true;
        traceLine(client, "closed", QByteArray::number(code) + ' ' + reason.toUtf8());
        open = false;
        backlog = 0;
        connection->transportClosed(code, reason);
    }
};

void observe(int client, const QByteArray &text);

// Behaves as WebSocketTransport does over a QWebSocket: a close or abort is reported at once (Qt
// flushes and closes the socket inside close()) unless unread data holds the socket open.
class MemoryTransport final : public ClientTransport
{
public:
    explicit MemoryTransport(std::shared_ptr<Pipe> pipe) : m_pipe(std::move(pipe)) {}
    ~MemoryTransport() override { m_pipe->connection = nullptr; }

    void attach(PlayerConnection &connection) override { m_pipe->connection = &connection; }
    void sendText(const QByteArray &utf8) override
    {
        if (!m_pipe->open)
            return;
        observe(m_pipe->client, utf8);
        if (!m_pipe->reading)
            m_pipe->backlog += utf8.size();
    }
    void close(quint16 code, const QString &reason) override
    {
        if (!m_pipe->open)
            return;
        m_pipe->open = false;
        if (m_pipe->backlog > 0) {
            m_pipe->pendingClose = code;
            m_pipe->pendingReason = reason;
            return;
        }
        m_pipe->report(code, reason);
    }
    void abort() override
    {
        m_pipe->open = false;
        m_pipe->report(m_pipe->pendingClose.value_or(1006), m_pipe->pendingReason);
    }
    qint64 backlogBytes() const override { return m_pipe->backlog; }
    bool isOpen() const override { return m_pipe->open; }
    QString peer() const override { return QStringLiteral("memory:%1").arg(m_pipe->client); }

private:
    std::shared_ptr<Pipe> m_pipe;
};

struct Client
{
    std::shared_ptr<Pipe> pipe;
    QByteArray sessionId;
    QByteArray resumeToken;
};

struct Harness
{
    MemoryStore *store = nullptr;
    TaskRegistry *tasks = nullptr;
    MetricsRegistry *metrics = nullptr;
    RoomTypeRegistry *types = nullptr;
    PlayerService *service = nullptr;
    QObject *connections = nullptr; // parent of every PlayerConnection, as the gateway is
    std::array<Client, Clients> clients;
    // Every connection of this input, including ones a client left behind: a connection the server
    // is closing while its client does not read stays open until the client goes away.
    std::vector<std::shared_ptr<Pipe>> pipes;
    QByteArray lastRoom;
    qint64 clockMs = 0; // the matchmaker's clock, moved on by "!t" only
};

Harness *harness = nullptr;
bool trace = false;

void traceLine(int client, const char *direction, const QByteArray &text)
{
    if (trace)
        std::fprintf(stderr, "%c %s %.*s\n", 'a' + client, direction, int(text.size()), text.constData());
}

void observe(int client, const QByteArray &text)
{
    // What the server sends must decode, unknown fields included, under limits a client can set.
    protocol::DecodeLimits strict = protocol::DecodeLimits::trusted();
    strict.unknownFields = protocol::UnknownFields::Reject;
    traceLine(client, "<-", text);
    const auto decoded = protocol::decodeServerMessage(text, strict);
    if (!decoded.ok())
        die("the server sent a message that does not decode",
            QString::fromUtf8(text) + QStringLiteral("\n  ") + decoded.error().toString());
    Client &c = harness->clients[size_t(client)];
    const protocol::ServerMessage &m = decoded.value();
    if (const auto *welcome = std::get_if<protocol::Welcome>(&m)) {
        c.sessionId = welcome->sessionId.toUtf8();
        c.resumeToken = welcome->resumeToken.toUtf8();
    } else if (const auto *joined = std::get_if<protocol::Joined>(&m)) {
        harness->lastRoom = joined->roomId.toUtf8();
    } else if (const auto *found = std::get_if<protocol::MatchFound>(&m)) {
        harness->lastRoom = found->roomId.toUtf8();
    } else if (const auto *list = std::get_if<protocol::RoomList>(&m)) {
        if (!list->rooms.isEmpty())
            harness->lastRoom = list->rooms.constFirst().roomId.toUtf8();
    }
}

// Posted events (store replies, queued calls) and deleteLater()s; several rounds, since one reply
// often starts the next store call.
void drain()
{
    for (int i = 0; i < 6; ++i) {
        QCoreApplication::processEvents(QEventLoop::AllEvents);
        QCoreApplication::sendPostedEvents(nullptr, QEvent::DeferredDelete);
    }
}

Client &clientAt(char c)
{
    return harness->clients[size_t(static_cast<unsigned char>(c) - 'a') % Clients];
}

bool isOpen(const Client &c)
{
    return c.pipe && c.pipe->open && c.pipe->connection;
}

void connectClient(Client &c)
{
    const int index = int(&c - harness->clients.data());
    c.pipe = std::make_shared<Pipe>();
    c.pipe->client = index;
    harness->pipes.push_back(c.pipe);
    auto *connection = new PlayerConnection(std::make_unique<MemoryTransport>(c.pipe), fuzzLimits(),
                                            harness->connections);
    harness->service->adopt(connection);
}

QByteArray substitute(const Client &c, QByteArray text)
{
    if (!text.contains('$'))
        return text;
    text.replace("$T", c.resumeToken);
    text.replace("$S", c.sessionId);
    text.replace("$R", harness->lastRoom);
    return text;
}

// Qt refuses what a QWebSocket would refuse before the server sees it: oversized messages (1009)
// and text frames that are not UTF-8 (1007).
void deliver(Client &c, const QByteArray &payload, bool binary)
{
    if (!isOpen(c))
        connectClient(c);
    if (!isOpen(c))
        return; // refused at once (server busy)
    Pipe &pipe = *c.pipe;
    traceLine(pipe.client, binary ? "-> (binary)" : "->", payload);
    if (payload.size() > fuzzLimits().maxMessageBytes) {
        pipe.report(1009, QStringLiteral("message too big"));
        return;
    }
    if (binary) {
        pipe.connection->receiveBinary(payload);
        return;
    }
    QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
    const QString text = decoder.decode(payload);
    if (decoder.hasError()) {
        pipe.report(1007, QStringLiteral("invalid UTF-8"));
        return;
    }
    pipe.connection->receiveText(text);
}

void closeFromClient(Client &c, quint16 code)
{
    if (!c.pipe || !c.pipe->open)
        return;
    traceLine(c.pipe->client, "-> close", QByteArray::number(code));
    c.pipe->report(code, QString());
}

void drop(Pipe &pipe)
{
    if (!pipe.connection || pipe.closeReported)
        return;
    traceLine(pipe.client, "-> drop", QByteArray());
    pipe.report(pipe.pendingClose.value_or(1006), pipe.pendingReason);
}

void dropClient(Client &c)
{
    if (c.pipe)
        drop(*c.pipe);
}

void sweep()
{
    // The cleanup sweep's kinds (ServerApp::registerCleanupKinds), with no waiting for sessions and
    // rooms: resumeGrace is zero here, and a room nobody is in is stale.
    harness->service->sessions().expireIdle(false);
    for (LiveRoom *room : harness->service->rooms().rooms()) {
        if (room->emptySince() > 0)
            harness->service->rooms().dispose(room->roomId(), QStringLiteral("disposed"));
    }
    harness->service->matchmaker().removeStale(false, harness->connections, nullptr);
}

void timePasses()
{
    harness->clockMs += 60000;
    for (LiveRoom *room : harness->service->rooms().rooms()) {
        for (QTimer *timer : room->findChildren<QTimer *>()) {
            if (timer->isActive() && timer->isSingleShot())
                timer->start(0);
        }
    }
}

void checkMembership()
{
    SessionManager &sessions = harness->service->sessions();
    RoomManager &rooms = harness->service->rooms();
    for (Session *s : sessions.sessions()) {
        for (const QString &id : std::as_const(s->rooms)) {
            LiveRoom *room = rooms.find(id);
            if (!room || room->isDisposed() || !room->hasMember(s->id))
                die("a session lists a room it is not a member of", s->id + QStringLiteral(" in ") + id);
        }
    }
    for (LiveRoom *room : rooms.rooms()) {
        for (const RoomMember &m : room->members()) {
            Session *s = sessions.find(m.sessionId);
            if (!s || !s->rooms.contains(room->roomId()))
                die("a room holds a member whose session does not list it", m.sessionId + QStringLiteral(" in ")
                                                                                     + room->roomId());
        }
    }
}

void checkClosing()
{
    for (const auto &pipe : harness->pipes) {
        if (pipe->connection && !pipe->open && !pipe->closeReported)
            die("a connection the server closed is still open after its close timeout",
                QStringLiteral("client %1, close code %2").arg(pipe->client).arg(pipe->pendingClose.value_or(0)));
    }
}

void step(const QByteArray &line)
{
    if (line.isEmpty())
        return;
    if (line.at(0) != '!') {
        Client &c = clientAt(line.at(0));
        deliver(c, substitute(c, line.mid(1)), false);
    } else if (line.size() >= 2) {
        const char op = line.at(1);
        Client &c = clientAt(line.size() >= 3 ? line.at(2) : 'a');
        switch (op) {
        case 'b': deliver(c, line.mid(3), true); break;
        case 'c': closeFromClient(c, 1000); break;
        case 'g': closeFromClient(c, 1001); break;
        case 'k': closeFromClient(c, 4000); break;
        case 'd': dropClient(c); break;
        case 's':
            if (c.pipe)
                c.pipe->reading = false;
            break;
        case 'r':
            if (c.pipe) {
                c.pipe->reading = true;
                c.pipe->backlog = 0;
                if (const auto code = c.pipe->pendingClose)
                    c.pipe->report(*code, c.pipe->pendingReason);
            }
            break;
        case 'm': harness->service->matchmaker().runMatching(harness->connections, nullptr); break;
        case 'e': sweep(); break;
        case 't': timePasses(); break;
        default: break;
        }
    }
    drain();
    checkMembership();
    checkClosing();
}

void finishInput()
{
    for (Client &c : harness->clients)
        closeFromClient(c, 1000);
    // Then every connection goes away, those the server was closing while their client did not read too.
    for (const auto &pipe : harness->pipes)
        drop(*pipe);
    drain();
    sweep();
    drain();
    SessionManager &sessions = harness->service->sessions();
    RoomManager &rooms = harness->service->rooms();
    if (sessions.sessionCount() != 0 || sessions.pendingCount() != 0)
        die("sessions left after every client closed",
            QStringLiteral("%1 sessions, %2 awaiting hello").arg(sessions.sessionCount()).arg(sessions.pendingCount()));
    if (rooms.roomCount() != 0)
        die("rooms left after every session ended", QStringLiteral("%1 rooms").arg(rooms.roomCount()));
    // Everything but mm:queues (every queue tag ever used, bounded by room types and team sizes) is
    // per session, room or ticket, and must be gone.
    StateStore::Keys left = harness->store->data()->scan("*");
    left.removeAll(QByteArrayLiteral("mm:queues"));
    if (!left.isEmpty())
        die("store keys left after every session ended", QString::fromUtf8(left.join(' ')));
    for (Client &c : harness->clients)
        c = Client{};
    harness->pipes.clear();
    harness->lastRoom.clear();
}

} // namespace

extern "C" int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    trace = qEnvironmentVariableIntValue("ARENA_FUZZ_TRACE") != 0;
    // Info and debug lines of every rate-limited client would drown the fuzzer's own output.
    QLoggingCategory::setFilterRules(QStringLiteral("arena.*.info=false\narena.*.debug=false"));
    new QCoreApplication(*argc, *argv);
    harness = new Harness;
    harness->store = new MemoryStore;
    harness->tasks = new TaskRegistry;
    harness->metrics = new MetricsRegistry;
    harness->types = new RoomTypeRegistry;
    if (const auto r = registerBuiltinRoomTypes(*harness->types); !r.ok())
        die("room types", r.error().message);
    PlayerServiceSettings settings;
    settings.instanceId = QStringLiteral("fuzz");
    settings.sessions.sessionLimit = 3; // a client reconnecting beside two others meets server_busy
    settings.sessions.resumeGrace = std::chrono::milliseconds(0); // the sweep ends detached sessions
    settings.matchmaking.interval = std::chrono::milliseconds(0);  // passes run on "!m" only
    settings.matchmaking.roomTypes = harness->types->names();
    settings.matchmaking.maxWait = std::chrono::minutes(2);
    harness->service = new PlayerService(*harness->store, *harness->tasks, *harness->metrics, *harness->types,
                                         settings);
    harness->service->matchmaker().setClock([] { return harness->clockMs; });
    harness->clockMs = QDateTime::currentMSecsSinceEpoch();
    harness->connections = new QObject;
    return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const QByteArray input = QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size));
    qsizetype start = 0;
    int lines = 0;
    // Bounded, so one input cannot run for long.
    while (start <= input.size() && lines++ < 64) {
        qsizetype end = input.indexOf('\n', start);
        if (end < 0)
            end = input.size();
        step(QByteArray(input.constData() + start, end - start));
        start = end + 1;
    }
    finishInput();
    return 0;
}
