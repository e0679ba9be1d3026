// The settings arena-agent reads (command line, ARENA_* environment, --config INI file).
#pragma once

#include "shared/core/settingspec.h"

#include <QList>

namespace arena {

QList<SettingSpec> agentSettings();

} // namespace arena
