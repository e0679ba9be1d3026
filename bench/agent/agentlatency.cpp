// bench_agentlatency: how long a change on arena-server takes to reach a console, through arena-agent.
// Connects to the agent like a console (auth, subscribe to the agent's own instance), then per round
// connects one player to the server and measures from its welcome to the first snapshot whose
// figures.sessions.total shows it; closes the player and measures from the end of the close handshake to
// the first snapshot without it. Prints p50/p90/p99/max per direction and one JSON line.
// --rounds 0 only connects and subscribes, and stays until killed (an idle console for run.sh).
#include "shared/client/playerclient.h"
#include "shared/protocol/codec.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QDeadlineTimer>
#include <QElapsedTimer>
#include <QEventLoop>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QRandomGenerator>
#include <QTextStream>
#include <QTimer>
#include <QWebSocket>

#include <algorithm>
#include <cmath>
#include <functional>
#include <optional>
#include <vector>

using namespace arena;
namespace P = arena::protocol;

namespace {

// Runs the event loop until `done` holds or the timeout passes; handlers call wake() after a change.
class Waiter final
{
public:
    bool until(const std::function<bool()> &done, int timeoutMs)
    {
        const QDeadlineTimer deadline(timeoutMs);
        while (!done()) {
            if (deadline.hasExpired())
                return false;
            QEventLoop loop;
            m_loop = &loop;
            QTimer::singleShot(std::max<qint64>(1, deadline.remainingTime()), &loop, &QEventLoop::quit);
            loop.exec();
            m_loop = nullptr;
        }
        return true;
    }
    void wake()
    {
        if (m_loop)
            m_loop->quit();
    }
    void sleep(int ms)
    {
        until([] { return false; }, ms);
    }

private:
    QEventLoop *m_loop = nullptr;
};

struct SnapshotArrival
{
    qint64 arrivalNs = 0; // monotonic clock of this program
    int sessions = -1;
    qint64 pushDelayMs = 0; // wall clock at arrival minus the snapshot's time (same host)
};

struct Stats
{
    std::vector<double> values;

    double percentile(double p) const
    {
        if (values.empty())
            return std::nan("");
        std::vector<double> v = values;
        std::sort(v.begin(), v.end());
        // Nearest rank.
        const auto rank = size_t(std::ceil(p / 100.0 * double(v.size())));
        return v[std::clamp<size_t>(rank, 1, v.size()) - 1];
    }
    QJsonObject toJson() const
    {
        const auto r = [](double x) { return std::isnan(x) ? QJsonValue() : QJsonValue(std::round(x * 10) / 10); };
        return {{QStringLiteral("n"), qint64(values.size())},
                {QStringLiteral("min_ms"), r(percentile(0))},
                {QStringLiteral("p50_ms"), r(percentile(50))},
                {QStringLiteral("p90_ms"), r(percentile(90))},
                {QStringLiteral("p99_ms"), r(percentile(99))},
                {QStringLiteral("max_ms"), r(percentile(100))}};
    }
    QString line(const QString &name) const
    {
        return QStringLiteral("%1 (n=%2): p50 %3 ms  p90 %4 ms  p99 %5 ms  max %6 ms")
            .arg(name.leftJustified(5))
            .arg(values.size())
            .arg(percentile(50), 0, 'f', 1)
            .arg(percentile(90), 0, 'f', 1)
            .arg(percentile(99), 0, 'f', 1)
            .arg(percentile(100), 0, 'f', 1);
    }
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(
        QStringLiteral("Time from a session change on arena-server to the agent's snapshot at a subscribed client"));
    parser.addHelpOption();
    const QCommandLineOption agentPortOpt(QStringLiteral("agent-port"), QStringLiteral("arena-agent's port"),
                                          QStringLiteral("port"));
    const QCommandLineOption playerPortOpt(QStringLiteral("player-port"), QStringLiteral("arena-server's player port"),
                                           QStringLiteral("port"));
    const QCommandLineOption tokenOpt(QStringLiteral("token"), QStringLiteral("Token for the agent"),
                                      QStringLiteral("token"), QStringLiteral("bench"));
    const QCommandLineOption roundsOpt(QStringLiteral("rounds"),
                                       QStringLiteral("Join + leave rounds (0: stay subscribed until killed)"),
                                       QStringLiteral("n"), QStringLiteral("100"));
    const QCommandLineOption jitterOpt(QStringLiteral("jitter-ms"),
                                       QStringLiteral("Random pause before each change, uniform in [0, N) ms, so that "
                                                      "changes do not line up with the agent's polls"),
                                       QStringLiteral("ms"), QStringLiteral("1000"));
    const QCommandLineOption timeoutOpt(QStringLiteral("timeout-ms"),
                                        QStringLiteral("Give up on one measurement after N ms"), QStringLiteral("ms"),
                                        QStringLiteral("10000"));
    parser.addOptions({agentPortOpt, playerPortOpt, tokenOpt, roundsOpt, jitterOpt, timeoutOpt});
    parser.process(app);

    QTextStream out(stdout);
    QTextStream err(stderr);
    const int rounds = parser.value(roundsOpt).toInt();
    const int jitterMs = std::max(0, parser.value(jitterOpt).toInt());
    const int timeoutMs = std::max(100, parser.value(timeoutOpt).toInt());
    const auto agentPort = quint16(parser.value(agentPortOpt).toUInt());
    const auto playerPort = quint16(parser.value(playerPortOpt).toUInt());
    if (agentPort == 0 || (rounds > 0 && playerPort == 0)) {
        err << "bench_agentlatency: --agent-port and --player-port are required" << Qt::endl;
        return 2;
    }

    Waiter waiter;
    QElapsedTimer clock;
    clock.start();

    // The console side: every snapshot of the agent's own instance, with its arrival time.
    QWebSocket agent;
    agent.setMaxAllowedIncomingMessageSize(quint64(P::DecodeLimits::trusted().maxMessageBytes));
    std::optional<P::AuthOk> authOk;
    std::optional<P::ErrorMessage> agentError;
    std::vector<SnapshotArrival> snapshots;
    int undecodable = 0;
    bool agentGone = false;
    QObject::connect(&agent, &QWebSocket::textMessageReceived, [&](const QString &text) {
        const qint64 arrivalNs = clock.nsecsElapsed();
        const qint64 wallMs = QDateTime::currentMSecsSinceEpoch();
        auto decoded = P::decodeAdminServerMessage(text.toUtf8());
        if (!decoded) {
            ++undecodable;
            return;
        }
        if (const auto *ok = std::get_if<P::AuthOk>(&decoded.value())) {
            authOk = *ok;
        } else if (const auto *e = std::get_if<P::ErrorMessage>(&decoded.value())) {
            agentError = *e;
        } else if (const auto *s = std::get_if<P::Snapshot>(&decoded.value())) {
            if (authOk && s->instance == authOk->instance) {
                const QJsonObject figures = s->figures.toJsonObject();
                const QJsonValue total = figures.value(QStringLiteral("sessions")).toObject().value(QStringLiteral("total"));
                snapshots.push_back({arrivalNs, total.isDouble() ? total.toInt() : -1, wallMs - qint64(s->time)});
            }
        }
        waiter.wake();
    });
    QObject::connect(&agent, &QWebSocket::connected, [&] { waiter.wake(); });
    QObject::connect(&agent, &QWebSocket::disconnected, [&] {
        agentGone = true;
        waiter.wake();
    });

    agent.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(agentPort)));
    if (!waiter.until([&] { return agent.state() == QAbstractSocket::ConnectedState || agentGone; }, timeoutMs)
        || agentGone) {
        err << "bench_agentlatency: cannot connect to the agent on port " << agentPort << ": " << agent.errorString()
            << Qt::endl;
        return 1;
    }
    agent.sendTextMessage(QString::fromUtf8(P::encode(P::Auth{.token = parser.value(tokenOpt), .rid = 1})));
    if (!waiter.until([&] { return authOk || agentError || agentGone; }, timeoutMs) || !authOk) {
        err << "bench_agentlatency: the agent did not accept the token"
            << (agentError ? QStringLiteral(": ") + agentError->message : QString()) << Qt::endl;
        return 1;
    }
    agent.sendTextMessage(
        QString::fromUtf8(P::encode(P::Subscribe{.all = false, .instances = {authOk->instance}, .rid = 2})));
    if (!waiter.until([&] { return !snapshots.empty() || agentGone; }, timeoutMs) || snapshots.empty()) {
        err << "bench_agentlatency: no snapshot of " << authOk->instance << " within " << timeoutMs << " ms"
            << Qt::endl;
        return 1;
    }
    const int baseline = snapshots.back().sessions;
    if (baseline < 0) {
        err << "bench_agentlatency: the snapshot has no sessions.total" << Qt::endl;
        return 1;
    }

    if (rounds == 0) {
        out << "bench_agentlatency: subscribed to " << authOk->instance << ", idle until killed" << Qt::endl;
        QObject::connect(&agent, &QWebSocket::disconnected, &app, [] { QCoreApplication::exit(1); });
        return app.exec();
    }

    // Waits for the first snapshot since `fromIndex` showing `wanted` sessions; the delay from t0 in ms
    // (a snapshot that arrived before t0 counts as 0 and as `early`).
    Stats join, leave, pushDelay;
    int early = 0;
    int timeouts = 0;
    const auto measure = [&](size_t fromIndex, qint64 t0Ns, int wanted, Stats &into) {
        size_t i = fromIndex;
        const auto found = [&] {
            for (; i < snapshots.size(); ++i) {
                if (snapshots[i].sessions == wanted)
                    return true;
            }
            return agentGone;
        };
        if (!waiter.until(found, timeoutMs) || i >= snapshots.size()) {
            ++timeouts;
            return false;
        }
        const qint64 deltaNs = snapshots[i].arrivalNs - t0Ns;
        if (deltaNs < 0)
            ++early;
        into.values.push_back(double(std::max<qint64>(0, deltaNs)) / 1e6);
        pushDelay.values.push_back(double(snapshots[i].pushDelayMs));
        return true;
    };

    const QUrl playerUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(playerPort));
    auto *rng = QRandomGenerator::global();
    for (int round = 0; round < rounds && !agentGone; ++round) {
        PlayerClient player;
        std::optional<qint64> welcomedNs;
        std::optional<qint64> closedNs;
        std::optional<QString> refused;
        QObject::connect(&player, &PlayerClient::welcomed, [&] {
            welcomedNs = clock.nsecsElapsed();
            waiter.wake();
        });
        QObject::connect(&player, &PlayerClient::helloRefused, [&](const P::ErrorMessage &e) {
            refused = e.message;
            waiter.wake();
        });
        QObject::connect(&player, &PlayerClient::disconnected, [&] {
            closedNs = clock.nsecsElapsed();
            waiter.wake();
        });

        if (jitterMs > 0)
            waiter.sleep(int(rng->bounded(jitterMs)));
        size_t from = snapshots.size();
        player.open(playerUrl);
        if (!waiter.until([&] { return welcomedNs || refused || closedNs; }, timeoutMs) || !welcomedNs) {
            err << "bench_agentlatency: round " << round + 1 << ": no welcome from the server"
                << (refused ? QStringLiteral(": ") + *refused : QString()) << Qt::endl;
            return 1;
        }
        measure(from, *welcomedNs, baseline + 1, join);

        if (jitterMs > 0)
            waiter.sleep(int(rng->bounded(jitterMs)));
        from = snapshots.size();
        player.close();
        if (!waiter.until([&] { return bool(closedNs); }, timeoutMs)) {
            err << "bench_agentlatency: round " << round + 1 << ": the close handshake did not finish" << Qt::endl;
            return 1;
        }
        measure(from, *closedNs, baseline, leave);
    }
    if (agentGone)
        err << "bench_agentlatency: the agent closed the connection" << Qt::endl;

    Stats all;
    all.values = join.values;
    all.values.insert(all.values.end(), leave.values.begin(), leave.values.end());

    // Snapshot cadence over the whole run, for context; from the second snapshot on, since the first is
    // the agent's answer to `subscribe`. A gap under half the usual one is a second snapshot within an
    // interval (`short_gaps`).
    Stats gaps;
    for (size_t i = 2; i < snapshots.size(); ++i)
        gaps.values.push_back(double(snapshots[i].arrivalNs - snapshots[i - 1].arrivalNs) / 1e6);
    const double usualGap = gaps.percentile(50);
    const auto shortGaps = std::count_if(gaps.values.begin(), gaps.values.end(),
                                         [&](double gap) { return gap < usualGap / 2; });

    out << join.line(QStringLiteral("join")) << '\n'
        << leave.line(QStringLiteral("leave")) << '\n'
        << all.line(QStringLiteral("all")) << '\n'
        << QStringLiteral("snapshots %1 (gap min %9 ms, p50 %2 ms, max %3 ms, %10 under half the p50); snapshot "
                          "time to arrival p50 %4 ms, max %5 ms; early %6, timeouts %7, undecodable %8")
               .arg(snapshots.size())
               .arg(gaps.percentile(50), 0, 'f', 1)
               .arg(gaps.percentile(100), 0, 'f', 1)
               .arg(pushDelay.percentile(50), 0, 'f', 0)
               .arg(pushDelay.percentile(100), 0, 'f', 0)
               .arg(early)
               .arg(timeouts)
               .arg(undecodable)
               .arg(gaps.percentile(0), 0, 'f', 1)
               .arg(shortGaps)
        << '\n';
    const QJsonObject report{
        {QStringLiteral("instance"), authOk->instance},
        {QStringLiteral("rounds"), rounds},
        {QStringLiteral("jitter_ms"), jitterMs},
        {QStringLiteral("join"), join.toJson()},
        {QStringLiteral("leave"), leave.toJson()},
        {QStringLiteral("all"), all.toJson()},
        {QStringLiteral("snapshot_gap"), gaps.toJson()},
        {QStringLiteral("short_gaps"), qint64(shortGaps)},
        {QStringLiteral("snapshot_time_to_arrival"), pushDelay.toJson()},
        {QStringLiteral("snapshots"), qint64(snapshots.size())},
        {QStringLiteral("early"), early},
        {QStringLiteral("timeouts"), timeouts},
        {QStringLiteral("undecodable"), undecodable},
    };
    out << QJsonDocument(report).toJson(QJsonDocument::Compact) << Qt::endl;
    const bool complete = timeouts == 0 && !agentGone;
    agent.close();
    return complete ? 0 : 1;
}
