// Hand-made frames for the IPC tests: any payload (valid CBOR or not) behind a length header.
#pragma once

#include "shared/ipc/frame.h"

#include <QByteArray>
#include <QCborMap>
#include <QString>
#include <QtEndian>

namespace arena::ipc::testdata {

inline QByteArray headerOnly(quint32 length)
{
    QByteArray header(FrameHeaderBytes, '\0');
    qToBigEndian(length, header.data());
    return header;
}

inline QByteArray rawFrame(const QByteArray &payload)
{
    return headerOnly(quint32(payload.size())) + payload;
}

inline QCborMap numbered(qint64 seq)
{
    return QCborMap{{QStringLiteral("type"), QStringLiteral("tick")}, {QStringLiteral("seq"), seq}};
}

} // namespace arena::ipc::testdata
