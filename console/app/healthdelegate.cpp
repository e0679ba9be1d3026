#include "console/app/healthdelegate.h"

#include "console/core/fleetmodel.h"

#include <QPainter>
#include <QPixmap>

#include <algorithm>

namespace arena::console {

namespace {

QIcon dot(const QColor &colour)
{
    QPixmap pixmap(12, 12);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(colour.darker(130), 1));
    painter.setBrush(colour);
    painter.drawEllipse(QRectF(1.5, 1.5, 9, 9));
    return QIcon(pixmap);
}

} // namespace

HealthDelegate::HealthDelegate(int healthColumn, QObject *parent)
    : QStyledItemDelegate(parent), m_healthColumn(healthColumn)
{
    for (int h = 0; h < int(m_dots.size()); ++h)
        m_dots[std::size_t(h)] = dot(FleetModel::healthColor(FleetModel::HealthState(h)));
}

void HealthDelegate::initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const
{
    QStyledItemDelegate::initStyleOption(option, index);
    const QVariant health = index.data(FleetModel::HealthRole);
    if (!health.isValid())
        return;
    const auto h = static_cast<FleetModel::HealthState>(health.toInt());
    if (index.column() == m_healthColumn) {
        option->icon = m_dots[std::size_t(std::clamp(int(h), 0, int(m_dots.size()) - 1))];
        option->features |= QStyleOptionViewItem::HasDecoration;
        option->decorationSize = QSize(12, 12);
    }
    if (h == FleetModel::Down) {
        option->palette.setColor(QPalette::Text, FleetModel::healthColor(FleetModel::Down));
        option->font.setItalic(true);
    }
}

} // namespace arena::console
