#include "console/app/consolepalette.h"

#include <QApplication>
#include <QStyle>
#include <QStyleFactory>

namespace arena::console {

QPalette consolePalette(bool dark)
{
    if (!dark) {
        QPalette p = QApplication::style() ? QApplication::style()->standardPalette() : QPalette();
        p.setColor(QPalette::Highlight, QColor(0x2a, 0x6f, 0xdb));
        p.setColor(QPalette::HighlightedText, Qt::white);
        return p;
    }
    QPalette p;
    const QColor window(0x26, 0x29, 0x2e);
    const QColor base(0x1d, 0x1f, 0x23);
    const QColor alternate(0x2b, 0x2e, 0x33);
    const QColor text(0xe3, 0xe5, 0xe8);
    const QColor disabledText(0x7a, 0x7f, 0x87);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, alternate);
    p.setColor(QPalette::ToolTipBase, QColor(0x32, 0x36, 0x3c));
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, disabledText);
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(0x31, 0x35, 0x3b));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(0xff, 0x6b, 0x6b));
    p.setColor(QPalette::Link, QColor(0x6c, 0xa8, 0xff));
    p.setColor(QPalette::Highlight, QColor(0x2f, 0x6f, 0xd0));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Light, QColor(0x3a, 0x3e, 0x45));
    p.setColor(QPalette::Midlight, QColor(0x33, 0x37, 0x3d));
    p.setColor(QPalette::Mid, QColor(0x24, 0x26, 0x2a));
    p.setColor(QPalette::Dark, QColor(0x18, 0x1a, 0x1d));
    p.setColor(QPalette::Shadow, QColor(0x0c, 0x0d, 0x0f));
    for (QPalette::ColorRole role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabledText);
    p.setColor(QPalette::Disabled, QPalette::Highlight, QColor(0x44, 0x48, 0x4f));
    return p;
}

void applyConsolePalette(bool dark)
{
    QApplication::setPalette(consolePalette(dark));
}

QColor successColor(bool dark)
{
    return dark ? QColor(0x5f, 0xd0, 0x7a) : QColor(0x1e, 0x7b, 0x34);
}

QColor errorColor(bool dark)
{
    return dark ? QColor(0xff, 0x7b, 0x72) : QColor(0xc6, 0x28, 0x28);
}

bool isDarkPalette(const QPalette &palette)
{
    return palette.color(QPalette::Window).lightness() < 128;
}

} // namespace arena::console
