#include "console/core/fleetmodel.h"

#include "console/core/format.h"
#include "console/core/seriescatalog.h"

#include <QDateTime>
#include <QJsonValue>
#include <QSet>

#include <algorithm>

namespace arena::console {

namespace {

// Snapshots of instances the fleet does not list are kept for when it does, up to this many.
constexpr int MaxPendingFigures = 256;
// An instance whose last snapshot is older than this when it is reported down went down with its agent:
// it has been down since it was last seen.
constexpr qint64 StaleSnapshotMs = 2000;

std::optional<double> number(const QJsonObject &object, QLatin1StringView key)
{
    const QJsonValue v = object.value(key);
    return v.isDouble() ? std::optional<double>(v.toDouble()) : std::nullopt;
}

bool isNumeric(int column)
{
    switch (column) {
    case FleetModel::Uptime:
    case FleetModel::Sessions:
    case FleetModel::Rooms:
    case FleetModel::Matches:
    case FleetModel::QueueTickets:
    case FleetModel::Workers:
    case FleetModel::Cpu:
    case FleetModel::Rss:
    case FleetModel::RedisPing:
        return true;
    default:
        return false;
    }
}

QVariant optionalNumber(const std::optional<double> &value)
{
    return value ? QVariant(*value) : QVariant();
}

} // namespace

FleetModel::FleetModel(QObject *parent) : QAbstractTableModel(parent) {}

FleetModel::~FleetModel() = default;

int FleetModel::rowCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : int(m_rows.size());
}

int FleetModel::columnCount(const QModelIndex &parent) const
{
    return parent.isValid() ? 0 : ColumnCount;
}

QVariant FleetModel::data(const QModelIndex &index, int role) const
{
    if (!checkIndex(index, CheckIndexOption::IndexIsValid | CheckIndexOption::ParentIsInvalid))
        return {};
    const Row &row = m_rows.at(index.row());
    const int column = index.column();
    switch (role) {
    case Qt::DisplayRole:
        return displayValue(row, column);
    case SortRole:
        return sortValue(row, column);
    case HealthRole:
        return int(healthOf(row));
    case InstanceRole:
        return row.summary.id;
    case Qt::ToolTipRole:
        return column == Health ? QVariant(reasonOf(row)) : QVariant();
    case Qt::ForegroundRole:
    case Qt::DecorationRole:
        return column == Health ? QVariant(healthColor(healthOf(row))) : QVariant();
    case Qt::BackgroundRole:
        if (column == Health) {
            QColor background = healthColor(healthOf(row));
            background.setAlpha(40); // a tint: the text stays readable on light and dark rows
            return background;
        }
        return {};
    case Qt::TextAlignmentRole:
        return isNumeric(column) || column == LastSeen ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    default:
        return {};
    }
}

QVariant FleetModel::headerData(int section, Qt::Orientation orientation, int role) const
{
    if (orientation != Qt::Horizontal || section < 0 || section >= ColumnCount)
        return QAbstractTableModel::headerData(section, orientation, role);
    if (role == Qt::TextAlignmentRole)
        return isNumeric(section) || section == LastSeen ? QVariant(int(Qt::AlignRight | Qt::AlignVCenter)) : QVariant();
    if (role != Qt::DisplayRole)
        return {};
    switch (Column(section)) {
    case Health:
        return tr("Health");
    case Instance:
        return tr("Instance");
    case Host:
        return tr("Host");
    case State:
        return tr("State");
    case Uptime:
        return tr("Uptime");
    case Sessions:
        return tr("Sessions");
    case Rooms:
        return tr("Rooms");
    case Matches:
        return tr("Matches");
    case QueueTickets:
        return tr("Queue");
    case Workers:
        return tr("Workers");
    case Cpu:
        return tr("CPU");
    case Rss:
        return tr("RSS");
    case RedisPing:
        return tr("Redis PING p99");
    case Lease:
        return tr("Lease");
    case LastSeen:
        return tr("Last seen");
    case ColumnCount:
        break;
    }
    return {};
}

QString FleetModel::instanceAt(int row) const
{
    return row >= 0 && row < m_rows.size() ? m_rows.at(row).summary.id : QString();
}

int FleetModel::rowOf(const QString &instance) const
{
    for (int i = 0; i < m_rows.size(); ++i) {
        if (m_rows.at(i).summary.id == instance)
            return i;
    }
    return -1;
}

FleetModel::HealthState FleetModel::health(int row) const
{
    return row >= 0 && row < m_rows.size() ? healthOf(m_rows.at(row)) : Down;
}

QString FleetModel::healthReason(int row) const
{
    return row >= 0 && row < m_rows.size() ? reasonOf(m_rows.at(row)) : QString();
}

QStringList FleetModel::instances() const
{
    QStringList ids;
    ids.reserve(m_rows.size());
    for (const Row &row : m_rows)
        ids.append(row.summary.id);
    return ids;
}

QColor FleetModel::healthColor(HealthState health)
{
    // Mid-lightness hues: strong enough on a white table, not glaring on a dark one.
    switch (health) {
    case Healthy:
        return QColor(0x2d, 0xa4, 0x4e);
    case Degraded:
    case Draining:
        return QColor(0xd2, 0x99, 0x22);
    case Down:
        return QColor(0xe5, 0x34, 0x34);
    }
    return {};
}

QString FleetModel::healthName(HealthState health)
{
    switch (health) {
    case Healthy:
        return tr("healthy");
    case Degraded:
        return tr("degraded");
    case Draining:
        return tr("draining");
    case Down:
        return tr("down");
    }
    return {};
}

FleetModel::HealthState FleetModel::healthOf(const Row &row) const
{
    switch (row.summary.state) {
    case protocol::InstanceState::Down:
        return Down;
    case protocol::InstanceState::Draining:
        return Draining;
    case protocol::InstanceState::Up:
        break;
    }
    return degradedReasons(row).isEmpty() ? Healthy : Degraded;
}

QStringList FleetModel::degradedReasons(const Row &row) const
{
    const Figures &f = row.figures;
    QStringList reasons;
    if (f.redisReachable == false)
        reasons.append(f.redisError.isEmpty() ? tr("Redis unreachable") : tr("Redis unreachable: %1").arg(f.redisError));
    if (f.redisPingP99Ms && *f.redisPingP99Ms > DegradedRedisPingMs)
        reasons.append(tr("Redis PING p99 %1 (over %2 ms)").arg(format::milliseconds(*f.redisPingP99Ms)).arg(DegradedRedisPingMs));
    if (f.serverCpuPercent && *f.serverCpuPercent > DegradedServerCpuPercent)
        reasons.append(tr("server CPU %1 (over %2 %)").arg(format::percent(*f.serverCpuPercent)).arg(DegradedServerCpuPercent));
    if (f.lastDeathTime > 0 && m_now - f.lastDeathTime < DegradedAfterDeathMs)
        reasons.append(tr("a worker died %1").arg(format::age(m_now - f.lastDeathTime)));
    if (f.leaseState == QLatin1String("lost"))
        reasons.append(tr("lost its fleet lease: no new work until registered again"));
    else if (f.leaseState == QLatin1String("unconfirmed"))
        reasons.append(tr("fleet lease unconfirmed (Redis unreachable): serving its own players"));
    else if (f.serverStatus == QLatin1String("degraded"))
        reasons.append(tr("the server reports its state store failing"));
    return reasons;
}

QString FleetModel::reasonOf(const Row &row) const
{
    switch (healthOf(row)) {
    case Down:
        return tr("down for %1").arg(format::duration(m_now - row.downSince));
    case Draining:
        return tr("draining: taking no new players");
    case Degraded:
        return tr("degraded: %1").arg(degradedReasons(row).join(QStringLiteral("; ")));
    case Healthy:
        break;
    }
    return tr("healthy");
}

QVariant FleetModel::displayValue(const Row &row, int column) const
{
    const protocol::InstanceSummary &s = row.summary;
    const Figures &f = row.figures;
    const bool down = s.state == protocol::InstanceState::Down;
    switch (column) {
    case Health:
        return healthName(healthOf(row));
    case Instance:
        return s.id;
    case Host:
        return s.host;
    case State:
        return QString(protocol::instanceStateName(s.state));
    case LastSeen:
        if (down)
            return tr("down %1").arg(format::duration(m_now - row.downSince));
        return s.lastSeen > 0 ? QVariant(format::age(m_now - qint64(s.lastSeen))) : QVariant();
    default:
        break;
    }
    // The rest would be last-known figures presented as current.
    if (down)
        return {};
    switch (column) {
    case Uptime:
        return f.uptimeS ? QVariant(format::uptime(*f.uptimeS)) : QVariant();
    case Sessions:
        return format::count(s.sessions);
    case Rooms:
        return format::count(s.rooms);
    case Matches:
        return format::count(s.matches);
    case Workers:
        return format::count(s.workers);
    case QueueTickets:
        return f.queueTickets ? QVariant(format::count(qint64(*f.queueTickets))) : QVariant();
    case Cpu:
        return f.cpuPercent ? QVariant(format::percent(*f.cpuPercent)) : QVariant();
    case Rss:
        return f.rssMb ? QVariant(format::mebibytes(*f.rssMb)) : QVariant();
    case RedisPing:
        return f.redisPingP99Ms ? QVariant(format::milliseconds(*f.redisPingP99Ms)) : QVariant();
    case Lease:
        if (f.leaseState.isEmpty())
            return {};
        return f.leaseEpoch ? QVariant(tr("%1 · epoch %2").arg(f.leaseState).arg(qint64(*f.leaseEpoch)))
                            : QVariant(f.leaseState);
    default:
        return {};
    }
}

QVariant FleetModel::sortValue(const Row &row, int column) const
{
    const protocol::InstanceSummary &s = row.summary;
    const Figures &f = row.figures;
    const bool down = s.state == protocol::InstanceState::Down;
    switch (column) {
    case Health:
        return int(healthOf(row));
    case Instance:
        return s.id;
    case Host:
        return s.host;
    case State:
        return int(s.state);
    case LastSeen:
        return qint64(s.lastSeen);
    default:
        break;
    }
    if (down)
        return {};
    switch (column) {
    case Uptime:
        return optionalNumber(f.uptimeS);
    case Sessions:
        return qint64(s.sessions);
    case Rooms:
        return qint64(s.rooms);
    case Matches:
        return qint64(s.matches);
    case Workers:
        return qint64(s.workers);
    case QueueTickets:
        return optionalNumber(f.queueTickets);
    case Cpu:
        return optionalNumber(f.cpuPercent);
    case Rss:
        return optionalNumber(f.rssMb);
    case RedisPing:
        return optionalNumber(f.redisPingP99Ms);
    case Lease:
        return optionalNumber(f.leaseEpoch);
    default:
        return {};
    }
}

FleetModel::RowCells FleetModel::cells(const Row &row) const
{
    RowCells out;
    const int health = int(healthOf(row));
    for (int c = 0; c < ColumnCount; ++c) {
        Cell &cell = out[std::size_t(c)];
        cell.display = displayValue(row, c);
        cell.sort = sortValue(row, c);
        cell.health = health;
        if (c == Health)
            cell.toolTip = reasonOf(row);
    }
    return out;
}

void FleetModel::reportChanges(int row, const RowCells &before)
{
    const RowCells after = cells(m_rows.at(row));
    int c = 0;
    while (c < ColumnCount) {
        if (before[std::size_t(c)] == after[std::size_t(c)]) {
            ++c;
            continue;
        }
        int last = c;
        while (last + 1 < ColumnCount && !(before[std::size_t(last + 1)] == after[std::size_t(last + 1)]))
            ++last;
        Q_EMIT dataChanged(index(row, c), index(row, last));
        c = last + 1;
    }
}

template<typename Change>
void FleetModel::updateRow(int row, Change change)
{
    const RowCells before = cells(m_rows.at(row));
    change(m_rows[row]);
    reportChanges(row, before);
}

void FleetModel::applyFleet(const protocol::Fleet &fleet)
{
    QHash<QString, const protocol::InstanceSummary *> listed;
    for (const protocol::InstanceSummary &s : fleet.instances) {
        if (!s.id.isEmpty())
            listed.insert(s.id, &s);
    }

    // Gone instances first, from the end so the rows still to look at keep their numbers.
    for (int i = int(m_rows.size()) - 1; i >= 0; --i) {
        if (listed.contains(m_rows.at(i).summary.id))
            continue;
        beginRemoveRows({}, i, i);
        m_rows.removeAt(i);
        endRemoveRows();
    }

    // The reference time moves for every row: capture, then compare.
    QList<RowCells> before;
    before.reserve(m_rows.size());
    for (const Row &row : std::as_const(m_rows))
        before.append(cells(row));
    const qint64 fleetTime = qint64(fleet.time);
    m_now = std::max(m_now, fleetTime);
    const auto wentDown = [&](Row &row, const protocol::InstanceSummary &s) {
        qint64 since = fleetTime > 0 ? fleetTime : m_now;
        if (s.lastSeen > 0 && since - qint64(s.lastSeen) > StaleSnapshotMs)
            since = qint64(s.lastSeen); // the agent went away with its server
        if (row.figures.serverSince.size() > 0) {
            const QDateTime t = QDateTime::fromString(row.figures.serverSince, Qt::ISODateWithMs);
            if (t.isValid())
                since = std::min(since, t.toMSecsSinceEpoch());
        }
        row.downSince = since;
    };
    for (int i = 0; i < m_rows.size(); ++i) {
        Row &row = m_rows[i];
        const protocol::InstanceSummary &s = *listed.value(row.summary.id);
        const bool wasDown = row.summary.state == protocol::InstanceState::Down;
        row.summary = s;
        if (s.state == protocol::InstanceState::Down && !wasDown)
            wentDown(row, s);
        else if (s.state != protocol::InstanceState::Down)
            row.downSince = 0;
        reportChanges(i, before.at(i));
    }

    // New instances at the end, in the fleet's order.
    QList<Row> added;
    QSet<QString> known;
    for (const Row &row : std::as_const(m_rows))
        known.insert(row.summary.id);
    for (const protocol::InstanceSummary &s : fleet.instances) {
        if (s.id.isEmpty() || known.contains(s.id))
            continue;
        known.insert(s.id);
        Row row;
        row.summary = s;
        row.figures = m_pendingFigures.take(s.id);
        if (s.state == protocol::InstanceState::Down)
            wentDown(row, s);
        added.append(std::move(row));
    }
    if (!added.isEmpty()) {
        beginInsertRows({}, int(m_rows.size()), int(m_rows.size() + added.size()) - 1);
        m_rows.append(added);
        endInsertRows();
    }
}

void FleetModel::applySnapshot(const protocol::Snapshot &snapshot)
{
    if (snapshot.instance.isEmpty())
        return;
    const QJsonObject figures = snapshot.figures.toJsonObject();
    const qint64 time = qint64(snapshot.time);

    const auto update = [&](Figures &f) {
        if (f.time > 0 && time < f.time)
            return; // an older snapshot arriving late
        const QJsonObject server = figures.value(QLatin1StringView("server")).toObject();
        const QString state = server.value(QLatin1StringView("state")).toString();
        const bool up = state == QLatin1String("up") || state == QLatin1String("draining");
        f.time = time;
        f.uptimeS = up ? number(server, QLatin1StringView("uptime_s")) : std::nullopt;
        f.serverCpuPercent = number(server.value(QLatin1StringView("process")).toObject(), QLatin1StringView("cpu_percent"));
        f.cpuPercent = extract(SeriesId::CpuPercent, figures);
        f.rssMb = extract(SeriesId::RssMb, figures);
        f.queueTickets = extract(SeriesId::QueueTickets, figures);
        f.serverStatus = up ? server.value(QLatin1StringView("status")).toString() : QString();
        f.serverSince = state == QLatin1String("down") ? server.value(QLatin1StringView("since")).toString() : QString();
        const QJsonObject lease = server.value(QLatin1StringView("lease")).toObject();
        f.leaseState = up ? lease.value(QLatin1StringView("state")).toString() : QString();
        f.leaseEpoch = up ? number(lease, QLatin1StringView("epoch")) : std::nullopt;
        const QJsonValue redisValue = figures.value(QLatin1StringView("redis"));
        if (redisValue.isObject()) {
            const QJsonObject redis = redisValue.toObject();
            const QJsonValue reachable = redis.value(QLatin1StringView("reachable"));
            f.redisReachable = reachable.isBool() ? std::optional<bool>(reachable.toBool()) : std::nullopt;
            f.redisError = redis.value(QLatin1StringView("error")).toString();
            f.redisPingP99Ms = number(redis, QLatin1StringView("ping_p99_ms"));
        } else {
            f.redisReachable.reset();
            f.redisError.clear();
            f.redisPingP99Ms.reset();
        }
        const auto deaths = number(figures.value(QLatin1StringView("workers")).toObject().value(QLatin1StringView("totals")).toObject(),
                                   QLatin1StringView("deaths"));
        if (deaths) {
            if (f.deaths && *deaths > *f.deaths)
                f.lastDeathTime = time;
            f.deaths = deaths; // a lower count is a restarted server: the new baseline
        }
    };

    const int row = rowOf(snapshot.instance);
    if (row < 0) {
        if (!m_pendingFigures.contains(snapshot.instance) && m_pendingFigures.size() >= MaxPendingFigures)
            m_pendingFigures.clear(); // instances the fleet never lists: do not grow without bound
        update(m_pendingFigures[snapshot.instance]);
        return;
    }
    updateRow(row, [&](Row &r) { update(r.figures); });
}

void FleetModel::setReferenceTime(qint64 nowMs)
{
    if (nowMs <= m_now)
        return;
    QList<RowCells> before;
    before.reserve(m_rows.size());
    for (const Row &row : std::as_const(m_rows))
        before.append(cells(row));
    m_now = nowMs;
    for (int i = 0; i < m_rows.size(); ++i)
        reportChanges(i, before.at(i));
}

void FleetModel::clear()
{
    beginResetModel();
    m_rows.clear();
    m_pendingFigures.clear();
    m_now = 0;
    endResetModel();
}

} // namespace arena::console
