// SettingSpec: the declaration of one typed setting (key, type, default, constraints, help text).
#pragma once

#include "shared/result.h"

#include <QString>
#include <QStringList>
#include <QVariant>

#include <chrono>
#include <optional>

namespace arena {

enum class SettingType { Int, Bool, String, Duration, Url, FilePath, Enum, StringList };

// One declared setting. Build it with the typed factories below so the default has the right type.
// Stored value types (QVariant): Int qint64, Bool bool, String/FilePath/Enum QString,
// Duration qint64 milliseconds, Url QUrl (empty: not set), StringList QStringList.
struct SettingSpec
{
    QString key; // kebab-case, e.g. "player-port"
    SettingType type = SettingType::String;
    QVariant defaultValue;
    QString description;
    std::optional<qint64> minimum; // Int: value, Duration: milliseconds
    std::optional<qint64> maximum;
    QStringList allowed;    // Enum: allowed values; Url: allowed schemes (empty: any scheme)
    bool mustExist = false; // FilePath: a non-empty value must name a readable file

    static SettingSpec integer(QString key, qint64 defaultValue, QString description,
                               std::optional<qint64> minimum = std::nullopt,
                               std::optional<qint64> maximum = std::nullopt);
    static SettingSpec boolean(QString key, bool defaultValue, QString description);
    static SettingSpec string(QString key, QString defaultValue, QString description);
    static SettingSpec duration(QString key, std::chrono::milliseconds defaultValue, QString description,
                                std::optional<std::chrono::milliseconds> minimum = std::nullopt,
                                std::optional<std::chrono::milliseconds> maximum = std::nullopt);
    static SettingSpec url(QString key, QString defaultValue, QString description, QStringList schemes = {});
    static SettingSpec filePath(QString key, QString defaultValue, QString description, bool mustExist = false);
    static SettingSpec enumeration(QString key, QStringList allowed, QString defaultValue, QString description);
    static SettingSpec stringList(QString key, QStringList defaultValue, QString description);

    // ARENA_ + key upper-cased with dashes turned into underscores: player-port -> ARENA_PLAYER_PORT.
    QString envName() const;
    // Short type description for help text: "integer 1..65535", "duration", "one of text|json".
    QString typeDescription() const;
    // Placeholder shown after the option in help: "<integer>", "<duration>", "<text|json>".
    QString valueName() const;
    // The value as a user would write it: durations as "5m", lists comma-separated, URLs without password.
    QString displayValue(const QVariant &value) const;

    // Parses and checks text for this setting. The error message names the bad value and the reason
    // but not the key or the source (the caller adds those), e.g. "\"abc\" is not an integer".
    Result<QVariant> parse(const QString &text) const;

    // Checks the spec itself: kebab-case key, default of the right type and within its limits.
    Result<void> validate() const;
};

// "1500ms", "30s", "5m", "1h", or a plain integer meaning milliseconds. Non-negative.
Result<std::chrono::milliseconds> parseDuration(const QString &text);
// Shortest exact form: 300000 ms -> "5m", 1500 -> "1500ms", 0 -> "0ms".
QString formatDuration(std::chrono::milliseconds value);
// Accepts true/false, yes/no, on/off, 1/0 (case-insensitive).
std::optional<bool> parseBool(const QString &text);
// Kebab-case: lower-case letters and digits in dash-separated words, starting with a letter.
bool isValidSettingKey(const QString &key);

} // namespace arena
