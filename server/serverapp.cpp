#include "server/serverapp.h"

#include "server/adminapi.h"
#include "server/auditlog.h"
#include "server/auth/playerauth.h"
#include "server/cleanup/cleanupsweep.h"
#include "server/cluster/deadinstancesweep.h"
#include "server/cluster/instancebus.h"
#include "server/cluster/roomkeys.h"
#include "server/hosting/clusterrooms.h"
#include "server/cluster/instanceregistry.h"
#include "server/draincontrol.h"
#include "server/gateway/playergateway.h"
#include "server/hosting/roommanager.h"
#include "server/matchmaking/matchmaker.h"
#include "server/playerservice.h"
#include "server/rooms/roomtyperegistry.h"
#include "server/serverlog.h"
#include "server/tlsconfig.h"
#include "server/sessions/sessionmanager.h"
#include "server/workers/remoteroom.h"
#include "server/workers/workerhandle.h"
#include "server/workers/workerpool.h"
#include "shared/core/accesscontrol.h"
#include "shared/core/config.h"
#include "shared/redis/redispool.h"
#include "shared/store/memorystore.h"
#include "shared/store/redisstore.h"

#include <QCoreApplication>
#include <QEventLoop>
#include <QFileInfo>
#include <QHostInfo>
#include <QJsonDocument>
#include <QJsonArray>
#include <QPointer>
#include <QTimer>

#include <limits>

#include <unistd.h>

Q_LOGGING_CATEGORY(lcServer, "arena.server.app")

namespace arena {

using protocol::ErrorCode;

namespace {

// An integer parameter from the query (?key=N) or the JSON body ({"key": N}); none when absent or not a number.
std::optional<qint64> numberParameter(const AdminRequest &request, const QString &key)
{
    const QString fromQuery = request.query.queryItemValue(key);
    if (!fromQuery.isEmpty()) {
        bool ok = false;
        const qint64 v = fromQuery.toLongLong(&ok);
        return ok ? std::optional<qint64>(v) : std::nullopt;
    }
    const QJsonValue v = QJsonDocument::fromJson(request.body).object().value(key);
    return v.isDouble() ? std::optional<qint64>(v.toInteger()) : std::nullopt;
}

// A flag from the query (?key=1, ?key=true, ?key=0, ?key=false) or the JSON body ({"key": true}); false
// when absent, an error for anything else (a typo must not do the opposite of what was meant).
Result<bool> flagParameter(const AdminRequest &request, const QString &key)
{
    const auto invalid = [&key] {
        return protocol::toError(ErrorCode::BadRequest, QStringLiteral("%1 must be 1, 0, true or false").arg(key));
    };
    if (request.query.hasQueryItem(key)) {
        const QString v = request.query.queryItemValue(key);
        if (v == QLatin1String("1") || v == QLatin1String("true"))
            return true;
        if (v == QLatin1String("0") || v == QLatin1String("false"))
            return false;
        return invalid();
    }
    const QJsonValue v = QJsonDocument::fromJson(request.body).object().value(key);
    if (v.isUndefined() || v.isNull())
        return false;
    if (v.isBool())
        return v.toBool();
    if (v.isDouble() && (v.toDouble() == 0 || v.toDouble() == 1))
        return v.toDouble() == 1;
    return invalid();
}

} // namespace

ServerApp::ServerApp(QObject *parent) : QObject(parent)
{
    m_startedAt = QDateTime::currentDateTimeUtc();
    m_uptime.start();
}

ServerApp::~ServerApp()
{
    m_tasks.cancelAll();
    // QObject children are deleted after the members, but the player service uses m_tasks until it is
    // gone (its matchmaker cancels its task when destroyed): it goes first, after the gateway feeding it
    // and the drain acting on it.
    delete m_gateway;
    delete m_drain;
    delete m_players;
    delete m_bus; // unsubscribes from the store, which is deleted with the other children
}

Result<void> ServerApp::initStore(const Config &config)
{
    const QUrl redisUrl = config.urlValue(QStringLiteral("redis"));
    if (redisUrl.isEmpty()) {
        m_store = new MemoryStore(this);
        return {};
    }
    auto options = RedisOptions::fromUrl(redisUrl.toString());
    if (!options.ok())
        return options.error();
    options.value().clientName = "arena-server:" + m_instanceId.toUtf8();
    options.value().connectTimeout = config.duration(QStringLiteral("redis-connect-timeout"));
    options.value().commandTimeout = config.duration(QStringLiteral("redis-command-timeout"));
    m_redisStore = new RedisStore(options.value(), config.stringValue(QStringLiteral("redis-prefix")).toUtf8(),
                                  int(config.intValue(QStringLiteral("redis-pool-size"))), this);
    m_store = m_redisStore;
    connect(m_store, &StateStore::availabilityChanged, this, [](bool available) {
        if (available)
            qCInfo(lcServer) << "store available again";
        else
            qCWarning(lcServer) << "store unavailable: serving this instance's players alone until it is back";
    });
    m_redisStore->open();
    qCInfo(lcServer) << "store: Redis at" << options.value().displayUrl();
    return {};
}

Result<void> ServerApp::init(const Config &config)
{
    m_instanceId = config.stringValue(QStringLiteral("instance-id"));
    if (m_instanceId.isEmpty())
        m_instanceId = QHostInfo::localHostName() + QLatin1Char('-') + QString::number(::getpid());
    // The id is part of Redis keys (and a cluster hash tag: instance:{<id>}) and of SCAN patterns.
    static const QRegularExpression validId(QStringLiteral("^[A-Za-z0-9._-]{1,100}$"));
    if (!validId.match(m_instanceId).hasMatch())
        return Error{QStringLiteral("invalid_config"),
                     QStringLiteral("instance-id: \"%1\" may hold only letters, digits, '.', '_' and '-' (1 to 100)")
                         .arg(m_instanceId)};
    m_storeCheckInterval = config.duration(QStringLiteral("store-check-interval"));
    m_shutdownDeadline = config.duration(QStringLiteral("shutdown-deadline"));
    m_cleanupInterval = config.duration(QStringLiteral("cleanup-interval"));

    QHostAddress playerAddress;
    QHostAddress adminAddress;
    if (!playerAddress.setAddress(config.stringValue(QStringLiteral("bind"))))
        return Error{QStringLiteral("invalid_config"), QStringLiteral("bind: \"%1\" is not an IP address")
                                                           .arg(config.stringValue(QStringLiteral("bind")))};
    if (!adminAddress.setAddress(config.stringValue(QStringLiteral("admin-bind"))))
        return Error{QStringLiteral("invalid_config"), QStringLiteral("admin-bind: \"%1\" is not an IP address")
                                                           .arg(config.stringValue(QStringLiteral("admin-bind")))};

    // TLS for the player and admin ports: both files or neither.
    std::optional<QSslConfiguration> tls;
    const QString tlsCert = config.stringValue(QStringLiteral("tls-cert"));
    const QString tlsKey = config.stringValue(QStringLiteral("tls-key"));
    if (tlsCert.isEmpty() != tlsKey.isEmpty())
        return Error{QStringLiteral("invalid_config"), QStringLiteral("tls-cert and tls-key go together: give both or neither")};
    if (!tlsCert.isEmpty()) {
        auto loaded = loadServerTls(tlsCert, tlsKey);
        if (!loaded.ok())
            return loaded.error();
        tls = loaded.value();
    }
    const QString tlsPorts = config.stringValue(QStringLiteral("tls-ports"));
    const bool playerTls = tls && tlsPorts != QLatin1String("admin");
    const bool adminTls = tls && tlsPorts != QLatin1String("player");

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

    // With a token secret, every hello must carry a valid signed player token; without, players are anonymous.
    const QString secretFile = config.stringValue(QStringLiteral("player-token-secret-file"));
    const bool requireToken = !secretFile.isEmpty();
    if (requireToken) {
        auto auth = PlayerAuth::fromSecretFile(secretFile);
        if (!auth.ok())
            return auth.error();
        m_auth = std::make_unique<PlayerAuth>(std::move(auth.value()));
        m_auth->setClockSkew(std::chrono::duration_cast<std::chrono::seconds>(
            config.duration(QStringLiteral("player-token-clock-skew"))));
    }

    if (auto r = initStore(config); !r.ok())
        return r;
    registerMetrics();

    m_roomTypes = std::make_unique<RoomTypeRegistry>();
    if (auto r = registerBuiltinRoomTypes(*m_roomTypes); !r.ok())
        return r;
    // Test suites set this to get the test-only room types (e.g. one that blocks its worker).
    const bool testRoomTypes = qgetenv("ARENA_TEST_ROOM_TYPES") == "1";
    if (testRoomTypes) {
        if (auto r = registerTestRoomTypes(*m_roomTypes); !r.ok())
            return r;
        qCWarning(lcServer) << "ARENA_TEST_ROOM_TYPES=1: test-only room types are enabled";
    }

    SessionSettings sessionSettings;
    sessionSettings.sessionLimit = int(config.intValue(QStringLiteral("session-limit")));
    sessionSettings.idleTimeout = config.duration(QStringLiteral("session-idle-timeout"));
    sessionSettings.resumeGrace = config.duration(QStringLiteral("resume-grace"));
    sessionSettings.helloTimeout = config.duration(QStringLiteral("hello-timeout"));
    sessionSettings.heartbeat = config.duration(QStringLiteral("heartbeat-interval"));
    sessionSettings.requireToken = requireToken;
    ConnectionLimits limits;
    limits.maxMessageBytes = config.intValue(QStringLiteral("max-message-bytes"));
    limits.messagesPerSecond = double(config.intValue(QStringLiteral("messages-per-second")));
    limits.messageBurst = double(config.intValue(QStringLiteral("message-burst")));
    limits.maxOutboundBytes = config.intValue(QStringLiteral("max-outbound-bytes"));
    limits.decode.maxMessageBytes = limits.maxMessageBytes;
    const protocol::DecodeLimits &decodeLimits = limits.decode;
    sessionSettings.limits.maxMessageBytes = quint64(limits.maxMessageBytes);
    sessionSettings.limits.maxPayloadBytes = quint64(decodeLimits.maxPayloadBytes);
    sessionSettings.limits.maxPayloadDepth = quint32(decodeLimits.maxPayloadDepth);
    sessionSettings.limits.messagesPerSecond = quint32(limits.messagesPerSecond);

    sessionSettings.sweepInterval = m_cleanupInterval;
    auto mmSettings = MatchmakerSettings::fromConfig(config);
    if (mmSettings.roomTypes.isEmpty())
        mmSettings.roomTypes = m_roomTypes->names();
    for (const QString &type : std::as_const(mmSettings.roomTypes)) {
        if (!m_roomTypes->find(type))
            return Error{QStringLiteral("invalid_config"),
                         QStringLiteral("matchmaking-room-types: no room type named \"%1\"").arg(type)};
    }
    if (auto valid = mmSettings.validate(); !valid.ok())
        return valid.error();
    PlayerServiceSettings playerSettings;
    playerSettings.instanceId = m_instanceId;
    playerSettings.sessions = sessionSettings;
    playerSettings.matchmaking = mmSettings;
    playerSettings.auth = requireToken ? m_auth.get() : nullptr;
    m_players = new PlayerService(*m_store, m_tasks, m_metrics, *m_roomTypes, playerSettings, this);
    if (m_redisStore) {
        m_bus = new InstanceBus(*m_store, m_instanceId, &m_metrics, this);
        m_players->enableCluster(*m_store, *m_bus);
    }
    m_drain = new DrainControl(*m_players, this);
    m_audit = std::make_unique<AuditLog>();
    if (auto opened = m_audit->open(config.value(QStringLiteral("audit-log")).toString()); !opened.ok())
        return opened.error();
    if (auto started = startWorkerPool(config, testRoomTypes); !started.ok())
        return started.error();

    m_cleanup = new CleanupSweep(this);
    registerCleanupKinds();
    auto cleanupTask = m_tasks.everyAsync(QStringLiteral("cleanup"), m_cleanupInterval, [this](TaskRegistry::Done done) {
        m_cleanup->run(false, [this, done](const CleanupReport &report) {
            m_lastCleanup = report.toJson();
            if (report.total() > 0)
                qCInfo(lcServer) << "cleanup removed" << report.total() << "items in" << report.durationMs << "ms";
            done(Result<void>());
        });
    });
    if (!cleanupTask.ok())
        return cleanupTask.error();
    auto storeTask = m_tasks.everyAsync(QStringLiteral("store-check"), m_storeCheckInterval,
                                        [this](TaskRegistry::Done done) { checkStore(std::move(done)); });
    if (!storeTask.ok())
        return storeTask.error();
    // A first check right away, so /health has a figure before the first interval passes.
    (void)m_tasks.runNow(QStringLiteral("store-check"));

    m_admin = new AdminApi(access, this);
    registerAdminRoutes();
    registerWorkerRoutes();
    registerDrainRoutes();
    registerSessionRoutes();
    if (adminTls)
        m_admin->setTls(*tls);
    if (auto port = m_admin->listen(adminAddress, quint16(config.intValue(QStringLiteral("admin-port")))); !port.ok())
        return port.error();
    auto transport = config.stringValue(QStringLiteral("player-transport")) == QLatin1String("qt")
        ? PlayerGateway::Transport::Qt
        : PlayerGateway::Transport::Native;
    if (playerTls && transport == PlayerGateway::Transport::Native) {
        qCInfo(lcServer) << "TLS on the player port: it runs on the qt transport (the native one is plain TCP only)";
        transport = PlayerGateway::Transport::Qt;
    }
    m_tlsPorts = {playerTls, adminTls};
    m_gateway = new PlayerGateway(*m_players, limits, config.duration(QStringLiteral("hello-timeout")), transport,
                                  playerTls ? tls : std::nullopt, this);
    if (auto port = m_gateway->listen(playerAddress, quint16(config.intValue(QStringLiteral("player-port"))));
        !port.ok())
        return port.error();
    return startRegistry(config.duration(QStringLiteral("lease-ttl")));
}

Result<void> ServerApp::startRegistry(std::chrono::milliseconds leaseTtl)
{
    InstanceRegistry::Settings settings;
    settings.instanceId = m_instanceId;
    settings.leaseTtl = leaseTtl;
    settings.info = {{"host", QHostInfo::localHostName().toUtf8()},
                     {"pid", QByteArray::number(qint64(::getpid()))},
                     {"player_port", QByteArray::number(playerPort())},
                     {"admin_port", QByteArray::number(adminPort())},
                     {"version", QByteArrayLiteral(ARENA_VERSION)},
                     {"started", m_startedAt.toString(Qt::ISODateWithMs).toUtf8()}};
    m_registry = new InstanceRegistry(*m_store, settings, this);
    // Load for placing matches on the least-loaded instance; written with every renewal.
    m_registry->setLoadProvider([this]() -> StateStore::Fields {
        return {{"sessions", QByteArray::number(m_players->sessions().sessionCount())},
                {"rooms", QByteArray::number(m_players->rooms().roomCount())},
                {"draining", isDraining() ? QByteArrayLiteral("1") : QByteArrayLiteral("0")}};
    });
    connect(m_registry, &InstanceRegistry::stateChanged, this, [this](InstanceRegistry::State state) {
        m_players->setLeaseHeld(state != InstanceRegistry::State::Lost);
    });
    connect(m_registry, &InstanceRegistry::leaseLost, this, [this] { m_leaseLost->inc(); });
    // Every record write carries the registration's epoch (the store refuses older ones). Registered
    // anew (after a lost lease, or a Redis that came back without its data), what this instance holds
    // may be gone from the store, or have been swept as a dead instance's: write it back, with the new
    // epoch. The first registration writes what came before it (nothing is written without an epoch).
    connect(m_registry, &InstanceRegistry::leaseAcquired, this, [this](qint64 epoch) {
        m_players->setEpoch(epoch);
        m_players->republish();
    });

    // Wait (briefly) for the first registration: an id held by another live process must stop this one
    // before it says it is ready. A store that does not answer in time leaves the registry retrying in
    // the background while the instance serves its own players.
    // The answer may come after the wait gave up: it lands in shared state, not on this stack frame.
    struct FirstRegistration
    {
        std::optional<Result<qint64>> result;
        QPointer<QEventLoop> loop;
    };
    auto shared = std::make_shared<FirstRegistration>();
    QEventLoop wait;
    shared->loop = &wait;
    m_registry->start([shared](Result<qint64> result) {
        shared->result = std::move(result);
        if (shared->loop)
            shared->loop->quit();
    });
    QTimer::singleShot(2000, &wait, &QEventLoop::quit);
    if (!shared->result)
        wait.exec();
    shared->loop = nullptr;
    const std::optional<Result<qint64>> first = shared->result;
    if (first && !first->ok() && first->error().code == QLatin1String("in_use"))
        return Error{QStringLiteral("in_use"),
                     first->error().message + QStringLiteral("; pick another --instance-id, or wait for its lease "
                                                             "to run out if that process is gone")};
    if (!first || !first->ok())
        qCWarning(lcServer).noquote() << "not registered in the fleet yet:"
                                      << (first ? first->error().message : QStringLiteral("the store did not answer"))
                                      << "- retrying in the background";
    return {};
}

void ServerApp::registerCleanupKinds()
{
    m_cleanup->addKind(QStringLiteral("sessions"), [this](bool dryRun, CleanupSweep::Done done) {
        done(m_players->sessions().expireIdle(dryRun));
    });
    m_cleanup->addKind(QStringLiteral("rooms"), [this](bool dryRun, CleanupSweep::Done done) {
        // Rooms nobody has been in for a whole sweep period: abandoned match rooms, emptied lobbies.
        const qint64 now = QDateTime::currentMSecsSinceEpoch();
        QStringList stale;
        for (LiveRoom *room : m_players->rooms().rooms()) {
            if (room->emptySince() > 0 && now - room->emptySince() >= m_cleanupInterval.count())
                stale.append(room->roomId());
        }
        if (!dryRun) {
            for (const QString &id : std::as_const(stale))
                m_players->rooms().dispose(id, QStringLiteral("disposed"));
        }
        done(stale);
    });
    // What instances whose lease is gone left in the store (docs/OPERATIONS.md, "Dead instances").
    auto *deadInstances = new DeadInstanceSweep(*m_store, m_instanceId, this);
    deadInstances->setOrphanGrace(m_players->sessionSettings().resumeGrace);
    deadInstances->setTicketRemover([this](const QString &deadId, bool dryRun, DeadInstanceSweep::Done done) {
        m_players->matchmaker().removeInstanceTickets(deadId, dryRun, this, [done](Result<QList<Ticket>> removed) {
            if (!removed.ok())
                return done(removed.error());
            QStringList ids;
            for (const Ticket &t : removed.value())
                ids.append(t.id);
            done(ids);
        });
    });
    m_cleanup->addKind(QStringLiteral("instances"), [deadInstances](bool dryRun, CleanupSweep::Done done) {
        deadInstances->run(dryRun, std::move(done));
    });
    m_cleanup->addKind(QStringLiteral("tickets"), [this](bool dryRun, CleanupSweep::Done done) {
        // Tickets that waited past the longest wait (their players are told by ticketRemoved).
        m_players->matchmaker().removeStale(dryRun, this, [done](Result<QList<Ticket>> removed) {
            if (!removed.ok()) {
                done(removed.error());
                return;
            }
            QStringList ids;
            for (const Ticket &t : removed.value())
                ids.append(t.id);
            done(ids);
        });
    });
    m_cleanup->addKind(QStringLiteral("states"), [this](bool dryRun, CleanupSweep::Done done) {
        // Game states and match snapshots whose room record is gone (a crash between the deletes, or an
        // instance that died): state keys are listed by room id, snapshot keys as "<room id> (snapshot)".
        sweepOrphanRoomKeys(":state", QString(), dryRun, [this, dryRun, done](Result<QStringList> states) {
            if (!states.ok()) {
                done(states.error());
                return;
            }
            sweepOrphanRoomKeys(":snapshot", QStringLiteral(" (snapshot)"), dryRun,
                                [states, done](Result<QStringList> snapshots) {
                if (!snapshots.ok()) {
                    done(snapshots.error());
                    return;
                }
                done(states.value() + snapshots.value());
            });
        });
    });
}

void ServerApp::sweepOrphanRoomKeys(const QByteArray &suffix, const QString &label, bool dryRun,
                                    std::function<void(Result<QStringList>)> done)
{
    m_store->scan("room:{*}" + suffix, this, [this, suffix, label, dryRun, done](Result<StateStore::Keys> keys) {
        if (!keys.ok()) {
            done(keys.error());
            return;
        }
        // Pages of keys, each page's checks in flight at once (pipelined), so the store is never flooded
        // and a million orphans still go in seconds; a real run reports only what its own delete removed,
        // so sweeps on several instances at once report each orphan once between them.
        constexpr qsizetype PageSize = 500;
        auto left = std::make_shared<StateStore::Keys>(keys.value());
        auto orphans = std::make_shared<QStringList>();
        // The step holds itself only weakly; the callbacks in flight hold it strongly.
        auto next = std::make_shared<std::function<void()>>();
        *next = [this, suffix, label, dryRun, done, left, orphans, self = std::weak_ptr(next)] {
            if (left->isEmpty()) {
                done(*orphans);
                return;
            }
            const auto next = self.lock();
            const StateStore::Keys page = left->mid(0, PageSize);
            left->remove(0, page.size());
            auto pending = std::make_shared<qsizetype>(page.size());
            const auto one = [pending, next] {
                if (--*pending == 0)
                    (*next)();
            };
            for (const QByteArray &key : page) {
                const QByteArray roomKey = key.chopped(suffix.size());
                const QString item = roomkeys::idOf(roomKey) + label;
                m_store->exists(roomKey, this, [this, key, item, dryRun, orphans, one](Result<bool> r) {
                    if (!r.ok() || r.value())
                        return one();
                    if (dryRun) {
                        orphans->append(item);
                        return one();
                    }
                    m_store->unlink({key}, this, [orphans, item, one](Result<qint64> removed) {
                        if (removed.ok() && removed.value() > 0)
                            orphans->append(item);
                        one();
                    });
                });
            }
        };
        (*next)();
    });
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
    m_metrics.callbackGauge(QStringLiteral("arena_lease_held"),
                            QStringLiteral("1 while this instance holds a confirmed lease in the fleet registry"),
                            [this] { return m_registry && m_registry->state() == InstanceRegistry::State::Held ? 1.0 : 0.0; });
    m_metrics.callbackGauge(QStringLiteral("arena_lease_epoch"),
                            QStringLiteral("Epoch (fencing token) of this instance's current registration; 0 before the first"),
                            [this] { return m_registry ? double(m_registry->epoch()) : 0.0; });
    m_leaseLost = &m_metrics
                       .counter(QStringLiteral("arena_lease_lost_total"),
                                QStringLiteral("Times this instance lost its lease (paused or cut off past the lease TTL)"))
                       .labels({});
    m_metrics.callbackGauge(QStringLiteral("arena_draining"),
                            QStringLiteral("1 while the instance drains (POST /drain): no new sessions, rooms, "
                                           "tickets or matches; 0 otherwise"),
                            [this] { return isDraining() ? 1.0 : 0.0; });
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

void ServerApp::registerAdminRoutes()
{
    using M = AdminApi::Method;
    m_admin->route(M::Get, QStringLiteral("/live"), std::nullopt, [](const AdminRequest &, AdminApi::Respond respond) {
        respond(AdminResponse::json({{QStringLiteral("live"), true}}));
    });
    m_admin->route(M::Get, QStringLiteral("/ready"), std::nullopt, [this](const AdminRequest &, AdminApi::Respond respond) {
        // A draining instance, or one re-registering after it lost its lease, is alive but must get no new
        // players: load balancers take it out.
        const bool leaseLost = m_registry && !m_registry->allowsNewWork();
        const bool ready = !m_shuttingDown && !isDraining() && !leaseLost;
        QJsonObject body{{QStringLiteral("ready"), ready}, {QStringLiteral("draining"), isDraining()}};
        if (m_shuttingDown)
            body.insert(QStringLiteral("reason"), QStringLiteral("shutting_down"));
        else if (isDraining())
            body.insert(QStringLiteral("reason"), QStringLiteral("draining"));
        else if (leaseLost)
            body.insert(QStringLiteral("reason"), QStringLiteral("lease_lost"));
        respond(AdminResponse::json(body, ready ? 200 : 503));
    });
    m_admin->route(M::Get, QStringLiteral("/health"), std::nullopt,
                   [this](const AdminRequest &, AdminApi::Respond respond) { respond(AdminResponse::json(health())); });
    m_admin->route(M::Get, QStringLiteral("/health/stats"), Role::Viewer,
                   [this](const AdminRequest &, AdminApi::Respond respond) { respond(AdminResponse::json(stats())); });
    m_admin->route(M::Post, QStringLiteral("/health/cleanup"), Role::Operator,
                   [this](const AdminRequest &request, AdminApi::Respond respond) {
        const QString dry = request.query.queryItemValue(QStringLiteral("dry_run"));
        const bool dryRun = dry == QLatin1String("1") || dry == QLatin1String("true");
        qCInfo(lcServer) << "cleanup" << (dryRun ? "(dry run)" : "") << "requested by" << roleName(*request.role)
                         << "from" << request.peer.toString();
        m_cleanup->run(dryRun, [this, respond, dryRun](const CleanupReport &report) {
            if (!dryRun)
                m_lastCleanup = report.toJson();
            respond(AdminResponse::json(report.toJson()));
        });
    });
    m_admin->route(M::Get, QStringLiteral("/metrics"), Role::Viewer, [this](const AdminRequest &, AdminApi::Respond respond) {
        respond(AdminResponse::text(m_metrics.exposition(), QByteArrayLiteral("text/plain; version=0.0.4; charset=utf-8")));
    });
    m_admin->route(M::Get, QStringLiteral("/rooms"), Role::Viewer, [this](const AdminRequest &request, AdminApi::Respond respond) {
        const QString type = request.query.queryItemValue(QStringLiteral("type"));
        QJsonArray rooms;
        for (LiveRoom *room : m_players->rooms().rooms()) {
            if (!type.isEmpty() && room->roomType() != type)
                continue;
            QJsonArray members;
            for (const RoomMember &m : room->members())
                members.append(QJsonObject{{QStringLiteral("sessionId"), m.sessionId}, {QStringLiteral("playerId"), m.playerId}});
            // Where the match runs: a worker id, "moving" between workers, or "server" (in this process).
            QString host = QStringLiteral("server");
            if (RemoteRoom *remote = room->remote())
                host = remote->worker() ? remote->worker()->id() : QStringLiteral("moving");
            rooms.append(QJsonObject{{QStringLiteral("id"), room->roomId()},
                                     {QStringLiteral("type"), room->roomType()},
                                     {QStringLiteral("host"), host},
                                     {QStringLiteral("clients"), int(room->members().size())},
                                     {QStringLiteral("maxClients"), int(room->maxClients())},
                                     {QStringLiteral("locked"), room->isLocked()},
                                     {QStringLiteral("private"), room->isPrivate()},
                                     {QStringLiteral("metadata"), room->metadata()},
                                     {QStringLiteral("members"), members},
                                     {QStringLiteral("createdAt"), QDateTime::fromMSecsSinceEpoch(room->createdAt(), Qt::UTC).toString(Qt::ISODateWithMs)}});
        }
        respond(AdminResponse::json({{QStringLiteral("rooms"), rooms}, {QStringLiteral("count"), rooms.size()}}));
    });
    m_admin->route(M::Delete, QStringLiteral("/rooms/<arg>"), Role::Operator,
                   [this](const AdminRequest &request, AdminApi::Respond respond) {
        if (!m_players->rooms().dispose(request.arg, QStringLiteral("disposed"))) {
            respond(AdminResponse::error(protocol::toError(ErrorCode::NotFound, QStringLiteral("no room %1").arg(request.arg))));
            return;
        }
        qCInfo(lcServer) << "room" << request.arg << "disposed by" << roleName(*request.role) << "from"
                         << request.peer.toString();
        respond(AdminResponse::json({{QStringLiteral("disposed"), request.arg}}));
    });
}

Result<void> ServerApp::startWorkerPool(const Config &config, bool testRoomTypes)
{
    WorkerPoolSettings settings;
    settings.minWorkers = int(config.intValue(QStringLiteral("workers-min")));
    settings.maxWorkers = int(config.intValue(QStringLiteral("workers-max")));
    if (settings.maxWorkers == 0) {
        qCInfo(lcServer) << "--workers-max 0: worker room types run inside the server process";
        return {};
    }
    if (settings.minWorkers > settings.maxWorkers)
        return Error{QStringLiteral("bad_config"), QStringLiteral("--workers-min (%1) is above --workers-max (%2)")
                                                       .arg(settings.minWorkers)
                                                       .arg(settings.maxWorkers)};
    settings.matchLimit = int(config.intValue(QStringLiteral("worker-match-limit")));
    settings.idleTimeout = config.duration(QStringLiteral("worker-idle-timeout"));
    settings.watchdogTimeout = config.duration(QStringLiteral("worker-watchdog-timeout"));
    settings.drainDeadline = config.duration(QStringLiteral("worker-drain-deadline"));
    settings.workerBinary = config.value(QStringLiteral("worker-binary")).toString();
    if (settings.workerBinary.isEmpty()) {
        // Installed side by side; in a build tree the worker has its own folder.
        const QString dir = QCoreApplication::applicationDirPath();
        settings.workerBinary = dir + QStringLiteral("/arena-worker");
        if (!QFileInfo::exists(settings.workerBinary))
            settings.workerBinary = dir + QStringLiteral("/../worker/arena-worker");
    }
    settings.instanceId = m_instanceId;
    settings.testRoomTypes = testRoomTypes;
    m_workers = new WorkerPool(*m_store, m_metrics, settings, this);
    if (auto started = m_workers->start(); !started.ok())
        return started;
    m_players->rooms().setWorkerPool(m_workers);
    return {};
}

void ServerApp::registerWorkerRoutes()
{
    using M = AdminApi::Method;
    const auto unavailable = [] {
        return AdminResponse::error(protocol::toError(
            ErrorCode::Unavailable, QStringLiteral("this server runs no worker pool (--workers-max 0)")));
    };
    m_admin->route(M::Get, QStringLiteral("/workers/stats"), Role::Viewer,
                   [this, unavailable](const AdminRequest &, AdminApi::Respond respond) {
        respond(m_workers ? AdminResponse::json(m_workers->stats()) : unavailable());
    });
    m_admin->route(M::Get, QStringLiteral("/audit"), Role::Viewer,
                   [this](const AdminRequest &request, AdminApi::Respond respond) {
        bool ok = false;
        int limit = request.query.queryItemValue(QStringLiteral("limit")).toInt(&ok);
        if (!ok || limit <= 0)
            limit = 100;
        respond(AdminResponse::json({{QStringLiteral("entries"), m_audit->recent(qMin(limit, AuditLog::Kept))}}));
    });
    // Each POST is audited (audited()), with its answer or its error.
    m_admin->route(M::Post, QStringLiteral("/workers/scale"), Role::Operator,
                   [this, unavailable](const AdminRequest &request, AdminApi::Respond respond) {
        if (!m_workers) {
            respond(unavailable());
            return;
        }
        const auto workers = numberParameter(request, QStringLiteral("workers"));
        auto done = audited(request, QStringLiteral("workers.scale"), QStringLiteral("pool"),
                            {{QStringLiteral("workers"), workers ? QJsonValue(*workers) : QJsonValue()}}, respond);
        if (!workers) {
            done(protocol::toError(ErrorCode::BadRequest,
                                   QStringLiteral("say how many workers: ?workers=N or {\"workers\": N}")));
            return;
        }
        m_workers->scale(int(*workers), done);
    });
    m_admin->route(M::Post, QStringLiteral("/workers/<arg>/restart"), Role::Operator,
                   [this, unavailable](const AdminRequest &request, AdminApi::Respond respond) {
        if (!m_workers) {
            respond(unavailable());
            return;
        }
        m_workers->restart(request.arg, audited(request, QStringLiteral("workers.restart"), request.arg, {}, respond));
    });
    m_admin->route(M::Post, QStringLiteral("/workers/<arg>/drain"), Role::Operator,
                   [this, unavailable](const AdminRequest &request, AdminApi::Respond respond) {
        if (!m_workers) {
            respond(unavailable());
            return;
        }
        const auto deadlineMs = numberParameter(request, QStringLiteral("deadline_ms"));
        auto done = audited(request, QStringLiteral("workers.drain"), request.arg,
                            {{QStringLiteral("deadline_ms"), deadlineMs ? QJsonValue(*deadlineMs) : QJsonValue()}},
                            respond);
        if (deadlineMs && *deadlineMs < 0) {
            done(protocol::toError(ErrorCode::BadRequest, QStringLiteral("deadline_ms must not be negative")));
            return;
        }
        std::optional<std::chrono::milliseconds> deadline;
        if (deadlineMs)
            deadline = std::chrono::milliseconds(*deadlineMs);
        done(m_workers->drain(request.arg, deadline));
    });
}

std::function<void(Result<QJsonObject>)> ServerApp::audited(const AdminRequest &request, const QString &action,
                                                            const QString &target, const QJsonObject &parameters,
                                                            std::function<void(const AdminResponse &)> respond)
{
    return [this, who = request.who, action, target, parameters, respond](Result<QJsonObject> result) {
        m_audit->record(who, action, target, parameters, result);
        respond(result.ok() ? AdminResponse::json(result.value()) : AdminResponse::error(result.error()));
    };
}

void ServerApp::registerSessionRoutes()
{
    // GET /sessions[?player=<id>]: this instance's sessions, or the one of a player.
    m_admin->route(AdminApi::Method::Get, QStringLiteral("/sessions"), Role::Viewer,
                   [this](const AdminRequest &request, AdminApi::Respond respond) {
        const QString player = request.query.queryItemValue(QStringLiteral("player"), QUrl::FullyDecoded);
        const auto iso = [](qint64 ms) {
            return ms > 0 ? QJsonValue(QDateTime::fromMSecsSinceEpoch(ms, Qt::UTC).toString(Qt::ISODateWithMs))
                          : QJsonValue();
        };
        QJsonArray sessions;
        for (const Session *s : m_players->sessions().sessions()) {
            if (!player.isEmpty() && s->playerId != player)
                continue;
            QStringList rooms(s->rooms.cbegin(), s->rooms.cend());
            rooms.sort();
            sessions.append(QJsonObject{{QStringLiteral("id"), s->id},
                                        {QStringLiteral("playerId"), s->playerId},
                                        {QStringLiteral("connected"), s->isConnected()},
                                        {QStringLiteral("peer"), s->isConnected() ? s->connection->peer() : QString()},
                                        {QStringLiteral("rooms"), QJsonArray::fromStringList(rooms)},
                                        {QStringLiteral("queued"), s->queued},
                                        {QStringLiteral("createdAt"), iso(s->createdAt)},
                                        {QStringLiteral("lastActivityAt"), iso(s->lastActivityAt)},
                                        {QStringLiteral("detachedAt"), iso(s->detachedAt)}});
        }
        respond(AdminResponse::json({{QStringLiteral("sessions"), sessions}, {QStringLiteral("count"), sessions.size()}}));
    });
    // POST /sessions/<id>/drop: the connection goes without a close frame, as when a network fails; the
    // session waits for its client to resume (--resume-grace). For trying out clients' reconnection on a
    // live instance, or moving a client whose connection is stuck onto a fresh one.
    m_admin->route(AdminApi::Method::Post, QStringLiteral("/sessions/<arg>/drop"), Role::Operator,
                   [this](const AdminRequest &request, AdminApi::Respond respond) {
        auto done = audited(request, QStringLiteral("session.drop"), request.arg, {}, respond);
        Session *session = m_players->sessions().find(request.arg);
        if (!session) {
            done(protocol::toError(ErrorCode::NotFound, QStringLiteral("no session %1").arg(request.arg)));
            return;
        }
        if (!session->isConnected()) {
            done(protocol::toError(ErrorCode::Conflict,
                                   QStringLiteral("session %1 has no connection (it is waiting to be resumed)")
                                       .arg(request.arg)));
            return;
        }
        qCInfo(lcServer) << "connection of session" << session->id << "dropped by" << roleName(*request.role)
                         << "from" << request.peer.toString();
        session->connection->abort();
        done(QJsonObject{{QStringLiteral("session_id"), request.arg}, {QStringLiteral("dropped"), true}});
    });
}

void ServerApp::registerDrainRoutes()
{
    // POST /drain[?deadline_ms=N]  and  POST /drain?cancel=1 (or {"deadline_ms": N} / {"cancel": true}).
    m_admin->route(AdminApi::Method::Post, QStringLiteral("/drain"), Role::Operator,
                   [this](const AdminRequest &request, AdminApi::Respond respond) {
        const Result<bool> cancel = flagParameter(request, QStringLiteral("cancel"));
        if (!cancel.ok()) {
            respond(AdminResponse::error(cancel.error()));
            return;
        }
        if (cancel.value()) {
            auto done = audited(request, QStringLiteral("drain_cancel"), m_instanceId, {}, respond);
            done(m_drain->cancel());
            return;
        }
        const bool deadlineGiven = !request.query.queryItemValue(QStringLiteral("deadline_ms")).isEmpty()
            || QJsonDocument::fromJson(request.body).object().contains(QStringLiteral("deadline_ms"));
        const auto deadlineMs = numberParameter(request, QStringLiteral("deadline_ms"));
        auto done = audited(request, QStringLiteral("drain"), m_instanceId,
                            {{QStringLiteral("deadline_ms"), deadlineMs ? QJsonValue(*deadlineMs) : QJsonValue()}},
                            respond);
        // A QTimer counts in int milliseconds (about 24 days).
        if ((deadlineGiven && !deadlineMs)
            || (deadlineMs && (*deadlineMs < 0 || *deadlineMs > std::numeric_limits<int>::max()))) {
            done(protocol::toError(ErrorCode::BadRequest,
                                   QStringLiteral("deadline_ms must be a number of milliseconds from 0 to %1")
                                       .arg(std::numeric_limits<int>::max())));
            return;
        }
        if (m_shuttingDown) {
            done(protocol::toError(ErrorCode::Unavailable, QStringLiteral("the instance is shutting down")));
            return;
        }
        std::optional<std::chrono::milliseconds> deadline;
        if (deadlineMs)
            deadline = std::chrono::milliseconds(*deadlineMs);
        m_drain->start(deadline, [done](const QJsonObject &state) { done(state); });
    });
}

bool ServerApp::isDraining() const
{
    return m_drain && m_drain->isDraining();
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
    else if (!storeOk || (m_registry && !m_registry->allowsNewWork()))
        status = QStringLiteral("degraded");
    QJsonObject out{
        {QStringLiteral("status"), status},
        {QStringLiteral("instance"), m_instanceId},
        {QStringLiteral("version"), QStringLiteral(ARENA_VERSION)},
        {QStringLiteral("startedAt"), m_startedAt.toString(Qt::ISODateWithMs)},
        {QStringLiteral("uptimeSeconds"), double(m_uptime.elapsed()) / 1000.0},
        {QStringLiteral("pid"), qint64(::getpid())},
        {QStringLiteral("sessions"), m_players ? m_players->sessions().sessionCount() : 0},
        {QStringLiteral("connected"), m_players ? m_players->sessions().connectedCount() : 0},
        {QStringLiteral("rooms"), m_players ? m_players->rooms().roomCount() : 0},
        {QStringLiteral("draining"), isDraining()},
        {QStringLiteral("lease"), m_registry ? m_registry->toJson() : QJsonValue()},
        {QStringLiteral("workers"), m_workers ? m_workers->stats().value(QStringLiteral("pool")) : QJsonValue()},
        {QStringLiteral("store"), store},
        {QStringLiteral("tasks"), m_tasks.toJson()},
        {QStringLiteral("tls"), QJsonObject{{QStringLiteral("player"), m_tlsPorts.player},
                                           {QStringLiteral("admin"), m_tlsPorts.admin}}},
    };
    if (m_players && m_players->cluster()) {
        // Players of other instances in rooms here, and rooms elsewhere holding players of this one.
        out.insert(QStringLiteral("cluster"), QJsonObject{
            {QStringLiteral("standIns"), m_players->cluster()->standIns()},
            {QStringLiteral("remoteRooms"), m_players->cluster()->remoteRooms()},
            {QStringLiteral("orphans"), m_players->cluster()->orphans()},
        });
    }
    // The agent reads "draining" (here and, through stats(), in /health/stats) as the instance's state.
    if (isDraining()) {
        QJsonObject drain = m_drain->state();
        drain.remove(QStringLiteral("draining"));
        out.insert(QStringLiteral("drain"), drain);
    }
    return out;
}

QJsonObject ServerApp::stats() const
{
    QJsonObject byType;
    QJsonObject clientsByType;
    for (LiveRoom *room : m_players->rooms().rooms()) {
        byType[room->roomType()] = byType[room->roomType()].toInt() + 1;
        clientsByType[room->roomType()] = clientsByType[room->roomType()].toInt() + int(room->members().size());
    }
    int detached = 0;
    for (Session *s : m_players->sessions().sessions())
        detached += s->detachedAt > 0 ? 1 : 0;
    QJsonObject out = health();
    out.insert(QStringLiteral("sessions"), QJsonObject{{QStringLiteral("total"), m_players->sessions().sessionCount()},
                                                      {QStringLiteral("connected"), m_players->sessions().connectedCount()},
                                                      {QStringLiteral("awaitingResume"), detached},
                                                      {QStringLiteral("awaitingHello"), m_players->sessions().pendingCount()}});
    out.insert(QStringLiteral("rooms"), QJsonObject{{QStringLiteral("total"), m_players->rooms().roomCount()},
                                                   {QStringLiteral("byType"), byType},
                                                   {QStringLiteral("clientsByType"), clientsByType}});
    int queued = 0;
    for (Session *s : m_players->sessions().sessions())
        queued += s->queued ? 1 : 0;
    out.insert(QStringLiteral("matchmaking"), QJsonObject{{QStringLiteral("queuedSessions"), queued}});
    out.insert(QStringLiteral("lastCleanup"), m_lastCleanup);
    out.insert(QStringLiteral("playerPort"), int(playerPort()));
    out.insert(QStringLiteral("connectionsAccepted"), qint64(m_gateway ? m_gateway->accepted() : 0));
    return out;
}

quint16 ServerApp::playerPort() const
{
    return m_gateway ? m_gateway->port() : 0;
}

quint16 ServerApp::adminPort() const
{
    return m_admin ? m_admin->port() : 0;
}

QString ServerApp::readyLine() const
{
    return QStringLiteral("arena-server ready player=%1 admin=%2 instance=%3 store=%4")
        .arg(playerPort())
        .arg(adminPort())
        .arg(m_instanceId, m_store->backendName());
}

void ServerApp::shutdown()
{
    if (m_shuttingDown)
        return;
    m_shuttingDown = true; // /ready answers 503 from here on
    qCInfo(lcServer) << "shutting down";
    if (m_gateway)
        m_gateway->stopListening();
    m_tasks.cancelAll();
    // Hand the players and rooms over (or end them), drop this instance's own keys and let the close
    // frames go out, then finish; the deadline bounds the wait when the store hangs.
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
    const auto dropOwnKeys = [this, finish] {
        if (m_workers)
            m_workers->stop();
        const QByteArray me = m_instanceId.toUtf8();
        m_store->del({"health:" + me, InstanceRegistry::sessionsIndexKey(m_instanceId),
                      InstanceRegistry::roomsIndexKey(m_instanceId)},
                     this,
                     [this, finish](Result<qint64> r) {
            if (!r.ok())
                qCWarning(lcServer) << "could not remove this instance's keys:" << r.error().message;
            const auto grace = [this, finish] {
                // A short grace for the close frames already queued on the player sockets.
                QTimer::singleShot(200, this, finish);
            };
            if (m_registry)
                m_registry->stop(grace); // the lease record goes last: the instance is gone once it is
            else
                grace();
        });
    };
    if (m_players)
        m_players->stop(dropOwnKeys);
    else
        dropOwnKeys();
}

} // namespace arena
