// WorkersModel: the workers of one instance (workers.list of its snapshots), one row per worker id.
#pragma once

#include "shared/protocol/adminmessages.h"

#include <QAbstractTableModel>
#include <QJsonObject>
#include <QList>
#include <QString>

namespace arena::console {

// Rows keep the order workers first appeared in; a snapshot inserts new workers, removes gone ones and
// reports changed cells with dataChanged. Only setInstance() resets the model. A snapshot without a
// worker list (server down, no pool, /workers/stats failed) empties it: last-known workers would read
// as current.
class WorkersModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkersModel)

public:
    enum Column { Id, Pid, State, Matches, Cpu, Rss, TickLagP99, TickLagMax, Uptime, Restarts, ColumnCount };
    Q_ENUM(Column)

    enum Role {
        SortRole = Qt::UserRole,        // raw number or string
        WorkerIdRole = Qt::UserRole + 1, // the worker id, on every column
        WorkerRole = Qt::UserRole + 2    // the worker's whole QJsonObject from the snapshot
    };

    explicit WorkersModel(QObject *parent = nullptr);
    ~WorkersModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    // Shows that instance's workers from its next snapshot on (resets the model when it changes).
    void setInstance(const QString &instance);
    QString instance() const { return m_instance; }

    QString workerAt(int row) const; // "" outside the rows
    int rowOf(const QString &workerId) const; // -1 when absent
    QJsonObject workerObject(int row) const;

public Q_SLOTS:
    // Snapshots of other instances are ignored.
    void applySnapshot(const arena::protocol::Snapshot &snapshot);

private:
    struct Row
    {
        QString id;
        QJsonObject worker;
    };
    QVariant displayValue(const QJsonObject &worker, int column) const;
    QVariant sortValue(const QJsonObject &worker, int column) const;

    QString m_instance;
    QList<Row> m_rows;
};

} // namespace arena::console
