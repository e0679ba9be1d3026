// FrameDecoder: incremental decoder of IPC frames (length header + one CBOR map) from a byte stream.
#pragma once

#include "shared/ipc/frame.h"
#include "shared/result.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QCborMap>

#include <optional>

namespace arena::ipc {

// Bytes go in with append() as they arrive, in chunks of any size; next() then hands out one whole
// frame at a time:
//   a map      the next frame's payload
//   nullopt    the buffered bytes do not hold a whole frame yet
//   an Error   the stream is broken, with one of these codes:
//     "frame_too_large"  the header announces more than maxFrameBytes() (refused from the header
//                        alone, before any of the payload is buffered)
//     "invalid_cbor"     the payload is empty, truncated or otherwise not valid CBOR
//     "not_a_map"        the payload is valid CBOR but its top-level item is not a map
//     "trailing_bytes"   the map ends before the payload does
// A length-prefixed stream cannot resynchronise after a bad frame, so the first error is final: every
// later next() returns it again and append() discards its input.
class FrameDecoder final
{
public:
    explicit FrameDecoder(qsizetype maxFrameBytes = DefaultMaxFrameBytes);

    void append(QByteArrayView bytes);
    Result<std::optional<QCborMap>> next();

    // The largest payload accepted (the frame header not included). A change applies to every frame
    // not yet handed out, including one whose start is already buffered.
    qsizetype maxFrameBytes() const { return m_maxFrameBytes; }
    void setMaxFrameBytes(qsizetype bytes) { m_maxFrameBytes = bytes; }

    bool hasFailed() const { return m_error.has_value(); }
    // Appended bytes not yet handed out as frames.
    qsizetype bufferedBytes() const { return m_buffer.size() - m_pos; }

private:
    Result<std::optional<QCborMap>> fail(Error error);

    // Frames are consumed by advancing m_pos; the consumed front is dropped only when it is at least
    // as large as what remains, so each byte is moved O(1) times however the stream is chunked.
    QByteArray m_buffer;
    qsizetype m_pos = 0;
    qsizetype m_maxFrameBytes;
    std::optional<Error> m_error;
};

} // namespace arena::ipc
