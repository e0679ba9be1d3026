#include "server/cleanup/cleanupsweep.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QPointer>

namespace arena {

int CleanupReport::total() const
{
    int n = 0;
    for (const Kind &k : kinds)
        n += int(k.items.size());
    return n;
}

QJsonObject CleanupReport::toJson() const
{
    QJsonObject counts;
    QJsonObject items;
    QJsonObject errors;
    QJsonObject truncated;
    for (const Kind &k : kinds) {
        counts.insert(k.name, int(k.items.size()));
        // A sweep after a big loss may remove a million items: the report names the first ones.
        items.insert(k.name, QJsonArray::fromStringList(k.items.mid(0, MaxItemsPerKind)));
        if (k.items.size() > MaxItemsPerKind)
            truncated.insert(k.name, int(k.items.size() - MaxItemsPerKind));
        if (!k.error.isEmpty())
            errors.insert(k.name, k.error);
    }
    QJsonObject out{{QStringLiteral("dryRun"), dryRun},
                    {QStringLiteral("counts"), counts},
                    {QStringLiteral("total"), total()},
                    {QStringLiteral("items"), items},
                    {QStringLiteral("durationMs"), durationMs}};
    if (!errors.isEmpty())
        out.insert(QStringLiteral("errors"), errors);
    if (!truncated.isEmpty())
        out.insert(QStringLiteral("truncated"), truncated); // items left out of `items`, per kind
    return out;
}

CleanupSweep::CleanupSweep(QObject *parent) : QObject(parent) {}

void CleanupSweep::addKind(const QString &name, Cleaner cleaner)
{
    m_kinds.append(Entry{name, std::move(cleaner)});
}

QStringList CleanupSweep::kinds() const
{
    QStringList names;
    for (const Entry &e : m_kinds)
        names.append(e.name);
    return names;
}

struct CleanupSweep::Run
{
    CleanupReport report;
    QElapsedTimer clock;
    qsizetype next = 0;
    std::function<void(const CleanupReport &)> finished;
};

void CleanupSweep::run(bool dryRun, std::function<void(const CleanupReport &)> finished)
{
    auto run = std::make_shared<Run>();
    run->report.dryRun = dryRun;
    run->clock.start();
    run->finished = std::move(finished);
    step(run);
}

void CleanupSweep::step(const std::shared_ptr<Run> &run)
{
    if (run->next >= m_kinds.size()) {
        run->report.durationMs = run->clock.elapsed();
        emit finished(run->report);
        if (run->finished)
            run->finished(run->report);
        return;
    }
    // One kind after the other: each callback starts the next, so a sweep never floods the store.
    const Entry &entry = m_kinds[run->next++];
    const QString name = entry.name;
    const bool dryRun = run->report.dryRun;
    QPointer<CleanupSweep> self(this);
    entry.cleaner(dryRun, [self, run, name](Result<QStringList> removed) {
        CleanupReport::Kind kind{name, {}, {}};
        if (removed.ok())
            kind.items = removed.value();
        else
            kind.error = removed.error().message;
        run->report.kinds.append(kind);
        if (self)
            self->step(run);
    });
}

} // namespace arena
