#include "shared/core/config.h"

#include "shared/core/logging.h"

#include <QCommandLineParser>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSet>
#include <QTextStream>

#ifndef ARENA_VERSION
#error "ARENA_VERSION must be defined by the build (arena_options)"
#endif

namespace arena {

namespace {

const QString kConfigKey = QStringLiteral("config");
const QString kHelpKey = QStringLiteral("help");
const QString kVersionKey = QStringLiteral("version");
const QString kPrintConfigKey = QStringLiteral("print-config");

QString negatedKey(const QString &key)
{
    return QStringLiteral("no-") + key;
}

QString typeName(SettingType type)
{
    switch (type) {
    case SettingType::Int:
        return QStringLiteral("integer");
    case SettingType::Bool:
        return QStringLiteral("boolean");
    case SettingType::String:
        return QStringLiteral("string");
    case SettingType::Duration:
        return QStringLiteral("duration");
    case SettingType::Url:
        return QStringLiteral("URL");
    case SettingType::FilePath:
        return QStringLiteral("file path");
    case SettingType::Enum:
        return QStringLiteral("enum");
    case SettingType::StringList:
        return QStringLiteral("string list");
    }
    return {};
}

struct IniLine
{
    QString key;
    QString value;
    int line = 0;
};

} // namespace

QString configSourceName(ConfigSource source)
{
    switch (source) {
    case ConfigSource::Default:
        return QStringLiteral("default");
    case ConfigSource::ConfigFile:
        return QStringLiteral("config file");
    case ConfigSource::Environment:
        return QStringLiteral("environment");
    case ConfigSource::CommandLine:
        return QStringLiteral("command line");
    }
    return {};
}

Config::Config(QList<SettingSpec> specs, QString binaryName, QString description)
    : m_binaryName(std::move(binaryName)), m_description(std::move(description))
{
    static const QSet<QString> reserved{kConfigKey, kHelpKey, kVersionKey, kPrintConfigKey};
    m_entries.reserve(size_t(specs.size()));
    for (SettingSpec &spec : specs) {
        if (const Result<void> valid = spec.validate(); !valid) {
            m_specErrors.append(valid.error().message);
            continue;
        }
        if (reserved.contains(spec.key) || spec.key.startsWith(QStringLiteral("no-"))) {
            m_specErrors.append(QStringLiteral("setting spec \"%1\": key is reserved").arg(spec.key));
            continue;
        }
        if (m_index.contains(spec.key) || (spec.type == SettingType::Bool && m_index.contains(negatedKey(spec.key)))) {
            m_specErrors.append(QStringLiteral("setting spec \"%1\": declared twice").arg(spec.key));
            continue;
        }
        m_index.insert(spec.key, qsizetype(m_entries.size()));
        m_entries.push_back(Entry{std::move(spec), {}, ConfigSource::Default, QStringLiteral("default")});
    }
    for (const QString &error : std::as_const(m_specErrors))
        qCCritical(lcCore).noquote() << "programming error:" << error;
    resetToDefaults();
}

void Config::addPositionalArgument(const QString &name, const QString &description, const QString &syntax)
{
    m_positional.append(Positional{name, description, syntax});
}

void Config::resetToDefaults()
{
    for (Entry &e : m_entries) {
        e.value = e.spec.defaultValue;
        e.source = ConfigSource::Default;
        e.origin = QStringLiteral("default");
    }
}

void Config::addError(const QString &subject, const QString &message, const QString &origin)
{
    m_errors.append(QStringLiteral("%1: %2 (from %3)").arg(subject, message, origin));
}

void Config::set(Entry &e, const QString &text, ConfigSource source, const QString &origin)
{
    const Result<QVariant> parsed = e.spec.parse(text);
    if (!parsed) {
        addError(e.spec.key, parsed.error().message, origin);
        return;
    }
    e.value = parsed.value();
    e.source = source;
    e.origin = origin;
}

Result<void> Config::load(const QStringList &arguments, const QProcessEnvironment &environment)
{
    resetToDefaults();
    m_errors = m_specErrors;
    m_configFile.clear();
    m_positionalValues.clear();
    if (m_binaryName.isEmpty() && !arguments.isEmpty())
        m_binaryName = QFileInfo(arguments.first()).fileName();

    QCommandLineParser parser;
    parser.setSingleDashWordOptionMode(QCommandLineParser::ParseAsLongOptions);
    parser.addOption(QCommandLineOption(QStringList{QStringLiteral("h"), kHelpKey}));
    parser.addOption(QCommandLineOption(kVersionKey));
    parser.addOption(QCommandLineOption(kPrintConfigKey));
    parser.addOption(QCommandLineOption(kConfigKey, QString(), QStringLiteral("file")));
    for (const Entry &e : m_entries) {
        if (e.spec.type == SettingType::Bool) {
            parser.addOption(QCommandLineOption(e.spec.key));
            parser.addOption(QCommandLineOption(negatedKey(e.spec.key)));
        } else {
            parser.addOption(QCommandLineOption(e.spec.key, QString(), e.spec.valueName()));
        }
    }
    for (const Positional &p : std::as_const(m_positional))
        parser.addPositionalArgument(p.name, p.description, p.syntax);

    const bool parsed = parser.parse(arguments);
    if (!parsed) {
        const QStringList unknown = parser.unknownOptionNames();
        for (const QString &name : unknown) {
            const QString dashes = name.size() == 1 ? QStringLiteral("-") : QStringLiteral("--");
            addError(name, QStringLiteral("unknown option"), QStringLiteral("command line ") + dashes + name);
        }
        if (unknown.isEmpty())
            m_errors.append(QStringLiteral("command line: ") + parser.errorText());
    }
    if (parsed && parser.isSet(kHelpKey)) {
        m_outcome = Outcome::Help;
        return {};
    }
    if (parsed && parser.isSet(kVersionKey)) {
        m_outcome = Outcome::Version;
        return {};
    }
    if (parsed && parser.isSet(kPrintConfigKey)) {
        m_outcome = Outcome::PrintConfig;
        return {};
    }

    // Lowest precedence first, so each later source overwrites the earlier one.
    if (parser.isSet(kConfigKey)) {
        readConfigFile(parser.value(kConfigKey), QStringLiteral("command line --config"));
    } else if (environment.contains(QStringLiteral("ARENA_CONFIG"))) {
        readConfigFile(environment.value(QStringLiteral("ARENA_CONFIG")), QStringLiteral("environment ARENA_CONFIG"));
    }

    readEnvironment(environment);

    for (Entry &e : m_entries) {
        const QString &key = e.spec.key;
        if (e.spec.type == SettingType::Bool) {
            const bool on = parser.isSet(key);
            const bool off = parser.isSet(negatedKey(key));
            if (on && off) {
                addError(key, QStringLiteral("both --%1 and --%2 given").arg(key, negatedKey(key)), QStringLiteral("command line"));
            } else if (on || off) {
                e.value = on;
                e.source = ConfigSource::CommandLine;
                e.origin = QStringLiteral("command line --") + (on ? key : negatedKey(key));
            }
            continue;
        }
        if (!parser.isSet(key))
            continue;
        const QStringList values = parser.values(key);
        if (values.isEmpty()) // "Missing value after ..." was reported by the parser
            continue;
        const QString text = e.spec.type == SettingType::StringList ? values.join(QLatin1Char(',')) : values.constLast();
        set(e, text, ConfigSource::CommandLine, QStringLiteral("command line --") + key);
    }

    m_positionalValues = parser.positionalArguments();
    if (m_positional.isEmpty()) {
        for (const QString &argument : std::as_const(m_positionalValues))
            m_errors.append(QStringLiteral("command line: unexpected argument \"%1\"").arg(argument));
    }

    if (!m_errors.isEmpty()) {
        m_outcome = Outcome::Invalid;
        return Result<void>::failure(QStringLiteral("invalid_config"), m_errors.join(QLatin1Char('\n')));
    }
    m_outcome = Outcome::Run;
    return {};
}

void Config::readConfigFile(const QString &path, const QString &origin)
{
    if (path.trimmed().isEmpty()) {
        addError(kConfigKey, QStringLiteral("empty file name"), origin);
        return;
    }
    const QFileInfo info(path);
    m_configFile = info.absoluteFilePath();
    QFile file(path);
    if (info.isDir() || !file.open(QIODevice::ReadOnly | QIODevice::Text)) {
        const QString reason = info.isDir() ? QStringLiteral("is a directory")
                               : !info.exists() ? QStringLiteral("no such file")
                                                : file.errorString();
        addError(kConfigKey, QStringLiteral("cannot read \"%1\": %2").arg(path, reason), origin);
        return;
    }
    const QString fileOrigin = QStringLiteral("config file ") + m_configFile;
    const QString text = QString::fromUtf8(file.readAll());
    const QStringList lines = text.split(QLatin1Char('\n'));

    QString prefix;
    bool otherProgram = false; // in a section of another Arena program: its lines are not ours
    QHash<QString, int> seen;
    for (qsizetype i = 0; i < lines.size(); ++i) {
        const int lineNo = int(i) + 1;
        const QString lineOrigin = fileOrigin + QStringLiteral(" line ") + QString::number(lineNo);
        QString line = lines.at(i).trimmed();
        if (i == 0 && line.startsWith(QChar(0xfeff)))
            line = line.mid(1).trimmed();
        if (line.isEmpty() || line.startsWith(QLatin1Char('#')) || line.startsWith(QLatin1Char(';')))
            continue;
        if (line.startsWith(QLatin1Char('['))) {
            const QString section = line.endsWith(QLatin1Char(']')) ? line.mid(1, line.size() - 2).trimmed() : QString();
            if (!isValidSettingKey(section)) {
                m_errors.append(QStringLiteral("%1: bad section header \"%2\" (use [kebab-case-name])").arg(lineOrigin, line));
                prefix.clear();
                continue;
            }
            // [arena-server], [arena-agent], ...: settings of that program only, so that one file can
            // configure the server and the agent of an instance.
            otherProgram = section.startsWith(QLatin1String("arena-")) && section != m_binaryName;
            prefix = section == m_binaryName ? QString() : section + QLatin1Char('-');
            continue;
        }
        if (otherProgram)
            continue;
        const qsizetype equals = line.indexOf(QLatin1Char('='));
        if (equals <= 0) {
            m_errors.append(QStringLiteral("%1: expected \"key = value\", got \"%2\"").arg(lineOrigin, line));
            continue;
        }
        const QString key = prefix + line.left(equals).trimmed();
        QString value = line.mid(equals + 1).trimmed();
        if (value.size() >= 2 && value.startsWith(QLatin1Char('"')) && value.endsWith(QLatin1Char('"')))
            value = value.mid(1, value.size() - 2);

        const auto found = m_index.constFind(key);
        if (found == m_index.constEnd()) {
            addError(key, QStringLiteral("unknown setting"), lineOrigin);
            continue;
        }
        if (const auto previous = seen.constFind(key); previous != seen.constEnd()) {
            addError(key, QStringLiteral("set twice (first on line %1)").arg(*previous), lineOrigin);
            continue;
        }
        seen.insert(key, lineNo);
        Entry &e = m_entries[size_t(*found)];
        if (e.spec.type == SettingType::FilePath && !value.isEmpty() && QFileInfo(value).isRelative())
            value = info.absoluteDir().filePath(value);
        set(e, value, ConfigSource::ConfigFile, lineOrigin);
    }
}

void Config::readEnvironment(const QProcessEnvironment &environment)
{
    for (Entry &e : m_entries) {
        const QString name = e.spec.envName();
        if (environment.contains(name))
            set(e, environment.value(name), ConfigSource::Environment, QStringLiteral("environment ") + name);
    }
}

QString Config::helpText() const
{
    QString text;
    QTextStream out(&text);
    out << "Usage: " << m_binaryName << " [options]";
    for (const Positional &p : m_positional)
        out << ' ' << (p.syntax.isEmpty() ? p.name : p.syntax);
    out << '\n';
    if (!m_description.isEmpty())
        out << m_description << '\n';
    if (!m_positional.isEmpty()) {
        out << "\nArguments:\n";
        for (const Positional &p : m_positional)
            out << "  " << p.name << "\n      " << p.description << '\n';
    }
    out << "\nOptions:\n"
        << "  -h, --help\n      Show this help and exit.\n"
        << "  --version\n      Show the program name and version and exit.\n"
        << "  --print-config\n      Print a config file with every setting, its description and default, and exit.\n"
        << "  --config <file>\n      Read settings from this INI file.\n      env ARENA_CONFIG\n";
    for (const Entry &e : m_entries) {
        const SettingSpec &s = e.spec;
        if (s.type == SettingType::Bool)
            out << "  --" << s.key << ", --" << negatedKey(s.key) << '\n';
        else
            out << "  --" << s.key << " <" << s.valueName() << ">\n";
        out << "      " << s.description << '\n';
        const QString shown = s.displayValue(s.defaultValue);
        out << "      " << s.typeDescription() << "; default " << (shown.isEmpty() ? QStringLiteral("none") : shown)
            << "; env " << s.envName() << '\n';
    }
    out << "\nPrecedence: command line > environment > config file > default.\n"
           "Config file: \"key = value\" lines with the keys above (without dashes); a [section] header\n"
           "prefixes the keys below it with \"section-\". Durations: 1500ms, 30s, 5m, 1h, or milliseconds.\n";
    out.flush();
    return text;
}

QString Config::configTemplate() const
{
    QString text;
    QTextStream out(&text);
    out << "# " << versionText() << ": every setting, commented out at its default.\n"
        << "# Uncomment a line to change it. Precedence: command line > environment > this file > default.\n"
        << "# Durations: 1500ms, 30s, 5m, 1h. Booleans: true or false. Lists: comma-separated.\n"
        << "# Settings under [" << m_binaryName << "] are read by " << m_binaryName
        << " only, so one file may hold the sections of several programs.\n"
        << "\n[" << m_binaryName << "]\n";
    for (const Entry &e : m_entries) {
        const SettingSpec &s = e.spec;
        out << "\n# " << s.description << "\n# " << s.typeDescription() << "; env " << s.envName() << '\n';
        const QString shown = s.type == SettingType::Bool ? (s.defaultValue.toBool() ? QStringLiteral("true")
                                                                                      : QStringLiteral("false"))
                                                          : s.displayValue(s.defaultValue);
        out << "# " << s.key << " =" << (shown.isEmpty() ? QString() : QLatin1Char(' ') + shown) << '\n';
    }
    out.flush();
    return text;
}

QString Config::versionText() const
{
    return m_binaryName + QLatin1Char(' ') + QStringLiteral(ARENA_VERSION);
}

std::optional<int> Config::earlyExit(QTextStream &out, QTextStream &err) const
{
    switch (m_outcome) {
    case Outcome::Help:
        out << helpText();
        out.flush();
        return 0;
    case Outcome::Version:
        out << versionText() << '\n';
        out.flush();
        return 0;
    case Outcome::PrintConfig:
        out << configTemplate();
        out.flush();
        return 0;
    case Outcome::Invalid:
    case Outcome::NotLoaded:
        if (m_outcome == Outcome::NotLoaded)
            err << m_binaryName << ": configuration was not loaded\n";
        for (const QString &error : m_errors)
            err << m_binaryName << ": " << error << '\n';
        err << "Run '" << m_binaryName << " --help' to see every setting.\n";
        err.flush();
        return 2;
    case Outcome::Run:
        break;
    }
    return std::nullopt;
}

QList<SettingSpec> Config::specs() const
{
    QList<SettingSpec> result;
    result.reserve(qsizetype(m_entries.size()));
    for (const Entry &e : m_entries)
        result.append(e.spec);
    return result;
}

std::optional<SettingSpec> Config::spec(const QString &key) const
{
    const auto found = m_index.constFind(key);
    if (found == m_index.constEnd())
        return std::nullopt;
    return m_entries[size_t(*found)].spec;
}

ConfigSource Config::source(const QString &key) const
{
    const auto found = m_index.constFind(key);
    return found == m_index.constEnd() ? ConfigSource::Default : m_entries[size_t(*found)].source;
}

QString Config::sourceDescription(const QString &key) const
{
    const auto found = m_index.constFind(key);
    return found == m_index.constEnd() ? QString() : m_entries[size_t(*found)].origin;
}

QStringList Config::summary() const
{
    QStringList lines;
    for (const Entry &e : m_entries)
        lines.append(QStringLiteral("%1 = %2 (from %3)").arg(e.spec.key, e.spec.displayValue(e.value), e.origin));
    return lines;
}

const Config::Entry *Config::entry(const QString &key, std::initializer_list<SettingType> types, const char *getter) const
{
    const auto found = m_index.constFind(key);
    if (found == m_index.constEnd()) {
        qCCritical(lcCore, "programming error: Config::%s(\"%s\"): no such setting", getter, qUtf8Printable(key));
        return nullptr;
    }
    const Entry &e = m_entries[size_t(*found)];
    if (std::find(types.begin(), types.end(), e.spec.type) == types.end()) {
        qCCritical(lcCore, "programming error: Config::%s(\"%s\"): the setting is of type %s", getter, qUtf8Printable(key),
                   qUtf8Printable(typeName(e.spec.type)));
        return nullptr;
    }
    return &e;
}

qint64 Config::intValue(const QString &key) const
{
    const Entry *e = entry(key, {SettingType::Int}, "intValue");
    return e ? e->value.toLongLong() : 0;
}

bool Config::boolValue(const QString &key) const
{
    const Entry *e = entry(key, {SettingType::Bool}, "boolValue");
    return e ? e->value.toBool() : false;
}

QString Config::stringValue(const QString &key) const
{
    const Entry *e = entry(key, {SettingType::String, SettingType::Enum, SettingType::FilePath}, "stringValue");
    return e ? e->value.toString() : QString();
}

std::chrono::milliseconds Config::duration(const QString &key) const
{
    const Entry *e = entry(key, {SettingType::Duration}, "duration");
    return std::chrono::milliseconds(e ? e->value.toLongLong() : 0);
}

QUrl Config::urlValue(const QString &key) const
{
    const Entry *e = entry(key, {SettingType::Url}, "urlValue");
    return e ? e->value.toUrl() : QUrl();
}

QStringList Config::stringList(const QString &key) const
{
    const Entry *e = entry(key, {SettingType::StringList}, "stringList");
    return e ? e->value.toStringList() : QStringList();
}

QVariant Config::value(const QString &key) const
{
    const auto found = m_index.constFind(key);
    if (found == m_index.constEnd()) {
        qCCritical(lcCore, "programming error: Config::value(\"%s\"): no such setting", qUtf8Printable(key));
        return {};
    }
    return m_entries[size_t(*found)].value;
}

} // namespace arena
