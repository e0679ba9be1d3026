#include "tools/loadtest/processsample.h"

#include <QByteArrayList>
#include <QFile>

#include <unistd.h>

namespace arena {

namespace {

Result<ProcessSample> unreadable(const QString &what)
{
    return Result<ProcessSample>::failure(QStringLiteral("unreadable"), what);
}

// A "Name:   123 kB" line of /proc/<pid>/status; -1 when absent.
qint64 statusValue(QByteArrayView status, QByteArrayView name)
{
    qsizetype from = 0;
    while (from < status.size()) {
        qsizetype end = status.indexOf('\n', from);
        if (end < 0)
            end = status.size();
        const QByteArrayView line = status.sliced(from, end - from);
        if (line.startsWith(name) && line.size() > name.size() && line[name.size()] == ':') {
            const QByteArray value = line.sliced(name.size() + 1).trimmed().toByteArray();
            bool ok = false;
            const qint64 number = value.split(' ').value(0).toLongLong(&ok);
            return ok ? number : -1;
        }
        from = end + 1;
    }
    return -1;
}

} // namespace

Result<ProcessSample> ProcessSample::parse(QByteArrayView stat, QByteArrayView status, double ticksPerSecond)
{
    // The command name (field 2) is in parentheses and may itself hold spaces and ')', so the
    // numeric fields start after the last ')'.
    const qsizetype close = stat.lastIndexOf(')');
    if (close < 0)
        return unreadable(QStringLiteral("no command name in /proc/<pid>/stat"));
    const QByteArrayList fields = stat.sliced(close + 1).trimmed().toByteArray().split(' ');
    // After the name: field 3 (state) is fields[0], so field n is fields[n - 3]; utime is 14, stime 15,
    // num_threads 20.
    if (fields.size() < 18)
        return unreadable(QStringLiteral("/proc/<pid>/stat has %1 fields after the name, expected at least 18")
                              .arg(fields.size()));
    bool okPid = false, okUser = false, okSystem = false, okThreads = false;
    ProcessSample sample;
    sample.pid = stat.sliced(0, stat.indexOf(' ') < 0 ? 0 : stat.indexOf(' ')).toByteArray().toLongLong(&okPid);
    const qint64 utime = fields[14 - 3].toLongLong(&okUser);
    const qint64 stime = fields[15 - 3].toLongLong(&okSystem);
    sample.threads = fields[20 - 3].toLongLong(&okThreads);
    if (!okPid || !okUser || !okSystem || !okThreads || ticksPerSecond <= 0)
        return unreadable(QStringLiteral("/proc/<pid>/stat has a malformed pid, utime, stime or num_threads"));
    sample.userSeconds = double(utime) / ticksPerSecond;
    sample.systemSeconds = double(stime) / ticksPerSecond;
    sample.rssKb = statusValue(status, "VmRSS");
    sample.peakRssKb = statusValue(status, "VmHWM");
    if (sample.rssKb < 0)
        return unreadable(QStringLiteral("/proc/<pid>/status has no VmRSS line"));
    return sample;
}

Result<ProcessSample> ProcessSample::read(qint64 pid)
{
    const QString dir = pid > 0 ? QStringLiteral("/proc/%1").arg(pid) : QStringLiteral("/proc/self");
    QFile stat(dir + QStringLiteral("/stat"));
    QFile status(dir + QStringLiteral("/status"));
    if (!stat.open(QIODevice::ReadOnly) || !status.open(QIODevice::ReadOnly))
        return Result<ProcessSample>::failure(QStringLiteral("not_found"),
                                              QStringLiteral("no process %1 on this machine (%2)")
                                                  .arg(pid)
                                                  .arg(stat.errorString()));
    // /proc files report a size of 0, so read until the end rather than by size.
    const QByteArray statText = stat.readAll();
    const QByteArray statusText = status.readAll();
    return parse(statText, statusText, double(::sysconf(_SC_CLK_TCK)));
}

} // namespace arena
