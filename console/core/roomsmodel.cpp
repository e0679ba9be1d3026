#include "console/core/roomsmodel.h"

#include "console/core/consolelog.h"

#include <QDateTime>
#include <QHash>
#include <QJsonDocument>
#include <QJsonValue>
#include <QSet>

namespace arena::console {

namespace {

QString idOf(const QJsonObject &room)
{
    return room.value(QLatin1StringView("id")).toString();
}

qint64 createdMs(const QJsonObject &room)
{
    const QJsonValue v = room.value(QLatin1StringView("createdAt"));
    if (v.isDouble())
        return qint64(v.toDouble());
    const QDateTime t = QDateTime::fromString(v.toString(), Qt::ISODateWithMs);
    return t.isValid() ? t.toMSecsSinceEpoch() : 0;
}

} // namespace

RoomsModel::RoomsModel(QObject *parent) : QAbstractTableModel(parent) {}

RoomsModel::~RoomsModel() = default;

int RoomsModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rooms.size());
}

int RoomsModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant RoomsModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const QJsonObject &room = m_rooms.at(index.row());
    switch (role) {
    case Qt::DisplayRole:
        return displayValue(room, index.column());
    case SortRole:
        return sortValue(room, index.column());
    case RoomIdRole:
        return idOf(room);
    case RoomRole:
        return room;
    case Qt::ToolTipRole:
        if (index.column() == Metadata)
            return QString::fromUtf8(QJsonDocument(room.value(QLatin1StringView("metadata")).toObject()).toJson(QJsonDocument::Indented));
        return {};
    case Qt::TextAlignmentRole:
        return index.column() == Clients ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    default:
        return {};
    }
}

QVariant RoomsModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount || role != Qt::DisplayRole)
        return QAbstractTableModel::headerData(section, orientation, role);
    switch (Column(section)) {
    case Id:
        return tr("Id");
    case Type:
        return tr("Type");
    case Clients:
        return tr("Clients");
    case Locked:
        return tr("Locked");
    case Private:
        return tr("Private");
    case Host:
        return tr("Host");
    case Created:
        return tr("Created");
    case Metadata:
        return tr("Metadata");
    case ColumnCount:
        break;
    }
    return {};
}

QVariant RoomsModel::sortValue(const QJsonObject &room, int column) const
{
    switch (Column(column)) {
    case Id:
        return idOf(room);
    case Type:
        return room.value(QLatin1StringView("type")).toString();
    case Clients:
        return room.value(QLatin1StringView("clients")).toInt();
    case Locked:
        return room.value(QLatin1StringView("locked")).toBool();
    case Private:
        return room.value(QLatin1StringView("private")).toBool();
    case Host:
        return room.value(QLatin1StringView("host")).toString();
    case Created:
        return createdMs(room);
    case Metadata:
        return QString::fromUtf8(QJsonDocument(room.value(QLatin1StringView("metadata")).toObject()).toJson(QJsonDocument::Compact));
    case ColumnCount:
        break;
    }
    return {};
}

QVariant RoomsModel::displayValue(const QJsonObject &room, int column) const
{
    switch (Column(column)) {
    case Clients: {
        const QJsonValue max = room.value(QLatin1StringView("maxClients"));
        const int clients = room.value(QLatin1StringView("clients")).toInt();
        return max.isDouble() ? QStringLiteral("%1/%2").arg(clients).arg(max.toInt()) : QString::number(clients);
    }
    case Locked:
    case Private:
        return sortValue(room, column).toBool() ? tr("yes") : tr("no");
    case Created: {
        const qint64 ms = createdMs(room);
        if (ms <= 0)
            return {};
        return QDateTime::fromMSecsSinceEpoch(ms, m_utc ? Qt::UTC : Qt::LocalTime).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
    }
    case Metadata:
        if (room.value(QLatin1StringView("metadata")).toObject().isEmpty())
            return QString();
        return sortValue(room, column);
    default:
        return sortValue(room, column);
    }
}

void RoomsModel::setRooms(const QJsonArray &rooms)
{
    QHash<QString, QJsonObject> incoming;
    QList<QString> order;
    for (const QJsonValue &v : rooms) {
        const QJsonObject room = v.toObject();
        const QString id = idOf(room);
        if (id.isEmpty()) {
            qCWarning(lcConsoleCore) << "rooms: skipping an entry without an id";
            continue;
        }
        if (!incoming.contains(id))
            order.append(id);
        incoming.insert(id, room);
    }

    for (int i = int(m_rooms.size()) - 1; i >= 0; --i) {
        if (incoming.contains(idOf(m_rooms.at(i))))
            continue;
        beginRemoveRows({}, i, i);
        m_rooms.removeAt(i);
        endRemoveRows();
    }

    QSet<QString> known;
    for (int i = 0; i < m_rooms.size(); ++i) {
        const QString id = idOf(m_rooms.at(i));
        known.insert(id);
        const QJsonObject &room = incoming[id];
        if (room == m_rooms.at(i))
            continue;
        const QJsonObject before = m_rooms.at(i);
        m_rooms[i] = room;
        int first = -1;
        int last = -1;
        for (int c = 0; c < ColumnCount; ++c) {
            if (sortValue(before, c) != sortValue(room, c) || displayValue(before, c) != displayValue(room, c)) {
                if (first < 0)
                    first = c;
                last = c;
            }
        }
        if (first >= 0)
            Q_EMIT dataChanged(index(i, first), index(i, last));
        else // members changed: only RoomRole shows it
            Q_EMIT dataChanged(index(i, 0), index(i, ColumnCount - 1), {RoomRole});
    }

    QList<QJsonObject> added;
    for (const QString &id : std::as_const(order)) {
        if (!known.contains(id))
            added.append(incoming.value(id));
    }
    if (!added.isEmpty()) {
        beginInsertRows({}, int(m_rooms.size()), int(m_rooms.size() + added.size()) - 1);
        m_rooms.append(added);
        endInsertRows();
    }
}

void RoomsModel::clear()
{
    if (m_rooms.isEmpty())
        return;
    beginRemoveRows({}, 0, int(m_rooms.size()) - 1);
    m_rooms.clear();
    endRemoveRows();
}

QJsonObject RoomsModel::roomAt(int row) const
{
    return row >= 0 && row < m_rooms.size() ? m_rooms.at(row) : QJsonObject();
}

QString RoomsModel::roomIdAt(int row) const
{
    return idOf(roomAt(row));
}

int RoomsModel::rowOf(const QString &roomId) const
{
    for (int i = 0; i < m_rooms.size(); ++i) {
        if (idOf(m_rooms.at(i)) == roomId)
            return i;
    }
    return -1;
}

void RoomsModel::setUtc(bool utc)
{
    if (utc == m_utc)
        return;
    m_utc = utc;
    if (!m_rooms.isEmpty())
        Q_EMIT dataChanged(index(0, Created), index(int(m_rooms.size()) - 1, Created));
}

} // namespace arena::console
