// TextTable: a plain-text table for terminals — a header row and aligned columns, two spaces apart.
#pragma once

#include <QList>
#include <QString>
#include <QStringList>

namespace arena::ctl {

class TextTable final
{
public:
    enum class Align { Left, Right };

    struct Column
    {
        QString header;
        Align align = Align::Left;
    };

    explicit TextTable(QList<Column> columns);

    // A row with fewer cells than columns is padded with empty cells; extra cells are dropped.
    void addRow(QStringList cells);
    qsizetype rowCount() const { return m_rows.size(); }

    // Every line ends with '\n'; no line has trailing spaces. Widths count characters (QChar).
    QString render() const;

private:
    QList<Column> m_columns;
    QList<QStringList> m_rows;
};

} // namespace arena::ctl
