// TestErrorCode: the one ErrorCode table (wire names, HTTP statuses, close codes) and DecodeError's mapping onto it.
#include "shared/protocol/decodeerror.h"
#include "shared/protocol/errorcode.h"
#include "shared/protocol/errormessage.h"

#include <QSet>
#include <QTest>

using namespace arena::protocol;

Q_DECLARE_METATYPE(arena::protocol::ErrorCode)
Q_DECLARE_METATYPE(arena::protocol::DecodeErrorKind)

class TestErrorCode : public QObject
{
    Q_OBJECT

private slots:
    void table_data();
    void table();
    void everyCodeRoundTrips();
    void unknownNames_data();
    void unknownNames();
    void resultBridge();
    void decodeErrorMapping_data();
    void decodeErrorMapping();
    void errorReplyFromDecodeError();
    void errorReplyIsTruncatedToProtocolBounds();
};

void TestErrorCode::table_data()
{
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("wire");
    QTest::addColumn<int>("http");
    QTest::addColumn<int>("close"); // 0: never closes the connection

    QTest::newRow("bad_request") << ErrorCode::BadRequest << QStringLiteral("bad_request") << 400 << 0;
    QTest::newRow("unauthorized") << ErrorCode::Unauthorized << QStringLiteral("unauthorized") << 401 << 1008;
    QTest::newRow("forbidden") << ErrorCode::Forbidden << QStringLiteral("forbidden") << 403 << 1008;
    QTest::newRow("not_found") << ErrorCode::NotFound << QStringLiteral("not_found") << 404 << 0;
    QTest::newRow("conflict") << ErrorCode::Conflict << QStringLiteral("conflict") << 409 << 0;
    QTest::newRow("room_full") << ErrorCode::RoomFull << QStringLiteral("room_full") << 409 << 0;
    QTest::newRow("room_locked") << ErrorCode::RoomLocked << QStringLiteral("room_locked") << 423 << 0;
    QTest::newRow("gone") << ErrorCode::Gone << QStringLiteral("gone") << 410 << 0;
    QTest::newRow("session_expired") << ErrorCode::SessionExpired << QStringLiteral("session_expired") << 410 << 1008;
    QTest::newRow("too_large") << ErrorCode::TooLarge << QStringLiteral("too_large") << 413 << 1009;
    QTest::newRow("rate_limited") << ErrorCode::RateLimited << QStringLiteral("rate_limited") << 429 << 1008;
    QTest::newRow("server_busy") << ErrorCode::ServerBusy << QStringLiteral("server_busy") << 429 << 1013;
    QTest::newRow("unavailable") << ErrorCode::Unavailable << QStringLiteral("unavailable") << 503 << 1013;
    QTest::newRow("internal") << ErrorCode::Internal << QStringLiteral("internal") << 500 << 1011;
    QTest::newRow("unknown_type") << ErrorCode::UnknownType << QStringLiteral("unknown_type") << 400 << 0;
}

void TestErrorCode::table()
{
    QFETCH(ErrorCode, code);
    QFETCH(QString, wire);
    QFETCH(int, http);
    QFETCH(int, close);

    QCOMPARE(QString(errorCodeName(code)), wire);
    QCOMPARE(httpStatus(code), http);
    QCOMPARE(int(closeCode(code).value_or(0)), close);
    QCOMPARE(errorCodeFromName(QStringView(wire)), std::optional<ErrorCode>(code));
    QCOMPARE(errorCodeFromName(QByteArrayView(wire.toUtf8())), std::optional<ErrorCode>(code));
}

void TestErrorCode::everyCodeRoundTrips()
{
    QSet<QString> names;
    for (const ErrorCode code : allErrorCodes) {
        const QString name(errorCodeName(code));
        QVERIFY2(!name.isEmpty(), "every code has a wire name");
        QVERIFY2(!names.contains(name), qPrintable(name));
        names.insert(name);
        QCOMPARE(errorCodeFromName(QStringView(name)), std::optional<ErrorCode>(code));
        QVERIFY(httpStatus(code) >= 400 && httpStatus(code) <= 599);
        if (const auto close = closeCode(code))
            QVERIFY(*close == 1008 || *close == 1009 || *close == 1011 || *close == 1013);
    }
    QCOMPARE(names.size(), qsizetype(allErrorCodes.size()));
    // Seed 001: 404 not found, 410 expired or gone, 429 busy; busy also closes with "try again later".
    QCOMPARE(httpStatus(ErrorCode::NotFound), 404);
    QCOMPARE(httpStatus(ErrorCode::SessionExpired), 410);
    QCOMPARE(httpStatus(ErrorCode::Gone), 410);
    QCOMPARE(httpStatus(ErrorCode::ServerBusy), 429);
    QCOMPARE(closeCode(ErrorCode::ServerBusy), std::optional<quint16>(1013));
}

void TestErrorCode::unknownNames_data()
{
    QTest::addColumn<QString>("name");
    QTest::newRow("empty") << QString();
    QTest::newRow("upper case") << QStringLiteral("BAD_REQUEST");
    QTest::newRow("trailing space") << QStringLiteral("not_found ");
    QTest::newRow("http status") << QStringLiteral("404");
    QTest::newRow("prefix") << QStringLiteral("room");
}

void TestErrorCode::unknownNames()
{
    QFETCH(QString, name);
    QCOMPARE(errorCodeFromName(QStringView(name)), std::nullopt);
    QCOMPARE(errorCodeFromName(QByteArrayView(name.toUtf8())), std::nullopt);
}

void TestErrorCode::resultBridge()
{
    const arena::Error error = toError(ErrorCode::RoomLocked, QStringLiteral("room r-1 is locked"));
    QCOMPARE(error.code, QStringLiteral("room_locked"));
    QCOMPARE(error.message, QStringLiteral("room r-1 is locked"));
    QCOMPARE(errorCodeOf(error), std::optional<ErrorCode>(ErrorCode::RoomLocked));
    QCOMPARE(errorCodeOf(arena::Error{QStringLiteral("timeout"), QString()}), std::nullopt);
}

void TestErrorCode::decodeErrorMapping_data()
{
    QTest::addColumn<DecodeErrorKind>("kind");
    QTest::addColumn<ErrorCode>("code");
    QTest::addColumn<QString>("kindName");

    QTest::newRow("too_large") << DecodeErrorKind::TooLarge << ErrorCode::TooLarge << QStringLiteral("too_large");
    QTest::newRow("syntax") << DecodeErrorKind::Syntax << ErrorCode::BadRequest << QStringLiteral("syntax");
    QTest::newRow("invalid_utf8") << DecodeErrorKind::InvalidUtf8 << ErrorCode::BadRequest << QStringLiteral("invalid_utf8");
    QTest::newRow("duplicate_key") << DecodeErrorKind::DuplicateKey << ErrorCode::BadRequest << QStringLiteral("duplicate_key");
    QTest::newRow("too_deep") << DecodeErrorKind::TooDeep << ErrorCode::BadRequest << QStringLiteral("too_deep");
    QTest::newRow("unknown_type") << DecodeErrorKind::UnknownType << ErrorCode::UnknownType << QStringLiteral("unknown_type");
    QTest::newRow("unknown_field") << DecodeErrorKind::UnknownField << ErrorCode::BadRequest << QStringLiteral("unknown_field");
    QTest::newRow("missing_field") << DecodeErrorKind::MissingField << ErrorCode::BadRequest << QStringLiteral("missing_field");
    QTest::newRow("wrong_type") << DecodeErrorKind::WrongType << ErrorCode::BadRequest << QStringLiteral("wrong_type");
    QTest::newRow("out_of_range") << DecodeErrorKind::OutOfRange << ErrorCode::BadRequest << QStringLiteral("out_of_range");
    QTest::newRow("string_too_long") << DecodeErrorKind::StringTooLong << ErrorCode::BadRequest << QStringLiteral("string_too_long");
    QTest::newRow("array_too_long") << DecodeErrorKind::ArrayTooLong << ErrorCode::BadRequest << QStringLiteral("array_too_long");
    QTest::newRow("invalid_value") << DecodeErrorKind::InvalidValue << ErrorCode::BadRequest << QStringLiteral("invalid_value");
}

void TestErrorCode::decodeErrorMapping()
{
    QFETCH(DecodeErrorKind, kind);
    QFETCH(ErrorCode, code);
    QFETCH(QString, kindName);

    const DecodeError error = DecodeError::make(kind, QStringLiteral("why"), QStringLiteral("data.x"));
    QCOMPARE(error.errorCode(), code);
    QCOMPARE(QString(decodeErrorKindName(kind)), kindName);
    QCOMPARE(error.toString(), QStringLiteral("data.x: why"));
    QCOMPARE(DecodeError::make(kind, QStringLiteral("why")).toString(), QStringLiteral("why"));
}

void TestErrorCode::errorReplyFromDecodeError()
{
    DecodeError error = DecodeError::make(DecodeErrorKind::MissingField, QStringLiteral("missing required field"),
                                          QStringLiteral("room_id"));
    error.rid = 42;
    const ErrorMessage reply = ErrorMessage::fromDecodeError(error);
    QCOMPARE(reply.code, ErrorCode::BadRequest);
    QCOMPARE(reply.message, QStringLiteral("room_id: missing required field"));
    QCOMPARE(reply.field, std::optional<QString>(QStringLiteral("room_id")));
    QCOMPARE(reply.rid, std::optional<quint64>(42));

    const ErrorMessage whole = ErrorMessage::fromDecodeError(
        DecodeError::make(DecodeErrorKind::TooLarge, QStringLiteral("message of 70000 bytes is over the limit")));
    QCOMPARE(whole.code, ErrorCode::TooLarge);
    QCOMPARE(whole.field, std::nullopt);
    QCOMPARE(whole.rid, std::nullopt);
}

void TestErrorCode::errorReplyIsTruncatedToProtocolBounds()
{
    // A refused message may carry a 10 KB key; the reply must still fit the error message's own bounds.
    const QString hugeKey = QString(5000, QChar(0x00E9)); // 2 UTF-8 bytes each
    const ErrorMessage reply = ErrorMessage::fromDecodeError(
        DecodeError::make(DecodeErrorKind::UnknownField, QStringLiteral("unknown field"), hugeKey));
    QVERIFY(reply.message.toUtf8().size() <= 1024);
    QVERIFY(reply.field->toUtf8().size() <= 256);
    QVERIFY(reply.field->size() > 100);
    QVERIFY(hugeKey.startsWith(*reply.field));

    // Never cut a surrogate pair in half.
    QString emoji;
    for (int i = 0; i < 100; ++i)
        emoji += QString::fromUtf8("\xF0\x9F\x98\x80");
    const ErrorMessage emojiReply = ErrorMessage::fromDecodeError(
        DecodeError::make(DecodeErrorKind::UnknownField, QStringLiteral("unknown field"), emoji));
    QVERIFY(emojiReply.field->toUtf8().size() <= 256);
    QVERIFY(!emojiReply.field->isEmpty());
    QVERIFY(!emojiReply.field->back().isHighSurrogate());
}

QTEST_GUILESS_MAIN(TestErrorCode)
#include "tst_errorcode.moc"
