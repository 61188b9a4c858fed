#pragma once
// The workbench's main window. For now: what the application is, the engine's versions and
// device, and the menus every later view hangs off.
#include <QMainWindow>

namespace adapterlab::ui {

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);

    /// One line naming the engine: LibTorch version, threads and device in use.
    static QString engineSummary();

private:
    void showAbout();
};

} // namespace adapterlab::ui
