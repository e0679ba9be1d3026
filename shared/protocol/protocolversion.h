// ProtocolVersion: the version of the player and admin wire protocols (hello/welcome, auth_ok).
#pragma once

#include <QtGlobal>

namespace arena::protocol {

// Bumped on any change an existing peer could not decode (a new required field, a new message a peer
// must understand, a renamed field). Adding an optional field or a message only sent on request is not a bump.
inline constexpr quint32 ProtocolVersion = 1;

} // namespace arena::protocol
