// Logging category of the IPC layer between arena-server and its workers.
#pragma once

#include <QLoggingCategory>

namespace arena::ipc {

// "arena.shared.ipc"
Q_DECLARE_LOGGING_CATEGORY(lcIpc)

} // namespace arena::ipc
