// LoadTestOptions: what arena-loadtest is asked to do, read from its command line and checked.
#pragma once

#include "shared/result.h"

#include <QString>
#include <QSslConfiguration>
#include <QUrl>

class QCommandLineParser;

namespace arena {

struct LoadTestOptions
{
    enum class Mode {
        Join,        // join_or_create rooms of roomSize, grouped by a tag of this run
        Matchmaking, // queue for roomType with team size roomSize / 2, then join the match room
        Connect,     // sessions only, no room (idle-session memory)
    };

    QUrl url = QUrl(QStringLiteral("ws://127.0.0.1:4600")); // the first of urls
    // Every --url given: client i connects to urls[i % urls.size()] (instances of one fleet).
    QList<QUrl> urls{url};
    int clients = 100;
    double connectRate = 200.0; // connections opened per second
    int roomSize = 4;
    QString roomType = QStringLiteral("relay");
    Mode mode = Mode::Join;
    double rate = 10.0;           // room messages per second per client; 0 keeps the sessions idle
    double durationSeconds = 10.0;
    int payloadBytes = 0;         // padding added to each message's data
    int levelBase = 100;          // matchmaking: levels are spread over [levelBase, levelBase + levelSpread)
    int levelSpread = 10;
    double joinTimeoutSeconds = 10.0;  // after the last connection was opened, for every client to be in its room
    double drainTimeoutSeconds = 2.0;  // after the last send, how long to wait for deliveries in flight
    qint64 serverPid = 0;         // 0: unknown (or read from the admin API)
    QList<qint64> watchPids;      // more processes to measure over the send phase (other instances, Redis)
    QUrl adminUrl;                // http://127.0.0.1:4601, to find the server's pid from /health
    QString caFile;               // PEM certificates to trust for wss:// and https:// (a private CA)
    // The TLS settings for wss:// and https:// URLs: the system's trust store, plus caFile's certificates.
    QSslConfiguration tlsConfiguration() const;
    double maxErrorRate = 0.01;   // (errors + disconnects) / (clients + messages sent)
    bool allowRemote = false;
    bool json = false;
    bool quiet = false;           // no live progress
    bool noDelay = true;          // TCP_NODELAY on the clients' sockets
    QString tag;                  // groups this run's rooms; random when empty

    static QString modeName(Mode mode);

    // Declares every option on `parser` (plus --help and --version).
    static void addOptions(QCommandLineParser &parser);
    // Reads the options `parser` has parsed and validates them. Error code "bad_usage" with a message
    // naming the option.
    static Result<LoadTestOptions> fromParser(const QCommandLineParser &parser);
    // Bounds, combinations and the loopback rule.
    Result<void> validate() const;

    // True for "localhost" and for literal loopback addresses (127.0.0.0/8, ::1); names are not resolved.
    static bool isLoopbackHost(const QString &host);
    // The longest the whole run may take: connecting, joining, sending, draining and closing.
    double hardDeadlineSeconds() const;
};

} // namespace arena
