// RoomsModel: rooms from the `rooms` query, updated by id.
#include "console/core/roomsmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using arena::console::RoomsModel;

namespace {

QJsonObject room(const QString &id, int clients, bool locked = false, const QJsonObject &metadata = {})
{
    // The shape of the server's GET /rooms.
    return QJsonObject{{QStringLiteral("id"), id},
                       {QStringLiteral("type"), QStringLiteral("duel")},
                       {QStringLiteral("host"), QStringLiteral("w1")},
                       {QStringLiteral("clients"), clients},
                       {QStringLiteral("maxClients"), 2},
                       {QStringLiteral("locked"), locked},
                       {QStringLiteral("private"), false},
                       {QStringLiteral("metadata"), metadata},
                       {QStringLiteral("members"), QJsonArray{QJsonObject{{QStringLiteral("sessionId"), QStringLiteral("s-1")},
                                                                          {QStringLiteral("playerId"), QStringLiteral("p-1")}}}},
                       {QStringLiteral("createdAt"), QStringLiteral("2026-11-22T16:40:00.120Z")}};
}

} // namespace

class TestRoomsModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void passesModelTesterThroughASequence();
    void updatesByIdWithoutReset();
    void columns();
};

void TestRoomsModel::passesModelTesterThroughASequence()
{
    RoomsModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setRooms({room(QStringLiteral("r-1"), 1), room(QStringLiteral("r-2"), 2)});
    model.setRooms({room(QStringLiteral("r-2"), 1), room(QStringLiteral("r-3"), 0), room(QStringLiteral("r-4"), 0)});
    model.setRooms({QJsonValue(3), QJsonObject{{QStringLiteral("type"), QStringLiteral("no id")}}, room(QStringLiteral("r-4"), 2)});
    QCOMPARE(model.rowCount(), 1);
    model.setRooms({});
    QCOMPARE(model.rowCount(), 0);
    model.setRooms({room(QStringLiteral("r-9"), 1)});
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    for (int c = 0; c < RoomsModel::ColumnCount; ++c)
        QVERIFY(!model.headerData(c, Qt::Horizontal).toString().isEmpty());
}

void TestRoomsModel::updatesByIdWithoutReset()
{
    RoomsModel model;
    model.setRooms({room(QStringLiteral("r-1"), 1), room(QStringLiteral("r-2"), 2)});
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    model.setRooms({room(QStringLiteral("r-1"), 1), room(QStringLiteral("r-2"), 2)});
    QCOMPARE(changed.size(), 0);
    model.setRooms({room(QStringLiteral("r-2"), 2, true), room(QStringLiteral("r-3"), 0)});
    QCOMPARE(removed.size(), 1);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), model.index(0, RoomsModel::Locked));
    QCOMPARE(changed.at(0).at(1).value<QModelIndex>(), model.index(0, RoomsModel::Locked));
    QCOMPARE(reset.size(), 0);
    QCOMPARE(model.roomIdAt(0), QStringLiteral("r-2"));
    QCOMPARE(model.rowOf(QStringLiteral("r-3")), 1);
    QCOMPARE(model.roomAt(1).value(QStringLiteral("id")).toString(), QStringLiteral("r-3"));
    QVERIFY(model.roomAt(7).isEmpty());
}

void TestRoomsModel::columns()
{
    RoomsModel model;
    model.setUtc(true);
    model.setRooms({room(QStringLiteral("r-1"), 1, true, QJsonObject{{QStringLiteral("map"), QStringLiteral("arena")}})});
    const auto text = [&](int column) { return model.index(0, column).data().toString(); };
    QCOMPARE(text(RoomsModel::Id), QStringLiteral("r-1"));
    QCOMPARE(text(RoomsModel::Type), QStringLiteral("duel"));
    QCOMPARE(text(RoomsModel::Clients), QStringLiteral("1/2"));
    QCOMPARE(text(RoomsModel::Locked), QStringLiteral("yes"));
    QCOMPARE(text(RoomsModel::Private), QStringLiteral("no"));
    QCOMPARE(text(RoomsModel::Host), QStringLiteral("w1"));
    QCOMPARE(text(RoomsModel::Created), QStringLiteral("2026-11-22 16:40:00"));
    QCOMPARE(text(RoomsModel::Metadata), QStringLiteral("{\"map\":\"arena\"}"));
    QCOMPARE(model.index(0, RoomsModel::Clients).data(RoomsModel::SortRole).toInt(), 1);
    QCOMPARE(model.index(0, RoomsModel::Created).data(RoomsModel::SortRole).toLongLong(), 1'795'365'600'120LL);
    QCOMPARE(model.index(0, RoomsModel::Type).data(RoomsModel::RoomIdRole).toString(), QStringLiteral("r-1"));
    QCOMPARE(model.index(0, RoomsModel::Type).data(RoomsModel::RoomRole).toJsonObject().value(QStringLiteral("members")).toArray().size(), 1);
}

QTEST_GUILESS_MAIN(TestRoomsModel)
#include "tst_roomsmodel.moc"
