// Event: one line of the console's event log.
#pragma once

#include <QHash>
#include <QMetaType>
#include <QString>
#include <QtGlobal>

namespace arena::console {

struct Event
{
    qint64 time = 0; // ms since the Unix epoch
    enum class Kind { Instance, Worker, Cleanup, Action, Connection } kind = Kind::Instance;
    enum class Severity { Info, Warning, Error } severity = Severity::Info;
    QString instance; // "" when it concerns no one instance (a fleet-wide cleanup, the connection)
    QString text;

    friend bool operator==(const Event &, const Event &) = default;
};

QString eventKindName(Event::Kind kind);         // "instance", "worker", "cleanup", "action", "connection"
QString eventSeverityName(Event::Severity severity); // "info", "warning", "error"

inline size_t qHash(Event::Kind kind, size_t seed = 0) noexcept
{
    return ::qHash(int(kind), seed);
}
inline size_t qHash(Event::Severity severity, size_t seed = 0) noexcept
{
    return ::qHash(int(severity), seed);
}

} // namespace arena::console

Q_DECLARE_METATYPE(arena::console::Event)
