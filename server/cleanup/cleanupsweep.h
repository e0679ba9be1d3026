// CleanupSweep: the idempotent sweep every instance runs on a timer and on demand (seed 000). Each part
// of the server registers the kinds of data it cleans; a dry run lists what a real run would remove.
#pragma once

#include "shared/result.h"

#include <QJsonObject>
#include <QList>
#include <QObject>
#include <QStringList>

#include <functional>
#include <memory>

namespace arena {

struct CleanupReport
{
    struct Kind
    {
        QString name;
        QStringList items; // what was (or, in a dry run, would be) removed
        QString error;     // set when this kind failed; the others still ran
    };
    bool dryRun = false;
    QList<Kind> kinds;
    qint64 durationMs = 0;

    // toJson() lists at most this many items per kind (the counts are always whole).
    static constexpr qsizetype MaxItemsPerKind = 1000;

    int total() const;
    QJsonObject toJson() const;
};

class CleanupSweep final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(CleanupSweep)

public:
    using Done = std::function<void(Result<QStringList> removed)>;
    // A kind's cleaner: find what is stale, remove it unless dryRun, and report the items.
    using Cleaner = std::function<void(bool dryRun, Done done)>;

    explicit CleanupSweep(QObject *parent = nullptr);

    void addKind(const QString &name, Cleaner cleaner);
    QStringList kinds() const;

    // Runs every kind (one after the other, so a sweep never floods the store) and reports.
    void run(bool dryRun, std::function<void(const CleanupReport &)> finished);

Q_SIGNALS:
    void finished(const arena::CleanupReport &report);

private:
    struct Run;
    void step(const std::shared_ptr<Run> &run);

    struct Entry
    {
        QString name;
        Cleaner cleaner;
    };
    QList<Entry> m_kinds;
};

} // namespace arena
