// The admin API's session routes on the real arena-server process: GET /sessions lists each session
// (filter by player), POST /sessions/<id>/drop drops its connection without a close frame so the
// session waits to be resumed, with 404 / 409 / 403 refusals and an audit entry.
#include "tests/support/adminhttp.h"
#include "tests/support/arenaserver.h"
#include "tests/support/testplayer.h"

#include <QJsonArray>
#include <QJsonObject>
#include <QTemporaryFile>
#include <QTest>

using namespace arena;
using namespace arena::protocol;
using test::HttpResult;
using test::TestPlayer;

namespace {

const QByteArray viewer("view-token-0123456789");
const QByteArray op("op-token-0123456789ab");

} // namespace

class TestSessionsApi final : public QObject
{
    Q_OBJECT

private:
    QTemporaryFile m_tokens;
    test::ArenaServer m_server;
    quint16 m_player = 0;
    quint16 m_admin = 0;

    HttpResult get(const QString &path) const { return test::http("GET", m_admin, path, viewer); }
    HttpResult post(const QString &path, const QByteArray &token = op) const
    {
        return test::http("POST", m_admin, path, token);
    }
    // Joins (or creates) the relay room tagged `tag`.
    static std::optional<Joined> joinRelay(TestPlayer &player, const QString &tag)
    {
        JoinOrCreate joc;
        joc.roomType = QStringLiteral("relay");
        joc.filter = RawJson::parse(QStringLiteral(R"({"t":"%1"})").arg(tag).toUtf8()).value();
        joc.metadata = joc.filter;
        player.client->send(joc);
        return player.next<Joined>();
    }
    QJsonObject sessionOf(const QString &playerId) const
    {
        const QJsonArray list = get(QStringLiteral("/sessions?player=") + playerId).json().value(QStringLiteral("sessions")).toArray();
        return list.size() == 1 ? list.first().toObject() : QJsonObject();
    }

private Q_SLOTS:
    void initTestCase()
    {
        QVERIFY(m_tokens.open());
        m_tokens.write("viewer " + viewer + "\noperator " + op + "\n");
        m_tokens.flush();
        QVERIFY2(m_server.start(QStringLiteral(ARENA_SERVER_BINARY),
                                {QStringLiteral("--workers-max"), QStringLiteral("0"), QStringLiteral("--admin-token-file"),
                                 m_tokens.fileName()}),
                 qPrintable(m_server.lastError()));
        m_player = m_server.playerPort();
        m_admin = m_server.adminPort();
    }
    void cleanup()
    {
        if (QTest::currentTestFailed())
            qWarning("arena-server said:\n%s", m_server.output().constData());
    }

    void listsSessionsWithTheirRooms()
    {
        TestPlayer ann, bob;
        QVERIFY(ann.connectAs(m_player, QStringLiteral("ann")));
        QVERIFY(bob.connectAs(m_player, QStringLiteral("bob")));
        const auto joined = joinRelay(ann, QStringLiteral("list"));
        QVERIFY(joined);

        const HttpResult all = get(QStringLiteral("/sessions"));
        QCOMPARE(all.status, 200);
        QCOMPARE(all.json().value(QStringLiteral("count")).toInt(), 2);
        const QJsonObject a = sessionOf(QStringLiteral("ann"));
        QCOMPARE(a.value(QStringLiteral("id")).toString(), ann.client->sessionId());
        QCOMPARE(a.value(QStringLiteral("connected")).toBool(), true);
        QCOMPARE(a.value(QStringLiteral("rooms")).toArray(), QJsonArray{joined->roomId});
        QVERIFY(a.value(QStringLiteral("peer")).toString().contains(QLatin1String("127.0.0.1")));
        QVERIFY(a.value(QStringLiteral("detachedAt")).isNull());
        QVERIFY(sessionOf(QStringLiteral("bob")).value(QStringLiteral("rooms")).toArray().isEmpty());
        QCOMPARE(get(QStringLiteral("/sessions?player=nobody")).json().value(QStringLiteral("count")).toInt(), 0);
        QCOMPARE(test::http("GET", m_admin, QStringLiteral("/sessions"), QByteArray("wrong-token-0123456789")).status, 401);
    }

    void dropLeavesTheSessionToBeResumed()
    {
        TestPlayer ann, bob;
        QVERIFY(ann.connectAs(m_player, QStringLiteral("ann")));
        QVERIFY(bob.connectAs(m_player, QStringLiteral("bob")));
        const auto joined = joinRelay(ann, QStringLiteral("drop"));
        QVERIFY(joined);
        QVERIFY(joinRelay(bob, QStringLiteral("drop")));
        const QString id = ann.client->sessionId();

        const HttpResult dropped = post(QStringLiteral("/sessions/%1/drop").arg(id));
        QCOMPARE(dropped.status, 200);
        QCOMPARE(dropped.json().value(QStringLiteral("dropped")).toBool(), true);
        // No close frame (QWebSocket reports 1000 either way; browsers and ws say 1006): what shows it is
        // that the session is kept, as after a network failure, rather than ended as after a goodbye.
        QVERIFY(ann.waitDisconnected());

        // The session waits: still listed, not connected, its seat kept (bob sees nobody leave).
        QTRY_VERIFY_WITH_TIMEOUT(!sessionOf(QStringLiteral("ann")).value(QStringLiteral("connected")).toBool(true), 5000);
        QVERIFY(!sessionOf(QStringLiteral("ann")).value(QStringLiteral("detachedAt")).isNull());
        QVERIFY(!bob.next<MemberLeft>(500));

        // A second drop has nothing to drop.
        const HttpResult again = post(QStringLiteral("/sessions/%1/drop").arg(id));
        QCOMPARE(again.status, 409);
        QCOMPARE(again.json().value(QStringLiteral("error")).toString(), QStringLiteral("conflict"));

        QVERIFY(ann.resume());
        QCOMPARE(ann.client->sessionId(), id);
        const auto back = ann.next<Joined>();
        QVERIFY(back);
        QCOMPARE(back->roomId, joined->roomId);
        QTRY_VERIFY_WITH_TIMEOUT(sessionOf(QStringLiteral("ann")).value(QStringLiteral("connected")).toBool(), 5000);

        // Refusals, and the audit log.
        QCOMPARE(post(QStringLiteral("/sessions/s-nope/drop")).status, 404);
        QCOMPARE(post(QStringLiteral("/sessions/%1/drop").arg(id), viewer).status, 403);
        QVERIFY(ann.client->state() == PlayerClient::State::Ready); // the refused drops did nothing
        const QJsonArray audit = get(QStringLiteral("/audit")).json().value(QStringLiteral("entries")).toArray();
        int drops = 0;
        for (const QJsonValue &e : audit) {
            if (e.toObject().value(QStringLiteral("action")).toString() == QLatin1String("session.drop")
                && e.toObject().value(QStringLiteral("target")).toString() == id)
                ++drops;
        }
        QVERIFY2(drops >= 2, qPrintable(QString::number(drops))); // the drop and the refused second drop
    }
};

QTEST_GUILESS_MAIN(TestSessionsApi)
#include "tst_sessionsapi.moc"
