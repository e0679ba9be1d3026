// WorkersModel: one instance's workers, updated by worker id without resets.
#include "console/core/workersmodel.h"

#include <QAbstractItemModelTester>
#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using arena::console::WorkersModel;
using arena::protocol::Snapshot;

namespace {

constexpr quint64 T0 = 1'795'363'200'000;

QJsonObject worker(const QString &id, int pid, int matches, double cpu = 0.8, const QString &state = QStringLiteral("ready"))
{
    return QJsonObject{{QStringLiteral("id"), id},
                       {QStringLiteral("pid"), pid},
                       {QStringLiteral("state"), state},
                       {QStringLiteral("matches"), matches},
                       {QStringLiteral("exists"), true},
                       {QStringLiteral("cpu_percent"), cpu},
                       {QStringLiteral("rss_kb"), 21504},
                       {QStringLiteral("uptime_s"), 41},
                       {QStringLiteral("restarts"), 0},
                       {QStringLiteral("tick_lag_p99_ms"), 0.09},
                       {QStringLiteral("tick_lag_max_ms"), 0.2},
                       {QStringLiteral("last_heard_ms_ago"), 312}};
}

Snapshot snapshot(const QString &instance, const QJsonArray &workers, quint64 time = T0)
{
    Snapshot s;
    s.instance = instance;
    s.time = time;
    s.figures = arena::protocol::RawJson::fromJsonObject(
        QJsonObject{{QStringLiteral("workers"), QJsonObject{{QStringLiteral("list"), workers}}}});
    return s;
}

} // namespace

class TestWorkersModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void passesModelTesterThroughASequence();
    void ignoresOtherInstances();
    void updatesByIdWithoutReset();
    void formatting();
    void downServerEmptiesTheList();
};

void TestWorkersModel::passesModelTesterThroughASequence()
{
    WorkersModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    const QString a = QStringLiteral("host-a");
    model.setInstance(a);
    model.applySnapshot(snapshot(a, {worker(QStringLiteral("w1"), 10, 1)}));
    model.applySnapshot(snapshot(a, {worker(QStringLiteral("w1"), 10, 2), worker(QStringLiteral("w2"), 11, 0)}));
    model.applySnapshot(snapshot(a, {worker(QStringLiteral("w2"), 11, 3), worker(QStringLiteral("w3"), 12, 0),
                                     worker(QStringLiteral("w4"), 13, 0)}));
    model.applySnapshot(snapshot(a, {worker(QStringLiteral("w4"), 13, 0), worker(QStringLiteral("w2"), 11, 3)}));
    QCOMPARE(model.rowCount(), 2);
    model.applySnapshot(snapshot(a, {}));
    QCOMPARE(model.rowCount(), 0);
    model.applySnapshot(snapshot(a, {worker(QStringLiteral("w5"), 14, 0)}));
    model.setInstance(QStringLiteral("host-b"));
    QCOMPARE(model.rowCount(), 0);
    model.applySnapshot(snapshot(QStringLiteral("host-b"), {worker(QStringLiteral("w1"), 20, 0)}));
    QCOMPARE(model.rowCount(), 1);
    for (int c = 0; c < WorkersModel::ColumnCount; ++c)
        QVERIFY(!model.headerData(c, Qt::Horizontal).toString().isEmpty());
}

void TestWorkersModel::ignoresOtherInstances()
{
    WorkersModel model;
    model.applySnapshot(snapshot(QStringLiteral("host-a"), {worker(QStringLiteral("w1"), 10, 1)}));
    QCOMPARE(model.rowCount(), 0); // no instance chosen yet
    model.setInstance(QStringLiteral("host-a"));
    model.applySnapshot(snapshot(QStringLiteral("host-b"), {worker(QStringLiteral("w1"), 10, 1)}));
    QCOMPARE(model.rowCount(), 0);
    QCOMPARE(model.instance(), QStringLiteral("host-a"));
}

void TestWorkersModel::updatesByIdWithoutReset()
{
    WorkersModel model;
    const QString a = QStringLiteral("host-a");
    model.setInstance(a);
    model.applySnapshot(snapshot(a, {worker(QStringLiteral("w1"), 10, 1), worker(QStringLiteral("w2"), 11, 0)}));
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    QSignalSpy layout(&model, &QAbstractItemModel::layoutChanged);
    QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);

    // Same list again: nothing.
    model.applySnapshot(snapshot(a, {worker(QStringLiteral("w1"), 10, 1), worker(QStringLiteral("w2"), 11, 0)}));
    QCOMPARE(changed.size(), 0);

    // w2's matches change; reported order does not matter.
    model.applySnapshot(snapshot(a, {worker(QStringLiteral("w2"), 11, 5), worker(QStringLiteral("w1"), 10, 1)}));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(0).value<QModelIndex>(), model.index(1, WorkersModel::Matches));
    QCOMPARE(changed.at(0).at(1).value<QModelIndex>(), model.index(1, WorkersModel::Matches));
    QCOMPARE(model.workerAt(0), QStringLiteral("w1"));

    // w1 replaced by w3 (w1 died and the pool started another).
    model.applySnapshot(snapshot(a, {worker(QStringLiteral("w2"), 11, 5), worker(QStringLiteral("w3"), 12, 0)}));
    QCOMPARE(removed.size(), 1);
    QCOMPARE(inserted.size(), 1);
    QCOMPARE(model.workerAt(0), QStringLiteral("w2"));
    QCOMPARE(model.workerAt(1), QStringLiteral("w3"));
    QCOMPARE(model.rowOf(QStringLiteral("w3")), 1);
    QCOMPARE(model.data(model.index(1, WorkersModel::Cpu), WorkersModel::WorkerIdRole).toString(), QStringLiteral("w3"));
    QCOMPARE(reset.size(), 0);
    QCOMPARE(layout.size(), 0);

    // A field without a column (last_heard_ms_ago) still tells WorkerRole users.
    changed.clear();
    QJsonObject w2 = worker(QStringLiteral("w2"), 11, 5);
    w2.insert(QStringLiteral("last_heard_ms_ago"), 12);
    model.applySnapshot(snapshot(a, {w2, worker(QStringLiteral("w3"), 12, 0)}));
    QCOMPARE(changed.size(), 1);
    QCOMPARE(changed.at(0).at(2).value<QList<int>>(), QList<int>{WorkersModel::WorkerRole});
    QCOMPARE(model.workerObject(0).value(QStringLiteral("last_heard_ms_ago")).toInt(), 12);

    model.setInstance(a); // unchanged: no reset
    QCOMPARE(reset.size(), 0);
    model.setInstance(QStringLiteral("host-b"));
    QCOMPARE(reset.size(), 1);
}

void TestWorkersModel::formatting()
{
    WorkersModel model;
    model.setInstance(QStringLiteral("host-a"));
    model.applySnapshot(snapshot(QStringLiteral("host-a"), {worker(QStringLiteral("w1"), 4720, 1234, 3.21)}));
    const auto text = [&](int column) { return model.index(0, column).data().toString(); };
    QCOMPARE(text(WorkersModel::Id), QStringLiteral("w1"));
    QCOMPARE(text(WorkersModel::Pid), QStringLiteral("4720"));
    QCOMPARE(text(WorkersModel::State), QStringLiteral("ready"));
    QCOMPARE(text(WorkersModel::Matches), QStringLiteral("1,234"));
    QCOMPARE(text(WorkersModel::Cpu), QStringLiteral("3.2 %"));
    QCOMPARE(text(WorkersModel::Rss), QStringLiteral("21.0 MiB"));
    QCOMPARE(text(WorkersModel::TickLagP99), QStringLiteral("0.09 ms"));
    QCOMPARE(text(WorkersModel::TickLagMax), QStringLiteral("0.20 ms"));
    QCOMPARE(text(WorkersModel::Uptime), QStringLiteral("00:00:41"));
    QCOMPARE(text(WorkersModel::Restarts), QStringLiteral("0"));
    QCOMPARE(model.index(0, WorkersModel::Matches).data(WorkersModel::SortRole).toDouble(), 1234.0);
}

void TestWorkersModel::downServerEmptiesTheList()
{
    WorkersModel model;
    model.setInstance(QStringLiteral("host-a"));
    model.applySnapshot(snapshot(QStringLiteral("host-a"), {worker(QStringLiteral("w1"), 10, 1)}));
    Snapshot down;
    down.instance = QStringLiteral("host-a");
    down.time = T0 + 1000;
    down.figures = arena::protocol::RawJson::fromJsonObject(
        QJsonObject{{QStringLiteral("server"), QJsonObject{{QStringLiteral("state"), QStringLiteral("down")}}}});
    model.applySnapshot(down);
    QCOMPARE(model.rowCount(), 0);
}

QTEST_GUILESS_MAIN(TestWorkersModel)
#include "tst_workersmodel.moc"
