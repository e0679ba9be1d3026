#include "server/workers/remoteroom.h"

#include "server/hosting/liveroom.h"
#include "server/workers/workerpool.h"
#include "server/workers/workerprotocol.h"
#include "shared/protocol/codec.h"
#include "shared/protocol/errorcode.h"

#include <QJsonDocument>

namespace arena {

namespace wp = workerproto;
using protocol::ErrorCode;

RemoteRoom::RemoteRoom(WorkerPool &pool, const RoomTypeInfo &type) : m_pool(pool), m_type(type) {}

RemoteRoom::~RemoteRoom()
{
    // Replies still owed are dropped: their players were told the room is gone (`left`).
    if (!m_closed && m_room)
        m_pool.closeMatch(*this, QStringLiteral("disposed"));
}

void RemoteRoom::bind(LiveRoom &room, Kick kick)
{
    m_room = &room;
    m_kick = std::move(kick);
}

QString RemoteRoom::id() const
{
    return m_room ? m_room->roomId() : QString();
}

QList<RoomMember> RemoteRoom::members() const
{
    return m_room ? m_room->members() : QList<RoomMember>();
}

quint32 RemoteRoom::maxClients() const
{
    return m_room ? m_room->maxClients() : 0;
}

Result<void> RemoteRoom::onCreate(RoomContext &context, const QJsonObject &options)
{
    Q_UNUSED(context);
    // Refuse bad options now, not after a round trip to a worker.
    if (m_type.validateOptions) {
        if (auto valid = m_type.validateOptions(options, maxClients()); !valid.ok())
            return valid;
    }
    return m_pool.openMatch(*this, &options, nullptr);
}

Result<void> RemoteRoom::restore(RoomContext &context, const protocol::RawJson &snapshot)
{
    Q_UNUSED(context);
    if (snapshot.isNull())
        return protocol::toError(ErrorCode::Unavailable, QStringLiteral("the match left no snapshot"));
    return m_pool.openMatch(*this, nullptr, &snapshot.json());
}

void RemoteRoom::command(QCborMap frame)
{
    frame[wp::Match] = id();
    if (m_hosted)
        m_pool.sendToMatch(*this, frame);
    else
        m_waiting.append(frame);
}

void RemoteRoom::onJoined(RoomContext &context, const RoomMember &member)
{
    Q_UNUSED(context);
    QCborMap frame{{wp::Type, wp::type::Join}, {wp::Session, member.sessionId}, {wp::Player, member.playerId}};
    command(frame);
}

void RemoteRoom::onLeave(RoomContext &context, const RoomMember &member, const QString &reason)
{
    Q_UNUSED(context);
    QCborMap frame{{wp::Type, wp::type::Leave},
                   {wp::Session, member.sessionId},
                   {wp::Player, member.playerId},
                   {wp::Reason, reason}};
    command(frame);
}

Result<void> RemoteRoom::onMessage(RoomContext &context, const RoomMember &from, const protocol::RawJson &data)
{
    // The room manager calls message() for remote rooms; this synchronous path is not taken.
    Q_UNUSED(context);
    message(from, data, [](Result<void>) {});
    return {};
}

void RemoteRoom::message(const RoomMember &from, const protocol::RawJson &data, std::function<void(Result<void>)> done)
{
    const qint64 request = m_nextRequest++;
    m_replies.insert(request, std::move(done));
    QCborMap frame{{wp::Type, wp::type::Msg},
                   {wp::Session, from.sessionId},
                   {wp::Player, from.playerId},
                   {wp::Data, data.json()},
                   {wp::Request, request}};
    command(frame);
}

void RemoteRoom::onDispose(RoomContext &context)
{
    Q_UNUSED(context);
    if (m_closed)
        return;
    m_closed = true;
    m_pool.closeMatch(*this, QStringLiteral("disposed"));
}

void RemoteRoom::handOver()
{
    if (m_closed || !m_room)
        return;
    m_closed = true;
    m_pool.closeMatch(*this, QStringLiteral("handed over"), true);
}

void RemoteRoom::hostedOn(WorkerHandle *worker)
{
    m_worker = worker;
    m_hosted = true;
    const QList<QCborMap> waiting = std::exchange(m_waiting, {});
    for (const QCborMap &frame : waiting)
        m_pool.sendToMatch(*this, frame);
}

void RemoteRoom::unhosted(const QString &why, bool failPending)
{
    m_hosted = false;
    m_worker = nullptr;
    if (!failPending)
        return;
    const auto replies = std::exchange(m_replies, {});
    for (const auto &done : replies)
        done(protocol::toError(ErrorCode::Unavailable, why));
}

void RemoteRoom::handleFrame(const QCborMap &frame)
{
    if (!m_room || m_closed)
        return;
    const QString type = frame.value(wp::Type).toString();
    const auto json = [&frame]() {
        auto parsed = protocol::RawJson::parse(frame.value(wp::Data).toByteArray(), protocol::DecodeLimits::trusted());
        return parsed.ok() ? parsed.value() : protocol::RawJson();
    };
    if (type == wp::type::Reply) {
        const auto done = m_replies.take(frame.value(wp::Request).toInteger());
        if (!done)
            return;
        if (frame.contains(wp::Code))
            done(Error{frame.value(wp::Code).toString(), frame.value(wp::Message).toString()});
        else
            done({});
    } else if (type == wp::type::Broadcast) {
        m_room->broadcast(json(), frame.value(wp::From).toString());
    } else if (type == wp::type::Send) {
        m_room->send(frame.value(wp::Session).toString(), json());
    } else if (type == wp::type::State) {
        m_state = json();
        m_room->setState(m_state);
    } else if (type == wp::type::Meta) {
        m_room->setMetadata(QJsonDocument::fromJson(frame.value(wp::Data).toByteArray()).object());
    } else if (type == wp::type::Lock) {
        m_room->setLocked(frame.value(wp::Value).toBool());
    } else if (type == wp::type::Snap) {
        m_snapshot = frame.value(wp::Data).toByteArray();
        m_pool.storeSnapshot(*this, m_snapshot);
    } else if (type == wp::type::Kick) {
        if (m_kick)
            m_kick(frame.value(wp::Session).toString(),
                   Error{frame.value(wp::Code).toString(), frame.value(wp::Message).toString()});
    } else if (type == wp::type::Dispose) {
        m_room->dispose(frame.value(wp::Reason).toString());
    }
}

void RemoteRoom::endMatch(const QString &reason)
{
    if (m_room && !m_closed)
        m_room->dispose(reason);
}

void RemoteRoom::announceRestored()
{
    if (!m_room || m_closed)
        return;
    protocol::MatchRestored restored;
    restored.roomId = id();
    restored.matchId = m_room->metadata().value(QStringLiteral("match_id")).toString(id());
    m_room->sendToMembers(protocol::encode(restored));
}

} // namespace arena
