// Logging category of the room types (arena_rooms).
#pragma once

#include <QLoggingCategory>

Q_DECLARE_LOGGING_CATEGORY(lcRooms)
