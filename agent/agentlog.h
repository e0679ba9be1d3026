// Logging category of the agent's collection half: arena.agent.collect.
#pragma once

#include <QLoggingCategory>

namespace arena {

Q_DECLARE_LOGGING_CATEGORY(lcAgentCollect)

} // namespace arena
