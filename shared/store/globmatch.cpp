#include "shared/store/globmatch.h"

#include <utility>

namespace arena {

namespace {

// Redis compares bytes as (signed on x86) `char` in ranges; keep that so `[\x80-\xff]` agrees.
int byteValue(char c)
{
    return static_cast<signed char>(c);
}

// A bounds-checked port of Redis's stringmatchlen_impl (same decisions, never reads past either end).
// `skipLonger` cuts the search short once the rest of the pattern cannot match anywhere, and
// `nesting` bounds the recursion, both as Redis does against abusive patterns.
bool matchImpl(const char *p, qsizetype plen, const char *s, qsizetype slen, bool *skipLonger, int nesting)
{
    if (nesting > 1000)
        return false;

    while (plen > 0 && slen > 0) {
        switch (p[0]) {
        case '*':
            while (plen > 1 && p[1] == '*') {
                ++p;
                --plen;
            }
            if (plen == 1)
                return true;
            while (slen > 0) {
                if (matchImpl(p + 1, plen - 1, s, slen, skipLonger, nesting + 1))
                    return true;
                if (*skipLonger)
                    return false;
                ++s;
                --slen;
            }
            *skipLonger = true;
            return false;
        case '?':
            ++s;
            --slen;
            break;
        case '[': {
            ++p;
            --plen;
            const bool negate = plen > 0 && p[0] == '^';
            if (negate) {
                ++p;
                --plen;
            }
            bool match = false;
            while (true) {
                if (plen == 0) {
                    // Unterminated class: step back so the outer advance lands on the end.
                    --p;
                    ++plen;
                    break;
                }
                if (p[0] == '\\' && plen >= 2) {
                    ++p;
                    --plen;
                    if (p[0] == s[0])
                        match = true;
                } else if (p[0] == ']') {
                    break;
                } else if (plen >= 3 && p[1] == '-') {
                    int start = byteValue(p[0]);
                    int end = byteValue(p[2]);
                    const int c = byteValue(s[0]);
                    if (start > end)
                        std::swap(start, end);
                    p += 2;
                    plen -= 2;
                    if (c >= start && c <= end)
                        match = true;
                } else if (p[0] == s[0]) {
                    match = true;
                }
                ++p;
                --plen;
            }
            if (negate)
                match = !match;
            if (!match)
                return false;
            ++s;
            --slen;
            break;
        }
        case '\\':
            if (plen >= 2) {
                ++p;
                --plen;
            }
            [[fallthrough]];
        default:
            if (p[0] != s[0])
                return false;
            ++s;
            --slen;
            break;
        }
        ++p;
        --plen;
        if (slen == 0) {
            while (plen > 0 && p[0] == '*') {
                ++p;
                --plen;
            }
            break;
        }
    }
    return plen == 0 && slen == 0;
}

} // namespace

bool globMatch(QByteArrayView pattern, QByteArrayView string)
{
    bool skipLonger = false;
    return matchImpl(pattern.data(), pattern.size(), string.data(), string.size(), &skipLonger, 0);
}

} // namespace arena
