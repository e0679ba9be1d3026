#include "shared/protocol/jsonreader.h"

#include <QJsonArray>
#include <QJsonObject>

#include <algorithm>
#include <array>
#include <charconv>
#include <limits>

namespace arena::protocol {

namespace {

bool isDigit(char c)
{
    return c >= '0' && c <= '9';
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

// Reads 4 hex digits at p (caller checked there are 4 bytes); -1 if any is not hex.
int readHex4(const char *p)
{
    int value = 0;
    for (int i = 0; i < 4; ++i) {
        const int digit = hexValue(p[i]);
        if (digit < 0)
            return -1;
        value = value * 16 + digit;
    }
    return value;
}

void appendUtf8(std::string &out, char32_t cp)
{
    if (cp < 0x80) {
        out.push_back(char(cp));
    } else if (cp < 0x800) {
        out.push_back(char(0xC0 | (cp >> 6)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(char(0xE0 | (cp >> 12)));
        out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(char(0xF0 | (cp >> 18)));
        out.push_back(char(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(char(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(char(0x80 | (cp & 0x3F)));
    }
}

// Decodes the content of a string already validated by the parser (escapes well formed, surrogates paired).
void unescapeValidated(std::string_view in, std::string &out)
{
    out.clear();
    out.reserve(in.size());
    std::size_t i = 0;
    while (i < in.size()) {
        const std::size_t slash = in.find('\\', i);
        if (slash == std::string_view::npos) {
            out.append(in.substr(i));
            break;
        }
        out.append(in.substr(i, slash - i));
        const char esc = in[slash + 1];
        i = slash + 2;
        switch (esc) {
        case 'b':
            out.push_back('\b');
            break;
        case 'f':
            out.push_back('\f');
            break;
        case 'n':
            out.push_back('\n');
            break;
        case 'r':
            out.push_back('\r');
            break;
        case 't':
            out.push_back('\t');
            break;
        case 'u': {
            char32_t cp = char32_t(readHex4(in.data() + i));
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                const char32_t low = char32_t(readHex4(in.data() + i + 2));
                i += 6;
                cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
            }
            appendUtf8(out, cp);
            break;
        }
        default: // '"', '\\', '/'
            out.push_back(esc);
            break;
        }
    }
}

QString describeByte(char c)
{
    const auto byte = static_cast<unsigned char>(c);
    if (byte >= 0x21 && byte < 0x7F)
        return QStringLiteral("'%1'").arg(QChar(QLatin1Char(c)));
    return QStringLiteral("byte 0x%1").arg(uint(byte), 2, 16, QLatin1Char('0'));
}

bool isPlainKey(std::string_view key)
{
    if (key.empty())
        return false;
    return std::all_of(key.begin(), key.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || isDigit(c) || c == '_' || c == '-';
    });
}

// Sign of the decimal exponent of a number literal that overflowed or underflowed a double: > 0 means
// it is too large, <= 0 that it is too close to zero.
qint64 decimalMagnitude(std::string_view literal)
{
    std::size_t i = literal.empty() || literal[0] != '-' ? 0 : 1;
    qint64 magnitude = 0;
    bool seenNonZero = false;
    while (i < literal.size() && isDigit(literal[i])) {
        if (literal[i] != '0')
            seenNonZero = true;
        if (seenNonZero)
            ++magnitude;
        ++i;
    }
    if (i < literal.size() && literal[i] == '.') {
        ++i;
        while (i < literal.size() && isDigit(literal[i])) {
            if (!seenNonZero) {
                if (literal[i] != '0')
                    seenNonZero = true;
                else
                    --magnitude;
            }
            ++i;
        }
    }
    if (i < literal.size() && (literal[i] == 'e' || literal[i] == 'E')) {
        ++i;
        bool negative = false;
        if (i < literal.size() && (literal[i] == '+' || literal[i] == '-'))
            negative = literal[i++] == '-';
        qint64 exponent = 0;
        while (i < literal.size() && isDigit(literal[i])) {
            exponent = std::min<qint64>(exponent * 10 + (literal[i] - '0'), qint64(1) << 40);
            ++i;
        }
        magnitude += negative ? -exponent : exponent;
    }
    return magnitude;
}

} // namespace

bool JsonReader::parse(QByteArrayView text, int maxDepth)
{
    m_text = text;
    m_nodes.clear();
    m_errorPath.clear();
    m_error = DecodeError{};
    m_maxDepth = std::clamp(maxDepth, 1, DepthCeiling);
    m_spaces = 0;
    m_begin = text.data();
    m_p = m_begin;
    m_end = m_begin + text.size();
    if (text.size() >= qsizetype(std::numeric_limits<qint32>::max()))
        return fail(DecodeErrorKind::TooLarge, QStringLiteral("message larger than 2 GiB"), m_begin);
    m_nodes.reserve(std::size_t(std::clamp<qsizetype>(text.size() / 4 + 8, 16, 4096)));

    skipWhitespace();
    if (m_p == m_end)
        return fail(DecodeErrorKind::Syntax, QStringLiteral("empty message"));
    if (!parseValue(1)) {
        m_error.path = buildErrorPath();
        return false;
    }
    skipWhitespace();
    if (m_p != m_end)
        return fail(DecodeErrorKind::Syntax, QStringLiteral("unexpected data after the JSON value"));
    return true;
}

QByteArrayView JsonReader::raw(quint32 index) const
{
    const Node &n = m_nodes[index];
    return m_text.sliced(n.begin, n.end - n.begin);
}

std::string_view JsonReader::unescape(std::string_view content, std::string &scratch)
{
    unescapeValidated(content, scratch);
    return scratch;
}

QString JsonReader::toQString(quint32 index) const
{
    const Node &n = m_nodes[index];
    Q_ASSERT(n.kind == Kind::String);
    if (!(n.flags & Escaped))
        return QString::fromUtf8(m_begin + n.begin + 1, n.end - n.begin - 2);
    std::string scratch;
    const std::string_view decoded = stringView(index, scratch);
    return QString::fromUtf8(decoded.data(), qsizetype(decoded.size()));
}

QByteArray JsonReader::compact(quint32 index) const
{
    const Node &n = m_nodes[index];
    const QByteArrayView span = raw(index);
    if (!(n.flags & Spaced))
        return span.toByteArray();
    QByteArray out(span.size(), Qt::Uninitialized);
    char *write = out.data();
    bool inString = false;
    for (qsizetype i = 0; i < span.size(); ++i) {
        const char c = span[i];
        if (inString) {
            *write++ = c;
            if (c == '\\')
                *write++ = span[++i]; // the escaped byte, even if it is a quote
            else if (c == '"')
                inString = false;
        } else if (c != ' ' && c != '\n' && c != '\r' && c != '\t') {
            inString = c == '"';
            *write++ = c;
        }
    }
    out.truncate(write - out.constData());
    return out;
}

QJsonValue JsonReader::toJsonValue(quint32 index) const
{
    const Node &n = m_nodes[index];
    switch (n.kind) {
    case Kind::Null:
        return QJsonValue(QJsonValue::Null);
    case Kind::False:
        return QJsonValue(false);
    case Kind::True:
        return QJsonValue(true);
    case Kind::Number: {
        const char *first = m_begin + n.begin;
        const char *last = m_begin + n.end;
        if (!(n.flags & NonInteger)) {
            qint64 integer = 0;
            const auto [ptr, ec] = std::from_chars(first, last, integer);
            if (ec == std::errc() && ptr == last)
                return QJsonValue(integer);
        }
        double value = 0;
        const auto result = std::from_chars(first, last, value);
        if (result.ec != std::errc())
            value = 0; // only underflow reaches here: overflow was refused by the parser
        return QJsonValue(value);
    }
    case Kind::String:
        return QJsonValue(toQString(index));
    case Kind::Array: {
        QJsonArray array;
        quint32 child = index + 1;
        for (quint32 i = 0; i < n.count; ++i) {
            array.append(toJsonValue(child));
            child = m_nodes[child].next;
        }
        return array;
    }
    case Kind::Object: {
        QJsonObject object;
        quint32 key = index + 1;
        for (quint32 i = 0; i < n.count; ++i) {
            object.insert(toQString(key), toJsonValue(key + 1));
            key = m_nodes[key + 1].next;
        }
        return object;
    }
    }
    return QJsonValue();
}

QLatin1StringView JsonReader::kindName(Kind kind)
{
    switch (kind) {
    case Kind::Null:
        return QLatin1StringView("null");
    case Kind::False:
    case Kind::True:
        return QLatin1StringView("boolean");
    case Kind::Number:
        return QLatin1StringView("number");
    case Kind::String:
        return QLatin1StringView("string");
    case Kind::Array:
        return QLatin1StringView("array");
    case Kind::Object:
        return QLatin1StringView("object");
    }
    return QLatin1StringView("value");
}

void JsonReader::skipWhitespaceSlow()
{
    const char *start = m_p;
    while (m_p < m_end && (*m_p == ' ' || *m_p == '\n' || *m_p == '\r' || *m_p == '\t'))
        ++m_p;
    if (m_p != start)
        ++m_spaces;
}

bool JsonReader::fail(DecodeErrorKind kind, QString message, const char *at)
{
    m_error.kind = kind;
    m_error.message = std::move(message);
    m_error.offset = at - m_begin;
    return false;
}

QString JsonReader::buildErrorPath() const
{
    QString path;
    std::string scratch;
    for (auto it = m_errorPath.rbegin(); it != m_errorPath.rend(); ++it) {
        if (!it->isKey) {
            path += QStringLiteral("[%1]").arg(it->keyNode);
            continue;
        }
        const std::string_view key = stringView(it->keyNode, scratch);
        const QString name = QString::fromUtf8(key.data(), qsizetype(key.size()));
        if (isPlainKey(key)) {
            if (!path.isEmpty())
                path += QLatin1Char('.');
            path += name;
        } else {
            path += QStringLiteral("[\"%1\"]").arg(name);
        }
    }
    return path;
}

bool JsonReader::parseValue(int depth)
{
    switch (*m_p) {
    case '{':
        return parseObject(depth);
    case '[':
        return parseArray(depth);
    case '"':
        return parseString();
    case 't':
        return parseLiteral("true", Kind::True);
    case 'f':
        return parseLiteral("false", Kind::False);
    case 'n':
        return parseLiteral("null", Kind::Null);
    default:
        if (*m_p == '-' || isDigit(*m_p))
            return parseNumber();
        return fail(DecodeErrorKind::Syntax, QStringLiteral("unexpected %1").arg(describeByte(*m_p)));
    }
}

bool JsonReader::parseObject(int depth)
{
    if (depth > m_maxDepth)
        return fail(DecodeErrorKind::TooDeep, QStringLiteral("nested deeper than %1 levels").arg(m_maxDepth));
    const quint32 index = addNode(Kind::Object, m_p, m_p);
    const quint32 spacesBefore = m_spaces;
    ++m_p;
    skipWhitespace();
    quint32 count = 0;
    quint16 height = 0;
    if (m_p < m_end && *m_p == '}') {
        ++m_p;
    } else {
        for (;;) {
            if (m_p == m_end)
                return fail(DecodeErrorKind::Syntax, QStringLiteral("unterminated object"));
            if (*m_p != '"')
                return fail(DecodeErrorKind::Syntax,
                            QStringLiteral("expected a string key, got %1").arg(describeByte(*m_p)));
            const auto key = quint32(m_nodes.size());
            if (!parseString())
                return false;
            skipWhitespace();
            if (m_p == m_end || *m_p != ':') {
                m_errorPath.push_back({key, true});
                return fail(DecodeErrorKind::Syntax, QStringLiteral("expected ':' after the key"));
            }
            ++m_p;
            skipWhitespace();
            if (m_p == m_end) {
                m_errorPath.push_back({key, true});
                return fail(DecodeErrorKind::Syntax, QStringLiteral("missing value"));
            }
            const auto value = quint32(m_nodes.size());
            if (!parseValue(depth + 1)) {
                m_errorPath.push_back({key, true});
                return false;
            }
            height = std::max(height, m_nodes[value].height);
            ++count;
            skipWhitespace();
            if (m_p == m_end)
                return fail(DecodeErrorKind::Syntax, QStringLiteral("unterminated object"));
            if (*m_p == ',') {
                ++m_p;
                skipWhitespace();
                continue;
            }
            if (*m_p == '}') {
                ++m_p;
                break;
            }
            return fail(DecodeErrorKind::Syntax, QStringLiteral("expected ',' or '}', got %1").arg(describeByte(*m_p)));
        }
    }
    Node &node = m_nodes[index];
    node.end = quint32(m_p - m_begin);
    node.count = count;
    node.next = quint32(m_nodes.size());
    node.height = quint16(height + 1);
    if (m_spaces != spacesBefore)
        node.flags |= Spaced;
    return count < 2 || checkDuplicateKeys(index);
}

bool JsonReader::parseArray(int depth)
{
    if (depth > m_maxDepth)
        return fail(DecodeErrorKind::TooDeep, QStringLiteral("nested deeper than %1 levels").arg(m_maxDepth));
    const quint32 index = addNode(Kind::Array, m_p, m_p);
    const quint32 spacesBefore = m_spaces;
    ++m_p;
    skipWhitespace();
    quint32 count = 0;
    quint16 height = 0;
    if (m_p < m_end && *m_p == ']') {
        ++m_p;
    } else {
        for (;;) {
            if (m_p == m_end)
                return fail(DecodeErrorKind::Syntax, QStringLiteral("unterminated array"));
            const auto value = quint32(m_nodes.size());
            if (!parseValue(depth + 1)) {
                m_errorPath.push_back({count, false});
                return false;
            }
            height = std::max(height, m_nodes[value].height);
            ++count;
            skipWhitespace();
            if (m_p == m_end)
                return fail(DecodeErrorKind::Syntax, QStringLiteral("unterminated array"));
            if (*m_p == ',') {
                ++m_p;
                skipWhitespace();
                if (m_p < m_end && *m_p == ']')
                    return fail(DecodeErrorKind::Syntax, QStringLiteral("trailing comma"));
                continue;
            }
            if (*m_p == ']') {
                ++m_p;
                break;
            }
            return fail(DecodeErrorKind::Syntax, QStringLiteral("expected ',' or ']', got %1").arg(describeByte(*m_p)));
        }
    }
    Node &node = m_nodes[index];
    node.end = quint32(m_p - m_begin);
    node.count = count;
    node.next = quint32(m_nodes.size());
    node.height = quint16(height + 1);
    if (m_spaces != spacesBefore)
        node.flags |= Spaced;
    return true;
}

bool JsonReader::parseString()
{
    const char *start = m_p;
    ++m_p;
    quint8 flags = 0;
    for (;;) {
        while (m_p < m_end) {
            const auto c = static_cast<unsigned char>(*m_p);
            if (c < 0x20 || c == '"' || c == '\\' || c >= 0x80)
                break;
            ++m_p;
        }
        if (m_p == m_end)
            return fail(DecodeErrorKind::Syntax, QStringLiteral("unterminated string"), start);
        const auto c = static_cast<unsigned char>(*m_p);
        if (c == '"') {
            ++m_p;
            break;
        }
        if (c == '\\') {
            flags |= Escaped;
            if (!parseEscape())
                return false;
            continue;
        }
        if (c < 0x20)
            return fail(DecodeErrorKind::Syntax, QStringLiteral("control character in a string must be escaped"));

        // Multi-byte UTF-8 sequence: RFC 3629 table 3-7 (no overlongs, no surrogates, at most U+10FFFF).
        const qsizetype left = m_end - m_p;
        const auto byteAt = [this](int i) { return static_cast<unsigned char>(m_p[i]); };
        const auto cont = [&](int i, unsigned char lo = 0x80, unsigned char hi = 0xBF) {
            return i < left && byteAt(i) >= lo && byteAt(i) <= hi;
        };
        int length = 0;
        if (c >= 0xC2 && c <= 0xDF)
            length = cont(1) ? 2 : 0;
        else if (c == 0xE0)
            length = cont(1, 0xA0) && cont(2) ? 3 : 0;
        else if ((c >= 0xE1 && c <= 0xEC) || c == 0xEE || c == 0xEF)
            length = cont(1) && cont(2) ? 3 : 0;
        else if (c == 0xED)
            length = cont(1, 0x80, 0x9F) && cont(2) ? 3 : 0;
        else if (c == 0xF0)
            length = cont(1, 0x90) && cont(2) && cont(3) ? 4 : 0;
        else if (c >= 0xF1 && c <= 0xF3)
            length = cont(1) && cont(2) && cont(3) ? 4 : 0;
        else if (c == 0xF4)
            length = cont(1, 0x80, 0x8F) && cont(2) && cont(3) ? 4 : 0;
        if (length == 0)
            return fail(DecodeErrorKind::InvalidUtf8, QStringLiteral("invalid UTF-8 in a string"));
        m_p += length;
    }
    addNode(Kind::String, start, m_p, flags);
    return true;
}

bool JsonReader::parseEscape()
{
    const char *start = m_p;
    ++m_p; // the backslash
    if (m_p == m_end)
        return fail(DecodeErrorKind::Syntax, QStringLiteral("unterminated string"), start);
    switch (*m_p) {
    case '"':
    case '\\':
    case '/':
    case 'b':
    case 'f':
    case 'n':
    case 'r':
    case 't':
        ++m_p;
        return true;
    case 'u':
        break;
    default:
        return fail(DecodeErrorKind::Syntax, QStringLiteral("invalid escape \\%1").arg(describeByte(*m_p)), start);
    }
    ++m_p;
    if (m_end - m_p < 4 || readHex4(m_p) < 0)
        return fail(DecodeErrorKind::Syntax, QStringLiteral("\\u must be followed by 4 hex digits"), start);
    const int unit = readHex4(m_p);
    m_p += 4;
    if (unit >= 0xDC00 && unit <= 0xDFFF)
        return fail(DecodeErrorKind::InvalidUtf8, QStringLiteral("lone low surrogate escape"), start);
    if (unit < 0xD800 || unit > 0xDBFF)
        return true;
    if (m_end - m_p < 6 || m_p[0] != '\\' || m_p[1] != 'u')
        return fail(DecodeErrorKind::InvalidUtf8, QStringLiteral("high surrogate escape not followed by a low one"), start);
    const int low = readHex4(m_p + 2);
    if (low < 0xDC00 || low > 0xDFFF)
        return fail(DecodeErrorKind::InvalidUtf8, QStringLiteral("high surrogate escape not followed by a low one"), start);
    m_p += 6;
    return true;
}

bool JsonReader::parseNumber()
{
    const char *start = m_p;
    quint8 flags = 0;
    bool exponent = false;
    if (*m_p == '-') {
        flags |= Negative;
        ++m_p;
    }
    if (m_p == m_end || !isDigit(*m_p))
        return fail(DecodeErrorKind::Syntax, QStringLiteral("invalid number"), start);
    if (*m_p == '0') {
        ++m_p;
        if (m_p < m_end && isDigit(*m_p))
            return fail(DecodeErrorKind::Syntax, QStringLiteral("numbers must not have leading zeros"), start);
    } else {
        while (m_p < m_end && isDigit(*m_p))
            ++m_p;
    }
    if (m_p < m_end && *m_p == '.') {
        flags |= NonInteger;
        ++m_p;
        if (m_p == m_end || !isDigit(*m_p))
            return fail(DecodeErrorKind::Syntax, QStringLiteral("a fraction needs digits after '.'"), start);
        while (m_p < m_end && isDigit(*m_p))
            ++m_p;
    }
    if (m_p < m_end && (*m_p == 'e' || *m_p == 'E')) {
        flags |= NonInteger;
        exponent = true;
        ++m_p;
        if (m_p < m_end && (*m_p == '+' || *m_p == '-'))
            ++m_p;
        if (m_p == m_end || !isDigit(*m_p))
            return fail(DecodeErrorKind::Syntax, QStringLiteral("an exponent needs digits"), start);
        while (m_p < m_end && isDigit(*m_p))
            ++m_p;
    }
    // Without an exponent only a literal of more than 300 digits can be out of a double's range.
    if (exponent || m_p - start > 300) {
        double value = 0;
        const auto result = std::from_chars(start, m_p, value);
        if (result.ec == std::errc::result_out_of_range
            && decimalMagnitude(std::string_view(start, std::size_t(m_p - start))) > 0) {
            return fail(DecodeErrorKind::OutOfRange, QStringLiteral("number too large for a double"), start);
        }
    }
    addNode(Kind::Number, start, m_p, flags);
    return true;
}

bool JsonReader::parseLiteral(std::string_view literal, Kind kind)
{
    if (std::size_t(m_end - m_p) < literal.size() || std::string_view(m_p, literal.size()) != literal)
        return fail(DecodeErrorKind::Syntax, QStringLiteral("invalid literal, expected %1")
                                                 .arg(QLatin1StringView(literal.data(), qsizetype(literal.size()))));
    const char *start = m_p;
    m_p += literal.size();
    addNode(kind, start, m_p);
    return true;
}

bool JsonReader::checkDuplicateKeys(quint32 objectIndex)
{
    const quint32 count = m_nodes[objectIndex].count;
    const auto reportDuplicate = [this](quint32 keyNode) {
        std::string scratch;
        const std::string_view key = stringView(keyNode, scratch);
        m_errorPath.push_back({keyNode, true});
        return fail(DecodeErrorKind::DuplicateKey,
                    QStringLiteral("duplicate key \"%1\"").arg(QString::fromUtf8(key.data(), qsizetype(key.size()))),
                    m_begin + m_nodes[keyNode].begin);
    };

    constexpr quint32 SmallObject = 8;
    bool escaped = false;
    if (count <= SmallObject) {
        // Protocol objects are small with unescaped keys: compare the raw spans pairwise.
        std::array<std::string_view, SmallObject> keys;
        quint32 key = objectIndex + 1;
        for (quint32 i = 0; i < count && !escaped; ++i) {
            const Node &node = m_nodes[key];
            escaped = (node.flags & Escaped) != 0;
            keys[i] = std::string_view(m_begin + node.begin + 1, node.end - node.begin - 2);
            for (quint32 j = 0; j < i && !escaped; ++j) {
                if (keys[j] == keys[i])
                    return reportDuplicate(key);
            }
            key = m_nodes[key + 1].next;
        }
        if (!escaped)
            return true;
    }

    // Large objects, or keys with escapes: decode and sort, so an attacker cannot make this quadratic.
    std::vector<std::string> scratch(count);
    std::vector<std::pair<std::string_view, quint32>> keys;
    keys.reserve(count);
    quint32 key = objectIndex + 1;
    for (quint32 i = 0; i < count; ++i) {
        keys.emplace_back(stringView(key, scratch[i]), key);
        key = m_nodes[key + 1].next;
    }
    std::sort(keys.begin(), keys.end());
    for (std::size_t i = 1; i < keys.size(); ++i) {
        if (keys[i].first == keys[i - 1].first)
            return reportDuplicate(std::max(keys[i].second, keys[i - 1].second));
    }
    return true;
}

} // namespace arena::protocol
