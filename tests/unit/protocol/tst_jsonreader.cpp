// TestJsonReader: strictness of the JSON reader, JsonWriter output, and RawJson (the free-form payload holder).
#include "shared/protocol/jsonreader.h"
#include "shared/protocol/jsonwriter.h"
#include "shared/protocol/rawjson.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTest>

#include <cmath>

using namespace arena::protocol;

Q_DECLARE_METATYPE(arena::protocol::DecodeErrorKind)

class TestJsonReader : public QObject
{
    Q_OBJECT

private slots:
    void accepts_data();
    void accepts();
    void rejects_data();
    void rejects();
    void errorOffset();
    void largeObjectDuplicates();
    void depthLimit();
    void nodeIndex();
    void stringDecoding();
    void compactRemovesOnlyWhitespace_data();
    void compactRemovesOnlyWhitespace();
    void toJsonValueKeepsIntegers();
    void writerEscapesAndReadsBack();
    void writerLoneSurrogate();
    void writerNumbers_data();
    void writerNumbers();
    void writerJsonValue();
    void writerAppendsAndContinues();
    void rawJsonParse();
    void rawJsonLimits();
    void rawJsonConversions();
};

void TestJsonReader::accepts_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::newRow("empty object") << QByteArray("{}");
    QTest::newRow("empty array") << QByteArray("[]");
    QTest::newRow("zero") << QByteArray("0");
    QTest::newRow("minus zero") << QByteArray("-0");
    QTest::newRow("fraction and exponent") << QByteArray("-12.5e+10");
    QTest::newRow("capital exponent") << QByteArray("1E2");
    QTest::newRow("underflow is zero, not an error") << QByteArray("1e-400");
    QTest::newRow("largest double") << QByteArray("1.7976931348623157e308");
    QTest::newRow("long integer literal") << QByteArray(300, '9');
    QTest::newRow("literals") << QByteArray("[true,false,null]");
    QTest::newRow("whitespace everywhere") << QByteArray(" \t\r\n{ \"a\" : [ 1 , 2 ] , \"b\" : { } } \n");
    QTest::newRow("all simple escapes") << QByteArray(R"("\"\\\/\b\f\n\r\t")");
    QTest::newRow("unicode escape") << QByteArray(R"("\u00e9\u20AC")");
    QTest::newRow("surrogate pair escape") << QByteArray(R"("\ud83d\ude00")");
    QTest::newRow("escaped NUL") << QByteArray(R"("a\u0000b")");
    QTest::newRow("2-byte UTF-8") << QByteArray("\"caf\xC3\xA9\"");
    QTest::newRow("3-byte UTF-8") << QByteArray("\"\xE2\x82\xAC\"");
    QTest::newRow("U+FFFF") << QByteArray("\"\xEF\xBF\xBF\"");
    QTest::newRow("4-byte UTF-8") << QByteArray("\"\xF0\x9F\x98\x80\"");
    QTest::newRow("U+10FFFF") << QByteArray("\"\xF4\x8F\xBF\xBF\"");
    QTest::newRow("DEL is not a control character for JSON") << QByteArray("\"\x7F\"");
    QTest::newRow("same key in sibling objects") << QByteArray(R"([{"a":1},{"a":2}])");
    QTest::newRow("keys differing by case") << QByteArray(R"({"a":1,"A":2})");
}

void TestJsonReader::accepts()
{
    QFETCH(QByteArray, json);
    JsonReader reader;
    QVERIFY2(reader.parse(json, 32), qPrintable(reader.error().toString()));
    QVERIFY(reader.nodeCount() >= 1);
    QCOMPARE(reader.node(0).next, reader.nodeCount());
}

void TestJsonReader::rejects_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<DecodeErrorKind>("kind");
    QTest::addColumn<QString>("path");

    const auto syntax = DecodeErrorKind::Syntax;
    const auto utf8 = DecodeErrorKind::InvalidUtf8;
    const auto dup = DecodeErrorKind::DuplicateKey;
    const auto range = DecodeErrorKind::OutOfRange;

    QTest::newRow("empty") << QByteArray() << syntax << QString();
    QTest::newRow("only whitespace") << QByteArray(" \n") << syntax << QString();
    QTest::newRow("unterminated object") << QByteArray("{") << syntax << QString();
    QTest::newRow("unterminated array") << QByteArray("[1,2") << syntax << QString();
    QTest::newRow("trailing comma in array") << QByteArray("[1,]") << syntax << QString();
    QTest::newRow("trailing comma in object") << QByteArray(R"({"a":1,})") << syntax << QString();
    QTest::newRow("missing colon") << QByteArray(R"({"a" 1})") << syntax << QStringLiteral("a");
    QTest::newRow("missing value") << QByteArray(R"({"a":})") << syntax << QStringLiteral("a");
    QTest::newRow("unquoted key") << QByteArray("{a:1}") << syntax << QString();
    QTest::newRow("single quotes") << QByteArray("'x'") << syntax << QString();
    QTest::newRow("missing comma") << QByteArray("[1 2]") << syntax << QString();
    QTest::newRow("trailing data") << QByteArray("{} x") << syntax << QString();
    QTest::newRow("two values") << QByteArray("1 2") << syntax << QString();
    QTest::newRow("byte order mark") << QByteArray("\xEF\xBB\xBF{}") << syntax << QString();
    QTest::newRow("leading zero") << QByteArray("01") << syntax << QString();
    QTest::newRow("negative leading zero") << QByteArray("-01") << syntax << QString();
    QTest::newRow("lone minus") << QByteArray("-") << syntax << QString();
    QTest::newRow("plus sign") << QByteArray("+1") << syntax << QString();
    QTest::newRow("dot without digits") << QByteArray("1.") << syntax << QString();
    QTest::newRow("leading dot") << QByteArray(".5") << syntax << QString();
    QTest::newRow("exponent without digits") << QByteArray("1e") << syntax << QString();
    QTest::newRow("exponent sign only") << QByteArray("1e+") << syntax << QString();
    QTest::newRow("hex") << QByteArray("0x10") << syntax << QString();
    QTest::newRow("NaN") << QByteArray("NaN") << syntax << QString();
    QTest::newRow("Infinity") << QByteArray("[Infinity]") << syntax << QStringLiteral("[0]");
    QTest::newRow("truncated literal") << QByteArray("tru") << syntax << QString();
    QTest::newRow("capitalised literal") << QByteArray("Null") << syntax << QString();
    QTest::newRow("unterminated string") << QByteArray("\"abc") << syntax << QString();
    QTest::newRow("raw tab in string") << QByteArray("\"a\tb\"") << syntax << QString();
    QTest::newRow("raw newline in string") << QByteArray("\"a\nb\"") << syntax << QString();
    QTest::newRow("unknown escape") << QByteArray(R"("\x41")") << syntax << QString();
    QTest::newRow("escaped single quote") << QByteArray(R"("\'")") << syntax << QString();
    QTest::newRow("short unicode escape") << QByteArray(R"("\u12")") << syntax << QString();
    QTest::newRow("non-hex unicode escape") << QByteArray(R"("\u12G4")") << syntax << QString();
    QTest::newRow("syntax error path") << QByteArray(R"({"data":{"x":[1,2,}]}})") << syntax << QStringLiteral("data.x[2]");

    QTest::newRow("lone continuation byte") << QByteArray("\"\x80\"") << utf8 << QString();
    QTest::newRow("truncated 2-byte") << QByteArray("\"\xC3\"") << utf8 << QString();
    QTest::newRow("truncated at end of text") << QByteArray("\"\xE2\x82") << utf8 << QString();
    QTest::newRow("overlong 2-byte") << QByteArray("\"\xC0\xAF\"") << utf8 << QString();
    QTest::newRow("overlong C1") << QByteArray("\"\xC1\xBF\"") << utf8 << QString();
    QTest::newRow("overlong 3-byte") << QByteArray("\"\xE0\x80\xAF\"") << utf8 << QString();
    QTest::newRow("overlong 4-byte") << QByteArray("\"\xF0\x80\x80\xAF\"") << utf8 << QString();
    QTest::newRow("UTF-8 encoded surrogate") << QByteArray("\"\xED\xA0\x80\"") << utf8 << QString();
    QTest::newRow("above U+10FFFF") << QByteArray("\"\xF4\x90\x80\x80\"") << utf8 << QString();
    QTest::newRow("F5 lead byte") << QByteArray("\"\xF5\x80\x80\x80\"") << utf8 << QString();
    QTest::newRow("FF byte") << QByteArray("\"\xFF\"") << utf8 << QString();
    QTest::newRow("invalid UTF-8 in a key") << QByteArray("{\"a\":{\"\xFF\":1}}") << utf8 << QStringLiteral("a");
    QTest::newRow("invalid UTF-8 in nested value") << QByteArray("{\"data\":{\"k\":[\"ok\",\"\xC3(\"]}}") << utf8
                                                   << QStringLiteral("data.k[1]");
    QTest::newRow("lone high surrogate escape") << QByteArray(R"("\ud800")") << utf8 << QString();
    QTest::newRow("lone low surrogate escape") << QByteArray(R"("\udc00")") << utf8 << QString();
    QTest::newRow("high surrogate then letter") << QByteArray(R"("\ud800\u0041")") << utf8 << QString();
    QTest::newRow("two high surrogates") << QByteArray(R"("\ud800\ud800")") << utf8 << QString();
    QTest::newRow("high surrogate then raw text") << QByteArray(R"("\ud83dx")") << utf8 << QString();

    QTest::newRow("duplicate key") << QByteArray(R"({"a":1,"a":2})") << dup << QStringLiteral("a");
    QTest::newRow("duplicate key with other value type") << QByteArray(R"({"a":1,"b":2,"a":"x"})") << dup
                                                         << QStringLiteral("a");
    QTest::newRow("duplicate key through an escape") << QByteArray(R"({"a":1,"\u0061":2})") << dup << QStringLiteral("a");
    QTest::newRow("duplicate nested key") << QByteArray(R"({"x":{"k":1,"k":1}})") << dup << QStringLiteral("x.k");
    QTest::newRow("duplicate key inside array") << QByteArray(R"({"x":[{},{"k":1,"k":2}]})") << dup
                                                << QStringLiteral("x[1].k");
    QTest::newRow("duplicate odd key") << QByteArray(R"({"a b":1,"a b":2})") << dup << QStringLiteral("[\"a b\"]");

    QTest::newRow("1e400") << QByteArray("1e400") << range << QString();
    QTest::newRow("-1e400 nested") << QByteArray(R"({"a":[1,-1e400]})") << range << QStringLiteral("a[1]");
    QTest::newRow("just above the largest double") << QByteArray("1.8e308") << range << QString();
    QTest::newRow("400-digit integer") << QByteArray(400, '9') << range << QString();
    QTest::newRow("huge exponent") << QByteArray("0.1e99999999999999999999") << range << QString();
}

void TestJsonReader::rejects()
{
    QFETCH(QByteArray, json);
    QFETCH(DecodeErrorKind, kind);
    QFETCH(QString, path);

    JsonReader reader;
    QVERIFY(!reader.parse(json, 32));
    QCOMPARE(decodeErrorKindName(reader.error().kind), decodeErrorKindName(kind));
    QCOMPARE(reader.error().path, path);
    QVERIFY(!reader.error().message.isEmpty());
    QVERIFY(reader.error().offset >= 0 && reader.error().offset <= json.size());
}

void TestJsonReader::errorOffset()
{
    JsonReader reader;
    QVERIFY(!reader.parse(R"({"a":1,"b":tru})", 8));
    QCOMPARE(reader.error().offset, 11);
    QCOMPARE(reader.error().path, QStringLiteral("b"));

    QVERIFY(!reader.parse(R"({"a":1,"a":2})", 8));
    QCOMPARE(reader.error().offset, 7); // the second occurrence
}

void TestJsonReader::largeObjectDuplicates()
{
    // Large objects take the sorting path; the duplicate may be anywhere.
    QByteArray json = "{";
    for (int i = 0; i < 2000; ++i)
        json += "\"key" + QByteArray::number(i) + "\":" + QByteArray::number(i) + ",";
    JsonReader reader;
    QVERIFY(reader.parse(json + "\"last\":0}", 8));
    QCOMPARE(reader.node(0).count, 2001u);
    QVERIFY(!reader.parse(json + "\"key1234\":0}", 8));
    QCOMPARE(reader.error().kind, DecodeErrorKind::DuplicateKey);
    QCOMPARE(reader.error().path, QStringLiteral("key1234"));
    QVERIFY(!reader.parse(json + "\"key\\u0031\":0}", 8)); // "key1" spelled with an escape
    QCOMPARE(reader.error().path, QStringLiteral("key1"));
}

void TestJsonReader::depthLimit()
{
    JsonReader reader;
    QVERIFY(reader.parse(QByteArray(32, '[') + QByteArray(32, ']'), 32));
    QVERIFY(!reader.parse(QByteArray(33, '[') + QByteArray(33, ']'), 32));
    QCOMPARE(reader.error().kind, DecodeErrorKind::TooDeep);
    QCOMPARE(reader.error().path, QString(QStringLiteral("[0]")).repeated(32));

    QVERIFY(!reader.parse(R"({"a":{"b":{"c":{}}}})", 3));
    QCOMPARE(reader.error().kind, DecodeErrorKind::TooDeep);
    QCOMPARE(reader.error().path, QStringLiteral("a.b.c"));

    // A huge maxDepth is capped, so deep input cannot overflow the stack.
    const QByteArray deep = QByteArray(100000, '[') + QByteArray(100000, ']');
    QVERIFY(!reader.parse(deep, 1 << 30));
    QCOMPARE(reader.error().kind, DecodeErrorKind::TooDeep);
    QVERIFY(reader.error().message.contains(QString::number(JsonReader::DepthCeiling)));
}

void TestJsonReader::nodeIndex()
{
    const QByteArray json = R"({"a":[1,{"b":null}],"c":"x"})";
    JsonReader reader;
    QVERIFY(reader.parse(json, 8));
    // {  "a"  [  1  {  "b"  null  "c"  "x"
    QCOMPARE(reader.nodeCount(), 9u);
    QCOMPARE(reader.node(0).kind, JsonReader::Kind::Object);
    QCOMPARE(reader.node(0).count, 2u);
    QCOMPARE(reader.node(0).height, quint16(3));
    QCOMPARE(reader.node(2).kind, JsonReader::Kind::Array);
    QCOMPARE(reader.node(2).next, 7u); // skips its subtree to the key "c"
    QCOMPARE(reader.raw(2), QByteArrayView("[1,{\"b\":null}]"));
    QCOMPARE(reader.node(6).kind, JsonReader::Kind::Null);
    QCOMPARE(reader.raw(8), QByteArrayView("\"x\""));
    QVERIFY(!(reader.node(3).flags & JsonReader::NonInteger));

    QVERIFY(reader.parse("[-1.5, 2e3, -0]", 8));
    QVERIFY(reader.node(1).flags & JsonReader::NonInteger);
    QVERIFY(reader.node(1).flags & JsonReader::Negative);
    QVERIFY(reader.node(2).flags & JsonReader::NonInteger);
    QVERIFY(!(reader.node(3).flags & JsonReader::NonInteger));
    QVERIFY(reader.node(3).flags & JsonReader::Negative);
    QVERIFY(reader.node(0).flags & JsonReader::Spaced);
}

void TestJsonReader::stringDecoding()
{
    JsonReader reader;
    QVERIFY(reader.parse(R"(["a\"b\\c\/d\b\f\n\r\t\u00e9\ud83d\ude00\u0000z", "plain"])", 8));
    const QString expected = QStringLiteral("a\"b\\c/d\b\f\n\r\t") + QChar(0x00E9) + QString::fromUtf8("\xF0\x9F\x98\x80")
        + QChar(0) + QLatin1Char('z');
    QCOMPARE(reader.toQString(1), expected);
    QCOMPARE(reader.toQString(2), QStringLiteral("plain"));
    std::string scratch;
    QCOMPARE(reader.stringView(2, scratch), std::string_view("plain"));
    QCOMPARE(reader.stringView(1, scratch), std::string_view(expected.toUtf8().constData(), expected.toUtf8().size()));
}

void TestJsonReader::compactRemovesOnlyWhitespace_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QByteArray>("compact");
    QTest::newRow("already compact") << QByteArray(R"({"a":[1,"x y"]})") << QByteArray(R"({"a":[1,"x y"]})");
    QTest::newRow("spaces between tokens") << QByteArray(" { \"a\" : [ 1 ,\n\t\"x y\" ] } ")
                                           << QByteArray(R"({"a":[1,"x y"]})");
    QTest::newRow("escaped quote inside string") << QByteArray(R"({"a" : "b \" c" , "d" : "\\" })")
                                                 << QByteArray(R"({"a":"b \" c","d":"\\"})");
    QTest::newRow("numbers kept as written") << QByteArray("[ 1.50 , 1E2, 12345678901234567890 ]")
                                             << QByteArray("[1.50,1E2,12345678901234567890]");
}

void TestJsonReader::compactRemovesOnlyWhitespace()
{
    QFETCH(QByteArray, json);
    QFETCH(QByteArray, compact);
    JsonReader reader;
    QVERIFY(reader.parse(json, 8));
    QCOMPARE(reader.compact(0), compact);
}

void TestJsonReader::toJsonValueKeepsIntegers()
{
    JsonReader reader;
    QVERIFY(reader.parse(R"({"big":9007199254740993,"f":1.5,"neg":-7,"s":"x","l":[true,null],"huge":1e300})", 8));
    const QJsonObject object = reader.toJsonValue(0).toObject();
    QCOMPARE(object.value(QStringLiteral("big")).toInteger(), Q_INT64_C(9007199254740993));
    QCOMPARE(object.value(QStringLiteral("f")).toDouble(), 1.5);
    QCOMPARE(object.value(QStringLiteral("neg")).toInteger(), -7);
    QCOMPARE(object.value(QStringLiteral("s")).toString(), QStringLiteral("x"));
    QCOMPARE(object.value(QStringLiteral("l")).toArray(), QJsonArray({true, QJsonValue::Null}));
    QCOMPARE(object.value(QStringLiteral("huge")).toDouble(), 1e300);
}

void TestJsonReader::writerEscapesAndReadsBack()
{
    QString text;
    for (char16_t c = 0; c < 0x80; ++c)
        text += QChar(c);
    text += QChar(0x00E9);
    text += QChar(0x20AC);
    text += QString::fromUtf8("\xF0\x9F\x98\x80");
    QByteArray out;
    JsonWriter writer(out);
    writer.writeString(QStringView(text));
    writer.finish();
    QVERIFY(out.contains("\\u0001"));
    QVERIFY(out.contains("\\n"));
    QVERIFY(out.contains("\\\""));
    QVERIFY(out.contains("\\\\"));
    QVERIFY(out.contains("/")); // not escaped
    QVERIFY(out.contains("\xF0\x9F\x98\x80")); // raw UTF-8, not escaped
    JsonReader reader;
    QVERIFY(reader.parse(out, 8));
    QCOMPARE(reader.toQString(0), text);
}

void TestJsonReader::writerLoneSurrogate()
{
    QByteArray out;
    JsonWriter writer(out);
    writer.beginArray();
    writer.writeString(QStringView(QString(QChar(0xD800))));
    writer.writeString(QStringView(QString(QChar(0xDC00)) + QLatin1Char('x')));
    writer.endArray();
    writer.finish();
    QCOMPARE(out, QByteArray("[\"\xEF\xBF\xBD\",\"\xEF\xBF\xBDx\"]"));
    JsonReader reader;
    QVERIFY(reader.parse(out, 8));
}

void TestJsonReader::writerNumbers_data()
{
    QTest::addColumn<double>("value");
    QTest::addColumn<QByteArray>("text");
    QTest::newRow("zero") << 0.0 << QByteArray("0");
    QTest::newRow("minus zero") << -0.0 << QByteArray("-0");
    QTest::newRow("one tenth") << 0.1 << QByteArray("0.1");
    QTest::newRow("ms timestamp with fraction") << 1712345678901.5 << QByteArray("1712345678901.5");
    QTest::newRow("large") << 1e300 << QByteArray("1e+300");
    QTest::newRow("smallest subnormal") << 5e-324 << QByteArray("5e-324");
    QTest::newRow("NaN") << std::nan("") << QByteArray("null");
    QTest::newRow("infinity") << HUGE_VAL << QByteArray("null");
}

void TestJsonReader::writerNumbers()
{
    QFETCH(double, value);
    QFETCH(QByteArray, text);
    QByteArray out;
    JsonWriter writer(out);
    writer.writeDouble(value);
    writer.finish();
    QCOMPARE(out, text);
    JsonReader reader;
    QVERIFY(reader.parse(out, 8));
    if (std::isfinite(value))
        QCOMPARE(reader.toJsonValue(0).toDouble(), value);
}

void TestJsonReader::writerJsonValue()
{
    const QJsonObject object{{QStringLiteral("n"), 3},
                             {QStringLiteral("big"), QJsonValue(Q_INT64_C(9007199254740993))},
                             {QStringLiteral("f"), 2.5},
                             {QStringLiteral("s"), QStringLiteral("a\"b")},
                             {QStringLiteral("a"), QJsonArray{1, QJsonValue::Null, false}},
                             {QStringLiteral("o"), QJsonObject{{QStringLiteral("k"), true}}}};
    QByteArray out;
    JsonWriter writer(out);
    writer.writeJsonValue(object);
    writer.finish();
    QCOMPARE(out, QByteArray(R"({"a":[1,null,false],"big":9007199254740993,"f":2.5,"n":3,"o":{"k":true},"s":"a\"b"})"));
    JsonReader reader;
    QVERIFY(reader.parse(out, 8));
    QCOMPARE(reader.toJsonValue(0).toObject(), object);
}

void TestJsonReader::writerAppendsAndContinues()
{
    QByteArray out = "prefix:";
    {
        JsonWriter writer(out);
        writer.beginArray();
        writer.writeUInt(1);
        QCOMPARE(writer.finish(), QByteArray("prefix:[1"));
        writer.writeBool(true);
        writer.writeString(QLatin1StringView("x"));
        writer.writeInt(-5);
        writer.writeNull();
        writer.beginObject();
        writer.key(QStringView(u"k\"ey"));
        writer.writeRaw("{\"a\":[]}");
        writer.endObject();
        writer.endArray();
    }
    QCOMPARE(out, QByteArray(R"(prefix:[1,true,"x",-5,null,{"k\"ey":{"a":[]}}])"));

    // Long output grows the buffer several times over.
    QByteArray big;
    {
        JsonWriter writer(big);
        writer.beginArray();
        for (int i = 0; i < 10000; ++i)
            writer.writeString(QStringView(u"\u00e9t\u00e9"));
        writer.endArray();
    }
    JsonReader reader;
    QVERIFY(reader.parse(big, 4));
    QCOMPARE(reader.node(0).count, 10000u);
    QCOMPARE(reader.toQString(10000), QString::fromUtf8("\xC3\xA9t\xC3\xA9"));
}

void TestJsonReader::rawJsonParse()
{
    const auto parsed = RawJson::parse(" { \"b\" : [1, 2] } ");
    QVERIFY(parsed.ok());
    QCOMPARE(parsed->json(), QByteArray(R"({"b":[1,2]})"));
    QVERIFY(parsed->isObject());
    QVERIFY(!parsed->isNull());

    QCOMPARE(RawJson().json(), QByteArray("null"));
    QVERIFY(RawJson().isNull());
    QCOMPARE(RawJson::emptyObject().json(), QByteArray("{}"));
    QVERIFY(RawJson::parse("[]")->isArray());
    QVERIFY(RawJson::parse("{}").value() == RawJson::emptyObject());

    const auto duplicate = RawJson::parse(R"({"a":1,"a":1})");
    QVERIFY(!duplicate.ok());
    QCOMPARE(duplicate.error().kind, DecodeErrorKind::DuplicateKey);
    QVERIFY(!RawJson::parse("{").ok());
    QCOMPARE(RawJson::parse("\"\xFF\"").error().kind, DecodeErrorKind::InvalidUtf8);
}

void TestJsonReader::rawJsonLimits()
{
    DecodeLimits limits;
    limits.maxPayloadBytes = 10;
    limits.maxPayloadDepth = 2;
    QVERIFY(RawJson::parse(R"({"a":[1]})", limits).ok());
    QCOMPARE(RawJson::parse(R"({"a":[[1]]})", limits).error().kind, DecodeErrorKind::TooDeep);
    QCOMPARE(RawJson::parse(R"({"a":"0123456789"})", limits).error().kind, DecodeErrorKind::TooLarge);
    // The bound applies to the compact form: whitespace does not count.
    QVERIFY(RawJson::parse(R"( {  "a" :  [ 1 ] } )", limits).ok());
}

void TestJsonReader::rawJsonConversions()
{
    const QJsonObject object{{QStringLiteral("x"), 1}, {QStringLiteral("y"), QJsonArray{QStringLiteral("z")}}};
    const RawJson raw = RawJson::fromJsonObject(object);
    QCOMPARE(raw.json(), QByteArray(R"({"x":1,"y":["z"]})"));
    QCOMPARE(raw.toJsonObject(), object);
    QCOMPARE(raw.toJsonValue(), QJsonValue(object));
    QCOMPARE(RawJson::fromJsonValue(QJsonValue(QStringLiteral("s"))).json(), QByteArray("\"s\""));
    QCOMPARE(RawJson::fromJsonValue(QJsonValue(42)).toJsonValue(), QJsonValue(42));
    QCOMPARE(RawJson::fromJsonValue(QJsonValue()).json(), QByteArray("null"));
    QVERIFY(RawJson::fromJsonValue(QJsonValue(QJsonArray{1})).toJsonObject().isEmpty());
}

QTEST_GUILESS_MAIN(TestJsonReader)
#include "tst_jsonreader.moc"
