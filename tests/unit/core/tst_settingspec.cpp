// Tests SettingSpec: parsing and checking of every setting type, durations, keys, spec validation.
#include "shared/core/settingspec.h"

#include <QTemporaryDir>
#include <QFile>
#include <QTest>
#include <QUrl>

using namespace arena;
using namespace std::chrono_literals;

class TestSettingSpec final : public QObject
{
    Q_OBJECT

private slots:
    void parseDuration_data();
    void parseDuration();
    void formatDuration_data();
    void formatDuration();
    void parseBool_data();
    void parseBool();
    void integer_data();
    void integer();
    void durationRange();
    void enumeration();
    void url_data();
    void url();
    void filePath();
    void stringList();
    void string();
    void envName();
    void keys_data();
    void keys();
    void validate();
    void typeDescriptions();
};

void TestSettingSpec::parseDuration_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("ms");
    QTest::newRow("ms") << QStringLiteral("1500ms") << true << qint64(1500);
    QTest::newRow("seconds") << QStringLiteral("30s") << true << qint64(30000);
    QTest::newRow("minutes") << QStringLiteral("5m") << true << qint64(300000);
    QTest::newRow("hours") << QStringLiteral("1h") << true << qint64(3600000);
    QTest::newRow("plain integer is ms") << QStringLiteral("250") << true << qint64(250);
    QTest::newRow("zero") << QStringLiteral("0") << true << qint64(0);
    QTest::newRow("surrounding spaces") << QStringLiteral(" 2s ") << true << qint64(2000);
    QTest::newRow("fraction") << QStringLiteral("1.5s") << false << qint64(0);
    QTest::newRow("negative") << QStringLiteral("-5s") << false << qint64(0);
    QTest::newRow("unknown unit") << QStringLiteral("5d") << false << qint64(0);
    QTest::newRow("space before unit") << QStringLiteral("5 s") << false << qint64(0);
    QTest::newRow("empty") << QString() << false << qint64(0);
    QTest::newRow("word") << QStringLiteral("soon") << false << qint64(0);
    QTest::newRow("overflow") << QStringLiteral("9223372036854775807h") << false << qint64(0);
}

void TestSettingSpec::parseDuration()
{
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(qint64, ms);
    const Result<std::chrono::milliseconds> result = arena::parseDuration(text);
    QCOMPARE(result.ok(), ok);
    if (ok)
        QCOMPARE(result.value().count(), ms);
    else
        QVERIFY(!result.error().message.isEmpty());
}

void TestSettingSpec::formatDuration_data()
{
    QTest::addColumn<qint64>("ms");
    QTest::addColumn<QString>("text");
    QTest::newRow("zero") << qint64(0) << QStringLiteral("0ms");
    QTest::newRow("ms") << qint64(1500) << QStringLiteral("1500ms");
    QTest::newRow("s") << qint64(30000) << QStringLiteral("30s");
    QTest::newRow("m") << qint64(300000) << QStringLiteral("5m");
    QTest::newRow("90s") << qint64(90000) << QStringLiteral("90s");
    QTest::newRow("h") << qint64(7200000) << QStringLiteral("2h");
}

void TestSettingSpec::formatDuration()
{
    QFETCH(qint64, ms);
    QFETCH(QString, text);
    QCOMPARE(arena::formatDuration(std::chrono::milliseconds(ms)), text);
    QCOMPARE(arena::parseDuration(text).value().count(), ms); // round trip
}

void TestSettingSpec::parseBool_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<int>("expected"); // -1: invalid
    for (const char *t : {"true", "TRUE", "yes", "on", "1", " True "})
        QTest::newRow(t) << QString::fromLatin1(t) << 1;
    for (const char *f : {"false", "No", "off", "0"})
        QTest::newRow(f) << QString::fromLatin1(f) << 0;
    for (const char *bad : {"", "maybe", "2", "tru"})
        QTest::newRow(qPrintable(QStringLiteral("bad '%1'").arg(QLatin1String(bad)))) << QString::fromLatin1(bad) << -1;
}

void TestSettingSpec::parseBool()
{
    QFETCH(QString, text);
    QFETCH(int, expected);
    const std::optional<bool> value = arena::parseBool(text);
    if (expected < 0) {
        QVERIFY(!value.has_value());
    } else {
        QVERIFY(value.has_value());
        QCOMPARE(*value, expected == 1);
    }
    const SettingSpec spec = SettingSpec::boolean(QStringLiteral("flag"), false, QStringLiteral("A flag."));
    const Result<QVariant> parsed = spec.parse(text);
    QCOMPARE(parsed.ok(), expected >= 0);
    if (!parsed)
        QCOMPARE(parsed.error().message,
                 QStringLiteral("\"%1\" is not a boolean (use true/false, yes/no, on/off or 1/0)").arg(text));
}

void TestSettingSpec::integer_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<qint64>("value");
    QTest::addColumn<QString>("error");
    QTest::newRow("plain") << QStringLiteral("4600") << true << qint64(4600) << QString();
    QTest::newRow("spaces") << QStringLiteral(" 42 ") << true << qint64(42) << QString();
    QTest::newRow("minimum") << QStringLiteral("0") << true << qint64(0) << QString();
    QTest::newRow("maximum") << QStringLiteral("65535") << true << qint64(65535) << QString();
    QTest::newRow("letters") << QStringLiteral("abc") << false << qint64(0) << QStringLiteral("\"abc\" is not an integer");
    QTest::newRow("trailing junk") << QStringLiteral("12ab") << false << qint64(0) << QStringLiteral("\"12ab\" is not an integer");
    QTest::newRow("float") << QStringLiteral("1.5") << false << qint64(0) << QStringLiteral("\"1.5\" is not an integer");
    QTest::newRow("empty") << QString() << false << qint64(0) << QStringLiteral("\"\" is not an integer");
    QTest::newRow("above") << QStringLiteral("70000") << false << qint64(0)
                           << QStringLiteral("\"70000\" is out of range (allowed 0..65535)");
    QTest::newRow("below") << QStringLiteral("-1") << false << qint64(0)
                           << QStringLiteral("\"-1\" is out of range (allowed 0..65535)");
    QTest::newRow("too big for 64 bits") << QStringLiteral("99999999999999999999") << false << qint64(0)
                                         << QStringLiteral("\"99999999999999999999\" is not an integer");
}

void TestSettingSpec::integer()
{
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(qint64, value);
    QFETCH(QString, error);
    const SettingSpec spec = SettingSpec::integer(QStringLiteral("player-port"), 4600, QStringLiteral("Port."), 0, 65535);
    const Result<QVariant> parsed = spec.parse(text);
    QCOMPARE(parsed.ok(), ok);
    if (ok) {
        QCOMPARE(parsed.value().typeId(), int(QMetaType::LongLong));
        QCOMPARE(parsed.value().toLongLong(), value);
    } else {
        QCOMPARE(parsed.error().message, error);
    }
}

void TestSettingSpec::durationRange()
{
    const SettingSpec spec = SettingSpec::duration(QStringLiteral("sweep"), 1min, QStringLiteral("Sweep."), 1s, 1h);
    QCOMPARE(spec.parse(QStringLiteral("30s")).value().toLongLong(), qint64(30000));
    QCOMPARE(spec.parse(QStringLiteral("1500")).value().toLongLong(), qint64(1500));
    QCOMPARE(spec.parse(QStringLiteral("10ms")).error().message, QStringLiteral("\"10ms\" is out of range (allowed 1s..1h)"));
    QCOMPARE(spec.parse(QStringLiteral("2h")).error().message, QStringLiteral("\"2h\" is out of range (allowed 1s..1h)"));
    QCOMPARE(spec.parse(QStringLiteral("soon")).error().message,
             QStringLiteral("\"soon\" is not a duration (use e.g. 1500ms, 30s, 5m, 1h, or a number of milliseconds)"));
    QCOMPARE(spec.displayValue(spec.defaultValue), QStringLiteral("1m"));
}

void TestSettingSpec::enumeration()
{
    const SettingSpec spec = SettingSpec::enumeration(QStringLiteral("log-format"),
                                                      {QStringLiteral("text"), QStringLiteral("json")},
                                                      QStringLiteral("text"), QStringLiteral("Format."));
    QCOMPARE(spec.parse(QStringLiteral("json")).value().toString(), QStringLiteral("json"));
    QCOMPARE(spec.parse(QStringLiteral("JSON")).value().toString(), QStringLiteral("json")); // canonical spelling
    QCOMPARE(spec.parse(QStringLiteral("xml")).error().message, QStringLiteral("\"xml\" is not one of text, json"));
    QCOMPARE(spec.parse(QString()).error().message, QStringLiteral("\"\" is not one of text, json"));
}

void TestSettingSpec::url_data()
{
    QTest::addColumn<QString>("text");
    QTest::addColumn<bool>("ok");
    QTest::addColumn<QString>("error");
    QTest::newRow("redis") << QStringLiteral("redis://127.0.0.1:6379/0") << true << QString();
    QTest::newRow("rediss") << QStringLiteral("rediss://cache.example:6380") << true << QString();
    QTest::newRow("empty means none") << QString() << true << QString();
    QTest::newRow("no scheme") << QStringLiteral("localhost:6379x") << false
                               << QStringLiteral("\"localhost:6379x\" has scheme \"localhost\", expected one of redis, rediss");
    QTest::newRow("relative") << QStringLiteral("just-a-host") << false
                              << QStringLiteral("\"just-a-host\" is not a valid absolute URL");
    QTest::newRow("bad port") << QStringLiteral("redis://host:99999999") << false
                              << QStringLiteral("\"redis://host:99999999\" is not a valid absolute URL");
    QTest::newRow("wrong scheme hides password") << QStringLiteral("http://user:secret@host") << false
                                                 << QStringLiteral("\"http://user@host\" has scheme \"http\", expected one of redis, rediss");
}

void TestSettingSpec::url()
{
    QFETCH(QString, text);
    QFETCH(bool, ok);
    QFETCH(QString, error);
    const SettingSpec spec = SettingSpec::url(QStringLiteral("redis"), QString(), QStringLiteral("Redis."),
                                              {QStringLiteral("redis"), QStringLiteral("rediss")});
    const Result<QVariant> parsed = spec.parse(text);
    QCOMPARE(parsed.ok(), ok);
    if (ok)
        QCOMPARE(parsed.value().toUrl(), text.isEmpty() ? QUrl() : QUrl(text));
    else
        QCOMPARE(parsed.error().message, error);
}

void TestSettingSpec::filePath()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString existing = dir.filePath(QStringLiteral("tokens"));
    QFile file(existing);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.close();

    const SettingSpec any = SettingSpec::filePath(QStringLiteral("token-file"), QString(), QStringLiteral("Tokens."));
    QCOMPARE(any.parse(dir.filePath(QStringLiteral("missing"))).value().toString(), dir.filePath(QStringLiteral("missing")));

    const SettingSpec must = SettingSpec::filePath(QStringLiteral("token-file"), QString(), QStringLiteral("Tokens."), true);
    QCOMPARE(must.parse(existing).value().toString(), existing);
    QVERIFY(must.parse(QString()).ok()); // empty: not configured
    const QString missing = dir.filePath(QStringLiteral("missing"));
    QCOMPARE(must.parse(missing).error().message, QStringLiteral("\"%1\" does not exist").arg(missing));
    QCOMPARE(must.parse(dir.path()).error().message, QStringLiteral("\"%1\" is not a readable file").arg(dir.path()));
}

void TestSettingSpec::stringList()
{
    const SettingSpec spec = SettingSpec::stringList(QStringLiteral("seeds"), {QStringLiteral("a")}, QStringLiteral("Seeds."));
    QCOMPARE(spec.parse(QStringLiteral("x, y ,,z")).value().toStringList(),
             (QStringList{QStringLiteral("x"), QStringLiteral("y"), QStringLiteral("z")}));
    QCOMPARE(spec.parse(QString()).value().toStringList(), QStringList());
    QCOMPARE(spec.displayValue(QVariant(QStringList{QStringLiteral("p"), QStringLiteral("q")})), QStringLiteral("p,q"));
}

void TestSettingSpec::string()
{
    const SettingSpec spec = SettingSpec::string(QStringLiteral("bind"), QStringLiteral("0.0.0.0"), QStringLiteral("Bind."));
    QCOMPARE(spec.parse(QStringLiteral(" keep spaces ")).value().toString(), QStringLiteral(" keep spaces "));
}

void TestSettingSpec::envName()
{
    QCOMPARE(SettingSpec::string(QStringLiteral("player-port"), {}, {}).envName(), QStringLiteral("ARENA_PLAYER_PORT"));
    QCOMPARE(SettingSpec::string(QStringLiteral("redis"), {}, {}).envName(), QStringLiteral("ARENA_REDIS"));
    QCOMPARE(SettingSpec::string(QStringLiteral("a2-b3-c"), {}, {}).envName(), QStringLiteral("ARENA_A2_B3_C"));
}

void TestSettingSpec::keys_data()
{
    QTest::addColumn<QString>("key");
    QTest::addColumn<bool>("valid");
    QTest::newRow("simple") << QStringLiteral("port") << true;
    QTest::newRow("kebab") << QStringLiteral("player-port") << true;
    QTest::newRow("digits") << QStringLiteral("http2-max-streams") << true;
    QTest::newRow("upper") << QStringLiteral("Player-port") << false;
    QTest::newRow("underscore") << QStringLiteral("player_port") << false;
    QTest::newRow("double dash") << QStringLiteral("player--port") << false;
    QTest::newRow("trailing dash") << QStringLiteral("player-") << false;
    QTest::newRow("leading digit") << QStringLiteral("2fa") << false;
    QTest::newRow("empty") << QString() << false;
}

void TestSettingSpec::keys()
{
    QFETCH(QString, key);
    QFETCH(bool, valid);
    QCOMPARE(isValidSettingKey(key), valid);
    QCOMPARE(SettingSpec::string(key, QString(), QStringLiteral("x")).validate().ok(), valid);
}

void TestSettingSpec::validate()
{
    QVERIFY(SettingSpec::integer(QStringLiteral("p"), 4600, {}, 0, 65535).validate().ok());
    const Result<void> outOfRange = SettingSpec::integer(QStringLiteral("p"), 70000, {}, 0, 65535).validate();
    QVERIFY(!outOfRange);
    QCOMPARE(outOfRange.error().message,
             QStringLiteral("setting spec \"p\": default \"70000\" is out of range (allowed 0..65535)"));
    QVERIFY(!SettingSpec::integer(QStringLiteral("p"), 1, {}, 10, 5).validate());
    QVERIFY(!SettingSpec::enumeration(QStringLiteral("e"), {QStringLiteral("a")}, QStringLiteral("b"), {}).validate());
    QVERIFY(!SettingSpec::enumeration(QStringLiteral("e"), {}, QString(), {}).validate());
    QVERIFY(!SettingSpec::url(QStringLiteral("u"), QStringLiteral("http://host:99999999"), {}).validate());
    QVERIFY(SettingSpec::url(QStringLiteral("u"), QString(), {}).validate().ok());
    QVERIFY(!SettingSpec::duration(QStringLiteral("d"), -5ms, {}).validate());

    SettingSpec wrongDefault = SettingSpec::integer(QStringLiteral("p"), 1, {});
    wrongDefault.defaultValue = QStringLiteral("1");
    QVERIFY(!wrongDefault.validate());
}

void TestSettingSpec::typeDescriptions()
{
    QCOMPARE(SettingSpec::integer(QStringLiteral("p"), 1, {}, 1, 65535).typeDescription(), QStringLiteral("integer 1..65535"));
    QCOMPARE(SettingSpec::integer(QStringLiteral("p"), 1, {}, 0).typeDescription(), QStringLiteral("integer >= 0"));
    QCOMPARE(SettingSpec::integer(QStringLiteral("p"), 1, {}).typeDescription(), QStringLiteral("integer"));
    QCOMPARE(SettingSpec::duration(QStringLiteral("d"), 1s, {}, 100ms).typeDescription(), QStringLiteral("duration >= 100ms"));
    QCOMPARE(SettingSpec::enumeration(QStringLiteral("e"), {QStringLiteral("a"), QStringLiteral("b")}, QStringLiteral("a"), {})
                 .typeDescription(),
             QStringLiteral("one of a|b"));
    QCOMPARE(SettingSpec::url(QStringLiteral("u"), QStringLiteral("redis://u:pw@h"), {}).displayValue(
                 SettingSpec::url(QStringLiteral("u"), QStringLiteral("redis://u:pw@h"), {}).defaultValue),
             QStringLiteral("redis://u@h"));
}

QTEST_GUILESS_MAIN(TestSettingSpec)
#include "tst_settingspec.moc"
