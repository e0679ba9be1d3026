// awaitCallback: runs an asynchronous call in a local event loop until its callback fires (or a
// timeout passes), for tests of callback-style APIs.
#pragma once

#include <QEventLoop>
#include <QTimer>

#include <functional>
#include <optional>

namespace arena::test {

// `start` receives the callback to hand to the API under test. Returns nullopt on timeout.
template<typename R>
std::optional<R> awaitCallback(const std::function<void(std::function<void(R)>)> &start, int timeoutMs = 10000)
{
    std::optional<R> result;
    QEventLoop loop;
    QTimer timer;
    timer.setSingleShot(true);
    QObject::connect(&timer, &QTimer::timeout, &loop, &QEventLoop::quit);
    bool done = false;
    start([&](R value) {
        result.emplace(std::move(value));
        done = true;
        loop.quit();
    });
    if (!done) {
        timer.start(timeoutMs);
        loop.exec();
    }
    return result;
}

} // namespace arena::test
