// Frame: the wire format of Arena's local IPC (a 4-byte big-endian length, then one CBOR map).
#pragma once

#include <QByteArray>
#include <QCborMap>
#include <QtGlobal>

namespace arena::ipc {

// Bytes of the length header that precedes every payload.
inline constexpr qsizetype FrameHeaderBytes = 4;
// Largest payload a decoder accepts unless told otherwise: generous for any one message between the
// server and a worker, while bounding what a confused peer can make the other end buffer.
inline constexpr qsizetype DefaultMaxFrameBytes = 16 * 1024 * 1024;
// What the 32-bit length header can express.
inline constexpr qsizetype MaxEncodableFrameBytes = qsizetype(0xFFFFFFFFu);

// Header and payload of one frame. Returns an empty array when the map encodes to more than
// MaxEncodableFrameBytes (no valid frame is ever empty, so callers can tell).
QByteArray encodeFrame(const QCborMap &map);

} // namespace arena::ipc
