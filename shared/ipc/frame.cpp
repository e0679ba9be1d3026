#include "shared/ipc/frame.h"

#include <QCborValue>
#include <QtEndian>

#include <cstring>

namespace arena::ipc {

QByteArray encodeFrame(const QCborMap &map)
{
    // QCborStreamWriter on a QByteArray writes from its start (over anything already in it), so the
    // payload is encoded on its own and the header goes in front.
    const QByteArray payload = map.toCborValue().toCbor();
    if (payload.size() > MaxEncodableFrameBytes)
        return {};
    QByteArray frame(FrameHeaderBytes + payload.size(), Qt::Uninitialized);
    qToBigEndian(quint32(payload.size()), frame.data());
    std::memcpy(frame.data() + FrameHeaderBytes, payload.constData(), size_t(payload.size()));
    return frame;
}

} // namespace arena::ipc
