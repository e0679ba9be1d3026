// MetricsText: the samples of a Prometheus text exposition (format 0.0.4), as GET /metrics serves it.
#pragma once

#include "shared/result.h"

#include <QByteArrayView>
#include <QHash>
#include <QList>
#include <QMap>
#include <QString>

namespace arena {

class MetricsText final
{
public:
    struct Sample
    {
        QString name;                  // as written: histograms give name_bucket, name_sum, name_count
        QMap<QString, QString> labels; // unescaped values
        double value = 0.0;            // +Inf, -Inf and NaN included

        QString label(const QString &name) const { return labels.value(name); }
    };

    QList<Sample> samples;       // in the order of the text
    QHash<QString, QString> types; // family name -> counter, gauge, histogram, summary, untyped

    // Every sample line, with its labels; "# TYPE" lines fill `types`, other comments are skipped, and
    // a timestamp after the value is ignored. A malformed line fails the whole text ("invalid_metrics",
    // with the line number), as it means this is not the exposition we expect.
    static Result<MetricsText> parse(QByteArrayView text);

    QList<Sample> samplesNamed(const QString &name) const;
};

} // namespace arena
