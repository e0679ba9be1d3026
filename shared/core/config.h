// Config: typed settings read from the command line, the environment, an INI file and defaults.
#pragma once

#include "shared/core/settingspec.h"
#include "shared/result.h"

#include <QHash>
#include <QList>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QVariant>

#include <chrono>
#include <optional>
#include <vector>

class QTextStream;

namespace arena {

// Where a setting's effective value came from, highest precedence last.
enum class ConfigSource { Default, ConfigFile, Environment, CommandLine };

// Reads every declared setting with this precedence: command line (--player-port 4600) >
// environment (ARENA_PLAYER_PORT) > INI file (--config FILE or ARENA_CONFIG) > default.
//
// INI file: "key = value" lines with the keys as on the command line ("player-port = 4600");
// '#' or ';' starts a comment line; a value may be wrapped in double quotes; a "[section]" header
// prefixes the keys below it with "section-", so "[log]" + "format = json" sets log-format. A section
// named after a program ("[arena-server]", "[arena-agent]": the name it was started as) holds that
// program's settings, unprefixed; the other programs skip it, so one file can serve the server and the
// agent of an instance.
// Unknown keys and keys given twice are errors. Relative file paths in the INI file are resolved
// against the file's directory. Boolean settings are flags on the command line (--json, --no-json)
// and true/false, yes/no, on/off or 1/0 elsewhere; string lists are comma-separated (or the option
// repeated). Unknown ARENA_* environment variables are ignored: one environment serves several binaries.
//
// Every bad value from every source is reported, not only the effective one, so a stale setting
// cannot hide. A thin main:
//   Config cfg(specs, QStringLiteral("arena-server"));
//   const auto r = cfg.load(app.arguments(), QProcessEnvironment::systemEnvironment());
//   QTextStream out(stdout), err(stderr);
//   if (const auto code = cfg.earlyExit(out, err)) return *code; // help/version: 0, errors: 2
class Config final
{
public:
    enum class Outcome { NotLoaded, Run, Help, Version, PrintConfig, Invalid };

    // Reserved keys (built-in options): config, help, version, print-config.
    explicit Config(QList<SettingSpec> specs, QString binaryName = {}, QString description = {});

    // Declares a positional argument (for tools like arena-ctl). Without any, a positional argument
    // on the command line is an error.
    void addPositionalArgument(const QString &name, const QString &description, const QString &syntax = {});

    // arguments includes the program name first, as QCoreApplication::arguments().
    // Returns all errors joined by newlines (code "invalid_config"); with --help or --version the
    // values are not checked and the result is success with outcome() Help or Version.
    Result<void> load(const QStringList &arguments, const QProcessEnvironment &environment);

    Outcome outcome() const { return m_outcome; }
    QStringList errors() const { return m_errors; }
    QString helpText() const;
    QString versionText() const; // "arena-server 0.1.0"
    // An INI file with every setting commented out at its default, each with its description
    // (--print-config): a starting point for /etc/arena/*.conf.
    QString configTemplate() const;
    // Writes help/version/the config template to out (returns 0) or the errors to err (returns 2); nullopt means run.
    std::optional<int> earlyExit(QTextStream &out, QTextStream &err) const;

    QString binaryName() const { return m_binaryName; }
    QString configFile() const { return m_configFile; } // empty when none was given
    QStringList positionalArguments() const { return m_positionalValues; }

    bool contains(const QString &key) const { return m_index.contains(key); }
    QList<SettingSpec> specs() const;
    std::optional<SettingSpec> spec(const QString &key) const;
    ConfigSource source(const QString &key) const;
    // "default", "command line --player-port", "environment ARENA_PLAYER_PORT",
    // "config file /etc/arena/server.ini line 3".
    QString sourceDescription(const QString &key) const;
    // One line per setting, "player-port = 4600 (from default)", URL passwords removed.
    QStringList summary() const;

    // Typed getters. Asking for an unknown key or with the wrong type is a programming error: it is
    // logged as critical on arena.shared.core and a default-constructed value is returned.
    qint64 intValue(const QString &key) const;
    bool boolValue(const QString &key) const;
    QString stringValue(const QString &key) const; // String, Enum and FilePath settings
    std::chrono::milliseconds duration(const QString &key) const;
    QUrl urlValue(const QString &key) const;
    QStringList stringList(const QString &key) const;
    QVariant value(const QString &key) const; // any type, as stored (see SettingSpec)

private:
    struct Entry
    {
        SettingSpec spec;
        QVariant value;
        ConfigSource source = ConfigSource::Default;
        QString origin;
    };
    struct Positional
    {
        QString name;
        QString description;
        QString syntax;
    };

    const Entry *entry(const QString &key, std::initializer_list<SettingType> types, const char *getter) const;
    void resetToDefaults();
    void set(Entry &entry, const QString &text, ConfigSource source, const QString &origin);
    void readConfigFile(const QString &path, const QString &origin);
    void readEnvironment(const QProcessEnvironment &environment);
    void addError(const QString &subject, const QString &message, const QString &origin);

    std::vector<Entry> m_entries;
    QHash<QString, qsizetype> m_index;
    QStringList m_specErrors;
    QList<Positional> m_positional;
    QString m_binaryName;
    QString m_description;
    QString m_configFile;
    QStringList m_positionalValues;
    QStringList m_errors;
    Outcome m_outcome = Outcome::NotLoaded;
};

QString configSourceName(ConfigSource source); // "default", "config file", "environment", "command line"

} // namespace arena
