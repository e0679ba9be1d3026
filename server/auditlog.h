// AuditLog: every operator action of the admin API — who, when, what, and the result — appended to a
// JSON-lines file when one is configured, logged, and kept (the most recent ones) for GET /audit.
#pragma once

#include "shared/result.h"

#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QString>

#include <deque>

namespace arena {

class AuditLog final
{
    Q_DISABLE_COPY_MOVE(AuditLog)

public:
    static constexpr int Kept = 1000;

    AuditLog() = default;
    // Opens `path` for appending (created if missing). Empty: no file.
    Result<void> open(const QString &path);

    // `action` e.g. "workers.restart"; `target` e.g. "w2"; `result` is what the action answered, or the
    // error. Returns the entry as written.
    QJsonObject record(const QString &who, const QString &action, const QString &target, const QJsonObject &parameters,
                       const Result<QJsonObject> &result);
    // Newest first, at most `limit`.
    QJsonArray recent(int limit) const;

private:
    QFile m_file;
    std::deque<QJsonObject> m_entries;
};

} // namespace arena
