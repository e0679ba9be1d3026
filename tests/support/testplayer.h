// TestPlayer: a PlayerClient for tests, keeping every message it receives so a test can wait for the
// next message of a given type, with a timeout.
#pragma once

#include "shared/client/playerclient.h"

#include <QDeadlineTimer>
#include <QTest>

#include <algorithm>
#include <deque>
#include <optional>

namespace arena::test {

class TestPlayer final : public QObject
{
    Q_OBJECT

public:
    explicit TestPlayer(QObject *parent = nullptr) : QObject(parent), client(new PlayerClient(this))
    {
        connect(client, &PlayerClient::received, this,
                [this](const protocol::ServerMessage &m) { m_inbox.push_back(m); });
        // A message the client cannot decode is a server bug: make it loud.
        connect(client, &PlayerClient::undecodable, this, [this](const QString &reason, const QByteArray &text) {
            ++undecodable;
            qWarning("undecodable server message (%s): %s", qPrintable(reason), text.left(300).constData());
        });
    }

    // Connects, says hello and waits for welcome. False if refused or not welcomed in time.
    bool connectAs(quint16 port, const QString &playerId = {}, const QString &token = {}, int timeoutMs = 5000)
    {
        client->open(QUrl(QStringLiteral("ws://127.0.0.1:%1").arg(port)), playerId, token);
        return waitWelcome(timeoutMs);
    }
    bool resume(int timeoutMs = 5000, const QUrl &url = {})
    {
        m_inbox.clear();
        client->resume(url);
        return waitWelcome(timeoutMs);
    }
    bool waitWelcome(int timeoutMs = 5000)
    {
        return bool(next<protocol::Welcome>(timeoutMs));
    }

    // Removes and returns the first message of type T (skipping and keeping others), waiting for it.
    template<typename T>
    std::optional<T> next(int timeoutMs = 5000)
    {
        QDeadlineTimer deadline(timeoutMs);
        for (;;) {
            const auto it = std::find_if(m_inbox.begin(), m_inbox.end(),
                                         [](const protocol::ServerMessage &m) { return std::holds_alternative<T>(m); });
            if (it != m_inbox.end()) {
                std::optional<T> found(std::get<T>(std::move(*it)));
                m_inbox.erase(it);
                return found;
            }
            if (deadline.hasExpired() || (client->state() == PlayerClient::State::Disconnected && m_inbox.empty()))
                return std::nullopt;
            QTest::qWait(5);
        }
    }
    // The error that answers request `rid`.
    std::optional<protocol::ErrorMessage> errorFor(quint64 rid, int timeoutMs = 5000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (!deadline.hasExpired()) {
            const auto it = std::find_if(m_inbox.begin(), m_inbox.end(), [rid](const protocol::ServerMessage &m) {
                const auto *e = std::get_if<protocol::ErrorMessage>(&m);
                return e && e->rid == rid;
            });
            if (it != m_inbox.end()) {
                std::optional<protocol::ErrorMessage> found(std::get<protocol::ErrorMessage>(std::move(*it)));
                m_inbox.erase(it);
                return found;
            }
            QTest::qWait(5);
        }
        return std::nullopt;
    }
    bool waitDisconnected(int timeoutMs = 5000)
    {
        QDeadlineTimer deadline(timeoutMs);
        while (client->state() != PlayerClient::State::Disconnected && !deadline.hasExpired())
            QTest::qWait(5);
        return client->state() == PlayerClient::State::Disconnected;
    }
    std::size_t pending() const { return m_inbox.size(); }
    void clear() { m_inbox.clear(); }

    PlayerClient *client;
    int undecodable = 0;

private:
    std::deque<protocol::ServerMessage> m_inbox;
};

} // namespace arena::test
