#include "console/core/fleethistory.h"

#include "shared/protocol/adminmessages.h"

#include <algorithm>
#include <set>

namespace arena::console {

namespace {

constexpr qint64 MinimumFleetSlotMs = 1000;
constexpr qint64 MinimumHoldMs = 5000;

} // namespace

FleetHistory::FleetHistory(QObject *parent) : QObject(parent) {}

FleetHistory::~FleetHistory() = default;

void FleetHistory::ingest(const QString &instance, qint64 timeMs, const QJsonObject &figures)
{
    if (instance.isEmpty())
        return; // the agent does not know its server's id yet
    Histories &histories = m_instances[instance];
    for (int i = 0; i < SeriesCount; ++i) {
        const auto value = extract(SeriesId(i), figures);
        if (!value)
            continue;
        auto &history = histories[std::size_t(i)];
        if (!history)
            history = std::make_unique<MetricHistory>();
        history->add(timeMs, *value);
    }
    Q_EMIT ingested(instance);
}

void FleetHistory::ingestSnapshot(const protocol::Snapshot &snapshot)
{
    ingest(snapshot.instance, qint64(snapshot.time), snapshot.figures.toJsonObject());
}

const MetricHistory *FleetHistory::history(const QString &instance, SeriesId id) const
{
    const int i = int(id);
    if (i < 0 || i >= SeriesCount)
        return nullptr;
    const auto it = m_instances.find(instance);
    if (it == m_instances.end())
        return nullptr;
    return it->second[std::size_t(i)].get();
}

QList<SeriesPoint> FleetHistory::points(const QString &instance, SeriesId id, qint64 from, qint64 to, int maxPoints) const
{
    const MetricHistory *h = history(instance, id);
    return h ? h->points(from, to, maxPoints) : QList<SeriesPoint>();
}

QList<SeriesPoint> FleetHistory::fleetPoints(SeriesId id, qint64 from, qint64 to, int maxPoints) const
{
    const int series = int(id);
    if (series < 0 || series >= SeriesCount)
        return {};
    QList<const MetricHistory *> histories;
    for (const auto &[instance, all] : m_instances) {
        if (const MetricHistory *h = all[std::size_t(series)].get(); h && !h->isEmpty())
            histories.append(h);
    }
    if (histories.isEmpty() || to < from)
        return {};

    // One grid for everyone: the coarsest tier any instance needs.
    auto tier = MetricHistory::Tier::Raw;
    for (const MetricHistory *h : std::as_const(histories))
        tier = std::max(tier, h->tierFor(from));
    const qint64 minimum = std::max(MinimumFleetSlotMs, MetricHistory::tierWidth(tier));
    const qint64 slot = maxPoints > 0 ? MetricHistory::slotWidth(tier, from, to, maxPoints, minimum) : minimum;
    const qint64 hold = std::max(2 * slot, MinimumHoldMs);

    QList<QList<SeriesPoint>> perInstance;
    std::set<qint64> slotStarts; // slot starts with a point of some instance
    const qint64 firstSlot = from - ((from % slot) + slot) % slot;
    for (const MetricHistory *h : std::as_const(histories)) {
        QList<SeriesPoint> pts = h->tierPoints(tier, from - hold, to, slot);
        for (const SeriesPoint &p : std::as_const(pts)) {
            if (p.t >= firstSlot)
                slotStarts.insert(p.t);
        }
        perInstance.append(std::move(pts));
    }

    const SeriesInfo::Fleet how = seriesInfo(id).fleet;
    QList<SeriesPoint> out;
    out.reserve(qsizetype(slotStarts.size()));
    QList<qsizetype> cursor(perInstance.size(), -1); // per instance: its last point at or before the slot
    for (const qint64 t : slotStarts) {
        SeriesPoint agg{t, 0, 0, 0};
        int n = 0;
        for (qsizetype k = 0; k < perInstance.size(); ++k) {
            const QList<SeriesPoint> &pts = perInstance.at(k);
            qsizetype &c = cursor[k];
            while (c + 1 < pts.size() && pts.at(c + 1).t <= t)
                ++c;
            if (c < 0 || t - pts.at(c).t > hold)
                continue;
            const SeriesPoint &p = pts.at(c);
            if (n == 0) {
                agg.value = p.value;
                agg.min = p.min;
                agg.max = p.max;
            } else if (how == SeriesInfo::Fleet::Max) {
                agg.value = std::max(agg.value, p.value);
                agg.min = std::max(agg.min, p.min);
                agg.max = std::max(agg.max, p.max);
            } else {
                agg.value += p.value;
                agg.min += p.min;
                agg.max += p.max;
            }
            ++n;
        }
        if (n == 0)
            continue;
        if (how == SeriesInfo::Fleet::Average) {
            agg.value /= n;
            agg.min /= n;
            agg.max /= n;
        }
        out.append(agg);
    }
    return out;
}

QStringList FleetHistory::instances() const
{
    QStringList ids;
    ids.reserve(qsizetype(m_instances.size()));
    for (const auto &entry : m_instances)
        ids.append(entry.first);
    return ids;
}

void FleetHistory::forget(const QString &instance)
{
    m_instances.erase(instance);
}

void FleetHistory::clear()
{
    m_instances.clear();
}

qsizetype FleetHistory::memoryBytes() const
{
    qsizetype bytes = qsizetype(sizeof(*this));
    for (const auto &[instance, all] : m_instances) {
        bytes += qsizetype(sizeof(Histories)) + instance.size() * qsizetype(sizeof(QChar));
        for (const auto &h : all) {
            if (h)
                bytes += h->memoryBytes();
        }
    }
    return bytes;
}

} // namespace arena::console
