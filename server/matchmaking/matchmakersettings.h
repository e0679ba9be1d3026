// MatchmakerSettings: the matchmaker's tunables, their setting specs and how they are read from a Config.
#pragma once

#include "shared/core/settingspec.h"
#include "shared/result.h"

#include <QList>
#include <QStringList>

#include <chrono>

namespace arena {

class Config;

struct MatchmakerSettings
{
    // How often the matcher walks every queue; 0 registers no periodic task (runMatching() only).
    std::chrono::milliseconds interval{250};
    // Level window of a ticket: min(initialWindow + widenPerSecond * seconds waited, maxWindow).
    // A group forms when the spread of its levels (highest - lowest) is within its oldest ticket's window.
    double initialWindow = 50;
    double widenPerSecond = 10;
    double maxWindow = 250;
    // Tickets waiting longer are removed by removeStale() (reason "timeout"); 0 = never.
    std::chrono::milliseconds maxWait{std::chrono::minutes(10)};
    int maxLevel = 1000;   // levels are 0..maxLevel
    int maxTeamSize = 8;   // team sizes are 1..maxTeamSize
    // Tickets one script call examines, bounding how long it holds Redis; a pass calls again until
    // the whole queue was walked.
    int anchorsPerCall = 256;
    // Room types that may be queued for; empty allows any well-formed one.
    QStringList roomTypes;

    // Checks ranges and relations (windows non-negative, maxWindow >= initialWindow, ...).
    // Error code "invalid_config".
    Result<void> validate() const;

    // The matchmaking-* settings arena-server adds to its spec list.
    static QList<SettingSpec> specs();
    // Reads those settings from a loaded Config that declared specs().
    static MatchmakerSettings fromConfig(const Config &config);
};

} // namespace arena
