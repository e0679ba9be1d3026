// MatchPlacement: which instance of the fleet hosts a match formed here — the least-loaded one, from
// the load figures each instance writes into its lease record with every renewal (docs/OPERATIONS.md,
// "Where matches run").
//
// The fleet's records are read once a second (the `instances` index, then each live record). An
// instance is a candidate when its record exists and it is not draining; this instance is one unless
// it is draining or its lease is lost, with its own figures taken live. The load is the number of rooms
// an instance hosts, plus the matches placed on it here since its record was last read (so a burst of
// matches spreads instead of piling onto the instance that looked emptiest); ties go to an instance
// that holds one of the match's players, then to this one, then to the lowest id.
#pragma once

#include "shared/store/statestore.h"

#include <QHash>
#include <QSet>
#include <QTimer>

#include <functional>

namespace arena {

class MatchPlacement final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MatchPlacement)

public:
    struct Load
    {
        int rooms = 0;
        int sessions = 0;
        bool takesMatches = true; // false while draining or without a lease
    };
    using OwnLoad = std::function<Load()>;

    // `store` must outlive this. Starts reading the fleet's records at once, then every `interval`.
    MatchPlacement(StateStore &store, QString instanceId, OwnLoad ownLoad,
                   std::chrono::milliseconds interval = std::chrono::seconds(1), QObject *parent = nullptr);

    // The instance to host a match whose players are on `playerInstances`; counts it as placed there.
    QString place(const QSet<QString> &playerInstances);
    // The same, among the other instances only (this one is shutting down); empty when none takes matches.
    QString placeElsewhere(const QSet<QString> &playerInstances);
    // Reads the fleet's records now (also done by the timer).
    void refresh();
    // Whether another instance takes matches (as last read).
    bool hasPeers() const;
    // The other instances as last read: id → load.
    const QHash<QString, Load> &peers() const { return m_peers; }

Q_SIGNALS:
    // The fleet's records were read anew.
    void refreshed();

private:
    QString choose(const QSet<QString> &playerInstances, bool includeSelf);

    StateStore &m_store;
    QString m_self;
    OwnLoad m_ownLoad;
    QTimer m_timer;
    QHash<QString, Load> m_peers;
    QHash<QString, int> m_placed; // matches placed per instance since its record was read
    bool m_refreshing = false;
};

} // namespace arena
