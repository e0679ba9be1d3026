// bench_console: the console's repaint time and memory under a synthetic fleet (issue 6). The real
// ConsoleSession and MainWindow, fed protocol::Fleet and protocol::Snapshot messages through the
// AdminClient signals real pushes arrive on, with synthetic timestamps and a synthetic chart clock:
//   1. pre-fill: --prefill-s seconds of history for --instances instances (1 Hz each), as fast as possible
//      (straight into FleetHistory, the last 10 s through the whole path)
//   2. repaint: --ticks ticks at 1 Hz synthetic time, whole fleet then one instance; per tick, after the
//      tick's pushes, ChartGrid::refresh() (points from the histories into the charts) and the deferred
//      paint of the window (processEvents: layout and paint, as the event loop does it), each timed
//   3. accelerated: --accel-s seconds of synthetic time fed as fast as possible, the window repainting at
//      the console's own throttle (ChartGrid's 250 ms timer), VmRSS sampled every synthetic minute
// Prints key=value lines (bench/console/run.sh takes the medians over runs).
//   bench_console [--instances 50] [--prefill-s 3600] [--ticks 200] [--accel-s 1800] [--window 1h|24h|5m]
#include "console/app/chartgrid.h"
#include "console/app/chartpanel.h"
#include "console/app/consolesession.h"
#include "console/app/fleetpanel.h"
#include "console/app/mainwindow.h"
#include "shared/protocol/adminmessages.h"

#include <QApplication>
#include <QCommandLineParser>
#include <QDateTime>
#include <QElapsedTimer>
#include <QFile>
#include <QJsonArray>
#include <QJsonObject>
#include <QSettings>
#include <QStandardPaths>
#include <QTemporaryDir>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <vector>

using namespace arena;
using namespace arena::console;
using namespace Qt::StringLiterals;

namespace {

// Resident set figures of this process, kB.
struct Rss
{
    qint64 vmRss = 0;
    qint64 rssAnon = 0;
};

Rss readRss()
{
    QFile file(QStringLiteral("/proc/self/status"));
    Rss rss;
    if (!file.open(QIODevice::ReadOnly))
        return rss;
    for (const QByteArray &line : file.readAll().split('\n')) {
        const auto value = [&line] { return line.mid(line.indexOf(':') + 1).trimmed().split(' ').value(0).toLongLong(); };
        if (line.startsWith("VmRSS:"))
            rss.vmRss = value();
        else if (line.startsWith("RssAnon:"))
            rss.rssAnon = value();
    }
    return rss;
}

// Counts paint events of the chart viewports, to check that each timed tick repainted every chart.
class PaintCounter final : public QObject
{
public:
    int count = 0;

protected:
    bool eventFilter(QObject *watched, QEvent *event) override
    {
        if (event->type() == QEvent::Paint)
            ++count;
        return QObject::eventFilter(watched, event);
    }
};

// Figures per agent/SNAPSHOT.md for one instance, every charted series moving: a slow daily-ish wave,
// a per-instance phase and scale, and noise.
class SyntheticFleet
{
public:
    explicit SyntheticFleet(int instances) : m_rng(42)
    {
        for (int i = 0; i < instances; ++i)
            m_ids.append(QStringLiteral("arena-%1").arg(i, 2, 10, QLatin1Char('0')));
    }

    const QStringList &ids() const { return m_ids; }

    // The agents sample out of phase: instance i reports at second + i * 19 ms.
    static qint64 offsetMs(int i) { return (i * 19) % 1000; }

    protocol::Fleet fleet(qint64 nowMs) const
    {
        protocol::Fleet fleet;
        fleet.time = quint64(nowMs);
        for (int i = 0; i < m_ids.size(); ++i) {
            protocol::InstanceSummary s;
            s.id = m_ids.at(i);
            s.host = QStringLiteral("host-%1").arg(i);
            s.state = protocol::InstanceState::Up;
            s.sessions = quint32(800 + 10 * i);
            s.rooms = quint32(200 + i);
            s.matches = quint32(100 + i);
            s.workers = 4;
            s.lastSeen = quint64(nowMs - 1000 + offsetMs(i));
            fleet.instances.append(s);
        }
        return fleet;
    }

    protocol::Snapshot snapshot(int i, qint64 secondMs, qint64 seq)
    {
        const qint64 t = secondMs + offsetMs(i);
        const double phase = double(i) * 0.37;
        const double wave = 0.5 + 0.5 * std::sin(double(secondMs) / 600'000.0 + phase); // ~1 h period
        std::uniform_real_distribution<double> noise(0.9, 1.1);
        const auto n = [&](double base) { return base * noise(m_rng); };
        const double scale = 1.0 + double(i % 7) * 0.15;

        const int sessions = int(n(400 + 800 * wave * scale));
        const int rooms = sessions / 4;
        const int matches = rooms / 2;
        const double serverCpu = n(20 + 40 * wave);
        const int workers = 3 + int(wave * 3);
        const double workerCpu = n(30 + 90 * wave);
        const double msgs = n(2000 + 6000 * wave * scale);
        const double p99 = n(0.05 + 0.3 * wave);

        QJsonObject process{{u"pid"_s, 4000 + i}, {u"exists"_s, true}, {u"command"_s, u"arena-server"_s}, {u"state"_s, u"S"_s},
                            {u"cpu_percent"_s, serverCpu}, {u"rss_kb"_s, int(n(90'000 + 60'000 * wave))}, {u"fds"_s, 120},
                            {u"threads"_s, 6}};
        QJsonObject server{{u"url"_s, u"http://127.0.0.1:4601"_s}, {u"state"_s, u"up"_s}, {u"since"_s, u"2026-11-22T16:40:00.120Z"_s},
                           {u"last_poll"_s, u"2026-11-22T16:40:41.004Z"_s}, {u"last_poll_age_ms"_s, 12}, {u"pid"_s, 4000 + i},
                           {u"status"_s, u"ok"_s}, {u"draining"_s, false}, {u"version"_s, u"0.1.0"_s},
                           {u"started_at"_s, u"2026-11-22T16:39:59.870Z"_s}, {u"uptime_s"_s, double(seq)},
                           {u"player_port"_s, 4600}, {u"connections_accepted"_s, sessions}, {u"process"_s, process}};
        QJsonArray workerList;
        for (int w = 0; w < workers; ++w) {
            workerList.append(QJsonObject{{u"id"_s, QStringLiteral("w%1").arg(w + 1)}, {u"pid"_s, 5000 + 10 * i + w},
                                          {u"state"_s, u"ready"_s}, {u"matches"_s, matches / workers}, {u"exists"_s, true},
                                          {u"cpu_percent"_s, workerCpu / workers}, {u"rss_kb"_s, 40'000}, {u"fds"_s, 12},
                                          {u"threads"_s, 3}, {u"uptime_s"_s, double(seq)}, {u"restarts"_s, 0},
                                          {u"tick_lag_p99_ms"_s, n(0.2)}, {u"tick_lag_max_ms"_s, n(0.5)},
                                          {u"ticks_last_interval"_s, 20}, {u"last_heard_ms_ago"_s, 300}});
        }
        QJsonObject totals{{u"total_workers"_s, workers}, {u"active_workers"_s, workers}, {u"idle_workers"_s, 0},
                           {u"total_matches"_s, matches}, {u"cpu_percent"_s, workerCpu}, {u"rss_kb"_s, 40'000 * workers},
                           {u"fds"_s, 12 * workers}, {u"threads"_s, 3 * workers}, {u"deaths"_s, 0}, {u"matches_restored"_s, 0},
                           {u"matches_lost"_s, 0}, {u"min_workers"_s, 1}, {u"max_workers"_s, 8}, {u"scale_target"_s, workers},
                           {u"match_limit"_s, 500}};
        const int tickets = int(n(5 + 40 * wave));
        QJsonObject wait{{u"duel"_s, QJsonObject{{u"count"_s, seq}, {u"sum_s"_s, 0.2 * double(seq)}, {u"p50_s"_s, n(0.1)},
                                              {u"p99_s"_s, n(0.5 + 2 * wave)},
                                              {u"buckets"_s, QJsonArray{QJsonObject{{u"le"_s, 0.1}, {u"count"_s, 0}},
                                                                     QJsonObject{{u"le"_s, u"+Inf"_s}, {u"count"_s, seq}}}}}}};
        QJsonObject redis{{u"url"_s, u"redis://127.0.0.1:6379/0"_s}, {u"reachable"_s, true}, {u"pings"_s, 10},
                          {u"ping_failures"_s, 0}, {u"ping_p50_ms"_s, n(0.08)}, {u"ping_p99_ms"_s, n(0.15 + 0.5 * wave)},
                          {u"ping_max_ms"_s, n(0.9)}, {u"version"_s, u"7.0.15"_s}, {u"uptime_s"_s, 3600},
                          {u"used_memory"_s, double(int(n(200e6 + 100e6 * wave)))}, {u"used_memory_peak"_s, 400e6},
                          {u"connected_clients"_s, int(n(100 + 100 * wave))}, {u"ops_per_sec"_s, int(n(20'000 + 40'000 * wave))},
                          {u"total_commands"_s, double(seq) * 30'000}, {u"pubsub_channels"_s, 50}, {u"pubsub_patterns"_s, 0},
                          {u"keys"_s, 9000}};
        QJsonObject figures{
            {u"format"_s, 1},
            {u"seq"_s, seq},
            {u"time"_s, double(t)},
            {u"interval_ms"_s, 1000},
            {u"instance"_s, m_ids.at(i)},
            {u"server"_s, server},
            {u"sessions"_s, QJsonObject{{u"total"_s, sessions}, {u"connected"_s, sessions}, {u"awaiting_resume"_s, 0}, {u"awaiting_hello"_s, 0}}},
            {u"rooms"_s, QJsonObject{{u"total"_s, rooms}, {u"by_type"_s, QJsonObject{{u"duel"_s, rooms}}},
                                  {u"clients_by_type"_s, QJsonObject{{u"duel"_s, 2 * rooms}}}}},
            {u"matches"_s, QJsonObject{{u"active"_s, matches}, {u"formed_total"_s, seq}}},
            {u"queues"_s, QJsonArray{QJsonObject{{u"room_type"_s, u"duel"_s}, {u"team_size"_s, 1}, {u"tickets"_s, tickets}}}},
            {u"matchmaking"_s, QJsonObject{{u"queued_sessions"_s, tickets}, {u"wait"_s, wait}}},
            {u"traffic"_s, QJsonObject{{u"messages_total"_s, double(seq) * msgs}, {u"messages_per_s"_s, msgs},
                                    {u"deliveries_per_s"_s, 2 * msgs}, {u"handle_p50_ms"_s, p99 / 4}, {u"handle_p99_ms"_s, p99}}},
            {u"workers"_s, QJsonObject{{u"list"_s, workerList}, {u"totals"_s, totals}}},
            {u"store"_s, QJsonObject{{u"backend"_s, u"redis"_s}, {u"available"_s, true}, {u"round_trip_ms"_s, n(0.3)}}},
            {u"redis"_s, redis},
            {u"host"_s, QJsonObject{{u"name"_s, QStringLiteral("host-%1").arg(i)}, {u"cpus"_s, 8}, {u"load1"_s, n(2.0)},
                                 {u"load5"_s, 2.0}, {u"load15"_s, 2.0}, {u"mem_total_kb"_s, 32'000'000},
                                 {u"mem_available_kb"_s, 20'000'000}, {u"mem_used_percent"_s, 37.5}}},
        };
        protocol::Snapshot snapshot;
        snapshot.instance = m_ids.at(i);
        snapshot.time = quint64(t);
        snapshot.figures = protocol::RawJson::fromJsonObject(figures);
        return snapshot;
    }

private:
    QStringList m_ids;
    std::mt19937 m_rng;
};

struct Stats
{
    double median = 0;
    double p95 = 0;
    double max = 0;
};

Stats statsOf(std::vector<double> v)
{
    if (v.empty())
        return {};
    std::sort(v.begin(), v.end());
    const auto rank = [&v](double q) { return v[std::min(v.size() - 1, std::size_t(std::ceil(q * double(v.size()))) - 1)]; };
    const double median = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
    return {median, rank(0.95), v.back()};
}

class Bench
{
public:
    Bench(ConsoleSession &session, MainWindow &window, int instances)
        : m_session(session), m_window(window), m_fleet(instances)
    {
        m_now = (QDateTime::currentMSecsSinceEpoch() / 60'000) * 60'000 - 48LL * 3600 * 1000;
        m_window.charts()->setClock([this] { return m_now; });
        for (ChartPanel *panel : m_window.charts()->panels())
            panel->viewport()->installEventFilter(&m_paints);
    }

    qint64 now() const { return m_now; }

    // One second of the fleet: every instance's snapshot, then the fleet push, as the agent sends them.
    // Returns the ns spent making the messages (not part of the console's work).
    qint64 tick()
    {
        m_now += 1000;
        ++m_seq;
        QElapsedTimer timer;
        timer.start();
        QList<protocol::Snapshot> snapshots;
        for (int i = 0; i < m_fleet.ids().size(); ++i)
            snapshots.append(m_fleet.snapshot(i, m_now - 1000, m_seq));
        const protocol::Fleet fleet = m_fleet.fleet(m_now);
        const qint64 generated = timer.nsecsElapsed();
        AdminClient &client = m_session.client();
        for (const protocol::Snapshot &snapshot : std::as_const(snapshots))
            Q_EMIT client.snapshotReceived(snapshot);
        Q_EMIT client.fleetReceived(fleet);
        return generated;
    }

    // History only: the snapshots go to FleetHistory::ingestSnapshot (the slot real ones reach), not to the
    // table models and event detector, which keep only the latest figures; the last seconds take the
    // whole path.
    void prefill(int seconds)
    {
        constexpr int wholePath = 10;
        for (int s = 0; s < seconds - wholePath; ++s) {
            m_now += 1000;
            ++m_seq;
            for (int i = 0; i < m_fleet.ids().size(); ++i)
                m_session.history().ingestSnapshot(m_fleet.snapshot(i, m_now - 1000, m_seq));
        }
        for (int s = std::max(0, seconds - wholePath); s < seconds; ++s) {
            tick();
            QCoreApplication::processEvents();
        }
    }

    // Timed ticks with the view as it is; prints the figures under `label`.
    void measureRepaint(const char *label, int ticks)
    {
        ChartGrid *grid = m_window.charts();
        QCoreApplication::processEvents();
        std::vector<double> generate, feed, refresh, paint, total;
        int paintsBefore = m_paints.count;
        int incomplete = 0;
        QElapsedTimer timer;
        for (int k = 0; k < ticks; ++k) {
            timer.start();
            const qint64 generated = tick();
            const qint64 t0 = timer.nsecsElapsed();
            const int before = m_paints.count;
            grid->refresh();
            const qint64 t1 = timer.nsecsElapsed();
            QCoreApplication::processEvents();
            const qint64 t2 = timer.nsecsElapsed();
            if (m_paints.count - before < grid->panels().size())
                ++incomplete;
            generate.push_back(double(generated) / 1e6);
            feed.push_back(double(t0 - generated) / 1e6);
            refresh.push_back(double(t1 - t0) / 1e6);
            paint.push_back(double(t2 - t1) / 1e6);
            total.push_back(double(t2 - t0) / 1e6);
        }
        // A full re-render of the chart area into a pixmap, for comparison (every chart, not just what changed).
        std::vector<double> grab;
        for (int k = 0; k < 20; ++k) {
            timer.start();
            const QPixmap pixmap = grid->grab();
            grab.push_back(double(timer.nsecsElapsed()) / 1e6);
        }
        const Stats gen = statsOf(generate), f = statsOf(feed), r = statsOf(refresh), p = statsOf(paint), t = statsOf(total), g = statsOf(grab);
        std::printf("repaint_%s_median_ms=%.2f\nrepaint_%s_p95_ms=%.2f\nrepaint_%s_max_ms=%.2f\n", label, t.median, label,
                    t.p95, label, t.max);
        std::printf("repaint_%s_refresh_median_ms=%.2f\nrepaint_%s_paint_median_ms=%.2f\n", label, r.median, label, p.median);
        std::printf("repaint_%s_refresh_p95_ms=%.2f\nrepaint_%s_paint_p95_ms=%.2f\n", label, r.p95, label, p.p95);
        std::printf("repaint_%s_feed_median_ms=%.2f\nrepaint_%s_grab_median_ms=%.2f\n", label, f.median, label, g.median);
        std::printf("repaint_%s_generate_median_ms=%.2f\n", label, gen.median);
        std::printf("repaint_%s_chart_paints_per_tick=%.2f\nrepaint_%s_ticks_without_full_paint=%d\n", label,
                    double(m_paints.count - paintsBefore) / ticks, label, incomplete);
        std::fflush(stdout);
    }

    // Feeds `seconds` of synthetic time as fast as possible, repainting at the console's own throttle.
    void accelerated(int seconds, const char *label)
    {
        ChartGrid *grid = m_window.charts();
        const int refreshesBefore = grid->refreshCount();
        std::vector<qint64> samples{readRss().vmRss};
        const Rss first = readRss();
        QElapsedTimer timer;
        timer.start();
        for (int s = 1; s <= seconds; ++s) {
            tick();
            QCoreApplication::processEvents();
            if (s % 60 == 0)
                samples.push_back(readRss().vmRss);
        }
        const double wall = double(timer.elapsed()) / 1000.0;
        const Rss last = readRss();
        const qint64 start = samples.front();
        const qint64 end = samples.back();
        const qint64 max = *std::max_element(samples.begin(), samples.end());
        std::printf("accel_%s_seconds=%d\naccel_%s_wall_s=%.1f\naccel_%s_refreshes=%d\n", label, seconds, label, wall,
                    label, grid->refreshCount() - refreshesBefore);
        std::printf("accel_%s_rss_start_kb=%lld\naccel_%s_rss_max_kb=%lld\naccel_%s_rss_end_kb=%lld\n", label,
                    qlonglong(start), label, qlonglong(max), label, qlonglong(end));
        std::printf("accel_%s_rss_drift_pct=%.2f\naccel_%s_rssanon_start_kb=%lld\naccel_%s_rssanon_end_kb=%lld\n", label,
                    100.0 * (double(end) / double(start) - 1.0), label, qlonglong(first.rssAnon), label,
                    qlonglong(last.rssAnon));
        QStringList series;
        for (qint64 kb : samples)
            series.append(QString::number(kb));
        std::printf("accel_%s_rss_samples_kb=%s\n", label, qPrintable(series.join(QLatin1Char(','))));
        std::fflush(stdout);
    }

private:
    ConsoleSession &m_session;
    MainWindow &m_window;
    SyntheticFleet m_fleet;
    PaintCounter m_paints;
    qint64 m_now = 0;
    qint64 m_seq = 0;
};

} // namespace

int main(int argc, char *argv[])
{
    if (qEnvironmentVariableIsEmpty("QT_QPA_PLATFORM"))
        qputenv("QT_QPA_PLATFORM", "offscreen");
    QApplication app(argc, argv);
    QStandardPaths::setTestModeEnabled(true);

    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("arena-console repaint time and memory under a synthetic fleet"));
    parser.addHelpOption();
    const QCommandLineOption instancesOpt(QStringLiteral("instances"), QStringLiteral("instances in the fleet"),
                                          QStringLiteral("n"), QStringLiteral("50"));
    const QCommandLineOption prefillOpt(QStringLiteral("prefill-s"), QStringLiteral("seconds of history fed first"),
                                        QStringLiteral("s"), QStringLiteral("3600"));
    const QCommandLineOption ticksOpt(QStringLiteral("ticks"), QStringLiteral("timed 1 Hz ticks per view"),
                                      QStringLiteral("n"), QStringLiteral("200"));
    const QCommandLineOption accelOpt(QStringLiteral("accel-s"), QStringLiteral("seconds of the accelerated run"),
                                      QStringLiteral("s"), QStringLiteral("1800"));
    const QCommandLineOption windowOpt(QStringLiteral("window"), QStringLiteral("chart window: 5m, 1h or 24h"),
                                       QStringLiteral("span"), QStringLiteral("1h"));
    const QCommandLineOption instanceOpt(QStringLiteral("instance"), QStringLiteral("the instance of the instance view"),
                                         QStringLiteral("id"), QStringLiteral("arena-07"));
    parser.addOptions({instancesOpt, prefillOpt, ticksOpt, accelOpt, windowOpt, instanceOpt});
    parser.process(app);

    const int instances = parser.value(instancesOpt).toInt();
    const QString span = parser.value(windowOpt);
    const qint64 windowMs = span == QLatin1String("24h") ? ChartGrid::OneDay
                            : span == QLatin1String("5m") ? ChartGrid::FiveMinutes
                                                          : ChartGrid::OneHour;
    const QByteArray label = span.toLatin1();

    QTemporaryDir dir;
    QSettings settings(dir.filePath(QStringLiteral("console.conf")), QSettings::IniFormat);
    const Rss atStart = readRss();
    ConsoleSession session;
    MainWindow window(session, settings);
    window.resize(1600, 1000);
    window.show();
    window.setWindowSpan(windowMs);
    window.fleetPanel()->selectWholeFleet();
    QCoreApplication::processEvents();
    const Rss withWindow = readRss();

    Bench bench(session, window, instances);
    QElapsedTimer timer;
    timer.start();
    const int prefill = parser.value(prefillOpt).toInt();
    bench.prefill(prefill);
    const Rss afterPrefill = readRss();
    std::printf("window=%s\ninstances=%d\nprefill_s=%d\nprefill_wall_s=%.1f\n", label.constData(), instances, prefill,
                double(timer.elapsed()) / 1000.0);
    std::printf("rss_process_start_kb=%lld\nrss_window_shown_kb=%lld\nrss_after_prefill_kb=%lld\n"
                "rssanon_after_prefill_kb=%lld\nhistory_bytes=%lld\n",
                qlonglong(atStart.vmRss), qlonglong(withWindow.vmRss), qlonglong(afterPrefill.vmRss),
                qlonglong(afterPrefill.rssAnon), qlonglong(session.history().memoryBytes()));
    std::fflush(stdout);

    const int ticks = parser.value(ticksOpt).toInt();
    if (ticks > 0) {
        window.fleetPanel()->selectWholeFleet();
        bench.measureRepaint("fleet", ticks);
        window.fleetPanel()->selectInstance(parser.value(instanceOpt));
        QCoreApplication::processEvents();
        if (window.selectedInstance() != parser.value(instanceOpt))
            std::fprintf(stderr, "bench_console: %s not selected\n", qPrintable(parser.value(instanceOpt)));
        bench.measureRepaint("instance", ticks);
    }

    const int accel = parser.value(accelOpt).toInt();
    if (accel > 0) {
        window.fleetPanel()->selectWholeFleet();
        QCoreApplication::processEvents();
        bench.accelerated(accel, "fleet");
    }
    std::printf("rss_end_kb=%lld\n", qlonglong(readRss().vmRss));
    return 0;
}
