#include "server/auditlog.h"

#include "server/serverlog.h"

#include <QDateTime>
#include <QJsonDocument>

namespace arena {

Result<void> AuditLog::open(const QString &path)
{
    if (path.isEmpty())
        return {};
    m_file.setFileName(path);
    if (!m_file.open(QIODevice::Append | QIODevice::Text))
        return Error{QStringLiteral("audit_log"),
                     QStringLiteral("cannot open the audit log %1: %2").arg(path, m_file.errorString())};
    return {};
}

QJsonObject AuditLog::record(const QString &who, const QString &action, const QString &target,
                             const QJsonObject &parameters, const Result<QJsonObject> &result)
{
    QJsonObject entry{{QStringLiteral("time"), QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs)},
                      {QStringLiteral("who"), who},
                      {QStringLiteral("action"), action},
                      {QStringLiteral("target"), target},
                      {QStringLiteral("parameters"), parameters},
                      {QStringLiteral("ok"), result.ok()}};
    if (result.ok())
        entry.insert(QStringLiteral("result"), result.value());
    else
        entry.insert(QStringLiteral("error"), QJsonObject{{QStringLiteral("code"), result.error().code},
                                                          {QStringLiteral("message"), result.error().message}});
    const QByteArray line = QJsonDocument(entry).toJson(QJsonDocument::Compact);
    qCInfo(lcServer).noquote() << "audit:" << QString::fromUtf8(line);
    if (m_file.isOpen()) {
        m_file.write(line + '\n');
        m_file.flush();
    }
    m_entries.push_back(entry);
    if (m_entries.size() > Kept)
        m_entries.pop_front();
    return entry;
}

QJsonArray AuditLog::recent(int limit) const
{
    QJsonArray out;
    for (auto it = m_entries.rbegin(); it != m_entries.rend() && out.size() < limit; ++it)
        out.append(*it);
    return out;
}

} // namespace arena
