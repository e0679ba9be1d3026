// Logging category of the console's data layer (models, histories, event detection).
#pragma once

#include <QLoggingCategory>

namespace arena::console {

Q_DECLARE_LOGGING_CATEGORY(lcConsoleCore)

} // namespace arena::console
