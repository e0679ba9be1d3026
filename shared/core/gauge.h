// Gauge: one metric series that goes up and down (lock-free).
#pragma once

#include <QtGlobal>

#include <atomic>

namespace arena {

class Gauge final
{
public:
    Gauge() = default;
    Q_DISABLE_COPY_MOVE(Gauge)

    void set(double value) { m_value.store(value, std::memory_order_relaxed); }
    void inc(double amount = 1.0) { m_value.fetch_add(amount, std::memory_order_relaxed); }
    void dec(double amount = 1.0) { m_value.fetch_sub(amount, std::memory_order_relaxed); }
    double value() const { return m_value.load(std::memory_order_relaxed); }

private:
    std::atomic<double> m_value{0.0};
};

} // namespace arena
