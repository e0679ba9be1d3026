// SessionClaim: a session of another instance taken over by this one when its player resumes here
// (docs/OPERATIONS.md, "Sessions that outlive their instance").
//
// A resume token reads `<session id>.<secret>`; the session record `session:<sid>` keeps a SHA-256 of
// it (`token`), its owner (`instance`, `epoch`) and its rooms. A player whose instance died (or restarted,
// or whose leftovers the dead-instance sweep turned into an orphan) says hello with its token anywhere:
// the instance it reaches claims the record — atomically, so one instance wins — when the token matches
// and the owning registration is gone (no lease record with that epoch). The record then names the new
// owner and the new token's hash. A session whose owner still holds its lease is not taken: the player
// is told to retry (the lease runs out within its TTL if the owner is dead).
//
// session.claim  KEYS session record, own lease record, owner's lease record, own sessions index,
//                     owner's sessions index
//                ARGV token hash, owner id, owner epoch, own id, own epoch, new token hash, ttl ms, sid
//                -> {1}: claimed; {0, reason}: "stale" (own epoch not current), "gone" (no such session
//                   or another token), "moved" (the record changed since it was read), "alive" (its
//                   owner holds its lease)
// session.orphan KEYS session record   ARGV owner id, ttl ms
//                -> 1: the record named that owner; it now names none and lives `ttl` more; else 0
#pragma once

#include "shared/result.h"
#include "shared/store/statestore.h"

#include <QSet>

#include <functional>

namespace arena {

class SessionClaim final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(SessionClaim)

public:
    static constexpr char ClaimName[] = "session.claim";
    static constexpr char OrphanName[] = "session.orphan";
    static StateStore::Operation claimOperation();
    static StateStore::Operation orphanOperation();

    // What the record said of the session.
    struct Claimed
    {
        QString playerId;
        qint64 createdAt = 0;
        QStringList rooms;
        QString previousOwner; // empty for an orphan
    };

    // `<sid>.<secret>` → sid (empty when the token has no session id).
    static QString sessionOf(const QString &resumeToken);
    static QByteArray tokenHash(const QString &resumeToken);

    // Registers the operations on `store`, which must outlive this.
    SessionClaim(StateStore &store, QString instanceId, QObject *parent = nullptr);

    // Claims the session of `resumeToken` for this instance (registration `epoch`), with `newToken` as
    // its next resume token. Errors: "session_expired" (no such session, wrong token), "unavailable"
    // (its owner is alive; retry), or the store's.
    void claim(const QString &resumeToken, const QString &newToken, qint64 epoch, qint64 ttlMs,
               std::function<void(Result<Claimed>)> done);

private:
    void attempt(const QString &sid, const QString &resumeToken, const QString &newToken, qint64 epoch, qint64 ttlMs,
                 int triesLeft, std::function<void(Result<Claimed>)> done);

    StateStore &m_store;
    QString m_instanceId;
};

} // namespace arena
