// The event log: Event, EventLogModel, EventDetector and EventFilterModel in one include.
#pragma once

#include "console/core/event.h"
#include "console/core/eventdetector.h"
#include "console/core/eventfiltermodel.h"
#include "console/core/eventlogmodel.h"
