#include "ablation_view.h"

#include "ablation_worker.h"
#include "experiments/results.h"
#include "plot_export.h"
#include "qcp.h"

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QToolTip>
#include <QVBoxLayout>

#include <cmath>

namespace adapterlab::ui {

AblationView::AblationView(QWidget* parent) : QWidget(parent) {
    title_ = new QLabel(tr("Select a finished adapter run in the Runs table."));
    title_->setObjectName("ablationTitle");
    mode_ = new QComboBox;
    mode_->addItems({tr("Drop of the metric"), tr("Metric")});
    compute_ = new QPushButton(tr("Compute ablation"));
    compute_->setEnabled(false);
    plot_ = new QCustomPlot;
    plot_->setObjectName("ablationPlot");
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->xAxis->setLabel(tr("last ablated layer"));
    plot_->yAxis->setLabel(tr("first ablated layer"));
    map_ = new QCPColorMap(plot_->xAxis, plot_->yAxis);
    map_->setInterpolate(false);
    auto* scale = new QCPColorScale(plot_);
    plot_->plotLayout()->addElement(0, 1, scale);
    map_->setColorScale(scale);
    // Pale (no loss) to dark red (large loss); empty cells show the grey background, so no
    // colour of the scale can be mistaken for "no value".
    QCPColorGradient gradient;
    gradient.setColorStops({{0.0, QColor(255, 245, 235)}, {0.35, QColor(253, 174, 107)},
                            {0.7, QColor(230, 85, 13)}, {1.0, QColor(127, 39, 4)}});
    gradient.setNanHandling(QCPColorGradient::nhTransparent);
    map_->setGradient(gradient);
    plot_->axisRect()->setBackground(QColor(225, 225, 225));
    for (QCPAxis* axis : {plot_->xAxis, plot_->yAxis}) {
        QSharedPointer<QCPAxisTickerFixed> ticker(new QCPAxisTickerFixed);
        ticker->setTickStep(1.0); // one tick per layer
        ticker->setScaleStrategy(QCPAxisTickerFixed::ssMultiples);
        axis->setTicker(ticker);
        axis->grid()->setVisible(false);
    }
    auto* group = new QCPMarginGroup(plot_);
    plot_->axisRect()->setMarginGroup(QCP::msBottom | QCP::msTop, group);
    scale->setMarginGroup(QCP::msBottom | QCP::msTop, group);

    auto* bar = new QHBoxLayout;
    bar->addWidget(title_, 1);
    bar->addWidget(mode_);
    bar->addWidget(compute_);
    addExportButtons(this, bar, [this](const QString& p) { return exportPng(p); },
                     [this](const QString& p) { return exportPdf(p); }, [this](const QString& p) { return exportCsv(p); });
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(plot_, 1);

    connect(mode_, &QComboBox::currentIndexChanged, this, &AblationView::redraw);
    connect(compute_, &QPushButton::clicked, this, [this] {
        if (computing_)
            cancelComputing();
        else
            computeInBackground();
    });
    connect(plot_, &QCustomPlot::mouseMove, this, &AblationView::onMove);

    worker_ = thread_.start(new AblationWorker);
    connect(worker_, &AblationWorker::progressed, this, [this](qint64 id, int done, int total) {
        if (id == run_.id && id == computing_)
            title_->setText(tr("Computing the ablation of run %1… batch %2 of %3")
                                .arg(id)
                                .arg(done)
                                .arg(total));
    });
    connect(worker_, &AblationWorker::computed, this, [this](qint64 id) {
        endJob();
        Q_EMIT computed(id);
    });
    connect(worker_, &AblationWorker::cancelled, this, [this](qint64 id) {
        endJob();
        title_->setText(tr("Ablation of run %1 cancelled; nothing stored.").arg(id));
        Q_EMIT cancelled(id);
    });
    connect(worker_, &AblationWorker::failed, this, [this](qint64, const QString& msg) {
        endJob();
        title_->setText(tr("Ablation failed: %1").arg(msg));
        Q_EMIT failed(msg);
    });
    redraw();
}

void AblationView::setRun(const QString& dbPath, const store::RunRecord& run, const std::vector<store::AblationRow>& rows) {
    dbPath_ = dbPath;
    run_ = run;
    rows_ = rows;
    const bool adapter = run.configError.empty() && run.config.method.hasLayerModules() &&
                         run.status == store::RunStatus::Finished;
    const std::string knob = train::knobText(run.config);
    title_->setText(
        adapter ? tr("Run %1 · %2 · %3%4")
                      .arg(run.id)
                      .arg(QString::fromStdString(experiments::taskDisplayName(run.config.task)))
                      .arg(QString::fromStdString(train::methodInfo(run.config.method.method).name +
                                                  (knob.empty() ? "" : " " + knob)))
                      .arg(rows.empty() ? tr(" · no ablation yet") : QString())
                : tr("Run %1 is not a finished run of a method with per-layer modules (adapters, "
                     "LoRA, prefix, (IA)³): nothing to ablate.")
                      .arg(run.id));
    if (computing_ == run.id) title_->setText(tr("Computing the ablation of run %1…").arg(run.id));
    ablatable_ = adapter;
    updateButton();
    redraw();
}

double AblationView::cellValue(int first, int last) const {
    double intact = NAN;
    for (const auto& r : rows_)
        if (r.first < 0) intact = r.score;
    for (const auto& r : rows_)
        if (r.first == first && r.last == last) return mode_->currentIndex() == 0 ? intact - r.score : r.score;
    return NAN;
}

void AblationView::redraw() {
    int L = 0;
    for (const auto& r : rows_) L = std::max(L, static_cast<int>(r.last) + 1);
    map_->data()->setSize(std::max(L, 1), std::max(L, 1));
    map_->data()->setRange(QCPRange(0, std::max(L - 1, 0)), QCPRange(0, std::max(L - 1, 0)));
    map_->data()->fill(NAN);
    for (int first = 0; first < L; ++first)
        for (int last = first; last < L; ++last) map_->data()->setCell(last, first, cellValue(first, last));
    const QString metric = QString::fromStdString(run_.mainMetric.empty() ? "metric" : run_.mainMetric);
    map_->colorScale()->axis()->setLabel(mode_->currentIndex() == 0 ? tr("drop of dev %1").arg(metric)
                                                                    : tr("dev %1").arg(metric));
    map_->rescaleDataRange(true);
    plot_->xAxis->setRange(-0.5, std::max(L, 1) - 0.5);
    plot_->yAxis->setRange(-0.5, std::max(L, 1) - 0.5);
    plot_->yAxis->setRangeReversed(true); // first layer at the top, as in the paper
    plot_->replot();
}

void AblationView::computeInBackground() {
    if (computing_ || !worker_ || !ablatable_) return;
    computing_ = run_.id;
    updateButton();
    title_->setText(tr("Computing the ablation of run %1…").arg(run_.id));
    // Runs on the worker's thread: the lambda captures values and the worker, never this view.
    worker_->arm();
    QMetaObject::invokeMethod(
        worker_.data(), [w = worker_.data(), id = run_.id, db = dbPath_] { w->ablate(id, db); },
        Qt::QueuedConnection);
}

void AblationView::cancelComputing() {
    if (!computing_ || !worker_) return;
    worker_->cancel();
    compute_->setEnabled(false); // until the worker says it stopped
    title_->setText(tr("Cancelling the ablation of run %1…").arg(computing_));
}

void AblationView::stopWorker() {
    const qint64 was = computing_;
    thread_.stop();
    computing_ = 0;
    if (was) title_->setText(tr("Ablation of run %1 stopped.").arg(was));
    updateButton();
}

void AblationView::endJob() {
    computing_ = 0;
    updateButton();
}

void AblationView::updateButton() {
    compute_->setText(computing_ ? tr("Cancel ablation of run %1").arg(computing_)
                                 : tr("Compute ablation"));
    compute_->setEnabled(worker_ && (computing_ || ablatable_));
}

void AblationView::onMove(QMouseEvent* e) {
    double key = 0, value = 0;
    map_->pixelsToCoords(e->pos(), key, value);
    const int last = static_cast<int>(std::lround(key)), first = static_cast<int>(std::lround(value));
    const double v = cellValue(first, last);
    if (std::isnan(v)) {
        QToolTip::hideText();
        return;
    }
    QToolTip::showText(plot_->mapToGlobal(e->pos()),
                       tr("adapters of layers %1–%2 removed<br>%3: %4").arg(first).arg(last)
                           .arg(mode_->currentIndex() == 0 ? tr("drop") : tr("metric")).arg(v, 0, 'f', 4),
                       plot_);
}

bool AblationView::exportPng(const QString& path) { return plot_->savePng(path, 900, 800); }
bool AblationView::exportPdf(const QString& path) { return plot_->savePdf(path, 900, 800); }

bool AblationView::exportCsv(const QString& path) const { return writeTextFile(path, experiments::ablationCsv(rows_)); }

} // namespace adapterlab::ui
