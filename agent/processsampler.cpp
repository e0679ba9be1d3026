#include "agent/processsampler.h"

#include <QFile>

#include <cmath>

#include <dirent.h>
#include <unistd.h>

namespace arena {

Result<QByteArray> readProcFile(const QString &path)
{
    QFile file(path);
    if (!file.open(QIODevice::ReadOnly))
        return Error{QStringLiteral("not_found"), QStringLiteral("%1: %2").arg(path, file.errorString())};
    // /proc files report size 0; readAll() reads to the end regardless.
    return file.readAll();
}

namespace {

std::optional<qint64> number(QByteArrayView text)
{
    bool ok = false;
    const qint64 value = text.trimmed().toLongLong(&ok);
    return ok ? std::optional<qint64>(value) : std::nullopt;
}

// "  2184 kB" -> 2184
std::optional<qint64> kilobytes(QByteArrayView text)
{
    QByteArrayView t = text.trimmed();
    if (t.endsWith("kB"))
        t.chop(2);
    return number(t);
}

Error invalid(const QString &what, const QString &why)
{
    return Error{QStringLiteral("invalid_proc_file"), QStringLiteral("%1: %2").arg(what, why)};
}

} // namespace

QJsonObject ProcessSampler::Sample::toJson() const
{
    QJsonObject o{{QStringLiteral("pid"), pid}, {QStringLiteral("exists"), exists}};
    if (!command.isEmpty())
        o.insert(QStringLiteral("command"), command);
    if (state != '?')
        o.insert(QStringLiteral("state"), QString(QLatin1Char(state)));
    if (cpuPercent)
        o.insert(QStringLiteral("cpu_percent"), std::round(*cpuPercent * 100.0) / 100.0);
    if (rssKb)
        o.insert(QStringLiteral("rss_kb"), *rssKb);
    if (fds)
        o.insert(QStringLiteral("fds"), *fds);
    if (threads)
        o.insert(QStringLiteral("threads"), *threads);
    if (!exists && !error.isEmpty())
        o.insert(QStringLiteral("error"), error);
    return o;
}

ProcessSampler::ProcessSampler(QString procRoot) : m_procRoot(std::move(procRoot))
{
    const long hz = ::sysconf(_SC_CLK_TCK);
    if (hz > 0)
        m_ticksPerSecond = hz;
    m_clock.start();
}

ProcessSampler::Sample ProcessSampler::sample(qint64 pid)
{
    Sample s;
    s.pid = pid;
    if (pid <= 0) {
        s.error = QStringLiteral("no pid");
        return s;
    }
    const QString dir = m_procRoot + QLatin1Char('/') + QString::number(pid);
    const Result<QByteArray> statText = readProcFile(dir + QStringLiteral("/stat"));
    if (!statText) {
        m_history.remove(pid);
        s.error = QStringLiteral("no such process");
        return s;
    }
    const Result<Stat> stat = parseStat(*statText);
    if (!stat) {
        s.error = stat.error().message;
        return s;
    }
    s.command = stat->command;
    s.state = stat->state;
    // A zombie has exited; only its parent's wait() is missing. X (dead) is the moment after.
    if (stat->state == 'Z' || stat->state == 'X') {
        m_history.remove(pid);
        s.error = QStringLiteral("process has exited (zombie)");
        return s;
    }
    s.exists = true;

    const qint64 ticks = stat->utimeTicks + stat->stimeTicks;
    const qint64 nowNs = m_clock.nsecsElapsed();
    const auto previous = m_history.constFind(pid);
    if (previous != m_history.cend() && previous->startTimeTicks == stat->startTimeTicks)
        s.cpuPercent = cpuPercent(ticks - previous->ticks, nowNs - previous->atNs, m_ticksPerSecond);
    m_history.insert(pid, History{stat->startTimeTicks, ticks, nowNs});

    s.threads = stat->threads;
    s.rssKb = stat->rssPages * (::sysconf(_SC_PAGESIZE) / 1024);
    if (const Result<QByteArray> statusText = readProcFile(dir + QStringLiteral("/status"))) {
        if (const Result<Status> status = parseStatus(*statusText)) {
            // status is the kernel's own kB figure and thread count; stat's are the fallback.
            if (status->rssKb)
                s.rssKb = status->rssKb;
            if (status->threads)
                s.threads = status->threads;
        }
    }
    s.fds = countEntries(dir + QStringLiteral("/fd"));
    return s;
}

void ProcessSampler::retainOnly(const QSet<qint64> &pids)
{
    for (auto it = m_history.begin(); it != m_history.end();) {
        if (pids.contains(it.key()))
            ++it;
        else
            it = m_history.erase(it);
    }
}

Result<ProcessSampler::Stat> ProcessSampler::parseStat(QByteArrayView text)
{
    // "pid (comm) state ppid ..." where comm is whatever the process named itself: it may contain
    // spaces and ')' — only the last ')' ends it.
    const qsizetype open = text.indexOf('(');
    const qsizetype close = text.lastIndexOf(')');
    if (open < 1 || close < open)
        return invalid(QStringLiteral("stat"), QStringLiteral("no command name in parentheses"));
    Stat stat;
    const auto pid = number(text.first(open));
    if (!pid)
        return invalid(QStringLiteral("stat"), QStringLiteral("no pid before the command name"));
    stat.pid = *pid;
    stat.command = QString::fromUtf8(text.sliced(open + 1, close - open - 1));

    // Fields after the command, counted from 0 = state (field 3 in proc(5)).
    const QList<QByteArray> fields = text.sliced(close + 1).toByteArray().simplified().split(' ');
    enum : qsizetype { State = 0, Ppid = 1, Utime = 11, Stime = 12, Threads = 17, StartTime = 19, Rss = 21 };
    if (fields.size() <= Rss)
        return invalid(QStringLiteral("stat"), QStringLiteral("%1 fields after the command name, expected at least %2")
                                                   .arg(fields.size())
                                                   .arg(Rss + 1));
    if (fields.at(State).size() != 1)
        return invalid(QStringLiteral("stat"), QStringLiteral("bad state \"%1\"").arg(QString::fromUtf8(fields.at(State))));
    stat.state = fields.at(State).at(0);
    const auto field = [&fields](qsizetype index, qint64 &out) {
        const auto value = number(fields.at(index));
        if (value)
            out = *value;
        return value.has_value();
    };
    if (!field(Ppid, stat.ppid) || !field(Utime, stat.utimeTicks) || !field(Stime, stat.stimeTicks)
        || !field(Threads, stat.threads) || !field(StartTime, stat.startTimeTicks) || !field(Rss, stat.rssPages))
        return invalid(QStringLiteral("stat"), QStringLiteral("a numeric field is not a number"));
    return stat;
}

Result<ProcessSampler::Status> ProcessSampler::parseStatus(QByteArrayView text)
{
    Status status;
    bool sawKey = false;
    for (const QByteArray &line : text.toByteArray().split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        sawKey = true;
        const QByteArrayView key = QByteArrayView(line).first(colon);
        const QByteArrayView value = QByteArrayView(line).sliced(colon + 1);
        if (key == "Name") {
            status.name = QString::fromUtf8(value.trimmed());
        } else if (key == "VmRSS") {
            status.rssKb = kilobytes(value);
            if (!status.rssKb)
                return invalid(QStringLiteral("status"), QStringLiteral("VmRSS is not a kB figure"));
        } else if (key == "Threads") {
            status.threads = number(value);
            if (!status.threads)
                return invalid(QStringLiteral("status"), QStringLiteral("Threads is not a number"));
        }
    }
    if (!sawKey)
        return invalid(QStringLiteral("status"), QStringLiteral("no \"Key: value\" lines"));
    return status;
}

std::optional<double> ProcessSampler::cpuPercent(qint64 ticks, qint64 wallNs, qint64 ticksPerSecond)
{
    if (wallNs <= 0 || ticksPerSecond <= 0 || ticks < 0)
        return std::nullopt;
    return 100.0 * (double(ticks) / double(ticksPerSecond)) / (double(wallNs) / 1e9);
}

std::optional<qint64> ProcessSampler::countEntries(const QString &directory)
{
    // opendir rather than QDir: an fd entry is a symlink to "socket:[123]" and the like, which QDir's
    // filters treat as broken links.
    DIR *dir = ::opendir(QFile::encodeName(directory).constData());
    if (!dir)
        return std::nullopt;
    qint64 count = 0;
    while (const dirent *entry = ::readdir(dir)) {
        const char *name = entry->d_name;
        if (name[0] == '.' && (name[1] == '\0' || (name[1] == '.' && name[2] == '\0')))
            continue;
        ++count;
    }
    ::closedir(dir);
    return count;
}

} // namespace arena
