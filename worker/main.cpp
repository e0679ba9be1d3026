// arena-worker: a child process of arena-server that hosts authoritative matches. Started by the
// server's worker pool, never by hand: it dies with its parent, and exits when the server goes away.
#include "worker/workerapp.h"
#include "shared/core/epolleventdispatcher.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QLoggingCategory>
#include <QTextStream>

#include <csignal>

#include <sys/prctl.h>
#include <unistd.h>

int main(int argc, char *argv[])
{
    // Killed with the server, whatever kills it (kill -9 included): a worker never outlives its parent.
    const pid_t parent = ::getppid();
    ::prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (::getppid() != parent)
        return 1; // the parent died before the line above took effect

    arena::EpollEventDispatcher::installForMainThread();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("arena-worker"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ARENA_VERSION));

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral(
        "Arena match worker: hosts authoritative matches for arena-server, which starts it. Not run by hand."));
    parser.addHelpOption();
    parser.addVersionOption();
    const QCommandLineOption socket(QStringLiteral("socket"), QStringLiteral("The server's local socket name."),
                                    QStringLiteral("name"));
    const QCommandLineOption id(QStringLiteral("worker-id"), QStringLiteral("This worker's id, given by the server."),
                                QStringLiteral("id"));
    parser.addOption(socket);
    parser.addOption(id);
    parser.process(app);
    QTextStream err(stderr);
    if (!parser.isSet(socket) || !parser.isSet(id)) {
        err << "arena-worker: --socket and --worker-id are required (arena-server starts workers itself)" << Qt::endl;
        return 2;
    }

    // Its lines go to the server's stderr, mixed with the server's own: say which worker wrote them.
    qSetMessagePattern(QStringLiteral("%{time yyyy-MM-ddThh:mm:ss.zzz} %{type} %{category} [worker %1]: %{message}")
                           .arg(parser.value(id)));
    QLoggingCategory::setFilterRules(QStringLiteral("arena.server.rooms.info=false")); // type registrations

    arena::WorkerOptions options;
    options.socketName = parser.value(socket);
    options.workerId = parser.value(id);
    options.testRoomTypes = qgetenv("ARENA_TEST_ROOM_TYPES") == "1";
    arena::WorkerApp worker;
    QObject::connect(&worker, &arena::WorkerApp::finished, &app, &QCoreApplication::exit, Qt::QueuedConnection);
    if (const auto started = worker.init(options); !started.ok()) {
        err << "arena-worker: " << started.error().message << Qt::endl;
        return 1;
    }
    return app.exec();
}
