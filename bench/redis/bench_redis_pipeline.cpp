// Pipelined SET throughput of RedisClient: like `redis-benchmark -t set -P <pipeline> -c <clients>`,
// each connection sends a batch of SETs with RedisClient::pipeline(), waits for the whole batch, and
// sends the next.
// Prints one line: "arena SET: <ops>/s (<requests> requests, <clients> clients, pipeline <p>)".
#include "shared/redis/redisclient.h"

#include <QCommandLineParser>
#include <QCoreApplication>
#include <QElapsedTimer>
#include <QTextStream>
#include <QTimer>

#include <memory>
#include <vector>

using namespace arena;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    QCommandLineParser parser;
    parser.setApplicationDescription(QStringLiteral("Pipelined SET throughput of Arena's Redis client"));
    parser.addHelpOption();
    const QCommandLineOption portOpt(QStringLiteral("port"), QStringLiteral("Redis port"), QStringLiteral("port"),
                                     QStringLiteral("6379"));
    const QCommandLineOption requestsOpt(QStringLiteral("requests"), QStringLiteral("Total SETs"), QStringLiteral("n"),
                                         QStringLiteral("1000000"));
    const QCommandLineOption clientsOpt(QStringLiteral("clients"), QStringLiteral("Connections"), QStringLiteral("n"),
                                        QStringLiteral("50"));
    const QCommandLineOption pipelineOpt(QStringLiteral("pipeline"), QStringLiteral("Commands per batch"),
                                         QStringLiteral("n"), QStringLiteral("16"));
    parser.addOptions({portOpt, requestsOpt, clientsOpt, pipelineOpt});
    parser.process(app);

    RedisOptions options;
    options.port = quint16(parser.value(portOpt).toUInt());
    options.commandTimeout = std::chrono::seconds(30);
    const qint64 requests = parser.value(requestsOpt).toLongLong();
    const int clients = qMax(1, parser.value(clientsOpt).toInt());
    const int pipeline = qMax(1, parser.value(pipelineOpt).toInt());
    const QByteArray value(3, 'x'); // redis-benchmark's default payload is 3 bytes

    std::vector<std::unique_ptr<RedisClient>> connections;
    int connected = 0;
    qint64 sent = 0;
    qint64 done = 0;
    qint64 failed = 0;
    QElapsedTimer clock;

    const RedisClient::Args set{QByteArrayLiteral("SET"), QByteArrayLiteral("key:__rand_int__"), value};
    std::function<void(RedisClient *)> sendBatch = [&](RedisClient *client) {
        const qint64 n = qMin<qint64>(pipeline, requests - sent);
        if (n <= 0)
            return;
        sent += n;
        QList<RedisClient::Args> batch(n, set);
        client->pipeline(std::move(batch), nullptr, [&, client, n](Result<QList<Reply>> r) {
            if (!r.ok())
                failed += n;
            done += n;
            if (done == requests)
                app.quit();
            else
                sendBatch(client);
        });
    };

    for (int i = 0; i < clients; ++i) {
        connections.push_back(std::make_unique<RedisClient>(options));
        RedisClient *c = connections.back().get();
        QObject::connect(c, &RedisClient::connected, c, [&] {
            if (++connected == clients) {
                clock.start();
                for (auto &each : connections)
                    sendBatch(each.get());
            }
        });
        c->open();
    }
    QTimer::singleShot(std::chrono::minutes(5), &app, [&] {
        QTextStream(stderr) << "gave up after 5 minutes: " << done << " of " << requests << " done\n";
        app.exit(1);
    });
    const int rc = app.exec();
    const double seconds = double(clock.nsecsElapsed()) / 1e9;
    QTextStream(stdout) << "arena SET: " << qint64(double(done) / seconds) << "/s (" << requests << " requests, "
                        << clients << " clients, pipeline " << pipeline << ", " << failed << " failed)\n";
    return rc == 0 && failed == 0 ? 0 : 1;
}
