#include "agent/metricstext.h"

#include <QByteArray>

#include <limits>

namespace arena {

namespace {

bool isNameStart(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' || c == ':';
}

bool isNameChar(char c)
{
    return isNameStart(c) || (c >= '0' && c <= '9');
}

std::optional<double> parseValue(QByteArrayView text)
{
    if (text == "+Inf" || text == "Inf")
        return std::numeric_limits<double>::infinity();
    if (text == "-Inf")
        return -std::numeric_limits<double>::infinity();
    if (text == "NaN")
        return std::numeric_limits<double>::quiet_NaN();
    bool ok = false;
    const double v = text.toDouble(&ok);
    return ok ? std::optional<double>(v) : std::nullopt;
}

// Reads one sample line; returns the reason when it is malformed.
QString parseSample(QByteArrayView line, MetricsText::Sample &out)
{
    qsizetype i = 0;
    const qsizetype n = line.size();
    if (n == 0 || !isNameStart(line[0]))
        return QStringLiteral("a metric name must start the line");
    while (i < n && isNameChar(line[i]))
        ++i;
    out.name = QString::fromLatin1(line.first(i));
    if (i < n && line[i] == '{') {
        ++i;
        for (;;) {
            while (i < n && line[i] == ' ')
                ++i;
            if (i < n && line[i] == '}') {
                ++i;
                break;
            }
            const qsizetype nameStart = i;
            if (i >= n || !isNameStart(line[i]) || line[i] == ':')
                return QStringLiteral("bad label name");
            while (i < n && isNameChar(line[i]) && line[i] != ':')
                ++i;
            const QString labelName = QString::fromLatin1(line.sliced(nameStart, i - nameStart));
            if (i + 1 >= n || line[i] != '=' || line[i + 1] != '"')
                return QStringLiteral("label %1 has no =\"value\"").arg(labelName);
            i += 2;
            QByteArray value;
            bool closed = false;
            while (i < n) {
                const char c = line[i++];
                if (c == '"') {
                    closed = true;
                    break;
                }
                if (c == '\\' && i < n) {
                    const char e = line[i++];
                    value.append(e == 'n' ? '\n' : e); // \\ and \" stand for themselves
                    continue;
                }
                value.append(c);
            }
            if (!closed)
                return QStringLiteral("label %1 has an unterminated value").arg(labelName);
            out.labels.insert(labelName, QString::fromUtf8(value));
            while (i < n && line[i] == ' ')
                ++i;
            if (i < n && line[i] == ',') {
                ++i;
                continue;
            }
            if (i < n && line[i] == '}') {
                ++i;
                break;
            }
            return QStringLiteral("expected ',' or '}' after label %1").arg(labelName);
        }
    }
    const QList<QByteArray> rest = line.sliced(i).toByteArray().simplified().split(' ');
    if (rest.isEmpty() || rest.first().isEmpty())
        return QStringLiteral("no value");
    if (rest.size() > 2)
        return QStringLiteral("unexpected text after the value");
    const auto value = parseValue(rest.first());
    if (!value)
        return QStringLiteral("value \"%1\" is not a number").arg(QString::fromUtf8(rest.first()));
    out.value = *value;
    return {};
}

} // namespace

Result<MetricsText> MetricsText::parse(QByteArrayView text)
{
    MetricsText metrics;
    int lineNumber = 0;
    for (const QByteArray &raw : text.toByteArray().split('\n')) {
        ++lineNumber;
        const QByteArray line = raw.trimmed();
        if (line.isEmpty())
            continue;
        if (line.startsWith('#')) {
            const QList<QByteArray> words = line.simplified().split(' ');
            if (words.size() >= 4 && words.at(1) == "TYPE")
                metrics.types.insert(QString::fromLatin1(words.at(2)), QString::fromLatin1(words.at(3)));
            continue;
        }
        Sample sample;
        const QString why = parseSample(line, sample);
        if (!why.isEmpty())
            return Error{QStringLiteral("invalid_metrics"), QStringLiteral("line %1: %2").arg(lineNumber).arg(why)};
        metrics.samples.append(std::move(sample));
    }
    return metrics;
}

QList<MetricsText::Sample> MetricsText::samplesNamed(const QString &name) const
{
    QList<Sample> out;
    for (const Sample &s : samples) {
        if (s.name == name)
            out.append(s);
    }
    return out;
}

} // namespace arena
