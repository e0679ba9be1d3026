#include "server/cluster/matchplacement.h"

#include "server/cluster/instanceregistry.h"

#include <QDateTime>

#include <algorithm>
#include <limits>
#include <memory>

namespace arena {

MatchPlacement::MatchPlacement(StateStore &store, QString instanceId, OwnLoad ownLoad,
                               std::chrono::milliseconds interval, QObject *parent)
    : QObject(parent), m_store(store), m_self(std::move(instanceId)), m_ownLoad(std::move(ownLoad))
{
    m_timer.setInterval(interval);
    connect(&m_timer, &QTimer::timeout, this, &MatchPlacement::refresh);
    m_timer.start();
    refresh();
}

void MatchPlacement::refresh()
{
    if (m_refreshing || !m_store.isAvailable())
        return;
    m_refreshing = true;
    // Ids whose last known lease end is still ahead; each one's record says whether it is alive.
    const double now = double(QDateTime::currentMSecsSinceEpoch());
    m_store.zrangeByScore(InstanceRegistry::indexKey(), now, std::numeric_limits<double>::infinity(), 0, -1, this,
                          [this](Result<QList<StateStore::ScoredMember>> ids) {
        if (!ids.ok()) {
            m_refreshing = false;
            return;
        }
        struct Pending
        {
            int waiting = 0;
            QHash<QString, Load> peers;
        };
        auto pending = std::make_shared<Pending>();
        const auto finish = [this, pending] {
            m_peers = pending->peers;
            m_placed.clear();
            m_refreshing = false;
            emit refreshed();
        };
        for (const StateStore::ScoredMember &m : ids.value()) {
            const QString id = QString::fromUtf8(m.member);
            if (id == m_self)
                continue;
            ++pending->waiting;
            m_store.hgetAll(InstanceRegistry::recordKey(id), this,
                            [pending, id, finish](Result<StateStore::Fields> record) {
                if (record.ok() && !record.value().isEmpty()) {
                    const StateStore::Fields &r = record.value();
                    pending->peers.insert(id, Load{r.value("rooms").toInt(), r.value("sessions").toInt(),
                                                   r.value("draining") != "1"});
                }
                if (--pending->waiting == 0)
                    finish();
            });
        }
        if (pending->waiting == 0)
            finish();
    });
}

QString MatchPlacement::place(const QSet<QString> &playerInstances)
{
    const QString best = choose(playerInstances, true);
    return best.isEmpty() ? m_self : best; // nobody takes matches: the match was formed here, it stays here
}

bool MatchPlacement::hasPeers() const
{
    return std::any_of(m_peers.cbegin(), m_peers.cend(), [](const Load &l) { return l.takesMatches; });
}

QString MatchPlacement::placeElsewhere(const QSet<QString> &playerInstances)
{
    return choose(playerInstances, false);
}

QString MatchPlacement::choose(const QSet<QString> &playerInstances, bool includeSelf)
{
    QString best;
    std::tuple<int, int, int, QString> bestKey; // load, not a player's instance, not this one, id
    const auto consider = [&](const QString &id, const Load &load) {
        if (!load.takesMatches)
            return;
        const std::tuple<int, int, int, QString> key{load.rooms + m_placed.value(id),
                                                     playerInstances.contains(id) ? 0 : 1, id == m_self ? 0 : 1, id};
        if (best.isEmpty() || key < bestKey) {
            best = id;
            bestKey = key;
        }
    };
    if (includeSelf)
        consider(m_self, m_ownLoad());
    for (auto it = m_peers.cbegin(); it != m_peers.cend(); ++it)
        consider(it.key(), it.value());
    if (!best.isEmpty() && best != m_self)
        ++m_placed[best]; // this instance's own rooms are counted live
    return best;
}

} // namespace arena
