#include "tools/loadtest/loadtestoptions.h"

#include <QCommandLineParser>
#include <QHostAddress>
#include <QRandomGenerator>
#include <QSslCertificate>

#include <cmath>
#include <optional>
#include <type_traits>

namespace arena {

namespace {

// Seconds the tool allows itself to close its connections at the end, and a margin on top of
// every phase's own limit for the hard deadline.
constexpr double CloseSeconds = 3.0;
constexpr double DeadlineMarginSeconds = 10.0;

Error badUsage(const QString &message)
{
    return Error{QStringLiteral("bad_usage"), message};
}

Result<qint64> integerOption(const QCommandLineParser &parser, const QString &name, qint64 low, qint64 high,
                             qint64 current)
{
    if (!parser.isSet(name))
        return current;
    const QString text = parser.value(name);
    bool ok = false;
    const qint64 value = text.toLongLong(&ok);
    if (!ok || value < low || value > high)
        return badUsage(QStringLiteral("--%1: expected an integer from %2 to %3, got \"%4\"")
                            .arg(name)
                            .arg(low)
                            .arg(high)
                            .arg(text));
    return value;
}

Result<double> numberOption(const QCommandLineParser &parser, const QString &name, double low, double high,
                            double current)
{
    if (!parser.isSet(name))
        return current;
    const QString text = parser.value(name);
    bool ok = false;
    const double value = text.toDouble(&ok);
    if (!ok || !std::isfinite(value) || value < low || value > high)
        return badUsage(QStringLiteral("--%1: expected a number from %2 to %3, got \"%4\"")
                            .arg(name)
                            .arg(low)
                            .arg(high)
                            .arg(text));
    return value;
}

} // namespace

QString LoadTestOptions::modeName(Mode mode)
{
    switch (mode) {
    case Mode::Join:
        return QStringLiteral("join");
    case Mode::Matchmaking:
        return QStringLiteral("matchmaking");
    case Mode::Connect:
        return QStringLiteral("connect");
    }
    return {};
}

void LoadTestOptions::addOptions(QCommandLineParser &parser)
{
    const LoadTestOptions d;
    auto option = [&parser](const QString &name, const QString &description, const QString &valueName = {},
                            const QString &defaultValue = {}) {
        // QCommandLineParser does not show defaults in --help, so the description says it.
        const QString text = defaultValue.isEmpty() ? description
                                                    : QStringLiteral("%1 Default: %2.").arg(description, defaultValue);
        parser.addOption(QCommandLineOption(name, text, valueName, defaultValue));
    };
    parser.addHelpOption();
    parser.addVersionOption();
    option(QStringLiteral("url"),
           QStringLiteral("Player WebSocket URL of the server. Repeat it to spread the clients over several "
                          "instances (client i uses the (i mod n)-th). Only loopback addresses unless --allow-remote."),
           QStringLiteral("url"), d.url.toString());
    option(QStringLiteral("clients"), QStringLiteral("Number of simulated players (1-100000)."), QStringLiteral("n"),
           QString::number(d.clients));
    option(QStringLiteral("connect-rate"), QStringLiteral("Connections opened per second."), QStringLiteral("n"),
           QString::number(d.connectRate));
    option(QStringLiteral("mode"),
           QStringLiteral("join: join_or_create rooms of --room-size; matchmaking: queue (team size "
                          "--room-size / 2) and join the match room; connect: sessions only, no rooms."),
           QStringLiteral("mode"), modeName(d.mode));
    option(QStringLiteral("room-type"), QStringLiteral("Room type to join or queue for."), QStringLiteral("type"),
           d.roomType);
    option(QStringLiteral("room-size"), QStringLiteral("Players per room (1-256; even for matchmaking)."),
           QStringLiteral("k"), QString::number(d.roomSize));
    option(QStringLiteral("rate"),
           QStringLiteral("Room messages per second sent by each client (0: idle sessions)."),
           QStringLiteral("r"), QString::number(d.rate));
    option(QStringLiteral("duration"), QStringLiteral("Seconds of sending (or of holding idle sessions)."),
           QStringLiteral("s"), QString::number(d.durationSeconds));
    option(QStringLiteral("payload-bytes"), QStringLiteral("Padding added to each message's data (0-16000)."),
           QStringLiteral("n"), QString::number(d.payloadBytes));
    option(QStringLiteral("level-base"), QStringLiteral("Matchmaking: lowest player level."), QStringLiteral("n"),
           QString::number(d.levelBase));
    option(QStringLiteral("level-spread"),
           QStringLiteral("Matchmaking: levels are spread over [level-base, level-base + spread)."),
           QStringLiteral("n"), QString::number(d.levelSpread));
    option(QStringLiteral("join-timeout"),
           QStringLiteral("Seconds allowed after the last connection was opened for every client to be in its "
                          "room (or, with --mode connect, welcomed); late clients count as errors (timeout)."),
           QStringLiteral("s"), QString::number(d.joinTimeoutSeconds));
    option(QStringLiteral("drain-timeout"),
           QStringLiteral("Seconds to wait after the last send for deliveries still in flight."), QStringLiteral("s"),
           QString::number(d.drainTimeoutSeconds));
    option(QStringLiteral("server-pid"),
           QStringLiteral("Pid of a server on this machine, to report its CPU time and RSS."), QStringLiteral("pid"));
    parser.addOption(QCommandLineOption(
        QStringLiteral("watch-pid"),
        QStringLiteral("Pid of another process on this machine (another instance, Redis) whose CPU time and RSS "
                       "over the send phase are reported too. Repeatable."),
        QStringLiteral("pid")));
    option(QStringLiteral("admin-url"),
           QStringLiteral("Admin API of the server (e.g. http://127.0.0.1:4601): its pid is read from /health."),
           QStringLiteral("url"));
    option(QStringLiteral("ca-file"),
           QStringLiteral("PEM certificates to trust for wss:// and https:// URLs (a server with a private "
                          "certificate), besides the system's."),
           QStringLiteral("file"));
    option(QStringLiteral("max-error-rate"),
           QStringLiteral("Exit with 1 when (errors + disconnects) / (clients + messages sent) is above this."),
           QStringLiteral("fraction"), QString::number(d.maxErrorRate));
    option(QStringLiteral("tag"), QStringLiteral("Metadata tag grouping this run's rooms (random by default)."),
           QStringLiteral("tag"));
    parser.addOption(QCommandLineOption(QStringLiteral("allow-remote"),
                                        QStringLiteral("Allow a server that is not on a loopback address.")));
    parser.addOption(QCommandLineOption(QStringLiteral("json"),
                                        QStringLiteral("Print the report as one JSON object on stdout (the "
                                                       "human summary goes to stderr).")));
    parser.addOption(QCommandLineOption(QStringLiteral("quiet"), QStringLiteral("No live progress on stderr.")));
    parser.addOption(QCommandLineOption(
        QStringLiteral("nagle"),
        QStringLiteral("Leave Nagle's algorithm on for the clients' sockets (by default they set TCP_NODELAY, as "
                       "game clients do, so the client's delayed ACKs do not add to the measured latency).")));
}

Result<LoadTestOptions> LoadTestOptions::fromParser(const QCommandLineParser &parser)
{
    LoadTestOptions o;
    if (!parser.positionalArguments().isEmpty())
        return badUsage(QStringLiteral("unexpected argument \"%1\"").arg(parser.positionalArguments().first()));

    o.urls.clear();
    for (const QString &url : parser.values(QStringLiteral("url")))
        o.urls.append(QUrl(url, QUrl::StrictMode));
    if (o.urls.isEmpty())
        o.urls.append(o.url);
    o.url = o.urls.first();
    const QString mode = parser.value(QStringLiteral("mode"));
    if (mode == QLatin1String("join"))
        o.mode = Mode::Join;
    else if (mode == QLatin1String("matchmaking"))
        o.mode = Mode::Matchmaking;
    else if (mode == QLatin1String("connect"))
        o.mode = Mode::Connect;
    else
        return badUsage(QStringLiteral("--mode: expected join, matchmaking or connect, got \"%1\"").arg(mode));
    for (const QString &pid : parser.values(QStringLiteral("watch-pid"))) {
        bool ok = false;
        const qint64 value = pid.toLongLong(&ok);
        if (!ok || value <= 0)
            return badUsage(QStringLiteral("--watch-pid: expected a process id, got \"%1\"").arg(pid));
        o.watchPids.append(value);
    }
    o.roomType = parser.value(QStringLiteral("room-type"));
    o.tag = parser.value(QStringLiteral("tag"));
    o.allowRemote = parser.isSet(QStringLiteral("allow-remote"));
    o.json = parser.isSet(QStringLiteral("json"));
    o.quiet = parser.isSet(QStringLiteral("quiet"));
    o.noDelay = !parser.isSet(QStringLiteral("nagle"));
    if (parser.isSet(QStringLiteral("ca-file")))
        o.caFile = parser.value(QStringLiteral("ca-file"));
    if (parser.isSet(QStringLiteral("admin-url")))
        o.adminUrl = QUrl(parser.value(QStringLiteral("admin-url")), QUrl::StrictMode);

    // Each reader leaves the default when the option is absent and returns the first error.
    std::optional<Error> failed;
    auto readInteger = [&](const char *name, auto &target, qint64 low, qint64 high) {
        if (failed)
            return;
        const auto value = integerOption(parser, QLatin1String(name), low, high, qint64(target));
        if (value.ok())
            target = std::remove_reference_t<decltype(target)>(value.value());
        else
            failed = value.error();
    };
    auto readNumber = [&](const char *name, double &target, double low, double high) {
        if (failed)
            return;
        const auto value = numberOption(parser, QLatin1String(name), low, high, target);
        if (value.ok())
            target = value.value();
        else
            failed = value.error();
    };
    readInteger("clients", o.clients, 1, 100000);
    readNumber("connect-rate", o.connectRate, 0.1, 100000.0);
    readInteger("room-size", o.roomSize, 1, 256);
    readNumber("rate", o.rate, 0.0, 1000.0);
    readNumber("duration", o.durationSeconds, 0.1, 86400.0);
    readInteger("payload-bytes", o.payloadBytes, 0, 16000);
    readInteger("level-base", o.levelBase, 0, 1000000);
    readInteger("level-spread", o.levelSpread, 1, 1000000);
    readNumber("join-timeout", o.joinTimeoutSeconds, 0.1, 600.0);
    readNumber("drain-timeout", o.drainTimeoutSeconds, 0.0, 60.0);
    readInteger("server-pid", o.serverPid, 1, 4194304);
    readNumber("max-error-rate", o.maxErrorRate, 0.0, 1.0);
    if (failed)
        return *failed;

    if (auto valid = o.validate(); !valid.ok())
        return valid.error();
    if (o.tag.isEmpty())
        o.tag = QStringLiteral("lt-%1").arg(QRandomGenerator::global()->generate64() & 0xffffffffffffULL, 12, 16,
                                            QLatin1Char('0'));
    return o;
}

QSslConfiguration LoadTestOptions::tlsConfiguration() const
{
    QSslConfiguration tls = QSslConfiguration::defaultConfiguration();
    if (!caFile.isEmpty())
        tls.setCaCertificates(tls.caCertificates() + QSslCertificate::fromPath(caFile));
    return tls;
}

Result<void> LoadTestOptions::validate() const
{
    for (const QUrl &url : urls) {
        if (!url.isValid() || (url.scheme() != QLatin1String("ws") && url.scheme() != QLatin1String("wss"))
            || url.host().isEmpty())
            return badUsage(QStringLiteral("--url: expected ws://host:port or wss://host:port, got \"%1\"")
                                .arg(url.toString()));
        if (!allowRemote && !isLoopbackHost(url.host()))
            return badUsage(QStringLiteral("--url: %1 is not a loopback address; pass --allow-remote to load a "
                                           "server on another machine")
                                .arg(url.host()));
    }
    if (!adminUrl.isEmpty()) {
        if (!adminUrl.isValid() || (adminUrl.scheme() != QLatin1String("http") && adminUrl.scheme() != QLatin1String("https"))
            || adminUrl.host().isEmpty())
            return badUsage(QStringLiteral("--admin-url: expected http://host:port or https://host:port, got \"%1\"")
                                .arg(adminUrl.toString()));
        if (!allowRemote && !isLoopbackHost(adminUrl.host()))
            return badUsage(QStringLiteral("--admin-url: %1 is not a loopback address; pass --allow-remote")
                                .arg(adminUrl.host()));
    }
    if (!caFile.isEmpty() && QSslCertificate::fromPath(caFile).isEmpty())
        return badUsage(QStringLiteral("--ca-file: %1 holds no PEM certificate").arg(caFile));
    if (clients < 1 || clients > 100000)
        return badUsage(QStringLiteral("--clients must be 1 to 100000"));
    if (roomSize < 1 || roomSize > 256)
        return badUsage(QStringLiteral("--room-size must be 1 to 256"));
    if (roomType.isEmpty() || roomType.size() > 128)
        return badUsage(QStringLiteral("--room-type must be 1 to 128 characters"));
    if (!(connectRate > 0) || !(durationSeconds > 0) || rate < 0 || !(joinTimeoutSeconds > 0)
        || drainTimeoutSeconds < 0 || maxErrorRate < 0 || maxErrorRate > 1)
        return badUsage(QStringLiteral("rates, durations and timeouts must be positive"));
    if (mode == Mode::Matchmaking) {
        if (roomSize % 2 != 0)
            return badUsage(QStringLiteral("--room-size must be even with --mode matchmaking (two teams of "
                                           "room-size / 2)"));
        if (clients % roomSize != 0)
            return badUsage(QStringLiteral("--clients must be a multiple of --room-size with --mode matchmaking, "
                                           "or the last players would wait for a match forever"));
    }
    if (mode == Mode::Connect && rate > 0)
        return badUsage(QStringLiteral("--mode connect joins no room, so it sends nothing: use --rate 0"));
    // The per-client payload must fit the server's default free-form value limit (16 KiB).
    if (payloadBytes < 0 || payloadBytes > 16000)
        return badUsage(QStringLiteral("--payload-bytes must be 0 to 16000"));
    // The total number of messages is bounded so counters and the schedule stay exact.
    if (double(clients) * rate * durationSeconds > 1e9)
        return badUsage(QStringLiteral("clients x rate x duration is above 10^9 messages"));
    return {};
}

bool LoadTestOptions::isLoopbackHost(const QString &host)
{
    if (host.compare(QLatin1String("localhost"), Qt::CaseInsensitive) == 0)
        return true;
    QHostAddress address;
    return address.setAddress(host) && address.isLoopback();
}

double LoadTestOptions::hardDeadlineSeconds() const
{
    return double(clients) / connectRate + joinTimeoutSeconds + durationSeconds + drainTimeoutSeconds
        + CloseSeconds + DeadlineMarginSeconds;
}

} // namespace arena
