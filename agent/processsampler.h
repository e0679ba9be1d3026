// ProcessSampler: CPU %, RSS, open fds and threads of processes, read from /proc.
#pragma once

#include "shared/result.h"

#include <QByteArrayView>
#include <QElapsedTimer>
#include <QHash>
#include <QJsonObject>
#include <QSet>
#include <QString>

#include <optional>

namespace arena {

// Reads a whole /proc file (they report size 0, so it is read to the end). Error "not_found" names the path.
Result<QByteArray> readProcFile(const QString &path);

// CPU % is the process's utime + stime over the wall time since the previous sample of the same pid
// (100 = one core busy), so the first sample of a pid has none. A pid whose start time changed is a
// new process that reused the number: its history is dropped. Parsing is in static functions over the
// file text, so it is tested on fixture files; `procRoot` lets a test point the sampler at a fake /proc.
class ProcessSampler final
{
public:
    // /proc/<pid>/stat, the fields the agent uses.
    struct Stat
    {
        qint64 pid = 0;
        QString command;   // between the first '(' and the last ')': it may hold spaces and parentheses
        char state = '?';  // R, S, D, Z, T, ...
        qint64 ppid = 0;
        qint64 utimeTicks = 0;
        qint64 stimeTicks = 0;
        qint64 threads = 0;
        qint64 startTimeTicks = 0; // since boot; tells a reused pid apart
        qint64 rssPages = 0;
    };

    // /proc/<pid>/status, the fields the agent uses; absent ones (a zombie has no VmRSS) stay empty.
    struct Status
    {
        QString name;
        std::optional<qint64> rssKb;
        std::optional<qint64> threads;
    };

    struct Sample
    {
        qint64 pid = 0;
        bool exists = false; // false once the process is gone or a zombie
        QString command;
        char state = '?';
        std::optional<double> cpuPercent;
        std::optional<qint64> rssKb;
        std::optional<qint64> fds;     // empty when /proc/<pid>/fd is not readable (another user's process)
        std::optional<qint64> threads;
        QString error; // why the process could not be read, when it does not exist

        // {"pid", "exists", "command", "state", "cpu_percent", "rss_kb", "fds", "threads"}; fields
        // without a value are left out, "error" only when the process does not exist.
        QJsonObject toJson() const;
    };

    explicit ProcessSampler(QString procRoot = QStringLiteral("/proc"));

    Sample sample(qint64 pid);
    // Drops the CPU history of every pid not in `pids` (processes no longer watched).
    void retainOnly(const QSet<qint64> &pids);

    static Result<Stat> parseStat(QByteArrayView text);
    static Result<Status> parseStatus(QByteArrayView text);
    // 100 * (ticks / ticksPerSecond) / (wallNs / 1e9); empty when no wall time passed.
    static std::optional<double> cpuPercent(qint64 ticks, qint64 wallNs, qint64 ticksPerSecond);
    // Entries of a directory other than . and ..; empty when it cannot be opened.
    static std::optional<qint64> countEntries(const QString &directory);

private:
    struct History
    {
        qint64 startTimeTicks = 0;
        qint64 ticks = 0;
        qint64 atNs = 0;
    };

    QString m_procRoot;
    qint64 m_ticksPerSecond = 100;
    QElapsedTimer m_clock;
    QHash<qint64, History> m_history;
};

} // namespace arena
