#include "console/app/chartgrid.h"

#include "console/app/chartpanel.h"
#include "console/core/csvexport.h"
#include "console/core/fleethistory.h"

#include <QDateTime>
#include <QGridLayout>
#include <QLabel>
#include <QVBoxLayout>

#include <algorithm>

namespace arena::console {

ChartGrid::ChartGrid(FleetHistory &history, QWidget *parent)
    : QWidget(parent), m_history(history), m_clock([] { return QDateTime::currentMSecsSinceEpoch(); })
{
    setObjectName(QStringLiteral("chartGrid"));
    m_header = new QLabel(this);
    m_header->setObjectName(QStringLiteral("chartHeader"));
    QFont bold = m_header->font();
    bold.setBold(true);
    m_header->setFont(bold);

    auto *grid = new QGridLayout;
    grid->setSpacing(6);
    const QList<ChartSpec> specs = defaultChartSpecs();
    constexpr int columns = 3;
    for (int i = 0; i < specs.size(); ++i) {
        auto *panel = new ChartPanel(specs.at(i), this);
        connect(panel, &ChartPanel::activated, this, [this, panel] { setCurrentPanel(panel); });
        grid->addWidget(panel, i / columns, i % columns);
        m_panels.append(panel);
    }
    for (int c = 0; c < columns; ++c)
        grid->setColumnStretch(c, 1);

    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    layout->addWidget(m_header);
    layout->addLayout(grid, 1);

    if (!m_panels.isEmpty())
        setCurrentPanel(m_panels.first());

    connect(&m_history, &FleetHistory::ingested, this, [this](const QString &instance) {
        if (m_instance.isEmpty() || instance == m_instance)
            scheduleRefresh();
    });
    m_timer.setInterval(RefreshIntervalMs);
    connect(&m_timer, &QTimer::timeout, this, &ChartGrid::onTimer);
    m_timer.start();
    updateHeader();
}

void ChartGrid::setInstance(const QString &instance)
{
    if (instance == m_instance)
        return;
    m_instance = instance;
    for (ChartPanel *panel : std::as_const(m_panels)) {
        panel->setSubject(instance);
        if (panel->isZoomed())
            panel->resetZoom();
    }
    updateHeader();
    refresh();
}

void ChartGrid::setWindow(qint64 ms)
{
    if (ms == m_window)
        return;
    m_window = ms;
    for (ChartPanel *panel : std::as_const(m_panels)) {
        if (panel->isZoomed())
            panel->resetZoom();
    }
    updateHeader();
    refresh();
}

void ChartGrid::setPaused(bool paused)
{
    if (paused == m_paused)
        return;
    m_paused = paused;
    if (paused)
        m_frozenTo = m_clock();
    updateHeader();
    if (!paused)
        refresh();
}

void ChartGrid::setDark(bool dark)
{
    for (ChartPanel *panel : std::as_const(m_panels))
        panel->setDark(dark);
}

void ChartGrid::setClock(Clock clock)
{
    m_clock = std::move(clock);
}

ChartPanel *ChartGrid::panel(const QString &key) const
{
    for (ChartPanel *p : m_panels) {
        if (p->spec().key == key)
            return p;
    }
    return nullptr;
}

void ChartGrid::setCurrentPanel(ChartPanel *panel)
{
    if (m_current == panel)
        return;
    if (m_current)
        m_current->setCurrent(false);
    m_current = panel;
    if (m_current)
        m_current->setCurrent(true);
}

QByteArray ChartGrid::visibleSeriesCsv() const
{
    QStringList names;
    QList<QList<SeriesPoint>> series;
    const QString subject = m_instance.isEmpty() ? QStringLiteral("fleet") : m_instance;
    for (const ChartPanel *panel : m_panels) {
        const QList<SeriesId> ids = panel->spec().all();
        for (int i = 0; i < ids.size(); ++i) {
            const SeriesInfo &info = seriesInfo(ids.at(i));
            names.append(subject + QLatin1Char(' ') + info.key);
            series.append(panel->data().value(i));
        }
    }
    return seriesToCsv(names, series);
}

void ChartGrid::scheduleRefresh()
{
    m_dirty = true;
}

void ChartGrid::onTimer()
{
    if (m_paused)
        return;
    // New figures, or the window sliding on with the clock (once a second is enough for that).
    if (m_dirty || !m_sinceRefresh.isValid() || m_sinceRefresh.elapsed() >= 1000)
        refresh();
}

int ChartGrid::maxPointsFor(const ChartPanel *panel) const
{
    return std::clamp(panel->width() / 2, 60, 600);
}

void ChartGrid::refresh()
{
    const qint64 to = m_paused ? m_frozenTo : m_clock();
    const qint64 from = to - m_window;
    for (ChartPanel *panel : std::as_const(m_panels)) {
        QList<QList<SeriesPoint>> data;
        const int maxPoints = maxPointsFor(panel);
        for (SeriesId id : panel->spec().all()) {
            data.append(m_instance.isEmpty() ? m_history.fleetPoints(id, from, to, maxPoints)
                                             : m_history.points(m_instance, id, from, to, maxPoints));
        }
        panel->setData(data, from, to);
    }
    m_dirty = false;
    m_sinceRefresh.start();
    ++m_refreshCount;
}

void ChartGrid::updateHeader()
{
    const QString subject = m_instance.isEmpty() ? tr("Whole fleet") : m_instance;
    QString window;
    if (m_window == FiveMinutes)
        window = tr("last 5 minutes");
    else if (m_window == OneHour)
        window = tr("last hour");
    else if (m_window == OneDay)
        window = tr("last 24 hours");
    else
        window = tr("last %1 s").arg(m_window / 1000);
    QString text = QStringLiteral("%1 — %2").arg(subject, window);
    if (m_paused)
        text += tr("  (paused at %1)").arg(QDateTime::fromMSecsSinceEpoch(m_frozenTo).toString(QStringLiteral("HH:mm:ss")));
    m_header->setText(text);
}

} // namespace arena::console
