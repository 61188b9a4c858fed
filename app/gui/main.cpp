// adapterlab: the desktop workbench. main() only wires the application and the main window.
#include "main_window.h"

#include <ATen/Parallel.h>

#include <QApplication>
#include <QThread>

int main(int argc, char** argv) {
    QApplication app(argc, argv);
    QApplication::setApplicationName("AdapterLab");
    QApplication::setOrganizationName("AdapterLab");
    QApplication::setApplicationVersion(ADAPTERLAB_VERSION);
    at::set_num_threads(std::max(1, QThread::idealThreadCount())); // LibTorch starts with 1 here
    adapterlab::ui::MainWindow window;
    window.show();
    return QApplication::exec();
}
