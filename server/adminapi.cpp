#include "server/adminapi.h"

#include "shared/protocol/errorcode.h"

#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponse>
#include <QJsonDocument>

namespace arena {

namespace {

QHttpServerResponse json(const QJsonObject &body, QHttpServerResponse::StatusCode status)
{
    return QHttpServerResponse(QByteArrayLiteral("application/json"),
                               QJsonDocument(body).toJson(QJsonDocument::Compact), status);
}

// The one error table (protocol::ErrorCode) decides the HTTP status; unknown codes are internal errors.
QHttpServerResponse::StatusCode statusFor(const QString &code)
{
    const auto known = protocol::errorCodeFromName(QStringView(code));
    return QHttpServerResponse::StatusCode(protocol::httpStatus(known.value_or(protocol::ErrorCode::Internal)));
}

} // namespace

AdminApi::AdminApi(AccessControl access, Sources sources, QObject *parent)
    : QObject(parent), m_http(std::make_unique<QHttpServer>()), m_access(std::move(access)),
      m_sources(std::move(sources))
{
    using Method = QHttpServerRequest::Method;
    m_http->route(QStringLiteral("/live"), Method::Get, [] {
        return json(QJsonObject{{QStringLiteral("live"), true}}, QHttpServerResponse::StatusCode::Ok);
    });
    m_http->route(QStringLiteral("/ready"), Method::Get, [this] {
        const bool ready = m_sources.ready();
        return json(QJsonObject{{QStringLiteral("ready"), ready}},
                    ready ? QHttpServerResponse::StatusCode::Ok : QHttpServerResponse::StatusCode::ServiceUnavailable);
    });
    m_http->route(QStringLiteral("/health"), Method::Get, [this] {
        return json(m_sources.health(), QHttpServerResponse::StatusCode::Ok);
    });
    m_http->route(QStringLiteral("/metrics"), Method::Get, [this](const QHttpServerRequest &request) {
        const auto role = m_access.authorize(request.value("Authorization"), request.remoteAddress(), Role::Viewer);
        if (!role.ok())
            return errorResponse(role.error());
        return QHttpServerResponse(QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8"), m_sources.metrics(),
                                   QHttpServerResponse::StatusCode::Ok);
    });
}

AdminApi::~AdminApi() = default;

Result<quint16> AdminApi::listen(const QHostAddress &address, quint16 port)
{
    m_port = m_http->listen(address, port);
    if (m_port == 0)
        return Error{QStringLiteral("listen_failed"),
                     QStringLiteral("cannot listen on admin port %1 at %2").arg(port).arg(address.toString())};
    return m_port;
}

QHttpServerResponse AdminApi::errorResponse(const Error &error)
{
    return json(QJsonObject{{QStringLiteral("error"), error.code}, {QStringLiteral("message"), error.message}},
                statusFor(error.code));
}

} // namespace arena
