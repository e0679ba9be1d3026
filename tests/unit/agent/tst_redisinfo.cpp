// RedisInfo: INFO output captured with redis-cli from redis-server 7.0 on this machine — a fresh server,
// one with keys in two databases and pub/sub subscribers, INFO everything (more sections), INFO server
// (sections missing) — each also with LF line ends; and malformed text refused.
#include "agent/redisinfo.h"

#include <QFile>
#include <QJsonObject>
#include <QTest>

using namespace arena;

namespace {

QByteArray readFixture(const QString &path)
{
    QFile f(path);
    return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
}

// "0:5:2 3:2:0" -> dbs (index:keys:expires)
QList<RedisInfo::Db> dbs(const QString &spec)
{
    QList<RedisInfo::Db> out;
    for (const QString &db : spec.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        const QStringList p = db.split(QLatin1Char(':'));
        out.append(RedisInfo::Db{p.at(0).toInt(), p.at(1).toLongLong(), p.at(2).toLongLong()});
    }
    return out;
}

} // namespace

class TestRedisInfo final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void parse_data()
    {
        QTest::addColumn<QString>("file");
        QTest::addColumn<bool>("lfOnly");
        QTest::addColumn<qint64>("usedMemory"); // -1: absent (so are the other figures of that section)
        QTest::addColumn<qint64>("usedMemoryPeak");
        QTest::addColumn<qint64>("clients");
        QTest::addColumn<qint64>("opsPerSecond");
        QTest::addColumn<qint64>("totalCommands");
        QTest::addColumn<qint64>("channels");
        QTest::addColumn<qint64>("patterns");
        QTest::addColumn<qint64>("keys"); // -1: no Keyspace section
        QTest::addColumn<QString>("keyspace");

        for (const bool lf : {false, true}) {
            const char *suffix = lf ? " (LF)" : "";
            QTest::addRow("fresh%s", suffix) << "info-fresh.txt" << lf << qint64(916912) << qint64(916912) << qint64(1)
                                             << qint64(0) << qint64(0) << qint64(0) << qint64(0) << qint64(0)
                                             << QString();
            QTest::addRow("keys and pub/sub%s", suffix)
                << "info-keys-pubsub.txt" << lf << qint64(1087080) << qint64(1087080) << qint64(3) << qint64(7)
                << qint64(12) << qint64(2) << qint64(1) << qint64(7) << "0:5:2 3:2:0";
            QTest::addRow("INFO everything%s", suffix)
                << "info-everything.txt" << lf << qint64(1087216) << qint64(1087216) << qint64(3) << qint64(7)
                << qint64(13) << qint64(2) << qint64(1) << qint64(7) << "0:5:2 3:2:0";
            QTest::addRow("INFO server only%s", suffix)
                << "info-server-only.txt" << lf << qint64(-1) << qint64(-1) << qint64(-1) << qint64(-1) << qint64(-1)
                << qint64(-1) << qint64(-1) << qint64(-1) << QString();
        }
    }

    void parse()
    {
        QFETCH(QString, file);
        QFETCH(bool, lfOnly);
        QFETCH(qint64, keys);
        QFETCH(QString, keyspace);
        QByteArray text = readFixture(QFINDTESTDATA(QStringLiteral("data/redis/") + file));
        QVERIFY2(!text.isEmpty(), qPrintable(file));
        // Redis writes CRLF; both line ends are tested whatever a checkout did to the file.
        text.replace("\r\n", "\n");
        if (!lfOnly)
            text.replace("\n", "\r\n");

        const Result<RedisInfo> info = RedisInfo::parse(text);
        QVERIFY2(info.ok(), qPrintable(info.ok() ? QString() : info.error().message));
        QCOMPARE(info->version, QStringLiteral("7.0.15"));
        QCOMPARE(info->uptimeSeconds.value_or(-1), qint64(1));
        QTEST(info->usedMemory.value_or(-1), "usedMemory");
        QTEST(info->usedMemoryPeak.value_or(-1), "usedMemoryPeak");
        QTEST(info->connectedClients.value_or(-1), "clients");
        QTEST(info->opsPerSecond.value_or(-1), "opsPerSecond");
        QTEST(info->totalCommandsProcessed.value_or(-1), "totalCommands");
        QTEST(info->pubsubChannels.value_or(-1), "channels");
        QTEST(info->pubsubPatterns.value_or(-1), "patterns");
        QCOMPARE(info->totalKeys().value_or(-1), keys);
        QVERIFY(info->keyspace == dbs(keyspace));

        // The JSON form carries the same figures, and leaves out what INFO did not say.
        const QJsonObject json = info->toJson();
        QCOMPARE(json.value(QStringLiteral("version")).toString(), QStringLiteral("7.0.15"));
        QCOMPARE(json.value(QStringLiteral("used_memory")).toInteger(-1), info->usedMemory.value_or(-1));
        QCOMPARE(json.value(QStringLiteral("pubsub_channels")).toInteger(-1), info->pubsubChannels.value_or(-1));
        QCOMPARE(json.value(QStringLiteral("keys")).toInteger(-1), keys);
        QCOMPARE(json.contains(QStringLiteral("keyspace")), keys >= 0);
        for (const RedisInfo::Db &db : info->keyspace) {
            const QJsonObject o = json.value(QStringLiteral("keyspace")).toObject().value(QStringLiteral("db%1").arg(db.index)).toObject();
            QCOMPARE(o.value(QStringLiteral("keys")).toInteger(), db.keys);
            QCOMPARE(o.value(QStringLiteral("expires")).toInteger(), db.expires);
        }
    }

    void parseRejectsMalformed_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::newRow("empty") << QByteArray();
        QTest::newRow("an error reply's text") << QByteArray("NOPERM this user has no permissions to run the 'info' command");
        QTest::newRow("unknown fields only") << QByteArray("# Server\r\nfoo:1\r\nbar:2\r\n");
        QTest::newRow("figure not a number") << QByteArray("# Memory\r\nused_memory:lots\r\n");
        QTest::newRow("bad keyspace line") << QByteArray("# Keyspace\r\ndb0:keys=x,expires=0\r\n");
        QTest::newRow("keyspace line without keys") << QByteArray("# Keyspace\r\ndb0:expires=1\r\n");
    }

    void parseRejectsMalformed()
    {
        QFETCH(QByteArray, text);
        const Result<RedisInfo> info = RedisInfo::parse(text);
        QVERIFY(!info.ok());
        QCOMPARE(info.error().code, QStringLiteral("invalid_info"));
    }

    void emptyKeyspaceMeansNoKeys()
    {
        // A Keyspace section without db lines means no keys (0), not "unknown".
        const Result<RedisInfo> info = RedisInfo::parse("# Server\r\nredis_version:7.2.4\r\n\r\n# Keyspace\r\n");
        QVERIFY(info.ok());
        QCOMPARE(info->version, QStringLiteral("7.2.4"));
        QCOMPARE(info->totalKeys(), std::optional<qint64>(0));
        QVERIFY(!info->usedMemory);
        QVERIFY(!info->toJson().contains(QStringLiteral("used_memory")));
    }
};

QTEST_GUILESS_MAIN(TestRedisInfo)
#include "tst_redisinfo.moc"
