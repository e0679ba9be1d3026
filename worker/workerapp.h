// WorkerApp: the arena-worker process — connects to its server over the local socket, hosts the matches
// the server opens on it, answers the watchdog, and exits when the server goes away.
#pragma once

#include "server/rooms/roomtyperegistry.h"
#include "shared/result.h"

#include <QCborMap>
#include <QObject>

#include <map>
#include <memory>
#include <vector>

namespace arena {

namespace ipc {
class IpcChannel;
}
class WorkerMatch;

struct WorkerOptions
{
    QString socketName;      // the server's QLocalServer
    QString workerId;        // given by the server, sent back in hello
    bool testRoomTypes = false; // also host the test-only room types (ARENA_TEST_ROOM_TYPES=1)
};

class WorkerApp final : public QObject
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(WorkerApp)

public:
    explicit WorkerApp(QObject *parent = nullptr);
    ~WorkerApp() override;

    // Registers the room types and connects to the server (waits up to `connectTimeoutMs`).
    Result<void> init(const WorkerOptions &options, int connectTimeoutMs = 10000);

signals:
    // The server is gone or asked the worker to stop: the process should exit with `code`.
    void finished(int code);

private:
    void onMessage(const QCborMap &message);
    void send(const QCborMap &message);
    void open(const QCborMap &message);
    void replyTo(const QCborMap &message, const Result<void> &result);
    WorkerMatch *match(const QCborMap &message) const;
    void pong(const QCborMap &message);

    RoomTypeRegistry m_types;
    WorkerOptions m_options;
    ipc::IpcChannel *m_channel = nullptr;
    std::map<QString, std::unique_ptr<WorkerMatch>> m_matches;
    std::vector<qint64> m_tickLagsUs; // since the last pong
    quint64 m_ticks = 0;
};

} // namespace arena
