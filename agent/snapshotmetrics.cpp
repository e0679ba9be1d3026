#include "agent/snapshotmetrics.h"

#include <QJsonArray>
#include <QMap>

namespace arena {

namespace {

using Labels = QList<std::pair<QString, QString>>;

struct Flattener
{
    QMap<QString, QStringList> samples; // metric name -> lines

    static QString sanitize(const QString &path)
    {
        QString name;
        name.reserve(path.size());
        for (const QChar c : path)
            name += (c.isLetterOrNumber() && c.unicode() < 128) ? c : QLatin1Char('_');
        return name;
    }

    static QString escape(QString value)
    {
        return value.replace(QLatin1Char('\\'), QLatin1String("\\\\"))
            .replace(QLatin1Char('"'), QLatin1String("\\\""))
            .replace(QLatin1Char('\n'), QLatin1String("\\n"));
    }

    void add(const QString &path, const Labels &labels, double value)
    {
        const QString name = QStringLiteral("arena_snapshot_") + sanitize(path);
        QStringList parts;
        for (const auto &[key, v] : labels)
            parts.append(key + QStringLiteral("=\"") + escape(v) + QLatin1Char('"'));
        samples[name].append(name + QLatin1Char('{') + parts.join(QLatin1Char(',')) + QStringLiteral("} ")
                             + QString::number(value, 'g', 15));
    }

    // `keyed`: the map at `path` has already become a label (its children are walked as plain objects).
    void walk(const QString &path, const QJsonValue &value, const Labels &labels, bool keyed = false)
    {
        static const QMap<QString, QString> mapLabels{{QStringLiteral("rooms_by_type"), QStringLiteral("room_type")},
                                                      {QStringLiteral("rooms_clients_by_type"), QStringLiteral("room_type")},
                                                      {QStringLiteral("matchmaking_wait"), QStringLiteral("room_type")},
                                                      {QStringLiteral("redis_keyspace"), QStringLiteral("db")}};
        if (value.isDouble()) {
            add(path, labels, value.toDouble());
        } else if (value.isBool()) {
            add(path, labels, value.toBool() ? 1 : 0);
        } else if (value.isObject()) {
            const QJsonObject object = value.toObject();
            const auto mapLabel = keyed ? mapLabels.cend() : mapLabels.constFind(path);
            for (auto it = object.begin(); it != object.end(); ++it) {
                if (mapLabel != mapLabels.cend()) {
                    Labels more = labels;
                    more.append({*mapLabel, it.key()});
                    walk(path, it.value(), more, true);
                } else {
                    walk(path.isEmpty() ? it.key() : path + QLatin1Char('_') + it.key(), it.value(), labels);
                }
            }
        } else if (value.isArray()) {
            for (const QJsonValue &item : value.toArray()) {
                const QJsonObject o = item.toObject();
                Labels more = labels;
                if (path == QLatin1String("workers_list")) {
                    more.append({QStringLiteral("worker"), o.value(QStringLiteral("id")).toString()});
                    walk(QStringLiteral("worker"), QJsonObject(o), more);
                } else if (path == QLatin1String("queues")) {
                    more.append({QStringLiteral("room_type"), o.value(QStringLiteral("room_type")).toString()});
                    more.append({QStringLiteral("team_size"), QString::number(o.value(QStringLiteral("team_size")).toInt())});
                    QJsonObject figures = o;
                    figures.remove(QStringLiteral("team_size"));
                    walk(QStringLiteral("queue"), figures, more);
                } // other lists (histogram buckets) are left out
            }
        }
    }
};

} // namespace

QByteArray snapshotMetrics(const QJsonObject &snapshot)
{
    const QString instance = snapshot.value(QStringLiteral("instance")).toString();
    Flattener f;
    const Labels base{{QStringLiteral("instance"), instance}};
    QJsonObject figures = snapshot;
    for (const QString &skip : {QStringLiteral("format"), QStringLiteral("seq"), QStringLiteral("time"), QStringLiteral("instance")})
        figures.remove(skip);
    f.walk(QString(), figures, base);
    const QJsonObject server = snapshot.value(QStringLiteral("server")).toObject();
    const QString state = server.value(QStringLiteral("state")).toString();
    f.add(QStringLiteral("server_up"), base, state == QLatin1String("up") || state == QLatin1String("draining") ? 1 : 0);

    QByteArray text;
    for (auto it = f.samples.cbegin(); it != f.samples.cend(); ++it) {
        text += "# HELP " + it.key().toUtf8() + " Agent snapshot figure (agent/SNAPSHOT.md)\n";
        text += "# TYPE " + it.key().toUtf8() + " gauge\n";
        for (const QString &line : it.value())
            text += line.toUtf8() + '\n';
    }
    return text;
}

} // namespace arena
