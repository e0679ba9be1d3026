#include "tools/loadtest/loadgenerator.h"

#include "tools/loadtest/loadpayload.h"
#include "tools/loadtest/loadtestlog.h"

#include "shared/client/playerclient.h"
#include "shared/protocol/codec.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkProxy>
#include <QNetworkReply>
#include <QTcpSocket>
#include <QTimer>

#include <algorithm>
#include <cmath>

Q_LOGGING_CATEGORY(lcLoadtest, "arena.tools.loadtest", QtInfoMsg)

namespace arena {

namespace {

constexpr int ProbeTimeoutMs = 5000;
constexpr int ConnectTickMs = 5;
// Sends are scheduled on a 1 ms tick: each tick sends every message whose slot has come.
constexpr int SendTickMs = 1;
// Idle sessions only ping, once per heartbeat: a coarse tick keeps the generator's own wakeups (each
// one polls every socket) from loading the machine.
constexpr int PingTickMs = 100;
constexpr quint32 DefaultHeartbeatMs = 15000;

QTimer *makeTimer(QObject *parent, bool singleShot, Qt::TimerType type = Qt::CoarseTimer)
{
    auto *timer = new QTimer(parent);
    timer->setSingleShot(singleShot);
    timer->setTimerType(type);
    return timer;
}

int secondsToMs(double seconds)
{
    return int(std::clamp(std::ceil(seconds * 1000.0), 0.0, double(std::numeric_limits<int>::max())));
}

} // namespace

QString LoadGenerator::Progress::toText() const
{
    QString line = QStringLiteral("[%1s] %2  clients %3/%4 ready")
                       .arg(qRound(elapsedSeconds), 4)
                       .arg(LoadGenerator::phaseName(phase), -10)
                       .arg(joined)
                       .arg(clients);
    if (failed > 0)
        line += QStringLiteral(" (%1 failed)").arg(failed);
    if (phase == Phase::Connecting)
        line += QStringLiteral(", %1 opened").arg(opened);
    if (sent > 0 || delivered > 0) {
        line += QStringLiteral("  sent %1  delivered %2 (%3/s)").arg(sent).arg(delivered).arg(deliveredLastSecond);
        if (deliveredLastSecond > 0)
            line += QStringLiteral("  p50 %1 ms  p99 %2 ms")
                        .arg(double(p50LastSecondNs) / 1e6, 0, 'f', 3)
                        .arg(double(p99LastSecondNs) / 1e6, 0, 'f', 3);
    }
    line += QStringLiteral("  errors %1  disconnects %2").arg(errors).arg(disconnects);
    return line;
}

LoadGenerator::LoadGenerator(LoadTestOptions options, QObject *parent)
    : QObject(parent), m_options(std::move(options)), m_tls(m_options.tlsConfiguration())
{
    m_report.options = m_options;
    m_connectTimer = makeTimer(this, false, Qt::PreciseTimer);
    m_joinDeadline = makeTimer(this, true);
    m_sendTimer = makeTimer(this, false, Qt::PreciseTimer);
    m_drainDeadline = makeTimer(this, true);
    m_closeDeadline = makeTimer(this, true);
    m_hardDeadline = makeTimer(this, true);
    m_progressTimer = makeTimer(this, false);
    connect(m_connectTimer, &QTimer::timeout, this, &LoadGenerator::openDue);
    connect(m_joinDeadline, &QTimer::timeout, this, &LoadGenerator::joinTimedOut);
    connect(m_sendTimer, &QTimer::timeout, this, &LoadGenerator::sendDue);
    connect(m_drainDeadline, &QTimer::timeout, this, &LoadGenerator::beginClosing);
    connect(m_closeDeadline, &QTimer::timeout, this, &LoadGenerator::finish);
    connect(m_progressTimer, &QTimer::timeout, this, &LoadGenerator::emitProgress);
    connect(m_hardDeadline, &QTimer::timeout, this, [this] {
        m_report.unfinishedReason = QStringLiteral("stopped by the hard deadline (%1 s) while %2")
                                        .arg(m_options.hardDeadlineSeconds(), 0, 'f', 0)
                                        .arg(phaseName(m_phase));
        qCWarning(lcLoadtest).noquote() << m_report.unfinishedReason;
        finish();
    });
}

LoadGenerator::~LoadGenerator()
{
    // Players' clients are children of this object; drop their signals first so none reaches a
    // handler while the players are being destroyed.
    for (const auto &player : m_players) {
        if (player->client)
            player->client->disconnect(this);
    }
}

QString LoadGenerator::phaseName(Phase phase)
{
    switch (phase) {
    case Phase::Idle:
        return QStringLiteral("idle");
    case Phase::Preparing:
        return QStringLiteral("preparing");
    case Phase::Connecting:
        return QStringLiteral("connecting");
    case Phase::Sending:
        return QStringLiteral("sending");
    case Phase::Draining:
        return QStringLiteral("draining");
    case Phase::Closing:
        return QStringLiteral("closing");
    case Phase::Done:
        return QStringLiteral("done");
    }
    return {};
}

void LoadGenerator::setPhase(Phase phase)
{
    m_phase = phase;
    qCDebug(lcLoadtest).noquote() << "phase" << phaseName(phase) << "at"
                                  << QString::number(double(nowNs()) / 1e9, 'f', 3) << "s";
}

void LoadGenerator::start()
{
    if (m_phase != Phase::Idle)
        return;
    m_clock.start();
    setPhase(Phase::Preparing);
    m_hardDeadline->start(secondsToMs(m_options.hardDeadlineSeconds()));
    m_progressTimer->start(1000);
    prepare();
}

void LoadGenerator::interrupt()
{
    if (m_phase == Phase::Done || m_phase == Phase::Closing)
        return;
    m_report.unfinishedReason = QStringLiteral("interrupted while %1").arg(phaseName(m_phase));
    if (m_phase == Phase::Idle || m_phase == Phase::Preparing) {
        finish();
        return;
    }
    if (m_phase == Phase::Sending)
        m_report.sendSeconds = double(nowNs() - m_sendStartNs) / 1e9;
    beginClosing();
}

void LoadGenerator::fail(const QString &setupError)
{
    if (m_phase == Phase::Done)
        return;
    m_report.setupError = setupError;
    finish();
}

void LoadGenerator::prepare()
{
    probePlayerPort([this] {
        findServerPid([this] {
            sampleServer(m_report.serverBeforeConnect);
            beginConnecting();
        });
    });
}

void LoadGenerator::probePlayerPort(std::function<void()> next, int index)
{
    // One plain TCP connection to each server first, so an unreachable server is one clear error instead
    // of --clients failed handshakes.
    if (index >= m_options.urls.size()) {
        next();
        return;
    }
    const QUrl url = m_options.urls.at(index);
    const quint16 port = quint16(url.port(url.scheme() == QLatin1String("wss") ? 443 : 80));
    auto *socket = new QTcpSocket(this);
    socket->setProxy(QNetworkProxy::NoProxy);
    auto *timeout = makeTimer(socket, true);
    auto done = [this, socket, url, index, next = std::move(next)](const QString &error) {
        socket->disconnect(this);
        socket->abort();
        socket->deleteLater();
        if (m_phase != Phase::Preparing)
            return;
        if (!error.isEmpty())
            fail(QStringLiteral("cannot reach %1: %2").arg(url.toString(), error));
        else
            probePlayerPort(next, index + 1);
    };
    connect(socket, &QTcpSocket::connected, this, [done] { done(QString()); });
    connect(socket, &QTcpSocket::errorOccurred, this, [done, socket] { done(socket->errorString()); });
    connect(timeout, &QTimer::timeout, this, [done] {
        done(QStringLiteral("no answer within %1 s").arg(ProbeTimeoutMs / 1000));
    });
    timeout->start(std::min(ProbeTimeoutMs, secondsToMs(m_options.joinTimeoutSeconds)));
    socket->connectToHost(url.host(), port);
}

void LoadGenerator::findServerPid(std::function<void()> next)
{
    if (m_options.serverPid > 0) {
        const auto sample = ProcessSample::read(m_options.serverPid);
        if (!sample.ok()) {
            fail(QStringLiteral("--server-pid %1: %2").arg(m_options.serverPid).arg(sample.error().message));
            return;
        }
        m_serverPid = m_options.serverPid;
        next();
        return;
    }
    if (m_options.adminUrl.isEmpty()) {
        m_report.serverNote = QStringLiteral("server CPU and RSS not measured (pass --server-pid or --admin-url)");
        next();
        return;
    }
    if (!m_network) {
        m_network = new QNetworkAccessManager(this);
        m_network->setProxy(QNetworkProxy::NoProxy);
    }
    QUrl healthUrl = m_options.adminUrl;
    healthUrl.setPath(QStringLiteral("/health"));
    QNetworkRequest request(healthUrl);
    if (!m_options.caFile.isEmpty())
        request.setSslConfiguration(m_tls);
    request.setTransferTimeout(ProbeTimeoutMs);
    QNetworkReply *reply = m_network->get(request);
    connect(reply, &QNetworkReply::finished, this, [this, reply, healthUrl, next = std::move(next)] {
        reply->deleteLater();
        if (m_phase != Phase::Preparing)
            return;
        if (reply->error() != QNetworkReply::NoError) {
            fail(QStringLiteral("cannot read the server's pid from %1: %2")
                     .arg(healthUrl.toString(), reply->errorString()));
            return;
        }
        const qint64 pid = QJsonDocument::fromJson(reply->readAll()).object().value(QLatin1String("pid")).toInteger();
        if (pid <= 0) {
            fail(QStringLiteral("%1 has no pid field").arg(healthUrl.toString()));
            return;
        }
        if (const auto sample = ProcessSample::read(pid); sample.ok()) {
            m_serverPid = pid;
        } else {
            m_report.serverNote = QStringLiteral("pid %1 from %2 is not a process on this machine; server CPU and "
                                                 "RSS not measured")
                                      .arg(pid)
                                      .arg(healthUrl.toString());
            qCWarning(lcLoadtest).noquote() << m_report.serverNote;
        }
        next();
    });
}

void LoadGenerator::sampleServer(std::optional<ProcessSample> &into)
{
    if (m_serverPid <= 0)
        return;
    const auto sample = ProcessSample::read(m_serverPid);
    if (sample.ok()) {
        into = sample.value();
    } else if (m_report.serverNote.isEmpty()) {
        m_report.serverNote = QStringLiteral("server pid %1 could not be read: %2")
                                  .arg(m_serverPid)
                                  .arg(sample.error().message);
        qCWarning(lcLoadtest).noquote() << m_report.serverNote;
    }
}

void LoadGenerator::sampleWatched(QList<std::optional<ProcessSample>> &into)
{
    into.clear();
    for (const qint64 pid : std::as_const(m_options.watchPids)) {
        const auto sample = ProcessSample::read(pid);
        into.append(sample.ok() ? std::optional<ProcessSample>(sample.value()) : std::nullopt);
    }
}

void LoadGenerator::beginConnecting()
{
    setPhase(Phase::Connecting);
    m_players.reserve(std::size_t(m_options.clients));
    for (int i = 0; i < m_options.clients; ++i) {
        auto player = std::make_unique<Player>();
        player->index = i;
        m_players.push_back(std::move(player));
    }
    m_connectStartNs = nowNs();
    m_connectTimer->start(ConnectTickMs);
    openDue();
}

void LoadGenerator::openDue()
{
    if (m_phase != Phase::Connecting)
        return;
    const double elapsed = double(nowNs() - m_connectStartNs) / 1e9;
    const int due = int(std::min<double>(m_options.clients, std::floor(elapsed * m_options.connectRate) + 1));
    while (m_opened < due)
        openPlayer(*m_players[std::size_t(m_opened++)]);
    m_report.opened = m_opened;
    if (m_opened == m_options.clients && m_connectTimer->isActive()) {
        m_connectTimer->stop();
        m_joinDeadline->start(secondsToMs(m_options.joinTimeoutSeconds));
        checkConnectingDone();
    }
}

void LoadGenerator::openPlayer(Player &player)
{
    player.client = new PlayerClient(this);
    if (!m_options.caFile.isEmpty())
        player.client->setSslConfiguration(m_tls);
    Player *p = &player;
    connect(player.client, &PlayerClient::welcomed, this,
            [this, p](const protocol::Welcome &welcome) { onWelcomed(*p, welcome); });
    connect(player.client, &PlayerClient::helloRefused, this, [this, p](const protocol::ErrorMessage &error) {
        failPlayer(*p, QString(protocol::errorCodeName(error.code)));
    });
    connect(player.client, &PlayerClient::received, this,
            [this, p](const protocol::ServerMessage &message) { onMessage(*p, message); });
    connect(player.client, &PlayerClient::undecodable, this, [this](const QString &reason) {
        qCWarning(lcLoadtest).noquote() << "undecodable message from the server:" << reason;
        countError(QStringLiteral("undecodable"));
    });
    connect(player.client, &PlayerClient::stateChanged, this, [this, p](PlayerClient::State state) {
        if (state == PlayerClient::State::Connecting)
            ++m_openConnections;
        else if (state == PlayerClient::State::Disconnected)
            --m_openConnections;
        else if (state == PlayerClient::State::AwaitingWelcome && m_options.noDelay)
            disableNagle(*p->client);
    });
    connect(player.client, &PlayerClient::disconnected, this,
            [this, p](quint16 code, const QString &reason) { onDisconnected(*p, code, reason); });
    player.state = PlayerState::Connecting;
    player.openedNs = nowNs();
    player.client->open(m_options.urls.at(player.index % m_options.urls.size()),
                        QStringLiteral("loadtest-%1").arg(player.index));
}

void LoadGenerator::disableNagle(PlayerClient &client)
{
    // PlayerClient does not expose its socket; the TCP socket is a QObject descendant of it (inside
    // QWebSocket). Without TCP_NODELAY, a small frame sent while the previous one is unacknowledged
    // waits for the peer's delayed ACK (about 40 ms on Linux), which would show as the client's
    // latency rather than the server's.
    const auto sockets = client.findChildren<QAbstractSocket *>();
    for (QAbstractSocket *socket : sockets)
        socket->setSocketOption(QAbstractSocket::LowDelayOption, 1);
}

void LoadGenerator::onWelcomed(Player &player, const protocol::Welcome &welcome)
{
    if (m_phase == Phase::Done || player.state != PlayerState::Connecting)
        return;
    ++m_report.welcomed;
    m_heartbeatMs = welcome.heartbeatMs;
    const int k = m_options.roomSize;
    switch (m_options.mode) {
    case LoadTestOptions::Mode::Connect: {
        player.state = PlayerState::InRoom;
        ++m_inRoom;
        ++m_report.joined;
        m_report.joinTime.record(nowNs() - player.openedNs);
        ++m_settled;
        checkConnectingDone();
        return;
    }
    case LoadTestOptions::Mode::Join: {
        // The run's tag and the group number in both metadata and filter: the run's clients meet only
        // each other, k to a room, whatever else the server hosts.
        const QJsonObject group{{QStringLiteral("loadtest"), m_options.tag},
                                {QStringLiteral("group"), player.index / k}};
        protocol::JoinOrCreate request;
        request.roomType = m_options.roomType;
        request.filter = protocol::RawJson::fromJsonObject(group);
        request.metadata = request.filter;
        request.maxClients = quint32(k);
        player.state = PlayerState::Joining;
        player.joinRid = player.client->send(request);
        return;
    }
    case LoadTestOptions::Mode::Matchmaking: {
        protocol::Queue request;
        request.roomType = m_options.roomType;
        // Levels scattered over the spread (a multiplicative hash of the index), so neighbours in
        // connection order are not neighbours in level.
        const quint64 offset = (quint64(player.index) * 7919u) % quint64(m_options.levelSpread);
        request.level = quint32(m_options.levelBase) + quint32(offset);
        request.teamSize = quint32(k / 2);
        player.state = PlayerState::Joining;
        player.joinRid = player.client->send(request);
        return;
    }
    }
}

void LoadGenerator::onMessage(Player &player, const protocol::ServerMessage &message)
{
    if (m_phase == Phase::Done)
        return;
    if (const auto *event = std::get_if<protocol::RoomEvent>(&message)) {
        onRoomEvent(player, *event);
    } else if (const auto *joined = std::get_if<protocol::Joined>(&message)) {
        onJoined(player, *joined);
    } else if (const auto *found = std::get_if<protocol::MatchFound>(&message)) {
        if (player.state == PlayerState::Joining) {
            protocol::Join request;
            request.roomId = found->roomId;
            player.joinRid = player.client->send(request);
        }
    } else if (const auto *cancelled = std::get_if<protocol::QueueCancelled>(&message)) {
        if (player.state == PlayerState::Joining)
            failPlayer(player, QStringLiteral("queue_cancelled_%1").arg(cancelled->reason));
    } else if (const auto *error = std::get_if<protocol::ErrorMessage>(&message)) {
        const QString code(protocol::errorCodeName(error->code));
        const bool answersJoin = error->rid && *error->rid == player.joinRid;
        if (player.state == PlayerState::Failed) {
            // Counted when the player failed (helloRefused delivers the same error as a reply).
        } else if (player.state == PlayerState::Connecting) {
            // Before welcome: the hello was refused, or the server refused the connection (server_busy
            // comes before any hello, without a rid, and the connection closes).
            failPlayer(player, code);
        } else if (answersJoin && player.state == PlayerState::Joining) {
            qCDebug(lcLoadtest).noquote() << "client" << player.index << "could not join:" << code << error->message;
            failPlayer(player, code);
        } else if (answersJoin && player.state == PlayerState::InRoom && error->code == protocol::ErrorCode::Conflict) {
            // Matchmaking: the server placed the player in the match room itself, so the join sent on
            // match_found finds it already there.
        } else {
            qCDebug(lcLoadtest).noquote() << "client" << player.index << "got error" << code << error->message;
            countError(code);
        }
    }
}

void LoadGenerator::onJoined(Player &player, const protocol::Joined &joined)
{
    if (player.state != PlayerState::Joining)
        return;
    player.state = PlayerState::InRoom;
    ++m_inRoom;
    player.roomId = joined.roomId;
    // The envelope of every message this player sends, encoded once by the codec (so the room id is
    // escaped correctly): everything up to the data value.
    protocol::RoomMessage message;
    message.roomId = joined.roomId;
    QByteArray envelope = protocol::encode(message);
    const QByteArray nullData = QByteArrayLiteral("null}");
    // Should the codec ever write a field after data, sendOne() goes through the codec instead.
    if (envelope.endsWith(nullData)) {
        envelope.chop(nullData.size());
        player.sendPrefix = envelope;
    }
    ++m_roomPopulation[joined.roomId];
    ++m_report.joined;
    m_report.rooms = int(m_roomPopulation.size());
    m_report.joinTime.record(nowNs() - player.openedNs);
    ++m_settled;
    checkConnectingDone();
}

void LoadGenerator::onRoomEvent(Player &player, const protocol::RoomEvent &event)
{
    const auto payload = LoadPayload::fromJson(event.data.json());
    if (!payload || event.roomId != player.roomId) {
        ++m_report.foreignEvents;
        return;
    }
    const qint64 latency = nowNs() - payload->sentNs;
    m_report.latency.record(latency);
    m_lastSecond.record(latency);
    ++m_report.delivered;
    quint64 &last = player.lastSeqFrom[payload->client];
    if (payload->seq != last + 1)
        ++m_report.outOfOrder;
    last = payload->seq;
    if (m_phase == Phase::Draining && m_report.delivered >= m_report.expectedDeliveries)
        beginClosing();
}

void LoadGenerator::onDisconnected(Player &player, quint16 code, const QString &reason)
{
    if (m_phase == Phase::Done)
        return;
    switch (player.state) {
    case PlayerState::Idle:
    case PlayerState::Failed:
    case PlayerState::Gone:
        break;
    case PlayerState::Connecting:
        failPlayer(player, QStringLiteral("connect_failed"));
        break;
    case PlayerState::Joining:
        failPlayer(player, QStringLiteral("connection_lost"));
        break;
    case PlayerState::InRoom:
        player.state = PlayerState::Gone;
        --m_inRoom;
        if (!player.roomId.isEmpty())
            --m_roomPopulation[player.roomId];
        if (m_phase != Phase::Closing) {
            ++m_report.disconnects;
            ++m_report.disconnectsByCloseCode[int(code)];
            qCDebug(lcLoadtest).noquote() << "client" << player.index << "disconnected:" << code << reason;
            if (m_phase == Phase::Sending && m_inRoom == 0)
                beginDraining();
        }
        break;
    }
    if (m_phase == Phase::Closing)
        checkClosingDone();
}

void LoadGenerator::failPlayer(Player &player, const QString &code)
{
    if (player.state != PlayerState::Connecting && player.state != PlayerState::Joining)
        return;
    player.state = PlayerState::Failed;
    ++m_report.failed;
    countError(code);
    if (player.client && player.client->state() != PlayerClient::State::Disconnected)
        player.client->abort();
    if (m_phase == Phase::Connecting) {
        ++m_settled;
        checkConnectingDone();
    }
}

void LoadGenerator::countError(const QString &code)
{
    ++m_report.errorsByCode[code];
}

void LoadGenerator::checkConnectingDone()
{
    if (m_phase == Phase::Connecting && m_opened == m_options.clients && m_settled >= m_options.clients)
        beginSending();
}

void LoadGenerator::joinTimedOut()
{
    if (m_phase != Phase::Connecting)
        return;
    qCDebug(lcLoadtest) << "join timeout:" << (m_options.clients - m_settled) << "clients not in a room";
    for (const auto &player : m_players)
        failPlayer(*player, QStringLiteral("timeout"));
    checkConnectingDone();
}

void LoadGenerator::beginSending()
{
    m_connectTimer->stop();
    m_joinDeadline->stop();
    sampleServer(m_report.serverBeforeSend);
    sampleWatched(m_report.watchedBeforeSend);
    if (const auto self = ProcessSample::read(0); self.ok())
        m_report.selfBeforeSend = self.value();
    setPhase(Phase::Sending);
    m_sendStartNs = nowNs();
    if (m_report.joined == 0) {
        beginDraining();
        return;
    }
    m_totalSends = quint64(std::llround(double(m_options.clients) * m_options.rate * m_options.durationSeconds));
    m_sendTimer->start(m_totalSends > 0 ? SendTickMs : PingTickMs);
}

void LoadGenerator::sendDue()
{
    if (m_phase != Phase::Sending)
        return;
    const qint64 now = nowNs();
    const double elapsed = double(now - m_sendStartNs) / 1e9;
    const auto n = quint64(m_options.clients);
    if (m_totalSends > 0) {
        // Slot k belongs to client k mod n at k / (n * rate) seconds: every client sends at exactly
        // --rate per second, and the clients' sends are spread evenly over each period.
        const double perSecond = double(n) * m_options.rate;
        const quint64 due = std::min<quint64>(m_totalSends, quint64(elapsed * perSecond) + 1);
        while (m_scheduled < due) {
            Player &player = *m_players[std::size_t(m_scheduled % n)];
            ++m_scheduled;
            if (player.state == PlayerState::InRoom)
                sendOne(player);
        }
    } else {
        // Idle sessions: each client pings once per heartbeat interval, as a real client would.
        const double heartbeatSeconds = double(m_heartbeatMs > 0 ? m_heartbeatMs : DefaultHeartbeatMs) / 1000.0;
        const auto due = quint64(elapsed * double(n) / heartbeatSeconds);
        while (m_pingSlots < due) {
            Player &player = *m_players[std::size_t(m_pingSlots % n)];
            ++m_pingSlots;
            if (player.state == PlayerState::InRoom) {
                protocol::Ping ping;
                ping.time = double(now) / 1e6;
                player.client->send(ping);
                ++m_pings;
            }
        }
    }
    if (elapsed >= m_options.durationSeconds)
        beginDraining();
}

void LoadGenerator::sendOne(Player &player)
{
    if (player.client->bytesToWrite() > MaxUnsentBytes) {
        ++m_skipped;
        return;
    }
    LoadPayload payload;
    payload.sentNs = nowNs();
    payload.seq = player.nextSeq++;
    payload.client = player.index;
    const QByteArray data = payload.toJson(m_options.payloadBytes);
    if (!player.sendPrefix.isEmpty()) {
        // Preformatted text: the envelope was encoded by the codec once, and the payload is ours.
        player.client->sendRaw(player.sendPrefix + data + '}');
    } else {
        auto parsed = protocol::RawJson::parse(data);
        if (!parsed.ok()) {
            ++m_skipped;
            return;
        }
        protocol::RoomMessage message;
        message.roomId = player.roomId;
        message.data = std::move(parsed).value();
        player.client->send(message);
    }
    ++m_report.sent;
    m_report.expectedDeliveries += quint64(std::max(0, m_roomPopulation.value(player.roomId)));
}

void LoadGenerator::beginDraining()
{
    if (m_phase != Phase::Sending)
        return;
    m_sendTimer->stop();
    m_report.sendSeconds = double(nowNs() - m_sendStartNs) / 1e9;
    m_report.skippedSends = m_skipped;
    m_report.pings = m_pings;
    setPhase(Phase::Draining);
    if (m_report.delivered >= m_report.expectedDeliveries || m_inRoom == 0) {
        beginClosing();
        return;
    }
    m_drainDeadline->start(secondsToMs(m_options.drainTimeoutSeconds));
}

void LoadGenerator::beginClosing()
{
    if (m_phase == Phase::Closing || m_phase == Phase::Done)
        return;
    m_connectTimer->stop();
    m_joinDeadline->stop();
    m_sendTimer->stop();
    m_drainDeadline->stop();
    // The "after" samples are taken before closing, while the sessions still exist.
    sampleServer(m_report.serverAfter);
    sampleWatched(m_report.watchedAfter);
    if (const auto self = ProcessSample::read(0); self.ok())
        m_report.selfAfter = self.value();
    setPhase(Phase::Closing);
    for (const auto &player : m_players) {
        if (player->client && player->client->state() != PlayerClient::State::Disconnected)
            player->client->close();
    }
    m_closeDeadline->start(CloseTimeoutMs);
    checkClosingDone();
}

void LoadGenerator::checkClosingDone()
{
    if (m_phase != Phase::Closing)
        return;
    if (m_openConnections <= 0)
        finish();
}

void LoadGenerator::finish()
{
    if (m_phase == Phase::Done)
        return;
    for (QTimer *timer : {m_connectTimer, m_joinDeadline, m_sendTimer, m_drainDeadline, m_closeDeadline,
                          m_hardDeadline, m_progressTimer})
        timer->stop();
    m_report.opened = m_opened;
    m_report.elapsedSeconds = m_clock.isValid() ? double(nowNs()) / 1e9 : 0.0;
    setPhase(Phase::Done);
    // Whatever is still open is dropped (hard deadline, or a server that does not answer the close).
    for (const auto &player : m_players) {
        if (player->client) {
            player->client->disconnect(this);
            player->client->abort();
        }
    }
    emit finished();
}

void LoadGenerator::emitProgress()
{
    Progress p;
    p.elapsedSeconds = double(nowNs()) / 1e9;
    p.phase = m_phase;
    p.clients = m_options.clients;
    p.opened = m_opened;
    p.joined = m_report.joined;
    p.failed = m_report.failed;
    p.sent = m_report.sent;
    p.delivered = m_report.delivered;
    p.deliveredLastSecond = m_report.delivered - m_deliveredAtLastProgress;
    p.p50LastSecondNs = m_lastSecond.percentile(50);
    p.p99LastSecondNs = m_lastSecond.percentile(99);
    p.errors = m_report.errorsTotal();
    p.disconnects = m_report.disconnects;
    m_deliveredAtLastProgress = m_report.delivered;
    m_lastSecond.reset();
    emit progressed(p);
}

} // namespace arena
