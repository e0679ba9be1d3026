// arena-ctl's output: text tables and summaries for people, JSON documents for scripts. Pure functions
// of what the agent answered (and of the current time, passed in), so they can be tested alone.
#pragma once

#include "shared/protocol/adminmessages.h"

#include <QByteArray>
#include <QJsonObject>
#include <QString>

#include <optional>

namespace arena::ctl {

// 0.4s, 12s, 3m 4s, 2h 5m, 3d 2h (negative spans count as 0).
QString formatSpan(qint64 ms);
// formatSpan() + " ago".
QString formatAge(qint64 ms);
// 512 B, 1.5 KiB, 37.5 MiB, 1.2 GiB.
QString formatBytes(qint64 bytes);
QString formatKb(qint64 kb);
// At most `decimals` decimals, trailing zeros dropped: 1.50 → 1.5, 2.0 → 2.
QString formatNumber(double value, int decimals = 2);
// UTC, "2026-11-22 12:00:55".
QString formatTime(qint64 msSinceEpoch);

// `fleet`: ID HOST STATE SESSIONS ROOMS MATCHES WORKERS LAST-SEEN, ages relative to `nowMs`.
QString fleetTable(const protocol::Fleet &fleet, qint64 nowMs);
// `rooms`: the `rooms` query's result: ID TYPE CLIENTS/MAX LOCKED HOST METADATA.
QString roomsTable(const QJsonObject &result);
// `audit`: the `audit` query's result: TIME ACTOR ROLE KIND TARGET DRY-RUN OK RESULT/ERROR, in the agent's
// order (newest first).
QString auditTable(const QJsonObject &result);
// `stats`: the `snapshot` query's result ({instance, time, figures}) as a readable summary.
QString statsText(const QJsonObject &result, qint64 nowMs);
// An action's result: cleanup reports per kind (per instance for a fleet cleanup), other actions a line
// and their result's fields. `target` absent: the agent's own instance, or the fleet for cleanup.
QString actionText(protocol::ActionKind kind, const std::optional<QString> &target, bool dryRun,
                   const QJsonObject &result);

// --json documents (one line each, ending with '\n').
QByteArray fleetJson(const protocol::Fleet &fleet);
QByteArray resultJson(const protocol::RawJson &result);
// {"error":{"code","message"}}, plus "result" when the failed answer carried a non-empty one (a fleet
// cleanup where some instances failed).
QByteArray errorJson(const QString &code, const QString &message, const protocol::RawJson &result = {});

} // namespace arena::ctl
