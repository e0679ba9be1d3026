// InstanceBus: this instance's link to the other instances over the store's publish/subscribe — one
// channel per instance (`events:<id>`), never one per room (docs/OPERATIONS.md, "Instance bus").
//
// Records for one instance queued during one event-loop turn leave as one PUBLISH. Every publish on a
// link (this sender → one receiver) carries the next number of that link and the sender's incarnation
// (a random number drawn when the bus starts), so a receiver notices:
//  - a gap: a lost publish, e.g. while its subscriber was reconnecting (linkBroken);
//  - a restarted sender: a new incarnation, whose earlier state is gone (peerRestarted).
// A publish nobody received (the target is not subscribed: dead, or between subscriber connections)
// is reported as undeliverable. The records themselves are opaque bytes to the bus.
#pragma once

#include <QByteArray>
#include <QHash>
#include <QList>
#include <QObject>
#include <QString>

namespace arena {

class Counter;
class MetricsRegistry;
class StateStore;

class InstanceBus final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(InstanceBus)

public:
    static QByteArray channel(const QString &instanceId); // events:<id>

    // `store` (and `metrics`, when given) must outlive the bus. Subscribes at once.
    InstanceBus(StateStore &store, QString instanceId, MetricsRegistry *metrics = nullptr, QObject *parent = nullptr);
    ~InstanceBus() override;

    const QString &instanceId() const { return m_instanceId; }
    quint64 incarnation() const { return m_incarnation; }

    // Queues one record for `to` (never this instance); it leaves with the others of this turn.
    void send(const QString &to, const QByteArray &record);
    // Publishes everything queued now (also done by itself at the end of the turn).
    void flush();

    // What the bus has seen of one sender.
    struct Link
    {
        quint64 incarnation = 0;
        quint64 lastSeq = 0;
    };
    Link link(const QString &from) const { return m_links.value(from); }

    // One envelope: sender, incarnation, link sequence number and records.
    static QByteArray encodeEnvelope(const QString &from, quint64 incarnation, quint64 seq,
                                     const QList<QByteArray> &records);
    struct Envelope
    {
        QString from;
        quint64 incarnation = 0;
        quint64 seq = 0;
        QList<QByteArray> records;
    };
    // False for anything that is not a whole envelope.
    static bool decodeEnvelope(const QByteArray &payload, Envelope &out);

Q_SIGNALS:
    // One record from another instance, in the order it was sent.
    void received(const QString &from, const QByteArray &record);
    // Publishes from `from` were lost (`missed` of them) before the one just received.
    void linkBroken(const QString &from, quint64 missed);
    // `from` started anew since its last message (its incarnation changed): whatever it held is gone.
    void peerRestarted(const QString &from);
    // A publish to `to` reached no subscriber: `records` are the records it carried.
    void undeliverable(const QString &to, const QList<QByteArray> &records);
    // The subscription was set up again after a lost connection: anything may have been missed.
    void resubscribed();

private:
    void onMessage(const QByteArray &channel, const QByteArray &payload);

    StateStore &m_store;
    QString m_instanceId;
    QByteArray m_channel;
    quint64 m_incarnation;
    QHash<QString, QList<QByteArray>> m_pending; // records per target, this turn
    QHash<QString, quint64> m_sendSeq;           // last sequence number used per target
    QHash<QString, Link> m_links;                // per sender
    bool m_flushQueued = false;
    Counter *m_published = nullptr;
    Counter *m_recordsOut = nullptr;
    Counter *m_recordsIn = nullptr;
    Counter *m_gaps = nullptr;
    Counter *m_undeliverable = nullptr;
};

} // namespace arena
