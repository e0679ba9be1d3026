#include "server/workers/workerhandle.h"

#include "server/workers/workerprotocol.h"
#include "shared/ipc/ipcchannel.h"

#include <QFile>
#include <QProcess>
#include <QProcessEnvironment>

#include <csignal>

#include <sys/prctl.h>
#include <unistd.h>

namespace arena {

namespace wp = workerproto;

WorkerHandle::WorkerHandle(QString id, QObject *parent) : QObject(parent), m_id(std::move(id))
{
    m_startedMs = QDateTime::currentMSecsSinceEpoch();
    m_idleSinceMs = m_startedMs;
    m_lastHeardMs = m_startedMs;
}

WorkerHandle::~WorkerHandle()
{
    if (m_process) {
        m_process->disconnect(this);
        if (m_process->state() != QProcess::NotRunning) {
            m_process->kill();
            m_process->waitForFinished(2000);
        }
    }
}

QString WorkerHandle::stateName(State state)
{
    switch (state) {
    case State::Starting:
        return QStringLiteral("starting");
    case State::Ready:
        return QStringLiteral("ready");
    case State::Draining:
        return QStringLiteral("draining");
    case State::Stopping:
        return QStringLiteral("stopping");
    case State::Dead:
        return QStringLiteral("dead");
    }
    return {};
}

void WorkerHandle::start(const QString &program, const QStringList &arguments, const QStringList &extraEnvironment)
{
    m_process = new QProcess(this);
    m_process->setProcessChannelMode(QProcess::ForwardedChannels);
    if (!extraEnvironment.isEmpty()) {
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        for (const QString &pair : extraEnvironment)
            env.insert(pair.section(QLatin1Char('='), 0, 0), pair.section(QLatin1Char('='), 1));
        m_process->setProcessEnvironment(env);
    }
    // The worker sets this itself too; setting it here as well covers the time before its main() runs.
    m_process->setChildProcessModifier([] { ::prctl(PR_SET_PDEATHSIG, SIGKILL); });
    connect(m_process, &QProcess::finished, this, [this](int exitCode, QProcess::ExitStatus status) {
        const bool asked = m_state == State::Stopping;
        m_state = State::Dead;
        emit exited(this, exitCode, !asked || status == QProcess::CrashExit);
    });
    connect(m_process, &QProcess::errorOccurred, this, [this](QProcess::ProcessError error) {
        if (error == QProcess::FailedToStart) {
            m_state = State::Dead;
            emit exited(this, -1, true);
        }
    });
    m_process->start(program, arguments);
    m_pid = m_process->processId();
}

void WorkerHandle::attachChannel(ipc::IpcChannel *channel)
{
    m_channel = channel;
    channel->setParent(this);
    for (const QCborMap &frame : std::as_const(m_queued))
        channel->send(frame);
    m_queued.clear();
    heard();
}

void WorkerHandle::send(const QCborMap &frame)
{
    if (m_state == State::Dead)
        return;
    if (m_channel)
        m_channel->send(frame);
    else
        m_queued.append(frame);
}

void WorkerHandle::kill()
{
    if (m_process && m_process->state() != QProcess::NotRunning)
        ::kill(pid_t(m_process->processId()), SIGKILL);
}

void WorkerHandle::updateIdle()
{
    if (!m_matches.isEmpty())
        m_idleSinceMs = 0;
    else if (m_idleSinceMs == 0)
        m_idleSinceMs = QDateTime::currentMSecsSinceEpoch();
}

void WorkerHandle::recordPong(const QCborMap &pong)
{
    heard();
    m_lagP99Us = pong.value(wp::LagP99Us).toInteger();
    m_lagMaxUs = pong.value(wp::LagMaxUs).toInteger();
    m_ticksLastInterval = pong.value(wp::Ticks).toInteger();
    m_reportedMatches = pong.value(wp::MatchCount).toInteger();
}

void WorkerHandle::sampleProcess()
{
    if (m_pid <= 0 || m_state == State::Dead)
        return;
    QFile stat(QStringLiteral("/proc/%1/stat").arg(m_pid));
    if (stat.open(QIODevice::ReadOnly)) {
        // Fields after the command name (which may hold spaces) start after the last ')'.
        const QByteArray line = stat.readAll();
        const QList<QByteArray> fields = line.mid(line.lastIndexOf(')') + 2).split(' ');
        if (fields.size() > 13) {
            const qint64 ticks = fields.at(11).toLongLong() + fields.at(12).toLongLong(); // utime + stime
            const double hz = double(::sysconf(_SC_CLK_TCK));
            if (m_cpuTicks >= 0 && m_cpuClock.isValid() && m_cpuClock.elapsed() > 0)
                m_cpuPercent = 100.0 * double(ticks - m_cpuTicks) / hz / (double(m_cpuClock.elapsed()) / 1000.0);
            m_cpuTicks = ticks;
            m_cpuClock.start();
        }
    }
    QFile status(QStringLiteral("/proc/%1/status").arg(m_pid));
    if (status.open(QIODevice::ReadOnly)) {
        for (const QByteArray &line : status.readAll().split('\n')) {
            if (line.startsWith("VmRSS:")) {
                m_rssKb = line.mid(6).trimmed().split(' ').value(0).toLongLong();
                break;
            }
        }
    }
}

QJsonObject WorkerHandle::toJson() const
{
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    QJsonObject o{{QStringLiteral("id"), m_id},
                  {QStringLiteral("pid"), m_pid},
                  {QStringLiteral("state"), stateName(m_state)},
                  {QStringLiteral("matches"), m_matches.size()},
                  {QStringLiteral("cpu_percent"), qRound(m_cpuPercent * 10) / 10.0},
                  {QStringLiteral("rss_kb"), m_rssKb},
                  {QStringLiteral("uptime_s"), (now - m_startedMs) / 1000},
                  {QStringLiteral("restarts"), restarts},
                  {QStringLiteral("tick_lag_p99_ms"), double(m_lagP99Us) / 1000.0},
                  {QStringLiteral("tick_lag_max_ms"), double(m_lagMaxUs) / 1000.0},
                  {QStringLiteral("ticks_last_interval"), m_ticksLastInterval},
                  {QStringLiteral("last_heard_ms_ago"), now - m_lastHeardMs}};
    if (!replaces.isEmpty())
        o.insert(QStringLiteral("replaces"), replaces);
    return o;
}

} // namespace arena
