#include "shared/core/logging.h"

#include "shared/core/config.h"

#include <QCoreApplication>
#include <QIODevice>
#include <QMutex>

#include <cstdio>

namespace arena {

Q_LOGGING_CATEGORY(lcCore, "arena.shared.core")

namespace {

// The Qt message handler is a plain function, so the active installation lives here.
QBasicMutex g_mutex;
Logging *g_active = nullptr;

void writeStderr(const QByteArray &line)
{
    std::fwrite(line.constData(), 1, size_t(line.size()), stderr);
    std::fflush(stderr);
}

} // namespace

Logging::Logging(LogOptions options)
    : m_options(std::move(options)), m_pid(QCoreApplication::applicationPid())
{
}

Logging::Logging(LogOptions options, QIODevice *device)
    : m_options(std::move(options)), m_device(device), m_pid(QCoreApplication::applicationPid())
{
}

Logging::Logging(LogOptions options, Sink sink)
    : m_options(std::move(options)), m_sink(std::move(sink)), m_pid(QCoreApplication::applicationPid())
{
}

Logging::~Logging()
{
    uninstall();
}

void Logging::install()
{
    if (m_installed)
        return;
    {
        QMutexLocker lock(&g_mutex);
        m_outer = g_active;
        g_active = this;
        m_installed = true;
        // Nested installations share the handler that was there before the outermost one.
        m_previousHandler = m_outer ? m_outer->m_previousHandler : qInstallMessageHandler(&Logging::handleMessage);
    }
    QLoggingCategory::setFilterRules(normalizedRules(m_options.filterRules));
}

void Logging::uninstall()
{
    if (!m_installed)
        return;
    bool wasActive = false;
    QString rulesToRestore;
    {
        QMutexLocker lock(&g_mutex);
        wasActive = g_active == this;
        if (wasActive) {
            g_active = m_outer;
        } else {
            for (Logging *it = g_active; it; it = it->m_outer) {
                if (it->m_outer == this) {
                    it->m_outer = m_outer;
                    break;
                }
            }
        }
        m_installed = false;
        m_outer = nullptr;
        if (!g_active)
            qInstallMessageHandler(m_previousHandler);
        else if (wasActive)
            rulesToRestore = normalizedRules(g_active->m_options.filterRules);
    }
    if (wasActive)
        QLoggingCategory::setFilterRules(rulesToRestore);
}

void Logging::handleMessage(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    // A sink that itself logs (a QIODevice warning, say) must not deadlock or recurse forever.
    thread_local bool inside = false;
    if (inside) {
        writeStderr(formatLine(LogFormat::Text, type, context.category, message, QDateTime::currentDateTimeUtc(),
                               QString(), QCoreApplication::applicationPid()));
        return;
    }
    inside = true;
    {
        QMutexLocker lock(&g_mutex);
        if (g_active)
            g_active->write(type, context, message);
        else
            writeStderr(formatLine(LogFormat::Text, type, context.category, message, QDateTime::currentDateTimeUtc(),
                                   QString(), QCoreApplication::applicationPid()));
    }
    inside = false;
}

void Logging::write(QtMsgType type, const QMessageLogContext &context, const QString &message)
{
    const QByteArray line = formatLine(m_options.format, type, context.category, message,
                                       QDateTime::currentDateTimeUtc(), m_options.target, m_pid);
    if (m_sink) {
        m_sink(line);
    } else if (m_device) {
        m_device->write(line);
    } else {
        writeStderr(line);
    }
}

QString Logging::levelName(QtMsgType type)
{
    switch (type) {
    case QtDebugMsg:
        return QStringLiteral("debug");
    case QtInfoMsg:
        return QStringLiteral("info");
    case QtWarningMsg:
        return QStringLiteral("warning");
    case QtCriticalMsg:
        return QStringLiteral("critical");
    case QtFatalMsg:
        return QStringLiteral("fatal");
    }
    return QStringLiteral("unknown");
}

QByteArray Logging::jsonString(const QString &text)
{
    static const char hex[] = "0123456789abcdef";
    QString out;
    out.reserve(text.size() + 2);
    out += QLatin1Char('"');
    const qsizetype n = text.size();
    for (qsizetype i = 0; i < n; ++i) {
        const QChar c = text.at(i);
        const char16_t u = c.unicode();
        switch (u) {
        case u'"':
            out += QLatin1String("\\\"");
            continue;
        case u'\\':
            out += QLatin1String("\\\\");
            continue;
        case u'\n':
            out += QLatin1String("\\n");
            continue;
        case u'\r':
            out += QLatin1String("\\r");
            continue;
        case u'\t':
            out += QLatin1String("\\t");
            continue;
        case u'\b':
            out += QLatin1String("\\b");
            continue;
        case u'\f':
            out += QLatin1String("\\f");
            continue;
        default:
            break;
        }
        if (u < 0x20 || u == 0x7f || u == 0x2028 || u == 0x2029) {
            out += QLatin1String("\\u");
            out += QLatin1Char(hex[(u >> 12) & 0xf]);
            out += QLatin1Char(hex[(u >> 8) & 0xf]);
            out += QLatin1Char(hex[(u >> 4) & 0xf]);
            out += QLatin1Char(hex[u & 0xf]);
        } else if (c.isHighSurrogate() && i + 1 < n && text.at(i + 1).isLowSurrogate()) {
            out += c;
            out += text.at(++i);
        } else if (c.isSurrogate()) {
            out += QChar(QChar::ReplacementCharacter);
        } else {
            out += c;
        }
    }
    out += QLatin1Char('"');
    return out.toUtf8();
}

QByteArray Logging::formatLine(LogFormat format, QtMsgType type, const char *category, const QString &message,
                               const QDateTime &timestamp, const QString &target, qint64 pid)
{
    const QByteArray ts = timestamp.toUTC().toString(Qt::ISODateWithMs).toUtf8();
    const QByteArray level = levelName(type).toLatin1();
    const QByteArray cat = (category && *category) ? QByteArray(category) : QByteArrayLiteral("default");
    QByteArray line;
    if (format == LogFormat::Json) {
        line.reserve(96 + message.size());
        line += "{\"ts\":\"" + ts + "\",\"level\":\"" + level + "\",\"category\":"
                + jsonString(QString::fromUtf8(cat)) + ",\"msg\":" + jsonString(message)
                + ",\"target\":" + jsonString(target) + ",\"pid\":" + QByteArray::number(pid) + "}\n";
    } else {
        line += ts + ' ' + level + ' ' + cat + ": " + message.toUtf8() + '\n';
    }
    return line;
}

QString Logging::normalizedRules(const QString &rules)
{
    QStringList lines;
    const QStringList parts = QString(rules).replace(QLatin1Char(';'), QLatin1Char('\n')).split(QLatin1Char('\n'));
    for (const QString &part : parts) {
        const QString rule = part.trimmed();
        if (!rule.isEmpty())
            lines.append(rule);
    }
    return lines.join(QLatin1Char('\n'));
}

LogOptions Logging::optionsFrom(const Config &config)
{
    LogOptions options;
    options.format = config.stringValue(QStringLiteral("log-format")) == QLatin1String("json") ? LogFormat::Json
                                                                                               : LogFormat::Text;
    options.filterRules = config.stringValue(QStringLiteral("log-rules"));
    options.target = config.binaryName();
    return options;
}

QList<SettingSpec> loggingSettings()
{
    return {
        SettingSpec::enumeration(QStringLiteral("log-format"), {QStringLiteral("text"), QStringLiteral("json")},
                                 QStringLiteral("text"),
                                 QStringLiteral("Log line format: text for people, json (one object per line) for log shippers.")),
        SettingSpec::string(QStringLiteral("log-rules"), QStringLiteral("*.debug=false"),
                            QStringLiteral("Qt logging filter rules separated by ';', e.g. "
                                           "\"*.debug=false;arena.server.rooms.debug=true\".")),
    };
}

} // namespace arena
