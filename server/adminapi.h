// AdminApi: the admin HTTP port — /live, /ready, /health (no token), /metrics (viewer) — with the
// access rules of AccessControl and errors as JSON bodies with a code.
#pragma once

#include "shared/core/accesscontrol.h"
#include "shared/result.h"

#include <QHostAddress>
#include <QJsonObject>
#include <QObject>

#include <functional>
#include <memory>

class QHttpServer;
class QHttpServerRequest;
class QHttpServerResponse;

namespace arena {

class AdminApi final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(AdminApi)

public:
    struct Sources
    {
        std::function<QJsonObject()> health;
        std::function<bool()> ready;
        std::function<QByteArray()> metrics;
    };

    AdminApi(AccessControl access, Sources sources, QObject *parent = nullptr);
    ~AdminApi() override;

    // Returns the port (useful with port 0); failure names the address and port.
    Result<quint16> listen(const QHostAddress &address, quint16 port);
    quint16 port() const { return m_port; }

    static QHttpServerResponse errorResponse(const Error &error);

private:
    std::unique_ptr<QHttpServer> m_http;
    AccessControl m_access;
    Sources m_sources;
    quint16 m_port = 0;
};

} // namespace arena
