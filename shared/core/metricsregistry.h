// MetricsRegistry: counters, gauges, histograms and callback gauges, rendered as Prometheus text.
#pragma once

#include "shared/core/metricfamily.h"

#include <QByteArray>
#include <QList>
#include <QString>
#include <QStringList>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

namespace arena {

// One sample returned by a labelled callback gauge.
struct CallbackSample
{
    QStringList labelValues;
    double value = 0.0;
};

// Thread-safe: family lookup and registration take the registry lock, series lookup takes the
// family's lock, and values are atomics. Families render in name order, series in label-value order.
//
// Mistakes in names, labels or label counts are programming errors: they are logged as critical on
// arena.shared.core with the reason, recorded in programmingErrors(), and the call gets a detached
// family or series that works but is never exported, so a typo cannot take a server down.
// Registering the same name again with the same type, help, labels (and buckets) returns the
// existing family; anything else under a taken name is such an error.
class MetricsRegistry final
{
public:
    MetricsRegistry();
    ~MetricsRegistry();
    Q_DISABLE_COPY_MOVE(MetricsRegistry)

    CounterFamily &counter(const QString &name, const QString &help, const QStringList &labelNames = {});
    GaugeFamily &gauge(const QString &name, const QString &help, const QStringList &labelNames = {});
    // buckets: finite, strictly ascending upper bounds; a trailing +Inf may be given and is implied.
    HistogramFamily &histogram(const QString &name, const QString &help, const QStringList &labelNames = {},
                               const QList<double> &buckets = defaultBuckets());

    // Gauges evaluated at scrape time (pool figures). The callback runs under the registry lock, on
    // the scraping thread; it may read this registry but must not register or remove families.
    // Returns false (and reports) if the name is invalid or taken.
    bool callbackGauge(const QString &name, const QString &help, std::function<double()> callback);
    bool callbackGauge(const QString &name, const QString &help, const QStringList &labelNames,
                       std::function<QList<CallbackSample>()> callback);

    // Unregisters a family (e.g. a callback gauge whose source object goes away). References to the
    // family and its series become invalid.
    bool remove(const QString &name);
    bool contains(const QString &name) const;
    QStringList names() const;

    // The whole registry in the Prometheus text exposition format 0.0.4.
    QByteArray exposition() const;

    // Reads one sample back: name for counters and gauges (callback ones included), name_sum or
    // name_count for histograms. nullopt if there is no such family or series.
    std::optional<double> value(const QString &name, const QStringList &labelValues = {}) const;

    QStringList programmingErrors() const;

    // Prometheus client defaults: .005 .01 .025 .05 .1 .25 .5 1 2.5 5 10 (seconds).
    static QList<double> defaultBuckets();
    static QList<double> linearBuckets(double start, double width, int count);
    static QList<double> exponentialBuckets(double start, double factor, int count);

private:
    template<typename T>
    MetricFamily<T> &registerFamily(const QString &name, const QString &help, MetricType type,
                                    const QStringList &labelNames, const QList<double> &buckets);
    bool checkNewFamily(const QString &name, MetricType type, const QStringList &labelNames, QString *why) const;
    void reportError(const QString &message) const;
    MetricFamilyBase::ErrorReporter reporter() const;

    mutable std::recursive_mutex m_mutex;
    std::map<QString, std::unique_ptr<MetricFamilyBase>> m_families;
    std::vector<std::unique_ptr<MetricFamilyBase>> m_detached; // handed out after a mistake; never exported
    std::map<QString, QList<double>> m_histogramBuckets;
    mutable std::mutex m_errorsMutex;
    mutable QStringList m_errors;
};

} // namespace arena
