#include "tools/ctl/ctloptions.h"

#include "tools/ctl/ctlexitcode.h"

#include <QCommandLineOption>
#include <QCommandLineParser>

#include <algorithm>

namespace arena::ctl {

namespace {

const QString Program = QStringLiteral("arena-ctl");
constexpr int MaxTimeoutMs = 24 * 3600 * 1000;
constexpr int MaxAuditCount = 1000;

// Every option arena-ctl knows; a command's parser takes the global ones plus its own.
struct Options
{
    QCommandLineOption agent{QStringLiteral("agent"),
                             QStringLiteral("The agent's WebSocket address (default ws://127.0.0.1:4602)."),
                             QStringLiteral("url")};
    QCommandLineOption tokenFile{QStringLiteral("token-file"),
                                 QStringLiteral("Use the first token of this file (lines \"role token [name]\")."),
                                 QStringLiteral("file")};
    QCommandLineOption token{QStringLiteral("token"),
                             QStringLiteral("The token to authenticate with (else --token-file, else $ARENA_TOKEN)."),
                             QStringLiteral("token")};
    QCommandLineOption json{QStringLiteral("json"),
                            QStringLiteral("Print one JSON document on stdout instead of text.")};
    QCommandLineOption timeoutMs{QStringLiteral("timeout-ms"),
                                 QStringLiteral("Give up after this many milliseconds (default 15000)."),
                                 QStringLiteral("ms")};
    QCommandLineOption help{{QStringLiteral("h"), QStringLiteral("help")}, QStringLiteral("Show this help.")};
    QCommandLineOption version{QStringLiteral("version"), QStringLiteral("Show the version.")};

    QCommandLineOption instance{QStringLiteral("instance"),
                                QStringLiteral("The instance to act on (default: the agent's own; for cleanup: every instance that is up)."),
                                QStringLiteral("id")};
    QCommandLineOption dryRun{QStringLiteral("dry-run"), QStringLiteral("Report what would be done, change nothing.")};
    QCommandLineOption deadlineMs{QStringLiteral("deadline-ms"),
                                  QStringLiteral("How long matches may take to finish before they are moved."),
                                  QStringLiteral("ms")};
    QCommandLineOption cancel{QStringLiteral("cancel"), QStringLiteral("Cancel a drain in progress.")};
    QCommandLineOption type{QStringLiteral("type"), QStringLiteral("Only rooms of this type."),
                            QStringLiteral("type")};
    QCommandLineOption count{QStringLiteral("count"),
                             QStringLiteral("How many entries, newest first (default 50, at most 1000)."),
                             QStringLiteral("n")};

    QList<const QCommandLineOption *> global() const { return {&agent, &tokenFile, &token, &json, &timeoutMs, &help, &version}; }
};

struct CommandSpec
{
    QString name;
    QStringList usage; // one line per form, after "arena-ctl [global options] "
    QString description;
    QList<const QCommandLineOption *> options;
};

QList<CommandSpec> commandSpecs(const Options &o)
{
    return {
        {QStringLiteral("fleet"), {QStringLiteral("fleet")},
         QStringLiteral("List every instance of the fleet: state, sessions, rooms, matches, workers and when its "
                        "agent last reported."),
         {}},
        {QStringLiteral("stats"), {QStringLiteral("stats [<instance>]")},
         QStringLiteral("Show an instance's latest figures: server, sessions, rooms, matches, queues, workers, "
                        "process, Redis and host. With --json, the snapshot as the agent has it."),
         {&o.instance}},
        {QStringLiteral("cleanup"), {QStringLiteral("cleanup [--instance ID] [--dry-run]")},
         QStringLiteral("Remove what dead instances left behind and what has expired, per kind; without --instance on "
                        "every instance that is up. A dry run lists what would be removed."),
         {&o.instance, &o.dryRun}},
        {QStringLiteral("workers"),
         {QStringLiteral("workers scale <n> [--instance ID] [--dry-run]"),
          QStringLiteral("workers restart <worker-id> [--instance ID] [--dry-run]"),
          QStringLiteral("workers drain <worker-id> [--instance ID] [--deadline-ms N] [--dry-run]")},
         QStringLiteral("Set the number of match workers, restart a worker (its matches move to the others), or drain "
                        "one (it takes no new matches and stops when its matches are over or at the deadline)."),
         {&o.instance, &o.dryRun, &o.deadlineMs}},
        {QStringLiteral("drain"), {QStringLiteral("drain [--instance ID] [--deadline-ms N] [--cancel] [--dry-run]")},
         QStringLiteral("Drain an instance (it takes no new players; matches finish or move until the deadline), or "
                        "cancel a drain."),
         {&o.instance, &o.deadlineMs, &o.cancel, &o.dryRun}},
        {QStringLiteral("rooms"),
         {QStringLiteral("rooms [--instance ID] [--type T]"),
          QStringLiteral("rooms dispose <room-id> [--instance ID] [--dry-run]")},
         QStringLiteral("List an instance's rooms, or dispose of one (its members are told and leave)."),
         {&o.instance, &o.type, &o.dryRun}},
        {QStringLiteral("audit"), {QStringLiteral("audit [--count N]")},
         QStringLiteral("Show the fleet's audit trail: every action, dry runs and refusals included, newest first."),
         {&o.count}},
    };
}

QString optionLines(const QList<const QCommandLineOption *> &options)
{
    QStringList left;
    for (const QCommandLineOption *o : options) {
        QStringList names;
        for (const QString &n : o->names())
            names.append(n.size() == 1 ? QLatin1Char('-') + n : QStringLiteral("--") + n);
        QString l = names.join(QStringLiteral(", "));
        if (!o->valueName().isEmpty())
            l += QStringLiteral(" <%1>").arg(o->valueName());
        left.append(l);
    }
    qsizetype width = 0;
    for (const QString &l : left)
        width = std::max(width, l.size());
    QString out;
    for (qsizetype i = 0; i < options.size(); ++i)
        out += QStringLiteral("  ") + left.at(i).leftJustified(width + 2, QLatin1Char(' ')) + options.at(i)->description()
            + QLatin1Char('\n');
    return out;
}

// Breaks `text` into lines of at most `width` characters at spaces.
QString wrapped(const QString &text, qsizetype width)
{
    QString out;
    QString line;
    for (const QString &word : text.split(QLatin1Char(' '), Qt::SkipEmptyParts)) {
        if (!line.isEmpty() && line.size() + 1 + word.size() > width) {
            out += line + QLatin1Char('\n');
            line.clear();
        }
        line += (line.isEmpty() ? QString() : QStringLiteral(" ")) + word;
    }
    if (!line.isEmpty())
        out += line + QLatin1Char('\n');
    return out;
}

QString commandUsage(const CommandSpec &spec)
{
    QString text;
    for (qsizetype i = 0; i < spec.usage.size(); ++i)
        text += (i == 0 ? QStringLiteral("Usage: ") : QStringLiteral("       ")) + Program
            + QStringLiteral(" [global options] ") + spec.usage.at(i) + QLatin1Char('\n');
    return text;
}

QString commandHelp(const Options &o, const CommandSpec &spec)
{
    QString text = commandUsage(spec);
    text += QLatin1Char('\n') + wrapped(spec.description, 100);
    if (!spec.options.isEmpty())
        text += QStringLiteral("\nOptions:\n") + optionLines(spec.options);
    text += QStringLiteral("\nGlobal options:\n") + optionLines(o.global());
    text += QLatin1Char('\n') + exitCodeHelp();
    return text;
}

QString usageLines(const Options &o)
{
    QString text = QStringLiteral("Usage: %1 [global options] <command> [arguments] [options]\n\nCommands:\n").arg(Program);
    for (const CommandSpec &spec : commandSpecs(o)) {
        for (const QString &u : spec.usage)
            text += QStringLiteral("  ") + u + QLatin1Char('\n');
    }
    text += QStringLiteral("\nRun '%1 <command> --help' for a command's options, '%1 --help' for everything.\n").arg(Program);
    return text;
}

ParsedCommandLine usageError(const QString &message, const QString &usage)
{
    ParsedCommandLine p;
    p.kind = ParsedCommandLine::Kind::Usage;
    p.text = QStringLiteral("%1: %2\n\n%3").arg(Program, message, usage);
    return p;
}

std::optional<qint64> parseInteger(const QString &text, qint64 min, qint64 max)
{
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < min || value > max)
        return std::nullopt;
    return value;
}

Result<QUrl> parseAgentUrl(const QString &text)
{
    QUrl url(text, QUrl::StrictMode);
    if (url.scheme() == QLatin1String("http"))
        url.setScheme(QStringLiteral("ws"));
    else if (url.scheme() == QLatin1String("https"))
        url.setScheme(QStringLiteral("wss"));
    if (!url.isValid() || (url.scheme() != QLatin1String("ws") && url.scheme() != QLatin1String("wss"))
        || url.host().isEmpty())
        return Error{QStringLiteral("usage"),
                     QStringLiteral("--agent wants a ws:// or wss:// URL such as ws://127.0.0.1:4602, not '%1'").arg(text)};
    return url;
}

} // namespace

QString commandName(Command command)
{
    switch (command) {
    case Command::Fleet: return QStringLiteral("fleet");
    case Command::Stats: return QStringLiteral("stats");
    case Command::Cleanup: return QStringLiteral("cleanup");
    case Command::WorkersScale: return QStringLiteral("workers scale");
    case Command::WorkersRestart: return QStringLiteral("workers restart");
    case Command::WorkersDrain: return QStringLiteral("workers drain");
    case Command::Drain: return QStringLiteral("drain");
    case Command::Rooms: return QStringLiteral("rooms");
    case Command::RoomsDispose: return QStringLiteral("rooms dispose");
    case Command::Audit: return QStringLiteral("audit");
    }
    return QString();
}

QString generalHelp()
{
    const Options o;
    QString text = QStringLiteral(
                       "Usage: %1 [global options] <command> [arguments] [options]\n\n"
                       "Operator command line for arena-agent: the fleet, an instance's figures, cleanup, workers, "
                       "drain,\nrooms and the audit trail, over the agent's WebSocket admin API (the same API as "
                       "arena-console).\nActions need an operator token; a viewer token may only look.\n\nCommands:\n")
                       .arg(Program);
    for (const CommandSpec &spec : commandSpecs(o)) {
        for (const QString &u : spec.usage)
            text += QStringLiteral("  ") + u + QLatin1Char('\n');
    }
    text += QStringLiteral("\nGlobal options (before or after the command):\n") + optionLines(o.global());
    text += QStringLiteral("\nRun '%1 <command> --help' for a command's options.\n"
                           "With --json, stdout holds exactly one JSON document: the fleet, the query's or action's "
                           "result,\nor {\"error\":{\"code\",\"message\"}}; errors are also written to stderr as text.\n\n")
                .arg(Program);
    text += exitCodeHelp();
    return text;
}

ParsedCommandLine parseCommandLine(const QStringList &arguments, const QProcessEnvironment &environment)
{
    const Options o;
    const QString usage = usageLines(o);

    QCommandLineParser global;
    global.setOptionsAfterPositionalArgumentsMode(QCommandLineParser::ParseAsPositionalArguments);
    for (const QCommandLineOption *option : o.global())
        global.addOption(*option);
    if (!global.parse(arguments.isEmpty() ? QStringList{Program} : arguments))
        return usageError(global.errorText(), usage);

    QStringList positional = global.positionalArguments();
    if (global.isSet(o.version)) {
        ParsedCommandLine p;
        p.kind = ParsedCommandLine::Kind::Version;
        p.text = Program + QStringLiteral(" " ARENA_VERSION "\n");
        return p;
    }
    if (positional.isEmpty()) {
        if (global.isSet(o.help)) {
            ParsedCommandLine p;
            p.kind = ParsedCommandLine::Kind::Help;
            p.text = generalHelp();
            return p;
        }
        return usageError(QStringLiteral("no command given"), usage);
    }

    const QList<CommandSpec> specs = commandSpecs(o);
    const QString name = positional.takeFirst();
    const auto spec = std::find_if(specs.begin(), specs.end(), [&](const CommandSpec &s) { return s.name == name; });
    if (spec == specs.end())
        return usageError(QStringLiteral("unknown command '%1'").arg(name), usage);
    // Errors show the usage lines; --help shows everything.
    const QString help = commandUsage(*spec)
        + QStringLiteral("Run '%1 %2 --help' for its options.\n").arg(Program, spec->name);

    QCommandLineParser parser;
    for (const QCommandLineOption *option : o.global())
        parser.addOption(*option);
    for (const QCommandLineOption *option : spec->options)
        parser.addOption(*option);
    if (!parser.parse(QStringList{Program} + positional))
        return usageError(parser.errorText(), help);
    if (global.isSet(o.help) || parser.isSet(o.help)) {
        ParsedCommandLine p;
        p.kind = ParsedCommandLine::Kind::Help;
        p.text = commandHelp(o, *spec);
        return p;
    }
    // A global option may come before or after the command; after wins.
    const auto isSet = [&](const QCommandLineOption &option) { return parser.isSet(option) || global.isSet(option); };
    const auto value = [&](const QCommandLineOption &option) {
        return parser.isSet(option) ? parser.value(option) : global.value(option);
    };

    // Only a command's own options may be asked about (QCommandLineParser warns about others).
    const auto has = [&](const QCommandLineOption &option) {
        return spec->options.contains(&option) && parser.isSet(option);
    };

    CtlOptions options;
    if (isSet(o.agent)) {
        const Result<QUrl> url = parseAgentUrl(value(o.agent));
        if (!url.ok())
            return usageError(url.error().message, usage);
        options.agent = url.value();
    }
    options.json = isSet(o.json);
    if (isSet(o.timeoutMs)) {
        const auto ms = parseInteger(value(o.timeoutMs), 1, MaxTimeoutMs);
        if (!ms)
            return usageError(QStringLiteral("--timeout-ms wants a number of milliseconds from 1 to %1, not '%2'")
                                  .arg(MaxTimeoutMs)
                                  .arg(value(o.timeoutMs)),
                              help);
        options.timeoutMs = int(*ms);
    }
    if (isSet(o.token)) {
        options.token = value(o.token).toUtf8();
        if (options.token.isEmpty())
            return usageError(QStringLiteral("--token is empty"), help);
    } else if (isSet(o.tokenFile)) {
        const Result<QByteArray> token = readTokenFile(value(o.tokenFile));
        if (!token.ok())
            return usageError(token.error().message, help);
        options.token = token.value();
    } else {
        options.token = environment.value(QStringLiteral("ARENA_TOKEN")).trimmed().toUtf8();
    }

    if (has(o.instance)) {
        options.instance = parser.value(o.instance);
        if (options.instance->isEmpty())
            return usageError(QStringLiteral("--instance is empty"), help);
    }
    options.dryRun = has(o.dryRun);
    if (has(o.deadlineMs)) {
        const auto ms = parseInteger(parser.value(o.deadlineMs), 0, std::numeric_limits<qint32>::max());
        if (!ms)
            return usageError(QStringLiteral("--deadline-ms wants a number of milliseconds, 0 or more, not '%1'")
                                  .arg(parser.value(o.deadlineMs)),
                              help);
        options.deadlineMs = *ms;
    }
    options.cancel = has(o.cancel);
    if (has(o.type)) {
        options.roomType = parser.value(o.type);
        if (options.roomType->isEmpty())
            return usageError(QStringLiteral("--type is empty"), help);
    }
    if (has(o.count)) {
        const auto count = parseInteger(parser.value(o.count), 1, MaxAuditCount);
        if (!count)
            return usageError(QStringLiteral("--count wants a number from 1 to %1, not '%2'")
                                  .arg(MaxAuditCount)
                                  .arg(parser.value(o.count)),
                              help);
        options.count = int(*count);
    }

    const QStringList args = parser.positionalArguments();
    const auto tooMany = [&](qsizetype allowed) {
        return usageError(QStringLiteral("unexpected argument '%1'").arg(args.at(allowed)), help);
    };
    const auto notFor = [&](const QCommandLineOption &option, const QString &command) {
        return usageError(QStringLiteral("--%1 does not apply to '%2'").arg(option.names().constLast(), command), help);
    };

    if (name == QLatin1String("fleet")) {
        options.command = Command::Fleet;
        if (!args.isEmpty())
            return tooMany(0);
    } else if (name == QLatin1String("stats")) {
        options.command = Command::Stats;
        if (args.size() > 1)
            return tooMany(1);
        if (args.size() == 1) {
            if (options.instance)
                return usageError(QStringLiteral("give the instance either as an argument or with --instance"), help);
            if (args.first().isEmpty())
                return usageError(QStringLiteral("the instance id is empty"), help);
            options.instance = args.first();
        }
    } else if (name == QLatin1String("cleanup")) {
        options.command = Command::Cleanup;
        if (!args.isEmpty())
            return tooMany(0);
    } else if (name == QLatin1String("workers")) {
        if (args.isEmpty())
            return usageError(QStringLiteral("'workers' wants scale, restart or drain"), help);
        const QString sub = args.first();
        if (sub == QLatin1String("scale")) {
            options.command = Command::WorkersScale;
            if (args.size() < 2)
                return usageError(QStringLiteral("'workers scale' wants the number of workers"), help);
            const auto n = parseInteger(args.at(1), 0, 100000);
            if (!n)
                return usageError(QStringLiteral("'workers scale' wants a number of workers, 0 or more, not '%1'").arg(args.at(1)),
                                  help);
            options.workers = int(*n);
        } else if (sub == QLatin1String("restart") || sub == QLatin1String("drain")) {
            options.command = sub == QLatin1String("restart") ? Command::WorkersRestart : Command::WorkersDrain;
            if (args.size() < 2 || args.at(1).isEmpty())
                return usageError(QStringLiteral("'workers %1' wants a worker id (e.g. w1)").arg(sub), help);
            options.workerId = args.at(1);
        } else {
            return usageError(QStringLiteral("unknown 'workers' command '%1' (scale, restart or drain)").arg(sub), help);
        }
        if (args.size() > 2)
            return tooMany(2);
        if (options.deadlineMs && options.command != Command::WorkersDrain)
            return notFor(o.deadlineMs, commandName(options.command));
    } else if (name == QLatin1String("drain")) {
        options.command = Command::Drain;
        if (!args.isEmpty())
            return tooMany(0);
        if (options.cancel && options.deadlineMs)
            return usageError(QStringLiteral("--cancel and --deadline-ms do not go together"), help);
    } else if (name == QLatin1String("rooms")) {
        if (args.isEmpty()) {
            options.command = Command::Rooms;
            if (options.dryRun)
                return notFor(o.dryRun, QStringLiteral("rooms"));
        } else if (args.first() == QLatin1String("dispose")) {
            options.command = Command::RoomsDispose;
            if (args.size() < 2 || args.at(1).isEmpty())
                return usageError(QStringLiteral("'rooms dispose' wants a room id"), help);
            options.roomId = args.at(1);
            if (args.size() > 2)
                return tooMany(2);
            if (options.roomType)
                return notFor(o.type, QStringLiteral("rooms dispose"));
        } else {
            return usageError(QStringLiteral("unknown 'rooms' command '%1' (only dispose)").arg(args.first()), help);
        }
    } else if (name == QLatin1String("audit")) {
        options.command = Command::Audit;
        if (!args.isEmpty())
            return tooMany(0);
    }

    ParsedCommandLine p;
    p.kind = ParsedCommandLine::Kind::Run;
    p.options = options;
    return p;
}

} // namespace arena::ctl
