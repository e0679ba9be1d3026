// ChartPanel: one chart of the grid — a QChartView with a line series per SeriesId of its spec, a time
// axis and one or two value axes. Points are replaced as a whole (no per-point appends, so no flicker);
// axes follow the data unless the operator zoomed in with the rubber band (right-click or Escape resets).
#pragma once

#include "console/app/chartspec.h"
#include "console/core/metrichistory.h"

#include <QChartView>
#include <QList>

class QDateTimeAxis;
class QLineSeries;
class QValueAxis;

namespace arena::console {

class ChartPanel final : public QChartView
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(ChartPanel)

public:
    explicit ChartPanel(const ChartSpec &spec, QWidget *parent = nullptr);

    const ChartSpec &spec() const { return m_spec; }
    // Whose figures are shown: an instance id, or "" for the whole fleet. Goes into the title.
    void setSubject(const QString &subject);
    // One list per spec().all() entry, and the window [fromMs, toMs] the time axis shows.
    void setData(const QList<QList<SeriesPoint>> &data, qint64 fromMs, qint64 toMs);
    // What setData() was last given (for CSV export).
    const QList<QList<SeriesPoint>> &data() const { return m_data; }
    qint64 fromMs() const { return m_from; }
    qint64 toMs() const { return m_to; }
    QList<QLineSeries *> lineSeries() const { return m_series; }
    QValueAxis *leftAxis() const { return m_left; }
    QDateTimeAxis *timeAxis() const { return m_time; }

    void setDark(bool dark);
    // Highlights the panel that File → Export acts on.
    void setCurrent(bool current);
    bool isCurrent() const { return m_current; }
    bool isZoomed() const;
    void resetZoom();
    // The chart as an image, without the highlight.
    QPixmap render();

Q_SIGNALS:
    void activated();

protected:
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void focusInEvent(QFocusEvent *event) override;

private:
    void applyRanges();
    void applyStyle();
    void showValue(int index, const QPointF &point, bool state);

    ChartSpec m_spec;
    QString m_subject;
    QList<QLineSeries *> m_series;
    QList<QList<SeriesPoint>> m_data;
    QDateTimeAxis *m_time = nullptr;
    QValueAxis *m_left = nullptr;
    QValueAxis *m_right = nullptr;
    qint64 m_from = 0;
    qint64 m_to = 0;
    bool m_dark = false;
    bool m_current = false;
};

} // namespace arena::console
