// EventLogModel (bounded, oldest dropped) and EventFilterModel (kinds, severity, search).
#include "console/core/eventfiltermodel.h"
#include "console/core/eventlogmodel.h"

#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTest>

using arena::console::Event;
using arena::console::EventFilterModel;
using arena::console::EventLogModel;

namespace {

constexpr qint64 T0 = 1'795'363'200'000; // 2026-11-22T16:00:00Z

Event makeEvent(int n, Event::Kind kind = Event::Kind::Instance, Event::Severity severity = Event::Severity::Info,
            const QString &instance = QStringLiteral("host-a"))
{
    return Event{T0 + n * 1000, kind, severity, instance, QStringLiteral("event %1").arg(n)};
}

} // namespace

class TestEventLogModel : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void boundedUnderModelTester();
    void batchLargerThanTheBound();
    void columnsAndRoles();
    void setMaxRowsTrims();
    void timeShowsTheDateUnlessToday_data();
    void timeShowsTheDateUnlessToday();
    void filterByKindSeverityAndText();
    void filterUnderModelTesterWhileAppending();
};

void TestEventLogModel::boundedUnderModelTester()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QSignalSpy inserted(&model, &QAbstractItemModel::rowsInserted);
    QSignalSpy removed(&model, &QAbstractItemModel::rowsRemoved);
    QSignalSpy reset(&model, &QAbstractItemModel::modelReset);
    // The tester walks the whole model on every signal, so one append() per event over 5000 rows would
    // take minutes: the first 5900 come in batches of 100, the last 100 one by one at the bound.
    int n = 0;
    for (int batch = 0; batch < 59; ++batch) {
        QList<Event> events;
        for (int i = 0; i < 100; ++i)
            events.append(makeEvent(n++));
        model.appendEvents(events);
        QCOMPARE(model.rowCount(), std::min(n, EventLogModel::DefaultMaxRows));
    }
    QCOMPARE(removed.size(), 9); // batches 51 to 59, 100 oldest rows each
    for (const QList<QVariant> &args : std::as_const(removed)) {
        QCOMPARE(args.at(1).toInt(), 0);
        QCOMPARE(args.at(2).toInt(), 99);
    }
    removed.clear();
    inserted.clear();
    while (n < 6000)
        model.append(makeEvent(n++));
    QCOMPARE(model.rowCount(), EventLogModel::DefaultMaxRows);
    QCOMPARE(inserted.size(), 100);
    QCOMPARE(removed.size(), 100);
    for (const QList<QVariant> &args : std::as_const(removed)) {
        QCOMPARE(args.at(1).toInt(), 0);
        QCOMPARE(args.at(2).toInt(), 0);
    }
    QCOMPARE(reset.size(), 0);
    QCOMPARE(model.eventAt(0).text, QStringLiteral("event 1000"));
    QCOMPARE(model.eventAt(model.rowCount() - 1).text, QStringLiteral("event 5999"));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
}

void TestEventLogModel::batchLargerThanTheBound()
{
    EventLogModel model;
    model.setMaxRows(10);
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.append(makeEvent(0));
    QList<Event> events;
    for (int i = 1; i <= 25; ++i)
        events.append(makeEvent(i));
    model.appendEvents(events);
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(model.eventAt(0).text, QStringLiteral("event 16"));
    QCOMPARE(model.eventAt(9).text, QStringLiteral("event 25"));
    model.appendEvents({});
    QCOMPARE(model.rowCount(), 10);
}

void TestEventLogModel::columnsAndRoles()
{
    EventLogModel model;
    model.setUtc(true);
    model.append(Event{T0 - 4 * 3600'000 + 67'000, Event::Kind::Worker, Event::Severity::Warning, QStringLiteral("host-a"),
                       QStringLiteral("worker died on host-a, 14 matches restored")});
    QCOMPARE(model.columnCount(), int(EventLogModel::ColumnCount));
    const auto at = [&](int column, int role = Qt::DisplayRole) { return model.index(0, column).data(role); };
    model.setClock([] { return T0; });
    QCOMPARE(at(EventLogModel::Time).toString(), QStringLiteral("12:01:07"));
    QCOMPARE(at(EventLogModel::Severity).toString(), QStringLiteral("warning"));
    QCOMPARE(at(EventLogModel::Kind).toString(), QStringLiteral("worker"));
    QCOMPARE(at(EventLogModel::Instance).toString(), QStringLiteral("host-a"));
    QCOMPARE(at(EventLogModel::Text).toString(), QStringLiteral("worker died on host-a, 14 matches restored"));
    QCOMPARE(at(EventLogModel::Time, EventLogModel::SortRole).toLongLong(), T0 - 4 * 3600'000 + 67'000);
    QCOMPARE(at(EventLogModel::Text, EventLogModel::KindRole).toInt(), int(Event::Kind::Worker));
    QCOMPARE(at(EventLogModel::Text, EventLogModel::SeverityRole).toInt(), int(Event::Severity::Warning));
    QVERIFY(at(EventLogModel::Severity, Qt::ForegroundRole).value<QColor>().isValid());
    QCOMPARE(at(EventLogModel::Time, Qt::ToolTipRole).toString(), QStringLiteral("2026-11-22T12:01:07.000Z"));
    for (int c = 0; c < EventLogModel::ColumnCount; ++c)
        QVERIFY(!model.headerData(c, Qt::Horizontal).toString().isEmpty());
}

void TestEventLogModel::timeShowsTheDateUnlessToday_data()
{
    QTest::addColumn<qint64>("now");
    QTest::addColumn<qint64>("time");
    QTest::addColumn<QString>("shown");
    constexpr qint64 day = 24 * 3600'000;
    QTest::newRow("same day") << T0 << T0 - 4 * 3600'000 + 67'000 << QStringLiteral("12:01:07");
    QTest::newRow("midnight is today") << T0 << T0 - 16 * 3600'000 << QStringLiteral("00:00:00");
    QTest::newRow("yesterday") << T0 << T0 - 16 * 3600'000 - 1000 << QStringLiteral("2026-11-21 23:59:59");
    QTest::newRow("a day later") << T0 + day << T0 - 4 * 3600'000 + 67'000 << QStringLiteral("2026-11-22 12:01:07");
    QTest::newRow("future day") << T0 << T0 + day << QStringLiteral("2026-11-23 16:00:00");
}

void TestEventLogModel::timeShowsTheDateUnlessToday()
{
    QFETCH(qint64, now);
    QFETCH(qint64, time);
    QFETCH(QString, shown);
    EventLogModel model;
    model.setUtc(true);
    model.setClock([now] { return now; });
    model.append(Event{time, Event::Kind::Instance, Event::Severity::Info, QStringLiteral("host-a"), QStringLiteral("x")});
    QCOMPARE(model.index(0, EventLogModel::Time).data().toString(), shown);
    // The sort key and the tooltip keep the full time whatever is shown.
    QCOMPARE(model.index(0, EventLogModel::Time).data(EventLogModel::SortRole).toLongLong(), time);
}

void TestEventLogModel::setMaxRowsTrims()
{
    EventLogModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int i = 0; i < 100; ++i)
        model.append(makeEvent(i));
    model.setMaxRows(10);
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(model.eventAt(0).text, QStringLiteral("event 90"));
    model.append(makeEvent(100));
    QCOMPARE(model.rowCount(), 10);
    QCOMPARE(model.eventAt(9).text, QStringLiteral("event 100"));
}

void TestEventLogModel::filterByKindSeverityAndText()
{
    EventLogModel model;
    model.append(makeEvent(0, Event::Kind::Instance, Event::Severity::Error, QStringLiteral("host-a")));
    model.append(makeEvent(1, Event::Kind::Worker, Event::Severity::Warning, QStringLiteral("host-b")));
    model.append(makeEvent(2, Event::Kind::Cleanup, Event::Severity::Info, QStringLiteral("HOST-C")));
    model.append(makeEvent(3, Event::Kind::Connection, Event::Severity::Info, QString()));
    EventFilterModel filter;
    QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    filter.setSourceModel(&model);
    QCOMPARE(filter.rowCount(), 4);

    filter.setKinds({Event::Kind::Worker, Event::Kind::Cleanup});
    QCOMPARE(filter.rowCount(), 2);
    filter.setMinimumSeverity(Event::Severity::Warning);
    QCOMPARE(filter.rowCount(), 1);
    QCOMPARE(filter.index(0, EventLogModel::Instance).data().toString(), QStringLiteral("host-b"));
    filter.setKinds({});
    QCOMPARE(filter.rowCount(), 0);

    filter.setKinds({Event::Kind::Instance, Event::Kind::Worker, Event::Kind::Cleanup, Event::Kind::Action, Event::Kind::Connection});
    filter.setMinimumSeverity(Event::Severity::Info);
    filter.setSearchText(QStringLiteral("host-c"));
    QCOMPARE(filter.rowCount(), 1); // case-insensitive over the instance
    filter.setSearchText(QStringLiteral("EVENT 3"));
    QCOMPARE(filter.rowCount(), 1); // and over the text
    filter.setSearchText(QString());
    QCOMPARE(filter.rowCount(), 4);

    // Newest first through the sort role.
    filter.sort(EventLogModel::Time, Qt::DescendingOrder);
    QCOMPARE(filter.index(0, EventLogModel::Text).data().toString(), QStringLiteral("event 3"));
}

void TestEventLogModel::filterUnderModelTesterWhileAppending()
{
    EventLogModel model;
    model.setMaxRows(500);
    EventFilterModel filter;
    filter.setSourceModel(&model);
    filter.setMinimumSeverity(Event::Severity::Warning);
    filter.sort(EventLogModel::Time, Qt::DescendingOrder);
    QAbstractItemModelTester tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    for (int i = 0; i < 1200; ++i)
        model.append(makeEvent(i, Event::Kind(i % 5), Event::Severity(i % 3)));
    QCOMPARE(model.rowCount(), 500);
    int expected = 0;
    for (int r = 0; r < model.rowCount(); ++r)
        expected += model.eventAt(r).severity >= Event::Severity::Warning ? 1 : 0;
    QCOMPARE(filter.rowCount(), expected);
}

QTEST_GUILESS_MAIN(TestEventLogModel)
#include "tst_eventlogmodel.moc"
