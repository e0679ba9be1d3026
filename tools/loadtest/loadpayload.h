// LoadPayload: the data of arena-loadtest's room messages — send time, sequence number, sender.
#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QtGlobal>

#include <optional>

namespace arena {

// Written as compact JSON, {"t":<ns>,"s":<seq>,"c":<client>} plus "p" padding when asked. A relay room
// forwards data byte for byte, so the receiver reads it back with a fixed-format scan instead of a
// JSON parser: the load generator shares two cores with the server and must stay cheap.
struct LoadPayload
{
    qint64 sentNs = 0; // the generator's monotonic clock when the message was sent
    quint64 seq = 0;   // per sender, from 1
    int client = 0;    // sender's index

    QByteArray toJson(int paddingBytes = 0) const;
    // Reads what toJson() wrote; nullopt for any other JSON (events of other senders or room logic).
    static std::optional<LoadPayload> fromJson(QByteArrayView json);

    friend bool operator==(const LoadPayload &, const LoadPayload &) = default;
};

} // namespace arena
