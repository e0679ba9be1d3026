// Column widths that follow a table's contents without QHeaderView::ResizeToContents, which measures
// every column over every row again on each changed cell: with 50 instances reporting every second that
// was two thirds of the console's CPU (docs/BENCHMARKS.md, Console).
#pragma once

#include <chrono>

class QTableView;

namespace arena::console {

// Makes the header's sections Interactive and fits them to the contents now, whenever rows come or go
// or the layout changes (once per event-loop pass), and every `every` for values that grew.
void fitColumnsToContents(QTableView *view, std::chrono::milliseconds every = std::chrono::seconds(5));

} // namespace arena::console
