// ChartSpec: which series one chart of the grid shows, on its left and right value axes.
#pragma once

#include "console/core/seriescatalog.h"

#include <QList>
#include <QString>

namespace arena::console {

struct ChartSpec
{
    QString key;   // stable: object names ("chart-<key>"), settings
    QString title; // "Sessions · rooms · matches"
    QList<SeriesId> left;
    QList<SeriesId> right; // a second unit, e.g. latency next to a rate

    QList<SeriesId> all() const { return left + right; }
};

// The console's charts, in grid order (three columns).
QList<ChartSpec> defaultChartSpecs();

// "Sessions", "Latency p99 (ms)".
QString seriesLabel(SeriesId id);
// A value with its unit as a tooltip shows it: "1,204", "0.14 ms", "3.2 %", "38.4 MiB".
QString formatSeriesValue(SeriesId id, double value);

} // namespace arena::console
