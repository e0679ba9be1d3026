// FleetHistory: the MetricHistory of every series of every instance, and the whole fleet's series.
#pragma once

#include "console/core/metrichistory.h"
#include "console/core/seriescatalog.h"

#include <QJsonObject>
#include <QObject>
#include <QStringList>

#include <array>
#include <map>
#include <memory>

namespace arena::protocol {
struct Snapshot;
}

namespace arena::console {

class FleetHistory final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(FleetHistory)

public:
    explicit FleetHistory(QObject *parent = nullptr);
    ~FleetHistory() override;

    // Adds every series extract() finds in figures to the instance's histories (created on first use).
    void ingest(const QString &instance, qint64 timeMs, const QJsonObject &figures);

    // nullptr when the instance never had a value for that series.
    const MetricHistory *history(const QString &instance, SeriesId id) const;
    QList<SeriesPoint> points(const QString &instance, SeriesId id, qint64 from, qint64 to, int maxPoints) const;

    // The fleet's series over [from, to], at most maxPoints: every instance's points are put on one
    // wall-clock grid (the coarsest tier any instance needs for the window, in slots of at least 1 s),
    // then combined per SeriesInfo::fleet — value, min and max each summed, maxed or averaged. An
    // instance without a point in a slot counts with its last point of the previous few seconds
    // (max(2 slots, 5 s)), so the sum does not dip because two agents sample out of phase.
    QList<SeriesPoint> fleetPoints(SeriesId id, qint64 from, qint64 to, int maxPoints) const;

    QStringList instances() const; // sorted
    void forget(const QString &instance);
    void clear();
    qsizetype memoryBytes() const;

public Q_SLOTS:
    // ingest(snapshot.instance, snapshot.time, figures), for a direct connection to AdminClient.
    void ingestSnapshot(const arena::protocol::Snapshot &snapshot);

Q_SIGNALS:
    void ingested(const QString &instance);

private:
    using Histories = std::array<std::unique_ptr<MetricHistory>, SeriesCount>;
    std::map<QString, Histories> m_instances; // sorted by id; QHash needs copyable values
};

} // namespace arena::console
