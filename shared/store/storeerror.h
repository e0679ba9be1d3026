// storeErrorFromRedis: the error codes every StateStore reports, derived from Redis' error text.
#pragma once

#include "shared/result.h"

#include <QByteArray>

namespace arena {

// Maps a Redis error message to the error codes every StateStore reports, so both backends agree:
//   "WRONGTYPE ..."                                         -> "wrong_type"
//   "ERR value is not an integer...", "ERR hash value is not an integer" -> "not_integer"
//   "ERR increment or decrement would overflow"             -> "overflow"
//   "ERR wrong number of arguments...", "ERR invalid expire time...", "ERR value is not a valid
//   float", "ERR min or max is not a float", "ERR ... NaN"  -> "invalid_argument"
//   anything else                                           -> "command_error"
// The message is kept as Redis wrote it.
Error storeErrorFromRedis(const QByteArray &message);

} // namespace arena
