#include "tools/ctl/texttable.h"

#include <algorithm>

namespace arena::ctl {

TextTable::TextTable(QList<Column> columns) : m_columns(std::move(columns)) {}

void TextTable::addRow(QStringList cells)
{
    while (cells.size() < m_columns.size())
        cells.append(QString());
    cells.resize(m_columns.size());
    m_rows.append(std::move(cells));
}

QString TextTable::render() const
{
    QList<qsizetype> widths;
    for (const Column &c : m_columns)
        widths.append(c.header.size());
    for (const QStringList &row : m_rows) {
        for (qsizetype i = 0; i < row.size(); ++i)
            widths[i] = std::max(widths[i], row.at(i).size());
    }

    QString out;
    const auto line = [&](const QStringList &cells) {
        QString text;
        for (qsizetype i = 0; i < cells.size(); ++i) {
            if (i > 0)
                text += QStringLiteral("  ");
            const bool last = i == cells.size() - 1;
            if (m_columns.at(i).align == Align::Right)
                text += cells.at(i).rightJustified(widths.at(i), QLatin1Char(' '));
            else
                text += last ? cells.at(i) : cells.at(i).leftJustified(widths.at(i), QLatin1Char(' '));
        }
        // A right-aligned or padded cell before empty trailing cells still leaves spaces.
        while (text.endsWith(QLatin1Char(' ')))
            text.chop(1);
        out += text + QLatin1Char('\n');
    };

    QStringList headers;
    for (const Column &c : m_columns)
        headers.append(c.header);
    line(headers);
    for (const QStringList &row : m_rows)
        line(row);
    return out;
}

} // namespace arena::ctl
