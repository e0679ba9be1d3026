// Tests Config: precedence of command line, environment, INI file and defaults; errors; help.
#include "shared/core/config.h"
#include "shared/core/logging.h"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryDir>
#include <QTest>
#include <QTextStream>

using namespace arena;
using namespace std::chrono_literals;

namespace {

QList<SettingSpec> serverSpecs()
{
    QList<SettingSpec> specs{
        SettingSpec::integer(QStringLiteral("player-port"), 4600, QStringLiteral("Player WebSocket port."), 0, 65535),
        SettingSpec::integer(QStringLiteral("admin-port"), 4601, QStringLiteral("Admin HTTP port."), 0, 65535),
        SettingSpec::string(QStringLiteral("bind"), QStringLiteral("0.0.0.0"), QStringLiteral("Address to listen on.")),
        SettingSpec::boolean(QStringLiteral("dry-run"), false, QStringLiteral("Only report what cleanup would remove.")),
        SettingSpec::boolean(QStringLiteral("metrics"), true, QStringLiteral("Serve /metrics.")),
        SettingSpec::duration(QStringLiteral("session-idle-expiry"), 5min, QStringLiteral("Idle session expiry."), 1s),
        SettingSpec::url(QStringLiteral("redis"), QString(), QStringLiteral("Redis URL; none: in-memory store."),
                         {QStringLiteral("redis"), QStringLiteral("rediss")}),
        SettingSpec::filePath(QStringLiteral("admin-token-file"), QString(), QStringLiteral("Admin token file.")),
        SettingSpec::stringList(QStringLiteral("room-types"), {QStringLiteral("lobby")}, QStringLiteral("Room types.")),
    };
    specs += loggingSettings();
    return specs;
}

QStringList argv(std::initializer_list<const char *> args)
{
    QStringList list{QStringLiteral("/usr/bin/arena-server")};
    for (const char *a : args)
        list.append(QString::fromUtf8(a));
    return list;
}

QProcessEnvironment env(std::initializer_list<std::pair<const char *, const char *>> vars)
{
    QProcessEnvironment e;
    for (const auto &[name, value] : vars)
        e.insert(QString::fromUtf8(name), QString::fromUtf8(value));
    return e;
}

} // namespace

class TestConfig final : public QObject
{
    Q_OBJECT

private slots:
    void init();
    void defaults();
    void precedence_data();
    void precedence();
    void commandLineForms();
    void booleanFlags();
    void stringListSources();
    void iniFile();
    void iniSections();
    void iniRelativePath();
    void iniFromEnvironment();
    void unknownIniKey();
    void iniSyntaxErrors();
    void duplicateIniKey();
    void missingConfigFile();
    void unreadableConfigFile();
    void badValuesNameKeyAndSource_data();
    void badValuesNameKeyAndSource();
    void multipleErrorsCollected();
    void unknownCommandLineOption();
    void unexpectedPositional();
    void positionalArguments();
    void unknownEnvironmentIgnored();
    void helpListsEverySetting();
    void helpSkipsValidation();
    void version();
    void earlyExit();
    void printConfigRoundTrips();
    void programSectionsShareAFile();
    void summaryHidesPasswords();
    void wrongGetterIsReported();
    void badSpecsAreReported();
    void reloadResets();

private:
    QString writeIni(const QString &name, const QByteArray &content);
    QTemporaryDir m_dir;
};

QString TestConfig::writeIni(const QString &name, const QByteArray &content)
{
    const QString path = m_dir.filePath(name);
    QFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return {};
    file.write(content);
    return path;
}

void TestConfig::init()
{
    QVERIFY(m_dir.isValid());
}

void TestConfig::defaults()
{
    Config cfg(serverSpecs(), QStringLiteral("arena-server"));
    QCOMPARE(cfg.outcome(), Config::Outcome::NotLoaded);
    QVERIFY(cfg.load(argv({}), QProcessEnvironment()).ok());
    QCOMPARE(cfg.outcome(), Config::Outcome::Run);
    QCOMPARE(cfg.intValue(QStringLiteral("player-port")), 4600);
    QCOMPARE(cfg.stringValue(QStringLiteral("bind")), QStringLiteral("0.0.0.0"));
    QCOMPARE(cfg.boolValue(QStringLiteral("dry-run")), false);
    QCOMPARE(cfg.boolValue(QStringLiteral("metrics")), true);
    QCOMPARE(cfg.duration(QStringLiteral("session-idle-expiry")), std::chrono::milliseconds(5min));
    QVERIFY(cfg.urlValue(QStringLiteral("redis")).isEmpty());
    QCOMPARE(cfg.stringValue(QStringLiteral("admin-token-file")), QString());
    QCOMPARE(cfg.stringList(QStringLiteral("room-types")), QStringList{QStringLiteral("lobby")});
    QCOMPARE(cfg.stringValue(QStringLiteral("log-format")), QStringLiteral("text"));
    QCOMPARE(cfg.source(QStringLiteral("player-port")), ConfigSource::Default);
    QCOMPARE(cfg.sourceDescription(QStringLiteral("player-port")), QStringLiteral("default"));
    QCOMPARE(cfg.configFile(), QString());
}

void TestConfig::precedence_data()
{
    QTest::addColumn<bool>("useIni");
    QTest::addColumn<bool>("useEnv");
    QTest::addColumn<bool>("useCli");
    QTest::addColumn<qint64>("expected");
    QTest::addColumn<int>("source");
    QTest::newRow("default only") << false << false << false << qint64(4600) << int(ConfigSource::Default);
    QTest::newRow("ini over default") << true << false << false << qint64(1111) << int(ConfigSource::ConfigFile);
    QTest::newRow("env over ini") << true << true << false << qint64(2222) << int(ConfigSource::Environment);
    QTest::newRow("env over default") << false << true << false << qint64(2222) << int(ConfigSource::Environment);
    QTest::newRow("cli over env and ini") << true << true << true << qint64(3333) << int(ConfigSource::CommandLine);
    QTest::newRow("cli over ini") << true << false << true << qint64(3333) << int(ConfigSource::CommandLine);
    QTest::newRow("cli over default") << false << false << true << qint64(3333) << int(ConfigSource::CommandLine);
}

void TestConfig::precedence()
{
    QFETCH(bool, useIni);
    QFETCH(bool, useEnv);
    QFETCH(bool, useCli);
    QFETCH(qint64, expected);
    QFETCH(int, source);

    const QString ini = writeIni(QStringLiteral("p.ini"), "player-port = 1111\n");
    QStringList args = argv({});
    if (useIni)
        args << QStringLiteral("--config") << ini;
    if (useCli)
        args << QStringLiteral("--player-port") << QStringLiteral("3333");
    QProcessEnvironment e;
    if (useEnv)
        e.insert(QStringLiteral("ARENA_PLAYER_PORT"), QStringLiteral("2222"));

    Config cfg(serverSpecs());
    const Result<void> r = cfg.load(args, e);
    QVERIFY2(r.ok(), qPrintable(cfg.errors().join(QLatin1Char('\n'))));
    QCOMPARE(cfg.intValue(QStringLiteral("player-port")), expected);
    QCOMPARE(int(cfg.source(QStringLiteral("player-port"))), source);
    QCOMPARE(cfg.intValue(QStringLiteral("admin-port")), 4601); // untouched settings keep their default
    QCOMPARE(cfg.source(QStringLiteral("admin-port")), ConfigSource::Default);

    const QString where = cfg.sourceDescription(QStringLiteral("player-port"));
    switch (ConfigSource(source)) {
    case ConfigSource::Default:
        QCOMPARE(where, QStringLiteral("default"));
        break;
    case ConfigSource::ConfigFile:
        QCOMPARE(where, QStringLiteral("config file %1 line 1").arg(ini));
        break;
    case ConfigSource::Environment:
        QCOMPARE(where, QStringLiteral("environment ARENA_PLAYER_PORT"));
        break;
    case ConfigSource::CommandLine:
        QCOMPARE(where, QStringLiteral("command line --player-port"));
        break;
    }
}

void TestConfig::commandLineForms()
{
    Config cfg(serverSpecs());
    QVERIFY(cfg.load(argv({"--player-port=4700", "-admin-port", "4701", "--session-idle-expiry", "30s", "--redis",
                           "redis://127.0.0.1:6390", "--log-format", "JSON"}),
                     QProcessEnvironment())
                .ok());
    QCOMPARE(cfg.intValue(QStringLiteral("player-port")), 4700);
    QCOMPARE(cfg.intValue(QStringLiteral("admin-port")), 4701);
    QCOMPARE(cfg.duration(QStringLiteral("session-idle-expiry")), std::chrono::milliseconds(30s));
    QCOMPARE(cfg.urlValue(QStringLiteral("redis")), QUrl(QStringLiteral("redis://127.0.0.1:6390")));
    QCOMPARE(cfg.stringValue(QStringLiteral("log-format")), QStringLiteral("json"));

    // The last occurrence of a repeated option wins.
    QVERIFY(cfg.load(argv({"--player-port", "1", "--player-port", "2"}), QProcessEnvironment()).ok());
    QCOMPARE(cfg.intValue(QStringLiteral("player-port")), 2);
}

void TestConfig::booleanFlags()
{
    Config cfg(serverSpecs());
    QVERIFY(cfg.load(argv({"--dry-run", "--no-metrics"}), QProcessEnvironment()).ok());
    QCOMPARE(cfg.boolValue(QStringLiteral("dry-run")), true);
    QCOMPARE(cfg.boolValue(QStringLiteral("metrics")), false);
    QCOMPARE(cfg.sourceDescription(QStringLiteral("metrics")), QStringLiteral("command line --no-metrics"));

    // --no-x on the command line beats the environment.
    QVERIFY(cfg.load(argv({"--no-dry-run"}), env({{"ARENA_DRY_RUN", "yes"}})).ok());
    QCOMPARE(cfg.boolValue(QStringLiteral("dry-run")), false);
    QCOMPARE(cfg.source(QStringLiteral("dry-run")), ConfigSource::CommandLine);

    QVERIFY(cfg.load(argv({}), env({{"ARENA_DRY_RUN", "on"}, {"ARENA_METRICS", "0"}})).ok());
    QCOMPARE(cfg.boolValue(QStringLiteral("dry-run")), true);
    QCOMPARE(cfg.boolValue(QStringLiteral("metrics")), false);

    const Result<void> both = cfg.load(argv({"--dry-run", "--no-dry-run"}), QProcessEnvironment());
    QVERIFY(!both);
    QCOMPARE(cfg.errors(), QStringList{QStringLiteral("dry-run: both --dry-run and --no-dry-run given (from command line)")});

    // A flag takes no value.
    QVERIFY(!cfg.load(argv({"--dry-run=false"}), QProcessEnvironment()));
}

void TestConfig::stringListSources()
{
    Config cfg(serverSpecs());
    QVERIFY(cfg.load(argv({"--room-types", "chat,relay", "--room-types", "duel"}), QProcessEnvironment()).ok());
    QCOMPARE(cfg.stringList(QStringLiteral("room-types")),
             (QStringList{QStringLiteral("chat"), QStringLiteral("relay"), QStringLiteral("duel")}));
    QVERIFY(cfg.load(argv({}), env({{"ARENA_ROOM_TYPES", " a , b "}})).ok());
    QCOMPARE(cfg.stringList(QStringLiteral("room-types")), (QStringList{QStringLiteral("a"), QStringLiteral("b")}));
}

void TestConfig::iniFile()
{
    const QString ini = writeIni(QStringLiteral("server.ini"),
                                 "\xEF\xBB\xBF# Arena server\n"
                                 "; another comment\n"
                                 "\n"
                                 "player-port = 4700\n"
                                 "bind=127.0.0.1\n"
                                 "dry-run = yes\n"
                                 "session-idle-expiry = 10m\n"
                                 "redis = redis://:secret@10.0.0.5:6379/2\n"
                                 "room-types = lobby, chat\n"
                                 "log-rules = \"  *.debug=true  \"\n");
    Config cfg(serverSpecs());
    const Result<void> r = cfg.load(argv({"--config", qPrintable(ini)}), QProcessEnvironment());
    QVERIFY2(r.ok(), qPrintable(cfg.errors().join(QLatin1Char('\n'))));
    QCOMPARE(cfg.configFile(), ini);
    QCOMPARE(cfg.intValue(QStringLiteral("player-port")), 4700);
    QCOMPARE(cfg.stringValue(QStringLiteral("bind")), QStringLiteral("127.0.0.1"));
    QCOMPARE(cfg.boolValue(QStringLiteral("dry-run")), true);
    QCOMPARE(cfg.duration(QStringLiteral("session-idle-expiry")), std::chrono::milliseconds(10min));
    QCOMPARE(cfg.urlValue(QStringLiteral("redis")).host(), QStringLiteral("10.0.0.5"));
    QCOMPARE(cfg.urlValue(QStringLiteral("redis")).password(), QStringLiteral("secret"));
    QCOMPARE(cfg.stringList(QStringLiteral("room-types")), (QStringList{QStringLiteral("lobby"), QStringLiteral("chat")}));
    QCOMPARE(cfg.stringValue(QStringLiteral("log-rules")), QStringLiteral("  *.debug=true  ")); // quotes keep spaces
    QCOMPARE(cfg.sourceDescription(QStringLiteral("bind")), QStringLiteral("config file %1 line 5").arg(ini));
}

void TestConfig::iniSections()
{
    const QString ini = writeIni(QStringLiteral("sections.ini"),
                                 "bind = ::1\n"
                                 "[player]\n"
                                 "port = 5000\n"
                                 "[log]\n"
                                 "format = json\n"
                                 "rules = arena.*.debug=true\n");
    Config cfg(serverSpecs());
    QVERIFY2(cfg.load(argv({"--config", qPrintable(ini)}), QProcessEnvironment()).ok(),
             qPrintable(cfg.errors().join(QLatin1Char('\n'))));
    QCOMPARE(cfg.stringValue(QStringLiteral("bind")), QStringLiteral("::1"));
    QCOMPARE(cfg.intValue(QStringLiteral("player-port")), 5000);
    QCOMPARE(cfg.stringValue(QStringLiteral("log-format")), QStringLiteral("json"));
    QCOMPARE(cfg.stringValue(QStringLiteral("log-rules")), QStringLiteral("arena.*.debug=true"));

    const QString bad = writeIni(QStringLiteral("badsection.ini"), "[Log Stuff]\nformat = json\n");
    QVERIFY(!cfg.load(argv({"--config", qPrintable(bad)}), QProcessEnvironment()));
    QCOMPARE(cfg.errors().size(), 2);
    QCOMPARE(cfg.errors().at(0),
             QStringLiteral("config file %1 line 1: bad section header \"[Log Stuff]\" (use [kebab-case-name])").arg(bad));
    // Without a valid section the key is read as is, and "format" is not a setting.
    QCOMPARE(cfg.errors().at(1), QStringLiteral("format: unknown setting (from config file %1 line 2)").arg(bad));
}

void TestConfig::iniRelativePath()
{
    const QString ini = writeIni(QStringLiteral("rel.ini"), "admin-token-file = tokens.txt\n");
    Config cfg(serverSpecs());
    QVERIFY(cfg.load(argv({"--config", qPrintable(ini)}), QProcessEnvironment()).ok());
    QCOMPARE(cfg.stringValue(QStringLiteral("admin-token-file")), m_dir.filePath(QStringLiteral("tokens.txt")));
}

void TestConfig::iniFromEnvironment()
{
    const QString ini = writeIni(QStringLiteral("env.ini"), "admin-port = 4800\n");
    const QString other = writeIni(QStringLiteral("other.ini"), "admin-port = 4900\n");
    Config cfg(serverSpecs());
    QVERIFY(cfg.load(argv({}), env({{"ARENA_CONFIG", qPrintable(ini)}})).ok());
    QCOMPARE(cfg.intValue(QStringLiteral("admin-port")), 4800);
    QCOMPARE(cfg.source(QStringLiteral("admin-port")), ConfigSource::ConfigFile);
    // --config beats ARENA_CONFIG.
    QVERIFY(cfg.load(argv({"--config", qPrintable(other)}), env({{"ARENA_CONFIG", qPrintable(ini)}})).ok());
    QCOMPARE(cfg.intValue(QStringLiteral("admin-port")), 4900);
}

void TestConfig::unknownIniKey()
{
    const QString ini = writeIni(QStringLiteral("unknown.ini"), "player-port = 4700\nplayer-prot = 4701\n");
    Config cfg(serverSpecs());
    const Result<void> r = cfg.load(argv({"--config", qPrintable(ini)}), QProcessEnvironment());
    QVERIFY(!r);
    QCOMPARE(r.error().code, QStringLiteral("invalid_config"));
    QCOMPARE(cfg.outcome(), Config::Outcome::Invalid);
    QCOMPARE(cfg.errors(), QStringList{QStringLiteral("player-prot: unknown setting (from config file %1 line 2)").arg(ini)});
    QCOMPARE(r.error().message, cfg.errors().constFirst());
}

void TestConfig::iniSyntaxErrors()
{
    const QString ini = writeIni(QStringLiteral("syntax.ini"), "player-port 4700\n= 5\n[unterminated\n");
    Config cfg(serverSpecs());
    QVERIFY(!cfg.load(argv({"--config", qPrintable(ini)}), QProcessEnvironment()));
    QCOMPARE(cfg.errors(), (QStringList{
                               QStringLiteral("config file %1 line 1: expected \"key = value\", got \"player-port 4700\"").arg(ini),
                               QStringLiteral("config file %1 line 2: expected \"key = value\", got \"= 5\"").arg(ini),
                               QStringLiteral("config file %1 line 3: bad section header \"[unterminated\" (use [kebab-case-name])").arg(ini),
                           }));
}

void TestConfig::duplicateIniKey()
{
    const QString ini = writeIni(QStringLiteral("dup.ini"), "player-port = 1\n[player]\nport = 2\n");
    Config cfg(serverSpecs());
    QVERIFY(!cfg.load(argv({"--config", qPrintable(ini)}), QProcessEnvironment()));
    QCOMPARE(cfg.errors(), QStringList{QStringLiteral("player-port: set twice (first on line 1) (from config file %1 line 3)").arg(ini)});
}

void TestConfig::missingConfigFile()
{
    const QString missing = m_dir.filePath(QStringLiteral("nope.ini"));
    Config cfg(serverSpecs());
    Result<void> r = cfg.load(argv({"--config", qPrintable(missing)}), QProcessEnvironment());
    QVERIFY(!r);
    QCOMPARE(cfg.errors(), QStringList{QStringLiteral("config: cannot read \"%1\": no such file (from command line --config)").arg(missing)});

    r = cfg.load(argv({}), env({{"ARENA_CONFIG", qPrintable(missing)}}));
    QVERIFY(!r);
    QCOMPARE(cfg.errors(), QStringList{QStringLiteral("config: cannot read \"%1\": no such file (from environment ARENA_CONFIG)").arg(missing)});

    r = cfg.load(argv({"--config", qPrintable(m_dir.path())}), QProcessEnvironment());
    QVERIFY(!r);
    QCOMPARE(cfg.errors(), QStringList{QStringLiteral("config: cannot read \"%1\": is a directory (from command line --config)").arg(m_dir.path())});

    r = cfg.load(argv({"--config", ""}), QProcessEnvironment());
    QVERIFY(!r);
    QCOMPARE(cfg.errors(), QStringList{QStringLiteral("config: empty file name (from command line --config)")});
}

void TestConfig::unreadableConfigFile()
{
    Config cfg(serverSpecs());
    const QString unreadable = writeIni(QStringLiteral("unreadable.ini"), "player-port = 1\n");
    QVERIFY(QFile::setPermissions(unreadable, QFileDevice::WriteOwner));
    if (QFile(unreadable).open(QIODevice::ReadOnly))
        QSKIP("running with privileges that ignore file permissions");
    const Result<void> r = cfg.load(argv({"--config", qPrintable(unreadable)}), QProcessEnvironment());
    QVERIFY(!r);
    QCOMPARE(cfg.errors().size(), 1);
    QVERIFY2(cfg.errors().constFirst().startsWith(QStringLiteral("config: cannot read \"%1\": ").arg(unreadable)),
             qPrintable(cfg.errors().constFirst()));
    QVERIFY(cfg.errors().constFirst().endsWith(QStringLiteral("(from command line --config)")));
}

void TestConfig::badValuesNameKeyAndSource_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QStringList>("envVars"); // name=value pairs
    QTest::addColumn<QString>("expected");

    QTest::newRow("env not an integer") << QStringList() << QStringList{QStringLiteral("ARENA_PLAYER_PORT=abc")}
                                        << QStringLiteral("player-port: \"abc\" is not an integer (from environment ARENA_PLAYER_PORT)");
    QTest::newRow("cli out of range") << QStringList{QStringLiteral("--admin-port"), QStringLiteral("70000")} << QStringList()
                                      << QStringLiteral("admin-port: \"70000\" is out of range (allowed 0..65535) (from command line --admin-port)");
    QTest::newRow("enum not allowed") << QStringList{QStringLiteral("--log-format=xml")} << QStringList()
                                      << QStringLiteral("log-format: \"xml\" is not one of text, json (from command line --log-format)");
    QTest::newRow("env bad bool") << QStringList() << QStringList{QStringLiteral("ARENA_DRY_RUN=maybe")}
                                  << QStringLiteral("dry-run: \"maybe\" is not a boolean (use true/false, yes/no, on/off or 1/0) (from environment ARENA_DRY_RUN)");
    QTest::newRow("bad duration") << QStringList{QStringLiteral("--session-idle-expiry"), QStringLiteral("5 minutes")} << QStringList()
                                  << QStringLiteral("session-idle-expiry: \"5 minutes\" is not a duration (use e.g. 1500ms, 30s, 5m, 1h, or a number of milliseconds) (from command line --session-idle-expiry)");
    QTest::newRow("duration below minimum") << QStringList() << QStringList{QStringLiteral("ARENA_SESSION_IDLE_EXPIRY=10ms")}
                                            << QStringLiteral("session-idle-expiry: \"10ms\" is out of range (allowed >= 1s) (from environment ARENA_SESSION_IDLE_EXPIRY)");
    QTest::newRow("url scheme") << QStringList{QStringLiteral("--redis"), QStringLiteral("http://cache:6379")} << QStringList()
                                << QStringLiteral("redis: \"http://cache:6379\" has scheme \"http\", expected one of redis, rediss (from command line --redis)");
    QTest::newRow("missing value") << QStringList{QStringLiteral("--player-port")} << QStringList()
                                   << QStringLiteral("command line: Missing value after '--player-port'.");
    // A bad value is an error even where a higher source overrides it, so a stale setting cannot hide.
    QTest::newRow("overridden bad env") << QStringList{QStringLiteral("--player-port"), QStringLiteral("4700")}
                                        << QStringList{QStringLiteral("ARENA_PLAYER_PORT=47OO")}
                                        << QStringLiteral("player-port: \"47OO\" is not an integer (from environment ARENA_PLAYER_PORT)");
}

void TestConfig::badValuesNameKeyAndSource()
{
    QFETCH(QStringList, args);
    QFETCH(QStringList, envVars);
    QFETCH(QString, expected);
    QProcessEnvironment e;
    for (const QString &pair : std::as_const(envVars))
        e.insert(pair.section(QLatin1Char('='), 0, 0), pair.section(QLatin1Char('='), 1));
    Config cfg(serverSpecs());
    const Result<void> r = cfg.load(QStringList{QStringLiteral("arena-server")} + args, e);
    QVERIFY(!r);
    QCOMPARE(cfg.errors(), QStringList{expected});
    QCOMPARE(r.error().message, expected);
    QCOMPARE(cfg.outcome(), Config::Outcome::Invalid);
}

void TestConfig::multipleErrorsCollected()
{
    const QString ini = writeIni(QStringLiteral("multi.ini"), "bind = 127.0.0.1\nsession-idle-expiry = forever\nbogus = 1\n");
    Config cfg(serverSpecs());
    const Result<void> r = cfg.load(argv({"--config", qPrintable(ini), "--admin-port", "x", "--log-format", "yaml"}),
                                    env({{"ARENA_PLAYER_PORT", "abc"}, {"ARENA_METRICS", "perhaps"}}));
    QVERIFY(!r);
    const QStringList errors = cfg.errors();
    QCOMPARE(errors.size(), 6);
    QVERIFY(errors.contains(QStringLiteral("session-idle-expiry: \"forever\" is not a duration (use e.g. 1500ms, 30s, 5m, 1h, or a number of milliseconds) (from config file %1 line 2)").arg(ini)));
    QVERIFY(errors.contains(QStringLiteral("bogus: unknown setting (from config file %1 line 3)").arg(ini)));
    QVERIFY(errors.contains(QStringLiteral("player-port: \"abc\" is not an integer (from environment ARENA_PLAYER_PORT)")));
    QVERIFY(errors.contains(QStringLiteral("metrics: \"perhaps\" is not a boolean (use true/false, yes/no, on/off or 1/0) (from environment ARENA_METRICS)")));
    QVERIFY(errors.contains(QStringLiteral("admin-port: \"x\" is not an integer (from command line --admin-port)")));
    QVERIFY(errors.contains(QStringLiteral("log-format: \"yaml\" is not one of text, json (from command line --log-format)")));
    QCOMPARE(r.error().message, errors.join(QLatin1Char('\n')));
    // Good values next to bad ones are still applied and traceable.
    QCOMPARE(cfg.stringValue(QStringLiteral("bind")), QStringLiteral("127.0.0.1"));
}

void TestConfig::unknownCommandLineOption()
{
    Config cfg(serverSpecs());
    QVERIFY(!cfg.load(argv({"--player-prot", "1", "--frobnicate", "-x"}), QProcessEnvironment()));
    QCOMPARE(cfg.errors(), (QStringList{
                               QStringLiteral("player-prot: unknown option (from command line --player-prot)"),
                               QStringLiteral("frobnicate: unknown option (from command line --frobnicate)"),
                               QStringLiteral("x: unknown option (from command line -x)"),
                               QStringLiteral("command line: unexpected argument \"1\""),
                           }));
}

void TestConfig::unexpectedPositional()
{
    Config cfg(serverSpecs());
    QVERIFY(!cfg.load(argv({"4600"}), QProcessEnvironment()));
    QCOMPARE(cfg.errors(), QStringList{QStringLiteral("command line: unexpected argument \"4600\"")});
}

void TestConfig::positionalArguments()
{
    Config cfg({SettingSpec::boolean(QStringLiteral("json"), false, QStringLiteral("Print JSON."))}, QStringLiteral("arena-ctl"));
    cfg.addPositionalArgument(QStringLiteral("command"), QStringLiteral("What to do: status, cleanup."), QStringLiteral("<command> [args...]"));
    QVERIFY(cfg.load({QStringLiteral("arena-ctl"), QStringLiteral("cleanup"), QStringLiteral("--json"), QStringLiteral("host-1")},
                     QProcessEnvironment())
                .ok());
    QCOMPARE(cfg.positionalArguments(), (QStringList{QStringLiteral("cleanup"), QStringLiteral("host-1")}));
    QVERIFY(cfg.boolValue(QStringLiteral("json")));
    QVERIFY(cfg.helpText().startsWith(QStringLiteral("Usage: arena-ctl [options] <command> [args...]\n")));
    QVERIFY(cfg.helpText().contains(QStringLiteral("  command\n      What to do: status, cleanup.\n")));
}

void TestConfig::unknownEnvironmentIgnored()
{
    Config cfg(serverSpecs());
    QVERIFY(cfg.load(argv({}), env({{"ARENA_AGENT_ONLY_SETTING", "x"}, {"PATH", "/bin"}})).ok());
}

void TestConfig::helpListsEverySetting()
{
    Config cfg(serverSpecs(), QStringLiteral("arena-server"), QStringLiteral("Arena game server."));
    QVERIFY(cfg.load(argv({"--help"}), QProcessEnvironment()).ok());
    QCOMPARE(cfg.outcome(), Config::Outcome::Help);
    const QString help = cfg.helpText();
    QVERIFY(help.startsWith(QStringLiteral("Usage: arena-server [options]\nArena game server.\n")));
    for (const SettingSpec &spec : serverSpecs()) {
        QVERIFY2(help.contains(QStringLiteral("--") + spec.key), qPrintable(spec.key));
        QVERIFY2(help.contains(spec.description), qPrintable(spec.key));
        QVERIFY2(help.contains(QStringLiteral("env ") + spec.envName()), qPrintable(spec.key));
        QVERIFY2(help.contains(spec.typeDescription()), qPrintable(spec.key));
    }
    QVERIFY(help.contains(QStringLiteral("  --player-port <integer>\n"
                                         "      Player WebSocket port.\n"
                                         "      integer 0..65535; default 4600; env ARENA_PLAYER_PORT\n")));
    QVERIFY(help.contains(QStringLiteral("  --dry-run, --no-dry-run\n"
                                         "      Only report what cleanup would remove.\n"
                                         "      boolean; default false; env ARENA_DRY_RUN\n")));
    QVERIFY(help.contains(QStringLiteral("  --session-idle-expiry <duration>\n"
                                         "      Idle session expiry.\n"
                                         "      duration >= 1s; default 5m; env ARENA_SESSION_IDLE_EXPIRY\n")));
    QVERIFY(help.contains(QStringLiteral("  --log-format <text|json>\n")));
    QVERIFY(help.contains(QStringLiteral("URL (redis, rediss); default none; env ARENA_REDIS\n")));
    QVERIFY(help.contains(QStringLiteral("  --config <file>\n")));
    QVERIFY(help.contains(QStringLiteral("env ARENA_CONFIG")));
    QVERIFY(help.contains(QStringLiteral("--version")));

    QVERIFY(cfg.load(argv({"-h"}), QProcessEnvironment()).ok());
    QCOMPARE(cfg.outcome(), Config::Outcome::Help);
}

void TestConfig::helpSkipsValidation()
{
    Config cfg(serverSpecs());
    QVERIFY(cfg.load(argv({"--help", "--player-port", "abc"}), env({{"ARENA_ADMIN_PORT", "x"}})).ok());
    QCOMPARE(cfg.outcome(), Config::Outcome::Help);
}

void TestConfig::version()
{
    Config cfg(serverSpecs());
    QVERIFY(cfg.load(argv({"--version"}), QProcessEnvironment()).ok());
    QCOMPARE(cfg.outcome(), Config::Outcome::Version);
    QCOMPARE(cfg.binaryName(), QStringLiteral("arena-server")); // from argv[0]
    QCOMPARE(cfg.versionText(), QStringLiteral("arena-server " ARENA_VERSION));
    QVERIFY(QRegularExpression(QStringLiteral("^arena-server \\d+\\.\\d+\\.\\d+$")).match(cfg.versionText()).hasMatch());
}

void TestConfig::printConfigRoundTrips()
{
    Config cfg(serverSpecs());
    QVERIFY(cfg.load(argv({"--print-config", "--player-port", "abc"}), QProcessEnvironment()).ok());
    QCOMPARE(cfg.outcome(), Config::Outcome::PrintConfig);
    const QString text = cfg.configTemplate();
    // Every setting is there with its description, commented out at its default.
    QVERIFY(text.contains(QStringLiteral("# Player WebSocket port.\n# integer 0..65535; env ARENA_PLAYER_PORT\n# player-port = 4600\n")));
    QVERIFY(text.contains(QStringLiteral("# metrics = true\n")));
    QVERIFY(text.contains(QStringLiteral("# session-idle-expiry = 5m\n")));
    QVERIFY(text.contains(QStringLiteral("# redis =\n")));
    QVERIFY(text.contains(QStringLiteral("# room-types = lobby\n")));
    for (const SettingSpec &spec : serverSpecs())
        QVERIFY2(text.contains(QStringLiteral("\n# ") + spec.key + QStringLiteral(" =")), qPrintable(spec.key));

    // As printed, the file changes nothing; with every setting uncommented it gives the defaults.
    Config asPrinted(serverSpecs());
    QVERIFY(asPrinted.load(argv({"--config", qPrintable(writeIni(QStringLiteral("printed.ini"), text.toUtf8()))}),
                           QProcessEnvironment()).ok());
    for (const SettingSpec &spec : serverSpecs())
        QCOMPARE(asPrinted.source(spec.key), ConfigSource::Default);
    QString uncommented;
    static const QRegularExpression settingLine(QStringLiteral("^# [a-z0-9-]+ =( .*)?$"));
    for (const QString &line : text.split(QLatin1Char('\n')))
        uncommented += (settingLine.match(line).hasMatch() ? line.mid(2) : line) + QLatin1Char('\n');
    Config all(serverSpecs());
    QVERIFY2(all.load(argv({"--config", qPrintable(writeIni(QStringLiteral("all.ini"), uncommented.toUtf8()))}),
                      QProcessEnvironment()).ok(),
             qPrintable(all.errors().join(QLatin1Char('\n'))));
    for (const SettingSpec &spec : serverSpecs()) {
        QCOMPARE(all.source(spec.key), ConfigSource::ConfigFile);
        QCOMPARE(all.value(spec.key), asPrinted.value(spec.key));
    }
    QVERIFY(text.contains(QStringLiteral("\n[arena-server]\n")));
}

void TestConfig::programSectionsShareAFile()
{
    // One file for the server and the agent of an instance: each reads its own section and skips the
    // other's, whose keys it would not know.
    const QString ini = writeIni(QStringLiteral("eu1.conf"), R"(
[arena-server]
player-port = 4700
log-format = json
[arena-agent]
server = http://127.0.0.1:4701
interval = 2s
)");
    Config server(serverSpecs());
    QVERIFY2(server.load(argv({"--config", qPrintable(ini)}), QProcessEnvironment()).ok(),
             qPrintable(server.errors().join(QLatin1Char('\n'))));
    QCOMPARE(server.intValue(QStringLiteral("player-port")), 4700);
    QCOMPARE(server.stringValue(QStringLiteral("log-format")), QStringLiteral("json"));

    const QList<SettingSpec> agentSpecs{
        SettingSpec::url(QStringLiteral("server"), QStringLiteral("http://127.0.0.1:4601"), QStringLiteral("Server.")),
        SettingSpec::duration(QStringLiteral("interval"), 1s, QStringLiteral("Interval.")),
    };
    Config agent(agentSpecs);
    QVERIFY2(agent.load({QStringLiteral("/usr/bin/arena-agent"), QStringLiteral("--config"), ini}, QProcessEnvironment()).ok(),
             qPrintable(agent.errors().join(QLatin1Char('\n'))));
    QCOMPARE(agent.urlValue(QStringLiteral("server")), QUrl(QStringLiteral("http://127.0.0.1:4701")));
    QCOMPARE(agent.duration(QStringLiteral("interval")), std::chrono::milliseconds(2000));

    // Outside any program's section, a key the program does not know is still an error.
    const QString stray = writeIni(QStringLiteral("stray.conf"), "interval = 2s\n[arena-server]\nplayer-port = 1\n");
    Config strict(serverSpecs());
    QVERIFY(!strict.load(argv({"--config", qPrintable(stray)}), QProcessEnvironment()).ok());
    QVERIFY(strict.errors().join(QLatin1Char(' ')).contains(QStringLiteral("interval")));
}

void TestConfig::earlyExit()
{
    QString out;
    QString err;
    QTextStream outStream(&out);
    QTextStream errStream(&err);

    Config cfg(serverSpecs(), QStringLiteral("arena-server"));
    QVERIFY(cfg.load(argv({"--version"}), QProcessEnvironment()).ok());
    QCOMPARE(cfg.earlyExit(outStream, errStream), std::optional<int>(0));
    QCOMPARE(out, QStringLiteral("arena-server " ARENA_VERSION "\n"));
    QVERIFY(err.isEmpty());

    out.clear();
    QVERIFY(cfg.load(argv({"--help"}), QProcessEnvironment()).ok());
    QCOMPARE(cfg.earlyExit(outStream, errStream), std::optional<int>(0));
    QCOMPARE(out, cfg.helpText());

    out.clear();
    QVERIFY(!cfg.load(argv({"--player-port", "abc"}), QProcessEnvironment()));
    QCOMPARE(cfg.earlyExit(outStream, errStream), std::optional<int>(2));
    QVERIFY(out.isEmpty());
    QCOMPARE(err, QStringLiteral("arena-server: player-port: \"abc\" is not an integer (from command line --player-port)\n"
                                 "Run 'arena-server --help' to see every setting.\n"));

    err.clear();
    QVERIFY(cfg.load(argv({}), QProcessEnvironment()).ok());
    QCOMPARE(cfg.earlyExit(outStream, errStream), std::nullopt);
    QVERIFY(out.isEmpty());
    QVERIFY(err.isEmpty());
}

void TestConfig::summaryHidesPasswords()
{
    Config cfg(serverSpecs());
    QVERIFY(cfg.load(argv({"--redis", "redis://user:hunter2@cache:6379"}), QProcessEnvironment()).ok());
    const QStringList summary = cfg.summary();
    QCOMPARE(summary.size(), serverSpecs().size());
    QVERIFY(summary.contains(QStringLiteral("redis = redis://user@cache:6379 (from command line --redis)")));
    QVERIFY(summary.contains(QStringLiteral("player-port = 4600 (from default)")));
    QVERIFY(!summary.join(QLatin1Char('\n')).contains(QStringLiteral("hunter2")));
}

void TestConfig::wrongGetterIsReported()
{
    Config cfg(serverSpecs());
    QVERIFY(cfg.load(argv({}), QProcessEnvironment()).ok());
    QTest::ignoreMessage(QtCriticalMsg, "programming error: Config::intValue(\"bind\"): the setting is of type string");
    QCOMPARE(cfg.intValue(QStringLiteral("bind")), 0);
    QTest::ignoreMessage(QtCriticalMsg, "programming error: Config::stringValue(\"no-such-key\"): no such setting");
    QCOMPARE(cfg.stringValue(QStringLiteral("no-such-key")), QString());
    QTest::ignoreMessage(QtCriticalMsg, "programming error: Config::duration(\"player-port\"): the setting is of type integer");
    QCOMPARE(cfg.duration(QStringLiteral("player-port")), std::chrono::milliseconds(0));
    QTest::ignoreMessage(QtCriticalMsg, "programming error: Config::boolValue(\"redis\"): the setting is of type URL");
    QCOMPARE(cfg.boolValue(QStringLiteral("redis")), false);
}

void TestConfig::badSpecsAreReported()
{
    QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(QStringLiteral("setting spec \"Bad_Key\": key is not kebab-case")));
    QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(QStringLiteral("setting spec \"config\": key is reserved")));
    QTest::ignoreMessage(QtCriticalMsg, QRegularExpression(QStringLiteral("setting spec \"port\": declared twice")));
    Config cfg({SettingSpec::integer(QStringLiteral("port"), 1, {}), SettingSpec::string(QStringLiteral("Bad_Key"), {}, {}),
                SettingSpec::string(QStringLiteral("config"), {}, {}), SettingSpec::integer(QStringLiteral("port"), 2, {})});
    QVERIFY(!cfg.load(argv({}), QProcessEnvironment()));
    QCOMPARE(cfg.errors().size(), 3);
    QCOMPARE(cfg.intValue(QStringLiteral("port")), 1);
    QVERIFY(!cfg.contains(QStringLiteral("Bad_Key")));
}

void TestConfig::reloadResets()
{
    Config cfg(serverSpecs());
    QVERIFY(cfg.load(argv({"--player-port", "1234"}), QProcessEnvironment()).ok());
    QCOMPARE(cfg.intValue(QStringLiteral("player-port")), 1234);
    QVERIFY(cfg.load(argv({}), QProcessEnvironment()).ok());
    QCOMPARE(cfg.intValue(QStringLiteral("player-port")), 4600);
    QCOMPARE(cfg.source(QStringLiteral("player-port")), ConfigSource::Default);
    QVERIFY(cfg.errors().isEmpty());
}

QTEST_GUILESS_MAIN(TestConfig)
#include "tst_config.moc"
