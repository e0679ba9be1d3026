// Matchmaking throughput of several instances sharing one Redis: N matchmakers (each with its own
// RedisStore, as N arena-server processes have) take --tickets queue tickets between them (ticket i
// through instance i mod N), then all run matching passes at once until every ticket that can be matched
// is. Group formation is the real thing: the mm.form script, atomic, one ticket in one match at most.
// What a server does after a match formed (create the room, tell the players) is not part of this
// figure; the end-to-end path is measured with arena-loadtest (docs/BENCHMARKS.md).
// Prints one JSON object: players matched per second, matches per instance, duplicates (must be 0).
#include "server/matchmaking/match.h"
#include "server/matchmaking/matchmaker.h"
#include "shared/core/metricsregistry.h"
#include "shared/core/taskregistry.h"
#include "shared/store/redisstore.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLoggingCategory>
#include <QRandomGenerator>
#include <QSet>
#include <QTextStream>
#include <QTimer>

#include <algorithm>
#include <memory>
#include <vector>

using namespace arena;

namespace {

struct Instance
{
    std::unique_ptr<RedisStore> store;
    std::unique_ptr<TaskRegistry> tasks;
    std::unique_ptr<MetricsRegistry> metrics;
    std::unique_ptr<Matchmaker> matchmaker;
    qint64 matches = 0;
    qint64 passes = 0;
    bool idle = false; // its last pass formed nothing
};

} // namespace

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QLoggingCategory::setFilterRules(QStringLiteral("arena.*.info=false\narena.*.debug=false")); // a line per ticket
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Matchmaking throughput of several instances on one Redis"));
    parser.addHelpOption();
    const QCommandLineOption portOpt(QStringLiteral("port"), QStringLiteral("Redis port"), QStringLiteral("port"),
                                     QStringLiteral("6379"));
    const QCommandLineOption ticketsOpt(QStringLiteral("tickets"), QStringLiteral("Queue tickets"), QStringLiteral("n"),
                                        QStringLiteral("60000"));
    const QCommandLineOption instancesOpt(QStringLiteral("instances"), QStringLiteral("Matchmakers"),
                                          QStringLiteral("n"), QStringLiteral("3"));
    const QCommandLineOption teamOpt(QStringLiteral("team-size"), QStringLiteral("Players per team"),
                                     QStringLiteral("n"), QStringLiteral("1"));
    parser.addOptions({portOpt, ticketsOpt, instancesOpt, teamOpt});
    parser.process(app);
    const int ticketCount = parser.value(ticketsOpt).toInt();
    const int instanceCount = qMax(1, parser.value(instancesOpt).toInt());
    const int teamSize = qMax(1, parser.value(teamOpt).toInt());

    RedisOptions options;
    options.port = quint16(parser.value(portOpt).toUInt());
    options.commandTimeout = std::chrono::seconds(60);
    MatchmakerSettings settings;
    settings.interval = std::chrono::milliseconds(0); // passes are run by hand
    settings.roomTypes = {QStringLiteral("duel")};
    std::vector<Instance> instances(static_cast<std::size_t>(instanceCount));
    for (int i = 0; i < instanceCount; ++i) {
        Instance &in = instances[std::size_t(i)];
        in.store = std::make_unique<RedisStore>(options, QByteArrayLiteral("bench:"), 2);
        in.store->open();
        in.tasks = std::make_unique<TaskRegistry>();
        in.metrics = std::make_unique<MetricsRegistry>();
        in.matchmaker = std::make_unique<Matchmaker>(*in.store, *in.tasks, *in.metrics, settings,
                                                     QStringLiteral("mm-bench-%1").arg(i));
    }

    QSet<QString> matchedSessions;
    qint64 duplicates = 0;
    for (Instance &in : instances) {
        QObject::connect(in.matchmaker.get(), &Matchmaker::matchFormed, [&](const Match &match) {
            ++in.matches;
            for (const Ticket &t : match.tickets()) {
                if (matchedSessions.contains(t.sessionId))
                    ++duplicates;
                matchedSessions.insert(t.sessionId);
            }
        });
    }

    QTextStream err(stderr);
    QElapsedTimer clock;
    double enqueueSeconds = 0;
    double matchSeconds = 0;
    qint64 enqueued = 0;
    qint64 enqueueFailed = 0;
    int next = 0;
    constexpr int InFlight = 512;
    int inFlight = 0;

    std::function<void()> startMatching;
    std::function<void()> fill = [&] {
        while (inFlight < InFlight && next < ticketCount) {
            const int i = next++;
            Ticket t;
            t.sessionId = QStringLiteral("s-%1").arg(i);
            t.playerId = QStringLiteral("p-%1").arg(i);
            t.level = int(QRandomGenerator::global()->bounded(1000));
            t.teamSize = teamSize;
            t.roomType = QStringLiteral("duel");
            ++inFlight;
            instances[std::size_t(i % instanceCount)].matchmaker->enqueue(t, nullptr, [&](Result<QString> id) {
                --inFlight;
                if (id.ok())
                    ++enqueued;
                else
                    ++enqueueFailed;
                if (next < ticketCount)
                    fill();
                else if (inFlight == 0)
                    startMatching();
            });
        }
    };

    std::function<void(Instance &)> pass = [&](Instance &in) {
        in.matchmaker->runMatching(nullptr, [&](Result<int> formed) {
            ++in.passes;
            in.idle = !formed.ok() || formed.value() == 0;
            const bool allIdle = std::all_of(instances.begin(), instances.end(), [](const Instance &x) { return x.idle; });
            if (allIdle) {
                if (matchSeconds == 0) {
                    matchSeconds = double(clock.nsecsElapsed()) / 1e9;
                    QCoreApplication::quit();
                }
                return;
            }
            pass(in);
        });
    };
    startMatching = [&] {
        enqueueSeconds = double(clock.nsecsElapsed()) / 1e9;
        err << "enqueued " << enqueued << " tickets in " << enqueueSeconds << " s; matching\n";
        err.flush();
        clock.restart();
        for (Instance &in : instances)
            pass(in);
    };

    // Start from an empty keyspace of our own prefix.
    QTimer::singleShot(0, [&] {
        instances.front().store->scan("*", nullptr, [&](Result<StateStore::Keys> keys) {
            const auto go = [&] {
                clock.start();
                fill();
            };
            if (!keys.ok() || keys.value().isEmpty()) {
                go();
                return;
            }
            instances.front().store->del(keys.value(), nullptr, [go](Result<qint64>) { go(); });
        });
    });
    app.exec();

    const qint64 matched = matchedSessions.size();
    QJsonArray perInstance;
    for (const Instance &in : instances)
        perInstance.append(QJsonObject{{QStringLiteral("matches"), in.matches}, {QStringLiteral("passes"), in.passes}});
    const QJsonObject out{
        {QStringLiteral("instances"), instanceCount},
        {QStringLiteral("tickets"), ticketCount},
        {QStringLiteral("team_size"), teamSize},
        {QStringLiteral("enqueued"), enqueued},
        {QStringLiteral("enqueue_failed"), enqueueFailed},
        {QStringLiteral("enqueue_per_s"), enqueueSeconds > 0 ? qRound64(double(enqueued) / enqueueSeconds) : 0},
        {QStringLiteral("matched_players"), matched},
        {QStringLiteral("match_seconds"), matchSeconds},
        {QStringLiteral("players_matched_per_s"), matchSeconds > 0 ? qRound64(double(matched) / matchSeconds) : 0},
        {QStringLiteral("duplicates"), duplicates},
        {QStringLiteral("per_instance"), perInstance},
    };
    QTextStream(stdout) << QJsonDocument(out).toJson(QJsonDocument::Compact) << "\n";
    return duplicates == 0 && enqueueFailed == 0 ? 0 : 1;
}
