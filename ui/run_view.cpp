#include "run_view.h"

#include "qcp.h"

#include <QLabel>

#include <algorithm>
#include <QProgressBar>
#include <QPushButton>
#include <QSlider>
#include <QVBoxLayout>

namespace adapterlab::ui {
namespace {

QString duration(double s) {
    const int t = static_cast<int>(s + 0.5);
    return t >= 3600 ? QString("%1h%2m").arg(t / 3600).arg((t % 3600) / 60, 2, 10, QChar('0'))
                     : QString("%1m%2s").arg(t / 60).arg(t % 60, 2, 10, QChar('0'));
}

void stylePlot(QCustomPlot* p, const QString& x, const QString& y) {
    p->xAxis->setLabel(x);
    p->yAxis->setLabel(y);
    p->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    p->setMinimumHeight(160);
}

} // namespace

RunView::RunView(QWidget* parent) : QWidget(parent) {
    title_ = new QLabel(tr("No run yet: fill in the form and press Launch."));
    title_->setObjectName("runTitle");
    status_ = new QLabel;
    status_->setObjectName("runStatus");
    progress_ = new QProgressBar;
    cancel_ = new QPushButton(tr("Cancel"));
    cancel_->setEnabled(false);
    smoothing_ = new QSlider(Qt::Horizontal);
    smoothing_->setRange(0, 99);
    smoothing_->setValue(80);
    smoothing_->setToolTip(tr("Loss smoothing (exponential moving average)"));
    loss_ = new QCustomPlot;
    loss_->setObjectName("lossPlot");
    stylePlot(loss_, tr("step"), tr("training loss"));
    loss_->addGraph();
    loss_->graph(0)->setPen(QPen(QColor(31, 119, 180, 70)));
    loss_->graph(0)->setName(tr("raw"));
    loss_->addGraph();
    loss_->graph(1)->setPen(QPen(QColor(31, 119, 180), 2));
    loss_->graph(1)->setName(tr("smoothed"));
    metric_ = new QCustomPlot;
    metric_->setObjectName("metricPlot");
    stylePlot(metric_, tr("step"), tr("dev metric"));
    metric_->addGraph();
    metric_->graph(0)->setPen(QPen(QColor(214, 39, 40), 2));
    metric_->graph(0)->setScatterStyle(QCPScatterStyle(QCPScatterStyle::ssCircle, 6));

    auto* top = new QHBoxLayout;
    top->addWidget(progress_, 1);
    top->addWidget(cancel_);
    auto* smooth = new QHBoxLayout;
    smooth->addWidget(new QLabel(tr("Smoothing")));
    smooth->addWidget(smoothing_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(title_);
    layout->addLayout(top);
    layout->addWidget(status_);
    layout->addWidget(loss_, 2);
    layout->addLayout(smooth);
    layout->addWidget(metric_, 1);
    connect(smoothing_, &QSlider::valueChanged, this, &RunView::replot);
}

void RunView::reset(const QString& title) {
    title_->setText(title);
    status_->setText(tr("starting…"));
    progress_->setValue(0);
    steps_.clear();
    raw_.clear();
    evalSteps_.clear();
    evalScores_.clear();
    lastStep_ = 0;
    cancel_->setEnabled(true);
    replot();
}

void RunView::showCurves(const QString& title, const QVector<double>& steps, const QVector<double>& losses,
                         const QVector<double>& evalSteps, const QVector<double>& evalScores) {
    title_->setText(title);
    steps_ = steps;
    raw_ = losses;
    evalSteps_ = evalSteps;
    evalScores_ = evalScores;
    cancel_->setEnabled(false);
    replot();
}

void RunView::onStep(qint64 step, qint64 total, int epoch, double loss, double learningRate,
                     double examplesPerSecond, double etaSeconds) {
    steps_.push_back(static_cast<double>(step));
    raw_.push_back(loss);
    lastStep_ = step;
    progress_->setMaximum(static_cast<int>(total));
    progress_->setValue(static_cast<int>(step));
    status_->setText(tr("epoch %1 · step %2/%3 · loss %4 · lr %5 · %6 examples/s · ETA %7")
                         .arg(epoch)
                         .arg(step)
                         .arg(total)
                         .arg(loss, 0, 'f', 4)
                         .arg(learningRate, 0, 'e', 2)
                         .arg(examplesPerSecond, 0, 'f', 0)
                         .arg(duration(etaSeconds)));
    // Redraw at most every few steps so long runs stay cheap for the GUI thread.
    if (step % 5 == 0 || step == total) replot();
}

void RunView::onEval(int epoch, double score, const QVariantMap& metrics, bool best) {
    evalSteps_.push_back(static_cast<double>(lastStep_));
    evalScores_.push_back(score);
    QStringList parts;
    for (auto it = metrics.begin(); it != metrics.end(); ++it)
        parts << QString("%1 %2").arg(it.key()).arg(it.value().toDouble(), 0, 'f', 4);
    status_->setText(tr("epoch %1 dev: %2%3").arg(epoch).arg(parts.join(", ")).arg(best ? tr(" (best)") : ""));
    replot();
}

void RunView::onDone(qint64 runId, const QString& status, const QString& error) {
    cancel_->setEnabled(false);
    status_->setText(error.isEmpty() ? tr("run %1 %2").arg(runId).arg(status)
                                     : tr("run %1 %2: %3").arg(runId).arg(status, error));
    replot();
}

void RunView::replot() {
    // Exponential moving average of the loss, weight from the slider.
    const double a = smoothing_->value() / 100.0;
    QVector<double> smooth(raw_.size());
    for (int i = 0; i < raw_.size(); ++i) smooth[i] = i == 0 ? raw_[0] : a * smooth[i - 1] + (1 - a) * raw_[i];
    loss_->graph(0)->setData(steps_, raw_, true);
    loss_->graph(1)->setData(steps_, smooth, true);
    loss_->rescaleAxes();
    if (!steps_.isEmpty()) loss_->xAxis->setRange(0, steps_.back() * 1.02); // aligned with the metric plot
    metric_->graph(0)->setData(evalSteps_, evalScores_, true);
    if (!evalScores_.isEmpty()) {
        // Same x as the loss plot; y padded so equal scores do not collapse the range.
        metric_->xAxis->setRange(0, std::max(1.0, steps_.isEmpty() ? evalSteps_.back() : steps_.back()) * 1.02);
        const auto [lo, hi] = std::minmax_element(evalScores_.begin(), evalScores_.end());
        const double pad = std::max(0.02, (*hi - *lo) * 0.1);
        metric_->yAxis->setRange(*lo - pad, *hi + pad);
    }
    loss_->replot(QCustomPlot::rpQueuedReplot);
    metric_->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace adapterlab::ui
