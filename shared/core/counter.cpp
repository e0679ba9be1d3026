#include "shared/core/counter.h"

#include "shared/core/logging.h"

namespace arena {

void Counter::reportInvalidIncrement(double amount)
{
    qCCritical(lcCore, "programming error: Counter::inc(%g): a counter only goes up; increment ignored", amount);
}

} // namespace arena
