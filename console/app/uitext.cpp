#include "console/app/uitext.h"

#include "shared/protocol/errorcode.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>

namespace arena::console {

QString viewerTokenReason()
{
    return QCoreApplication::translate("arena::console", "your token is a viewer token: actions need an operator token");
}

QString errorText(const protocol::ErrorInfo &error)
{
    return errorText(QString(protocol::errorCodeName(error.code)), error.message);
}

QString errorText(const QString &code, const QString &message)
{
    if (message.isEmpty())
        return QCoreApplication::translate("arena::console", "failed (error %1)").arg(code);
    if (code.isEmpty())
        return message;
    return QCoreApplication::translate("arena::console", "%1 (error %2)").arg(message, code);
}

QString compactJson(const QJsonValue &value)
{
    switch (value.type()) {
    case QJsonValue::String:
        return value.toString();
    case QJsonValue::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case QJsonValue::Double: {
        const double d = value.toDouble();
        if (d == double(qint64(d)))
            return QString::number(qint64(d));
        return QString::number(d, 'g', 6);
    }
    case QJsonValue::Null:
    case QJsonValue::Undefined:
        return QStringLiteral("—");
    case QJsonValue::Array:
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Compact));
    case QJsonValue::Object:
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Compact));
    }
    return QString();
}

QString prettyJson(const QJsonValue &value)
{
    if (value.isObject())
        return QString::fromUtf8(QJsonDocument(value.toObject()).toJson(QJsonDocument::Indented)).trimmed();
    if (value.isArray())
        return QString::fromUtf8(QJsonDocument(value.toArray()).toJson(QJsonDocument::Indented)).trimmed();
    return compactJson(value);
}

QString fieldsText(const QJsonObject &object, const QString &indent)
{
    QString text;
    for (auto it = object.begin(); it != object.end(); ++it) {
        if (it.value().isObject() && !it.value().toObject().isEmpty()) {
            text += indent + it.key() + QStringLiteral(":\n");
            text += fieldsText(it.value().toObject(), indent + QStringLiteral("    "));
        } else {
            text += indent + it.key() + QStringLiteral(": ") + compactJson(it.value()) + QLatin1Char('\n');
        }
    }
    return text;
}

QString plural(qint64 n, const QString &singular, const QString &pluralForm)
{
    const QString many = pluralForm.isEmpty() ? singular + QLatin1Char('s') : pluralForm;
    return QStringLiteral("%1 %2").arg(n).arg(n == 1 ? singular : many);
}

} // namespace arena::console
