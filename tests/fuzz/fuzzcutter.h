// Cutter: splits a fuzz input into chunks the same way every time for the same input (and salt), so a
// crash that depends on how the bytes arrived reproduces. Shared by the stream fuzzers.
#pragma once

#include <QByteArrayView>
#include <QtGlobal>

namespace arena::fuzz {

class Cutter
{
public:
    Cutter(QByteArrayView input, quint64 salt)
    {
        m_state = 1469598103934665603ull ^ salt; // FNV-1a of the input seeds a xorshift generator
        for (char c : input)
            m_state = (m_state ^ quint8(c)) * 1099511628211ull;
        if (m_state == 0)
            m_state = 1;
    }
    // A chunk length from 1 to `bound`.
    qsizetype next(qsizetype bound)
    {
        m_state ^= m_state << 13;
        m_state ^= m_state >> 7;
        m_state ^= m_state << 17;
        return 1 + qsizetype(m_state % quint64(bound));
    }

private:
    quint64 m_state;
};

} // namespace arena::fuzz
