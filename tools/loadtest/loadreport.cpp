#include "tools/loadtest/loadreport.h"

#include <QJsonArray>
#include <QTextStream>

#include <cmath>

namespace arena {

namespace {

QStringList urlStrings(const QList<QUrl> &urls)
{
    QStringList out;
    for (const QUrl &u : urls)
        out.append(u.toString());
    return out;
}

} // namespace

namespace {

double ms(qint64 nanoseconds)
{
    return double(nanoseconds) / 1e6;
}

// Rounds to `digits` decimals so the JSON stays readable.
double rounded(double value, int digits = 3)
{
    const double scale = std::pow(10.0, digits);
    return std::round(value * scale) / scale;
}

QJsonObject processJson(const ProcessSample &s)
{
    return QJsonObject{{QStringLiteral("cpu_seconds"), rounded(s.cpuSeconds(), 2)},
                       {QStringLiteral("rss_kb"), s.rssKb},
                       {QStringLiteral("peak_rss_kb"), s.peakRssKb},
                       {QStringLiteral("threads"), s.threads}};
}

} // namespace

QJsonObject LoadReport::latencyJson(const LatencyHistogram &h)
{
    return QJsonObject{
        {QStringLiteral("count"), qint64(h.count())},
        {QStringLiteral("min"), rounded(ms(h.min()))},
        {QStringLiteral("mean"), rounded(h.mean() / 1e6)},
        {QStringLiteral("p50"), rounded(ms(h.percentile(50)))},
        {QStringLiteral("p95"), rounded(ms(h.percentile(95)))},
        {QStringLiteral("p99"), rounded(ms(h.percentile(99)))},
        {QStringLiteral("p999"), rounded(ms(h.percentile(99.9)))},
        {QStringLiteral("max"), rounded(ms(h.max()))},
    };
}

quint64 LoadReport::errorsTotal() const
{
    quint64 total = 0;
    for (const quint64 n : errorsByCode)
        total += n;
    return total;
}

double LoadReport::errorRate() const
{
    const double operations = double(options.clients) + double(sent);
    return operations > 0 ? double(errorsTotal() + disconnects) / operations : 0.0;
}

QJsonArray LoadReport::watchedJson() const
{
    QJsonArray out;
    for (qsizetype i = 0; i < watchedAfter.size() && i < watchedBeforeSend.size(); ++i) {
        const auto &before = watchedBeforeSend.at(i);
        const auto &after = watchedAfter.at(i);
        if (!before || !after)
            continue;
        const double cpu = after->cpuSeconds() - before->cpuSeconds();
        out.append(QJsonObject{
            {QStringLiteral("pid"), after->pid},
            {QStringLiteral("cpu_seconds"), rounded(cpu, 2)},
            {QStringLiteral("cpu_percent"), sendSeconds > 0 ? rounded(100.0 * cpu / sendSeconds, 1) : -1.0},
            {QStringLiteral("rss_kb"), after->rssKb},
        });
    }
    return out;
}

double LoadReport::serverCpuSeconds() const
{
    if (!serverBeforeSend || !serverAfter)
        return -1;
    return serverAfter->cpuSeconds() - serverBeforeSend->cpuSeconds();
}

double LoadReport::serverCpuMicrosPerDelivery() const
{
    const double cpu = serverCpuSeconds();
    if (cpu < 0 || delivered == 0)
        return -1;
    return cpu * 1e6 / double(delivered);
}

double LoadReport::serverRssKbPerSession() const
{
    if (!serverBeforeConnect || !serverBeforeSend || welcomed == 0)
        return -1;
    return double(serverBeforeSend->rssKb - serverBeforeConnect->rssKb) / double(welcomed);
}

QString LoadReport::failure() const
{
    if (!setupError.isEmpty())
        return setupError;
    if (!unfinishedReason.isEmpty())
        return QStringLiteral("run did not finish: %1").arg(unfinishedReason);
    if (joined == 0)
        return QStringLiteral("no client got into a room");
    if (options.rate > 0 && delivered == 0)
        return QStringLiteral("nothing was delivered");
    if (errorRate() > options.maxErrorRate)
        return QStringLiteral("error rate %1 is above --max-error-rate %2 (%3 errors, %4 disconnects)")
            .arg(errorRate(), 0, 'g', 3)
            .arg(options.maxErrorRate, 0, 'g', 3)
            .arg(errorsTotal())
            .arg(disconnects);
    return {};
}

LoadReport::ExitCode LoadReport::exitCode() const
{
    if (!setupError.isEmpty())
        return SetupFailed;
    if (!unfinishedReason.isEmpty())
        return Unfinished;
    return failure().isEmpty() ? Passed : ThresholdFailed;
}

QJsonObject LoadReport::toJson() const
{
    QJsonObject errors;
    for (auto it = errorsByCode.cbegin(); it != errorsByCode.cend(); ++it)
        errors.insert(it.key(), qint64(it.value()));

    QJsonObject closeCodes;
    for (auto it = disconnectsByCloseCode.cbegin(); it != disconnectsByCloseCode.cend(); ++it)
        closeCodes.insert(QString::number(it.key()), qint64(it.value()));

    QJsonObject server;
    if (serverAfter || serverBeforeConnect) {
        const ProcessSample &any = serverAfter ? *serverAfter : *serverBeforeConnect;
        server.insert(QStringLiteral("pid"), any.pid);
        server.insert(QStringLiteral("cpu_seconds"), rounded(serverCpuSeconds(), 2));
        server.insert(QStringLiteral("cpu_percent"),
                      sendSeconds > 0 && serverCpuSeconds() >= 0 ? rounded(100.0 * serverCpuSeconds() / sendSeconds, 1)
                                                                 : -1.0);
        server.insert(QStringLiteral("cpu_us_per_delivery"), rounded(serverCpuMicrosPerDelivery(), 3));
        server.insert(QStringLiteral("rss_kb_per_session"), rounded(serverRssKbPerSession(), 3));
        if (serverBeforeConnect)
            server.insert(QStringLiteral("before_connect"), processJson(*serverBeforeConnect));
        if (serverBeforeSend)
            server.insert(QStringLiteral("before_send"), processJson(*serverBeforeSend));
        if (serverAfter)
            server.insert(QStringLiteral("after"), processJson(*serverAfter));
    }
    if (!serverNote.isEmpty())
        server.insert(QStringLiteral("note"), serverNote);

    QJsonObject loadgen;
    if (selfBeforeSend && selfAfter) {
        const double cpu = selfAfter->cpuSeconds() - selfBeforeSend->cpuSeconds();
        loadgen.insert(QStringLiteral("cpu_seconds"), rounded(cpu, 2));
        loadgen.insert(QStringLiteral("cpu_percent"), sendSeconds > 0 ? rounded(100.0 * cpu / sendSeconds, 1) : -1.0);
        loadgen.insert(QStringLiteral("rss_kb"), selfAfter->rssKb);
    }

    return QJsonObject{
        {QStringLiteral("tool"), QStringLiteral("arena-loadtest")},
        {QStringLiteral("version"), QStringLiteral(ARENA_VERSION)},
        {QStringLiteral("passed"), failure().isEmpty()},
        {QStringLiteral("failure"), failure()},
        {QStringLiteral("exit_code"), int(exitCode())},
        {QStringLiteral("config"),
         QJsonObject{{QStringLiteral("url"), options.url.toString()},
                     {QStringLiteral("urls"), QJsonArray::fromStringList(urlStrings(options.urls))},
                     {QStringLiteral("mode"), LoadTestOptions::modeName(options.mode)},
                     {QStringLiteral("room_type"), options.roomType},
                     {QStringLiteral("room_size"), options.roomSize},
                     {QStringLiteral("clients"), options.clients},
                     {QStringLiteral("connect_rate"), options.connectRate},
                     {QStringLiteral("rate"), options.rate},
                     {QStringLiteral("duration_s"), options.durationSeconds},
                     {QStringLiteral("payload_bytes"), options.payloadBytes},
                     {QStringLiteral("tag"), options.tag},
                     {QStringLiteral("max_error_rate"), options.maxErrorRate}}},
        {QStringLiteral("elapsed_s"), rounded(elapsedSeconds)},
        {QStringLiteral("send_s"), rounded(sendSeconds)},
        {QStringLiteral("clients"),
         QJsonObject{{QStringLiteral("requested"), options.clients},
                     {QStringLiteral("opened"), opened},
                     {QStringLiteral("welcomed"), welcomed},
                     {QStringLiteral("joined"), joined},
                     {QStringLiteral("failed"), failed},
                     {QStringLiteral("rooms"), rooms}}},
        {QStringLiteral("join_ms"), latencyJson(joinTime)},
        {QStringLiteral("messages"),
         QJsonObject{{QStringLiteral("sent"), qint64(sent)},
                     {QStringLiteral("expected_deliveries"), qint64(expectedDeliveries)},
                     {QStringLiteral("delivered"), qint64(delivered)},
                     {QStringLiteral("lost"), qint64(lost())},
                     {QStringLiteral("out_of_order"), qint64(outOfOrder)},
                     {QStringLiteral("foreign_events"), qint64(foreignEvents)},
                     {QStringLiteral("skipped_sends"), qint64(skippedSends)},
                     {QStringLiteral("pings"), qint64(pings)},
                     {QStringLiteral("sent_per_second"), rounded(sentPerSecond(), 1)},
                     {QStringLiteral("delivered_per_second"), rounded(deliveredPerSecond(), 1)}}},
        {QStringLiteral("latency_ms"), latencyJson(latency)},
        {QStringLiteral("errors"), QJsonObject{{QStringLiteral("total"), qint64(errorsTotal())},
                                               {QStringLiteral("by_code"), errors}}},
        {QStringLiteral("disconnects"), qint64(disconnects)},
        {QStringLiteral("disconnects_by_close_code"), closeCodes},
        {QStringLiteral("error_rate"), errorRate()},
        {QStringLiteral("server"), server},
        {QStringLiteral("watched"), watchedJson()},
        {QStringLiteral("loadgen"), loadgen},
    };
}

QString LoadReport::toText() const
{
    QString text;
    QTextStream out(&text);
    out.setRealNumberNotation(QTextStream::FixedNotation);
    out << "arena-loadtest " << urlStrings(options.urls).join(QLatin1Char(' ')) << "  mode " << LoadTestOptions::modeName(options.mode)
        << "  room type " << options.roomType << "  room size " << options.roomSize << "\n";
    if (!setupError.isEmpty()) {
        out << "  FAILED before starting: " << setupError << "\n";
        return text;
    }
    out.setRealNumberPrecision(1);
    out << "  clients   " << joined << "/" << options.clients << " in rooms (" << rooms << " rooms), " << failed
        << " failed, " << welcomed << " sessions; run " << elapsedSeconds << " s\n";
    out.setRealNumberPrecision(2);
    out << "  join      p50 " << ms(joinTime.percentile(50)) << " ms  p95 " << ms(joinTime.percentile(95))
        << " ms  p99 " << ms(joinTime.percentile(99)) << " ms  max " << ms(joinTime.max()) << " ms\n";
    if (options.rate > 0) {
        out.setRealNumberPrecision(0);
        out << "  messages  sent " << sent << " (" << sentPerSecond() << "/s), delivered " << delivered << " ("
            << deliveredPerSecond() << "/s) of " << expectedDeliveries << " expected; lost " << lost()
            << ", out of order " << outOfOrder << "\n";
        out.setRealNumberPrecision(3);
        out << "  latency   p50 " << ms(latency.percentile(50)) << " ms  p95 " << ms(latency.percentile(95))
            << " ms  p99 " << ms(latency.percentile(99)) << " ms  max " << ms(latency.max()) << " ms  (mean "
            << latency.mean() / 1e6 << " ms)\n";
    }
    out << "  errors    " << errorsTotal();
    for (auto it = errorsByCode.cbegin(); it != errorsByCode.cend(); ++it)
        out << (it == errorsByCode.cbegin() ? " (" : ", ") << it.key() << " " << it.value();
    out << (errorsByCode.isEmpty() ? "" : ")") << ", disconnects " << disconnects;
    for (auto it = disconnectsByCloseCode.cbegin(); it != disconnectsByCloseCode.cend(); ++it)
        out << (it == disconnectsByCloseCode.cbegin() ? " (close " : ", close ") << it.key() << ": " << it.value();
    out << (disconnectsByCloseCode.isEmpty() ? "" : ")") << "\n";
    if (skippedSends > 0)
        out << "  skipped   " << skippedSends << " sends (client socket backlog over 1 MiB)\n";
    if (serverAfter && serverBeforeSend) {
        out.setRealNumberPrecision(2);
        out << "  server    pid " << serverAfter->pid << ": CPU " << serverCpuSeconds() << " s";
        if (sendSeconds > 0)
            out << " (" << qRound(100.0 * serverCpuSeconds() / sendSeconds) << " % of a core)";
        if (delivered > 0)
            out << ", " << serverCpuMicrosPerDelivery() << " us per delivered message";
        out << "\n            RSS " << (serverBeforeConnect ? serverBeforeConnect->rssKb : 0) << " kB before, "
            << serverBeforeSend->rssKb << " kB with the clients, " << serverAfter->rssKb << " kB after";
        if (serverRssKbPerSession() >= 0)
            out << " (" << serverRssKbPerSession() << " kB per session)";
        out << "\n";
    } else if (!serverNote.isEmpty()) {
        out << "  server    " << serverNote << "\n";
    }
    for (const QJsonValue &v : watchedJson()) {
        const QJsonObject w = v.toObject();
        out << "  watched   pid " << w.value(QStringLiteral("pid")).toInteger() << ": CPU "
            << w.value(QStringLiteral("cpu_percent")).toDouble() << " % of a core, RSS "
            << w.value(QStringLiteral("rss_kb")).toInteger() << " kB\n";
    }
    if (selfBeforeSend && selfAfter && sendSeconds > 0) {
        const double cpu = selfAfter->cpuSeconds() - selfBeforeSend->cpuSeconds();
        out.setRealNumberPrecision(2);
        out << "  loadgen   CPU " << cpu << " s (" << qRound(100.0 * cpu / sendSeconds) << " % of a core)\n";
    }
    const QString why = failure();
    out << (why.isEmpty() ? QStringLiteral("  PASSED\n") : QStringLiteral("  FAILED: %1\n").arg(why));
    return text;
}

} // namespace arena
