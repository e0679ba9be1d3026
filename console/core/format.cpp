#include "console/core/format.h"

#include <QLocale>

#include <cmath>

namespace arena::console::format {

namespace {

const QLocale &numbers()
{
    static const QLocale locale(QLocale::English, QLocale::UnitedStates);
    return locale;
}

QString twoDigits(qint64 n)
{
    return QStringLiteral("%1").arg(n, 2, 10, QLatin1Char('0'));
}

} // namespace

QString count(qint64 n)
{
    return numbers().toString(n);
}

QString percent(double value)
{
    return numbers().toString(value, 'f', 1) + QStringLiteral(" %");
}

QString mebibytes(double mib)
{
    return numbers().toString(mib, 'f', 1) + QStringLiteral(" MiB");
}

QString milliseconds(double ms)
{
    return numbers().toString(ms, 'f', 2) + QStringLiteral(" ms");
}

QString uptime(double seconds)
{
    if (!std::isfinite(seconds) || seconds < 0)
        seconds = 0;
    const qint64 s = qint64(seconds);
    const qint64 days = s / 86400;
    const qint64 hours = (s / 3600) % 24;
    const qint64 minutes = (s / 60) % 60;
    if (days > 0)
        return QStringLiteral("%1d %2:%3").arg(days).arg(twoDigits(hours), twoDigits(minutes));
    return QStringLiteral("%1:%2:%3").arg(twoDigits(hours), twoDigits(minutes), twoDigits(s % 60));
}

QString duration(qint64 ms)
{
    if (ms < 0)
        ms = 0;
    const qint64 s = ms / 1000;
    const qint64 days = s / 86400;
    const QString clock = QStringLiteral("%1:%2:%3").arg(twoDigits((s / 3600) % 24), twoDigits((s / 60) % 60), twoDigits(s % 60));
    return days > 0 ? QStringLiteral("%1d %2").arg(days).arg(clock) : clock;
}

QString age(qint64 ms)
{
    if (ms < 0)
        return QStringLiteral("just now");
    if (ms < 60'000)
        return QStringLiteral("%1 s ago").arg(numbers().toString(double(ms) / 1000.0, 'f', 1));
    return duration(ms) + QStringLiteral(" ago");
}

} // namespace arena::console::format
