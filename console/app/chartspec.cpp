#include "console/app/chartspec.h"

#include "console/core/format.h"

#include <QCoreApplication>

#include <cmath>

namespace arena::console {

QList<ChartSpec> defaultChartSpecs()
{
    const auto tr = [](const char *text) { return QCoreApplication::translate("arena::console::ChartGrid", text); };
    using S = SeriesId;
    return {
        {QStringLiteral("load"), tr("Sessions · rooms · matches"), {S::Sessions, S::Rooms, S::Matches}, {}},
        {QStringLiteral("traffic"), tr("Messages/s · cross-instance/s · latency p99"),
         {S::MessagesPerSecond, S::CrossInstancePerSecond}, {S::LatencyP99Ms}},
        {QStringLiteral("cpu"), tr("CPU (server + workers)"), {S::CpuPercent}, {}},
        {QStringLiteral("memory"), tr("Memory (RSS, server + workers)"), {S::RssMb}, {}},
        {QStringLiteral("workers"), tr("Workers"), {S::Workers}, {}},
        {QStringLiteral("queue"), tr("Queue tickets · wait p99"), {S::QueueTickets}, {S::QueueWaitP99S}},
        {QStringLiteral("redis-memory"), tr("Redis memory"), {S::RedisMemoryMb}, {}},
        {QStringLiteral("redis-load"), tr("Redis ops/s · clients"), {S::RedisOpsPerSecond}, {S::RedisClients}},
        {QStringLiteral("redis-ping"), tr("Redis PING p99"), {S::RedisPingP99Ms}, {}},
    };
}

QString seriesLabel(SeriesId id)
{
    const SeriesInfo &info = seriesInfo(id);
    if (info.unit.isEmpty() || info.unit == QLatin1String("/s"))
        return info.title;
    return QStringLiteral("%1 (%2)").arg(info.title, info.unit);
}

QString formatSeriesValue(SeriesId id, double value)
{
    const QString unit = seriesInfo(id).unit;
    if (unit == QLatin1String("%"))
        return format::percent(value);
    if (unit == QLatin1String("MiB"))
        return format::mebibytes(value);
    if (unit == QLatin1String("ms"))
        return format::milliseconds(value);
    if (unit == QLatin1String("s"))
        return QStringLiteral("%1 s").arg(value, 0, 'f', value < 10 ? 2 : 1);
    const QString number = std::abs(value - std::round(value)) < 1e-9 ? format::count(qint64(std::llround(value)))
                                                                       : QString::number(value, 'f', 1);
    return unit.isEmpty() ? number : number + unit;
}

} // namespace arena::console
