// RedisScript: a Lua script called by SHA1 (EVALSHA), with its source kept for the NOSCRIPT fallback.
#pragma once

#include <QByteArray>

namespace arena {

class RedisScript
{
public:
    RedisScript() = default;
    explicit RedisScript(QByteArray source);

    const QByteArray &source() const { return m_source; }
    const QByteArray &sha1() const { return m_sha1; } // lowercase hex, as SCRIPT LOAD returns it

private:
    QByteArray m_source;
    QByteArray m_sha1;
};

} // namespace arena
