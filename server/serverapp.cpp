#include "server/serverapp.h"

#include "server/adminapi.h"
#include "server/serverlog.h"
#include "shared/core/accesscontrol.h"
#include "shared/core/config.h"
#include "shared/redis/redispool.h"
#include "shared/store/memorystore.h"
#include "shared/store/redisstore.h"

#include <QCoreApplication>
#include <QHostInfo>
#include <QJsonArray>
#include <QTimer>

#include <unistd.h>

Q_LOGGING_CATEGORY(lcServer, "arena.server.app")

namespace arena {

ServerApp::ServerApp(QObject *parent) : QObject(parent)
{
    m_startedAt = QDateTime::currentDateTimeUtc();
    m_uptime.start();
}

ServerApp::~ServerApp()
{
    m_tasks.cancelAll();
}

Result<void> ServerApp::init(const Config &config)
{
    m_instanceId = config.stringValue(QStringLiteral("instance-id"));
    if (m_instanceId.isEmpty())
        m_instanceId = QHostInfo::localHostName() + QLatin1Char('-') + QString::number(::getpid());
    m_storeCheckInterval = config.duration(QStringLiteral("store-check-interval"));
    m_shutdownDeadline = config.duration(QStringLiteral("shutdown-deadline"));

    AccessControl access;
    const QString tokenFile = config.stringValue(QStringLiteral("admin-token-file"));
    if (!tokenFile.isEmpty()) {
        auto loaded = AccessControl::fromTokenFile(tokenFile);
        if (!loaded.ok())
            return loaded.error();
        access = loaded.value();
    } else {
        qCWarning(lcServer) << "no --admin-token-file: the admin API serves loopback clients only, as operator";
    }

    const QUrl redisUrl = config.urlValue(QStringLiteral("redis"));
    if (redisUrl.isEmpty()) {
        m_store = new MemoryStore(this);
    } else {
        auto options = RedisOptions::fromUrl(redisUrl.toString());
        if (!options.ok())
            return options.error();
        options.value().clientName = "arena-server:" + m_instanceId.toUtf8();
        options.value().connectTimeout = config.duration(QStringLiteral("redis-connect-timeout"));
        options.value().commandTimeout = config.duration(QStringLiteral("redis-command-timeout"));
        m_redisStore = new RedisStore(options.value(), config.stringValue(QStringLiteral("redis-prefix")).toUtf8(),
                                      int(config.intValue(QStringLiteral("redis-pool-size"))), this);
        m_store = m_redisStore;
        connect(m_store, &StateStore::availabilityChanged, this, [this](bool available) {
            if (available)
                qCInfo(lcServer) << "store available again";
            else
                qCWarning(lcServer) << "store unavailable: serving this instance's players alone until it is back";
        });
        m_redisStore->open();
        qCInfo(lcServer) << "store: Redis at" << options.value().displayUrl();
    }

    registerMetrics();

    auto task = m_tasks.everyAsync(QStringLiteral("store-check"), m_storeCheckInterval,
                                   [this](TaskRegistry::Done done) { checkStore(std::move(done)); });
    if (!task.ok())
        return task.error();
    // A first check right away, so /health has a figure before the first interval passes.
    (void)m_tasks.runNow(QStringLiteral("store-check"));

    m_admin = new AdminApi(access,
                           AdminApi::Sources{
                               [this] { return health(); },
                               [this] { return !m_shuttingDown; },
                               [this] { return m_metrics.exposition(); },
                           },
                           this);
    QHostAddress bind;
    if (!bind.setAddress(config.stringValue(QStringLiteral("bind"))))
        return Error{QStringLiteral("invalid_config"),
                     QStringLiteral("bind: \"%1\" is not an IP address").arg(config.stringValue(QStringLiteral("bind")))};
    auto port = m_admin->listen(bind, quint16(config.intValue(QStringLiteral("admin-port"))));
    if (!port.ok())
        return port.error();
    return {};
}

void ServerApp::registerMetrics()
{
    const QString backend = m_store->backendName();
    m_metrics.gauge(QStringLiteral("arena_build_info"), QStringLiteral("Build information (always 1)"),
                    {QStringLiteral("version"), QStringLiteral("instance")})
        .labels({QStringLiteral(ARENA_VERSION), m_instanceId})
        .set(1);
    m_metrics.callbackGauge(QStringLiteral("arena_uptime_seconds"), QStringLiteral("Seconds since the instance started"),
                            [this] { return m_uptime.elapsed() / 1000.0; });
    m_metrics.callbackGauge(QStringLiteral("arena_store_available"),
                            QStringLiteral("1 while the state store can serve, 0 while it cannot"),
                            [this] { return m_store->isAvailable() ? 1.0 : 0.0; });
    m_storeRoundTrip = &m_metrics
                            .histogram(QStringLiteral("arena_store_roundtrip_seconds"),
                                       QStringLiteral("Round trip of the periodic store check (write and read back)"),
                                       {QStringLiteral("backend")}, MetricsRegistry::exponentialBuckets(0.0001, 4, 8))
                            .labels({backend});
    m_storeCheckFailures = &m_metrics
                                .counter(QStringLiteral("arena_store_check_failures_total"),
                                         QStringLiteral("Periodic store checks that failed"), {QStringLiteral("backend")})
                                .labels({backend});
    if (m_redisStore) {
        const auto pool = [this] { return m_redisStore->pool()->stats(); };
        m_metrics.callbackGauge(QStringLiteral("arena_redis_pool_connections"), QStringLiteral("Redis connections kept"),
                                [pool] { return double(pool().total); });
        m_metrics.callbackGauge(QStringLiteral("arena_redis_pool_idle"),
                                QStringLiteral("Connected Redis connections with nothing in flight"),
                                [pool] { return double(pool().idle); });
        m_metrics.callbackGauge(QStringLiteral("arena_redis_pool_waiting"),
                                QStringLiteral("Commands waiting for a Redis connection"),
                                [pool] { return double(pool().waiting); });
        m_metrics.callbackGauge(QStringLiteral("arena_redis_pool_failed_connects"),
                                QStringLiteral("Failed Redis connection attempts since start"),
                                [pool] { return double(pool().failed); });
    }
}

void ServerApp::checkStore(TaskRegistry::Done done)
{
    // Write a short-lived key and read it back: proves the store serves, and measures the round trip.
    const QByteArray key = "health:" + m_instanceId.toUtf8();
    const QByteArray stamp = QByteArray::number(QDateTime::currentMSecsSinceEpoch());
    auto timer = std::make_shared<QElapsedTimer>();
    timer->start();
    const auto fail = [this, done](const Error &e) {
        m_lastStoreCheck = QDateTime::currentDateTimeUtc();
        m_lastStoreError = e.message;
        m_storeCheckFailures->inc();
        done(e);
    };
    m_store->set(key, stamp, 3 * m_storeCheckInterval.count(), StateStore::SetMode::Always, this,
                 [this, key, stamp, timer, done, fail](Result<bool> written) {
        if (!written.ok()) {
            fail(written.error());
            return;
        }
        m_store->get(key, this, [this, stamp, timer, done, fail](Result<std::optional<QByteArray>> read) {
            if (!read.ok()) {
                fail(read.error());
                return;
            }
            if (read.value() != stamp) {
                fail(Error{QStringLiteral("inconsistent"), QStringLiteral("the store returned another value")});
                return;
            }
            const double seconds = double(timer->nsecsElapsed()) / 1e9;
            m_lastStoreCheck = QDateTime::currentDateTimeUtc();
            m_lastStoreRoundTripMs = seconds * 1000.0;
            m_lastStoreError.clear();
            m_storeRoundTrip->observe(seconds);
            done(Result<void>());
        });
    });
}

QJsonObject ServerApp::health() const
{
    const bool storeOk = m_store->isAvailable() && m_lastStoreError.isEmpty();
    QJsonObject store{
        {QStringLiteral("backend"), m_store->backendName()},
        {QStringLiteral("available"), m_store->isAvailable()},
        {QStringLiteral("lastCheck"), m_lastStoreCheck.isValid() ? m_lastStoreCheck.toString(Qt::ISODateWithMs)
                                                                 : QString()},
        {QStringLiteral("roundTripMs"), m_lastStoreRoundTripMs},
        {QStringLiteral("lastError"), m_lastStoreError},
    };
    if (m_redisStore) {
        const RedisPool::Stats s = m_redisStore->pool()->stats();
        store.insert(QStringLiteral("pool"), QJsonObject{
            {QStringLiteral("total"), s.total},
            {QStringLiteral("connected"), s.connected},
            {QStringLiteral("idle"), s.idle},
            {QStringLiteral("busy"), s.busy},
            {QStringLiteral("inFlight"), s.inFlight},
            {QStringLiteral("waiting"), s.waiting},
            {QStringLiteral("failed"), qint64(s.failed)},
            {QStringLiteral("reconnects"), qint64(s.reconnects)},
            {QStringLiteral("timeouts"), qint64(s.timeouts)},
        });
    }
    QString status = QStringLiteral("ok");
    if (m_shuttingDown)
        status = QStringLiteral("shutting_down");
    else if (!storeOk)
        status = QStringLiteral("degraded");
    return QJsonObject{
        {QStringLiteral("status"), status},
        {QStringLiteral("instance"), m_instanceId},
        {QStringLiteral("version"), QStringLiteral(ARENA_VERSION)},
        {QStringLiteral("startedAt"), m_startedAt.toString(Qt::ISODateWithMs)},
        {QStringLiteral("uptimeSeconds"), double(m_uptime.elapsed()) / 1000.0},
        {QStringLiteral("pid"), qint64(::getpid())},
        {QStringLiteral("store"), store},
        {QStringLiteral("tasks"), m_tasks.toJson()},
    };
}

quint16 ServerApp::adminPort() const
{
    return m_admin ? m_admin->port() : 0;
}

QString ServerApp::readyLine() const
{
    return QStringLiteral("arena-server ready admin=%1 instance=%2 store=%3")
        .arg(adminPort())
        .arg(m_instanceId, m_store->backendName());
}

void ServerApp::shutdown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true;
    qCInfo(lcServer) << "shutting down";
    m_tasks.cancelAll();
    // Drop this instance's own keys, then finish; the deadline bounds the wait when the store hangs.
    auto finishOnce = std::make_shared<bool>(false);
    const auto finish = [this, finishOnce] {
        if (std::exchange(*finishOnce, true))
            return;
        emit finished();
    };
    QTimer::singleShot(m_shutdownDeadline, this, [finish] {
        qCWarning(lcServer) << "shutdown deadline passed; exiting without waiting for the store";
        finish();
    });
    m_store->del({"health:" + m_instanceId.toUtf8()}, this, [finish](Result<qint64> r) {
        if (!r.ok())
            qCWarning(lcServer) << "could not remove this instance's keys:" << r.error().message;
        finish();
    });
}

} // namespace arena
