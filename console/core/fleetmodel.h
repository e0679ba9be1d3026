// FleetModel: one row per instance of the fleet (the fleet table), from fleet and snapshot pushes.
#pragma once

#include "shared/protocol/adminmessages.h"

#include <QAbstractTableModel>
#include <QColor>
#include <QHash>
#include <QList>
#include <QString>
#include <QStringList>

#include <array>
#include <optional>

namespace arena::console {

// Rows keep the order instances first appeared in (sort with a QSortFilterProxyModel on SortRole).
// Rows are inserted and removed one by one and a changed cell is reported alone with dataChanged, never
// with a reset or a layout change, so a table kept open all day neither flickers nor loses its
// selection. Ages ("0.4 s ago", "down 00:00:04") are measured against the newest fleet time, i.e. the
// agent's clock, so a console whose clock is off still shows the right age.
class FleetModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetModel)

public:
    enum Column {
        Health,
        Instance,
        Host,
        State,
        Uptime,
        Sessions,
        Rooms,
        Matches,
        QueueTickets,
        Workers,
        Cpu,
        Rss,
        RedisPing,
        Lease,
        LastSeen,
        ColumnCount
    };
    Q_ENUM(Column)

    // Named HealthState, not Health: Column::Health (an unscoped enumerator) would hide a type called Health.
    enum HealthState { Healthy, Degraded, Draining, Down };
    Q_ENUM(HealthState)

    enum Role {
        SortRole = Qt::UserRole,       // raw number or string of the cell (invalid when unknown)
        HealthRole = Qt::UserRole + 1, // FleetModel::HealthState of the row, on every column
        InstanceRole = Qt::UserRole + 2 // the instance id, on every column
    };

    // A degraded instance: up, but one of these.
    static constexpr double DegradedRedisPingMs = 50.0;
    static constexpr double DegradedServerCpuPercent = 90.0;
    static constexpr qint64 DegradedAfterDeathMs = 60'000;

    explicit FleetModel(QObject *parent = nullptr);
    ~FleetModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    QString instanceAt(int row) const; // "" outside the rows
    int rowOf(const QString &instance) const; // -1 when absent
    HealthState health(int row) const;
    QString healthReason(int row) const; // the Health column's tooltip
    QStringList instances() const;

    // Readable on light and dark palettes: green, amber (degraded and draining), clear red.
    static QColor healthColor(HealthState health);
    static QString healthName(HealthState health);

public Q_SLOTS:
    void applyFleet(const arena::protocol::Fleet &fleet);
    void applySnapshot(const arena::protocol::Snapshot &snapshot);
    // Moves the reference time of the ages forward (e.g. from a timer while no fleet arrives). Never
    // moves it back.
    void setReferenceTime(qint64 nowMs);
    void clear(); // a reset: for a new connection only

private:
    struct Figures
    {
        qint64 time = 0;
        std::optional<double> uptimeS;
        std::optional<double> cpuPercent;       // server + workers
        std::optional<double> serverCpuPercent; // server alone, for health
        std::optional<double> rssMb;
        std::optional<double> redisPingP99Ms;
        std::optional<double> queueTickets;
        std::optional<bool> redisReachable;
        QString redisError;
        QString serverStatus;
        QString serverSince; // ISO time the server state began
        QString leaseState;  // the instance's fleet lease: held, unconfirmed, lost, unregistered ("" unknown)
        std::optional<double> leaseEpoch;
        std::optional<double> deaths;
        qint64 lastDeathTime = 0; // snapshot time deaths last went up (0: never seen)
    };
    struct Row
    {
        protocol::InstanceSummary summary;
        qint64 downSince = 0; // ms; 0 while not down
        Figures figures;
    };
    // What a cell shows, to tell changed cells from unchanged ones.
    struct Cell
    {
        QVariant display;
        QVariant sort;
        int health = 0;
        QString toolTip;
        friend bool operator==(const Cell &, const Cell &) = default;
    };
    using RowCells = std::array<Cell, ColumnCount>;

    RowCells cells(const Row &row) const;
    QVariant displayValue(const Row &row, int column) const;
    QVariant sortValue(const Row &row, int column) const;
    HealthState healthOf(const Row &row) const;
    QString reasonOf(const Row &row) const;
    QStringList degradedReasons(const Row &row) const;
    // Runs change on row, then reports its changed cells.
    template<typename Change>
    void updateRow(int row, Change change);
    void reportChanges(int row, const RowCells &before);

    QList<Row> m_rows;
    QHash<QString, Figures> m_pendingFigures; // snapshots of instances not (yet) in the fleet
    qint64 m_now = 0;
};

} // namespace arena::console
