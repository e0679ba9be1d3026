// TestAdmin: a console's side of the admin protocol for tests — a QWebSocket to an arena-agent that
// keeps every message it receives, so a test can wait for the next message of a type (and matching a
// condition), with a timeout.
#pragma once

#include "shared/protocol/codec.h"

#include <QDeadlineTimer>
#include <QTest>
#include <QWebSocket>

#include <deque>
#include <functional>
#include <optional>

namespace arena::test {

class TestAdmin final : public QObject
{
    Q_OBJECT

public:
    explicit TestAdmin(QObject *parent = nullptr) : QObject(parent)
    {
        connect(&socket, &QWebSocket::textMessageReceived, this, [this](const QString &text) {
            auto decoded = protocol::decodeAdminServerMessage(text.toUtf8());
            if (!decoded) {
                ++undecodable;
                qWarning("undecodable agent message (%s): %s", qPrintable(decoded.error().toString()),
                         text.left(300).toUtf8().constData());
                return;
            }
            m_inbox.push_back(std::move(decoded.value()));
        });
        connect(&socket, &QWebSocket::disconnected, this, [this] { closeCode = socket.closeCode(); });
    }

    // Connects and authenticates; the auth_ok, or nothing if refused or not in time.
    std::optional<protocol::AuthOk> connectTo(quint16 port, const QString &token, int timeoutMs = 10000)
    {
        socket.open(QUrl(QStringLiteral("ws://127.0.0.1:%1/").arg(port)));
        QDeadlineTimer deadline(timeoutMs);
        while (socket.state() != QAbstractSocket::ConnectedState && !deadline.hasExpired())
            QTest::qWait(5);
        if (socket.state() != QAbstractSocket::ConnectedState)
            return std::nullopt;
        send(protocol::Auth{.token = token, .rid = 1});
        return next<protocol::AuthOk>(int(deadline.remainingTime()));
    }

    template<typename M>
    void send(const M &message)
    {
        socket.sendTextMessage(QString::fromUtf8(protocol::encode(message)));
    }

    // Removes and returns the first message of type T that satisfies `match`, waiting for it.
    template<typename T>
    std::optional<T> next(int timeoutMs = 10000, std::function<bool(const T &)> match = {})
    {
        QDeadlineTimer deadline(timeoutMs);
        for (;;) {
            for (auto it = m_inbox.begin(); it != m_inbox.end(); ++it) {
                const T *m = std::get_if<T>(&*it);
                if (m && (!match || match(*m))) {
                    std::optional<T> found(*m);
                    m_inbox.erase(it);
                    return found;
                }
            }
            if (deadline.hasExpired())
                return std::nullopt;
            QTest::qWait(5);
        }
    }

    // Sends an action and waits for its action_result (or the error answering it).
    std::variant<std::monostate, protocol::ActionResult, protocol::ErrorMessage>
    act(protocol::Action action, int timeoutMs = 20000)
    {
        action.rid = ++m_rid;
        if (action.id.isEmpty())
            action.id = QStringLiteral("t-%1").arg(*action.rid);
        send(action);
        return answer<protocol::ActionResult>(*action.rid, timeoutMs);
    }
    std::variant<std::monostate, protocol::QueryResult, protocol::ErrorMessage>
    query(protocol::Query query, int timeoutMs = 20000)
    {
        query.rid = ++m_rid;
        send(query);
        return answer<protocol::QueryResult>(*query.rid, timeoutMs);
    }

    void clear() { m_inbox.clear(); }

    QWebSocket socket;
    int undecodable = 0;
    int closeCode = -1;

private:
    template<typename T>
    std::variant<std::monostate, T, protocol::ErrorMessage> answer(quint64 rid, int timeoutMs)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired()) {
            for (auto it = m_inbox.begin(); it != m_inbox.end(); ++it) {
                if (protocol::requestId(*it) != rid)
                    continue;
                if (const T *m = std::get_if<T>(&*it)) {
                    T found = *m;
                    m_inbox.erase(it);
                    return found;
                }
                if (const auto *e = std::get_if<protocol::ErrorMessage>(&*it)) {
                    protocol::ErrorMessage found = *e;
                    m_inbox.erase(it);
                    return found;
                }
            }
            QTest::qWait(5);
        }
        return std::monostate{};
    }

    std::deque<protocol::AdminServerMessage> m_inbox;
    quint64 m_rid = 100;
};

} // namespace arena::test
