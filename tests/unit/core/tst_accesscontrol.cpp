// AccessControl: token file parsing and the viewer / operator / loopback rules.
#include "shared/core/accesscontrol.h"

#include <QTemporaryFile>
#include <QTest>

using namespace arena;

namespace {
const QHostAddress loopback(QHostAddress::LocalHost);
const QHostAddress remote(QStringLiteral("192.0.2.7"));
const QByteArray viewerToken("viewer-token-0123456789");
const QByteArray operatorToken("operator-token-0123456789");
} // namespace

class TestAccessControl final : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void withoutTokensOnlyLoopbackAsOperator()
    {
        const AccessControl access;
        QVERIFY(!access.usesTokens());
        auto local = access.authorize({}, loopback, Role::Operator);
        QVERIFY(local.ok());
        QCOMPARE(local.value(), Role::Operator);
        QVERIFY(access.authorize({}, QHostAddress(QHostAddress::LocalHostIPv6), Role::Operator).ok());
        auto far = access.authorize("Bearer " + operatorToken, remote, Role::Viewer);
        QVERIFY(!far.ok());
        QCOMPARE(far.error().code, QStringLiteral("forbidden"));
        QVERIFY(far.error().message.contains(QStringLiteral("loopback")));
    }

    void rolesFromTokenFile()
    {
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write("# Arena admin tokens\n\nviewer " + viewerToken + "\n  operator   " + operatorToken + "  \n");
        file.flush();
        auto loaded = AccessControl::fromTokenFile(file.fileName());
        QVERIFY(loaded.ok());
        const AccessControl &access = loaded.value();
        QCOMPARE(access.tokenCount(), 2);

        QCOMPARE(access.authorize("Bearer " + viewerToken, remote, Role::Viewer).value(), Role::Viewer);
        QCOMPARE(access.authorize("Bearer " + operatorToken, remote, Role::Viewer).value(), Role::Operator);
        QCOMPARE(access.authorize("Bearer " + operatorToken, remote, Role::Operator).value(), Role::Operator);

        const auto viewerActs = access.authorize("Bearer " + viewerToken, remote, Role::Operator);
        QCOMPARE(viewerActs.error().code, QStringLiteral("forbidden"));
        const auto none = access.authorize({}, loopback, Role::Viewer); // tokens apply to loopback too
        QCOMPARE(none.error().code, QStringLiteral("unauthorized"));
        const auto wrong = access.authorize("Bearer " + viewerToken + "x", remote, Role::Viewer);
        QCOMPARE(wrong.error().code, QStringLiteral("unauthorized"));
        const auto basic = access.authorize("Basic " + viewerToken, remote, Role::Viewer);
        QCOMPARE(basic.error().code, QStringLiteral("unauthorized"));
    }

    void identifyByBareToken()
    {
        const auto loaded = AccessControl::fromText("viewer " + viewerToken + " dashboards\noperator " + operatorToken + "\n",
                                                    QStringLiteral("tokens.txt"));
        QVERIFY(loaded.ok());
        const auto viewer = loaded.value().identify(viewerToken, remote);
        QVERIFY(viewer.ok());
        QCOMPARE(viewer.value().role, Role::Viewer);
        QCOMPARE(viewer.value().name, QStringLiteral("dashboards"));
        const auto op = loaded.value().identify(operatorToken, remote);
        QCOMPARE(op.value().role, Role::Operator);
        // Unnamed tokens get role and a fingerprint, never the token itself.
        QVERIFY2(op.value().name.startsWith(QStringLiteral("operator-")), qPrintable(op.value().name));
        QCOMPARE(op.value().name.size(), 17);
        QVERIFY(!op.value().name.contains(QString::fromLatin1(operatorToken)));
        QCOMPARE(loaded.value().identify(operatorToken + "x", loopback).error().code, QStringLiteral("unauthorized"));

        const AccessControl open;
        QCOMPARE(open.identify("anything", loopback).value().name, QStringLiteral("loopback"));
        QCOMPARE(open.identify("anything", loopback).value().role, Role::Operator);
        QCOMPARE(open.identify("anything", remote).error().code, QStringLiteral("forbidden"));
    }

    void tokenForAClient()
    {
        QTemporaryFile file;
        QVERIFY(file.open());
        file.write("# tokens\nviewer " + viewerToken + " dashboards  # comment\n\noperator " + operatorToken + "\n");
        file.flush();
        QCOMPARE(readTokenFile(file.fileName()).value(), viewerToken);
        QCOMPARE(readTokenFile(file.fileName(), Role::Operator).value(), operatorToken);
        QCOMPARE(readTokenFile(file.fileName(), Role::Viewer).value(), viewerToken);

        QTemporaryFile viewersOnly;
        QVERIFY(viewersOnly.open());
        viewersOnly.write("viewer " + viewerToken + "\n");
        viewersOnly.flush();
        QCOMPARE(readTokenFile(viewersOnly.fileName(), Role::Operator).value(), viewerToken); // the first one then

        QTemporaryFile malformed;
        QVERIFY(malformed.open());
        malformed.write("# nothing\noperator\n");
        malformed.flush();
        const auto bad = readTokenFile(malformed.fileName());
        QCOMPARE(bad.error().code, QStringLiteral("invalid_config"));
        QVERIFY2(bad.error().message.contains(QStringLiteral(":2:")), qPrintable(bad.error().message));
        QVERIFY(readTokenFile(QStringLiteral("/nonexistent/tokens")).error().message.contains(QStringLiteral("/nonexistent/tokens")));
    }

    void badFiles_data()
    {
        QTest::addColumn<QByteArray>("text");
        QTest::addColumn<QString>("message");
        QTest::newRow("empty") << QByteArray("# nothing\n") << QStringLiteral("holds no tokens");
        QTest::newRow("one field") << QByteArray("viewer\n") << QStringLiteral("line 1: expected \"role token [name]\"");
        QTest::newRow("four fields") << QByteArray("\nviewer " + viewerToken + " ops-1 extra\n")
                                     << QStringLiteral("line 2: expected \"role token [name]\"");
        QTest::newRow("bad name") << QByteArray("viewer " + viewerToken + " ops/1\n") << QStringLiteral("name \"ops/1\"");
        QTest::newRow("unknown role") << QByteArray("admin " + operatorToken + "\n")
                                      << QStringLiteral("unknown role \"admin\"");
        QTest::newRow("short token") << QByteArray("viewer short\n") << QStringLiteral("shorter than 16");
        QTest::newRow("duplicate") << QByteArray("viewer " + viewerToken + "\noperator " + viewerToken + "\n")
                                   << QStringLiteral("line 2: token listed twice");
    }
    void badFiles()
    {
        QFETCH(QByteArray, text);
        QFETCH(QString, message);
        const auto r = AccessControl::fromText(text, QStringLiteral("tokens.txt"));
        QVERIFY(!r.ok());
        QCOMPARE(r.error().code, QStringLiteral("invalid_config"));
        QVERIFY2(r.error().message.startsWith(QStringLiteral("tokens.txt")), qPrintable(r.error().message));
        QVERIFY2(r.error().message.contains(message), qPrintable(r.error().message));
    }

    void missingFile()
    {
        const auto r = AccessControl::fromTokenFile(QStringLiteral("/nonexistent/arena/tokens"));
        QVERIFY(!r.ok());
        QVERIFY(r.error().message.contains(QStringLiteral("/nonexistent/arena/tokens")));
    }
};

QTEST_GUILESS_MAIN(TestAccessControl)
#include "tst_accesscontrol.moc"
