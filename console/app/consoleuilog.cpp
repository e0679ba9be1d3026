#include "console/app/consoleuilog.h"

namespace arena::console {

Q_LOGGING_CATEGORY(lcConsoleUi, "arena.console.ui")

} // namespace arena::console
