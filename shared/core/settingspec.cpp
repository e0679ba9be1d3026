#include "shared/core/settingspec.h"

#include <QFileInfo>
#include <QRegularExpression>
#include <QUrl>

#include <limits>

namespace arena {

namespace {

SettingSpec make(QString key, SettingType type, QVariant defaultValue, QString description)
{
    SettingSpec spec;
    spec.key = std::move(key);
    spec.type = type;
    spec.defaultValue = std::move(defaultValue);
    spec.description = std::move(description);
    return spec;
}

QString quoted(const QString &text)
{
    return QLatin1Char('"') + text + QLatin1Char('"');
}

QString rangeText(const SettingSpec &spec, auto format)
{
    if (spec.minimum && spec.maximum)
        return format(*spec.minimum) + QStringLiteral("..") + format(*spec.maximum);
    if (spec.minimum)
        return QStringLiteral(">= ") + format(*spec.minimum);
    if (spec.maximum)
        return QStringLiteral("<= ") + format(*spec.maximum);
    return {};
}

QString intText(qint64 value)
{
    return QString::number(value);
}

QString durationText(qint64 ms)
{
    return formatDuration(std::chrono::milliseconds(ms));
}

Result<void> checkRange(const SettingSpec &spec, qint64 value, const QString &shown, auto format)
{
    if ((spec.minimum && value < *spec.minimum) || (spec.maximum && value > *spec.maximum))
        return Result<void>::failure(QStringLiteral("out_of_range"),
                                     QStringLiteral("%1 is out of range (allowed %2)")
                                         .arg(quoted(shown), rangeText(spec, format)));
    return {};
}

QStringList splitList(const QString &text)
{
    QStringList items;
    const QStringList parts = text.split(QLatin1Char(','));
    for (const QString &part : parts) {
        const QString item = part.trimmed();
        if (!item.isEmpty())
            items.append(item);
    }
    return items;
}

} // namespace

SettingSpec SettingSpec::integer(QString key, qint64 defaultValue, QString description,
                                 std::optional<qint64> minimum, std::optional<qint64> maximum)
{
    SettingSpec spec = make(std::move(key), SettingType::Int, QVariant::fromValue(defaultValue), std::move(description));
    spec.minimum = minimum;
    spec.maximum = maximum;
    return spec;
}

SettingSpec SettingSpec::boolean(QString key, bool defaultValue, QString description)
{
    return make(std::move(key), SettingType::Bool, QVariant(defaultValue), std::move(description));
}

SettingSpec SettingSpec::string(QString key, QString defaultValue, QString description)
{
    return make(std::move(key), SettingType::String, QVariant(std::move(defaultValue)), std::move(description));
}

SettingSpec SettingSpec::duration(QString key, std::chrono::milliseconds defaultValue, QString description,
                                  std::optional<std::chrono::milliseconds> minimum,
                                  std::optional<std::chrono::milliseconds> maximum)
{
    SettingSpec spec = make(std::move(key), SettingType::Duration,
                            QVariant::fromValue(qint64(defaultValue.count())), std::move(description));
    if (minimum)
        spec.minimum = minimum->count();
    if (maximum)
        spec.maximum = maximum->count();
    return spec;
}

SettingSpec SettingSpec::url(QString key, QString defaultValue, QString description, QStringList schemes)
{
    SettingSpec spec = make(std::move(key), SettingType::Url, QVariant(QUrl(defaultValue, QUrl::StrictMode)),
                            std::move(description));
    spec.allowed = std::move(schemes);
    return spec;
}

SettingSpec SettingSpec::filePath(QString key, QString defaultValue, QString description, bool mustExist)
{
    SettingSpec spec = make(std::move(key), SettingType::FilePath, QVariant(std::move(defaultValue)),
                            std::move(description));
    spec.mustExist = mustExist;
    return spec;
}

SettingSpec SettingSpec::enumeration(QString key, QStringList allowed, QString defaultValue, QString description)
{
    SettingSpec spec = make(std::move(key), SettingType::Enum, QVariant(std::move(defaultValue)), std::move(description));
    spec.allowed = std::move(allowed);
    return spec;
}

SettingSpec SettingSpec::stringList(QString key, QStringList defaultValue, QString description)
{
    return make(std::move(key), SettingType::StringList, QVariant(std::move(defaultValue)), std::move(description));
}

QString SettingSpec::envName() const
{
    QString name = key.toUpper();
    name.replace(QLatin1Char('-'), QLatin1Char('_'));
    return QStringLiteral("ARENA_") + name;
}

QString SettingSpec::typeDescription() const
{
    switch (type) {
    case SettingType::Int: {
        const QString range = rangeText(*this, intText);
        return range.isEmpty() ? QStringLiteral("integer") : QStringLiteral("integer ") + range;
    }
    case SettingType::Bool:
        return QStringLiteral("boolean");
    case SettingType::String:
        return QStringLiteral("string");
    case SettingType::Duration: {
        const QString range = rangeText(*this, durationText);
        return range.isEmpty() ? QStringLiteral("duration") : QStringLiteral("duration ") + range;
    }
    case SettingType::Url:
        return allowed.isEmpty() ? QStringLiteral("URL")
                                 : QStringLiteral("URL (%1)").arg(allowed.join(QStringLiteral(", ")));
    case SettingType::FilePath:
        return mustExist ? QStringLiteral("path of an existing file") : QStringLiteral("file path");
    case SettingType::Enum:
        return QStringLiteral("one of ") + allowed.join(QLatin1Char('|'));
    case SettingType::StringList:
        return QStringLiteral("comma-separated list");
    }
    return {};
}

QString SettingSpec::valueName() const
{
    switch (type) {
    case SettingType::Int:
        return QStringLiteral("integer");
    case SettingType::Bool:
        return {};
    case SettingType::String:
        return QStringLiteral("string");
    case SettingType::Duration:
        return QStringLiteral("duration");
    case SettingType::Url:
        return QStringLiteral("url");
    case SettingType::FilePath:
        return QStringLiteral("file");
    case SettingType::Enum:
        return allowed.join(QLatin1Char('|'));
    case SettingType::StringList:
        return QStringLiteral("list");
    }
    return {};
}

QString SettingSpec::displayValue(const QVariant &value) const
{
    switch (type) {
    case SettingType::Int:
        return QString::number(value.toLongLong());
    case SettingType::Bool:
        return value.toBool() ? QStringLiteral("true") : QStringLiteral("false");
    case SettingType::Duration:
        return formatDuration(std::chrono::milliseconds(value.toLongLong()));
    case SettingType::Url:
        return value.toUrl().toString(QUrl::RemovePassword);
    case SettingType::StringList:
        return value.toStringList().join(QLatin1Char(','));
    case SettingType::String:
    case SettingType::FilePath:
    case SettingType::Enum:
        return value.toString();
    }
    return {};
}

Result<QVariant> SettingSpec::parse(const QString &text) const
{
    const QString trimmed = text.trimmed();
    switch (type) {
    case SettingType::Int: {
        bool ok = false;
        const qint64 value = trimmed.toLongLong(&ok, 10);
        if (!ok)
            return Result<QVariant>::failure(QStringLiteral("not_an_integer"), quoted(text) + QStringLiteral(" is not an integer"));
        if (auto range = checkRange(*this, value, trimmed, intText); !range)
            return range.error();
        return QVariant::fromValue(value);
    }
    case SettingType::Bool: {
        const std::optional<bool> value = parseBool(trimmed);
        if (!value)
            return Result<QVariant>::failure(QStringLiteral("not_a_boolean"),
                                             quoted(text) + QStringLiteral(" is not a boolean (use true/false, yes/no, on/off or 1/0)"));
        return QVariant(*value);
    }
    case SettingType::String:
        return QVariant(text);
    case SettingType::Duration: {
        const Result<std::chrono::milliseconds> value = parseDuration(trimmed);
        if (!value)
            return Result<QVariant>::failure(value.error().code, quoted(text) + QLatin1Char(' ') + value.error().message);
        if (auto range = checkRange(*this, value->count(), trimmed, durationText); !range)
            return range.error();
        return QVariant::fromValue(qint64(value->count()));
    }
    case SettingType::Url: {
        if (trimmed.isEmpty())
            return QVariant(QUrl());
        const QUrl url(trimmed, QUrl::StrictMode);
        if (!url.isValid() || url.scheme().isEmpty() || url.isRelative())
            return Result<QVariant>::failure(QStringLiteral("not_a_url"), quoted(text) + QStringLiteral(" is not a valid absolute URL"));
        if (!allowed.isEmpty() && !allowed.contains(url.scheme(), Qt::CaseInsensitive))
            return Result<QVariant>::failure(QStringLiteral("bad_scheme"),
                                             QStringLiteral("%1 has scheme \"%2\", expected one of %3")
                                                 .arg(quoted(url.toString(QUrl::RemovePassword)), url.scheme(),
                                                      allowed.join(QStringLiteral(", "))));
        return QVariant(url);
    }
    case SettingType::FilePath: {
        if (mustExist && !trimmed.isEmpty()) {
            const QFileInfo info(trimmed);
            if (!info.exists())
                return Result<QVariant>::failure(QStringLiteral("no_such_file"), quoted(trimmed) + QStringLiteral(" does not exist"));
            if (!info.isFile() || !info.isReadable())
                return Result<QVariant>::failure(QStringLiteral("unreadable_file"),
                                                 quoted(trimmed) + QStringLiteral(" is not a readable file"));
        }
        return QVariant(trimmed);
    }
    case SettingType::Enum: {
        for (const QString &candidate : allowed) {
            if (candidate.compare(trimmed, Qt::CaseInsensitive) == 0)
                return QVariant(candidate);
        }
        return Result<QVariant>::failure(QStringLiteral("not_allowed"),
                                         QStringLiteral("%1 is not one of %2").arg(quoted(text), allowed.join(QStringLiteral(", "))));
    }
    case SettingType::StringList:
        return QVariant(splitList(text));
    }
    return Result<QVariant>::failure(QStringLiteral("bad_type"), QStringLiteral("unknown setting type"));
}

Result<void> SettingSpec::validate() const
{
    auto fail = [this](const QString &why) {
        return Result<void>::failure(QStringLiteral("bad_spec"), QStringLiteral("setting spec \"%1\": %2").arg(key, why));
    };
    if (!isValidSettingKey(key))
        return fail(QStringLiteral("key is not kebab-case"));
    if (minimum && maximum && *minimum > *maximum)
        return fail(QStringLiteral("minimum is above maximum"));
    switch (type) {
    case SettingType::Int:
    case SettingType::Duration:
        if (defaultValue.typeId() != QMetaType::LongLong)
            return fail(QStringLiteral("default is not a 64-bit integer"));
        if (auto range = checkRange(*this, defaultValue.toLongLong(), displayValue(defaultValue), type == SettingType::Int ? intText : durationText); !range)
            return fail(QStringLiteral("default ") + range.error().message);
        if (type == SettingType::Duration && defaultValue.toLongLong() < 0)
            return fail(QStringLiteral("default duration is negative"));
        break;
    case SettingType::Bool:
        if (defaultValue.typeId() != QMetaType::Bool)
            return fail(QStringLiteral("default is not a boolean"));
        break;
    case SettingType::String:
    case SettingType::FilePath:
        if (defaultValue.typeId() != QMetaType::QString)
            return fail(QStringLiteral("default is not a string"));
        break;
    case SettingType::Url:
        if (defaultValue.typeId() != QMetaType::QUrl)
            return fail(QStringLiteral("default is not a URL"));
        if (!defaultValue.toUrl().isEmpty() && !defaultValue.toUrl().isValid())
            return fail(QStringLiteral("default URL is invalid"));
        break;
    case SettingType::Enum:
        if (allowed.isEmpty())
            return fail(QStringLiteral("no allowed values"));
        if (!allowed.contains(defaultValue.toString()))
            return fail(QStringLiteral("default is not one of the allowed values"));
        break;
    case SettingType::StringList:
        if (defaultValue.typeId() != QMetaType::QStringList)
            return fail(QStringLiteral("default is not a string list"));
        break;
    }
    return {};
}

Result<std::chrono::milliseconds> parseDuration(const QString &text)
{
    static const QRegularExpression pattern(QStringLiteral("^(\\d+)(ms|s|m|h)?$"));
    const QRegularExpressionMatch match = pattern.match(text.trimmed());
    if (!match.hasMatch())
        return Result<std::chrono::milliseconds>::failure(
            QStringLiteral("not_a_duration"),
            QStringLiteral("is not a duration (use e.g. 1500ms, 30s, 5m, 1h, or a number of milliseconds)"));
    bool ok = false;
    const qint64 amount = match.captured(1).toLongLong(&ok);
    const QString unit = match.captured(2);
    qint64 factor = 1;
    if (unit == QLatin1String("s"))
        factor = 1000;
    else if (unit == QLatin1String("m"))
        factor = 60 * 1000;
    else if (unit == QLatin1String("h"))
        factor = 60 * 60 * 1000;
    qint64 ms = 0;
    if (!ok || qMulOverflow(amount, factor, &ms))
        return Result<std::chrono::milliseconds>::failure(QStringLiteral("out_of_range"), QStringLiteral("is too large a duration"));
    return std::chrono::milliseconds(ms);
}

QString formatDuration(std::chrono::milliseconds value)
{
    const qint64 ms = value.count();
    if (ms != 0 && ms % (60 * 60 * 1000) == 0)
        return QString::number(ms / (60 * 60 * 1000)) + QLatin1Char('h');
    if (ms != 0 && ms % (60 * 1000) == 0)
        return QString::number(ms / (60 * 1000)) + QLatin1Char('m');
    if (ms != 0 && ms % 1000 == 0)
        return QString::number(ms / 1000) + QLatin1Char('s');
    return QString::number(ms) + QStringLiteral("ms");
}

std::optional<bool> parseBool(const QString &text)
{
    const QString value = text.trimmed().toLower();
    if (value == QLatin1String("true") || value == QLatin1String("yes") || value == QLatin1String("on")
        || value == QLatin1String("1"))
        return true;
    if (value == QLatin1String("false") || value == QLatin1String("no") || value == QLatin1String("off")
        || value == QLatin1String("0"))
        return false;
    return std::nullopt;
}

bool isValidSettingKey(const QString &key)
{
    static const QRegularExpression pattern(QStringLiteral("^[a-z][a-z0-9]*(-[a-z0-9]+)*$"));
    return pattern.match(key).hasMatch();
}

} // namespace arena
