// ActionExecutor: carries out operator actions and room queries on the one arena-server an agent
// watches, through that server's admin API.
#pragma once

#include "shared/protocol/adminmessages.h"
#include "shared/result.h"

#include <QJsonObject>
#include <QObject>
#include <QUrl>

#include <chrono>
#include <functional>

class QNetworkAccessManager;

namespace arena {

class ServerPoller;

// Each action is one admin API call (docs/ADMIN-API.md "Actions"); a dry run changes nothing and
// answers from the server's own dry run (cleanup) or from what the server reports now (the others).
// Results are the server's JSON answer; errors carry the server's code and message, or
// "unavailable" when the server does not answer, or "bad_request" for params that cannot be sent.
class ActionExecutor final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ActionExecutor)

public:
    using Callback = std::function<void(Result<QJsonObject>)>;

    // `poller` gives the server's base URL and the latest figures for dry runs; it must outlive this.
    ActionExecutor(ServerPoller &poller, QByteArray token, std::chrono::milliseconds requestTimeout,
                   QObject *parent = nullptr);
    ~ActionExecutor() override;

    void execute(protocol::ActionKind kind, const QJsonObject &params, bool dryRun, Callback done);
    // GET /rooms, optionally filtered by params.type.
    void rooms(const QJsonObject &params, Callback done);

private:
    enum class Verb { Get, Post, Delete };
    void call(Verb verb, const QString &path, const QJsonObject &body, Callback done);
    void dryRunWorker(const QString &worker, const QString &would, Callback done);

    ServerPoller &m_poller;
    QByteArray m_token;
    std::chrono::milliseconds m_timeout;
    QNetworkAccessManager *m_network;
};

} // namespace arena
