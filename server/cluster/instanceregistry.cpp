#include "server/cluster/instanceregistry.h"

#include "server/cluster/registryoperations.h"

#include <QCoreApplication>
#include <QHostInfo>
#include <QLoggingCategory>
#include <QRandomGenerator>

namespace arena {

Q_LOGGING_CATEGORY(lcCluster, "arena.server.cluster")

QByteArray InstanceRegistry::recordKey(const QString &instanceId)
{
    return "instance:{" + instanceId.toUtf8() + '}';
}

QByteArray InstanceRegistry::epochKey(const QString &instanceId)
{
    return recordKey(instanceId) + ":epoch";
}

QByteArray InstanceRegistry::indexKey()
{
    return QByteArrayLiteral("instances");
}

QByteArray InstanceRegistry::sessionsIndexKey(const QString &instanceId)
{
    return "instance:" + instanceId.toUtf8() + ":sessions";
}

QByteArray InstanceRegistry::roomsIndexKey(const QString &instanceId)
{
    return "instance:" + instanceId.toUtf8() + ":rooms";
}

InstanceRegistry::InstanceRegistry(StateStore &store, Settings settings, QObject *parent)
    : QObject(parent), m_store(store), m_settings(std::move(settings))
{
    if (m_settings.renewInterval.count() <= 0)
        m_settings.renewInterval = std::max(std::chrono::milliseconds(1), m_settings.leaseTtl / 3);
    m_process = QHostInfo::localHostName().toUtf8() + ':' + QByteArray::number(QCoreApplication::applicationPid())
        + ':' + QByteArray::number(QRandomGenerator::global()->generate64(), 16);
    RegistryOperations::registerAll(m_store);
    m_timer.setInterval(m_settings.renewInterval);
    connect(&m_timer, &QTimer::timeout, this, &InstanceRegistry::tick);
}

InstanceRegistry::~InstanceRegistry() = default;

QString InstanceRegistry::stateName(State state)
{
    switch (state) {
    case State::Unregistered: return QStringLiteral("unregistered");
    case State::Held: return QStringLiteral("held");
    case State::Unconfirmed: return QStringLiteral("unconfirmed");
    case State::Lost: return QStringLiteral("lost");
    }
    return {};
}

QJsonObject InstanceRegistry::toJson() const
{
    QJsonObject out{{QStringLiteral("state"), stateName(m_state)},
                    {QStringLiteral("epoch"), m_epoch},
                    {QStringLiteral("ttl_ms"), qint64(m_settings.leaseTtl.count())},
                    {QStringLiteral("lost"), qint64(m_lostCount)}};
    if (m_renewedAt.isValid())
        out.insert(QStringLiteral("renewed_at"), m_renewedAt.toString(Qt::ISODateWithMs));
    if (m_leaseUntilMs > 0)
        out.insert(QStringLiteral("lease_until"),
                   QDateTime::fromMSecsSinceEpoch(m_leaseUntilMs, Qt::UTC).toString(Qt::ISODateWithMs));
    if (!m_error.isEmpty())
        out.insert(QStringLiteral("error"), m_error);
    return out;
}

void InstanceRegistry::start(std::function<void(Result<qint64>)> done)
{
    m_running = true;
    m_timer.start();
    registerNow(std::move(done));
}

void InstanceRegistry::stop(std::function<void()> done)
{
    m_running = false;
    m_timer.stop();
    const qint64 epoch = m_epoch;
    const bool held = m_state == State::Held || m_state == State::Unconfirmed;
    setState(State::Unregistered);
    if (!held || epoch == 0) {
        if (done)
            done();
        return;
    }
    m_store.run(RegistryOperations::ReleaseName, {recordKey(m_settings.instanceId)}, {QByteArray::number(epoch)},
                this, [this, done](Result<Reply> released) {
        if (!released.ok())
            qCWarning(lcCluster) << "could not release the lease:" << released.error().message;
        m_store.zrem(indexKey(), {m_settings.instanceId.toUtf8()}, this, [done](Result<qint64>) {
            if (done)
                done();
        });
    });
}

StateStore::Args InstanceRegistry::leaseArgs(const QByteArray &first, qint64 nowMs) const
{
    StateStore::Args args{first, QByteArray::number(qint64(m_settings.leaseTtl.count())),
                          QByteArray::number(nowMs + m_settings.leaseTtl.count())};
    const StateStore::Fields load = m_load ? m_load() : StateStore::Fields();
    for (auto it = load.cbegin(); it != load.cend(); ++it)
        args << it.key() << it.value();
    return args;
}

void InstanceRegistry::registerNow(std::function<void(Result<qint64>)> done)
{
    m_busy = true;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    StateStore::Args args = leaseArgs(m_process, now);
    args.insert(3, QByteArray::number(m_epoch + 1)); // never an epoch this process had before
    for (auto it = m_settings.info.cbegin(); it != m_settings.info.cend(); ++it)
        args << it.key() << it.value();
    const QString id = m_settings.instanceId;
    m_store.run(RegistryOperations::RegisterName, {recordKey(id), epochKey(id)}, args, this,
                [this, done, now](Result<Reply> reply) {
        m_busy = false;
        const auto finish = [&done](Result<qint64> result) {
            if (done)
                done(std::move(result));
        };
        if (!m_running)
            return finish(Error{QStringLiteral("stopped"), QStringLiteral("the registry was stopped")});
        if (!reply.ok()) {
            m_error = reply.error().message;
            if (m_state == State::Held)
                setState(State::Unconfirmed);
            return finish(reply.error());
        }
        const QList<Reply> &parts = reply->elements();
        if (parts.size() != 2 || !parts[0].toInteger()) {
            m_error = QStringLiteral("inst.register answered something unexpected");
            return finish(Error{QStringLiteral("internal"), m_error});
        }
        if (*parts[0].toInteger() == 0) {
            m_error = QStringLiteral("instance id %1 is held by another live process (%2)")
                          .arg(m_settings.instanceId, QString::fromUtf8(parts[1].bytes()));
            // Someone else is this instance id: no new work here until the id is ours again (at start,
            // the server exits on this instead).
            if (m_epoch == 0)
                setState(State::Lost); // never held: nothing was lost, but no new work either
            else if (m_state != State::Lost)
                lose(m_error);
            return finish(Error{QStringLiteral("in_use"), m_error});
        }
        const qint64 previous = m_epoch;
        m_epoch = parts[1].toInteger().value_or(0);
        m_sinceRenew.start();
        m_renewedAt = QDateTime::fromMSecsSinceEpoch(now, Qt::UTC);
        m_leaseUntilMs = now + m_settings.leaseTtl.count();
        m_error.clear();
        m_store.zadd(indexKey(), {{m_settings.instanceId.toUtf8(), double(m_leaseUntilMs)}}, this, [](Result<qint64>) {});
        if (previous == 0)
            qCInfo(lcCluster).noquote() << "registered in the fleet as" << m_settings.instanceId << "epoch" << m_epoch;
        else
            qCWarning(lcCluster).noquote() << "registered again as" << m_settings.instanceId << "epoch" << m_epoch
                                          << "(was" << previous << ')';
        setState(State::Held);
        emit leaseAcquired(m_epoch);
        finish(m_epoch);
    });
}

void InstanceRegistry::renewNow()
{
    m_busy = true;
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    const qint64 epoch = m_epoch;
    m_store.run(RegistryOperations::RenewName, {recordKey(m_settings.instanceId)},
                leaseArgs(QByteArray::number(epoch), now), this, [this, now, epoch](Result<Reply> reply) {
        m_busy = false;
        if (!m_running || epoch != m_epoch)
            return;
        if (!reply.ok()) {
            m_error = reply.error().message;
            if (m_state == State::Held && !m_store.isAvailable())
                setState(State::Unconfirmed);
            return;
        }
        if (reply->toInteger().value_or(0) != 1) {
            lose(QStringLiteral("the lease record of epoch %1 is gone or taken over").arg(epoch));
            registerNow({});
            return;
        }
        m_sinceRenew.start();
        m_renewedAt = QDateTime::fromMSecsSinceEpoch(now, Qt::UTC);
        m_leaseUntilMs = now + m_settings.leaseTtl.count();
        m_error.clear();
        m_store.zadd(indexKey(), {{m_settings.instanceId.toUtf8(), double(m_leaseUntilMs)}}, this, [](Result<qint64>) {});
        setState(State::Held);
    });
}

void InstanceRegistry::tick()
{
    if (!m_running || m_busy)
        return;
    switch (m_state) {
    case State::Unregistered:
    case State::Lost:
        registerNow({});
        return;
    case State::Held:
    case State::Unconfirmed:
        // A whole TTL without a renewal while the store answers (the process was stopped, or its renewals
        // failed): the record has expired or is about to; whatever this instance writes now may race a
        // successor's view of it. Give the lease up and take a new one.
        if (m_sinceRenew.isValid() && m_sinceRenew.elapsed() >= m_settings.leaseTtl.count() && m_store.isAvailable()) {
            lose(QStringLiteral("no renewal for %1 ms (the lease TTL)").arg(m_sinceRenew.elapsed()));
            registerNow({});
            return;
        }
        if (m_store.isAvailable() || m_state == State::Held)
            renewNow();
        return;
    }
}

void InstanceRegistry::lose(const QString &why)
{
    ++m_lostCount;
    m_error = why;
    qCWarning(lcCluster).noquote() << "lost the fleet lease of epoch" << m_epoch << '-' << why
                                  << "- taking no new work until registered again";
    setState(State::Lost);
    emit leaseLost(m_epoch, why);
}

void InstanceRegistry::setState(State state)
{
    if (m_state == state)
        return;
    m_state = state;
    emit stateChanged(state);
}

} // namespace arena
