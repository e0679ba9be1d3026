#include "shared/core/metricfamily.h"

#include "shared/core/logging.h"

namespace arena {

const char *metricTypeName(MetricType type)
{
    switch (type) {
    case MetricType::Counter:
        return "counter";
    case MetricType::Gauge:
        return "gauge";
    case MetricType::Histogram:
        return "histogram";
    }
    return "untyped";
}

MetricFamilyBase::MetricFamilyBase(QString name, QString help, MetricType type, QStringList labelNames,
                                   ErrorReporter reporter)
    : m_name(std::move(name)), m_help(std::move(help)), m_type(type), m_labelNames(std::move(labelNames)),
      m_reporter(std::move(reporter))
{
}

MetricFamilyBase::~MetricFamilyBase() = default;

void MetricFamilyBase::reportError(const QString &message) const
{
    if (m_reporter)
        m_reporter(message);
    else
        qCCritical(lcCore).noquote() << "programming error:" << message;
}

} // namespace arena
