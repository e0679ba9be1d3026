// Text formatting shared by the console's models: counts, percentages, sizes, durations, ages.
#pragma once

#include <QString>
#include <QtGlobal>

namespace arena::console::format {

// "1,204" (grouped, whatever the system locale, so screenshots and logs read the same everywhere).
QString count(qint64 n);
// "3.2 %"
QString percent(double value);
// "38.4 MiB" from MiB.
QString mebibytes(double mib);
// "0.14 ms"
QString milliseconds(double ms);
// "2d 03:14" from a day on, else "03:14:07".
QString uptime(double seconds);
// "00:00:04", "2d 03:14:07" from a day on.
QString duration(qint64 ms);
// "0.4 s ago" under a minute, else "00:04:12 ago"; a negative age (clock skew) reads as "just now".
QString age(qint64 ms);

} // namespace arena::console::format
