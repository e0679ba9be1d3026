// Tests PlayerAuth: token format (JWT HS256), verification errors, expiry, tampering, secret files.
#include "server/auth/playerauth.h"

#include <QCryptographicHash>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QMessageAuthenticationCode>
#include <QTemporaryDir>
#include <QTest>

using namespace arena;
using namespace std::chrono_literals;

namespace {

constexpr auto kBase64Url = QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals;

const QByteArray kSecret = QByteArrayLiteral("0123456789abcdef0123456789abcdef-secret");
const QByteArray kOtherSecret = QByteArrayLiteral("another-secret-that-is-long-enough-000");

QDateTime at(qint64 seconds)
{
    return QDateTime::fromSecsSinceEpoch(seconds, Qt::UTC);
}

QByteArray b64(const QByteArray &data)
{
    return data.toBase64(kBase64Url);
}

// A token assembled independently of PlayerAuth, as a JWT library would: header.payload.signature.
QString handMade(const QByteArray &headerJson, const QByteArray &payloadJson, const QByteArray &secret = kSecret)
{
    const QByteArray input = b64(headerJson) + '.' + b64(payloadJson);
    const QByteArray mac = QMessageAuthenticationCode::hash(input, secret, QCryptographicHash::Sha256);
    return QString::fromLatin1(input + '.' + b64(mac));
}

const QByteArray kHeader = QByteArrayLiteral(R"({"alg":"HS256","typ":"JWT"})");

PlayerAuth makeAuth(const QByteArray &secret = kSecret)
{
    Result<PlayerAuth> auth = PlayerAuth::fromSecret(secret);
    if (!auth)
        qFatal("fromSecret failed: %s", qPrintable(auth.error().message));
    return std::move(auth).value();
}

} // namespace

class TestPlayerAuth final : public QObject
{
    Q_OBJECT

private slots:
    void issueAndVerify();
    void tokenFormatIsJwt();
    void acceptsTokensFromOtherIssuers();
    void expiry();
    void clockSkew();
    void notBefore();
    void wrongSecret();
    void tampering_data();
    void tampering();
    void malformed_data();
    void malformed();
    void signedButInvalidClaims_data();
    void signedButInvalidClaims();
    void issueRejectsBadInput();
    void secretTooShort();
    void secretFile();
    void secretFileErrors_data();
    void secretFileErrors();
    void constantTimeEquals_data();
    void constantTimeEquals();
    void settingSpecs();
};

void TestPlayerAuth::issueAndVerify()
{
    const PlayerAuth auth = makeAuth();
    const QDateTime now = at(1'700'000'000);
    const Result<QString> token = auth.issue(QStringLiteral("player-7"), 3600s, now);
    QVERIFY(token.ok());
    const Result<PlayerClaims> claims = auth.verify(*token, now.addSecs(10));
    QVERIFY2(claims.ok(), qPrintable(claims.ok() ? QString() : claims.error().message));
    QCOMPARE(claims->playerId, QStringLiteral("player-7"));
    QCOMPARE(claims->expiresAt, at(1'700'003'600));

    // Unicode player ids survive the round trip.
    const Result<QString> unicode = auth.issue(QStringLiteral("spieler-ä-✓"), 60s);
    QVERIFY(unicode.ok());
    const Result<PlayerClaims> unicodeClaims = auth.verify(*unicode);
    QVERIFY(unicodeClaims.ok());
    QCOMPARE(unicodeClaims->playerId, QStringLiteral("spieler-ä-✓"));
}

void TestPlayerAuth::tokenFormatIsJwt()
{
    const PlayerAuth auth = makeAuth();
    const QString token = auth.issue(QStringLiteral("p-1"), 120s, at(1000)).value();
    const QList<QByteArray> parts = token.toLatin1().split('.');
    QCOMPARE(parts.size(), 3);
    for (const QByteArray &part : parts) {
        QVERIFY(!part.contains('='));
        QVERIFY(!part.contains('+'));
        QVERIFY(!part.contains('/'));
    }
    const QJsonObject header = QJsonDocument::fromJson(QByteArray::fromBase64(parts[0], kBase64Url)).object();
    QCOMPARE(header.value(QLatin1String("alg")).toString(), QStringLiteral("HS256"));
    QCOMPARE(header.value(QLatin1String("typ")).toString(), QStringLiteral("JWT"));
    const QJsonObject payload = QJsonDocument::fromJson(QByteArray::fromBase64(parts[1], kBase64Url)).object();
    QCOMPARE(payload.value(QLatin1String("sub")).toString(), QStringLiteral("p-1"));
    QCOMPARE(payload.value(QLatin1String("iat")).toInteger(), 1000);
    QCOMPARE(payload.value(QLatin1String("exp")).toInteger(), 1120);
    // The signature is HMAC-SHA256 over "header.payload" with the secret, computed independently here.
    const QByteArray expected =
        QMessageAuthenticationCode::hash(parts[0] + '.' + parts[1], kSecret, QCryptographicHash::Sha256);
    QCOMPARE(QByteArray::fromBase64(parts[2], kBase64Url), expected);
}

void TestPlayerAuth::acceptsTokensFromOtherIssuers()
{
    const PlayerAuth auth = makeAuth();
    // Header without typ, extra claims, fractional exp: all fine for a JWT library's output.
    const QString token = handMade(R"({"alg":"HS256"})", R"({"sub":"acc-42","exp":2000.5,"iss":"login","role":"x"})");
    const Result<PlayerClaims> claims = auth.verify(token, at(1500));
    QVERIFY2(claims.ok(), qPrintable(claims.ok() ? QString() : claims.error().message));
    QCOMPARE(claims->playerId, QStringLiteral("acc-42"));
    QCOMPARE(claims->expiresAt, at(2000));
}

void TestPlayerAuth::expiry()
{
    const PlayerAuth auth = makeAuth();
    const QString token = auth.issue(QStringLiteral("p"), 60s, at(5000)).value();
    QVERIFY(auth.verify(token, at(5000)).ok());
    QVERIFY(auth.verify(token, at(5059)).ok());
    QVERIFY(auth.verify(token, at(5059).addMSecs(999)).ok());
    for (const QDateTime &late : {at(5060), at(5061), at(99'999'999)}) {
        const Result<PlayerClaims> claims = auth.verify(token, late);
        QVERIFY(!claims.ok());
        QCOMPARE(claims.error().code, QStringLiteral("unauthorized"));
        QCOMPARE(claims.error().message, QStringLiteral("token expired"));
    }
    // Against the real clock: a fresh token is valid, one that expired an hour ago is not.
    QVERIFY(auth.verify(auth.issue(QStringLiteral("p"), 60s).value()).ok());
    const QString old = auth.issue(QStringLiteral("p"), 60s, QDateTime::currentDateTimeUtc().addSecs(-3600)).value();
    QCOMPARE(auth.verify(old).error().message, QStringLiteral("token expired"));
}

void TestPlayerAuth::clockSkew()
{
    PlayerAuth auth = makeAuth();
    const QString token = auth.issue(QStringLiteral("p"), 60s, at(5000)).value();
    QVERIFY(!auth.verify(token, at(5070)).ok());
    auth.setClockSkew(30s);
    QCOMPARE(auth.clockSkew(), 30s);
    QVERIFY(auth.verify(token, at(5070)).ok());
    QCOMPARE(auth.verify(token, at(5090)).error().message, QStringLiteral("token expired"));
}

void TestPlayerAuth::notBefore()
{
    PlayerAuth auth = makeAuth();
    const QString token = handMade(kHeader, R"({"sub":"p","nbf":1000,"exp":2000})");
    const Result<PlayerClaims> early = auth.verify(token, at(999));
    QVERIFY(!early.ok());
    QCOMPARE(early.error().code, QStringLiteral("unauthorized"));
    QCOMPARE(early.error().message, QStringLiteral("token not yet valid"));
    QVERIFY(auth.verify(token, at(1000)).ok());
    auth.setClockSkew(5s);
    QVERIFY(auth.verify(token, at(996)).ok());
}

void TestPlayerAuth::wrongSecret()
{
    const PlayerAuth issuer = makeAuth(kOtherSecret);
    const PlayerAuth verifier = makeAuth(kSecret);
    const QString token = issuer.issue(QStringLiteral("p-1"), 60s).value();
    const Result<PlayerClaims> claims = verifier.verify(token);
    QVERIFY(!claims.ok());
    QCOMPARE(claims.error().code, QStringLiteral("unauthorized"));
    QCOMPARE(claims.error().message, QStringLiteral("bad signature"));
    QVERIFY(issuer.verify(token).ok());
}

void TestPlayerAuth::tampering_data()
{
    QTest::addColumn<QString>("token");
    QTest::addColumn<QString>("message");

    const PlayerAuth auth = makeAuth();
    const QString good = auth.issue(QStringLiteral("alice"), 3600s, at(1000)).value();
    const QList<QByteArray> parts = good.toLatin1().split('.');
    const auto join = [](const QByteArray &a, const QByteArray &b, const QByteArray &c) {
        return QString::fromLatin1(a + '.' + b + '.' + c);
    };

    // Same claims with another player id, keeping the old signature.
    const QByteArray forgedPayload = b64(R"({"exp":4600,"iat":1000,"sub":"mallory"})");
    QTest::newRow("other subject, old signature") << join(parts[0], forgedPayload, parts[2]) << "bad signature";
    // Longer expiry, old signature.
    QTest::newRow("extended expiry") << join(parts[0], b64(R"({"exp":99999999,"iat":1000,"sub":"alice"})"), parts[2])
                                     << "bad signature";
    // One flipped character in each part (kept within the base64url alphabet and canonical form).
    QByteArray payload = parts[1];
    payload[2] = payload[2] == 'A' ? 'B' : 'A';
    QTest::newRow("payload character changed") << join(parts[0], payload, parts[2]) << "bad signature";
    QByteArray signature = parts[2];
    signature[0] = signature[0] == 'A' ? 'B' : 'A';
    QTest::newRow("signature character changed") << join(parts[0], parts[1], signature) << "bad signature";
    // Signature of another valid token.
    const QString other = auth.issue(QStringLiteral("bob"), 3600s, at(1000)).value();
    QTest::newRow("signature of another token") << join(parts[0], parts[1], other.toLatin1().split('.')[2])
                                                << "bad signature";
    // Signed with the right secret but claiming another algorithm: refused after the signature check.
    QTest::newRow("alg HS512 header") << handMade(R"({"alg":"HS512","typ":"JWT"})", R"({"sub":"alice","exp":4600})")
                                      << "malformed token";
    QTest::newRow("typ not JWT") << handMade(R"({"alg":"HS256","typ":"XYZ"})", R"({"sub":"alice","exp":4600})")
                                 << "malformed token";
    // The classic "none" attack: no signature at all.
    QTest::newRow("alg none, empty signature")
        << QString::fromLatin1(b64(R"({"alg":"none"})") + '.' + b64(R"({"sub":"alice","exp":4600})") + '.')
        << "malformed token";
    QTest::newRow("alg none, signature kept")
        << join(b64(R"({"alg":"none"})"), parts[1], parts[2]) << "bad signature";
    // Truncated and extended signatures.
    QTest::newRow("signature truncated") << join(parts[0], parts[1], parts[2].left(parts[2].size() - 4))
                                         << "malformed token";
    QTest::newRow("signature extended") << join(parts[0], parts[1], parts[2] + "AAAA") << "malformed token";
    // The same signature with non-canonical trailing bits (43 chars carry 256 bits + 2 spare bits).
    QByteArray spare = parts[2];
    const QByteArray alphabet("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_");
    spare.back() = alphabet[(alphabet.indexOf(spare.back()) ^ 1)];
    QTest::newRow("signature non-canonical") << join(parts[0], parts[1], spare) << "malformed token";
    QTest::newRow("signed with another secret")
        << handMade(kHeader, R"({"sub":"alice","exp":4600})", kOtherSecret) << "bad signature";
}

void TestPlayerAuth::tampering()
{
    QFETCH(QString, token);
    QFETCH(QString, message);
    const PlayerAuth auth = makeAuth();
    const Result<PlayerClaims> claims = auth.verify(token, at(2000));
    QVERIFY2(!claims.ok(), "a tampered token was accepted");
    QCOMPARE(claims.error().code, QStringLiteral("unauthorized"));
    QCOMPARE(claims.error().message, message);
}

void TestPlayerAuth::malformed_data()
{
    QTest::addColumn<QString>("token");
    const PlayerAuth auth = makeAuth();
    const QString good = auth.issue(QStringLiteral("alice"), 3600s, at(1000)).value();

    QTest::newRow("empty") << QString();
    QTest::newRow("one dot") << QStringLiteral(".");
    QTest::newRow("two dots") << QStringLiteral("..");
    QTest::newRow("two parts") << good.section(QLatin1Char('.'), 0, 1);
    QTest::newRow("four parts") << good + QStringLiteral(".abc");
    QTest::newRow("empty header") << QLatin1Char('.') + good.section(QLatin1Char('.'), 1);
    QTest::newRow("empty payload") << good.section(QLatin1Char('.'), 0, 0) + QStringLiteral("..")
                                          + good.section(QLatin1Char('.'), 2);
    QTest::newRow("standard base64 characters") << QString(good).replace(0, 1, QLatin1Char('+'));
    QTest::newRow("padding") << good + QStringLiteral("=");
    QTest::newRow("leading space") << QLatin1Char(' ') + good;
    QTest::newRow("trailing newline") << good + QLatin1Char('\n');
    QTest::newRow("non-ASCII") << good + QStringLiteral("é");
    QTest::newRow("non-Latin-1") << QStringLiteral("✓.✓.✓");
    QTest::newRow("too long") << good + QString(PlayerAuth::MaximumTokenBytes, QLatin1Char('A'));
    QTest::newRow("garbage") << QStringLiteral("not a token at all");
    QTest::newRow("bearer prefix") << QStringLiteral("Bearer ") + good;
}

void TestPlayerAuth::malformed()
{
    QFETCH(QString, token);
    const PlayerAuth auth = makeAuth();
    const Result<PlayerClaims> claims = auth.verify(token, at(2000));
    QVERIFY(!claims.ok());
    QCOMPARE(claims.error().code, QStringLiteral("unauthorized"));
    QCOMPARE(claims.error().message, QStringLiteral("malformed token"));
}

// Correctly signed tokens whose content is not acceptable.
void TestPlayerAuth::signedButInvalidClaims_data()
{
    QTest::addColumn<QByteArray>("header");
    QTest::addColumn<QByteArray>("payload");

    QTest::newRow("payload not JSON") << kHeader << QByteArray("sub=alice");
    QTest::newRow("payload array") << kHeader << QByteArray(R"(["alice",4600])");
    QTest::newRow("header not JSON") << QByteArray("HS256") << QByteArray(R"({"sub":"alice","exp":4600})");
    QTest::newRow("header without alg") << QByteArray(R"({"typ":"JWT"})") << QByteArray(R"({"sub":"alice","exp":4600})");
    QTest::newRow("missing sub") << kHeader << QByteArray(R"({"exp":4600})");
    QTest::newRow("sub a number") << kHeader << QByteArray(R"({"sub":17,"exp":4600})");
    QTest::newRow("sub empty") << kHeader << QByteArray(R"({"sub":"","exp":4600})");
    QTest::newRow("sub control character") << kHeader << QByteArray(R"({"sub":"a\u0001b","exp":4600})");
    QTest::newRow("sub too long") << kHeader << (R"({"sub":")" + QByteArray(129, 'x') + R"(","exp":4600})");
    QTest::newRow("missing exp") << kHeader << QByteArray(R"({"sub":"alice"})");
    QTest::newRow("exp a string") << kHeader << QByteArray(R"({"sub":"alice","exp":"4600"})");
    QTest::newRow("exp null") << kHeader << QByteArray(R"({"sub":"alice","exp":null})");
    QTest::newRow("exp huge") << kHeader << QByteArray(R"({"sub":"alice","exp":1e300})");
    QTest::newRow("nbf a string") << kHeader << QByteArray(R"({"sub":"alice","exp":4600,"nbf":"x"})");
}

void TestPlayerAuth::signedButInvalidClaims()
{
    QFETCH(QByteArray, header);
    QFETCH(QByteArray, payload);
    const PlayerAuth auth = makeAuth();
    const Result<PlayerClaims> claims = auth.verify(handMade(header, payload), at(2000));
    QVERIFY(!claims.ok());
    QCOMPARE(claims.error().code, QStringLiteral("unauthorized"));
    QCOMPARE(claims.error().message, QStringLiteral("malformed token"));
}

void TestPlayerAuth::issueRejectsBadInput()
{
    const PlayerAuth auth = makeAuth();
    for (const QString &id : {QString(), QStringLiteral("a\tb"), QString(129, QLatin1Char('x'))}) {
        const Result<QString> token = auth.issue(id, 60s);
        QVERIFY(!token.ok());
        QCOMPARE(token.error().code, QStringLiteral("bad_request"));
    }
    QCOMPARE(auth.issue(QStringLiteral("p"), 0s).error().code, QStringLiteral("bad_request"));
    QCOMPARE(auth.issue(QStringLiteral("p"), -5s).error().code, QStringLiteral("bad_request"));
    QVERIFY(auth.issue(QString(128, QLatin1Char('x')), 1s).ok());
}

void TestPlayerAuth::secretTooShort()
{
    const Result<PlayerAuth> shortSecret = PlayerAuth::fromSecret(QByteArray(31, 'k'));
    QVERIFY(!shortSecret.ok());
    QCOMPARE(shortSecret.error().code, QStringLiteral("invalid_config"));
    QVERIFY(shortSecret.error().message.contains(QLatin1String("32")));
    QVERIFY(PlayerAuth::fromSecret(QByteArray(32, 'k')).ok());
}

void TestPlayerAuth::secretFile()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("player-secret"));
    QFile file(path);
    QVERIFY(file.open(QIODevice::WriteOnly));
    file.write(kSecret + "\r\n\n");
    file.close();
    QVERIFY(file.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));

    const Result<PlayerAuth> fromFile = PlayerAuth::fromSecretFile(path);
    QVERIFY2(fromFile.ok(), qPrintable(fromFile.ok() ? QString() : fromFile.error().message));
    // The trailing line break is not part of the secret: tokens interchange with fromSecret(kSecret).
    const PlayerAuth direct = makeAuth(kSecret);
    QVERIFY(fromFile->verify(direct.issue(QStringLiteral("p"), 60s).value()).ok());
    QVERIFY(direct.verify(fromFile->issue(QStringLiteral("p"), 60s).value()).ok());
    QCOMPARE(makeAuth(kOtherSecret).verify(fromFile->issue(QStringLiteral("p"), 60s).value()).error().message,
             QStringLiteral("bad signature"));
}

void TestPlayerAuth::secretFileErrors_data()
{
    QTest::addColumn<QByteArray>("content"); // null: the file does not exist
    QTest::addColumn<QString>("mention");

    QTest::newRow("missing file") << QByteArray() << QString();
    QTest::newRow("empty file") << QByteArray("") << QStringLiteral("0 bytes");
    QTest::newRow("31 bytes") << QByteArray(31, 's') << QStringLiteral("31 bytes");
    QTest::newRow("31 bytes plus newlines") << (QByteArray(31, 's') + "\n\n \t") << QStringLiteral("31 bytes");
    QTest::newRow("too large") << QByteArray(PlayerAuth::MaximumSecretFileBytes + 1, 's') << QStringLiteral("larger");
}

void TestPlayerAuth::secretFileErrors()
{
    QFETCH(QByteArray, content);
    QFETCH(QString, mention);
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("secret.txt"));
    if (!content.isNull()) {
        QFile file(path);
        QVERIFY(file.open(QIODevice::WriteOnly));
        file.write(content);
    }
    const Result<PlayerAuth> auth = PlayerAuth::fromSecretFile(path);
    QVERIFY(!auth.ok());
    QCOMPARE(auth.error().code, QStringLiteral("invalid_config"));
    QVERIFY2(auth.error().message.contains(path), qPrintable(auth.error().message));
    QVERIFY2(auth.error().message.contains(mention), qPrintable(auth.error().message));
}

void TestPlayerAuth::constantTimeEquals_data()
{
    QTest::addColumn<QByteArray>("a");
    QTest::addColumn<QByteArray>("b");
    QTest::addColumn<bool>("equal");
    QTest::newRow("both empty") << QByteArray() << QByteArray() << true;
    QTest::newRow("same") << QByteArray("abcdef") << QByteArray("abcdef") << true;
    QTest::newRow("first byte differs") << QByteArray("xbcdef") << QByteArray("abcdef") << false;
    QTest::newRow("last byte differs") << QByteArray("abcdex") << QByteArray("abcdef") << false;
    QTest::newRow("one bit differs") << QByteArray("\x01", 1) << QByteArray("\x00", 1) << false;
    QTest::newRow("high bit differs") << QByteArray("\x80", 1) << QByteArray("\x00", 1) << false;
    QTest::newRow("prefix") << QByteArray("abc") << QByteArray("abcdef") << false;
    QTest::newRow("empty vs one") << QByteArray() << QByteArray("a") << false;
}

void TestPlayerAuth::constantTimeEquals()
{
    QFETCH(QByteArray, a);
    QFETCH(QByteArray, b);
    QFETCH(bool, equal);
    QCOMPARE(PlayerAuth::constantTimeEquals(a, b), equal);
    QCOMPARE(PlayerAuth::constantTimeEquals(b, a), equal);
}

void TestPlayerAuth::settingSpecs()
{
    const QList<SettingSpec> specs = PlayerAuth::specs();
    QCOMPARE(specs.size(), 2);
    for (const SettingSpec &spec : specs)
        QVERIFY2(spec.validate().ok(), qPrintable(spec.key));
    QCOMPARE(specs[0].key, QStringLiteral("player-token-secret-file"));
    QCOMPARE(specs[0].type, SettingType::FilePath);
    QVERIFY(specs[0].defaultValue.toString().isEmpty()); // anonymous by default
}

QTEST_GUILESS_MAIN(TestPlayerAuth)
#include "tst_playerauth.moc"
