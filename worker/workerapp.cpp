#include "worker/workerapp.h"

#include "server/workers/workerprotocol.h"
#include "shared/ipc/ipcchannel.h"
#include "shared/protocol/errorcode.h"
#include "worker/workerlog.h"
#include "worker/workermatch.h"

#include <QCborArray>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QLocalSocket>

#include <algorithm>

Q_LOGGING_CATEGORY(lcWorker, "arena.worker")

namespace arena {

namespace wp = workerproto;

namespace {

RoomMember memberOf(const QCborMap &message)
{
    return RoomMember{message.value(wp::Session).toString(), message.value(wp::Player).toString()};
}

QCborMap typed(QLatin1StringView type)
{
    QCborMap map;
    map[wp::Type] = type;
    return map;
}

Result<protocol::RawJson> jsonOf(const QCborValue &value)
{
    auto parsed = protocol::RawJson::parse(value.toByteArray(), protocol::DecodeLimits::trusted());
    if (!parsed.ok())
        return protocol::toError(protocol::ErrorCode::BadRequest, parsed.error().toString());
    return parsed.value();
}

} // namespace

WorkerApp::WorkerApp(QObject *parent) : QObject(parent) {}

WorkerApp::~WorkerApp()
{
    m_matches.clear();
}

Result<void> WorkerApp::init(const WorkerOptions &options, int connectTimeoutMs)
{
    m_options = options;
    if (auto r = registerBuiltinRoomTypes(m_types); !r.ok())
        return r;
    if (options.testRoomTypes) {
        if (auto r = registerTestRoomTypes(m_types); !r.ok())
            return r;
    }
    auto *socket = new QLocalSocket(this);
    socket->connectToServer(options.socketName);
    if (!socket->waitForConnected(connectTimeoutMs)) {
        const QString reason = socket->errorString();
        delete socket;
        return Error{QStringLiteral("connect_failed"),
                     QStringLiteral("cannot connect to the server at %1: %2").arg(options.socketName, reason)};
    }
    m_channel = new ipc::IpcChannel(socket, this);
    connect(m_channel, &ipc::IpcChannel::messageReceived, this, &WorkerApp::onMessage);
    connect(m_channel, &ipc::IpcChannel::protocolError, this, [](const QString &reason) {
        qCCritical(lcWorker) << "bad frame from the server:" << reason;
    });
    connect(m_channel, &ipc::IpcChannel::disconnected, this, [this] {
        qCInfo(lcWorker) << "the server closed the connection; exiting";
        emit finished(0);
    });
    QCborMap hello = typed(wp::type::Hello);
    hello[wp::WorkerId] = options.workerId;
    hello[wp::Pid] = QCoreApplication::applicationPid();
    send(hello);
    return {};
}

void WorkerApp::send(const QCborMap &message)
{
    if (m_channel)
        m_channel->send(message);
}

WorkerMatch *WorkerApp::match(const QCborMap &message) const
{
    const auto it = m_matches.find(message.value(wp::Match).toString());
    return it == m_matches.end() ? nullptr : it->second.get();
}

void WorkerApp::onMessage(const QCborMap &message)
{
    const QString type = message.value(wp::Type).toString();
    if (type == wp::type::Ping) {
        pong(message);
    } else if (type == wp::type::Open) {
        open(message);
    } else if (type == wp::type::Msg) {
        WorkerMatch *m = match(message);
        if (!m) {
            replyTo(message, protocol::toError(protocol::ErrorCode::NotFound, QStringLiteral("the match is over")));
            return;
        }
        const auto data = jsonOf(message.value(wp::Data));
        replyTo(message, data.ok() ? m->message(memberOf(message), data.value()) : Result<void>(data.error()));
    } else if (type == wp::type::Join) {
        WorkerMatch *m = match(message);
        if (!m)
            return;
        if (const auto joined = m->join(memberOf(message)); !joined.ok()) {
            QCborMap kick = typed(wp::type::Kick);
            kick[wp::Match] = message.value(wp::Match);
            kick[wp::Session] = message.value(wp::Session);
            kick[wp::Code] = joined.error().code;
            kick[wp::Message] = joined.error().message;
            send(kick);
        }
    } else if (type == wp::type::Leave) {
        if (WorkerMatch *m = match(message))
            m->leave(memberOf(message), message.value(wp::Reason).toString());
    } else if (type == wp::type::Close) {
        const auto it = m_matches.find(message.value(wp::Match).toString());
        if (it != m_matches.end()) {
            it->second->close();
            m_matches.erase(it);
        }
    } else if (type == wp::type::Export) {
        const auto it = m_matches.find(message.value(wp::Match).toString());
        if (it == m_matches.end())
            return;
        QCborMap exported = typed(wp::type::Exported);
        exported[wp::Match] = it->first;
        exported[wp::Snapshot] = it->second->detach().json();
        m_matches.erase(it);
        send(exported);
    } else if (type == wp::type::Stop) {
        qCInfo(lcWorker) << "stopping on the server's request with" << m_matches.size() << "matches";
        emit finished(0);
    } else {
        qCWarning(lcWorker) << "ignoring an unknown message type from the server:" << type;
    }
}

void WorkerApp::open(const QCborMap &message)
{
    const QString id = message.value(wp::Match).toString();
    const auto fail = [this, &id](const Error &error) {
        QCborMap failed = typed(wp::type::OpenFailed);
        failed[wp::Match] = id;
        failed[wp::Code] = error.code;
        failed[wp::Message] = error.message;
        send(failed);
    };
    const RoomTypeInfo *type = m_types.find(message.value(wp::RoomType).toString());
    if (!type) {
        fail(protocol::toError(protocol::ErrorCode::NotFound, QStringLiteral("this worker has no room type \"%1\"")
                                                                  .arg(message.value(wp::RoomType).toString())));
        return;
    }
    if (m_matches.count(id)) {
        fail(protocol::toError(protocol::ErrorCode::Conflict, QStringLiteral("match %1 is already here").arg(id)));
        return;
    }
    auto match = std::make_unique<WorkerMatch>(
        id, *type, quint32(message.value(wp::MaxClients).toInteger()), type->create(),
        [this](const QCborMap &frame) { send(frame); },
        [this](qint64 lagUs) {
            ++m_ticks;
            m_tickLagsUs.push_back(lagUs);
        });
    Result<void> started;
    if (message.contains(wp::Snapshot)) {
        QList<RoomMember> members;
        for (const QCborValue &pair : message.value(wp::Members).toArray())
            members.append(RoomMember{pair.toArray().at(0).toString(), pair.toArray().at(1).toString()});
        const auto snapshot = jsonOf(message.value(wp::Snapshot));
        started = snapshot.ok() ? match->restore(members, snapshot.value()) : Result<void>(snapshot.error());
    } else {
        const QJsonObject options = QJsonDocument::fromJson(message.value(wp::Options).toByteArray()).object();
        started = match->create(options);
    }
    if (!started.ok()) {
        fail(started.error());
        return;
    }
    m_matches.emplace(id, std::move(match));
    QCborMap opened = typed(wp::type::Opened);
    opened[wp::Match] = id;
    send(opened);
}

void WorkerApp::replyTo(const QCborMap &message, const Result<void> &result)
{
    QCborMap reply = typed(wp::type::Reply);
    reply[wp::Match] = message.value(wp::Match);
    reply[wp::Request] = message.value(wp::Request);
    if (!result.ok()) {
        reply[wp::Code] = result.error().code;
        reply[wp::Message] = result.error().message;
    }
    send(reply);
}

void WorkerApp::pong(const QCborMap &message)
{
    QCborMap pong = typed(wp::type::Pong);
    pong[wp::Number] = message.value(wp::Number);
    pong[wp::MatchCount] = qint64(m_matches.size());
    pong[wp::Ticks] = qint64(m_ticks);
    qint64 p99 = 0;
    qint64 max = 0;
    if (!m_tickLagsUs.empty()) {
        const auto rank = m_tickLagsUs.begin() + qsizetype(double(m_tickLagsUs.size() - 1) * 0.99);
        std::nth_element(m_tickLagsUs.begin(), rank, m_tickLagsUs.end());
        p99 = *rank;
        max = *std::max_element(m_tickLagsUs.begin(), m_tickLagsUs.end());
    }
    pong[wp::LagP99Us] = p99;
    pong[wp::LagMaxUs] = max;
    m_tickLagsUs.clear();
    m_ticks = 0;
    send(pong);
}

} // namespace arena
