#include "server/cluster/instancebus.h"

#include "shared/core/metricsregistry.h"
#include "shared/store/statestore.h"

#include <QLoggingCategory>
#include <QMetaObject>
#include <QRandomGenerator>
#include <QtEndian>

namespace arena {

Q_LOGGING_CATEGORY(lcBus, "arena.server.bus")

namespace {

constexpr char Magic[] = {'A', 'B', '1'};

template <typename T>
void put(QByteArray &out, T value)
{
    char bytes[sizeof(T)];
    qToBigEndian(value, bytes);
    out.append(bytes, sizeof(T));
}

template <typename T>
bool take(const QByteArray &in, qsizetype &pos, T &value)
{
    if (in.size() - pos < qsizetype(sizeof(T)))
        return false;
    value = qFromBigEndian<T>(in.constData() + pos);
    pos += sizeof(T);
    return true;
}

} // namespace

QByteArray InstanceBus::channel(const QString &instanceId)
{
    return "events:" + instanceId.toUtf8();
}

InstanceBus::InstanceBus(StateStore &store, QString instanceId, MetricsRegistry *metrics, QObject *parent)
    : QObject(parent), m_store(store), m_instanceId(std::move(instanceId)), m_channel(channel(m_instanceId)),
      m_incarnation(QRandomGenerator::system()->generate64() | 1) // never 0, which means "not seen yet"
{
    if (metrics) {
        m_published = &metrics->counter(QStringLiteral("arena_bus_publishes_total"),
                                        QStringLiteral("Publishes to other instances on the instance bus")).labels({});
        auto &records = metrics->counter(QStringLiteral("arena_bus_records_total"),
                                         QStringLiteral("Records carried by the instance bus"),
                                         {QStringLiteral("direction")});
        m_recordsOut = &records.labels({QStringLiteral("out")});
        m_recordsIn = &records.labels({QStringLiteral("in")});
        m_gaps = &metrics->counter(QStringLiteral("arena_bus_gaps_total"),
                                   QStringLiteral("Publishes from other instances found missing (link sequence gaps) "
                                                  "or restarted senders"))
                      .labels({});
        m_undeliverable = &metrics->counter(QStringLiteral("arena_bus_undeliverable_total"),
                                            QStringLiteral("Publishes no instance received"))
                               .labels({});
    }
    connect(&m_store, &StateStore::message, this, &InstanceBus::onMessage);
    connect(&m_store, &StateStore::resubscribed, this, &InstanceBus::resubscribed);
    m_store.subscribe(m_channel);
}

InstanceBus::~InstanceBus()
{
    m_store.unsubscribe(m_channel);
}

void InstanceBus::send(const QString &to, const QByteArray &record)
{
    Q_ASSERT(to != m_instanceId);
    m_pending[to].append(record);
    if (!m_flushQueued) {
        m_flushQueued = true;
        QMetaObject::invokeMethod(this, &InstanceBus::flush, Qt::QueuedConnection);
    }
}

void InstanceBus::flush()
{
    m_flushQueued = false;
    if (m_pending.isEmpty())
        return;
    const auto pending = std::exchange(m_pending, {});
    for (auto it = pending.begin(); it != pending.end(); ++it) {
        const QString to = it.key();
        const int count = int(it.value().size());
        const QByteArray payload = encodeEnvelope(m_instanceId, m_incarnation, ++m_sendSeq[to], it.value());
        if (m_published)
            m_published->inc();
        if (m_recordsOut)
            m_recordsOut->inc(count);
        m_store.publish(channel(to), payload, this, [this, to, records = it.value()](Result<qint64> receivers) {
            if (receivers.ok() && receivers.value() > 0)
                return;
            if (m_undeliverable)
                m_undeliverable->inc();
            if (!receivers.ok())
                qCDebug(lcBus) << "publish to" << to << "failed:" << receivers.error().message;
            emit undeliverable(to, records);
        });
    }
}

QByteArray InstanceBus::encodeEnvelope(const QString &from, quint64 incarnation, quint64 seq,
                                       const QList<QByteArray> &records)
{
    const QByteArray sender = from.toUtf8();
    qsizetype size = sizeof Magic + 1 + sender.size() + 8 + 8 + 4;
    for (const QByteArray &r : records)
        size += 4 + r.size();
    QByteArray out;
    out.reserve(size);
    out.append(Magic, sizeof Magic);
    put<quint8>(out, quint8(qMin<qsizetype>(sender.size(), 255)));
    out.append(sender.left(255));
    put<quint64>(out, incarnation);
    put<quint64>(out, seq);
    put<quint32>(out, quint32(records.size()));
    for (const QByteArray &r : records) {
        put<quint32>(out, quint32(r.size()));
        out.append(r);
    }
    return out;
}

bool InstanceBus::decodeEnvelope(const QByteArray &payload, Envelope &out)
{
    if (!payload.startsWith(QByteArrayView(Magic, sizeof Magic)))
        return false;
    qsizetype pos = sizeof Magic;
    quint8 senderSize = 0;
    if (!take(payload, pos, senderSize) || payload.size() - pos < senderSize)
        return false;
    out.from = QString::fromUtf8(payload.constData() + pos, senderSize);
    pos += senderSize;
    quint32 count = 0;
    if (!take(payload, pos, out.incarnation) || !take(payload, pos, out.seq) || !take(payload, pos, count))
        return false;
    // Every record takes at least its 4-byte length: refuse a count the payload cannot hold.
    if (qsizetype(count) > (payload.size() - pos) / 4)
        return false;
    out.records.clear();
    out.records.reserve(count);
    for (quint32 i = 0; i < count; ++i) {
        quint32 size = 0;
        if (!take(payload, pos, size) || payload.size() - pos < qsizetype(size))
            return false;
        out.records.append(payload.mid(pos, size));
        pos += size;
    }
    return pos == payload.size();
}

void InstanceBus::onMessage(const QByteArray &channel, const QByteArray &payload)
{
    if (channel != m_channel)
        return;
    Envelope envelope;
    if (!decodeEnvelope(payload, envelope) || envelope.from.isEmpty() || envelope.incarnation == 0) {
        qCWarning(lcBus) << "dropped a malformed publish on" << channel << "of" << payload.size() << "bytes";
        return;
    }
    if (envelope.from == m_instanceId && envelope.incarnation == m_incarnation)
        return; // never sent by us; ignore rather than loop
    Link &link = m_links[envelope.from];
    if (link.incarnation != envelope.incarnation) {
        const bool known = link.incarnation != 0;
        link = Link{envelope.incarnation, envelope.seq};
        if (known) {
            if (m_gaps)
                m_gaps->inc();
            emit peerRestarted(envelope.from);
        }
    } else if (envelope.seq <= link.lastSeq) {
        qCWarning(lcBus) << "dropped a repeated publish from" << envelope.from << "seq" << envelope.seq;
        return;
    } else {
        const quint64 missed = envelope.seq - link.lastSeq - 1;
        link.lastSeq = envelope.seq;
        if (missed > 0) {
            if (m_gaps)
                m_gaps->inc();
            emit linkBroken(envelope.from, missed);
        }
    }
    if (m_recordsIn)
        m_recordsIn->inc(double(envelope.records.size()));
    for (const QByteArray &record : std::as_const(envelope.records))
        emit received(envelope.from, record);
}

} // namespace arena
