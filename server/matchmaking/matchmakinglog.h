// Logging category of the matchmaking module: arena.server.matchmaking.
#pragma once

#include <QLoggingCategory>

namespace arena {

Q_DECLARE_LOGGING_CATEGORY(lcMatchmaking)

} // namespace arena
