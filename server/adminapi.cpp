#include "server/adminapi.h"

#include "server/serverlog.h"
#include "shared/protocol/errorcode.h"

#include <QCryptographicHash>
#include <QHttpServer>
#include <QHttpServerRequest>
#include <QHttpServerResponder>
#include <QJsonDocument>
#include <QPointer>
#include <QTcpSocket>

namespace arena {

AdminResponse AdminResponse::json(const QJsonObject &object, int status)
{
    return AdminResponse{status, QJsonDocument(object).toJson(QJsonDocument::Compact), QByteArrayLiteral("application/json")};
}

AdminResponse AdminResponse::text(const QByteArray &text, const QByteArray &contentType)
{
    return AdminResponse{200, text, contentType};
}

AdminResponse AdminResponse::error(const Error &error)
{
    // The one error table (protocol::ErrorCode) decides the HTTP status; unknown codes are internal errors.
    const auto known = protocol::errorCodeFromName(QStringView(error.code));
    const int status = protocol::httpStatus(known.value_or(protocol::ErrorCode::Internal));
    return json(QJsonObject{{QStringLiteral("error"), error.code}, {QStringLiteral("message"), error.message}}, status);
}

AdminApi::AdminApi(AccessControl access, QObject *parent)
    : QObject(parent), m_http(std::make_unique<QHttpServer>()), m_access(std::move(access))
{
}

AdminApi::~AdminApi() = default;

namespace {

// Who asked, for the audit log: the role and a fingerprint of the token (never the token itself).
QString describeCaller(const QByteArray &authorization, const QHostAddress &peer, Role role)
{
    QString who = roleName(role);
    const QByteArray token = authorization.startsWith("Bearer ") ? authorization.mid(7).trimmed() : QByteArray();
    if (!token.isEmpty())
        who += QStringLiteral(" token sha256:")
               + QString::fromLatin1(QCryptographicHash::hash(token, QCryptographicHash::Sha256).toHex().left(12));
    else
        who += QStringLiteral(" (loopback, no token file)");
    return who + QStringLiteral(" from ") + peer.toString();
}

} // namespace

void AdminApi::route(Method method, const QString &path, std::optional<Role> needed, Handler handler)
{
    const QHttpServerRequest::Method qtMethod = method == Method::Get ? QHttpServerRequest::Method::Get
        : method == Method::Post                                      ? QHttpServerRequest::Method::Post
                                                                      : QHttpServerRequest::Method::Delete;
    auto serve = [this, needed, handler](const QString &arg, const QHttpServerRequest &request,
                                         QHttpServerResponder &&responder) {
        // The responder outlives this call for handlers that answer later.
        auto shared = std::make_shared<QHttpServerResponder>(std::move(responder));
        QPointer<QTcpSocket> socket(shared->socket());
        const Respond respond = [shared, socket](const AdminResponse &response) {
            if (!socket)
                return; // the client went away while the answer was being prepared
            shared->write(response.body, response.contentType,
                          QHttpServerResponder::StatusCode(response.status));
        };
        AdminRequest r;
        r.arg = arg;
        r.query = QUrlQuery(request.url());
        r.body = request.body();
        r.peer = request.remoteAddress();
        if (needed) {
            const auto role = m_access.authorize(request.value("Authorization"), request.remoteAddress(), *needed);
            if (!role.ok()) {
                respond(AdminResponse::error(role.error()));
                return;
            }
            r.role = role.value();
            r.who = describeCaller(request.value("Authorization"), request.remoteAddress(), *r.role);
        }
        handler(r, respond);
    };
    if (path.contains(QLatin1String("/<arg>"))) {
        m_http->route(path, qtMethod, [serve](const QString &arg, const QHttpServerRequest &request,
                                              QHttpServerResponder &&responder) {
            serve(arg, request, std::move(responder));
        });
    } else {
        m_http->route(path, qtMethod, [serve](const QHttpServerRequest &request, QHttpServerResponder &&responder) {
            serve(QString(), request, std::move(responder));
        });
    }
}

void AdminApi::setTls(const QSslConfiguration &tls)
{
    m_http->sslSetup(tls);
    m_tls = true;
}

Result<quint16> AdminApi::listen(const QHostAddress &address, quint16 port)
{
    m_port = m_http->listen(address, port);
    if (m_port == 0)
        return Error{QStringLiteral("listen_failed"),
                     QStringLiteral("cannot listen on admin port %1 at %2").arg(port).arg(address.toString())};
    return m_port;
}

} // namespace arena
