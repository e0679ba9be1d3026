// arena-server: parse the configuration, build the ServerApp, print the ready line, run.
#include "server/serverapp.h"
#include "server/serverlog.h"
#include "server/serversettings.h"
#include "shared/core/config.h"
#include "shared/core/epolleventdispatcher.h"
#include "shared/core/logging.h"
#include "shared/core/signalwatcher.h"

#include <QCoreApplication>
#include <QTextStream>

#include <csignal>

int main(int argc, char *argv[])
{
    arena::SignalWatcher::blockSignals({SIGTERM, SIGINT});
    // The epoll dispatcher keeps the cost of a wakeup independent of the number of players connected
    // (docs/BENCHMARKS.md); ARENA_EVENT_LOOP=qt selects Qt's default one, for comparison.
    const bool useEpoll = arena::EpollEventDispatcher::installForMainThread();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("arena-server"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ARENA_VERSION));

    arena::Config config(arena::serverSettings(), QStringLiteral("arena-server"),
                         QStringLiteral("Arena game server: player sessions, rooms and matchmaking."));
    const auto loaded = config.load(QCoreApplication::arguments(), QProcessEnvironment::systemEnvironment());
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (const auto code = config.earlyExit(out, err))
        return *code;

    arena::Logging logging(arena::Logging::optionsFrom(config));
    logging.install();

    qCInfo(lcServer) << "event loop:" << (useEpoll ? "epoll" : "qt default");

    arena::ServerApp server;
    if (const auto r = server.init(config); !r.ok()) {
        err << "arena-server: " << r.error().message << Qt::endl;
        return 1;
    }
    arena::SignalWatcher signalWatcher({SIGTERM, SIGINT});
    QObject::connect(&signalWatcher, &arena::SignalWatcher::received, &server, &arena::ServerApp::shutdown);
    QObject::connect(&server, &arena::ServerApp::finished, &app, &QCoreApplication::quit);
    out << server.readyLine() << Qt::endl;
    return app.exec();
}
