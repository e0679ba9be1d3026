// arena-ctl: read the command line, run one command against an arena-agent, exit with its code.
#include "tools/ctl/ctloptions.h"
#include "tools/ctl/ctlrunner.h"

#include "shared/core/logging.h"

#include <QCoreApplication>
#include <QTextStream>
#include <QTimer>

#include <cstdio>

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("arena-ctl"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ARENA_VERSION));

    // Warnings only: the client's progress notes are not for a command line's stderr.
    arena::LogOptions logOptions;
    logOptions.target = QStringLiteral("arena-ctl");
    logOptions.filterRules = QStringLiteral("arena.*.info=false;arena.*.debug=false");
    arena::Logging logging(logOptions);
    logging.install();

    QTextStream out(stdout);
    QTextStream err(stderr);
    const arena::ctl::ParsedCommandLine parsed = arena::ctl::parseCommandLine(QCoreApplication::arguments());
    switch (parsed.kind) {
    case arena::ctl::ParsedCommandLine::Kind::Help:
    case arena::ctl::ParsedCommandLine::Kind::Version:
        out << parsed.text << Qt::flush;
        return int(arena::ctl::ExitCode::Ok);
    case arena::ctl::ParsedCommandLine::Kind::Usage:
        err << parsed.text << Qt::flush;
        return int(arena::ctl::ExitCode::Usage);
    case arena::ctl::ParsedCommandLine::Kind::Run:
        break;
    }

    arena::ctl::CtlRunner runner(parsed.options, out, err);
    QObject::connect(&runner, &arena::ctl::CtlRunner::finished, &app, [](int code) { QCoreApplication::exit(code); });
    // Started from the event loop, so that a command that ends at once ends inside exec().
    QTimer::singleShot(0, &runner, &arena::ctl::CtlRunner::start);
    return app.exec();
}
