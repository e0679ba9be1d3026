#include "tools/ctl/ctlformat.h"

#include "tools/ctl/texttable.h"

#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <functional>

namespace arena::ctl {

namespace {

using Align = TextTable::Align;
constexpr qsizetype MaxCellChars = 60;

QString elide(const QString &text, qsizetype max = MaxCellChars)
{
    return text.size() <= max ? text : text.left(max - 3) + QStringLiteral("...");
}

QString compact(const QJsonValue &value)
{
    if (value.isString())
        return value.toString();
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    if (value.isBool())
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    if (value.isDouble())
        return formatNumber(value.toDouble(), 3);
    return QStringLiteral("null");
}

QString yesNo(bool value)
{
    return value ? QStringLiteral("yes") : QStringLiteral("no");
}

QString plural(qint64 n, const char *singular, const char *pluralForm = nullptr)
{
    return QStringLiteral("%1 %2").arg(n).arg(n == 1 ? QLatin1String(singular)
                                                    : pluralForm ? QLatin1String(pluralForm)
                                                                 : QLatin1String(singular) + QLatin1Char('s'));
}

// Joins the parts that are known.
QString joined(const QStringList &parts, const QString &separator = QStringLiteral("  "))
{
    QStringList kept;
    for (const QString &p : parts) {
        if (!p.isEmpty())
            kept.append(p);
    }
    return kept.join(separator);
}

// "<label> <value>" when the figure is there, else "".
QString figure(const QJsonObject &o, const char *key, const QString &label, const std::function<QString(const QJsonValue &)> &format = {})
{
    const QJsonValue v = o.value(QLatin1String(key));
    if (v.isUndefined() || v.isNull())
        return QString();
    const QString text = format ? format(v) : compact(v);
    return label.isEmpty() ? text : label + QLatin1Char(' ') + text;
}

QString labelled(const QString &label, const QString &text)
{
    return QStringLiteral("%1%2\n").arg(label.leftJustified(10, QLatin1Char(' ')), text);
}

QString processLine(const QJsonObject &p)
{
    if (p.isEmpty())
        return QString();
    if (p.contains(QStringLiteral("exists")) && !p.value(QStringLiteral("exists")).toBool())
        return joined({QStringLiteral("gone"), figure(p, "pid", QStringLiteral("pid")), figure(p, "error", QString())});
    return joined({figure(p, "cpu_percent", QStringLiteral("cpu"), [](const QJsonValue &v) { return formatNumber(v.toDouble(), 1) + QLatin1Char('%'); }),
                   figure(p, "rss_kb", QStringLiteral("rss"), [](const QJsonValue &v) { return formatKb(v.toInteger()); }),
                   figure(p, "fds", QStringLiteral("fds")), figure(p, "threads", QStringLiteral("threads")),
                   figure(p, "pid", QStringLiteral("pid"))});
}

QString cleanupReportText(const QJsonObject &report, bool dryRun, const QString &indent)
{
    const QJsonObject counts = report.value(QStringLiteral("counts")).toObject();
    const QJsonObject items = report.value(QStringLiteral("items")).toObject();
    const QJsonObject errors = report.value(QStringLiteral("errors")).toObject();
    const qint64 total = report.value(QStringLiteral("total")).toInteger();
    QString text = indent
        + (dryRun ? QStringLiteral("would remove %1").arg(plural(total, "item"))
                  : QStringLiteral("removed %1").arg(plural(total, "item")));
    if (report.contains(QStringLiteral("durationMs")))
        text += QStringLiteral(" (%1 ms)").arg(report.value(QStringLiteral("durationMs")).toInteger());
    text += QLatin1Char('\n');
    QList<TextTable::Column> columns{{QStringLiteral("KIND"), Align::Left}, {QStringLiteral("COUNT"), Align::Right}};
    if (dryRun)
        columns.append({QStringLiteral("ITEMS"), Align::Left});
    if (!errors.isEmpty())
        columns.append({QStringLiteral("ERROR"), Align::Left});
    TextTable table(columns);
    QStringList kinds = counts.keys();
    for (const QString &k : errors.keys()) {
        if (!kinds.contains(k))
            kinds.append(k);
    }
    for (const QString &kind : kinds) {
        QStringList row{kind, QString::number(counts.value(kind).toInteger())};
        if (dryRun) {
            QStringList list;
            for (const QJsonValue &v : items.value(kind).toArray())
                list.append(compact(v));
            row.append(list.join(QStringLiteral(", ")));
        }
        if (!errors.isEmpty())
            row.append(errors.value(kind).toString());
        table.addRow(row);
    }
    if (!kinds.isEmpty()) {
        const QStringList lines = table.render().split(QLatin1Char('\n'), Qt::SkipEmptyParts);
        for (const QString &line : lines)
            text += indent + QStringLiteral("  ") + line + QLatin1Char('\n');
    }
    return text;
}

QString errorText(const QJsonValue &error)
{
    if (error.isObject()) {
        const QJsonObject e = error.toObject();
        return QStringLiteral("%1: %2").arg(e.value(QStringLiteral("code")).toString(), e.value(QStringLiteral("message")).toString());
    }
    return compact(error);
}

QString fieldsText(const QJsonObject &result, const QString &indent)
{
    QString text;
    for (auto it = result.begin(); it != result.end(); ++it)
        text += indent + it.key() + QStringLiteral(": ") + compact(it.value()) + QLatin1Char('\n');
    return text;
}

QString scaleText(const QJsonObject &r)
{
    if (!r.contains(QStringLiteral("workers_before")) || !r.contains(QStringLiteral("workers")))
        return QString();
    QString text = QStringLiteral("workers: %1 -> %2")
                       .arg(compact(r.value(QStringLiteral("workers_before"))), compact(r.value(QStringLiteral("workers"))));
    QStringList extra;
    for (const char *key : {"started", "stopped"}) {
        const QJsonArray list = r.value(QLatin1String(key)).toArray();
        if (!list.isEmpty()) {
            QStringList ids;
            for (const QJsonValue &v : list)
                ids.append(compact(v));
            extra.append(QLatin1String(key) + QLatin1Char(' ') + ids.join(QStringLiteral(", ")));
        }
    }
    if (r.contains(QStringLiteral("matches_moved")))
        extra.append(QStringLiteral("%1 matches moved, %2 failed")
                         .arg(compact(r.value(QStringLiteral("matches_moved"))),
                              compact(r.value(QStringLiteral("matches_failed")))));
    if (!extra.isEmpty())
        text += QStringLiteral(" (") + extra.join(QStringLiteral("; ")) + QLatin1Char(')');
    return text + QLatin1Char('\n');
}

} // namespace

QString formatSpan(qint64 ms)
{
    ms = std::max<qint64>(ms, 0);
    if (ms < 10000)
        return QString::number(double(ms) / 1000.0, 'f', 1) + QLatin1Char('s');
    const qint64 s = ms / 1000;
    if (s < 60)
        return QStringLiteral("%1s").arg(s);
    if (s < 3600)
        return QStringLiteral("%1m %2s").arg(s / 60).arg(s % 60);
    if (s < 86400)
        return QStringLiteral("%1h %2m").arg(s / 3600).arg(s % 3600 / 60);
    return QStringLiteral("%1d %2h").arg(s / 86400).arg(s % 86400 / 3600);
}

QString formatAge(qint64 ms)
{
    return formatSpan(ms) + QStringLiteral(" ago");
}

QString formatBytes(qint64 bytes)
{
    if (bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    static const char *const units[] = {"KiB", "MiB", "GiB", "TiB", "PiB"};
    double value = double(bytes);
    int unit = -1;
    while (value >= 1024.0 && unit < 4) {
        value /= 1024.0;
        ++unit;
    }
    return QStringLiteral("%1 %2").arg(QString::number(value, 'f', 1), QLatin1String(units[unit]));
}

QString formatKb(qint64 kb)
{
    return formatBytes(kb * 1024);
}

QString formatNumber(double value, int decimals)
{
    if (!std::isfinite(value))
        return QString::number(value);
    QString text = QString::number(value, 'f', decimals);
    if (text.contains(QLatin1Char('.'))) {
        while (text.endsWith(QLatin1Char('0')))
            text.chop(1);
        if (text.endsWith(QLatin1Char('.')))
            text.chop(1);
    }
    if (text == QLatin1String("-0"))
        text = QStringLiteral("0");
    return text;
}

QString formatTime(qint64 msSinceEpoch)
{
    return QDateTime::fromMSecsSinceEpoch(msSinceEpoch, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss"));
}

QString fleetTable(const protocol::Fleet &fleet, qint64 nowMs)
{
    if (fleet.instances.isEmpty())
        return QStringLiteral("no instances\n");
    TextTable table({{QStringLiteral("ID"), Align::Left},
                     {QStringLiteral("HOST"), Align::Left},
                     {QStringLiteral("STATE"), Align::Left},
                     {QStringLiteral("SESSIONS"), Align::Right},
                     {QStringLiteral("ROOMS"), Align::Right},
                     {QStringLiteral("MATCHES"), Align::Right},
                     {QStringLiteral("WORKERS"), Align::Right},
                     {QStringLiteral("LAST-SEEN"), Align::Left}});
    for (const protocol::InstanceSummary &i : fleet.instances) {
        table.addRow({i.id, i.host, protocol::instanceStateName(i.state), QString::number(i.sessions),
                      QString::number(i.rooms), QString::number(i.matches), QString::number(i.workers),
                      formatAge(nowMs - qint64(i.lastSeen))});
    }
    return table.render();
}

QString roomsTable(const QJsonObject &result)
{
    const QJsonArray rooms = result.value(QStringLiteral("rooms")).toArray();
    if (rooms.isEmpty())
        return QStringLiteral("no rooms\n");
    TextTable table({{QStringLiteral("ID"), Align::Left},
                     {QStringLiteral("TYPE"), Align::Left},
                     {QStringLiteral("CLIENTS/MAX"), Align::Right},
                     {QStringLiteral("LOCKED"), Align::Left},
                     {QStringLiteral("HOST"), Align::Left},
                     {QStringLiteral("METADATA"), Align::Left}});
    for (const QJsonValue &v : rooms) {
        const QJsonObject r = v.toObject();
        const QString host = r.value(QStringLiteral("host")).toString();
        const QString where = host == QLatin1String("server") ? QStringLiteral("in-process")
            : host == QLatin1String("moving")                 ? QStringLiteral("moving")
            : host.isEmpty()                                  ? QStringLiteral("-")
                                                              : QStringLiteral("worker ") + host;
        const QJsonObject metadata = r.value(QStringLiteral("metadata")).toObject();
        table.addRow({r.value(QStringLiteral("id")).toString(), r.value(QStringLiteral("type")).toString(),
                      QStringLiteral("%1/%2")
                          .arg(r.value(QStringLiteral("clients")).toInteger())
                          .arg(r.value(QStringLiteral("maxClients")).toInteger()),
                      yesNo(r.value(QStringLiteral("locked")).toBool()), where,
                      metadata.isEmpty() ? QStringLiteral("-") : elide(compact(metadata))});
    }
    return table.render();
}

QString auditTable(const QJsonObject &result)
{
    const QJsonArray entries = result.value(QStringLiteral("entries")).toArray();
    if (entries.isEmpty())
        return QStringLiteral("no audit entries\n");
    TextTable table({{QStringLiteral("TIME"), Align::Left},
                     {QStringLiteral("ACTOR"), Align::Left},
                     {QStringLiteral("ROLE"), Align::Left},
                     {QStringLiteral("KIND"), Align::Left},
                     {QStringLiteral("TARGET"), Align::Left},
                     {QStringLiteral("DRY-RUN"), Align::Left},
                     {QStringLiteral("OK"), Align::Left},
                     {QStringLiteral("RESULT/ERROR"), Align::Left}});
    for (const QJsonValue &v : entries) {
        const QJsonObject e = v.toObject();
        const bool ok = e.value(QStringLiteral("ok")).toBool();
        const QString target = e.value(QStringLiteral("target")).toString();
        table.addRow({formatTime(e.value(QStringLiteral("time")).toInteger()), e.value(QStringLiteral("actor")).toString(),
                      e.value(QStringLiteral("role")).toString(), e.value(QStringLiteral("kind")).toString(),
                      target.isEmpty() ? QStringLiteral("-") : target, yesNo(e.value(QStringLiteral("dry_run")).toBool()),
                      yesNo(ok),
                      elide(ok ? compact(e.value(QStringLiteral("result"))) : errorText(e.value(QStringLiteral("error"))))});
    }
    return table.render();
}

QString statsText(const QJsonObject &result, qint64 nowMs)
{
    const QJsonObject f = result.value(QStringLiteral("figures")).toObject();
    const auto part = [&f](const char *key) { return f.value(QLatin1String(key)).toObject(); };
    QString text;

    QString instance = result.value(QStringLiteral("instance")).toString();
    if (instance.isEmpty())
        instance = f.value(QStringLiteral("instance")).toString();
    const qint64 time = result.contains(QStringLiteral("time")) ? result.value(QStringLiteral("time")).toInteger()
                                                                : f.value(QStringLiteral("time")).toInteger();
    text += labelled(QStringLiteral("instance"),
                     time > 0 ? QStringLiteral("%1 (snapshot %2)").arg(instance, formatAge(nowMs - time)) : instance);

    const QJsonObject server = part("server");
    const QString state = server.value(QStringLiteral("state")).toString();
    text += labelled(QStringLiteral("server"),
                     joined({state.isEmpty() ? QStringLiteral("unknown") : state,
                             figure(server, "status", QStringLiteral("status")),
                             figure(server, "version", QStringLiteral("version")),
                             figure(server, "uptime_s", QStringLiteral("uptime"),
                                    [](const QJsonValue &v) { return formatSpan(qint64(v.toDouble() * 1000.0)); }),
                             figure(server, "pid", QStringLiteral("pid")),
                             figure(server, "player_port", QStringLiteral("player port"))}));
    if (server.contains(QStringLiteral("reason")))
        text += labelled(QString(), server.value(QStringLiteral("reason")).toString());
    else if (server.contains(QStringLiteral("error")))
        text += labelled(QString(), QStringLiteral("last poll failed: ") + server.value(QStringLiteral("error")).toString());
    if (const QString p = processLine(server.value(QStringLiteral("process")).toObject()); !p.isEmpty())
        text += labelled(QStringLiteral("process"), p);

    if (f.contains(QStringLiteral("sessions"))) {
        const QJsonObject s = part("sessions");
        text += labelled(QStringLiteral("sessions"),
                         QStringLiteral("%1 (%2)").arg(s.value(QStringLiteral("total")).toInteger())
                             .arg(joined({figure(s, "connected", QString(), [](const QJsonValue &v) { return compact(v) + QStringLiteral(" connected"); }),
                                          figure(s, "awaiting_resume", QString(), [](const QJsonValue &v) { return compact(v) + QStringLiteral(" awaiting resume"); }),
                                          figure(s, "awaiting_hello", QString(), [](const QJsonValue &v) { return compact(v) + QStringLiteral(" awaiting hello"); })},
                                         QStringLiteral(", "))));
    }
    if (f.contains(QStringLiteral("rooms"))) {
        const QJsonObject r = part("rooms");
        const QJsonObject byType = r.value(QStringLiteral("by_type")).toObject();
        const QJsonObject clients = r.value(QStringLiteral("clients_by_type")).toObject();
        QStringList types;
        for (auto it = byType.begin(); it != byType.end(); ++it) {
            QString t = QStringLiteral("%1 %2").arg(it.key()).arg(it.value().toInteger());
            if (clients.contains(it.key()))
                t += QStringLiteral(" (%1)").arg(plural(clients.value(it.key()).toInteger(), "client"));
            types.append(t);
        }
        QString line = QString::number(r.value(QStringLiteral("total")).toInteger());
        if (!types.isEmpty())
            line += QStringLiteral(": ") + types.join(QStringLiteral(", "));
        text += labelled(QStringLiteral("rooms"), line);
    }
    if (f.contains(QStringLiteral("matches"))) {
        const QJsonObject m = part("matches");
        text += labelled(QStringLiteral("matches"),
                         joined({figure(m, "active", QString(), [](const QJsonValue &v) { return compact(v) + QStringLiteral(" active"); }),
                                 figure(m, "formed_total", QString(), [](const QJsonValue &v) { return compact(v) + QStringLiteral(" formed since start"); })},
                                QStringLiteral(", ")));
    }
    if (f.contains(QStringLiteral("queues"))) {
        QStringList queues;
        for (const QJsonValue &v : f.value(QStringLiteral("queues")).toArray()) {
            const QJsonObject q = v.toObject();
            queues.append(QStringLiteral("%1 (team %2): %3")
                              .arg(q.value(QStringLiteral("room_type")).toString())
                              .arg(q.value(QStringLiteral("team_size")).toInteger())
                              .arg(plural(q.value(QStringLiteral("tickets")).toInteger(), "ticket")));
        }
        const QJsonObject wait = part("matchmaking").value(QStringLiteral("wait")).toObject();
        for (auto it = wait.begin(); it != wait.end(); ++it) {
            const QJsonObject w = it.value().toObject();
            if (w.contains(QStringLiteral("p50_s")))
                queues.append(QStringLiteral("%1 wait p50 %2 s p99 %3 s")
                                  .arg(it.key(), formatNumber(w.value(QStringLiteral("p50_s")).toDouble(), 3),
                                       formatNumber(w.value(QStringLiteral("p99_s")).toDouble(), 3)));
        }
        text += labelled(QStringLiteral("queues"), queues.isEmpty() ? QStringLiteral("none") : queues.join(QStringLiteral("; ")));
    }
    if (f.contains(QStringLiteral("workers"))) {
        const QJsonObject w = part("workers");
        if (w.contains(QStringLiteral("error"))) {
            text += labelled(QStringLiteral("workers"), QStringLiteral("unknown: ") + w.value(QStringLiteral("error")).toString());
        } else {
            const QJsonObject t = w.value(QStringLiteral("totals")).toObject();
            text += labelled(QStringLiteral("workers"),
                             joined({figure(t, "total_workers", QString()),
                                     figure(t, "active_workers", QString(), [](const QJsonValue &v) { return QStringLiteral("(%1 active,").arg(compact(v)); }),
                                     figure(t, "idle_workers", QString(), [](const QJsonValue &v) { return QStringLiteral("%1 idle)").arg(compact(v)); }),
                                     figure(t, "total_matches", QStringLiteral("matches")),
                                     figure(t, "min_workers", QStringLiteral("min")),
                                     figure(t, "max_workers", QStringLiteral("max")),
                                     figure(t, "scale_target", QStringLiteral("target")),
                                     figure(t, "deaths", QStringLiteral("deaths"))},
                                    QStringLiteral(" ")));
            const QJsonArray list = w.value(QStringLiteral("list")).toArray();
            if (!list.isEmpty()) {
                TextTable table({{QStringLiteral("ID"), Align::Left},
                                 {QStringLiteral("PID"), Align::Right},
                                 {QStringLiteral("STATE"), Align::Left},
                                 {QStringLiteral("MATCHES"), Align::Right},
                                 {QStringLiteral("CPU%"), Align::Right},
                                 {QStringLiteral("RSS"), Align::Right}});
                for (const QJsonValue &v : list) {
                    const QJsonObject o = v.toObject();
                    table.addRow({compact(o.value(QStringLiteral("id"))), figure(o, "pid", QString()),
                                  figure(o, "state", QString()), figure(o, "matches", QString()),
                                  figure(o, "cpu_percent", QString(), [](const QJsonValue &x) { return formatNumber(x.toDouble(), 1); }),
                                  figure(o, "rss_kb", QString(), [](const QJsonValue &x) { return formatKb(x.toInteger()); })});
                }
                for (const QString &line : table.render().split(QLatin1Char('\n'), Qt::SkipEmptyParts))
                    text += QStringLiteral("  ") + line + QLatin1Char('\n');
            }
        }
    }
    if (f.contains(QStringLiteral("store"))) {
        const QJsonObject s = part("store");
        text += labelled(QStringLiteral("store"),
                         joined({figure(s, "backend", QString()),
                                 s.contains(QStringLiteral("available"))
                                     ? (s.value(QStringLiteral("available")).toBool() ? QStringLiteral("available") : QStringLiteral("NOT available"))
                                     : QString(),
                                 figure(s, "round_trip_ms", QStringLiteral("round trip"), [](const QJsonValue &v) { return formatNumber(v.toDouble(), 3) + QStringLiteral(" ms"); }),
                                 figure(s, "last_error", QStringLiteral("last error"))}));
    }
    if (f.contains(QStringLiteral("redis"))) {
        const QJsonObject r = part("redis");
        const auto ms = [](const QJsonValue &v) { return formatNumber(v.toDouble(), 3) + QStringLiteral(" ms"); };
        if (r.value(QStringLiteral("reachable")).toBool()) {
            text += labelled(QStringLiteral("redis"),
                             joined({QStringLiteral("reachable"), figure(r, "ping_p50_ms", QStringLiteral("ping p50"), ms),
                                     figure(r, "ping_p99_ms", QStringLiteral("p99"), ms),
                                     figure(r, "used_memory", QStringLiteral("memory"), [](const QJsonValue &v) { return formatBytes(v.toInteger()); }),
                                     figure(r, "ops_per_sec", QStringLiteral("ops/s")),
                                     figure(r, "connected_clients", QStringLiteral("clients")),
                                     figure(r, "keys", QStringLiteral("keys")),
                                     figure(r, "version", QStringLiteral("version"))}));
        } else {
            text += labelled(QStringLiteral("redis"), joined({QStringLiteral("UNREACHABLE"), figure(r, "error", QString()),
                                                              figure(r, "unreachable_since", QStringLiteral("since"))}));
        }
    }
    if (f.contains(QStringLiteral("host"))) {
        const QJsonObject h = part("host");
        QString load;
        if (h.contains(QStringLiteral("load1")))
            load = QStringLiteral("load %1 %2 %3")
                       .arg(formatNumber(h.value(QStringLiteral("load1")).toDouble()),
                            formatNumber(h.value(QStringLiteral("load5")).toDouble()),
                            formatNumber(h.value(QStringLiteral("load15")).toDouble()));
        QString memory;
        if (h.contains(QStringLiteral("mem_total_kb")))
            memory = QStringLiteral("memory %1% used of %2")
                         .arg(formatNumber(h.value(QStringLiteral("mem_used_percent")).toDouble(), 1),
                              formatKb(h.value(QStringLiteral("mem_total_kb")).toInteger()));
        text += labelled(QStringLiteral("host"), joined({load, memory, figure(h, "cpus", QStringLiteral("cpus")),
                                                         figure(h, "error", QStringLiteral("error"))}));
    }
    return text;
}

QString actionText(protocol::ActionKind kind, const std::optional<QString> &target, bool dryRun, const QJsonObject &result)
{
    using protocol::ActionKind;
    const QString where = target ? *target : kind == ActionKind::Cleanup ? QStringLiteral("the fleet") : QStringLiteral("the agent's instance");
    QString text = QStringLiteral("%1 on %2%3\n").arg(protocol::actionKindName(kind), where,
                                                      dryRun ? QStringLiteral(" (dry run)") : QString());
    if (kind == ActionKind::Cleanup) {
        if (result.contains(QStringLiteral("instances"))) {
            const QJsonObject instances = result.value(QStringLiteral("instances")).toObject();
            for (auto it = instances.begin(); it != instances.end(); ++it) {
                const QJsonObject r = it.value().toObject();
                text += QStringLiteral("%1:\n").arg(it.key());
                if (r.contains(QStringLiteral("counts")))
                    text += cleanupReportText(r, dryRun, QStringLiteral("  "));
                else if (r.contains(QStringLiteral("error")))
                    text += QStringLiteral("  failed: ") + errorText(r.value(QStringLiteral("error"))) + QLatin1Char('\n');
                else
                    text += fieldsText(r, QStringLiteral("  "));
            }
            if (instances.isEmpty())
                text += QStringLiteral("no instance is up\n");
            const qint64 failedCount = result.value(QStringLiteral("failed")).toInteger();
            if (failedCount > 0)
                text += QStringLiteral("%1 failed\n").arg(plural(failedCount, "instance"));
            return text;
        }
        if (result.contains(QStringLiteral("counts")))
            return text + cleanupReportText(result, dryRun, QString());
    }
    if (kind == ActionKind::ScaleWorkers && !dryRun) {
        if (const QString s = scaleText(result); !s.isEmpty())
            return text + s;
    }
    return text + fieldsText(result, QStringLiteral("  "));
}

QByteArray fleetJson(const protocol::Fleet &fleet)
{
    QJsonArray instances;
    for (const protocol::InstanceSummary &i : fleet.instances) {
        instances.append(QJsonObject{{QStringLiteral("id"), i.id},
                                     {QStringLiteral("host"), i.host},
                                     {QStringLiteral("state"), QString(protocol::instanceStateName(i.state))},
                                     {QStringLiteral("sessions"), qint64(i.sessions)},
                                     {QStringLiteral("rooms"), qint64(i.rooms)},
                                     {QStringLiteral("matches"), qint64(i.matches)},
                                     {QStringLiteral("workers"), qint64(i.workers)},
                                     {QStringLiteral("last_seen"), qint64(i.lastSeen)}});
    }
    const QJsonObject doc{{QStringLiteral("time"), qint64(fleet.time)}, {QStringLiteral("instances"), instances}};
    return QJsonDocument(doc).toJson(QJsonDocument::Compact) + '\n';
}

QByteArray resultJson(const protocol::RawJson &result)
{
    // As the agent sent it, numbers and escapes untouched.
    return (result.isNull() ? QByteArrayLiteral("{}") : result.json()) + '\n';
}

QByteArray errorJson(const QString &code, const QString &message, const protocol::RawJson &result)
{
    QJsonObject doc{{QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), code}, {QStringLiteral("message"), message}}}};
    if (result.isObject() && !result.toJsonObject().isEmpty())
        doc.insert(QStringLiteral("result"), result.toJsonObject());
    return QJsonDocument(doc).toJson(QJsonDocument::Compact) + '\n';
}

} // namespace arena::ctl
