// Texts the console shows an operator: errors in words, action results as readable lines.
#pragma once

#include "shared/protocol/errormessage.h"

#include <QJsonObject>
#include <QJsonValue>
#include <QString>

namespace arena::console {

// The tooltip of every action a viewer token may not run.
QString viewerTokenReason();
// "no instance host-z in the fleet (error not_found)": the agent's (or server's) message and its code.
QString errorText(const protocol::ErrorInfo &error);
QString errorText(const QString &code, const QString &message);
// One JSON value as short text: strings bare, everything else as compact JSON.
QString compactJson(const QJsonValue &value);
// Indented JSON, for detail panes.
QString prettyJson(const QJsonValue &value);
// "key: value" lines, nested objects indented under their key.
QString fieldsText(const QJsonObject &object, const QString &indent = QString());
// "3 items", "1 item".
QString plural(qint64 n, const QString &singular, const QString &pluralForm = QString());

} // namespace arena::console
