// Blocking HTTP calls to an admin API on 127.0.0.1, for tests.
#pragma once

#include <QByteArray>
#include <QJsonObject>
#include <QString>

namespace arena::test {

struct HttpResult
{
    int status = 0; // 0: no answer
    QByteArray body;
    QJsonObject json() const;
};

// `method` is GET, POST or DELETE; a non-empty `body` is sent as JSON. Waits up to 5 s.
HttpResult http(const QByteArray &method, quint16 port, const QString &path, const QByteArray &token = {},
                const QByteArray &body = {});
// GET and parse the body as a JSON object (empty on any failure).
QJsonObject getJson(quint16 port, const QString &path, const QByteArray &token = {});

} // namespace arena::test
