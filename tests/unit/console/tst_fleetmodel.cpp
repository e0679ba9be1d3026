// FleetModel: rows follow the fleet without resets, only changed cells are reported, formatting, health.
#include "console/core/fleetmodel.h"

#include <QAbstractItemModelTester>
#include <QFile>
#include <QJsonDocument>
#include <QSignalSpy>
#include <QSortFilterProxyModel>
#include <QTest>

using arena::console::FleetModel;
using arena::protocol::Fleet;
using arena::protocol::InstanceState;
using arena::protocol::InstanceSummary;
using arena::protocol::Snapshot;

namespace {

constexpr quint64 T0 = 1'795'363'200'000;

InstanceSummary instance(const QString &id, quint32 sessions, InstanceState state = InstanceState::Up, quint64 lastSeen = T0)
{
    InstanceSummary s;
    s.id = id;
    s.host = id + QStringLiteral(".example");
    s.state = state;
    s.sessions = sessions;
    s.rooms = sessions / 4;
    s.matches = sessions / 8;
    s.workers = 2;
    s.lastSeen = lastSeen;
    return s;
}

Fleet fleet(quint64 time, QList<InstanceSummary> instances)
{
    Fleet f;
    f.time = time;
    f.instances = std::move(instances);
    return f;
}

QJsonObject fixture()
{
    QFile file(QFINDTESTDATA("data/snapshot.json"));
    if (!file.open(QIODevice::ReadOnly))
        qFatal("data/snapshot.json not found");
    return QJsonDocument::fromJson(file.readAll()).object();
}

// Sets figures[path...] = value.
void set(QJsonObject &object, QStringList path, const QJsonValue &value)
{
    const QString key = path.takeFirst();
    if (path.isEmpty()) {
        object.insert(key, value);
        return;
    }
    QJsonObject inner = object.value(key).toObject();
    set(inner, path, value);
    object.insert(key, inner);
}

Snapshot snapshot(const QString &id, quint64 time, const QJsonObject &figures)
{
    Snapshot s;
    s.instance = id;
    s.time = time;
    s.figures = arena::protocol::RawJson::fromJsonObject(figures);
    return s;
}

QString cell(const FleetModel &model, const QString &id, int column, int role = Qt::DisplayRole)
{
    return model.data(model.index(model.rowOf(id), column), role).toString();
}

struct Spies
{
    explicit Spies(FleetModel *m)
        : dataChanged(m, &QAbstractItemModel::dataChanged),
          layoutChanged(m, &QAbstractItemModel::layoutChanged),
          layoutAboutToBeChanged(m, &QAbstractItemModel::layoutAboutToBeChanged),
          reset(m, &QAbstractItemModel::modelReset),
          inserted(m, &QAbstractItemModel::rowsInserted),
          removed(m, &QAbstractItemModel::rowsRemoved)
    {
    }
    QSignalSpy dataChanged;
    QSignalSpy layoutChanged;
    QSignalSpy layoutAboutToBeChanged;
    QSignalSpy reset;
    QSignalSpy inserted;
    QSignalSpy removed;
    bool noStructuralChange() const
    {
        return layoutChanged.isEmpty() && layoutAboutToBeChanged.isEmpty() && reset.isEmpty() && inserted.isEmpty()
               && removed.isEmpty();
    }
};

} // namespace

class TestFleetModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void passesModelTesterThroughASequence();
    void sameFleetTwiceChangesNothing();
    void changedCellAlone();
    void newerFleetTimeChangesAgesOnly();
    void rowsAreInsertedAndRemoved();
    void formatting();
    void uptimeOverADay();
    void downRow();
    void health_data();
    void health();
    void healthAfterWorkerDeathWearsOff();
    void healthColors();
    void leaseColumn();
    void snapshotBeforeFleet();
    void sortRoleAndProxy();
};

void TestFleetModel::passesModelTesterThroughASequence()
{
    FleetModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(FleetModel::SortRole);
    proxy.sort(FleetModel::Sessions);
    QAbstractItemModelTester proxyTester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);

    model.applyFleet(fleet(T0, {instance(QStringLiteral("host-a"), 10), instance(QStringLiteral("host-b"), 20)}));
    model.applySnapshot(snapshot(QStringLiteral("host-a"), T0, fixture()));
    model.applyFleet(fleet(T0 + 1000, {instance(QStringLiteral("host-a"), 11), instance(QStringLiteral("host-b"), 20),
                                       instance(QStringLiteral("host-c"), 5)}));
    model.applySnapshot(snapshot(QStringLiteral("host-c"), T0 + 1000, fixture()));
    model.applySnapshot(snapshot(QStringLiteral("host-z"), T0 + 1000, fixture())); // not in the fleet
    model.applyFleet(fleet(T0 + 2000, {instance(QStringLiteral("host-c"), 7),
                                       instance(QStringLiteral("host-b"), 20, InstanceState::Down, T0 + 1000)}));
    model.applyFleet(fleet(T0 + 3000, {instance(QStringLiteral("host-b"), 20, InstanceState::Draining, T0 + 3000),
                                       instance(QStringLiteral("host-z"), 1), instance(QStringLiteral("host-a"), 1)}));
    model.setReferenceTime(T0 + 10'000);
    model.applyFleet(fleet(T0 + 11'000, {}));
    QCOMPARE(model.rowCount(), 0);
    model.applyFleet(fleet(T0 + 12'000, {instance(QStringLiteral("host-a"), 1)}));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.columnCount(), int(FleetModel::ColumnCount));
    for (int c = 0; c < FleetModel::ColumnCount; ++c)
        QVERIFY(!model.headerData(c, Qt::Horizontal).toString().isEmpty());
}

void TestFleetModel::sameFleetTwiceChangesNothing()
{
    FleetModel model;
    const Fleet f = fleet(T0, {instance(QStringLiteral("host-a"), 1204), instance(QStringLiteral("host-b"), 980)});
    model.applyFleet(f);
    model.applySnapshot(snapshot(QStringLiteral("host-a"), T0, fixture()));
    Spies spies(&model);
    model.applyFleet(f);
    model.applySnapshot(snapshot(QStringLiteral("host-a"), T0, fixture()));
    QCOMPARE(spies.dataChanged.size(), 0);
    QVERIFY(spies.noStructuralChange());
}

void TestFleetModel::changedCellAlone()
{
    FleetModel model;
    model.applyFleet(fleet(T0, {instance(QStringLiteral("host-a"), 1204), instance(QStringLiteral("host-b"), 980)}));
    Spies spies(&model);
    InstanceSummary b = instance(QStringLiteral("host-b"), 980);
    b.sessions = 981; // rooms and matches stay (980 / 4, 980 / 8)
    model.applyFleet(fleet(T0, {instance(QStringLiteral("host-a"), 1204), b}));
    QVERIFY(spies.noStructuralChange());
    QCOMPARE(spies.dataChanged.size(), 1);
    const QModelIndex topLeft = spies.dataChanged.at(0).at(0).value<QModelIndex>();
    const QModelIndex bottomRight = spies.dataChanged.at(0).at(1).value<QModelIndex>();
    QCOMPARE(topLeft, model.index(model.rowOf(QStringLiteral("host-b")), FleetModel::Sessions));
    QCOMPARE(bottomRight, topLeft);
    QCOMPARE(cell(model, QStringLiteral("host-b"), FleetModel::Sessions), QStringLiteral("981"));

    // A snapshot changing the CPU alone reports the CPU cell alone.
    model.applySnapshot(snapshot(QStringLiteral("host-a"), T0, fixture()));
    spies.dataChanged.clear();
    QJsonObject figures = fixture();
    set(figures, {QStringLiteral("server"), QStringLiteral("process"), QStringLiteral("cpu_percent")}, 7.5);
    model.applySnapshot(snapshot(QStringLiteral("host-a"), T0 + 1000, figures));
    QCOMPARE(spies.dataChanged.size(), 1);
    QCOMPARE(spies.dataChanged.at(0).at(0).value<QModelIndex>(), model.index(model.rowOf(QStringLiteral("host-a")), FleetModel::Cpu));
    QCOMPARE(spies.dataChanged.at(0).at(1).value<QModelIndex>(), model.index(model.rowOf(QStringLiteral("host-a")), FleetModel::Cpu));
    QCOMPARE(cell(model, QStringLiteral("host-a"), FleetModel::Cpu), QStringLiteral("8.3 %"));
    QVERIFY(spies.noStructuralChange());
}

void TestFleetModel::newerFleetTimeChangesAgesOnly()
{
    FleetModel model;
    model.applyFleet(fleet(T0 + 400, {instance(QStringLiteral("host-a"), 1), instance(QStringLiteral("host-b"), 2)}));
    Spies spies(&model);
    model.applyFleet(fleet(T0 + 900, {instance(QStringLiteral("host-a"), 1), instance(QStringLiteral("host-b"), 2)}));
    QVERIFY(spies.noStructuralChange());
    QCOMPARE(spies.dataChanged.size(), 2);
    for (const QList<QVariant> &args : std::as_const(spies.dataChanged)) {
        QCOMPARE(args.at(0).value<QModelIndex>().column(), int(FleetModel::LastSeen));
        QCOMPARE(args.at(1).value<QModelIndex>().column(), int(FleetModel::LastSeen));
    }
    QCOMPARE(cell(model, QStringLiteral("host-a"), FleetModel::LastSeen), QStringLiteral("0.9 s ago"));
}

void TestFleetModel::rowsAreInsertedAndRemoved()
{
    FleetModel model;
    model.applyFleet(fleet(T0, {instance(QStringLiteral("host-a"), 1), instance(QStringLiteral("host-b"), 2)}));
    Spies spies(&model);
    model.applyFleet(fleet(T0, {instance(QStringLiteral("host-b"), 2), instance(QStringLiteral("host-c"), 3)}));
    QCOMPARE(spies.reset.size(), 0);
    QCOMPARE(spies.layoutChanged.size(), 0);
    QCOMPARE(spies.removed.size(), 1);
    QCOMPARE(spies.removed.at(0).at(1).toInt(), 0);
    QCOMPARE(spies.inserted.size(), 1);
    QCOMPARE(spies.inserted.at(0).at(1).toInt(), 1);
    QCOMPARE(model.instances(), (QStringList{QStringLiteral("host-b"), QStringLiteral("host-c")}));
    QCOMPARE(model.instanceAt(1), QStringLiteral("host-c"));
    QCOMPARE(model.instanceAt(5), QString());
    QCOMPARE(model.rowOf(QStringLiteral("host-a")), -1);
    QCOMPARE(model.data(model.index(1, FleetModel::Rooms), FleetModel::InstanceRole).toString(), QStringLiteral("host-c"));
}

void TestFleetModel::formatting()
{
    FleetModel model;
    model.applyFleet(fleet(T0 + 400, {instance(QStringLiteral("host-a"), 1204)}));
    model.applySnapshot(snapshot(QStringLiteral("host-a"), T0, fixture()));
    const QString a = QStringLiteral("host-a");
    QCOMPARE(cell(model, a, FleetModel::Instance), a);
    QCOMPARE(cell(model, a, FleetModel::Host), QStringLiteral("host-a.example"));
    QCOMPARE(cell(model, a, FleetModel::State), QStringLiteral("up"));
    QCOMPARE(cell(model, a, FleetModel::Sessions), QStringLiteral("1,204"));
    QCOMPARE(cell(model, a, FleetModel::Rooms), QStringLiteral("301"));
    QCOMPARE(cell(model, a, FleetModel::Workers), QStringLiteral("2"));
    QCOMPARE(cell(model, a, FleetModel::QueueTickets), QStringLiteral("1"));
    QCOMPARE(cell(model, a, FleetModel::Cpu), QStringLiteral("2.3 %"));
    QCOMPARE(cell(model, a, FleetModel::Rss), QStringLiteral("58.5 MiB")); // (38436 + 21504) / 1024
    QCOMPARE(cell(model, a, FleetModel::RedisPing), QStringLiteral("0.14 ms"));
    QCOMPARE(cell(model, a, FleetModel::Uptime), QStringLiteral("00:00:41"));
    QCOMPARE(cell(model, a, FleetModel::LastSeen), QStringLiteral("0.4 s ago"));
    QCOMPARE(cell(model, a, FleetModel::Health), QStringLiteral("healthy"));
    QCOMPARE(model.data(model.index(0, FleetModel::Sessions), FleetModel::SortRole).toLongLong(), 1204);
    QCOMPARE(model.data(model.index(0, FleetModel::Rss), FleetModel::SortRole).toDouble(), (38436.0 + 21504.0) / 1024.0);
}

void TestFleetModel::uptimeOverADay()
{
    FleetModel model;
    model.applyFleet(fleet(T0, {instance(QStringLiteral("host-a"), 1)}));
    QJsonObject figures = fixture();
    set(figures, {QStringLiteral("server"), QStringLiteral("uptime_s")}, 2 * 86400 + 3 * 3600 + 14 * 60 + 59.5);
    model.applySnapshot(snapshot(QStringLiteral("host-a"), T0, figures));
    QCOMPARE(cell(model, QStringLiteral("host-a"), FleetModel::Uptime), QStringLiteral("2d 03:14"));
}

void TestFleetModel::downRow()
{
    FleetModel model;
    model.applyFleet(fleet(T0, {instance(QStringLiteral("host-c"), 5)}));
    model.applySnapshot(snapshot(QStringLiteral("host-c"), T0, fixture()));
    // The agent went away with its server: down since it was last seen.
    model.applyFleet(fleet(T0 + 4000, {instance(QStringLiteral("host-c"), 5, InstanceState::Down, T0)}));
    const QString c = QStringLiteral("host-c");
    QCOMPARE(cell(model, c, FleetModel::LastSeen), QStringLiteral("down 00:00:04"));
    QCOMPARE(cell(model, c, FleetModel::Health), QStringLiteral("down"));
    QCOMPARE(model.data(model.index(0, 0), FleetModel::HealthRole).toInt(), int(FleetModel::Down));
    QVERIFY(cell(model, c, FleetModel::Health, Qt::ToolTipRole).contains(QStringLiteral("00:00:04")));
    // Last-known figures are not shown as current.
    QCOMPARE(model.data(model.index(0, FleetModel::Sessions)), QVariant());
    QCOMPARE(model.data(model.index(0, FleetModel::Cpu)), QVariant());
    model.applyFleet(fleet(T0 + 9000, {instance(QStringLiteral("host-c"), 5, InstanceState::Down, T0)}));
    QCOMPARE(cell(model, c, FleetModel::LastSeen), QStringLiteral("down 00:00:09"));
    model.applyFleet(fleet(T0 + 10'000, {instance(QStringLiteral("host-c"), 5, InstanceState::Up, T0 + 9900)}));
    QCOMPARE(cell(model, c, FleetModel::LastSeen), QStringLiteral("0.1 s ago"));
    QCOMPARE(cell(model, c, FleetModel::Sessions), QStringLiteral("5"));
}

void TestFleetModel::health_data()
{
    QTest::addColumn<QStringList>("path");
    QTest::addColumn<QJsonValue>("value");
    QTest::addColumn<InstanceState>("state");
    QTest::addColumn<int>("expected");
    QTest::addColumn<QString>("reason");
    const QStringList none;
    QTest::newRow("healthy") << none << QJsonValue() << InstanceState::Up << int(FleetModel::Healthy) << QStringLiteral("healthy");
    QTest::newRow("redis unreachable") << QStringList{QStringLiteral("redis"), QStringLiteral("reachable")} << QJsonValue(false)
                                       << InstanceState::Up << int(FleetModel::Degraded) << QStringLiteral("Redis unreachable");
    QTest::newRow("redis slow") << QStringList{QStringLiteral("redis"), QStringLiteral("ping_p99_ms")} << QJsonValue(72.0)
                                << InstanceState::Up << int(FleetModel::Degraded) << QStringLiteral("Redis PING p99 72.00 ms");
    QTest::newRow("redis at the limit") << QStringList{QStringLiteral("redis"), QStringLiteral("ping_p99_ms")} << QJsonValue(50.0)
                                        << InstanceState::Up << int(FleetModel::Healthy) << QStringLiteral("healthy");
    QTest::newRow("server cpu") << QStringList{QStringLiteral("server"), QStringLiteral("process"), QStringLiteral("cpu_percent")}
                                << QJsonValue(95.0) << InstanceState::Up << int(FleetModel::Degraded) << QStringLiteral("server CPU 95.0 %");
    QTest::newRow("workers cpu is not the server's") << QStringList{QStringLiteral("workers"), QStringLiteral("totals"), QStringLiteral("cpu_percent")}
                                                     << QJsonValue(350.0) << InstanceState::Up << int(FleetModel::Healthy)
                                                     << QStringLiteral("healthy");
    const QStringList leaseState{QStringLiteral("server"), QStringLiteral("lease"), QStringLiteral("state")};
    QTest::newRow("lease held") << leaseState << QJsonValue(QStringLiteral("held")) << InstanceState::Up
                                << int(FleetModel::Healthy) << QStringLiteral("healthy");
    QTest::newRow("lease lost") << leaseState << QJsonValue(QStringLiteral("lost")) << InstanceState::Up
                                << int(FleetModel::Degraded) << QStringLiteral("lost its fleet lease");
    QTest::newRow("lease unconfirmed") << leaseState << QJsonValue(QStringLiteral("unconfirmed")) << InstanceState::Up
                                       << int(FleetModel::Degraded) << QStringLiteral("fleet lease unconfirmed");
    QTest::newRow("draining") << none << QJsonValue() << InstanceState::Draining << int(FleetModel::Draining) << QStringLiteral("draining");
    QTest::newRow("draining beats degraded") << QStringList{QStringLiteral("redis"), QStringLiteral("reachable")} << QJsonValue(false)
                                             << InstanceState::Draining << int(FleetModel::Draining) << QStringLiteral("draining");
    QTest::newRow("down") << none << QJsonValue() << InstanceState::Down << int(FleetModel::Down) << QStringLiteral("down");
}

void TestFleetModel::health()
{
    QFETCH(QStringList, path);
    QFETCH(QJsonValue, value);
    QFETCH(InstanceState, state);
    QFETCH(int, expected);
    QFETCH(QString, reason);
    FleetModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.applyFleet(fleet(T0, {instance(QStringLiteral("host-a"), 1, state)}));
    QJsonObject figures = fixture();
    if (!path.isEmpty())
        set(figures, path, value);
    model.applySnapshot(snapshot(QStringLiteral("host-a"), T0, figures));
    QCOMPARE(int(model.health(0)), expected);
    QCOMPARE(model.data(model.index(0, FleetModel::Sessions), FleetModel::HealthRole).toInt(), expected);
    const QString toolTip = model.data(model.index(0, FleetModel::Health), Qt::ToolTipRole).toString();
    QVERIFY2(toolTip.contains(reason), qPrintable(toolTip));
    QCOMPARE(model.data(model.index(0, FleetModel::Health), Qt::DecorationRole).value<QColor>(),
             FleetModel::healthColor(FleetModel::HealthState(expected)));
    QCOMPARE(model.data(model.index(0, FleetModel::Health), Qt::ForegroundRole).value<QColor>(),
             FleetModel::healthColor(FleetModel::HealthState(expected)));
    QVERIFY(model.data(model.index(0, FleetModel::Health), Qt::BackgroundRole).value<QColor>().isValid());
}

void TestFleetModel::healthAfterWorkerDeathWearsOff()
{
    FleetModel model;
    model.applyFleet(fleet(T0, {instance(QStringLiteral("host-a"), 1)}));
    model.applySnapshot(snapshot(QStringLiteral("host-a"), T0, fixture()));
    QCOMPARE(model.health(0), FleetModel::Healthy);
    QJsonObject figures = fixture();
    set(figures, {QStringLiteral("workers"), QStringLiteral("totals"), QStringLiteral("deaths")}, 1);
    model.applySnapshot(snapshot(QStringLiteral("host-a"), T0 + 1000, figures));
    QCOMPARE(model.health(0), FleetModel::Degraded);
    QVERIFY(model.healthReason(0).contains(QStringLiteral("worker died")));
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    model.applyFleet(fleet(T0 + 30'000, {instance(QStringLiteral("host-a"), 1)}));
    QCOMPARE(model.health(0), FleetModel::Degraded);
    model.applyFleet(fleet(T0 + 61'001, {instance(QStringLiteral("host-a"), 1)}));
    QCOMPARE(model.health(0), FleetModel::Healthy);
    // The health change is reported on the whole row (HealthRole is on every column).
    const QList<QVariant> last = changed.last();
    QCOMPARE(last.at(0).value<QModelIndex>().column(), 0);
    QCOMPARE(last.at(1).value<QModelIndex>().column(), FleetModel::ColumnCount - 1);
}

void TestFleetModel::leaseColumn()
{
    FleetModel model;
    model.applyFleet(fleet(T0, {instance(QStringLiteral("host-a"), 1, InstanceState::Up)}));
    QJsonObject figures = fixture();
    QCOMPARE(cell(model, QStringLiteral("host-a"), FleetModel::Lease), QString()); // no snapshot yet
    set(figures, {QStringLiteral("server"), QStringLiteral("lease")},
        QJsonObject{{QStringLiteral("state"), QStringLiteral("held")}, {QStringLiteral("epoch"), 4}});
    model.applySnapshot(snapshot(QStringLiteral("host-a"), T0, figures));
    QCOMPARE(cell(model, QStringLiteral("host-a"), FleetModel::Lease), QStringLiteral("held · epoch 4"));
    QCOMPARE(model.data(model.index(0, FleetModel::Lease), FleetModel::SortRole).toInt(), 4);
    QCOMPARE(model.headerData(FleetModel::Lease, Qt::Horizontal).toString(), QStringLiteral("Lease"));
    // A server without a registry (an older one): the cell stays empty.
    set(figures, {QStringLiteral("server"), QStringLiteral("lease")}, QJsonValue());
    model.applySnapshot(snapshot(QStringLiteral("host-a"), T0 + 1000, figures));
    QCOMPARE(cell(model, QStringLiteral("host-a"), FleetModel::Lease), QString());
}

void TestFleetModel::healthColors()
{
    const QColor healthy = FleetModel::healthColor(FleetModel::Healthy);
    const QColor degraded = FleetModel::healthColor(FleetModel::Degraded);
    const QColor down = FleetModel::healthColor(FleetModel::Down);
    QCOMPARE(FleetModel::healthColor(FleetModel::Draining), degraded);
    QVERIFY(healthy != degraded && degraded != down && healthy != down);
    QVERIFY(down.red() > 200 && down.green() < 100); // a clear red
    QVERIFY(healthy.green() > healthy.red() && healthy.green() > healthy.blue());
    // Mid lightness: visible on white and on a dark base alike.
    for (const QColor &c : {healthy, degraded, down}) {
        QVERIFY2(c.lightness() > 70 && c.lightness() < 180, qPrintable(c.name()));
    }
}

void TestFleetModel::snapshotBeforeFleet()
{
    FleetModel model;
    model.applySnapshot(snapshot(QStringLiteral("host-a"), T0, fixture()));
    QCOMPARE(model.rowCount(), 0);
    model.applyFleet(fleet(T0, {instance(QStringLiteral("host-a"), 1)}));
    QCOMPARE(cell(model, QStringLiteral("host-a"), FleetModel::Cpu), QStringLiteral("2.3 %"));
    // An older snapshot arriving late changes nothing.
    QJsonObject figures = fixture();
    set(figures, {QStringLiteral("server"), QStringLiteral("process"), QStringLiteral("cpu_percent")}, 50.0);
    model.applySnapshot(snapshot(QStringLiteral("host-a"), T0 - 1000, figures));
    QCOMPARE(cell(model, QStringLiteral("host-a"), FleetModel::Cpu), QStringLiteral("2.3 %"));
}

void TestFleetModel::sortRoleAndProxy()
{
    FleetModel model;
    model.applyFleet(fleet(T0, {instance(QStringLiteral("host-a"), 1204), instance(QStringLiteral("host-b"), 980),
                                instance(QStringLiteral("host-c"), 99'000)}));
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(FleetModel::SortRole);
    proxy.sort(FleetModel::Sessions, Qt::DescendingOrder);
    QCOMPARE(proxy.index(0, FleetModel::Instance).data().toString(), QStringLiteral("host-c"));
    QCOMPARE(proxy.index(1, FleetModel::Instance).data().toString(), QStringLiteral("host-a"));
    QCOMPARE(proxy.index(2, FleetModel::Instance).data().toString(), QStringLiteral("host-b"));
}

QTEST_GUILESS_MAIN(TestFleetModel)
#include "tst_fleetmodel.moc"
