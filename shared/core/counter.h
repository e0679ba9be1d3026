// Counter: one monotonically increasing metric series (lock-free).
#pragma once

#include <QtGlobal>

#include <atomic>
#include <cmath>

namespace arena {

class Counter final
{
public:
    Counter() = default;
    Q_DISABLE_COPY_MOVE(Counter)

    // A negative or NaN amount is a programming error: it is logged as critical and ignored.
    void inc(double amount = 1.0)
    {
        if (!(amount >= 0.0)) [[unlikely]] {
            reportInvalidIncrement(amount);
            return;
        }
        m_value.fetch_add(amount, std::memory_order_relaxed);
    }
    double value() const { return m_value.load(std::memory_order_relaxed); }

private:
    static void reportInvalidIncrement(double amount);

    std::atomic<double> m_value{0.0};
};

} // namespace arena
