// JsonReader: strict RFC 8259 parser that indexes a JSON text into a flat array of nodes without copying it.
#pragma once

#include "shared/protocol/decodeerror.h"

#include <QByteArray>
#include <QByteArrayView>
#include <QJsonValue>
#include <QString>

#include <string>
#include <string_view>
#include <vector>

namespace arena::protocol {

// Stricter than QJsonDocument on purpose: duplicate keys, invalid UTF-8, lone surrogate escapes,
// numbers no double can hold, control characters in strings, leading zeros and trailing data are all
// errors. Nodes are stored in document order; a container is followed by its children (for objects:
// key node, then value subtree) and `next` skips its whole subtree.
class JsonReader final
{
    Q_DISABLE_COPY_MOVE(JsonReader)

public:
    enum class Kind : quint8 { Null, False, True, Number, String, Array, Object };
    enum Flag : quint8 {
        Escaped = 0x01,    // String: contains backslash escapes
        NonInteger = 0x02, // Number: has a fraction or an exponent
        Negative = 0x04,   // Number: starts with '-'
        Spaced = 0x08,     // Array or Object: whitespace somewhere between its tokens
    };
    struct Node
    {
        Kind kind;
        quint8 flags;
        quint16 height; // 0 for scalars; 1 + the highest child for containers
        quint32 begin;  // offset of the token's first byte (the quote of a string, the bracket of a container)
        quint32 end;    // offset one past the token's last byte
        quint32 count;  // members of an object, elements of an array
        quint32 next;   // index of the node after this subtree
    };

    // The hard bound on maxDepth, so a caller cannot configure the parser into a stack overflow.
    static constexpr int DepthCeiling = 512;

    JsonReader() = default;

    // Parses one JSON value (any type) filling the whole text; containers may nest maxDepth levels.
    bool parse(QByteArrayView text, int maxDepth);
    // Valid after parse() returned false; path names where in the document the error is.
    const DecodeError &error() const { return m_error; }

    QByteArrayView text() const { return m_text; }
    quint32 nodeCount() const { return quint32(m_nodes.size()); }
    const Node &node(quint32 index) const { return m_nodes[index]; }
    // The token exactly as written (a string includes its quotes).
    QByteArrayView raw(quint32 index) const;

    // Decoded UTF-8 of a String node: a view into the text when it has no escapes, else into scratch.
    std::string_view stringView(quint32 index, std::string &scratch) const
    {
        const Node &n = m_nodes[index];
        Q_ASSERT(n.kind == Kind::String);
        const std::string_view content(m_begin + n.begin + 1, n.end - n.begin - 2);
        if (!(n.flags & Escaped)) [[likely]]
            return content;
        return unescape(content, scratch);
    }
    QString toQString(quint32 index) const;
    // Compact JSON text of a subtree: as written, minus whitespace between tokens.
    QByteArray compact(quint32 index) const;
    QJsonValue toJsonValue(quint32 index) const;

    static QLatin1StringView kindName(Kind kind);

private:
    struct PathSegment
    {
        quint32 keyNode; // a String node when isKey, else the array index
        bool isKey;
    };

    bool parseValue(int depth);
    bool parseObject(int depth);
    bool parseArray(int depth);
    bool parseString();
    bool parseEscape();
    bool parseNumber();
    bool parseLiteral(std::string_view literal, Kind kind);
    bool checkDuplicateKeys(quint32 objectIndex);
    static std::string_view unescape(std::string_view content, std::string &scratch);
    void skipWhitespace()
    {
        // Compact input (the common case) has no whitespace: one compare and out.
        if (m_p < m_end && static_cast<unsigned char>(*m_p) > ' ')
            return;
        skipWhitespaceSlow();
    }
    void skipWhitespaceSlow();
    quint32 addNode(Kind kind, const char *begin, const char *end, quint8 flags = 0)
    {
        const auto index = quint32(m_nodes.size());
        m_nodes.push_back(Node{kind, flags, 0, quint32(begin - m_begin), quint32(end - m_begin), 0, index + 1});
        return index;
    }
    bool fail(DecodeErrorKind kind, QString message, const char *at);
    bool fail(DecodeErrorKind kind, QString message) { return fail(kind, std::move(message), m_p); }
    QString buildErrorPath() const;

    QByteArrayView m_text;
    const char *m_begin = nullptr;
    const char *m_p = nullptr;
    const char *m_end = nullptr;
    int m_maxDepth = 0;
    quint32 m_spaces = 0; // bumped each time whitespace is skipped, to flag containers that need minifying
    std::vector<Node> m_nodes;
    std::vector<PathSegment> m_errorPath; // innermost first, collected while unwinding after an error
    DecodeError m_error;
};

} // namespace arena::protocol
