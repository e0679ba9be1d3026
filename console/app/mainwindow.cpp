#include "console/app/mainwindow.h"

#include "console/app/chartgrid.h"
#include "console/app/chartpanel.h"
#include "console/app/cleanupdialog.h"
#include "console/app/connectdialog.h"
#include "console/app/consolepalette.h"
#include "console/app/consolesession.h"
#include "console/app/consoleuilog.h"
#include "console/app/draindialog.h"
#include "console/app/eventlogpanel.h"
#include "console/app/fleetpanel.h"
#include "console/app/roomsdialog.h"
#include "console/app/scaledialog.h"
#include "console/app/uitext.h"
#include "console/app/workerspanel.h"
#include "console/core/fleetmodel.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QDateTime>
#include <QDockWidget>
#include <QFile>
#include <QFileDialog>
#include <QLabel>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPainter>
#include <QSaveFile>
#include <QSettings>
#include <QSplitter>
#include <QPushButton>
#include <QStatusBar>
#include <QTableView>
#include <QToolBar>
#include <QToolButton>

namespace arena::console {

namespace {

const QString darkKey = QStringLiteral("view/darkPalette");
const QString windowKey = QStringLiteral("view/windowMs");

QIcon statusDot(ConsoleSession::Status status)
{
    QColor colour;
    switch (status) {
    case ConsoleSession::Status::Connected:
        colour = FleetModel::healthColor(FleetModel::Healthy);
        break;
    case ConsoleSession::Status::Connecting:
        colour = FleetModel::healthColor(FleetModel::Degraded);
        break;
    case ConsoleSession::Status::Failed:
        colour = FleetModel::healthColor(FleetModel::Down);
        break;
    case ConsoleSession::Status::Disconnected:
        colour = QColor(0x90, 0x94, 0x9a);
        break;
    }
    QPixmap pixmap(14, 14);
    pixmap.fill(Qt::transparent);
    QPainter painter(&pixmap);
    painter.setRenderHint(QPainter::Antialiasing);
    painter.setPen(QPen(colour.darker(130), 1));
    painter.setBrush(colour);
    painter.drawEllipse(QRectF(2, 2, 10, 10));
    return QIcon(pixmap);
}

} // namespace

MainWindow::MainWindow(ConsoleSession &session, QSettings &settings, QWidget *parent)
    : QMainWindow(parent), m_session(session), m_settings(settings), m_profiles(std::make_unique<ProfileStore>(settings))
{
    setObjectName(QStringLiteral("mainWindow"));
    setWindowTitle(tr("Arena console"));
    createActions();
    createPanels();
    createMenus();
    createToolBar();

    m_statusLabel = new QLabel(this);
    m_statusLabel->setObjectName(QStringLiteral("connectionStatus"));
    m_selectionLabel = new QLabel(this);
    m_selectionLabel->setObjectName(QStringLiteral("selectionStatus"));
    statusBar()->addWidget(m_statusLabel, 1);
    statusBar()->addPermanentWidget(m_selectionLabel);

    connect(&m_session, &ConsoleSession::statusChanged, this, &MainWindow::onStatusChanged);
    connect(&m_session, &ConsoleSession::accessChanged, this, &MainWindow::updateActions);
    connect(&m_session, &ConsoleSession::authenticated, this, [this](const QString &instance) {
        // Start on the agent's own instance, unless the operator chose something already.
        if (!m_choseInstance && !instance.isEmpty()) {
            m_choseInstance = true;
            m_fleet->selectInstance(instance);
        }
    });
    connect(m_fleet, &FleetPanel::selectionChanged, this, &MainWindow::onSelectionChanged);
    connect(m_fleet->wholeFleetButton(), &QPushButton::clicked, this, [this] { m_choseInstance = true; });
    connect(m_fleet->view(), &QAbstractItemView::clicked, this, [this] { m_choseInstance = true; });
    // The Drain action's text follows the selected instance's state.
    connect(&m_session.fleet(), &QAbstractItemModel::dataChanged, this, &MainWindow::updateActions);
    connect(&m_session.fleet(), &QAbstractItemModel::rowsInserted, this, &MainWindow::updateActions);
    connect(m_workers, &WorkersPanel::restartRequested, this, [this](const QString &instance, const QString &worker) {
        openWorkerDialog(WorkerActionDialog::Mode::Restart, instance, worker);
    });
    connect(m_workers, &WorkersPanel::drainRequested, this, [this](const QString &instance, const QString &worker) {
        openWorkerDialog(WorkerActionDialog::Mode::Drain, instance, worker);
    });

    restoreLayout();
    onStatusChanged();
    onSelectionChanged(m_fleet->selectedInstance());
}

MainWindow::~MainWindow() = default;

CleanupDialog *MainWindow::cleanupDialog() const
{
    return m_cleanupDialog.data();
}

QString MainWindow::selectedInstance() const
{
    return m_fleet->selectedInstance();
}

void MainWindow::createActions()
{
    const auto make = [this](const QString &text, const QString &name, const QKeySequence &shortcut = {}) {
        auto *a = new QAction(text, this);
        a->setObjectName(name);
        if (!shortcut.isEmpty()) {
            a->setShortcut(shortcut);
            a->setShortcutContext(Qt::WindowShortcut);
        }
        addAction(a); // shortcuts work with the menu bar or toolbar hidden
        return a;
    };
    m_connect = make(tr("&Connect…"), QStringLiteral("actionConnect"), QKeySequence(Qt::CTRL | Qt::Key_O));
    m_reconnect = make(tr("&Reconnect"), QStringLiteral("actionReconnect"), QKeySequence(Qt::Key_F5));
    m_disconnect = make(tr("&Disconnect"), QStringLiteral("actionDisconnect"));
    m_exportPng = make(tr("Export chart as &PNG…"), QStringLiteral("actionExportPng"), QKeySequence(Qt::CTRL | Qt::Key_E));
    m_exportCsv = make(tr("Export visible series as &CSV…"), QStringLiteral("actionExportCsv"),
                       QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_E));
    m_quit = make(tr("&Quit"), QStringLiteral("actionQuit"), QKeySequence::Quit);
    m_cleanup = make(tr("Cleanup…"), QStringLiteral("actionCleanup"), QKeySequence(Qt::CTRL | Qt::Key_L));
    m_scale = make(tr("Scale workers…"), QStringLiteral("actionScale"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_S));
    m_drain = make(tr("Drain…"), QStringLiteral("actionDrain"), QKeySequence(Qt::CTRL | Qt::Key_D));
    m_rooms = make(tr("Rooms"), QStringLiteral("actionRooms"), QKeySequence(Qt::CTRL | Qt::Key_R));
    m_wholeFleet = make(tr("&Whole fleet"), QStringLiteral("actionWholeFleet"), QKeySequence(Qt::CTRL | Qt::Key_0));
    m_pause = make(tr("Pause"), QStringLiteral("actionPause"), QKeySequence(Qt::Key_Space));
    m_pause->setCheckable(true);
    m_pause->setToolTip(tr("Freeze the charts (Space); figures are still recorded"));
    m_dark = make(tr("&Dark palette"), QStringLiteral("actionDarkPalette"));
    m_dark->setCheckable(true);
    m_findEvents = make(tr("&Find in event log"), QStringLiteral("actionFindEvents"), QKeySequence::Find);

    m_windowGroup = new QActionGroup(this);
    m_window5m = make(tr("5m"), QStringLiteral("actionWindow5m"), QKeySequence(Qt::Key_1));
    m_window1h = make(tr("1h"), QStringLiteral("actionWindow1h"), QKeySequence(Qt::Key_2));
    m_window24h = make(tr("24h"), QStringLiteral("actionWindow24h"), QKeySequence(Qt::Key_3));
    const std::pair<QAction *, qint64> windows[] = {
        {m_window5m, ChartGrid::FiveMinutes}, {m_window1h, ChartGrid::OneHour}, {m_window24h, ChartGrid::OneDay}};
    for (const auto &[action, ms] : windows) {
        action->setCheckable(true);
        action->setData(ms);
        m_windowGroup->addAction(action);
        connect(action, &QAction::triggered, this, [this, ms = ms] { setWindowSpan(ms); });
    }
    m_window5m->setToolTip(tr("Last 5 minutes (1)"));
    m_window1h->setToolTip(tr("Last hour (2)"));
    m_window24h->setToolTip(tr("Last 24 hours (3)"));
    m_window5m->setChecked(true);

    connect(m_connect, &QAction::triggered, this, &MainWindow::showConnectDialog);
    connect(m_reconnect, &QAction::triggered, this, [this] {
        if (m_session.profile().canConnect())
            m_session.reconnect();
        else
            showConnectDialog();
    });
    connect(m_disconnect, &QAction::triggered, &m_session, &ConsoleSession::disconnectFromAgent);
    connect(m_exportPng, &QAction::triggered, this, &MainWindow::askExportPng);
    connect(m_exportCsv, &QAction::triggered, this, &MainWindow::askExportCsv);
    connect(m_quit, &QAction::triggered, this, &QWidget::close);
    connect(m_cleanup, &QAction::triggered, this, &MainWindow::openCleanupDialog);
    connect(m_scale, &QAction::triggered, this, &MainWindow::openScaleDialog);
    connect(m_drain, &QAction::triggered, this, &MainWindow::openDrainDialog);
    connect(m_rooms, &QAction::triggered, this, &MainWindow::openRoomsDialog);
    connect(m_dark, &QAction::toggled, this, &MainWindow::setDarkPalette);
    connect(m_findEvents, &QAction::triggered, this, [this] {
        m_eventDock->show();
        m_eventDock->raise();
        m_events->focusSearch();
    });
}

void MainWindow::createPanels()
{
    m_fleet = new FleetPanel(m_session.fleet(), this);
    m_charts = new ChartGrid(m_session.history(), this);
    m_workers = new WorkersPanel(m_session.workers(), this);
    m_events = new EventLogPanel(m_session.events(), this);

    connect(m_pause, &QAction::toggled, m_charts, &ChartGrid::setPaused);
    connect(m_wholeFleet, &QAction::triggered, this, [this] {
        m_choseInstance = true;
        m_fleet->selectWholeFleet();
    });

    m_topSplitter = new QSplitter(Qt::Horizontal, this);
    m_topSplitter->setObjectName(QStringLiteral("topSplitter"));
    m_topSplitter->addWidget(m_fleet);
    m_topSplitter->addWidget(m_charts);
    m_topSplitter->setStretchFactor(0, 0);
    m_topSplitter->setStretchFactor(1, 1);
    m_topSplitter->setSizes({540, 1060});
    m_topSplitter->setChildrenCollapsible(false);

    m_mainSplitter = new QSplitter(Qt::Vertical, this);
    m_mainSplitter->setObjectName(QStringLiteral("mainSplitter"));
    m_mainSplitter->addWidget(m_topSplitter);
    m_mainSplitter->addWidget(m_workers);
    m_mainSplitter->setStretchFactor(0, 1);
    m_mainSplitter->setStretchFactor(1, 0);
    m_mainSplitter->setSizes({760, 150});
    setCentralWidget(m_mainSplitter);

    m_eventDock = new QDockWidget(tr("Event log"), this);
    m_eventDock->setObjectName(QStringLiteral("eventLogDock"));
    m_eventDock->setWidget(m_events);
    m_eventDock->setFeatures(QDockWidget::DockWidgetMovable | QDockWidget::DockWidgetFloatable |
                             QDockWidget::DockWidgetClosable);
    addDockWidget(Qt::BottomDockWidgetArea, m_eventDock);
}

void MainWindow::createMenus()
{
    QMenu *file = menuBar()->addMenu(tr("&File"));
    file->addAction(m_connect);
    file->addAction(m_reconnect);
    file->addAction(m_disconnect);
    file->addSeparator();
    file->addAction(m_exportPng);
    file->addAction(m_exportCsv);
    file->addSeparator();
    file->addAction(m_quit);

    QMenu *actions = menuBar()->addMenu(tr("&Actions"));
    actions->addAction(m_cleanup);
    actions->addAction(m_scale);
    actions->addAction(m_drain);
    actions->addAction(m_rooms);

    QMenu *view = menuBar()->addMenu(tr("&View"));
    view->addAction(m_window5m);
    view->addAction(m_window1h);
    view->addAction(m_window24h);
    view->addAction(m_pause);
    view->addSeparator();
    view->addAction(m_wholeFleet);
    view->addAction(m_findEvents);
    view->addAction(m_eventDock->toggleViewAction());
    view->addSeparator();
    view->addAction(m_dark);

    QMenu *help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&Keyboard shortcuts"), this, &MainWindow::showShortcuts);
    help->addAction(tr("&About"), this, [this] {
        QMessageBox::about(this, tr("About Arena console"),
                           tr("<b>arena-console</b> %1<br>Live charts and operator actions for an Arena fleet, over "
                              "the agents' admin API.")
                               .arg(QStringLiteral(ARENA_VERSION)));
    });
}

void MainWindow::createToolBar()
{
    m_toolBar = addToolBar(tr("Main"));
    m_toolBar->setObjectName(QStringLiteral("mainToolBar"));
    m_toolBar->setMovable(false);
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);

    m_agentState = new QToolButton(this);
    m_agentState->setObjectName(QStringLiteral("agentStateButton"));
    m_agentState->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_agentState->setPopupMode(QToolButton::InstantPopup);
    auto *menu = new QMenu(m_agentState);
    menu->addAction(m_connect);
    menu->addAction(m_reconnect);
    menu->addAction(m_disconnect);
    m_agentState->setMenu(menu);
    m_toolBar->addWidget(m_agentState);
    m_toolBar->addSeparator();

    const std::pair<QAction *, const char *> actions[] = {{m_cleanup, "cleanupButton"},
                                                          {m_scale, "scaleButton"},
                                                          {m_drain, "drainButton"},
                                                          {m_rooms, "roomsButton"}};
    for (const auto &[action, name] : actions) {
        m_toolBar->addAction(action);
        m_toolBar->widgetForAction(action)->setObjectName(QLatin1String(name));
    }

    auto *spacer = new QWidget(this);
    spacer->setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
    m_toolBar->addWidget(spacer);
    auto *windowLabel = new QLabel(tr("window: "), this);
    m_toolBar->addWidget(windowLabel);
    m_toolBar->addAction(m_window5m);
    m_toolBar->addAction(m_window1h);
    m_toolBar->addAction(m_window24h);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_pause);
    m_toolBar->widgetForAction(m_pause)->setObjectName(QStringLiteral("pauseButton"));
}

void MainWindow::restoreLayout()
{
    const bool dark = m_settings.value(darkKey, false).toBool();
    m_dark->setChecked(dark); // applies it
    if (!dark)
        m_charts->setDark(false);
    const qint64 window = m_settings.value(windowKey, ChartGrid::FiveMinutes).toLongLong();
    for (QAction *a : m_windowGroup->actions()) {
        if (a->data().toLongLong() == window) {
            a->setChecked(true);
            setWindowSpan(window);
        }
    }
    const QByteArray geometry = m_settings.value(QStringLiteral("window/geometry")).toByteArray();
    if (geometry.isEmpty() || !restoreGeometry(geometry))
        resize(1440, 900);
    if (!restoreState(m_settings.value(QStringLiteral("window/state")).toByteArray()))
        resizeDocks({m_eventDock}, {190}, Qt::Vertical); // first start: the charts get most of the height
    m_topSplitter->restoreState(m_settings.value(QStringLiteral("window/topSplitter")).toByteArray());
    m_mainSplitter->restoreState(m_settings.value(QStringLiteral("window/mainSplitter")).toByteArray());
    m_fleet->restoreState(m_settings);
}

void MainWindow::saveLayout()
{
    m_settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    m_settings.setValue(QStringLiteral("window/state"), saveState());
    m_settings.setValue(QStringLiteral("window/topSplitter"), m_topSplitter->saveState());
    m_settings.setValue(QStringLiteral("window/mainSplitter"), m_mainSplitter->saveState());
    m_settings.setValue(windowKey, m_charts->window());
    m_fleet->saveState(m_settings);
    m_settings.sync();
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    saveLayout();
    QMainWindow::closeEvent(event);
}

void MainWindow::updateActions()
{
    const QString why = m_session.whyNoActions();
    const QString instance = selectedInstance();
    const QString pick = tr("select an instance in the fleet table first");

    m_cleanup->setEnabled(why.isEmpty());
    m_cleanup->setToolTip(why.isEmpty() ? (instance.isEmpty() ? tr("Cleanup of the whole fleet: dry run first (Ctrl+L)")
                                                              : tr("Cleanup of %1 or the whole fleet: dry run first (Ctrl+L)").arg(instance))
                                        : why);

    const bool instanceAction = why.isEmpty() && !instance.isEmpty();
    m_scale->setEnabled(instanceAction);
    m_scale->setToolTip(!why.isEmpty() ? why : instance.isEmpty() ? pick : tr("Scale the workers of %1 (Ctrl+Shift+S)").arg(instance));

    bool draining = false;
    if (const int row = m_session.fleet().rowOf(instance); row >= 0)
        draining = m_session.fleet().health(row) == FleetModel::Draining;
    m_drain->setText(draining ? tr("Cancel drain…") : tr("Drain…"));
    m_drain->setEnabled(instanceAction);
    m_drain->setToolTip(!why.isEmpty() ? why
                        : instance.isEmpty() ? pick
                        : draining ? tr("%1 is draining: cancel the drain (Ctrl+D)").arg(instance)
                                   : tr("Drain %1: no new players, hand over, stop by a deadline (Ctrl+D)").arg(instance));

    // Browsing rooms is a query: a viewer may.
    const bool canQuery = m_session.isReady() && !instance.isEmpty();
    m_rooms->setEnabled(canQuery);
    m_rooms->setToolTip(!m_session.isReady() ? m_session.whyNoActions()
                        : instance.isEmpty() ? pick
                                             : tr("Browse the rooms of %1 (Ctrl+R)").arg(instance));

    m_workers->setActionsAllowed(why.isEmpty(), why);
    m_disconnect->setEnabled(m_session.client().state() != AdminClient::State::Disconnected);
}

void MainWindow::onSelectionChanged(const QString &instance)
{
    m_charts->setInstance(instance);
    m_workers->setInstance(instance);
    m_selectionLabel->setText(instance.isEmpty() ? tr("showing the whole fleet") : tr("showing %1").arg(instance));
    updateActions();
}

void MainWindow::onStatusChanged()
{
    const QString text = m_session.statusText();
    m_agentState->setText(text);
    m_agentState->setIcon(statusDot(m_session.status()));
    m_agentState->setToolTip(tr("Agent connection: %1\nClick for Connect…, Reconnect (F5), Disconnect").arg(text));
    m_statusLabel->setText(text);
    updateActions();
}

template<typename Dialog>
Dialog *MainWindow::present(QPointer<Dialog> &slot, Dialog *dialog)
{
    if (slot)
        slot->close(); // one of each kind at a time, for the instance selected now
    slot = dialog;
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    dialog->open();
    return dialog;
}

CleanupDialog *MainWindow::openCleanupDialog()
{
    if (!m_cleanup->isEnabled())
        return nullptr;
    return present(m_cleanupDialog, new CleanupDialog(m_session, selectedInstance(), this));
}

ScaleDialog *MainWindow::openScaleDialog()
{
    if (!m_scale->isEnabled())
        return nullptr;
    const QString instance = selectedInstance();
    int workers = 0;
    if (const int row = m_session.fleet().rowOf(instance); row >= 0)
        workers = m_session.fleet().index(row, FleetModel::Workers).data(FleetModel::SortRole).toInt();
    return present(m_scaleDialog, new ScaleDialog(m_session, instance, workers, this));
}

DrainDialog *MainWindow::openDrainDialog()
{
    if (!m_drain->isEnabled())
        return nullptr;
    const QString instance = selectedInstance();
    bool draining = false;
    if (const int row = m_session.fleet().rowOf(instance); row >= 0)
        draining = m_session.fleet().health(row) == FleetModel::Draining;
    return present(m_drainDialog, new DrainDialog(m_session, instance, draining, this));
}

RoomsDialog *MainWindow::openRoomsDialog()
{
    if (!m_rooms->isEnabled())
        return nullptr;
    if (m_roomsDialog)
        m_roomsDialog->close();
    auto *dialog = new RoomsDialog(m_session, selectedInstance(), this);
    dialog->setAttribute(Qt::WA_DeleteOnClose);
    m_roomsDialog = dialog;
    dialog->show(); // not modal: kept open beside the charts
    return dialog;
}

WorkerActionDialog *MainWindow::openWorkerDialog(WorkerActionDialog::Mode mode, const QString &instance,
                                                 const QString &worker)
{
    if (!m_session.canAct() || instance.isEmpty() || worker.isEmpty())
        return nullptr;
    return present(m_workerDialog, new WorkerActionDialog(m_session, mode, instance, worker, this));
}

void MainWindow::showConnectDialog()
{
    std::optional<ConnectionProfile> current;
    if (m_session.profile().agent.isValid())
        current = m_session.profile();
    ConnectDialog dialog(*m_profiles, current, this);
    if (dialog.exec() != QDialog::Accepted)
        return;
    m_choseInstance = false;
    m_session.connectTo(dialog.profile());
}

void MainWindow::setDarkPalette(bool dark)
{
    applyConsolePalette(dark);
    m_charts->setDark(dark);
    m_settings.setValue(darkKey, dark);
    if (m_dark->isChecked() != dark)
        m_dark->setChecked(dark);
}

void MainWindow::setWindowSpan(qint64 ms)
{
    m_charts->setWindow(ms);
    for (QAction *a : m_windowGroup->actions()) {
        if (a->data().toLongLong() == ms && !a->isChecked())
            a->setChecked(true);
    }
}

bool MainWindow::exportChartPng(const QString &path)
{
    ChartPanel *panel = m_charts->currentPanel();
    if (!panel)
        return false;
    const bool ok = panel->render().save(path, "PNG");
    if (ok)
        statusBar()->showMessage(tr("Chart saved to %1").arg(path), 5000);
    else
        QMessageBox::warning(this, tr("Export chart"), tr("Could not write %1.").arg(path));
    return ok;
}

bool MainWindow::exportVisibleCsv(const QString &path)
{
    QSaveFile file(path);
    const bool ok = file.open(QIODevice::WriteOnly) && file.write(m_charts->visibleSeriesCsv()) >= 0 && file.commit();
    if (ok)
        statusBar()->showMessage(tr("Series saved to %1").arg(path), 5000);
    else
        QMessageBox::warning(this, tr("Export series"), tr("Could not write %1: %2").arg(path, file.errorString()));
    return ok;
}

void MainWindow::askExportPng()
{
    ChartPanel *panel = m_charts->currentPanel();
    if (!panel)
        return;
    const QString subject = selectedInstance().isEmpty() ? QStringLiteral("fleet") : selectedInstance();
    const QString suggested = QStringLiteral("arena-%1-%2-%3.png")
                                  .arg(panel->spec().key, subject,
                                       QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
    const QString path = QFileDialog::getSaveFileName(this, tr("Export chart as PNG"), suggested, tr("PNG images (*.png)"));
    if (!path.isEmpty())
        exportChartPng(path);
}

void MainWindow::askExportCsv()
{
    const QString subject = selectedInstance().isEmpty() ? QStringLiteral("fleet") : selectedInstance();
    const QString suggested = QStringLiteral("arena-%1-%2.csv")
                                  .arg(subject, QDateTime::currentDateTime().toString(QStringLiteral("yyyyMMdd-HHmmss")));
    const QString path =
        QFileDialog::getSaveFileName(this, tr("Export visible series as CSV"), suggested, tr("CSV files (*.csv)"));
    if (!path.isEmpty())
        exportVisibleCsv(path);
}

void MainWindow::showShortcuts()
{
    QMessageBox::information(this, tr("Keyboard shortcuts"),
                             tr("<table>"
                                "<tr><td><b>Ctrl+L</b></td><td>Cleanup…</td></tr>"
                                "<tr><td><b>Ctrl+Shift+S</b></td><td>Scale workers…</td></tr>"
                                "<tr><td><b>Ctrl+D</b></td><td>Drain… / Cancel drain…</td></tr>"
                                "<tr><td><b>Ctrl+R</b></td><td>Rooms</td></tr>"
                                "<tr><td><b>F5</b></td><td>Reconnect</td></tr>"
                                "<tr><td><b>Ctrl+O</b></td><td>Connect…</td></tr>"
                                "<tr><td><b>Ctrl+E</b></td><td>Export chart as PNG…</td></tr>"
                                "<tr><td><b>Ctrl+Shift+E</b></td><td>Export visible series as CSV…</td></tr>"
                                "<tr><td><b>Ctrl+F</b></td><td>Search the event log</td></tr>"
                                "<tr><td><b>Ctrl+0</b></td><td>Whole fleet</td></tr>"
                                "<tr><td><b>Space</b></td><td>Pause / resume the charts</td></tr>"
                                "<tr><td><b>1 / 2 / 3</b></td><td>5 minutes / 1 hour / 24 hours</td></tr>"
                                "<tr><td><b>Right-click, Esc</b></td><td>Reset a zoomed chart</td></tr>"
                                "</table>"));
}

} // namespace arena::console
