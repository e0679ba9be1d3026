#include "console/app/chartpanel.h"

#include "console/app/consolepalette.h"

#include <QDateTime>
#include <QDateTimeAxis>
#include <QGraphicsLayout>
#include <QKeyEvent>
#include <QLegendMarker>
#include <QLineSeries>
#include <QMouseEvent>
#include <QToolTip>
#include <QValueAxis>

#include <algorithm>
#include <cmath>
#include <limits>
#include <vector>

namespace arena::console {

namespace {

// Axis range for values: from 0 unless something is negative, with headroom, never empty.
std::pair<double, double> valueRange(const QList<QList<SeriesPoint>> &data, const QList<int> &indexes)
{
    double lo = std::numeric_limits<double>::max();
    double hi = std::numeric_limits<double>::lowest();
    for (int i : indexes) {
        if (i >= data.size())
            continue;
        for (const SeriesPoint &p : data.at(i)) {
            lo = std::min(lo, p.value);
            hi = std::max(hi, p.value);
        }
    }
    if (lo > hi)
        return {0.0, 1.0};
    lo = std::min(lo, 0.0);
    if (hi <= lo)
        hi = lo + 1.0;
    return {lo, hi + (hi - lo) * 0.1};
}

QString labelFormat(const QValueAxis *axis)
{
    const double step = (axis->max() - axis->min()) / std::max(1, axis->tickCount() - 1);
    if (step >= 1.0)
        return QStringLiteral("%.0f");
    if (step >= 0.1)
        return QStringLiteral("%.1f");
    if (step >= 0.01)
        return QStringLiteral("%.2f");
    return QStringLiteral("%.3f");
}

} // namespace

ChartPanel::ChartPanel(const ChartSpec &spec, QWidget *parent) : QChartView(parent), m_spec(spec)
{
    setObjectName(QStringLiteral("chart-") + spec.key);
    setRenderHint(QPainter::Antialiasing);
    setRubberBand(QChartView::RectangleRubberBand);
    setFocusPolicy(Qt::ClickFocus);
    setMinimumSize(220, 150);
    setToolTip(QString()); // hover tooltips come from the series
    setFrameShape(QFrame::NoFrame);

    QChart *c = chart();
    c->setMargins(QMargins(4, 2, 4, 2));
    c->layout()->setContentsMargins(0, 0, 0, 0); // the chart's background fills the whole view
    c->setBackgroundRoundness(0);
    c->setAnimationOptions(QChart::NoAnimation);
    c->setLocalizeNumbers(false);

    m_time = new QDateTimeAxis(c);
    m_time->setTickCount(5);
    c->addAxis(m_time, Qt::AlignBottom);
    m_left = new QValueAxis(c);
    m_left->setTickCount(5);
    c->addAxis(m_left, Qt::AlignLeft);
    if (!spec.right.isEmpty()) {
        m_right = new QValueAxis(c);
        m_right->setTickCount(5);
        c->addAxis(m_right, Qt::AlignRight);
    }
    const qsizetype count = spec.all().size();
    for (int i = 0; i < count; ++i) {
        m_segments.append(QList<QLineSeries *>());
        m_series.append(addSegment(i));
        m_data.append(QList<SeriesPoint>());
    }
    if (spec.left.size() == 1 && m_right == nullptr)
        m_left->setTitleText(seriesInfo(spec.left.first()).unit);
    setSubject(QString());
    applyStyle();
    const qint64 now = QDateTime::currentMSecsSinceEpoch();
    setData(m_data, now - 5 * 60 * 1000, now);
}

QList<QList<QPointF>> ChartPanel::segmentsOf(const QList<SeriesPoint> &points, int maxSegments)
{
    QList<QList<QPointF>> runs(1);
    std::vector<qint64> steps;
    steps.reserve(std::size_t(std::max<qsizetype>(0, points.size() - 1)));
    for (qsizetype j = 1; j < points.size(); ++j) {
        if (const qint64 step = points.at(j).t - points.at(j - 1).t; step > 0)
            steps.push_back(step);
    }
    // The median spacing is the bucket (or sample) width even when a few gaps are among the steps.
    double threshold = std::numeric_limits<double>::infinity();
    if (!steps.empty()) {
        const auto middle = steps.begin() + std::ptrdiff_t(steps.size() / 2);
        std::nth_element(steps.begin(), middle, steps.end());
        threshold = GapFactor * double(*middle);
    }
    runs.first().reserve(points.size());
    for (qsizetype j = 0; j < points.size(); ++j) {
        const SeriesPoint &p = points.at(j);
        if (j > 0 && double(p.t - points.at(j - 1).t) > threshold && runs.size() < std::max(1, maxSegments))
            runs.append(QList<QPointF>());
        runs.last().append(QPointF(double(p.t), p.value));
    }
    return runs;
}

QLineSeries *ChartPanel::addSegment(int index)
{
    QChart *c = chart();
    auto *series = new QLineSeries(c);
    series->setName(seriesLabel(m_spec.all().at(index)));
    c->addSeries(series);
    series->attachAxis(m_time);
    series->attachAxis(index < m_spec.left.size() ? m_left : m_right);
    series->setMarkerSize(5);
    connect(series, &QLineSeries::hovered, this,
            [this, index](const QPointF &point, bool state) { showValue(index, point, state); });
    m_segments[index].append(series);
    if (m_segments.at(index).size() > 1)
        styleSegments();
    return series;
}

void ChartPanel::styleSegments()
{
    // Segments after the first look like it and stay out of the legend.
    for (const QList<QLineSeries *> &segments : std::as_const(m_segments)) {
        for (qsizetype k = 1; k < segments.size(); ++k) {
            segments.at(k)->setPen(segments.first()->pen());
            for (QLegendMarker *marker : chart()->legend()->markers(segments.at(k)))
                marker->setVisible(false);
        }
    }
}

QList<QPointF> ChartPanel::shownPoints(int index) const
{
    QList<QPointF> all;
    for (const QLineSeries *segment : m_segments.value(index))
        all.append(segment->points());
    return all;
}

void ChartPanel::setSubject(const QString &subject)
{
    m_subject = subject;
    chart()->setTitle(subject.isEmpty() ? m_spec.title + tr(" — whole fleet") : m_spec.title + QStringLiteral(" — ") + subject);
}

void ChartPanel::setData(const QList<QList<SeriesPoint>> &data, qint64 fromMs, qint64 toMs)
{
    m_from = fromMs;
    m_to = toMs;
    for (int i = 0; i < m_series.size(); ++i) {
        const QList<SeriesPoint> points = i < data.size() ? data.at(i) : QList<SeriesPoint>();
        const QList<QList<QPointF>> runs = segmentsOf(points);
        while (m_segments.at(i).size() < runs.size())
            addSegment(i);
        const QList<QLineSeries *> &segments = m_segments.at(i);
        for (qsizetype k = 0; k < segments.size(); ++k) {
            QLineSeries *segment = segments.at(k);
            if (k < runs.size()) {
                segment->replace(runs.at(k));
                // A lone point draws no line: show it as a dot.
                if (const bool lone = runs.at(k).size() == 1; segment->pointsVisible() != lone)
                    segment->setPointsVisible(lone);
            } else if (segment->count() > 0) {
                segment->clear();
            }
        }
        m_data[i] = points;
    }
    if (!isZoomed())
        applyRanges();
}

void ChartPanel::applyRanges()
{
    // Every setter re-lays out its axis and measures its labels again, so only what changed is set:
    // the time range moves on each refresh, the value ranges rarely leave their rounded bounds.
    const qint64 span = m_to - m_from;
    const QString format = span <= 15 * 60 * 1000 ? QStringLiteral("HH:mm:ss") : QStringLiteral("HH:mm");
    if (m_time->format() != format)
        m_time->setFormat(format);
    m_time->setRange(QDateTime::fromMSecsSinceEpoch(m_from), QDateTime::fromMSecsSinceEpoch(m_to));

    QList<int> leftIndexes;
    QList<int> rightIndexes;
    for (int i = 0; i < m_series.size(); ++i)
        (i < m_spec.left.size() ? leftIndexes : rightIndexes).append(i);
    for (auto [axis, indexes] : {std::pair{m_left, leftIndexes}, std::pair{m_right, rightIndexes}}) {
        if (!axis)
            continue;
        const auto [lo, hi] = valueRange(m_data, indexes);
        // Kept while the data fits the rounded range and fills at least half of it.
        const double shownLo = axis->min();
        const double shownHi = axis->max();
        if (m_rangesSet && lo >= shownLo && hi <= shownHi && (hi - lo) >= 0.5 * (shownHi - shownLo))
            continue;
        axis->setRange(lo, hi);
        axis->applyNiceNumbers();
        axis->setLabelFormat(labelFormat(axis));
    }
    m_rangesSet = true;
}

void ChartPanel::applyStyle()
{
    QChart *c = chart();
    c->setTheme(m_dark ? QChart::ChartThemeDark : QChart::ChartThemeLight);
    m_rangesSet = false; // a theme resets the axes' looks: set ranges and formats again on the next refresh
    // The palette being switched to, not palette(): the application's change reaches this widget later.
    const QPalette pal = consolePalette(m_dark);
    c->setBackgroundBrush(pal.color(QPalette::Base));
    c->setPlotAreaBackgroundVisible(false);
    QFont title = font();
    title.setBold(true);
    c->setTitleFont(title);
    QFont small = font();
    small.setPointSizeF(std::max(6.0, small.pointSizeF() * 0.85));
    for (QAbstractAxis *axis : c->axes()) {
        axis->setLabelsFont(small);
        axis->setTitleFont(small);
        QColor grid = pal.color(m_dark ? QPalette::Light : QPalette::Mid);
        grid.setAlpha(m_dark ? 160 : 90);
        axis->setGridLineColor(grid);
    }
    c->legend()->setFont(small);
    c->legend()->setAlignment(Qt::AlignTop);
    c->legend()->setVisible(m_series.size() > 1);
    for (QLineSeries *s : std::as_const(m_series)) {
        QPen pen = s->pen();
        pen.setWidthF(1.8);
        s->setPen(pen);
    }
    styleSegments(); // the theme gave them colours of their own
    if (m_right && m_series.size() > m_spec.left.size()) {
        // The right axis takes the colour of its (first) series, so the two units are not confused.
        m_right->setLabelsColor(m_series.at(m_spec.left.size())->color());
        m_right->setTitleText(seriesInfo(m_spec.right.first()).unit);
        m_left->setTitleText(seriesInfo(m_spec.left.first()).unit);
    }
    c->setBackgroundPen(m_current ? QPen(pal.color(QPalette::Highlight), 2) : QPen(Qt::NoPen));
}

void ChartPanel::setDark(bool dark)
{
    m_dark = dark;
    applyStyle();
    if (!isZoomed())
        applyRanges();
}

void ChartPanel::setCurrent(bool current)
{
    if (m_current == current)
        return;
    m_current = current;
    chart()->setBackgroundPen(current ? QPen(consolePalette(m_dark).color(QPalette::Highlight), 2) : QPen(Qt::NoPen));
}

bool ChartPanel::isZoomed() const
{
    return chart()->isZoomed();
}

void ChartPanel::resetZoom()
{
    chart()->zoomReset();
    m_rangesSet = false; // the zoomed range is not one to keep
    applyRanges();
}

QPixmap ChartPanel::render()
{
    const bool current = m_current;
    setCurrent(false);
    const QPixmap pixmap = grab();
    setCurrent(current);
    return pixmap;
}

void ChartPanel::mousePressEvent(QMouseEvent *event)
{
    Q_EMIT activated();
    QChartView::mousePressEvent(event);
}

void ChartPanel::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() == Qt::RightButton) {
        // Back to the live, auto-ranged view (QChartView would only zoom out one step).
        resetZoom();
        event->accept();
        return;
    }
    QChartView::mouseReleaseEvent(event);
}

void ChartPanel::keyPressEvent(QKeyEvent *event)
{
    if (event->key() == Qt::Key_Escape && isZoomed()) {
        resetZoom();
        event->accept();
        return;
    }
    QChartView::keyPressEvent(event);
}

void ChartPanel::focusInEvent(QFocusEvent *event)
{
    Q_EMIT activated();
    QChartView::focusInEvent(event);
}

void ChartPanel::showValue(int index, const QPointF &point, bool state)
{
    if (!state) {
        QToolTip::hideText();
        return;
    }
    if (const QString text = valueText(index, point); !text.isEmpty())
        QToolTip::showText(QCursor::pos(), text, this);
}

QString ChartPanel::valueText(int index, const QPointF &point) const
{
    // The nearest real point, not the position on the line between two.
    const QList<SeriesPoint> points = m_data.value(index);
    if (points.isEmpty())
        return QString();
    const qint64 t = qint64(point.x());
    const auto it = std::lower_bound(points.begin(), points.end(), t,
                                     [](const SeriesPoint &p, qint64 time) { return p.t < time; });
    const SeriesPoint *nearest = nullptr;
    if (it != points.end())
        nearest = &*it;
    if (it != points.begin() && (nearest == nullptr || t - (it - 1)->t < nearest->t - t))
        nearest = &*(it - 1);
    const SeriesId id = m_spec.all().at(index);
    QString text = QStringLiteral("<b>%1</b>: %2<br>%3")
                       .arg(seriesInfo(id).title, formatSeriesValue(id, nearest->value),
                            QDateTime::fromMSecsSinceEpoch(nearest->t).toString(QStringLiteral("yyyy-MM-dd HH:mm:ss")));
    if (nearest->min != nearest->max)
        text += tr("<br>min %1 · max %2").arg(formatSeriesValue(id, nearest->min), formatSeriesValue(id, nearest->max));
    return text;
}

} // namespace arena::console
