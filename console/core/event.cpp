#include "console/core/event.h"

namespace arena::console {

QString eventKindName(Event::Kind kind)
{
    switch (kind) {
    case Event::Kind::Instance:
        return QStringLiteral("instance");
    case Event::Kind::Worker:
        return QStringLiteral("worker");
    case Event::Kind::Cleanup:
        return QStringLiteral("cleanup");
    case Event::Kind::Action:
        return QStringLiteral("action");
    case Event::Kind::Connection:
        return QStringLiteral("connection");
    }
    return {};
}

QString eventSeverityName(Event::Severity severity)
{
    switch (severity) {
    case Event::Severity::Info:
        return QStringLiteral("info");
    case Event::Severity::Warning:
        return QStringLiteral("warning");
    case Event::Severity::Error:
        return QStringLiteral("error");
    }
    return {};
}

} // namespace arena::console
