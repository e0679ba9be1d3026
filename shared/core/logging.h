// Logging: a Qt message handler writing human-readable text or JSON lines, and the log settings.
#pragma once

#include "shared/core/settingspec.h"
#include "shared/result.h"

#include <QByteArray>
#include <QDateTime>
#include <QList>
#include <QLoggingCategory>
#include <QString>
#include <QtGlobal>

#include <functional>

class QIODevice;

namespace arena {

class Config;

// Category of the arena_core library itself (config, metrics, task registry).
Q_DECLARE_LOGGING_CATEGORY(lcCore)

enum class LogFormat { Text, Json };

struct LogOptions
{
    LogFormat format = LogFormat::Text;
    // QLoggingCategory filter rules; ';' separates rules as well as newlines. Empty: no rules.
    QString filterRules;
    // Binary name written into JSON lines ("arena-server").
    QString target;
};

// Installs itself as the process's Qt message handler while installed; every qCWarning etc. is then
// formatted as one line:
//   text: 2026-11-22T12:00:00.123Z warning arena.server.rooms: message
//   json: {"ts":"2026-11-22T12:00:00.123Z","level":"warning","category":"arena.server.rooms",
//          "msg":"message","target":"arena-server","pid":123}
// The message handler is process-wide by nature (qInstallMessageHandler); installations nest and
// the destructor restores the previous one. Lines go to stderr unless a device or a sink is given;
// a device must be writable from every thread that logs (QFile and QBuffer are), as messages are
// written from the logging thread under a lock.
class Logging final
{
public:
    using Sink = std::function<void(const QByteArray &line)>; // line ends with '\n'

    explicit Logging(LogOptions options);
    Logging(LogOptions options, QIODevice *device);
    Logging(LogOptions options, Sink sink);
    ~Logging();
    Q_DISABLE_COPY_MOVE(Logging)

    // Installs the handler and applies the filter rules (QLoggingCategory::setFilterRules).
    void install();
    // Restores the handler that was active before install(); clears the filter rules set by install().
    void uninstall();
    bool isInstalled() const { return m_installed; }
    const LogOptions &options() const { return m_options; }

    // Options from the log-format and log-rules settings of a loaded config; target = binary name.
    static LogOptions optionsFrom(const Config &config);

    static QByteArray formatLine(LogFormat format, QtMsgType type, const char *category, const QString &message,
                                 const QDateTime &timestamp, const QString &target, qint64 pid);
    // JSON string literal including the quotes: escapes '"', '\\', control characters (\n, \t,
    // \u0001...), U+2028/U+2029, and replaces unpaired surrogates with U+FFFD; output is UTF-8.
    static QByteArray jsonString(const QString &text);
    static QString levelName(QtMsgType type); // debug, info, warning, critical, fatal
    // Turns ';'-separated rules into the newline-separated form QLoggingCategory expects.
    static QString normalizedRules(const QString &rules);

private:
    static void handleMessage(QtMsgType type, const QMessageLogContext &context, const QString &message);
    void write(QtMsgType type, const QMessageLogContext &context, const QString &message);

    LogOptions m_options;
    QIODevice *m_device = nullptr;
    Sink m_sink;
    bool m_installed = false;
    Logging *m_outer = nullptr; // installation that was active before this one
    QtMessageHandler m_previousHandler = nullptr;
    qint64 m_pid = 0;
};

// The settings every binary adds to its spec list: log-format (text|json) and log-rules.
QList<SettingSpec> loggingSettings();

} // namespace arena
