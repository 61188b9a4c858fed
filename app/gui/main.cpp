// adapterlab: the desktop workbench. main() only wires the application and the main window.
#include "main_window.h"
#include "result_plot.h"
#include "util/allocator.h"

#include <ATen/Parallel.h>

#include <QApplication>
#include <QComboBox>
#include <QCommandLineParser>
#include <QIcon>
#include <QPainter>
#include <QPixmap>
#include <QSvgRenderer>
#include <QThread>
#include <QTimer>

namespace {

// Pixmaps from the SVG at the usual sizes, so the icon needs no image-format plugin.
QIcon appIcon() {
    QSvgRenderer svg(QStringLiteral(":/adapterlab.svg"));
    QIcon icon;
    for (int size : {16, 24, 32, 48, 64, 128, 256}) {
        QPixmap pm(size, size);
        pm.fill(Qt::transparent);
        QPainter p(&pm);
        p.setRenderHint(QPainter::Antialiasing);
        svg.render(&p);
        p.end();
        icon.addPixmap(pm);
    }
    return icon;
}

// --help and --version answer without a display, so they need no GUI application.
bool infoOnly(int argc, char** argv) {
    for (int i = 1; i < argc; ++i) {
        const QByteArray a(argv[i]);
        if (a == "--help" || a == "-h" || a == "--version" || a == "-v") return true;
    }
    return false;
}

void describe(QCommandLineParser& cli, const QList<QCommandLineOption>& options) {
    cli.setApplicationDescription("AdapterLab: bottleneck adapters for BERT");
    cli.addHelpOption();
    cli.addVersionOption();
    cli.addOptions(options);
    cli.addPositionalArgument("experiment", "Experiment file to open (default: the last one).",
                              "[experiment.alab]");
}

} // namespace

int main(int argc, char** argv) {
    adapterlab::tuneAllocatorForTraining();
    QCommandLineParser cli;
    QCommandLineOption quitAfter("quit-after", "Quit MS milliseconds after the window is shown "
                                               "(smoke tests of an installation).", "MS");
    QCommandLineOption exportTradeoff(
        "export-tradeoff",
        "Write the experiment's trade-off plot (as the Trade-off tab draws it) to FILE "
        "(.png or .pdf) and quit: figures for papers, headless with QT_QPA_PLATFORM=offscreen.",
        "FILE");
    QCommandLineOption task("task", "The task of --export-tradeoff (default: the first).", "NAME");
    describe(cli, {quitAfter, exportTradeoff, task});
    if (infoOnly(argc, argv)) {
        QCoreApplication info(argc, argv);
        QCoreApplication::setApplicationVersion(ADAPTERLAB_VERSION);
        cli.process(info); // prints and exits
        return 0;
    }
    QApplication app(argc, argv);
    QApplication::setApplicationName("AdapterLab");
    QApplication::setOrganizationName("AdapterLab");
    QApplication::setApplicationVersion(ADAPTERLAB_VERSION);
    QApplication::setDesktopFileName("io.github.adapterlab.adapterlab");
    QApplication::setWindowIcon(appIcon());
    cli.process(app);

    at::set_num_threads(std::max(1, QThread::idealThreadCount())); // LibTorch starts with 1 here
    adapterlab::ui::MainWindow window;
    if (!cli.positionalArguments().isEmpty()) window.openExperiment(cli.positionalArguments().first());
    window.show();
    if (cli.isSet(exportTradeoff)) {
        if (cli.positionalArguments().isEmpty()) {
            std::fprintf(stderr, "adapterlab: --export-tradeoff needs an experiment file\n");
            return 2;
        }
        auto* plot = window.tradeoffPlot();
        if (cli.isSet(task)) {
            const int i = plot->taskSelector()->findText(cli.value(task));
            if (i < 0) {
                std::fprintf(stderr,
                             "adapterlab: the experiment has no finished runs of task '%s'\n",
                             qPrintable(cli.value(task)));
                return 1;
            }
            plot->taskSelector()->setCurrentIndex(i);
        }
        const QString file = cli.value(exportTradeoff);
        const bool ok = file.endsWith(".pdf") ? plot->exportPdf(file) : plot->exportPng(file);
        if (!ok) std::fprintf(stderr, "adapterlab: could not write %s\n", qPrintable(file));
        return ok ? 0 : 1;
    }
    if (cli.isSet(quitAfter)) {
        bool ok = false;
        const int ms = cli.value(quitAfter).toInt(&ok);
        if (!ok || ms < 0) {
            std::fprintf(stderr, "adapterlab: --quit-after needs milliseconds, got '%s'\n",
                         qPrintable(cli.value(quitAfter)));
            return 2;
        }
        QTimer::singleShot(ms, &window, &QWidget::close);
    }
    return QApplication::exec();
}
