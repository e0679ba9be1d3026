#include "server/rooms/lobbyroom.h"

#include "server/rooms/roomslog.h"
#include "server/rooms/roomtyperegistry.h"
#include "shared/protocol/jsonwriter.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonValue>
#include <QList>

namespace arena {

namespace {

Error badRequest(const QString &message)
{
    return protocol::toError(protocol::ErrorCode::BadRequest, message);
}

} // namespace

RoomTypeInfo LobbyRoom::typeInfo()
{
    RoomTypeInfo info;
    info.name = QStringLiteral("lobby");
    info.description = QStringLiteral("Live listing of the server's rooms, with a per-member filter");
    info.defaultMaxClients = DefaultMaxClients;
    info.maxMaxClients = MaxMaxClients;
    // An empty lobby holds nothing worth keeping (filters belong to members), and join_or_create brings
    // a new one back at once; disposing it keeps "empty rooms go away" free of exceptions.
    info.autoDispose = true;
    info.watchesRoomList = true;
    info.create = [] { return std::make_unique<LobbyRoom>(); };
    return info;
}

void LobbyRoom::onJoined(RoomContext &context, const RoomMember &member)
{
    m_views.insert(member.sessionId, View{});
    sendListing(context, member.sessionId);
}

void LobbyRoom::onLeave(RoomContext &context, const RoomMember &member, const QString &reason)
{
    Q_UNUSED(context);
    Q_UNUSED(reason);
    m_views.remove(member.sessionId);
}

Result<void> LobbyRoom::onMessage(RoomContext &context, const RoomMember &from, const protocol::RawJson &data)
{
    if (!data.isObject())
        return badRequest(QStringLiteral("lobby messages are objects with an \"action\""));
    const QJsonObject message = data.toJsonObject();
    const QJsonValue action = message.value(QLatin1String("action"));
    if (!action.isString())
        return badRequest(QStringLiteral("lobby messages need a string \"action\": \"refresh\" or \"filter\""));
    const QString name = action.toString();
    if (name == QLatin1String("refresh")) {
        sendListing(context, from.sessionId);
        return {};
    }
    if (name == QLatin1String("filter")) {
        Result<Filter> filter = parseFilter(message);
        if (!filter)
            return filter.error();
        m_views[from.sessionId].filter = std::move(filter).value();
        sendListing(context, from.sessionId);
        return {};
    }
    return badRequest(QStringLiteral("unknown lobby action \"%1\": use \"refresh\" or \"filter\"").arg(name));
}

Result<void> LobbyRoom::restore(RoomContext &context, const protocol::RawJson &snapshot)
{
    Q_UNUSED(snapshot);
    m_views.clear();
    for (const RoomMember &m : context.members()) {
        m_views.insert(m.sessionId, View{});
        sendListing(context, m.sessionId);
    }
    return {};
}

void LobbyRoom::onRoomListChanged(RoomContext &context)
{
    const QList<RoomMember> members = context.members();
    if (members.isEmpty())
        return;

    bool everyoneUnfiltered = true;
    for (const RoomMember &member : members) {
        const auto it = m_views.constFind(member.sessionId);
        if (it != m_views.constEnd() && !it->filter.key.isEmpty()) {
            everyoneUnfiltered = false;
            break;
        }
    }

    if (everyoneUnfiltered) {
        const protocol::RawJson list = listing(context, Filter{});
        bool anyStale = false;
        for (const RoomMember &member : members) {
            View &view = m_views[member.sessionId];
            anyStale = anyStale || view.lastSent != list.json();
            view.lastSent = list.json();
        }
        // One broadcast beats per-member sends even if a few members already had this listing.
        if (anyStale)
            context.broadcast(list);
        return;
    }

    // Members sharing a filter share one listing.
    QHash<QByteArray, protocol::RawJson> listings;
    for (const RoomMember &member : members) {
        View &view = m_views[member.sessionId];
        auto cached = listings.constFind(view.filter.key);
        if (cached == listings.constEnd())
            cached = listings.insert(view.filter.key, listing(context, view.filter));
        if (view.lastSent == cached->json())
            continue;
        view.lastSent = cached->json();
        context.send(member.sessionId, *cached);
    }
}

Result<LobbyRoom::Filter> LobbyRoom::parseFilter(const QJsonObject &message)
{
    Filter filter;
    const QJsonValue roomType = message.value(QLatin1String("roomType"));
    if (roomType.isString()) {
        filter.roomType = roomType.toString();
        if (!RoomTypeRegistry::isValidName(filter.roomType))
            return badRequest(QStringLiteral("\"roomType\" is not a valid room type name"));
    } else if (!roomType.isUndefined() && !roomType.isNull()) {
        return badRequest(QStringLiteral("\"roomType\" must be a string (or null for every type)"));
    }
    const QJsonValue metadata = message.value(QLatin1String("metadata"));
    if (metadata.isObject())
        filter.metadata = metadata.toObject();
    else if (!metadata.isUndefined() && !metadata.isNull())
        return badRequest(QStringLiteral("\"metadata\" must be an object (or null for any metadata)"));

    if (!filter.roomType.isEmpty() || !filter.metadata.isEmpty()) {
        filter.key = filter.roomType.toUtf8() + '\n'
            + QJsonDocument(filter.metadata).toJson(QJsonDocument::Compact);
    }
    return filter;
}

bool LobbyRoom::matches(const Filter &filter, const protocol::RoomInfo &room, const RoomContext &context)
{
    if (room.roomType == context.roomType() || room.roomId == context.roomId())
        return false;
    if (!filter.roomType.isEmpty() && room.roomType != filter.roomType)
        return false;
    if (filter.metadata.isEmpty())
        return true;
    const QJsonObject metadata = room.metadata.toJsonObject();
    for (auto it = filter.metadata.constBegin(); it != filter.metadata.constEnd(); ++it) {
        const auto found = metadata.constFind(it.key());
        if (found == metadata.constEnd() || QJsonValue(found.value()) != QJsonValue(it.value()))
            return false;
    }
    return true;
}

protocol::RawJson LobbyRoom::listing(const RoomContext &context, const Filter &filter)
{
    const QList<protocol::RoomInfo> rooms = context.listedRooms();
    QByteArray out;
    qsizetype total = 0;
    {
        protocol::JsonWriter writer(out);
        writer.beginObject();
        writer.key("kind");
        writer.writeString(QLatin1StringView("rooms"));
        writer.key("rooms");
        writer.beginArray();
        for (const protocol::RoomInfo &room : rooms) {
            if (!matches(filter, room, context))
                continue;
            if (++total > MaxListedRooms)
                continue;
            // The room_list entry shape, so clients parse both with the same code.
            writer.beginObject();
            writer.key("id");
            writer.writeString(QStringView(room.roomId));
            writer.key("type");
            writer.writeString(QStringView(room.roomType));
            writer.key("clients");
            writer.writeUInt(room.clients);
            writer.key("max_clients");
            writer.writeUInt(room.maxClients);
            writer.key("locked");
            writer.writeBool(room.locked);
            writer.key("metadata");
            writer.writeRaw(room.metadata.json());
            writer.endObject();
        }
        writer.endArray();
        writer.key("total");
        writer.writeUInt(quint64(total));
        writer.endObject();
    }
    // Room data is bounded by the protocol limits and the listing by MaxListedRooms, far below the
    // trusted limits; a failure here would be a bug in what the manager handed over.
    protocol::DecodeResult<protocol::RawJson> parsed = protocol::RawJson::parse(out, protocol::DecodeLimits::trusted());
    if (!parsed) {
        qCWarning(lcRooms) << "lobby" << context.roomId() << "could not encode the room listing:"
                           << parsed.error().toString();
        return protocol::RawJson::fromJsonObject(QJsonObject{{QStringLiteral("kind"), QStringLiteral("rooms")},
                                                             {QStringLiteral("rooms"), QJsonArray()},
                                                             {QStringLiteral("total"), 0}});
    }
    return std::move(parsed).value();
}

void LobbyRoom::sendListing(RoomContext &context, const QString &sessionId)
{
    View &view = m_views[sessionId];
    const protocol::RawJson list = listing(context, view.filter);
    view.lastSent = list.json();
    context.send(sessionId, list);
}

} // namespace arena
