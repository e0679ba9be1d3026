#include "server/rooms/blockroom.h"

#include "server/rooms/roomslog.h"
#include "shared/protocol/errorcode.h"

#include <QElapsedTimer>
#include <QJsonValue>

#include <cmath>
#include <thread>

namespace arena {

namespace {

using protocol::ErrorCode;

Error refuse(const QString &message)
{
    return protocol::toError(ErrorCode::BadRequest, message);
}

} // namespace

RoomTypeInfo BlockRoom::typeInfo()
{
    RoomTypeInfo info;
    info.name = QStringLiteral("block");
    info.description = QStringLiteral("Test only: blocks its worker on request, for watchdog tests");
    info.defaultMaxClients = DefaultMaxClients;
    info.maxMaxClients = MaxMaxClients;
    info.autoDispose = true;
    info.watchesRoomList = false;
    // The point of the type: blocking a worker, never the server.
    info.runsInWorker = true;
    info.create = [] { return std::make_unique<BlockRoom>(); };
    return info;
}

Result<void> BlockRoom::onMessage(RoomContext &context, const RoomMember &from, const protocol::RawJson &data)
{
    const QJsonObject object = data.toJsonObject();
    const QJsonValue action = object.value(QLatin1String("action"));
    if (!data.isObject() || !action.isString())
        return refuse(QStringLiteral("block room messages are {\"action\":\"block\",\"ms\":N} or "
                                     "{\"action\":\"echo\"}"));

    if (action.toString() == QLatin1String("echo")) {
        context.broadcast(data, from.sessionId);
        return {};
    }
    if (action.toString() != QLatin1String("block"))
        return refuse(QStringLiteral("unknown block room action \"%1\": use block or echo").arg(action.toString()));

    const Result<std::chrono::milliseconds> requested = blockDuration(object);
    if (!requested)
        return requested.error();
    const std::chrono::milliseconds duration = *requested;

    qCInfo(lcRooms) << "block room" << context.roomId() << "blocks its thread for" << duration.count()
                    << "ms on request of" << from.sessionId;
    busyWait(duration);
    context.send(from.sessionId, protocol::RawJson::fromJsonObject(QJsonObject{
                                     {QStringLiteral("kind"), QStringLiteral("blocked")},
                                     {QStringLiteral("ms"), qint64(duration.count())},
                                 }));
    return {};
}

Result<void> BlockRoom::restore(RoomContext &context, const protocol::RawJson &snapshot)
{
    Q_UNUSED(context);
    if (!snapshot.isNull())
        return refuse(QStringLiteral("a block room keeps no state: its snapshot is null"));
    return {};
}

Result<std::chrono::milliseconds> BlockRoom::blockDuration(const QJsonObject &message)
{
    const QJsonValue value = message.value(QLatin1String("ms"));
    const double ms = value.toDouble(-1);
    if (!value.isDouble() || ms != std::floor(ms) || ms < 0)
        return refuse(QStringLiteral("block needs \"ms\": a whole number of milliseconds, 0 or more"));
    if (ms > double(MaxBlock.count()))
        return MaxBlock;
    return std::chrono::milliseconds(qint64(ms));
}

void BlockRoom::busyWait(std::chrono::milliseconds duration)
{
    QElapsedTimer elapsed;
    elapsed.start();
    // yield() lets other threads of the machine run; this thread still never returns to its event loop,
    // which is what a watchdog has to notice.
    while (!elapsed.hasExpired(duration.count()))
        std::this_thread::yield();
}

} // namespace arena
