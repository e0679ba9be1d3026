// Prometheus text exposition format 0.0.4: number formatting, escaping, name rules, sample lines.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace arena {

class Counter;
class Gauge;
class Histogram;

namespace prometheus {

// Content-Type of a /metrics response.
inline constexpr char contentType[] = "text/plain; version=0.0.4; charset=utf-8";

// Integral values up to 2^53 without a fraction ("1", "-3"), others in the shortest form that reads
// back exactly ("0.005", "1e-05", "1e+20"), and "+Inf", "-Inf", "NaN".
QByteArray formatValue(double value);
// HELP text: '\' -> "\\", newline -> "\n".
QByteArray escapeHelp(const QString &help);
// Label value: '\' -> "\\", '"' -> "\"", newline -> "\n".
QByteArray escapeLabelValue(const QString &value);
// {a="x",b="y"} (empty when there are no labels); extraName/extraValue is appended last (le).
QByteArray labelSet(const QStringList &names, const QStringList &values, const QByteArray &extraName = {},
                    const QByteArray &extraValue = {});

// [a-zA-Z_:][a-zA-Z0-9_:]*
bool isValidMetricName(const QString &name);
// [a-zA-Z_][a-zA-Z0-9_]* and not starting with "__" (reserved for Prometheus itself).
bool isValidLabelName(const QString &name);

void appendHeader(QByteArray &out, const QString &name, const QString &help, const char *type);
void appendSample(QByteArray &out, const QString &name, const QStringList &labelNames, const QStringList &labelValues,
                  double value);
void appendSamples(QByteArray &out, const QString &name, const QStringList &labelNames,
                   const QStringList &labelValues, const Counter &series);
void appendSamples(QByteArray &out, const QString &name, const QStringList &labelNames,
                   const QStringList &labelValues, const Gauge &series);
// name_bucket{...,le="..."} cumulative including le="+Inf", then name_sum and name_count.
void appendSamples(QByteArray &out, const QString &name, const QStringList &labelNames,
                   const QStringList &labelValues, const Histogram &series);

} // namespace prometheus
} // namespace arena
