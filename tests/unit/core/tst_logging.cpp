// Tests Logging: text and JSON line formats, JSON escaping, levels, filter rules, sinks, nesting.
#include "shared/core/config.h"
#include "shared/core/logging.h"

#include <QBuffer>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRegularExpression>
#include <QTest>
#include <QThread>

#include <memory>
#include <vector>

using namespace arena;

Q_LOGGING_CATEGORY(lcTest, "arena.test.logging")
Q_LOGGING_CATEGORY(lcOther, "arena.test.other")

namespace {

const QDateTime kTime(QDate(2026, 11, 22), QTime(12, 0, 0, 123), Qt::UTC);

QList<QByteArray> lines(const QBuffer &buffer)
{
    QList<QByteArray> result = buffer.data().split('\n');
    if (!result.isEmpty() && result.constLast().isEmpty())
        result.removeLast();
    return result;
}

QJsonObject parseLine(const QByteArray &line)
{
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(line, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return {};
    return doc.object();
}

} // namespace

class TestLogging final : public QObject
{
    Q_OBJECT

private slots:
    void textFormat();
    void jsonFormat();
    void jsonEscaping_data();
    void jsonEscaping();
    void levels_data();
    void levels();
    void installedJsonLine();
    void installedTextLine();
    void filterRulesSuppressDebug();
    void callbackSink();
    void uninstallRestoresPrevious();
    void nestedInstallations();
    void concurrentLinesStayWhole();
    void settingsAndOptions();
    void normalizedRules();
};

void TestLogging::textFormat()
{
    QCOMPARE(Logging::formatLine(LogFormat::Text, QtWarningMsg, "arena.server.rooms", QStringLiteral("room full"), kTime,
                                 QStringLiteral("arena-server"), 123),
             QByteArray("2026-11-22T12:00:00.123Z warning arena.server.rooms: room full\n"));
    QCOMPARE(Logging::formatLine(LogFormat::Text, QtInfoMsg, nullptr, QStringLiteral("x"), kTime, QString(), 1),
             QByteArray("2026-11-22T12:00:00.123Z info default: x\n"));
    // A timestamp in another zone is written in UTC.
    const QDateTime local = kTime.toOffsetFromUtc(3600);
    QVERIFY(Logging::formatLine(LogFormat::Text, QtInfoMsg, "c", QStringLiteral("x"), local, QString(), 1)
                .startsWith("2026-11-22T12:00:00.123Z "));
}

void TestLogging::jsonFormat()
{
    const QByteArray line = Logging::formatLine(LogFormat::Json, QtWarningMsg, "arena.server.rooms", QStringLiteral("room full"),
                                                kTime, QStringLiteral("arena-server"), 123);
    QCOMPARE(line, QByteArray("{\"ts\":\"2026-11-22T12:00:00.123Z\",\"level\":\"warning\",\"category\":\"arena.server.rooms\","
                              "\"msg\":\"room full\",\"target\":\"arena-server\",\"pid\":123}\n"));
    QVERIFY(!parseLine(line.chopped(1)).isEmpty());
}

void TestLogging::jsonEscaping_data()
{
    QTest::addColumn<QString>("message");
    QTest::addColumn<QByteArray>("escaped");
    QTest::addColumn<QString>("roundTrip");
    const auto row = [](const char *name, const QString &message, const QByteArray &escaped, const QString &roundTrip) {
        QTest::newRow(name) << message << escaped << roundTrip;
    };
    row("plain", QStringLiteral("hello"), "\"hello\"", QStringLiteral("hello"));
    row("quotes", QStringLiteral("say \"hi\""), "\"say \\\"hi\\\"\"", QStringLiteral("say \"hi\""));
    row("backslash", QStringLiteral("C:\\path\\"), "\"C:\\\\path\\\\\"", QStringLiteral("C:\\path\\"));
    row("newline and tab", QStringLiteral("a\nb\tc\r"), "\"a\\nb\\tc\\r\"", QStringLiteral("a\nb\tc\r"));
    row("backspace formfeed", QStringLiteral("\b\f"), "\"\\b\\f\"", QStringLiteral("\b\f"));
    row("control chars", QString(QChar(0x01)) + QChar(0x1f) + QChar(0x7f), "\"\\u0001\\u001f\\u007f\"",
        QString(QChar(0x01)) + QChar(0x1f) + QChar(0x7f));
    row("nul", QString(QChar(0)), "\"\\u0000\"", QString(QChar(0)));
    row("utf8", QStringLiteral("Grüße ☃"), QByteArray("\"Gr\xC3\xBC\xC3\x9F" "e \xE2\x98\x83\""), QStringLiteral("Grüße ☃"));
    row("astral", QString::fromUtf8("\xF0\x9F\x8E\xAE"), QByteArray("\"\xF0\x9F\x8E\xAE\""), QString::fromUtf8("\xF0\x9F\x8E\xAE"));
    row("line separators", QString(QChar(0x2028)) + QChar(0x2029), "\"\\u2028\\u2029\"", QString(QChar(0x2028)) + QChar(0x2029));
    row("lone high surrogate", QStringLiteral("a") + QChar(0xd83c) + QStringLiteral("b"), QByteArray("\"a\xEF\xBF\xBD" "b\""),
        QStringLiteral("a") + QChar(QChar::ReplacementCharacter) + QStringLiteral("b"));
    row("lone low surrogate", QString(QChar(0xdc00)), QByteArray("\"\xEF\xBF\xBD\""), QString(QChar(QChar::ReplacementCharacter)));
}

void TestLogging::jsonEscaping()
{
    QFETCH(QString, message);
    QFETCH(QByteArray, escaped);
    QFETCH(QString, roundTrip);
    QCOMPARE(Logging::jsonString(message), escaped);
    const QByteArray line = Logging::formatLine(LogFormat::Json, QtInfoMsg, "c", message, kTime, QStringLiteral("t\"x"), 1);
    QVERIFY(line.endsWith('\n'));
    QCOMPARE(line.count('\n'), 1); // one line whatever the message holds
    const QJsonObject o = parseLine(line);
    QVERIFY2(!o.isEmpty(), line.constData());
    QCOMPARE(o.value(QStringLiteral("msg")).toString(), roundTrip);
    QCOMPARE(o.value(QStringLiteral("target")).toString(), QStringLiteral("t\"x"));
}

void TestLogging::levels_data()
{
    QTest::addColumn<int>("type");
    QTest::addColumn<QString>("name");
    QTest::newRow("debug") << int(QtDebugMsg) << QStringLiteral("debug");
    QTest::newRow("info") << int(QtInfoMsg) << QStringLiteral("info");
    QTest::newRow("warning") << int(QtWarningMsg) << QStringLiteral("warning");
    QTest::newRow("critical") << int(QtCriticalMsg) << QStringLiteral("critical");
    QTest::newRow("fatal") << int(QtFatalMsg) << QStringLiteral("fatal");
}

void TestLogging::levels()
{
    QFETCH(int, type);
    QFETCH(QString, name);
    QCOMPARE(Logging::levelName(QtMsgType(type)), name);
    const QJsonObject o = parseLine(Logging::formatLine(LogFormat::Json, QtMsgType(type), "c", QStringLiteral("m"), kTime, {}, 1));
    QCOMPARE(o.value(QStringLiteral("level")).toString(), name);
}

void TestLogging::installedJsonLine()
{
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    {
        Logging logging({LogFormat::Json, QString(), QStringLiteral("arena-test")}, &buffer);
        logging.install();
        QVERIFY(logging.isInstalled());
        const QDateTime before = QDateTime::currentDateTimeUtc().addMSecs(-1);
        qCWarning(lcTest) << "room" << 7 << "is full";
        qCInfo(lcTest, "quote \" and\nnewline");
        qCCritical(lcOther).noquote() << "bad";
        const QDateTime after = QDateTime::currentDateTimeUtc().addMSecs(1);

        const QList<QByteArray> all = lines(buffer);
        QCOMPARE(all.size(), 3);
        const QJsonObject first = parseLine(all.at(0));
        QCOMPARE(first.value(QStringLiteral("level")).toString(), QStringLiteral("warning"));
        QCOMPARE(first.value(QStringLiteral("category")).toString(), QStringLiteral("arena.test.logging"));
        QCOMPARE(first.value(QStringLiteral("msg")).toString(), QStringLiteral("room 7 is full"));
        QCOMPARE(first.value(QStringLiteral("target")).toString(), QStringLiteral("arena-test"));
        QCOMPARE(first.value(QStringLiteral("pid")).toInteger(), QCoreApplication::applicationPid());
        const QString ts = first.value(QStringLiteral("ts")).toString();
        QVERIFY2(QRegularExpression(QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z$")).match(ts).hasMatch(),
                 qPrintable(ts));
        const QDateTime when = QDateTime::fromString(ts, Qt::ISODateWithMs);
        QVERIFY(when >= before && when <= after);
        QVERIFY(all.at(0).startsWith("{\"ts\":")); // field order as documented

        QCOMPARE(parseLine(all.at(1)).value(QStringLiteral("msg")).toString(), QStringLiteral("quote \" and\nnewline"));
        QCOMPARE(parseLine(all.at(1)).value(QStringLiteral("level")).toString(), QStringLiteral("info"));
        QCOMPARE(parseLine(all.at(2)).value(QStringLiteral("category")).toString(), QStringLiteral("arena.test.other"));
        QCOMPARE(parseLine(all.at(2)).value(QStringLiteral("level")).toString(), QStringLiteral("critical"));
    }
}

void TestLogging::installedTextLine()
{
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    Logging logging({LogFormat::Text, QString(), QStringLiteral("arena-test")}, &buffer);
    logging.install();
    qCWarning(lcTest, "disk %d%% full", 93);
    logging.uninstall();
    const QList<QByteArray> all = lines(buffer);
    QCOMPARE(all.size(), 1);
    QVERIFY2(QRegularExpression(QStringLiteral("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z warning arena\\.test\\.logging: disk 93% full$"))
                 .match(QString::fromUtf8(all.at(0)))
                 .hasMatch(),
             all.at(0).constData());
}

void TestLogging::filterRulesSuppressDebug()
{
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    {
        Logging logging({LogFormat::Json, QStringLiteral("*.debug=false"), QString()}, &buffer);
        logging.install();
        QVERIFY(!lcTest().isDebugEnabled());
        qCDebug(lcTest) << "hidden";
        qCInfo(lcTest) << "shown";
        const QList<QByteArray> all = lines(buffer);
        QCOMPARE(all.size(), 1);
        QCOMPARE(parseLine(all.at(0)).value(QStringLiteral("msg")).toString(), QStringLiteral("shown"));
    }
    buffer.buffer().clear();
    buffer.seek(0);
    {
        // Later rules win: debug on for one category only; ';' separates rules.
        Logging logging({LogFormat::Json, QStringLiteral("*.debug=false; arena.test.logging.debug=true"), QString()}, &buffer);
        logging.install();
        qCDebug(lcTest) << "wanted";
        qCDebug(lcOther) << "unwanted";
        const QList<QByteArray> all = lines(buffer);
        QCOMPARE(all.size(), 1);
        QCOMPARE(parseLine(all.at(0)).value(QStringLiteral("msg")).toString(), QStringLiteral("wanted"));
        QCOMPARE(parseLine(all.at(0)).value(QStringLiteral("level")).toString(), QStringLiteral("debug"));
    }
    QVERIFY(lcOther().isDebugEnabled()); // rules are cleared again after the last uninstall
}

void TestLogging::callbackSink()
{
    QList<QByteArray> received;
    Logging logging({LogFormat::Text, QString(), QString()}, [&received](const QByteArray &line) { received.append(line); });
    logging.install();
    qCWarning(lcTest) << "one";
    qCWarning(lcTest) << "two";
    logging.uninstall();
    QCOMPARE(received.size(), 2);
    QVERIFY(received.at(0).endsWith(" warning arena.test.logging: one\n"));
    QVERIFY(received.at(1).endsWith(" warning arena.test.logging: two\n"));
}

void TestLogging::uninstallRestoresPrevious()
{
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    {
        Logging logging({LogFormat::Text, QString(), QString()}, &buffer);
        logging.install();
        qCWarning(lcTest) << "captured";
    }
    // QTest's own handler is back: it sees (and swallows) this expected message, ours does not.
    QTest::ignoreMessage(QtWarningMsg, "after");
    qCWarning(lcTest) << "after";
    QCOMPARE(lines(buffer).size(), 1);
}

void TestLogging::nestedInstallations()
{
    QList<QByteArray> outer;
    QList<QByteArray> inner;
    Logging outerLogging({LogFormat::Text, QString(), QString()}, [&outer](const QByteArray &l) { outer.append(l); });
    outerLogging.install();
    {
        Logging innerLogging({LogFormat::Text, QString(), QString()}, [&inner](const QByteArray &l) { inner.append(l); });
        innerLogging.install();
        qCWarning(lcTest) << "to inner";
    }
    qCWarning(lcTest) << "to outer";
    outerLogging.uninstall();
    QCOMPARE(inner.size(), 1);
    QVERIFY(inner.at(0).endsWith("to inner\n"));
    QCOMPARE(outer.size(), 1);
    QVERIFY(outer.at(0).endsWith("to outer\n"));

    // Out-of-order uninstall leaves the remaining installation working.
    QList<QByteArray> a;
    QList<QByteArray> b;
    auto first = std::make_unique<Logging>(LogOptions{}, [&a](const QByteArray &l) { a.append(l); });
    auto second = std::make_unique<Logging>(LogOptions{}, [&b](const QByteArray &l) { b.append(l); });
    first->install();
    second->install();
    first.reset();
    qCWarning(lcTest) << "x";
    second.reset();
    QCOMPARE(a.size(), 0);
    QCOMPARE(b.size(), 1);
    QTest::ignoreMessage(QtWarningMsg, "back to QTest");
    qCWarning(lcTest) << "back to QTest";
}

void TestLogging::concurrentLinesStayWhole()
{
    QBuffer buffer;
    QVERIFY(buffer.open(QIODevice::WriteOnly));
    Logging logging({LogFormat::Json, QString(), QStringLiteral("arena-test")}, &buffer);
    logging.install();
    constexpr int threads = 4;
    constexpr int perThread = 200;
    std::vector<std::unique_ptr<QThread>> workers;
    for (int t = 0; t < threads; ++t) {
        workers.emplace_back(QThread::create([t] {
            for (int i = 0; i < perThread; ++i)
                qCWarning(lcTest, "thread %d line %d with \"quotes\"", t, i);
        }));
        workers.back()->start();
    }
    for (auto &w : workers)
        QVERIFY(w->wait(30000));
    logging.uninstall();
    const QList<QByteArray> all = lines(buffer);
    QCOMPARE(all.size(), threads * perThread);
    for (const QByteArray &line : all)
        QVERIFY2(parseLine(line).value(QStringLiteral("msg")).toString().startsWith(QStringLiteral("thread ")), line.constData());
}

void TestLogging::settingsAndOptions()
{
    const QList<SettingSpec> specs = loggingSettings();
    QCOMPARE(specs.size(), 2);
    QCOMPARE(specs.at(0).key, QStringLiteral("log-format"));
    QCOMPARE(specs.at(0).type, SettingType::Enum);
    QCOMPARE(specs.at(0).allowed, (QStringList{QStringLiteral("text"), QStringLiteral("json")}));
    QCOMPARE(specs.at(1).key, QStringLiteral("log-rules"));
    for (const SettingSpec &spec : specs)
        QVERIFY(spec.validate().ok());

    Config cfg(specs, QStringLiteral("arena-agent"));
    QVERIFY(cfg.load({QStringLiteral("arena-agent"), QStringLiteral("--log-format"), QStringLiteral("json")},
                     QProcessEnvironment())
                .ok());
    LogOptions options = Logging::optionsFrom(cfg);
    QCOMPARE(options.format, LogFormat::Json);
    QCOMPARE(options.filterRules, QStringLiteral("*.debug=false"));
    QCOMPARE(options.target, QStringLiteral("arena-agent"));

    QProcessEnvironment env;
    env.insert(QStringLiteral("ARENA_LOG_RULES"), QStringLiteral("arena.*.debug=true"));
    QVERIFY(cfg.load({QStringLiteral("arena-agent")}, env).ok());
    options = Logging::optionsFrom(cfg);
    QCOMPARE(options.format, LogFormat::Text);
    QCOMPARE(options.filterRules, QStringLiteral("arena.*.debug=true"));
}

void TestLogging::normalizedRules()
{
    QCOMPARE(Logging::normalizedRules(QStringLiteral(" *.debug=false ;a.b.info=false\n\n;")),
             QStringLiteral("*.debug=false\na.b.info=false"));
    QCOMPARE(Logging::normalizedRules(QString()), QString());
}

QTEST_GUILESS_MAIN(TestLogging)
#include "tst_logging.moc"
