// arena-agent: parse the configuration, build the AgentApp, print the ready line once the agent knows
// its instance, run.
#include "agent/agentapp.h"
#include "agent/agentsettings.h"
#include "shared/core/config.h"
#include "shared/core/logging.h"
#include "shared/core/signalwatcher.h"

#include <QCoreApplication>
#include <QTextStream>

#include <csignal>

int main(int argc, char *argv[])
{
    arena::SignalWatcher::blockSignals({SIGTERM, SIGINT});
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("arena-agent"));
    QCoreApplication::setApplicationVersion(QStringLiteral(ARENA_VERSION));

    arena::Config config(arena::agentSettings(), QStringLiteral("arena-agent"),
                         QStringLiteral("Arena monitoring agent: collects one instance's figures, serves the fleet "
                                        "to consoles and carries out operator actions."));
    const auto loaded = config.load(QCoreApplication::arguments(), QProcessEnvironment::systemEnvironment());
    QTextStream out(stdout);
    QTextStream err(stderr);
    if (const auto code = config.earlyExit(out, err))
        return *code;

    arena::Logging logging(arena::Logging::optionsFrom(config));
    logging.install();

    arena::AgentApp agent;
    if (const auto r = agent.init(config); !r.ok()) {
        err << "arena-agent: " << r.error().message << Qt::endl;
        return 1;
    }
    const auto announce = [&] { out << agent.readyLine() << Qt::endl; };
    if (agent.isReady())
        announce();
    else
        QObject::connect(&agent, &arena::AgentApp::ready, &app, announce);
    arena::SignalWatcher signalWatcher({SIGTERM, SIGINT});
    QObject::connect(&signalWatcher, &arena::SignalWatcher::received, &agent, &arena::AgentApp::shutdown);
    QObject::connect(&agent, &arena::AgentApp::finished, &app, &QCoreApplication::quit);
    return app.exec();
}
