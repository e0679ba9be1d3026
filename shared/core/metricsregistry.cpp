#include "shared/core/metricsregistry.h"

#include "shared/core/logging.h"

#include <QSet>

#include <algorithm>
#include <cmath>
#include <exception>

namespace arena {

namespace {

const QStringList kHistogramSuffixes{QStringLiteral("_bucket"), QStringLiteral("_sum"), QStringLiteral("_count")};

class CallbackGaugeFamily final : public MetricFamilyBase
{
public:
    using Callback = std::function<QList<CallbackSample>()>;

    CallbackGaugeFamily(QString name, QString help, QStringList labelNames, ErrorReporter reporter, Callback callback)
        : MetricFamilyBase(std::move(name), std::move(help), MetricType::Gauge, std::move(labelNames), std::move(reporter)),
          m_callback(std::move(callback))
    {
    }

    void render(QByteArray &out) const override
    {
        prometheus::appendHeader(out, name(), help(), metricTypeName(type()));
        for (const CallbackSample &sample : evaluate())
            prometheus::appendSample(out, name(), labelNames(), sample.labelValues, sample.value);
    }

    std::optional<double> sampleValue(const QString &sampleName, const QStringList &labelValues) const override
    {
        if (sampleName != name())
            return std::nullopt;
        for (const CallbackSample &sample : evaluate()) {
            if (sample.labelValues == labelValues)
                return sample.value;
        }
        return std::nullopt;
    }

private:
    // Samples with a wrong label count or repeated label values are reported and dropped, so one bad
    // callback cannot make the whole exposition unparsable.
    QList<CallbackSample> evaluate() const
    {
        QList<CallbackSample> samples;
        try {
            samples = m_callback();
        } catch (const std::exception &e) {
            reportError(QStringLiteral("callback gauge %1 threw: %2").arg(name(), QString::fromUtf8(e.what())));
            return {};
        } catch (...) {
            reportError(QStringLiteral("callback gauge %1 threw an exception").arg(name()));
            return {};
        }
        QList<CallbackSample> valid;
        valid.reserve(samples.size());
        for (CallbackSample &sample : samples) {
            if (sample.labelValues.size() != labelNames().size()) {
                reportError(QStringLiteral("callback gauge %1: sample with %2 label values for %3 label names")
                                .arg(name())
                                .arg(sample.labelValues.size())
                                .arg(labelNames().size()));
                continue;
            }
            valid.append(std::move(sample));
        }
        std::stable_sort(valid.begin(), valid.end(),
                         [](const CallbackSample &a, const CallbackSample &b) { return a.labelValues < b.labelValues; });
        const auto duplicate = std::adjacent_find(valid.begin(), valid.end(), [](const CallbackSample &a, const CallbackSample &b) {
            return a.labelValues == b.labelValues;
        });
        if (duplicate != valid.end()) {
            reportError(QStringLiteral("callback gauge %1: label values {%2} returned more than once; first kept")
                            .arg(name(), duplicate->labelValues.join(QLatin1Char(','))));
            valid.erase(std::unique(valid.begin(), valid.end(),
                                    [](const CallbackSample &a, const CallbackSample &b) { return a.labelValues == b.labelValues; }),
                        valid.end());
        }
        return valid;
    }

    const Callback m_callback;
};

// Drops an explicit trailing +Inf; nullopt if the bounds are not finite and strictly ascending.
std::optional<QList<double>> normalizedBuckets(QList<double> buckets)
{
    if (!buckets.isEmpty() && std::isinf(buckets.constLast()) && buckets.constLast() > 0)
        buckets.removeLast();
    for (qsizetype i = 0; i < buckets.size(); ++i) {
        if (!std::isfinite(buckets.at(i)) || (i > 0 && !(buckets.at(i - 1) < buckets.at(i))))
            return std::nullopt;
    }
    return buckets;
}

} // namespace

MetricsRegistry::MetricsRegistry() = default;
MetricsRegistry::~MetricsRegistry() = default;

void MetricsRegistry::reportError(const QString &message) const
{
    qCCritical(lcCore).noquote() << "programming error:" << message;
    std::lock_guard lock(m_errorsMutex);
    m_errors.append(message);
}

MetricFamilyBase::ErrorReporter MetricsRegistry::reporter() const
{
    return [this](const QString &message) { reportError(message); };
}

QStringList MetricsRegistry::programmingErrors() const
{
    std::lock_guard lock(m_errorsMutex);
    return m_errors;
}

bool MetricsRegistry::checkNewFamily(const QString &name, MetricType type, const QStringList &labelNames, QString *why) const
{
    if (!prometheus::isValidMetricName(name)) {
        *why = QStringLiteral("metric name \"%1\" is invalid (use [a-zA-Z_:][a-zA-Z0-9_:]*)").arg(name);
        return false;
    }
    QSet<QString> seen;
    for (const QString &label : labelNames) {
        if (!prometheus::isValidLabelName(label)) {
            *why = QStringLiteral("metric %1: label name \"%2\" is invalid (use [a-zA-Z_][a-zA-Z0-9_]*, not starting with __)")
                       .arg(name, label);
            return false;
        }
        if (type == MetricType::Histogram && label == QLatin1String("le")) {
            *why = QStringLiteral("metric %1: label name \"le\" is reserved for histogram buckets").arg(name);
            return false;
        }
        if (seen.contains(label)) {
            *why = QStringLiteral("metric %1: label name \"%2\" given twice").arg(name, label);
            return false;
        }
        seen.insert(label);
    }
    if (m_families.count(name)) {
        *why = QStringLiteral("metric %1 is already registered with a different type, help, labels or buckets").arg(name);
        return false;
    }
    for (const QString &suffix : kHistogramSuffixes) {
        if (name.endsWith(suffix)) {
            const auto base = m_families.find(name.chopped(suffix.size()));
            if (base != m_families.end() && base->second->type() == MetricType::Histogram) {
                *why = QStringLiteral("metric %1 collides with the samples of histogram %2").arg(name, base->first);
                return false;
            }
        }
        if (type == MetricType::Histogram && m_families.count(name + suffix)) {
            *why = QStringLiteral("histogram %1 collides with metric %2").arg(name, name + suffix);
            return false;
        }
    }
    return true;
}

template<typename T>
MetricFamily<T> &MetricsRegistry::registerFamily(const QString &name, const QString &help, MetricType type,
                                                 const QStringList &labelNames, const QList<double> &buckets)
{
    std::lock_guard lock(m_mutex);
    std::optional<QList<double>> bounds;
    if constexpr (std::is_same_v<T, Histogram>)
        bounds = normalizedBuckets(buckets);
    typename MetricFamily<T>::Factory factory = [bounds] {
        if constexpr (std::is_same_v<T, Histogram>)
            return std::make_unique<Histogram>(bounds.value_or(defaultBuckets()));
        else
            return std::make_unique<T>();
    };
    auto detached = [&](const QString &why) -> MetricFamily<T> & {
        reportError(why);
        auto family = std::make_unique<MetricFamily<T>>(name, help, type, labelNames, reporter(), factory);
        MetricFamily<T> &ref = *family;
        m_detached.push_back(std::move(family));
        return ref;
    };

    if (const auto it = m_families.find(name); it != m_families.end()) {
        auto *existing = dynamic_cast<MetricFamily<T> *>(it->second.get());
        const bool same = existing && existing->type() == type && existing->help() == help
                          && existing->labelNames() == labelNames
                          && (type != MetricType::Histogram || m_histogramBuckets[name] == bounds.value_or(QList<double>{}));
        if (same)
            return *existing;
        return detached(QStringLiteral("metric %1 is already registered as a %2 with other help, labels or buckets")
                            .arg(name, QLatin1String(metricTypeName(it->second->type()))));
    }
    QString why;
    if (!checkNewFamily(name, type, labelNames, &why))
        return detached(why);
    if constexpr (std::is_same_v<T, Histogram>) {
        if (!bounds)
            return detached(QStringLiteral("histogram %1: bucket bounds must be finite and strictly ascending").arg(name));
        m_histogramBuckets[name] = *bounds;
    }
    auto family = std::make_unique<MetricFamily<T>>(name, help, type, labelNames, reporter(), factory);
    MetricFamily<T> &ref = *family;
    m_families.emplace(name, std::move(family));
    if (labelNames.isEmpty())
        ref.labels(); // an unlabelled metric is exported (as 0) from the start
    return ref;
}

CounterFamily &MetricsRegistry::counter(const QString &name, const QString &help, const QStringList &labelNames)
{
    return registerFamily<Counter>(name, help, MetricType::Counter, labelNames, {});
}

GaugeFamily &MetricsRegistry::gauge(const QString &name, const QString &help, const QStringList &labelNames)
{
    return registerFamily<Gauge>(name, help, MetricType::Gauge, labelNames, {});
}

HistogramFamily &MetricsRegistry::histogram(const QString &name, const QString &help, const QStringList &labelNames,
                                            const QList<double> &buckets)
{
    return registerFamily<Histogram>(name, help, MetricType::Histogram, labelNames, buckets);
}

bool MetricsRegistry::callbackGauge(const QString &name, const QString &help, std::function<double()> callback)
{
    return callbackGauge(name, help, {}, [callback = std::move(callback)] {
        return QList<CallbackSample>{CallbackSample{{}, callback()}};
    });
}

bool MetricsRegistry::callbackGauge(const QString &name, const QString &help, const QStringList &labelNames,
                                    std::function<QList<CallbackSample>()> callback)
{
    std::lock_guard lock(m_mutex);
    QString why;
    if (!callback) {
        reportError(QStringLiteral("callback gauge %1: empty callback").arg(name));
        return false;
    }
    if (!checkNewFamily(name, MetricType::Gauge, labelNames, &why)) {
        reportError(why);
        return false;
    }
    m_families.emplace(name, std::make_unique<CallbackGaugeFamily>(name, help, labelNames, reporter(), std::move(callback)));
    return true;
}

bool MetricsRegistry::remove(const QString &name)
{
    std::lock_guard lock(m_mutex);
    m_histogramBuckets.erase(name);
    return m_families.erase(name) > 0;
}

bool MetricsRegistry::contains(const QString &name) const
{
    std::lock_guard lock(m_mutex);
    return m_families.count(name) > 0;
}

QStringList MetricsRegistry::names() const
{
    std::lock_guard lock(m_mutex);
    QStringList result;
    for (const auto &entry : m_families)
        result.append(entry.first);
    return result;
}

QByteArray MetricsRegistry::exposition() const
{
    std::lock_guard lock(m_mutex);
    QByteArray out;
    for (const auto &entry : m_families)
        entry.second->render(out);
    return out;
}

std::optional<double> MetricsRegistry::value(const QString &name, const QStringList &labelValues) const
{
    std::lock_guard lock(m_mutex);
    if (const auto it = m_families.find(name); it != m_families.end())
        return it->second->sampleValue(name, labelValues);
    for (const QString &suffix : kHistogramSuffixes) {
        if (!name.endsWith(suffix))
            continue;
        const auto base = m_families.find(name.chopped(suffix.size()));
        if (base != m_families.end() && base->second->type() == MetricType::Histogram)
            return base->second->sampleValue(name, labelValues);
    }
    return std::nullopt;
}

QList<double> MetricsRegistry::defaultBuckets()
{
    return {0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

QList<double> MetricsRegistry::linearBuckets(double start, double width, int count)
{
    QList<double> buckets;
    if (count < 1 || !(width > 0)) {
        qCCritical(lcCore, "programming error: linearBuckets(%g, %g, %d): need count >= 1 and width > 0", start, width, count);
        return buckets;
    }
    for (int i = 0; i < count; ++i)
        buckets.append(start + width * i);
    return buckets;
}

QList<double> MetricsRegistry::exponentialBuckets(double start, double factor, int count)
{
    QList<double> buckets;
    if (count < 1 || !(start > 0) || !(factor > 1)) {
        qCCritical(lcCore, "programming error: exponentialBuckets(%g, %g, %d): need count >= 1, start > 0, factor > 1",
                   start, factor, count);
        return buckets;
    }
    double bound = start;
    for (int i = 0; i < count; ++i) {
        buckets.append(bound);
        bound *= factor;
    }
    return buckets;
}

} // namespace arena
