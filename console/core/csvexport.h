// CSV export of chart series.
#pragma once

#include "console/core/metrichistory.h"

#include <QByteArray>
#include <QList>
#include <QStringList>

namespace arena::console {

// "time,<name>,..." then one line per distinct time of any series, oldest first: the time in ISO 8601
// UTC with milliseconds, then each series' value at that time, or an empty cell when it has none.
// Names are quoted when they hold a comma, a quote or a line break. Lines end with "\r\n" (RFC 4180).
// Missing names are "series <n>"; series beyond names get such names too.
QByteArray seriesToCsv(const QStringList &names, const QList<QList<SeriesPoint>> &series);

} // namespace arena::console
