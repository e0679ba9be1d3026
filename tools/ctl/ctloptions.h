// CtlOptions: what arena-ctl is asked to do, read from its command line (global options, a command,
// the command's arguments and options) and checked.
#pragma once

#include "shared/core/accesscontrol.h" // readTokenFile

#include "shared/result.h"

#include <QByteArray>
#include <QProcessEnvironment>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <optional>

namespace arena::ctl {

enum class Command {
    Fleet,
    Stats,
    Cleanup,
    WorkersScale,
    WorkersRestart,
    WorkersDrain,
    Drain,
    Rooms,
    RoomsDispose,
    Audit,
};

QString commandName(Command command); // "fleet", "workers scale", ...

struct CtlOptions
{
    QUrl agent = QUrl(QStringLiteral("ws://127.0.0.1:4602"));
    QByteArray token; // empty: none given (an agent without a token file accepts any)
    bool json = false;
    int timeoutMs = 15000;

    Command command = Command::Fleet;
    std::optional<QString> instance; // --instance, or stats' argument; absent: the agent's own (cleanup: fleet)
    bool dryRun = false;
    int workers = 0;                  // workers scale
    QString workerId;                 // workers restart / drain
    std::optional<qint64> deadlineMs; // workers drain, drain
    bool cancel = false;              // drain
    std::optional<QString> roomType;  // rooms
    QString roomId;                   // rooms dispose
    int count = 50;                   // audit
};

// The outcome of reading a command line: run the command, or print a text and exit.
struct ParsedCommandLine
{
    enum class Kind {
        Run,     // options hold the command
        Help,    // print text on stdout, exit 0
        Version, // print text on stdout, exit 0
        Usage,   // print text (the error, then the usage) on stderr, exit 2
    };
    Kind kind = Kind::Usage;
    CtlOptions options;
    QString text;
};

// `arguments` as main() gets them, the program name first. The token is taken from --token, else the
// first token of --token-file, else ARENA_TOKEN in `environment`.
ParsedCommandLine parseCommandLine(const QStringList &arguments,
                                   const QProcessEnvironment &environment = QProcessEnvironment::systemEnvironment());


// `arena-ctl --help`: the commands, global options and exit codes.
QString generalHelp();

} // namespace arena::ctl
