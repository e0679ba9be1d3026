// ChartGrid: the charts of the selected instance (or the whole fleet) over a time window, redrawn from
// the FleetHistory at most four times a second, frozen while paused.
#pragma once

#include "console/app/chartspec.h"

#include <QByteArray>
#include <QElapsedTimer>
#include <QList>
#include <QTimer>
#include <QWidget>

#include <functional>

class QLabel;

namespace arena::console {

class ChartPanel;
class FleetHistory;

class ChartGrid final : public QWidget
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChartGrid)

public:
    using Clock = std::function<qint64()>; // ms since the epoch

    static constexpr int RefreshIntervalMs = 250;
    static constexpr qint64 FiveMinutes = 5 * 60 * 1000;
    static constexpr qint64 OneHour = 60 * 60 * 1000;
    static constexpr qint64 OneDay = 24 * 60 * 60 * 1000;

    explicit ChartGrid(FleetHistory &history, QWidget *parent = nullptr);

    // "" shows the whole fleet.
    void setInstance(const QString &instance);
    QString instance() const { return m_instance; }
    void setWindow(qint64 ms);
    qint64 window() const { return m_window; }
    // While paused the view keeps its time window and points; new figures are still recorded.
    void setPaused(bool paused);
    bool isPaused() const { return m_paused; }
    void setDark(bool dark);
    void setClock(Clock clock);

    QList<ChartPanel *> panels() const { return m_panels; }
    ChartPanel *panel(const QString &key) const;
    // The chart File → Export acts on: the last one clicked, else the first.
    ChartPanel *currentPanel() const { return m_current; }
    void setCurrentPanel(ChartPanel *panel);

    // Every series the charts show now, as CSV (seriesToCsv).
    QByteArray visibleSeriesCsv() const;
    // Redraws now (the timer does it when something changed).
    void refresh();
    int refreshCount() const { return m_refreshCount; }

private:
    void scheduleRefresh();
    void onTimer();
    int maxPointsFor(const ChartPanel *panel) const;
    void updateHeader();

    FleetHistory &m_history;
    QList<ChartPanel *> m_panels;
    ChartPanel *m_current = nullptr;
    QLabel *m_header = nullptr;
    QString m_instance;
    qint64 m_window = FiveMinutes;
    bool m_paused = false;
    qint64 m_frozenTo = 0;
    bool m_dirty = true;
    QTimer m_timer;
    QElapsedTimer m_sinceRefresh;
    int m_refreshCount = 0;
    Clock m_clock;
};

} // namespace arena::console
