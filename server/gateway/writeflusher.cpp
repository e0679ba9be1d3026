#include "server/gateway/writeflusher.h"

namespace arena {

void WriteFlusher::schedule(QWebSocket *socket)
{
    if (m_pending.empty())
        QMetaObject::invokeMethod(this, &WriteFlusher::flushAll, Qt::QueuedConnection);
    m_pending.emplace_back(socket);
}

void WriteFlusher::flushAll()
{
    // A flush can emit signals that send more; those start the next batch.
    const std::vector<QPointer<QWebSocket>> pending = std::exchange(m_pending, {});
    for (const QPointer<QWebSocket> &socket : pending) {
        if (socket) {
            socket->flush();
            ++m_flushes;
        }
    }
}

} // namespace arena
