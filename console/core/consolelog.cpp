#include "console/core/consolelog.h"

namespace arena::console {

Q_LOGGING_CATEGORY(lcConsoleCore, "arena.console.core")

} // namespace arena::console
