// Logging category of the console's widgets (main window, panels, dialogs).
#pragma once

#include <QLoggingCategory>

namespace arena::console {

Q_DECLARE_LOGGING_CATEGORY(lcConsoleUi)

} // namespace arena::console
