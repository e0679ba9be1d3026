// EventLogModel: the event log, oldest first, bounded (the oldest events are dropped).
#pragma once

#include "console/core/event.h"

#include <QAbstractTableModel>
#include <QList>

#include <deque>
#include <functional>

namespace arena::console {

class EventLogModel final : public QAbstractTableModel
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(EventLogModel)

public:
    using Clock = std::function<qint64()>; // ms since the epoch

    enum Column { Time, Severity, Kind, Instance, Text, ColumnCount };
    Q_ENUM(Column)

    enum Role {
        SortRole = Qt::UserRole,          // time (ms) / severity and kind as int / strings
        KindRole = Qt::UserRole + 1,      // int(Event::Kind), every column
        SeverityRole = Qt::UserRole + 2,  // int(Event::Severity), every column
        InstanceRole = Qt::UserRole + 3,  // every column
        TextRole = Qt::UserRole + 4,      // every column
        TimeRole = Qt::UserRole + 5       // ms since the epoch, every column
    };

    static constexpr int DefaultMaxRows = 5000;

    explicit EventLogModel(QObject *parent = nullptr);
    ~EventLogModel() override;

    int rowCount(const QModelIndex &parent = {}) const override;
    int columnCount(const QModelIndex &parent = {}) const override;
    QVariant data(const QModelIndex &index, int role = Qt::DisplayRole) const override;
    QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

    const Event &eventAt(int row) const;
    int maxRows() const { return m_maxRows; }
    // Drops the oldest rows beyond the new bound at once.
    void setMaxRows(int maxRows);
    // Times are shown in local time unless set (tests, operators spread over time zones).
    void setUtc(bool utc);
    // What "today" is: the Time column shows HH:mm:ss for today's events and the date too for older ones.
    void setClock(Clock clock);

public Q_SLOTS:
    // Appends at the end (newest last), then drops the oldest rows beyond maxRows().
    void append(const arena::console::Event &event);
    // Many at once (a backlog, e.g. the audit query after connecting): one insertion and at most one
    // removal, instead of one each per event. Not an overload of append(), so &EventLogModel::append
    // stays unambiguous in connect().
    void appendEvents(const QList<arena::console::Event> &events);
    void clear();

private:
    void trim();

    std::deque<Event> m_events;
    int m_maxRows = DefaultMaxRows;
    bool m_utc = false;
    Clock m_clock;
};

} // namespace arena::console
