// Test helpers for StateStore: await one asynchronous result, and compare results QTest-style.
#pragma once

#include "shared/redis/reply.h"
#include "shared/store/statestore.h"

#include <QEventLoop>
#include <QObject>
#include <QTest>
#include <QTimer>

#include <functional>
#include <optional>
#include <tuple>
#include <type_traits>
#include <utility>

namespace arena {

// Failure output for QCOMPARE on store values (found by argument-dependent lookup).
inline char *toString(const Reply &reply)
{
    return qstrdup(reply.toDebugString().toUtf8().constData());
}

inline char *toString(const StateStore::ScoredMember &m)
{
    return qstrdup((m.member + " @ " + QByteArray::number(m.score, 'g', 17)).constData());
}

} // namespace arena

namespace QTest {

template<>
inline char *toString(const std::optional<QByteArray> &value)
{
    return value ? QTest::toString(*value) : qstrdup("(nullopt)");
}

template<>
inline char *toString(const std::optional<double> &value)
{
    return value ? QTest::toString(*value) : qstrdup("(nullopt)");
}

} // namespace QTest

namespace arena::test {

constexpr int kAwaitTimeoutMs = 5000;

// Runs `start(context, callback)` and waits for the callback. The returned Result is an error with
// a code starting "test_" if the callback ran inside the call (stores must deliver later) or did
// not come within the timeout; the context dies on return, so a late callback is dropped.
template<typename T>
Result<T> await(const std::function<void(QObject *, StoreCallback<T>)> &start, int timeoutMs = kAwaitTimeoutMs)
{
    QObject context;
    QEventLoop loop;
    std::optional<Result<T>> result;
    bool insideCall = true;
    bool deliveredInside = false;
    start(&context, [&](Result<T> r) {
        deliveredInside = deliveredInside || insideCall;
        result.emplace(std::move(r));
        loop.quit();
    });
    insideCall = false;
    if (deliveredInside)
        return Error{QStringLiteral("test_synchronous_callback"),
                     QStringLiteral("the callback ran inside the call instead of from the event loop")};
    if (!result) {
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    if (!result)
        return Error{QStringLiteral("test_timeout"), QStringLiteral("no callback within %1 ms").arg(timeoutMs)};
    return std::move(*result);
}

namespace detail {

template<typename Method>
struct StoreMethod;

template<typename... Params>
struct StoreMethod<void (StateStore::*)(Params...)>
{
    using Callback = std::tuple_element_t<sizeof...(Params) - 1, std::tuple<Params...>>;
};

template<typename Callback>
struct CallbackResult;

template<typename T>
struct CallbackResult<std::function<void(Result<T>)>>
{
    using Type = T;
};

} // namespace detail

// call(store, &StateStore::hget, "key", "field"): the method with a context and callback appended,
// awaited. Result type follows from the method's callback.
template<typename Method, typename... Args>
auto call(StateStore &store, Method method, const Args &...args)
{
    using T = typename detail::CallbackResult<typename detail::StoreMethod<Method>::Callback>::Type;
    return await<T>([&](QObject *context, StoreCallback<T> cb) { (store.*method)(args..., context, std::move(cb)); });
}

// "code: message" of a failed Result, empty for a success (QVERIFY2 evaluates its message eagerly).
template<typename T>
QString describeError(const Result<T> &result)
{
    return result.ok() ? QString() : result.error().code + QStringLiteral(": ") + result.error().message;
}

template<typename T>
std::optional<Error> errorOf(const Result<T> &result)
{
    if (result.ok())
        return std::nullopt;
    return result.error();
}

} // namespace arena::test

// Verifies that the Result `expr` succeeded and that its value equals `expected`
// (converted to the value's type, so literals like 5 or "x" work).
#define STORE_COMPARE(expr, expected)                                                                        \
    do {                                                                                                     \
        const auto storeResult_ = (expr);                                                                    \
        QVERIFY2(storeResult_.ok(), qPrintable(arena::test::describeError(storeResult_)));                   \
        using StoreValue_ = std::decay_t<decltype(storeResult_.value())>;                                    \
        QCOMPARE(storeResult_.value(), static_cast<StoreValue_>(expected));                                  \
    } while (false)

// Verifies that the Result `expr` succeeded with an empty std::optional (an absent key, field, member).
#define STORE_ABSENT(expr)                                                                                   \
    do {                                                                                                     \
        const auto storeResult_ = (expr);                                                                    \
        QVERIFY2(storeResult_.ok(), qPrintable(arena::test::describeError(storeResult_)));                   \
        QVERIFY2(!storeResult_.value().has_value(), "expected no value");                                    \
    } while (false)

// Verifies that the Result `expr` failed with error code `errorCode` (a string literal).
#define STORE_ERROR(expr, errorCode)                                                                         \
    do {                                                                                                     \
        const auto storeResult_ = (expr);                                                                    \
        QVERIFY2(!storeResult_.ok(), "expected the call to fail with " errorCode);                           \
        QCOMPARE(storeResult_.error().code, QStringLiteral(errorCode));                                      \
    } while (false)
