// RoomsModel: the rooms of one instance, from the `rooms` query (shaped as the server's GET /rooms).
#pragma once

#include <QAbstractTableModel>
#include <QJsonArray>
#include <QJsonObject>
#include <QList>

namespace arena::console {

// setRooms() updates by room id: new rooms are inserted at the end, gone ones removed, changed cells
// reported with dataChanged, so refreshing the browser keeps the selection and the scroll position.
class RoomsModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(RoomsModel)

public:
    enum Column { Id, Type, Clients, Locked, Private, Host, Created, Metadata, ColumnCount };
    Q_ENUM(Column)

    enum Role {
        SortRole = Qt::UserRole,       // raw value: clients as a number, created as ms since the epoch
        RoomIdRole = Qt::UserRole + 1, // every column
        RoomRole = Qt::UserRole + 2    // the room's QJsonObject, every column
    };

    explicit RoomsModel(QObject *parent = nullptr);
    ~RoomsModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Entries that are not objects with a string "id" are skipped (with a warning).
    void setRooms(const QJsonArray &rooms);
    void clear();

    QJsonObject roomAt(int row) const; // empty outside the rows
    QString roomIdAt(int row) const;
    int rowOf(const QString &roomId) const; // -1 when absent
    void setUtc(bool utc); // Created in UTC instead of local time

private:
    QVariant displayValue(const QJsonObject &room, int column) const;
    QVariant sortValue(const QJsonObject &room, int column) const;

    QList<QJsonObject> m_rooms;
    bool m_utc = false;
};

} // namespace arena::console
