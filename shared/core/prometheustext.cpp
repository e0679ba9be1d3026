#include "shared/core/prometheustext.h"

#include "shared/core/counter.h"
#include "shared/core/gauge.h"
#include "shared/core/histogram.h"

#include <charconv>
#include <cmath>

namespace arena::prometheus {

namespace {

bool isNameStart(char16_t c, bool colonAllowed)
{
    return (c >= u'a' && c <= u'z') || (c >= u'A' && c <= u'Z') || c == u'_' || (colonAllowed && c == u':');
}

bool isNameChar(char16_t c, bool colonAllowed)
{
    return isNameStart(c, colonAllowed) || (c >= u'0' && c <= u'9');
}

bool isValidName(const QString &name, bool colonAllowed)
{
    if (name.isEmpty() || !isNameStart(name.front().unicode(), colonAllowed))
        return false;
    for (const QChar c : name) {
        if (!isNameChar(c.unicode(), colonAllowed))
            return false;
    }
    return true;
}

} // namespace

QByteArray formatValue(double value)
{
    if (std::isnan(value))
        return QByteArrayLiteral("NaN");
    if (std::isinf(value))
        return value > 0 ? QByteArrayLiteral("+Inf") : QByteArrayLiteral("-Inf");
    constexpr double exactIntegerLimit = 9007199254740992.0; // 2^53
    if (std::fabs(value) <= exactIntegerLimit && std::trunc(value) == value)
        return QByteArray::number(qint64(value));
    char buffer[32];
    const std::to_chars_result result = std::to_chars(buffer, buffer + sizeof(buffer), value);
    return QByteArray(buffer, qsizetype(result.ptr - buffer));
}

QByteArray escapeHelp(const QString &help)
{
    QByteArray out;
    const QByteArray utf8 = help.toUtf8();
    out.reserve(utf8.size());
    for (const char c : utf8) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

QByteArray escapeLabelValue(const QString &value)
{
    QByteArray out;
    const QByteArray utf8 = value.toUtf8();
    out.reserve(utf8.size());
    for (const char c : utf8) {
        if (c == '\\')
            out += "\\\\";
        else if (c == '"')
            out += "\\\"";
        else if (c == '\n')
            out += "\\n";
        else
            out += c;
    }
    return out;
}

QByteArray labelSet(const QStringList &names, const QStringList &values, const QByteArray &extraName,
                    const QByteArray &extraValue)
{
    if (names.isEmpty() && extraName.isEmpty())
        return {};
    QByteArray out("{");
    for (qsizetype i = 0; i < names.size(); ++i) {
        if (i > 0)
            out += ',';
        out += names.at(i).toUtf8() + "=\"" + escapeLabelValue(values.value(i)) + '"';
    }
    if (!extraName.isEmpty()) {
        if (!names.isEmpty())
            out += ',';
        out += extraName + "=\"" + extraValue + '"';
    }
    out += '}';
    return out;
}

bool isValidMetricName(const QString &name)
{
    return isValidName(name, true);
}

bool isValidLabelName(const QString &name)
{
    return isValidName(name, false) && !name.startsWith(QLatin1String("__"));
}

void appendHeader(QByteArray &out, const QString &name, const QString &help, const char *type)
{
    const QByteArray n = name.toUtf8();
    out += "# HELP " + n + ' ' + escapeHelp(help) + '\n';
    out += "# TYPE " + n + ' ' + type + '\n';
}

void appendSample(QByteArray &out, const QString &name, const QStringList &labelNames, const QStringList &labelValues,
                  double value)
{
    out += name.toUtf8() + labelSet(labelNames, labelValues) + ' ' + formatValue(value) + '\n';
}

void appendSamples(QByteArray &out, const QString &name, const QStringList &labelNames,
                   const QStringList &labelValues, const Counter &series)
{
    appendSample(out, name, labelNames, labelValues, series.value());
}

void appendSamples(QByteArray &out, const QString &name, const QStringList &labelNames,
                   const QStringList &labelValues, const Gauge &series)
{
    appendSample(out, name, labelNames, labelValues, series.value());
}

void appendSamples(QByteArray &out, const QString &name, const QStringList &labelNames,
                   const QStringList &labelValues, const Histogram &series)
{
    const Histogram::Snapshot s = series.snapshot();
    const QByteArray bucket = name.toUtf8() + "_bucket";
    for (qsizetype i = 0; i < s.cumulativeCounts.size(); ++i) {
        const QByteArray le = i < s.upperBounds.size() ? formatValue(s.upperBounds.at(i)) : QByteArrayLiteral("+Inf");
        out += bucket + labelSet(labelNames, labelValues, "le", le) + ' '
               + QByteArray::number(s.cumulativeCounts.at(i)) + '\n';
    }
    const QByteArray labels = labelSet(labelNames, labelValues);
    out += name.toUtf8() + "_sum" + labels + ' ' + formatValue(s.sum) + '\n';
    out += name.toUtf8() + "_count" + labels + ' ' + QByteArray::number(s.count) + '\n';
}

} // namespace arena::prometheus
