// MainWindow: the console's window — toolbar with the agent's state and the actions, the fleet table,
// the charts, the workers of the selected instance and the event log. It lays the panels out and opens
// the dialogs; the panels and dialogs do the work.
#pragma once

#include "console/app/workeractiondialog.h"

#include <QMainWindow>
#include <QPointer>

#include <memory>

class QActionGroup;
class QDockWidget;
class QLabel;
class QSettings;
class QSplitter;
class QToolButton;

namespace arena::console {

class ChartGrid;
class CleanupDialog;
class ConsoleSession;
class DrainDialog;
class EventLogPanel;
class FleetPanel;
class ProfileStore;
class RoomsDialog;
class ScaleDialog;
class WorkersPanel;

class MainWindow final : public QMainWindow
{
    Q_OBJECT
    Q_DISABLE_COPY_MOVE(MainWindow)

public:
    // Both outlive the window. The settings hold the profiles, the palette and the window's layout.
    MainWindow(ConsoleSession &session, QSettings &settings, QWidget *parent = nullptr);
    ~MainWindow() override;

    FleetPanel *fleetPanel() const { return m_fleet; }
    ChartGrid *charts() const { return m_charts; }
    WorkersPanel *workersPanel() const { return m_workers; }
    EventLogPanel *eventLog() const { return m_events; }
    QToolBar *mainToolBar() const { return m_toolBar; }
    QToolButton *agentStateButton() const { return m_agentState; }

    QAction *cleanupAction() const { return m_cleanup; }
    QAction *scaleAction() const { return m_scale; }
    QAction *drainAction() const { return m_drain; }
    QAction *roomsAction() const { return m_rooms; }
    QAction *pauseAction() const { return m_pause; }
    QAction *darkPaletteAction() const { return m_dark; }

    // The instance the charts, workers and instance actions are about; "" for the whole fleet.
    QString selectedInstance() const;

    CleanupDialog *cleanupDialog() const;

public Q_SLOTS:
    CleanupDialog *openCleanupDialog();
    ScaleDialog *openScaleDialog();
    DrainDialog *openDrainDialog();
    RoomsDialog *openRoomsDialog();
    WorkerActionDialog *openWorkerDialog(arena::console::WorkerActionDialog::Mode mode, const QString &instance,
                                         const QString &worker);
    void showConnectDialog();
    void setDarkPalette(bool dark);
    void setWindowSpan(qint64 ms);
    bool exportChartPng(const QString &path);
    bool exportVisibleCsv(const QString &path);

protected:
    void closeEvent(QCloseEvent *event) override;

private:
    void createActions();
    void createMenus();
    void createToolBar();
    void createPanels();
    void restoreLayout();
    void saveLayout();
    void updateActions();
    void onSelectionChanged(const QString &instance);
    void onStatusChanged();
    void askExportPng();
    void askExportCsv();
    void showShortcuts();
    template<typename Dialog>
    Dialog *present(QPointer<Dialog> &slot, Dialog *dialog);

    ConsoleSession &m_session;
    QSettings &m_settings;
    std::unique_ptr<ProfileStore> m_profiles;

    FleetPanel *m_fleet = nullptr;
    ChartGrid *m_charts = nullptr;
    WorkersPanel *m_workers = nullptr;
    EventLogPanel *m_events = nullptr;
    QDockWidget *m_eventDock = nullptr;
    QSplitter *m_topSplitter = nullptr;
    QSplitter *m_mainSplitter = nullptr;
    QToolBar *m_toolBar = nullptr;
    QToolButton *m_agentState = nullptr;
    QLabel *m_statusLabel = nullptr;
    QLabel *m_selectionLabel = nullptr;

    QAction *m_connect = nullptr;
    QAction *m_reconnect = nullptr;
    QAction *m_disconnect = nullptr;
    QAction *m_exportPng = nullptr;
    QAction *m_exportCsv = nullptr;
    QAction *m_quit = nullptr;
    QAction *m_cleanup = nullptr;
    QAction *m_scale = nullptr;
    QAction *m_drain = nullptr;
    QAction *m_rooms = nullptr;
    QAction *m_wholeFleet = nullptr;
    QAction *m_pause = nullptr;
    QAction *m_dark = nullptr;
    QAction *m_findEvents = nullptr;
    QActionGroup *m_windowGroup = nullptr;
    QAction *m_window5m = nullptr;
    QAction *m_window1h = nullptr;
    QAction *m_window24h = nullptr;

    QPointer<CleanupDialog> m_cleanupDialog;
    QPointer<ScaleDialog> m_scaleDialog;
    QPointer<DrainDialog> m_drainDialog;
    QPointer<RoomsDialog> m_roomsDialog;
    QPointer<WorkerActionDialog> m_workerDialog;
    bool m_choseInstance = false; // the operator (or the first auth) chose what to show
};

} // namespace arena::console
