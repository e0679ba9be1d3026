// HostSampler: load average, memory and CPU count of the machine, read from /proc.
#pragma once

#include "shared/result.h"

#include <QByteArrayView>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace arena {

// Parsing is in static functions over the file text, tested on fixture files; `procRoot` lets a test
// point the sampler at a fake /proc.
class HostSampler final
{
public:
    struct LoadAverage // /proc/loadavg
    {
        double load1 = 0.0;
        double load5 = 0.0;
        double load15 = 0.0;
        qint64 runnable = 0;  // scheduling entities runnable now
        qint64 entities = 0;  // scheduling entities that exist
    };

    struct Memory // /proc/meminfo
    {
        qint64 totalKb = 0;
        qint64 availableKb = 0; // MemAvailable: what can be allocated without swapping
    };

    struct Sample
    {
        std::optional<LoadAverage> load;
        std::optional<Memory> memory;
        int cpus = 0;
        QString error; // the first file that could not be read or parsed

        // {"load1", "load5", "load15", "mem_total_kb", "mem_available_kb", "mem_used_percent", "cpus"},
        // plus "error" when something could not be read.
        QJsonObject toJson() const;
    };

    explicit HostSampler(QString procRoot = QStringLiteral("/proc"));

    Sample sample() const;

    static Result<LoadAverage> parseLoadAvg(QByteArrayView text);
    static Result<Memory> parseMemInfo(QByteArrayView text);
    // Processors online (sysconf), at least 1.
    static int cpuCount();

private:
    QString m_procRoot;
};

} // namespace arena
