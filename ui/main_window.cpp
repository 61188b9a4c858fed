#include "main_window.h"

#include "engine_info.h"

#include <QApplication>
#include <QLabel>
#include <QMenuBar>
#include <QMessageBox>
#include <QVBoxLayout>

namespace adapterlab::ui {

MainWindow::MainWindow(QWidget* parent) : QMainWindow(parent) {
    setWindowTitle(tr("AdapterLab"));
    setObjectName("MainWindow");

    auto* central = new QWidget(this);
    auto* layout = new QVBoxLayout(central);
    auto* title = new QLabel(tr("<h1>AdapterLab</h1>"), central);
    auto* what = new QLabel(
        tr("A workbench for parameter-efficient transfer learning with bottleneck adapters "
           "(Houlsby et al., 2019): train adapters, full fine-tuning, top-k layers, LayerNorm-only "
           "and head-only baselines on BERT backbones and compare what each costs in trainable "
           "parameters against what it gains in accuracy."),
        central);
    what->setWordWrap(true);
    auto* engine = new QLabel(engineSummary(), central);
    engine->setObjectName("engineSummary");
    layout->addWidget(title);
    layout->addWidget(what);
    layout->addWidget(engine);
    layout->addStretch(1);
    setCentralWidget(central);

    auto* file = menuBar()->addMenu(tr("&File"));
    file->addAction(tr("&Quit"), QKeySequence::Quit, qApp, &QApplication::quit);
    auto* help = menuBar()->addMenu(tr("&Help"));
    help->addAction(tr("&About AdapterLab"), this, &MainWindow::showAbout);
    resize(720, 420);
}

QString MainWindow::engineSummary() {
    const EngineInfo e = engineInfo();
    return tr("Engine: LibTorch %1 on %2, %3 threads")
        .arg(QString::fromStdString(e.torchVersion), QString::fromStdString(e.device))
        .arg(e.threads);
}

void MainWindow::showAbout() {
    QMessageBox::about(this, tr("About AdapterLab"),
                       tr("<b>AdapterLab %1</b><br>%2<br>License: MIT")
                           .arg(QStringLiteral(ADAPTERLAB_VERSION), engineSummary()));
}

} // namespace adapterlab::ui
