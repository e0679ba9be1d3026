// Logging categories of the agent: arena.agent (serving, publishing, actions) and arena.agent.collect
// (the collection half).
#pragma once

#include <QLoggingCategory>

namespace arena {

Q_DECLARE_LOGGING_CATEGORY(lcAgent)
Q_DECLARE_LOGGING_CATEGORY(lcAgentCollect)

} // namespace arena
