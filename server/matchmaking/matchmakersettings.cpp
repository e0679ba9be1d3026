#include "server/matchmaking/matchmakersettings.h"

#include "server/matchmaking/queuekey.h"
#include "shared/core/config.h"

#include <cmath>

using namespace std::chrono_literals;

namespace arena {

namespace {

Result<void> invalid(const QString &message)
{
    return Result<void>::failure(QStringLiteral("invalid_config"), message);
}

} // namespace

Result<void> MatchmakerSettings::validate() const
{
    if (interval.count() < 0)
        return invalid(QStringLiteral("matchmaking interval must not be negative"));
    if (!std::isfinite(initialWindow) || initialWindow < 0)
        return invalid(QStringLiteral("matchmaking initial window must be a number >= 0"));
    if (!std::isfinite(widenPerSecond) || widenPerSecond < 0)
        return invalid(QStringLiteral("matchmaking widening per second must be a number >= 0"));
    if (!std::isfinite(maxWindow) || maxWindow < initialWindow)
        return invalid(QStringLiteral("matchmaking maximum window must be >= the initial window"));
    if (maxWait.count() < 0)
        return invalid(QStringLiteral("matchmaking maximum wait must not be negative"));
    if (maxLevel < 0)
        return invalid(QStringLiteral("matchmaking maximum level must be >= 0"));
    if (maxTeamSize < 1)
        return invalid(QStringLiteral("matchmaking maximum team size must be >= 1"));
    if (anchorsPerCall < 1)
        return invalid(QStringLiteral("matchmaking tickets per call must be >= 1"));
    for (const QString &type : roomTypes) {
        if (!QueueKey::isValidRoomType(type))
            return invalid(QStringLiteral("matchmaking room type \"%1\" is not 1..64 characters of [A-Za-z0-9_.-]")
                               .arg(type));
    }
    return {};
}

QList<SettingSpec> MatchmakerSettings::specs()
{
    const MatchmakerSettings d;
    return {
        SettingSpec::duration(QStringLiteral("matchmaking-interval"), d.interval,
                              QStringLiteral("How often the matcher walks every queue"), 10ms, 1min),
        SettingSpec::integer(QStringLiteral("matchmaking-initial-window"), qint64(d.initialWindow),
                             QStringLiteral("Level spread a new ticket accepts"), 0, 1000000),
        SettingSpec::integer(QStringLiteral("matchmaking-widen-per-second"), qint64(d.widenPerSecond),
                             QStringLiteral("Levels the window widens by per second of waiting"), 0, 1000000),
        SettingSpec::integer(QStringLiteral("matchmaking-max-window"), qint64(d.maxWindow),
                             QStringLiteral("Widest level spread a ticket ever accepts"), 0, 1000000),
        SettingSpec::duration(QStringLiteral("matchmaking-max-wait"), d.maxWait,
                              QStringLiteral("Tickets waiting longer are removed by the cleanup sweep "
                                             "(queue_cancelled reason timeout); 0 keeps them"),
                              0ms, 24h),
        SettingSpec::stringList(QStringLiteral("matchmaking-room-types"), {},
                                QStringLiteral("Room types players may queue for; empty allows any")),
    };
}

MatchmakerSettings MatchmakerSettings::fromConfig(const Config &config)
{
    MatchmakerSettings s;
    s.interval = config.duration(QStringLiteral("matchmaking-interval"));
    s.initialWindow = double(config.intValue(QStringLiteral("matchmaking-initial-window")));
    s.widenPerSecond = double(config.intValue(QStringLiteral("matchmaking-widen-per-second")));
    s.maxWindow = double(config.intValue(QStringLiteral("matchmaking-max-window")));
    s.maxWait = config.duration(QStringLiteral("matchmaking-max-wait"));
    s.roomTypes = config.stringList(QStringLiteral("matchmaking-room-types"));
    return s;
}

} // namespace arena
