// LoadReport: the figures of one arena-loadtest run, as JSON for scripts and as a human summary.
#pragma once

#include "tools/loadtest/latencyhistogram.h"
#include "tools/loadtest/loadtestoptions.h"
#include "tools/loadtest/processsample.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QMap>
#include <QString>

#include <optional>

namespace arena {

struct LoadReport
{
    // Exit codes of arena-loadtest.
    enum ExitCode {
        Passed = 0,
        ThresholdFailed = 1, // errors or disconnects above --max-error-rate, or nothing measured
        SetupFailed = 2,     // bad usage, server unreachable, pid not found
        Unfinished = 3,      // interrupted, or stopped by the hard deadline
    };

    LoadTestOptions options;

    QString setupError;       // why the run could not start (exit code 2)
    QString unfinishedReason; // "interrupted", "deadline" (exit code 3)

    // Clients.
    int opened = 0;   // connections opened
    int welcomed = 0; // sessions created
    int joined = 0;   // in their room (or, in connect mode, welcomed)
    int failed = 0;   // never got there (refused, error, timeout, connection lost)
    int rooms = 0;    // distinct rooms the clients joined

    // Messages.
    quint64 sent = 0;
    quint64 expectedDeliveries = 0; // each message sent times the members of its room at that moment
    quint64 delivered = 0;          // room_event carrying a payload of this run, received by a member
    quint64 outOfOrder = 0;         // deliveries whose sequence number was not the next one from that sender
    quint64 foreignEvents = 0;      // room_event without this run's payload (other senders, room logic)
    quint64 skippedSends = 0;       // sends skipped because the client's socket had too much unsent data
    quint64 pings = 0;              // keep-alive pings of idle sessions (--rate 0)
    double sendSeconds = 0.0;       // wall time of the send phase
    double elapsedSeconds = 0.0;    // wall time of the whole run

    LatencyHistogram joinTime;  // open() to joined
    LatencyHistogram latency;   // send timestamp to receipt, per delivery

    QMap<QString, quint64> errorsByCode; // protocol error codes, plus "timeout" and "connect_failed"
    quint64 disconnects = 0;             // connections lost after joining, before the end of the run
    QMap<int, quint64> disconnectsByCloseCode;

    // Processes. Samples: before connecting, before sending (all joined), after the drain.
    std::optional<ProcessSample> serverBeforeConnect, serverBeforeSend, serverAfter;
    QString serverNote; // why server figures are missing
    std::optional<ProcessSample> selfBeforeSend, selfAfter;
    // --watch-pid processes: before sending and after the drain, in the order given.
    QList<std::optional<ProcessSample>> watchedBeforeSend, watchedAfter;

    quint64 errorsTotal() const;
    quint64 lost() const { return expectedDeliveries > delivered ? expectedDeliveries - delivered : 0; }
    double errorRate() const;
    double deliveredPerSecond() const { return sendSeconds > 0 ? double(delivered) / sendSeconds : 0.0; }
    double sentPerSecond() const { return sendSeconds > 0 ? double(sent) / sendSeconds : 0.0; }
    // Server CPU seconds spent during the send phase and drain; -1 when not measured.
    double serverCpuSeconds() const;
    QJsonArray watchedJson() const; // [{pid, cpu_seconds, cpu_percent, rss_kb}]
    double serverCpuMicrosPerDelivery() const;
    // RSS increase from before connecting to all clients connected, divided by the sessions; -1 when not measured.
    double serverRssKbPerSession() const;

    // Empty when passed; otherwise why not.
    QString failure() const;
    ExitCode exitCode() const;

    QJsonObject toJson() const;
    QString toText() const;

    static QJsonObject latencyJson(const LatencyHistogram &histogram);
};

} // namespace arena
