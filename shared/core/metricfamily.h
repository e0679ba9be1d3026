// MetricFamily: a named metric with label names and one series per combination of label values.
#pragma once

#include "shared/core/counter.h"
#include "shared/core/gauge.h"
#include "shared/core/histogram.h"
#include "shared/core/prometheustext.h"

#include <QByteArray>
#include <QMutex>
#include <QString>
#include <QStringList>

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <type_traits>
#include <utility>

namespace arena {

enum class MetricType { Counter, Gauge, Histogram };

const char *metricTypeName(MetricType type); // "counter", "gauge", "histogram"

// The part of a family the registry needs to render and look up any kind of metric.
class MetricFamilyBase
{
public:
    using ErrorReporter = std::function<void(const QString &message)>;

    MetricFamilyBase(QString name, QString help, MetricType type, QStringList labelNames, ErrorReporter reporter);
    virtual ~MetricFamilyBase();
    Q_DISABLE_COPY_MOVE(MetricFamilyBase)

    const QString &name() const { return m_name; }
    const QString &help() const { return m_help; }
    MetricType type() const { return m_type; }
    const QStringList &labelNames() const { return m_labelNames; }

    // HELP, TYPE and every sample, series ordered by label values.
    virtual void render(QByteArray &out) const = 0;
    // The value of one sample: the family name for counters and gauges, name_sum / name_count for
    // histograms. nullopt if there is no such series.
    virtual std::optional<double> sampleValue(const QString &sampleName, const QStringList &labelValues) const = 0;

protected:
    void reportError(const QString &message) const;

private:
    const QString m_name;
    const QString m_help;
    const MetricType m_type;
    const QStringList m_labelNames;
    const ErrorReporter m_reporter;
};

// Series are created on first use of their label values and live until remove()/clear() or the
// registry's end; references returned by labels() stay valid until then, so hot paths can keep them.
template<typename T>
class MetricFamily final : public MetricFamilyBase
{
public:
    using Factory = std::function<std::unique_ptr<T>()>;

    MetricFamily(QString name, QString help, MetricType type, QStringList labelNames, ErrorReporter reporter,
                 Factory factory)
        : MetricFamilyBase(std::move(name), std::move(help), type, std::move(labelNames), std::move(reporter)),
          m_factory(std::move(factory))
    {
    }

    // The series for these label values (one per label name, in order), created if needed.
    // A wrong number of values is a programming error: reported, and a detached series that is
    // never exported is returned.
    T &labels(const QStringList &labelValues = {})
    {
        QMutexLocker lock(&m_mutex);
        if (labelValues.size() != labelNames().size()) {
            lock.unlock();
            reportError(QStringLiteral("metric %1: %2 label values given for %3 label names (%4)")
                            .arg(name())
                            .arg(labelValues.size())
                            .arg(labelNames().size())
                            .arg(labelNames().join(QLatin1Char(','))));
            lock.relock();
            if (!m_detached)
                m_detached = m_factory();
            return *m_detached;
        }
        auto it = m_series.find(labelValues);
        if (it == m_series.end())
            it = m_series.emplace(labelValues, m_factory()).first;
        return *it->second;
    }

    bool contains(const QStringList &labelValues) const
    {
        QMutexLocker lock(&m_mutex);
        return m_series.find(labelValues) != m_series.end();
    }

    // Drops a series (e.g. of a worker that is gone). References to it become invalid.
    bool remove(const QStringList &labelValues)
    {
        QMutexLocker lock(&m_mutex);
        return m_series.erase(labelValues) > 0;
    }

    void clear()
    {
        QMutexLocker lock(&m_mutex);
        m_series.clear();
    }

    void render(QByteArray &out) const override
    {
        prometheus::appendHeader(out, name(), help(), metricTypeName(type()));
        QMutexLocker lock(&m_mutex);
        for (const auto &[values, series] : m_series)
            prometheus::appendSamples(out, name(), labelNames(), values, *series);
    }

    std::optional<double> sampleValue(const QString &sampleName, const QStringList &labelValues) const override
    {
        QMutexLocker lock(&m_mutex);
        const auto it = m_series.find(labelValues);
        if (it == m_series.end())
            return std::nullopt;
        if constexpr (std::is_same_v<T, Histogram>) {
            if (sampleName == name() + QLatin1String("_count"))
                return double(it->second->count());
            if (sampleName == name() + QLatin1String("_sum"))
                return it->second->sum();
            return std::nullopt;
        } else {
            if (sampleName != name())
                return std::nullopt;
            return it->second->value();
        }
    }

private:
    mutable QMutex m_mutex;
    const Factory m_factory;
    std::map<QStringList, std::unique_ptr<T>> m_series; // ordered by label values: stable output
    std::unique_ptr<T> m_detached;
};

using CounterFamily = MetricFamily<Counter>;
using GaugeFamily = MetricFamily<Gauge>;
using HistogramFamily = MetricFamily<Histogram>;

} // namespace arena
