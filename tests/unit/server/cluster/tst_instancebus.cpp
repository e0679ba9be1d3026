// InstanceBus on MemoryStores sharing one keyspace (the Redis side runs in tst_crossinstance): records
// queued in one turn leave as one publish, in order; gaps, restarted senders, repeats and publishes
// nobody hears are reported; malformed envelopes and records are refused. Also the cluster record codec
// and the cleanup report's cap on listed items.
#include "server/cleanup/cleanupsweep.h"
#include "server/cluster/instancebus.h"
#include "server/hosting/clusterrooms.h"
#include "shared/store/memorystore.h"

#include <QJsonArray>
#include <QSignalSpy>
#include <QTest>

using namespace arena;

class TestInstanceBus final : public QObject
{
    Q_OBJECT

private:
    std::shared_ptr<MemoryData> m_data;

private Q_SLOTS:
    void init() { m_data = std::make_shared<MemoryData>(); }

    void envelopeRoundTripAndRefusals()
    {
        const QList<QByteArray> records{"one", QByteArray(), QByteArray("\0\xff", 2)};
        const QByteArray payload = InstanceBus::encodeEnvelope(QStringLiteral("alpha"), 7, 42, records);
        InstanceBus::Envelope e;
        QVERIFY(InstanceBus::decodeEnvelope(payload, e));
        QCOMPARE(e.from, QStringLiteral("alpha"));
        QCOMPARE(e.incarnation, 7u);
        QCOMPARE(e.seq, 42u);
        QCOMPARE(e.records, records);
        for (qsizetype cut = 0; cut < payload.size(); ++cut)
            QVERIFY2(!InstanceBus::decodeEnvelope(payload.left(cut), e), qPrintable(QString::number(cut)));
        QVERIFY(!InstanceBus::decodeEnvelope(payload + "x", e));          // trailing bytes
        QVERIFY(!InstanceBus::decodeEnvelope("XB1" + payload.mid(3), e)); // not ours
        // A count far beyond what the payload holds is refused before anything is reserved.
        QByteArray huge = InstanceBus::encodeEnvelope(QStringLiteral("a"), 1, 1, {});
        huge.chop(4);
        huge.append("\xff\xff\xff\xff", 4);
        QVERIFY(!InstanceBus::decodeEnvelope(huge, e));
    }

    void recordsOfOneTurnLeaveAsOnePublishInOrder()
    {
        MemoryStore storeA(m_data), storeB(m_data), tap(m_data);
        InstanceBus a(storeA, QStringLiteral("alpha"));
        InstanceBus b(storeB, QStringLiteral("beta"));
        tap.subscribe(InstanceBus::channel(QStringLiteral("beta")));
        QSignalSpy published(&tap, &StateStore::message);
        QSignalSpy received(&b, &InstanceBus::received);
        for (int i = 0; i < 5; ++i)
            a.send(QStringLiteral("beta"), QByteArray::number(i));
        QTRY_COMPARE(received.count(), 5);
        QCOMPARE(published.count(), 1);
        for (int i = 0; i < 5; ++i) {
            QCOMPARE(received.at(i).at(0).toString(), QStringLiteral("alpha"));
            QCOMPARE(received.at(i).at(1).toByteArray(), QByteArray::number(i));
        }
        a.send(QStringLiteral("beta"), "later");
        QTRY_COMPARE(received.count(), 6);
        QCOMPARE(published.count(), 2);
        QCOMPARE(b.link(QStringLiteral("alpha")).lastSeq, 2u);
        QCOMPARE(b.link(QStringLiteral("alpha")).incarnation, a.incarnation());
    }

    void gapsRestartsRepeatsAndNobodyListening()
    {
        MemoryStore storeB(m_data), raw(m_data);
        InstanceBus b(storeB, QStringLiteral("beta"));
        QSignalSpy received(&b, &InstanceBus::received);
        QSignalSpy broken(&b, &InstanceBus::linkBroken);
        QSignalSpy restarted(&b, &InstanceBus::peerRestarted);
        const auto publish = [&](quint64 incarnation, quint64 seq, const QByteArray &record) {
            raw.publish(InstanceBus::channel(QStringLiteral("beta")),
                        InstanceBus::encodeEnvelope(QStringLiteral("alpha"), incarnation, seq, {record}), nullptr, nullptr);
        };
        publish(11, 5, "first"); // the first message of a link sets its start: no gap
        QTRY_COMPARE(received.count(), 1);
        QCOMPARE(broken.count(), 0);
        publish(11, 8, "after a gap");
        QTRY_COMPARE(received.count(), 2);
        QCOMPARE(broken.count(), 1);
        QCOMPARE(broken.at(0).at(0).toString(), QStringLiteral("alpha"));
        QCOMPARE(broken.at(0).at(1).toULongLong(), 2u);
        publish(11, 8, "repeat");
        publish(11, 3, "old");
        publish(11, 9, "next");
        QTRY_COMPARE(received.count(), 3);
        QCOMPARE(received.last().at(1).toByteArray(), QByteArray("next"));
        publish(12, 1, "new process");
        QTRY_COMPARE(received.count(), 4);
        QCOMPARE(restarted.count(), 1);
        QCOMPARE(broken.count(), 1);
        QCOMPARE(b.link(QStringLiteral("alpha")).incarnation, 12u);

        // Garbage on the channel is dropped, and the bus goes on.
        raw.publish(InstanceBus::channel(QStringLiteral("beta")), "garbage", nullptr, nullptr);
        publish(12, 2, "still fine");
        QTRY_COMPARE(received.count(), 5);

        QSignalSpy lost(&b, &InstanceBus::undeliverable);
        b.send(QStringLiteral("nobody"), "x");
        b.send(QStringLiteral("nobody"), "y");
        QTRY_COMPARE(lost.count(), 1);
        QCOMPARE(lost.at(0).at(0).toString(), QStringLiteral("nobody"));
        QCOMPARE(lost.at(0).at(1).value<QList<QByteArray>>(), (QList<QByteArray>{"x", "y"}));
    }

    void clusterRecordCodec()
    {
        const QByteArray record = ClusterRooms::encodeRecord(ClusterRooms::Kind::Member, {"s-1", "r-2", "1"});
        ClusterRooms::Kind kind;
        QList<QByteArray> fields;
        QVERIFY(ClusterRooms::decodeRecord(record, kind, fields));
        QCOMPARE(kind, ClusterRooms::Kind::Member);
        QCOMPARE(fields, (QList<QByteArray>{"s-1", "r-2", "1"}));
        QVERIFY(ClusterRooms::decodeRecord(ClusterRooms::encodeRecord(ClusterRooms::Kind::Probe, {}), kind, fields));
        QVERIFY(fields.isEmpty());
        QVERIFY(!ClusterRooms::decodeRecord(QByteArray(), kind, fields));
        for (qsizetype cut = 2; cut < record.size(); ++cut) {
            if (cut == 1 + 4 + 3 || cut == 1 + 4 + 3 + 4 + 3) // whole fields: a shorter valid record
                continue;
            QVERIFY2(!ClusterRooms::decodeRecord(record.left(cut), kind, fields), qPrintable(QString::number(cut)));
        }
    }

    void cleanupReportNamesTheFirstItems()
    {
        CleanupReport report;
        CleanupReport::Kind big{QStringLiteral("instances"), {}, {}};
        for (int i = 0; i < 2500; ++i)
            big.items.append(QStringLiteral("ghost: session s-%1").arg(i));
        report.kinds = {big, CleanupReport::Kind{QStringLiteral("states"), {QStringLiteral("r-1")}, {}}};
        const QJsonObject json = report.toJson();
        QCOMPARE(json.value(QStringLiteral("total")).toInt(), 2501);
        QCOMPARE(json.value(QStringLiteral("counts")).toObject().value(QStringLiteral("instances")).toInt(), 2500);
        const QJsonArray listed = json.value(QStringLiteral("items")).toObject().value(QStringLiteral("instances")).toArray();
        QCOMPARE(listed.size(), CleanupReport::MaxItemsPerKind);
        QCOMPARE(listed.first().toString(), QStringLiteral("ghost: session s-0"));
        QCOMPARE(json.value(QStringLiteral("truncated")).toObject().value(QStringLiteral("instances")).toInt(), 1500);
        QVERIFY(!json.value(QStringLiteral("truncated")).toObject().contains(QStringLiteral("states")));
        QCOMPARE(json.value(QStringLiteral("items")).toObject().value(QStringLiteral("states")).toArray().size(), 1);
    }
};

QTEST_GUILESS_MAIN(TestInstanceBus)
#include "tst_instancebus.moc"
