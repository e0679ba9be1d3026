// AdminApi: the admin HTTP port. Routes are registered by the server's parts with the role they need
// (none for /live, /ready, /health); AccessControl decides, and every error is a JSON body with a code
// whose HTTP status comes from the protocol's one error table.
#pragma once

#include "shared/core/accesscontrol.h"
#include "shared/result.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QObject>
#include <QSslConfiguration>
#include <QUrlQuery>

#include <functional>
#include <memory>
#include <optional>

class QHttpServer;

namespace arena {

struct AdminRequest
{
    QString arg;          // the <arg> of the path, when the route has one
    QUrlQuery query;
    QByteArray body;
    QHostAddress peer;
    std::optional<Role> role; // who asked (none for public routes)
    QString who;              // the same, for the audit log: role, token fingerprint, address
};

struct AdminResponse
{
    int status = 200;
    QByteArray body;
    QByteArray contentType = QByteArrayLiteral("application/json");

    static AdminResponse json(const QJsonObject &object, int status = 200);
    static AdminResponse text(const QByteArray &text, const QByteArray &contentType);
    static AdminResponse error(const Error &error);
};

class AdminApi final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AdminApi)

public:
    enum class Method { Get, Post, Delete };
    using Respond = std::function<void(const AdminResponse &)>;
    // Handlers answer through `respond`, now or later (exactly once).
    using Handler = std::function<void(const AdminRequest &request, Respond respond)>;

    explicit AdminApi(AccessControl access, QObject *parent = nullptr);
    ~AdminApi() override;

    // `path` may hold one "<arg>" segment. `needed` empty: public (no token ever asked).
    void route(Method method, const QString &path, std::optional<Role> needed, Handler handler);

    // Serves HTTPS with `tls` from the next listen() on.
    void setTls(const QSslConfiguration &tls);
    bool isTls() const { return m_tls; }
    // Returns the port (useful with port 0); failure names the address and port.
    Result<quint16> listen(const QHostAddress &address, quint16 port);
    quint16 port() const { return m_port; }

private:
    std::unique_ptr<QHttpServer> m_http;
    AccessControl m_access;
    quint16 m_port = 0;
    bool m_tls = false;
};

} // namespace arena
