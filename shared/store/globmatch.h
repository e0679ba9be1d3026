// globMatch: Redis's glob-style key pattern matching (its stringmatchlen), used by MemoryData::scan.
#pragma once

#include <QByteArrayView>

namespace arena {

// True when `string` matches `pattern` exactly as Redis's SCAN MATCH / KEYS decide it: `*` (any run),
// `?` (one byte), `[abc]`, `[^abc]`, `[a-z]` (ends in either order) and `\x` (a literal x, also inside
// brackets). Case-sensitive and bytewise; an unterminated `[...` runs to the end of the pattern.
bool globMatch(QByteArrayView pattern, QByteArrayView string);

} // namespace arena
