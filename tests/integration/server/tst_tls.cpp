// TLS on the player and admin ports, with a real arena-server and a certificate made by openssl for
// this run: a player that trusts the certificate connects over wss:// and plays, /health over https://
// says which ports serve TLS, arena-loadtest plays given --ca-file, a client that does not trust it and a plain ws:// or http:// client get
// nowhere, --tls-ports keeps the other port plain, an arena-agent reads the https:// admin API when it
// is told whom to trust (--server-ca-file) and reports the server down when not, and bad TLS settings
// stop the server at start with a message that names the problem.
#include "tests/support/arenaserver.h"
#include "tests/support/childprocess.h"
#include "tests/support/testplayer.h"

#include <QEventLoop>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QProcess>
#include <QRegularExpression>
#include <QSslCertificate>
#include <QSslConfiguration>
#include <QTemporaryDir>
#include <QTest>
#include <QTimer>

using namespace arena;
using test::TestPlayer;

namespace {

struct HttpAnswer
{
    int status = 0; // 0: no HTTP answer at all (refused, TLS failed)
    QNetworkReply::NetworkError error = QNetworkReply::NoError;
    QJsonObject json;
};

HttpAnswer get(const QUrl &url, const std::optional<QSslConfiguration> &ssl)
{
    QNetworkAccessManager manager;
    QNetworkRequest request(url);
    if (ssl)
        request.setSslConfiguration(*ssl);
    request.setTransferTimeout(5000);
    QNetworkReply *reply = manager.get(request);
    QEventLoop loop;
    QObject::connect(reply, &QNetworkReply::finished, &loop, &QEventLoop::quit);
    loop.exec();
    HttpAnswer answer;
    answer.status = reply->attribute(QNetworkRequest::HttpStatusCodeAttribute).toInt();
    answer.error = reply->error();
    answer.json = QJsonDocument::fromJson(reply->readAll()).object();
    reply->deleteLater();
    return answer;
}

} // namespace

class TestTls final : public QObject
{
    Q_OBJECT

private:
    QTemporaryDir m_dir;
    QString m_cert;
    QString m_key;
    QSslConfiguration m_trusting; // trusts this run's certificate only

    QString path(const char *name) const { return m_dir.filePath(QString::fromLatin1(name)); }

    static bool openssl(const QStringList &args)
    {
        QProcess p;
        p.start(QStringLiteral("openssl"), args);
        if (!p.waitForFinished(30000) || p.exitCode() != 0) {
            qWarning("openssl %s: %s", qPrintable(args.join(QLatin1Char(' '))), p.readAllStandardError().constData());
            return false;
        }
        return true;
    }

    // A certificate for 127.0.0.1 and its key.
    bool makeCertificate(const QString &cert, const QString &key, const char *algorithm = "rsa:2048")
    {
        return openssl({QStringLiteral("req"), QStringLiteral("-x509"), QStringLiteral("-newkey"),
                        QString::fromLatin1(algorithm), QStringLiteral("-nodes"), QStringLiteral("-keyout"), key,
                        QStringLiteral("-out"), cert, QStringLiteral("-days"), QStringLiteral("2"),
                        QStringLiteral("-subj"), QStringLiteral("/CN=127.0.0.1"), QStringLiteral("-addext"),
                        QStringLiteral("subjectAltName=IP:127.0.0.1,DNS:localhost")});
    }

    // The server's exit code and what it said, when it is expected not to start.
    static std::pair<int, QByteArray> refusedStart(const QStringList &args)
    {
        QProcess p;
        p.start(QStringLiteral(ARENA_SERVER_BINARY),
                QStringList{QStringLiteral("--player-port"), QStringLiteral("0"), QStringLiteral("--admin-port"),
                            QStringLiteral("0")}
                    + args);
        if (!p.waitForFinished(10000)) {
            p.kill();
            p.waitForFinished();
            return {-1, p.readAll()};
        }
        return {p.exitCode(), p.readAllStandardError() + p.readAllStandardOutput()};
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_dir.isValid());
        m_cert = path("server.pem");
        m_key = path("server.key");
        QVERIFY(makeCertificate(m_cert, m_key));
        m_trusting = QSslConfiguration::defaultConfiguration();
        m_trusting.setCaCertificates(QSslCertificate::fromPath(m_cert));
        m_trusting.setPeerVerifyMode(QSslSocket::VerifyPeer);
    }

    void playerAndAdminOverTls()
    {
        test::ArenaServer server;
        QVERIFY2(server.start(QStringLiteral(ARENA_SERVER_BINARY),
                              {QStringLiteral("--tls-cert"), m_cert, QStringLiteral("--tls-key"), m_key}),
                 qPrintable(server.lastError()));
        const QUrl wss(QStringLiteral("wss://127.0.0.1:%1").arg(server.playerPort()));

        // A player that trusts the certificate plays over wss://.
        TestPlayer ann, bob;
        for (TestPlayer *p : {&ann, &bob}) {
            p->client->setSslConfiguration(m_trusting);
            p->client->open(wss, p == &ann ? QStringLiteral("ann") : QStringLiteral("bob"));
            QVERIFY(p->waitWelcome());
        }
        protocol::JoinOrCreate join;
        join.roomType = QStringLiteral("relay");
        ann.client->send(join);
        const auto room = ann.next<protocol::Joined>();
        QVERIFY(room);
        bob.client->send(join);
        QVERIFY(bob.next<protocol::Joined>());
        protocol::RoomMessage hi;
        hi.roomId = room->roomId;
        hi.data = protocol::RawJson::fromJsonObject({{QStringLiteral("hi"), 1}});
        bob.client->send(hi);
        const auto event = ann.next<protocol::RoomEvent>();
        QVERIFY(event);
        QCOMPARE(event->from.value_or(QString()), bob.client->sessionId());

        // The admin API over https://, saying which ports serve TLS.
        const HttpAnswer health =
            get(QUrl(QStringLiteral("https://127.0.0.1:%1/health").arg(server.adminPort())), m_trusting);
        QCOMPARE(health.status, 200);
        QCOMPARE(health.json.value(QStringLiteral("tls")).toObject(),
                 (QJsonObject{{QStringLiteral("player"), true}, {QStringLiteral("admin"), true}}));
        QCOMPARE(health.json.value(QStringLiteral("sessions")).toInt(), 2);

        // Without trusting the certificate, or without TLS at all, nobody gets in.
        TestPlayer stranger;
        stranger.client->open(wss, QStringLiteral("stranger"));
        QVERIFY(!stranger.waitWelcome(3000));
        TestPlayer plain;
        plain.client->open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(server.playerPort())), QStringLiteral("plain"));
        QVERIFY(!plain.waitWelcome(3000));
        const HttpAnswer untrusted = get(QUrl(QStringLiteral("https://127.0.0.1:%1/health").arg(server.adminPort())), {});
        QCOMPARE(untrusted.status, 0);
        QCOMPARE(untrusted.error, QNetworkReply::SslHandshakeFailedError);
        QCOMPARE(get(QUrl(QStringLiteral("http://127.0.0.1:%1/health").arg(server.adminPort())), {}).status, 0);
        // The players who did get in are still there.
        QCOMPARE(get(QUrl(QStringLiteral("https://127.0.0.1:%1/health").arg(server.adminPort())), m_trusting)
                     .json.value(QStringLiteral("sessions")).toInt(),
                 2);

        // arena-loadtest too, given the certificate to trust (players over wss://, the server's pid over
        // https://), and not without it.
        const QString wssUrl = wss.toString();
        const QString adminUrl = QStringLiteral("https://127.0.0.1:%1").arg(server.adminPort());
        QProcess load;
        load.start(QStringLiteral(ARENA_LOADTEST_BINARY),
                   {QStringLiteral("--url"), wssUrl, QStringLiteral("--admin-url"), adminUrl, QStringLiteral("--ca-file"),
                    m_cert, QStringLiteral("--clients"), QStringLiteral("4"), QStringLiteral("--room-size"),
                    QStringLiteral("2"), QStringLiteral("--rate"), QStringLiteral("5"), QStringLiteral("--duration"),
                    QStringLiteral("1"), QStringLiteral("--json"), QStringLiteral("--quiet")});
        QVERIFY(load.waitForFinished(30000));
        const QJsonObject report = QJsonDocument::fromJson(load.readAllStandardOutput()).object();
        QVERIFY2(load.exitCode() == 0, load.readAllStandardError().constData());
        QVERIFY(report.value(QStringLiteral("server")).toObject().value(QStringLiteral("pid")).toInteger() > 0);
        QProcess blindLoad;
        blindLoad.start(QStringLiteral(ARENA_LOADTEST_BINARY),
                        {QStringLiteral("--url"), wssUrl, QStringLiteral("--clients"), QStringLiteral("2"),
                         QStringLiteral("--duration"), QStringLiteral("1"), QStringLiteral("--join-timeout"),
                         QStringLiteral("3"), QStringLiteral("--quiet")});
        QVERIFY(blindLoad.waitForFinished(30000));
        QVERIFY(blindLoad.exitCode() != 0);
    }

    void tlsOnOnePortOnly()
    {
        test::ArenaServer server;
        QVERIFY2(server.start(QStringLiteral(ARENA_SERVER_BINARY),
                              {QStringLiteral("--tls-cert"), m_cert, QStringLiteral("--tls-key"), m_key,
                               QStringLiteral("--tls-ports"), QStringLiteral("player")}),
                 qPrintable(server.lastError()));
        // The admin API stays plain (on loopback, where the agent beside the server reads it).
        const HttpAnswer health = get(QUrl(QStringLiteral("http://127.0.0.1:%1/health").arg(server.adminPort())), {});
        QCOMPARE(health.status, 200);
        QCOMPARE(health.json.value(QStringLiteral("tls")).toObject(),
                 (QJsonObject{{QStringLiteral("player"), true}, {QStringLiteral("admin"), false}}));
        TestPlayer ann;
        ann.client->setSslConfiguration(m_trusting);
        ann.client->open(QUrl(QStringLiteral("wss://127.0.0.1:%1").arg(server.playerPort())), QStringLiteral("ann"));
        QVERIFY(ann.waitWelcome());

        test::ArenaServer adminOnly;
        QVERIFY2(adminOnly.start(QStringLiteral(ARENA_SERVER_BINARY),
                                 {QStringLiteral("--tls-cert"), m_cert, QStringLiteral("--tls-key"), m_key,
                                  QStringLiteral("--tls-ports"), QStringLiteral("admin")}),
                 qPrintable(adminOnly.lastError()));
        TestPlayer bob;
        QVERIFY(bob.connectAs(adminOnly.playerPort(), QStringLiteral("bob"))); // plain ws://
        QCOMPARE(get(QUrl(QStringLiteral("https://127.0.0.1:%1/health").arg(adminOnly.adminPort())), m_trusting)
                     .json.value(QStringLiteral("tls")).toObject().value(QStringLiteral("admin")).toBool(),
                 true);
    }

    void agentReadsAnHttpsAdminApi()
    {
        test::ArenaServer server;
        QVERIFY2(server.start(QStringLiteral(ARENA_SERVER_BINARY),
                              {QStringLiteral("--tls-cert"), m_cert, QStringLiteral("--tls-key"), m_key,
                               QStringLiteral("--instance-id"), QStringLiteral("secure-1")}),
                 qPrintable(server.lastError()));
        const QString adminUrl = QStringLiteral("https://127.0.0.1:%1").arg(server.adminPort());
        const QRegularExpression ready(QStringLiteral("^arena-agent ready port=(\\d+) instance=(\\S+)"));
        const auto serverState = [](quint16 agentPort) {
            return get(QUrl(QStringLiteral("http://127.0.0.1:%1/snapshot").arg(agentPort)), {})
                .json.value(QStringLiteral("server")).toObject().value(QStringLiteral("state")).toString();
        };

        // Trusting the certificate: the agent learns the instance from the server and sees it up.
        test::ChildProcess agent;
        QVERIFY2(agent.startAndWait(QStringLiteral(ARENA_AGENT_BINARY),
                                    {QStringLiteral("--server"), adminUrl, QStringLiteral("--server-ca-file"), m_cert,
                                     QStringLiteral("--port"), QStringLiteral("0")},
                                    ready, 15000),
                 qPrintable(agent.lastError()));
        QCOMPARE(agent.readyMatch().captured(2), QStringLiteral("secure-1"));
        const quint16 port = quint16(agent.readyMatch().captured(1).toUInt());
        QTRY_COMPARE_WITH_TIMEOUT(serverState(port), QStringLiteral("up"), 5000);

        // Not trusting it: every poll fails its handshake, and the server is reported down.
        test::ChildProcess blind;
        QVERIFY2(blind.startAndWait(QStringLiteral(ARENA_AGENT_BINARY),
                                    {QStringLiteral("--server"), adminUrl, QStringLiteral("--port"), QStringLiteral("0"),
                                     QStringLiteral("--instance-id"), QStringLiteral("secure-1")},
                                    ready, 15000),
                 qPrintable(blind.lastError()));
        const quint16 blindPort = quint16(blind.readyMatch().captured(1).toUInt());
        QTRY_COMPARE_WITH_TIMEOUT(serverState(blindPort), QStringLiteral("down"), 8000);

        // A CA file with no certificate in it is refused at start.
        QProcess bad;
        bad.start(QStringLiteral(ARENA_AGENT_BINARY),
                  {QStringLiteral("--server"), adminUrl, QStringLiteral("--server-ca-file"), m_key,
                   QStringLiteral("--port"), QStringLiteral("0")});
        QVERIFY(bad.waitForFinished(10000));
        QVERIFY(bad.exitCode() != 0);
        QVERIFY(bad.readAllStandardError().contains("server-ca-file"));
    }

    void badTlsSettingsStopTheStart()
    {
        // Each exits with 1 (the settings parsed, the server could not start) and says why.
        // One file without the other.
        auto [code, said] = refusedStart({QStringLiteral("--tls-cert"), m_cert});
        QCOMPARE(code, 1);
        QVERIFY2(said.contains("tls-cert and tls-key go together"), said.constData());
        // A key where the certificate should be, and the other way round.
        std::tie(code, said) = refusedStart({QStringLiteral("--tls-cert"), m_key, QStringLiteral("--tls-key"), m_key});
        QCOMPARE(code, 1);
        QVERIFY2(said.contains("holds no PEM certificate"), said.constData());
        std::tie(code, said) = refusedStart({QStringLiteral("--tls-cert"), m_cert, QStringLiteral("--tls-key"), m_cert});
        QCOMPARE(code, 1);
        QVERIFY2(said.contains("holds no unencrypted PEM private key"), said.constData());
        // An EC key for an RSA certificate.
        const QString ecKey = path("ec.key");
        QVERIFY(openssl({QStringLiteral("genpkey"), QStringLiteral("-algorithm"), QStringLiteral("EC"),
                         QStringLiteral("-pkeyopt"), QStringLiteral("ec_paramgen_curve:P-256"), QStringLiteral("-out"),
                         ecKey}));
        std::tie(code, said) = refusedStart({QStringLiteral("--tls-cert"), m_cert, QStringLiteral("--tls-key"), ecKey});
        QCOMPARE(code, 1);
        QVERIFY2(said.contains("is not a key of the kind the certificate"), said.constData());
        // A file that is not there.
        std::tie(code, said) = refusedStart({QStringLiteral("--tls-cert"), path("missing.pem"), QStringLiteral("--tls-key"), m_key});
        QCOMPARE(code, 2); // a path that does not exist is refused with the other settings
        QVERIFY2(said.contains("tls-cert"), said.constData());
    }
};

QTEST_MAIN(TestTls)
#include "tst_tls.moc"
