#include "agent/actionexecutor.h"

#include "agent/serverpoller.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QPointer>
#include <QUrlQuery>

namespace arena {

namespace {

using protocol::ActionKind;

Error badRequest(const QString &message)
{
    return Error{QStringLiteral("bad_request"), message};
}

// A worker or room id as a path segment: the admin API's <arg> takes one segment, so anything that
// could leave it is refused rather than escaped into another route.
bool validSegment(const QString &id)
{
    if (id.isEmpty() || id.size() > 128)
        return false;
    for (const QChar c : id) {
        if (!(c.isLetterOrNumber() || c == u'-' || c == u'_' || c == u'.'))
            return false;
    }
    return true;
}

std::optional<qint64> integerParam(const QJsonObject &params, const QString &key)
{
    const QJsonValue v = params.value(key);
    if (!v.isDouble())
        return std::nullopt;
    const double d = v.toDouble();
    if (d != double(qint64(d)))
        return std::nullopt;
    return qint64(d);
}

} // namespace

ActionExecutor::ActionExecutor(ServerPoller &poller, QByteArray token, std::chrono::milliseconds requestTimeout,
                               QObject *parent)
    : QObject(parent), m_poller(poller), m_token(std::move(token)), m_timeout(requestTimeout),
      m_network(new QNetworkAccessManager(this))
{
}

ActionExecutor::~ActionExecutor() = default;

void ActionExecutor::execute(ActionKind kind, const QJsonObject &params, bool dryRun, Callback done)
{
    switch (kind) {
    case ActionKind::Cleanup:
        call(Verb::Post, dryRun ? QStringLiteral("/health/cleanup?dry_run=1") : QStringLiteral("/health/cleanup"), {},
             std::move(done));
        return;
    case ActionKind::ScaleWorkers: {
        const auto workers = integerParam(params, QStringLiteral("workers"));
        if (!workers || *workers < 0) {
            done(badRequest(QStringLiteral("params.workers: say how many workers, e.g. {\"workers\": 4}")));
            return;
        }
        if (dryRun) {
            // What the pool reported at the last poll; the server checks the bounds when asked for real.
            const QJsonObject pool = m_poller.workers().value_or(QJsonObject());
            if (pool.isEmpty()) {
                done(Error{QStringLiteral("unavailable"), QStringLiteral("the server reports no worker pool")});
                return;
            }
            const QJsonObject totals = pool.value(QStringLiteral("pool")).toObject();
            QJsonObject result{{QStringLiteral("would"), QStringLiteral("scale")},
                               {QStringLiteral("requested"), *workers},
                               {QStringLiteral("workers"), totals.value(QStringLiteral("total_workers"))}};
            for (const QString &key : {QStringLiteral("min_workers"), QStringLiteral("max_workers")}) {
                if (totals.contains(key))
                    result.insert(key, totals.value(key));
            }
            done(result);
            return;
        }
        call(Verb::Post, QStringLiteral("/workers/scale"), {{QStringLiteral("workers"), *workers}}, std::move(done));
        return;
    }
    case ActionKind::RestartWorker:
    case ActionKind::DrainWorker: {
        const QString worker = params.value(QStringLiteral("worker")).toString();
        if (!validSegment(worker)) {
            done(badRequest(QStringLiteral("params.worker: the worker's id, e.g. {\"worker\": \"w1\"}")));
            return;
        }
        const bool restart = kind == ActionKind::RestartWorker;
        if (dryRun) {
            dryRunWorker(worker, restart ? QStringLiteral("restart") : QStringLiteral("drain"), std::move(done));
            return;
        }
        QJsonObject body;
        if (!restart && params.contains(QStringLiteral("deadline_ms"))) {
            const auto deadline = integerParam(params, QStringLiteral("deadline_ms"));
            if (!deadline || *deadline < 0) {
                done(badRequest(QStringLiteral("params.deadline_ms: a number of milliseconds, 0 or more")));
                return;
            }
            body.insert(QStringLiteral("deadline_ms"), *deadline);
        }
        call(Verb::Post, QStringLiteral("/workers/%1/%2").arg(worker, restart ? QStringLiteral("restart") : QStringLiteral("drain")),
             body, std::move(done));
        return;
    }
    case ActionKind::DrainInstance: {
        const bool cancel = params.value(QStringLiteral("cancel")).toBool(false);
        QJsonObject body;
        if (params.contains(QStringLiteral("deadline_ms"))) {
            const auto deadline = integerParam(params, QStringLiteral("deadline_ms"));
            if (!deadline || *deadline < 0) {
                done(badRequest(QStringLiteral("params.deadline_ms: a number of milliseconds, 0 or more")));
                return;
            }
            body.insert(QStringLiteral("deadline_ms"), *deadline);
        }
        if (dryRun) {
            // /health says whether the instance drains and what is left on it.
            call(Verb::Get, QStringLiteral("/health"), {}, [cancel, done = std::move(done)](Result<QJsonObject> health) {
                if (!health) {
                    done(health.error());
                    return;
                }
                const QJsonObject h = health.value();
                // While draining /health counts what is left; otherwise its session and room figures.
                QJsonObject remaining = h.value(QStringLiteral("drain")).toObject().value(QStringLiteral("remaining")).toObject();
                if (remaining.isEmpty())
                    remaining = QJsonObject{{QStringLiteral("sessions"), h.value(QStringLiteral("sessions"))},
                                            {QStringLiteral("rooms"), h.value(QStringLiteral("rooms"))}};
                done(QJsonObject{{QStringLiteral("would"), cancel ? QStringLiteral("cancel_drain") : QStringLiteral("drain")},
                                 {QStringLiteral("draining"), h.value(QStringLiteral("draining")).toBool(false)},
                                 {QStringLiteral("remaining"), remaining}});
            });
            return;
        }
        call(Verb::Post, cancel ? QStringLiteral("/drain?cancel=1") : QStringLiteral("/drain"), body, std::move(done));
        return;
    }
    case ActionKind::DisposeRoom: {
        const QString room = params.value(QStringLiteral("room_id")).toString();
        if (!validSegment(room)) {
            done(badRequest(QStringLiteral("params.room_id: the room's id, e.g. {\"room_id\": \"r-1\"}")));
            return;
        }
        if (dryRun) {
            call(Verb::Get, QStringLiteral("/rooms"), {}, [room, done = std::move(done)](Result<QJsonObject> listing) {
                if (!listing) {
                    done(listing.error());
                    return;
                }
                for (const QJsonValue &r : listing.value().value(QStringLiteral("rooms")).toArray()) {
                    if (r.toObject().value(QStringLiteral("id")).toString() == room) {
                        done(QJsonObject{{QStringLiteral("would"), QStringLiteral("dispose")}, {QStringLiteral("room"), r}});
                        return;
                    }
                }
                done(Error{QStringLiteral("not_found"), QStringLiteral("no room %1").arg(room)});
            });
            return;
        }
        call(Verb::Delete, QStringLiteral("/rooms/") + room, {}, std::move(done));
        return;
    }
    }
    done(badRequest(QStringLiteral("unknown action")));
}

void ActionExecutor::rooms(const QJsonObject &params, Callback done)
{
    QString path = QStringLiteral("/rooms");
    if (const QString type = params.value(QStringLiteral("type")).toString(); !type.isEmpty()) {
        QUrlQuery query;
        query.addQueryItem(QStringLiteral("type"), type);
        path += QLatin1Char('?') + query.toString(QUrl::FullyEncoded);
    }
    call(Verb::Get, path, {}, std::move(done));
}

void ActionExecutor::dryRunWorker(const QString &worker, const QString &would, Callback done)
{
    call(Verb::Get, QStringLiteral("/workers/stats"), {}, [worker, would, done = std::move(done)](Result<QJsonObject> stats) {
        if (!stats) {
            done(stats.error());
            return;
        }
        for (const QJsonValue &w : stats.value().value(QStringLiteral("workers")).toArray()) {
            if (w.toObject().value(QStringLiteral("id")).toString() == worker) {
                done(QJsonObject{{QStringLiteral("would"), would}, {QStringLiteral("worker"), w}});
                return;
            }
        }
        done(Error{QStringLiteral("not_found"), QStringLiteral("no worker %1").arg(worker)});
    });
}

void ActionExecutor::call(Verb verb, const QString &path, const QJsonObject &body, Callback done)
{
    // `path` may carry a query ("/drain?cancel=1"): the poller's URL builder takes the path alone.
    const qsizetype question = path.indexOf(QLatin1Char('?'));
    QUrl url = m_poller.urlFor(question < 0 ? path : path.left(question));
    if (question >= 0)
        url.setQuery(path.mid(question + 1));
    QNetworkRequest request = m_poller.request(url, m_timeout);
    if (!m_token.isEmpty())
        request.setRawHeader("Authorization", "Bearer " + m_token); // the operator token, for actions
    QNetworkReply *reply = nullptr;
    switch (verb) {
    case Verb::Get:
        reply = m_network->get(request);
        break;
    case Verb::Post:
        request.setHeader(QNetworkRequest::ContentTypeHeader, QByteArrayLiteral("application/json"));
        reply = m_network->post(request, QJsonDocument(body).toJson(QJsonDocument::Compact));
        break;
    case Verb::Delete:
        reply = m_network->deleteResource(request);
        break;
    }
    connect(reply, &QNetworkReply::finished, this, [reply, path, done = std::move(done)] {
        reply->deleteLater();
        const int status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
        const QByteArray bytes = reply->readAll();
        QJsonParseError parseError{};
        const QJsonDocument doc = QJsonDocument::fromJson(bytes, &parseError);
        if (status == 0) {
            done(Error{QStringLiteral("unavailable"),
                       QStringLiteral("the server did not answer %1: %2").arg(path, reply->errorString())});
            return;
        }
        if (status >= 200 && status < 300) {
            if (!doc.isObject()) {
                done(Error{QStringLiteral("internal"), QStringLiteral("the server's answer to %1 is not a JSON object").arg(path)});
                return;
            }
            done(doc.object());
            return;
        }
        // The admin API's errors are {"error": code, "message": text}.
        const QJsonObject e = doc.object();
        QString code = e.value(QStringLiteral("error")).toString();
        QString message = e.value(QStringLiteral("message")).toString();
        if (code.isEmpty())
            code = status == 404 ? QStringLiteral("not_found") : QStringLiteral("internal");
        if (message.isEmpty())
            message = QStringLiteral("the server answered %1 with HTTP %2").arg(path).arg(status);
        done(Error{code, message});
    });
}

} // namespace arena
