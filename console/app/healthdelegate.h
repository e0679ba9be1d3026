// HealthDelegate: paints a fleet-table row by its health — a coloured dot in the Health column, and the
// text of a down instance in the "down" colour — from FleetModel's HealthRole.
#pragma once

#include <QIcon>
#include <QStyledItemDelegate>

#include <array>

namespace arena::console {

class HealthDelegate final : public QStyledItemDelegate
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(HealthDelegate)

public:
    // `healthColumn`: the view's column of FleetModel::Health.
    explicit HealthDelegate(int healthColumn, QObject *parent = nullptr);

protected:
    void initStyleOption(QStyleOptionViewItem *option, const QModelIndex &index) const override;

private:
    int m_healthColumn;
    std::array<QIcon, 4> m_dots; // per FleetModel::HealthState

};

} // namespace arena::console
