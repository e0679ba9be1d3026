// arena-console: the operator's desktop console. Parses the command line, connects to an agent (the
// command line's, else the last used profile, else asks), and shows the main window; --screenshot saves a
// picture of it after a while and exits (the demo uses it where there is no display).
#include "console/app/connectionprofile.h"
#include "console/app/consolesession.h"
#include "console/app/consoleuilog.h"
#include "console/app/mainwindow.h"
#include "shared/core/logging.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QSettings>
#include <QStyleFactory>
#include <QTimer>

#include <chrono>
#include <cstdio>

using namespace arena::console;

namespace {

// The connection the command line asks for: nullopt when it names no agent; an error for a bad value.
arena::Result<std::optional<ConnectionProfile>> profileFromCommandLine(const QCommandLineParser &parser,
                                                                       const ProfileStore &profiles)
{
    std::optional<ConnectionProfile> profile;
    if (parser.isSet(QStringLiteral("agent"))) {
        const auto url = agentUrlFromText(parser.value(QStringLiteral("agent")));
        if (!url)
            return url.error();
        profile = ConnectionProfile{};
        profile->agent = url.value();
        // The same agent as a saved profile: take its token unless the command line gives one.
        for (const ConnectionProfile &p : profiles.profiles()) {
            if (p.agent == profile->agent) {
                profile->token = p.token;
                profile->fallbacks = p.fallbacks;
            }
        }
    }
    if (parser.isSet(QStringLiteral("token-file"))) {
        const auto token = arena::readTokenFile(parser.value(QStringLiteral("token-file")));
        if (!token)
            return token.error();
        if (!profile)
            profile = profiles.lastUsedProfile().value_or(ConnectionProfile{});
        profile->token = token.value();
    }
    if (parser.isSet(QStringLiteral("fallback"))) {
        if (!profile)
            profile = profiles.lastUsedProfile().value_or(ConnectionProfile{});
        profile->fallbacks.clear();
        for (const QString &text : parser.values(QStringLiteral("fallback"))) {
            const auto url = agentUrlFromText(text);
            if (!url)
                return url.error();
            profile->fallbacks.append(url.value());
        }
    }
    return profile;
}

} // namespace

int main(int argc, char *argv[])
{
    QApplication app(argc, argv);
    QApplication::setOrganizationName(QStringLiteral("Arena"));
    QApplication::setApplicationName(QStringLiteral("arena-console"));
    QApplication::setApplicationVersion(QStringLiteral(ARENA_VERSION));
    QApplication::setStyle(QStyleFactory::create(QStringLiteral("Fusion")));

    arena::LogOptions logOptions;
    logOptions.target = QStringLiteral("arena-console");
    logOptions.filterRules = QStringLiteral("*.debug=false");
    arena::Logging logging(logOptions);
    logging.install();

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Live charts and operator actions for an Arena fleet."));
    parser.addHelpOption();
    parser.addVersionOption();
    parser.addOption({QStringLiteral("agent"), QStringLiteral("The agent to connect to (default: the last used profile)."),
                      QStringLiteral("ws://host:4602")});
    parser.addOption({QStringLiteral("token-file"),
                      QStringLiteral("File whose first \"role token [name]\" line holds the token."), QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("fallback"),
                      QStringLiteral("Another agent of the fleet, tried when the first is unreachable (repeatable)."),
                      QStringLiteral("URL")});
    parser.addOption({QStringLiteral("screenshot"),
                      QStringLiteral("Save a picture of the window (PNG) to FILE after --screenshot-after seconds, "
                                     "then exit: 0 when it was written, 1 otherwise. Works without a display "
                                     "(QT_QPA_PLATFORM=offscreen)."),
                      QStringLiteral("FILE")});
    parser.addOption({QStringLiteral("screenshot-after"),
                      QStringLiteral("Seconds of live figures before --screenshot (1-600). Default: 10."),
                      QStringLiteral("SECONDS"), QStringLiteral("10")});
    parser.process(app);
    bool delayOk = false;
    const int screenshotAfter = parser.value(QStringLiteral("screenshot-after")).toInt(&delayOk);
    if (!delayOk || screenshotAfter < 1 || screenshotAfter > 600) {
        std::fprintf(stderr, "arena-console: --screenshot-after must be a whole number of seconds from 1 to 600\n");
        return 2;
    }

    QSettings settings;
    ProfileStore profiles(settings);
    const auto fromCommandLine = profileFromCommandLine(parser, profiles);
    if (!fromCommandLine) {
        std::fprintf(stderr, "arena-console: %s\n", qPrintable(fromCommandLine.error().message));
        return 2;
    }
    const std::optional<ConnectionProfile> profile =
        fromCommandLine.value() ? fromCommandLine.value() : profiles.lastUsedProfile();

    ConsoleSession session;
    MainWindow window(session, settings);
    const QString screenshot = parser.value(QStringLiteral("screenshot"));
    if (!screenshot.isEmpty()) {
        window.resize(1440, 900);
        QTimer::singleShot(std::chrono::seconds(screenshotAfter), &window, [&window, screenshot] {
            const bool written = window.grab().save(screenshot, "PNG");
            if (written)
                std::printf("arena-console: wrote %s\n", qPrintable(screenshot));
            else
                std::fprintf(stderr, "arena-console: could not write %s\n", qPrintable(screenshot));
            std::fflush(stdout);
            QCoreApplication::exit(written ? 0 : 1);
        });
    }
    window.show();
    if (profile && profile->canConnect()) {
        session.connectTo(*profile);
    } else {
        qCInfo(lcConsoleUi) << "no agent and token given or saved: asking";
        QTimer::singleShot(0, &window, &MainWindow::showConnectDialog);
    }
    return app.exec();
}
