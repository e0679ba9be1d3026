#include "console/core/csvexport.h"

#include <QDateTime>
#include <QLocale>

#include <map>
#include <vector>

namespace arena::console {

namespace {

QByteArray quoted(const QString &field)
{
    QByteArray utf8 = field.toUtf8();
    if (!utf8.contains(',') && !utf8.contains('"') && !utf8.contains('\n') && !utf8.contains('\r'))
        return utf8;
    utf8.replace("\"", "\"\"");
    return '"' + utf8 + '"';
}

} // namespace

QByteArray seriesToCsv(const QStringList &names, const QList<QList<SeriesPoint>> &series)
{
    const qsizetype columns = std::max(names.size(), series.size());
    QByteArray out = "time";
    for (qsizetype c = 0; c < columns; ++c) {
        out += ',';
        out += quoted(c < names.size() ? names.at(c) : QStringLiteral("series %1").arg(c + 1));
    }
    out += "\r\n";

    // time -> one cell per column (several points of a series at one time: the last wins).
    std::map<qint64, std::vector<std::optional<double>>> rows;
    for (qsizetype c = 0; c < series.size(); ++c) {
        for (const SeriesPoint &p : series.at(c)) {
            auto &row = rows[p.t];
            if (row.empty())
                row.resize(std::size_t(columns));
            row[std::size_t(c)] = p.value;
        }
    }
    for (const auto &[t, cells] : rows) {
        out += QDateTime::fromMSecsSinceEpoch(t, Qt::UTC).toString(Qt::ISODateWithMs).toLatin1();
        for (const std::optional<double> &cell : cells) {
            out += ',';
            if (cell)
                out += QByteArray::number(*cell, 'g', QLocale::FloatingPointShortest);
        }
        out += "\r\n";
    }
    return out;
}

} // namespace arena::console
