// ProcessSample: CPU time and memory of one local process, read from /proc/<pid>/stat and /status.
#pragma once

#include "shared/result.h"

#include <QByteArrayView>
#include <QtGlobal>

namespace arena {

struct ProcessSample
{
    qint64 pid = 0;
    double userSeconds = 0.0;
    double systemSeconds = 0.0;
    qint64 rssKb = 0;  // VmRSS
    qint64 peakRssKb = 0; // VmHWM
    qint64 threads = 0;

    double cpuSeconds() const { return userSeconds + systemSeconds; }

    // Reads /proc/<pid>; pid 0 reads the calling process. Errors: "not_found" (no such process),
    // "unreadable" (the files could not be parsed).
    static Result<ProcessSample> read(qint64 pid);
    // The parts, for tests. `ticksPerSecond` converts the clock ticks of /proc/<pid>/stat.
    static Result<ProcessSample> parse(QByteArrayView stat, QByteArrayView status, double ticksPerSecond);
};

} // namespace arena
