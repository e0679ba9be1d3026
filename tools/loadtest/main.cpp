// arena-loadtest: parse the options, run a LoadGenerator, print progress and the report.
#include "tools/loadtest/loadgenerator.h"
#include "tools/loadtest/loadtestoptions.h"

#include "shared/core/epolleventdispatcher.h"
#include "shared/core/logging.h"
#include "shared/core/signalwatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QJsonDocument>
#include <QTextStream>
#include <QTimer>

#include <csignal>
#include <unistd.h>

int main(int argc, char *argv[])
{
    arena::SignalWatcher::blockSignals({SIGTERM, SIGINT});
    // Like the server: with 1000s of connections Qt's default dispatcher spends most of its time in poll().
    arena::EpollEventDispatcher::installForMainThread();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("arena-loadtest"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ARENA_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Load generator for arena-server: simulated players join rooms (or matchmaking) and send timestamped "
        "room messages; reports join times, deliveries per second, end-to-end latency, errors, and the server's "
        "CPU and memory when it runs on this machine.\n"
        "Exit codes: 0 passed, 1 errors/disconnects above --max-error-rate or nothing measured, "
        "2 bad usage or server unreachable, 3 interrupted or stopped by its deadline."));
    arena::LoadTestOptions::addOptions(parser);
    parser.process(app);

    arena::LogOptions logOptions;
    logOptions.target = QStringLiteral("arena-loadtest");
    arena::Logging logging(logOptions);
    logging.install();

    QTextStream out(stdout);
    QTextStream err(stderr);
    const auto options = arena::LoadTestOptions::fromParser(parser);
    if (!options.ok()) {
        err << "arena-loadtest: " << options.error().message << Qt::endl;
        return arena::LoadReport::SetupFailed;
    }

    arena::LoadGenerator generator(options.value());
    const bool live = !options->quiet;
    // On a terminal the progress is one line rewritten in place; otherwise (logs, CI) a line per second.
    const bool tty = ::isatty(STDERR_FILENO) == 1;
    QObject::connect(&generator, &arena::LoadGenerator::progressed, &app,
                     [&err, live, tty](const arena::LoadGenerator::Progress &p) {
                         if (!live)
                             return;
                         if (tty)
                             err << "\r\x1b[K" << p.toText() << Qt::flush;
                         else
                             err << p.toText() << Qt::endl;
                     });
    QObject::connect(&generator, &arena::LoadGenerator::finished, &app, [&] {
        if (live && tty)
            err << "\r\x1b[K" << Qt::flush;
        const arena::LoadReport &report = generator.report();
        if (options->json) {
            out << QJsonDocument(report.toJson()).toJson(QJsonDocument::Compact) << Qt::endl;
            if (!options->quiet)
                err << report.toText() << Qt::flush;
        } else {
            out << report.toText() << Qt::flush;
        }
        if (!report.setupError.isEmpty())
            err << "arena-loadtest: " << report.setupError << Qt::endl;
        QCoreApplication::exit(report.exitCode());
    });
    arena::SignalWatcher signalWatcher({SIGTERM, SIGINT});
    QObject::connect(&signalWatcher, &arena::SignalWatcher::received, &generator, &arena::LoadGenerator::interrupt);

    // Started from the event loop, so that even a run that ends at once ends inside exec().
    QTimer::singleShot(0, &generator, &arena::LoadGenerator::start);
    return app.exec();
}
