// The console's light and dark palettes (View → Dark palette).
#pragma once

#include <QColor>
#include <QPalette>

namespace arena::console {

QPalette consolePalette(bool dark);
// Applies the palette to the whole application (Fusion style honours it on every platform).
void applyConsolePalette(bool dark);
// Text colours for results that read well on both palettes.
QColor successColor(bool dark);
QColor errorColor(bool dark);
bool isDarkPalette(const QPalette &palette);

} // namespace arena::console
