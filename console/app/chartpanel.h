// ChartPanel: one chart of the grid — a QChartView with a line series per SeriesId of its spec, a time
// axis and one or two value axes. Points are replaced as a whole (no per-point appends, so no flicker);
// axes follow the data unless the operator zoomed in with the rubber band (right-click or Escape resets).
// A figure missing for a while (instance down, no worker pool) breaks its line: each run of points is a
// segment series sharing the first one's name and colour, only the first being in the legend.
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
    // Consecutive points further apart than this many times the series' usual spacing are not joined.
    static constexpr double GapFactor = 2.5;
    // Beyond this many runs the rest are joined into the last one (each run costs a graphics item).
    static constexpr int MaxSegments = 64;

    // The runs of points to draw as separate lines: split where two neighbours are more than GapFactor
    // times the median spacing apart (the bucket or sample width). Never empty: one empty run for no points.
    static QList<QList<QPointF>> segmentsOf(const QList<SeriesPoint> &points, int maxSegments = MaxSegments);

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
    // The first (legend) series of each spec().all() entry; segments(i) are all the series drawing entry i.
    QList<QLineSeries *> lineSeries() const { return m_series; }
    QList<QLineSeries *> segments(int index) const { return m_segments.value(index); }
    // Every point shown for entry i, over all its segments, in time order.
    QList<QPointF> shownPoints(int index) const;
    QValueAxis *leftAxis() const { return m_left; }
    QDateTimeAxis *timeAxis() const { return m_time; }

    void setDark(bool dark);
    // Highlights the panel that File → Export acts on.
    void setCurrent(bool current);
    bool isCurrent() const { return m_current; }
    bool isZoomed() const;
    void resetZoom();
    // The hover tooltip for entry i near a chart point (x in ms): the nearest real point's value, time and,
    // for a bucket, its minimum and maximum. Empty when the entry has no points.
    QString valueText(int index, const QPointF &point) const;
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
    QLineSeries *addSegment(int index);
    void styleSegments();

    ChartSpec m_spec;
    QString m_subject;
    QList<QLineSeries *> m_series;
    QList<QList<QLineSeries *>> m_segments; // [0] is m_series[i]; the rest are created as gaps need them
    QList<QList<SeriesPoint>> m_data;
    QDateTimeAxis *m_time = nullptr;
    QValueAxis *m_left = nullptr;
    bool m_rangesSet = false; // the value axes have been given a range once
    QValueAxis *m_right = nullptr;
    qint64 m_from = 0;
    qint64 m_to = 0;
    bool m_dark = false;
    bool m_current = false;
};

} // namespace arena::console
