#include "agent/hostsampler.h"

#include "agent/processsampler.h" // readProcFile

#include <QList>

#include <cmath>

#include <unistd.h>

namespace arena {

namespace {

Error invalid(const QString &what, const QString &why)
{
    return Error{QStringLiteral("invalid_proc_file"), QStringLiteral("%1: %2").arg(what, why)};
}

double rounded2(double value)
{
    return std::round(value * 100.0) / 100.0;
}

} // namespace

QJsonObject HostSampler::Sample::toJson() const
{
    QJsonObject o{{QStringLiteral("cpus"), cpus}};
    if (load) {
        o.insert(QStringLiteral("load1"), load->load1);
        o.insert(QStringLiteral("load5"), load->load5);
        o.insert(QStringLiteral("load15"), load->load15);
    }
    if (memory) {
        o.insert(QStringLiteral("mem_total_kb"), memory->totalKb);
        o.insert(QStringLiteral("mem_available_kb"), memory->availableKb);
        if (memory->totalKb > 0)
            o.insert(QStringLiteral("mem_used_percent"),
                     rounded2(100.0 * double(memory->totalKb - memory->availableKb) / double(memory->totalKb)));
    }
    if (!error.isEmpty())
        o.insert(QStringLiteral("error"), error);
    return o;
}

HostSampler::HostSampler(QString procRoot) : m_procRoot(std::move(procRoot)) {}

HostSampler::Sample HostSampler::sample() const
{
    Sample s;
    s.cpus = cpuCount();
    const auto note = [&s](const Error &e) {
        if (s.error.isEmpty())
            s.error = e.message;
    };
    if (const auto text = readProcFile(m_procRoot + QStringLiteral("/loadavg")); !text) {
        note(text.error());
    } else if (auto load = parseLoadAvg(*text); !load) {
        note(load.error());
    } else {
        s.load = load.value();
    }
    if (const auto text = readProcFile(m_procRoot + QStringLiteral("/meminfo")); !text) {
        note(text.error());
    } else if (auto memory = parseMemInfo(*text); !memory) {
        note(memory.error());
    } else {
        s.memory = memory.value();
    }
    return s;
}

Result<HostSampler::LoadAverage> HostSampler::parseLoadAvg(QByteArrayView text)
{
    // "0.48 0.75 1.07 4/92 25423": three averages, runnable/existing entities, last pid.
    const QList<QByteArray> fields = text.toByteArray().simplified().split(' ');
    if (fields.size() < 4)
        return invalid(QStringLiteral("loadavg"), QStringLiteral("expected at least 4 fields, got %1").arg(fields.size()));
    LoadAverage load;
    bool ok1 = false, ok5 = false, ok15 = false;
    load.load1 = fields.at(0).toDouble(&ok1);
    load.load5 = fields.at(1).toDouble(&ok5);
    load.load15 = fields.at(2).toDouble(&ok15);
    if (!ok1 || !ok5 || !ok15 || load.load1 < 0 || load.load5 < 0 || load.load15 < 0)
        return invalid(QStringLiteral("loadavg"), QStringLiteral("a load average is not a number"));
    const QList<QByteArray> entities = fields.at(3).split('/');
    bool okRunnable = false, okEntities = false;
    if (entities.size() == 2) {
        load.runnable = entities.at(0).toLongLong(&okRunnable);
        load.entities = entities.at(1).toLongLong(&okEntities);
    }
    if (!okRunnable || !okEntities)
        return invalid(QStringLiteral("loadavg"), QStringLiteral("bad runnable/entities field \"%1\"")
                                                      .arg(QString::fromUtf8(fields.at(3))));
    return load;
}

Result<HostSampler::Memory> HostSampler::parseMemInfo(QByteArrayView text)
{
    std::optional<qint64> total;
    std::optional<qint64> available;
    for (const QByteArray &line : text.toByteArray().split('\n')) {
        const qsizetype colon = line.indexOf(':');
        if (colon <= 0)
            continue;
        const QByteArray key = line.left(colon);
        if (key != "MemTotal" && key != "MemAvailable")
            continue;
        QByteArray value = line.mid(colon + 1).trimmed();
        if (value.endsWith("kB"))
            value.chop(2);
        bool ok = false;
        const qint64 kb = value.trimmed().toLongLong(&ok);
        if (!ok || kb < 0)
            return invalid(QStringLiteral("meminfo"), QStringLiteral("%1 is not a kB figure").arg(QString::fromLatin1(key)));
        (key == "MemTotal" ? total : available) = kb;
    }
    if (!total)
        return invalid(QStringLiteral("meminfo"), QStringLiteral("no MemTotal line"));
    if (!available)
        return invalid(QStringLiteral("meminfo"), QStringLiteral("no MemAvailable line (Linux before 3.14)"));
    return Memory{*total, *available};
}

int HostSampler::cpuCount()
{
    const long n = ::sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? int(n) : 1;
}

} // namespace arena
