#include "result_plot.h"

#include "plot_export.h"
#include "qcp.h"

#include <QComboBox>
#include <QFile>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QToolTip>
#include <QVBoxLayout>

#include <map>
#include <set>
#include <tuple>

namespace adapterlab::ui {
namespace {

QColor methodColor(train::Method m) {
    return QColor(QRgb(train::methodInfo(m).color));
}

QString methodLabel(train::Method m) {
    return QObject::tr(train::methodInfo(m).series.c_str());
}

} // namespace

ResultPlot::ResultPlot(experiments::Table table, QWidget* parent) : QWidget(parent), table_(table) {
    task_ = new QComboBox;
    task_->setObjectName("taskSelector");
    plot_ = new QCustomPlot;
    plot_->setObjectName("resultPlot");
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    plot_->legend->setVisible(true);
    plot_->axisRect()->insetLayout()->setInsetAlignment(0, Qt::AlignBottom | Qt::AlignRight);
    QSharedPointer<QCPAxisTickerLog> log(new QCPAxisTickerLog);
    plot_->xAxis->setTicker(log);
    plot_->xAxis->setScaleType(QCPAxis::stLogarithmic);
    plot_->xAxis->setNumberFormat("eb");
    plot_->xAxis->setNumberPrecision(0);
    plot_->xAxis->setLabel(table == experiments::Table::Tradeoff ? tr("trainable parameters per task")
                           : table == experiments::Table::Robustness ? tr("adapter init σ")
                                                                     : tr("adapter size m"));
    auto* reset = new QPushButton(tr("Reset view"));
    auto* bar = new QHBoxLayout;
    bar->addWidget(new QLabel(tr("Task")));
    bar->addWidget(task_, 1);
    bar->addWidget(reset);
    addExportButtons(this, bar, [this](const QString& p) { return exportPng(p); },
                     [this](const QString& p) { return exportPdf(p); }, [this](const QString& p) { return exportCsv(p); });
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(bar);
    layout->addWidget(plot_, 1);

    connect(task_, &QComboBox::currentTextChanged, this, &ResultPlot::rebuild);
    connect(reset, &QPushButton::clicked, this, [this] {
        plot_->rescaleAxes();
        plot_->replot();
    });
    connect(plot_, &QCustomPlot::mouseMove, this, &ResultPlot::onMove);
    connect(plot_, &QCustomPlot::mousePress, this, &ResultPlot::onClick);
}

void ResultPlot::setRuns(const std::vector<store::RunRecord>& runs) {
    runs_ = runs;
    const QString current = task_->currentText();
    std::set<std::string> tasks;
    for (const auto& r : experiments::resultTable(runs_, table_)) tasks.insert(r.task);
    QSignalBlocker block(task_);
    task_->clear();
    for (const auto& t : tasks) task_->addItem(QString::fromStdString(t));
    if (task_->findText(current) >= 0) task_->setCurrentText(current);
    rebuild();
}

double ResultPlot::xOf(const experiments::ResultRow& r) const {
    switch (table_) {
    case experiments::Table::Tradeoff: return static_cast<double>(r.trainable);
    case experiments::Table::Robustness: return r.initStd;
    case experiments::Table::Size:
        return static_cast<double>(r.knob);
    }
    return 0;
}

void ResultPlot::rebuild() {
    plot_->clearPlottables();
    rows_.clear();
    if (task_->count() > 0)
        rows_ = experiments::resultTable(runs_, table_, task_->currentText().toStdString());
    // Trade-off: a series per method; robustness: a series per adapter size; size: one series.
    // Runs on a sample of the training split (learning curves) form series of their own.
    struct SeriesKey {
        train::Method method;
        int64_t size;      ///< robustness: the adapter size m of the series
        int64_t trainSize; ///< 0: the whole split
        std::string variant; ///< an architecture variant (train::variantText) draws apart
        bool operator<(const SeriesKey& o) const {
            return std::tie(method, size, trainSize, variant) <
                   std::tie(o.method, o.size, o.trainSize, o.variant);
        }
    };
    std::map<SeriesKey, std::vector<const experiments::ResultRow*>> series;
    for (const auto& r : rows_)
        series[{r.method, table_ == experiments::Table::Robustness ? r.knob : 0, r.trainSize,
                r.variant}]
            .push_back(&r);
    for (auto& [key, pts] : series) {
        std::sort(pts.begin(), pts.end(), [&](auto* a, auto* b) { return xOf(*a) < xOf(*b); });
        QVector<double> x, y, err;
        for (auto* p : pts) {
            x << xOf(*p);
            y << p->mean;
            err << p->std;
        }
        auto* g = plot_->addGraph();
        static const QColor palette[] = {QColor(214, 39, 40), QColor(31, 119, 180), QColor(44, 160, 44),
                                         QColor(148, 103, 189), QColor(255, 127, 14), QColor(127, 127, 127)};
        // Robustness: one colour per adapter size. A sample's series keeps its method's colour,
        // drawn dashed with triangles.
        const QColor color = table_ == experiments::Table::Robustness
                                 ? palette[plot_->graphCount() % 6]
                                 : methodColor(key.method);
        const int64_t sample = key.trainSize;
        const QString base = table_ == experiments::Table::Tradeoff ? methodLabel(key.method)
                             : table_ == experiments::Table::Robustness
                                 ? tr("Adapters m=%1").arg(key.size)
                                 : tr("Adapters");
        const QString name =
            base + (key.variant.empty() ? QString() : " · " + QString::fromStdString(key.variant));
        g->setName(sample > 0
                       ? tr("%1, %2 examples").arg(name, QLocale().toString(qlonglong(sample)))
                       : name);
        g->setPen(QPen(color, 2,
                       sample > 0             ? Qt::DashLine
                       : !key.variant.empty() ? Qt::DashDotLine
                                              : Qt::SolidLine));
        g->setScatterStyle(
            QCPScatterStyle(sample > 0 ? QCPScatterStyle::ssTriangle : QCPScatterStyle::ssCircle,
                            color, Qt::white, 8));
        g->setData(x, y, true);
        auto* bars = new QCPErrorBars(plot_->xAxis, plot_->yAxis);
        bars->removeFromLegend();
        bars->setDataPlottable(g);
        bars->setData(err);
        bars->setPen(QPen(color));
    }
    const std::string metric = rows_.empty() ? "metric" : rows_.front().metric;
    plot_->yAxis->setLabel(tr("dev %1 (mean ± std over seeds)").arg(QString::fromStdString(metric)));
    plot_->rescaleAxes();
    if (!rows_.empty()) {
        const auto r = plot_->xAxis->range();
        plot_->xAxis->setRange(r.lower / 2, r.upper * 2);
        const auto y = plot_->yAxis->range();
        const double pad = std::max(0.02, y.size() * 0.1);
        plot_->yAxis->setRange(y.lower - pad, y.upper + pad);
    }
    plot_->replot();
}

int ResultPlot::pointAt(const QPoint& pos) const {
    int best = -1;
    double bestDist = 12 * 12; // pixels²
    for (size_t i = 0; i < rows_.size(); ++i) {
        const double px = plot_->xAxis->coordToPixel(xOf(rows_[i]));
        const double py = plot_->yAxis->coordToPixel(rows_[i].mean);
        const double d = (px - pos.x()) * (px - pos.x()) + (py - pos.y()) * (py - pos.y());
        if (d < bestDist) {
            bestDist = d;
            best = static_cast<int>(i);
        }
    }
    return best;
}

void ResultPlot::onMove(QMouseEvent* e) {
    const int i = pointAt(e->pos());
    if (i < 0) {
        QToolTip::hideText();
        return;
    }
    const auto& r = rows_[static_cast<size_t>(i)];
    QString ids;
    for (auto id : r.runIds) ids += (ids.isEmpty() ? "" : ", ") + QString::number(id);
    QToolTip::showText(
        plot_->mapToGlobal(e->pos()),
        tr("<b>%1</b> %2<br>%3 trainable (%4%)<br>%5 %6 ± %7 (best %8, %9 seeds)<br>lr %10, %11 "
           "epochs%12<br>runs %13")
            .arg(methodLabel(r.method))
            .arg(QString::fromStdString(train::knobText(r.method, r.knob)))
            .arg(QLocale().toString(qlonglong(r.trainable)))
            .arg(r.percent, 0, 'f', 2)
            .arg(QString::fromStdString(r.metric))
            .arg(r.mean, 0, 'f', 4)
            .arg(r.std, 0, 'f', 4)
            .arg(r.best, 0, 'f', 4)
            .arg(r.seeds)
            .arg(r.learningRate, 0, 'g', 3)
            .arg(r.epochs)
            .arg(r.trainSize > 0 ? tr(", %1 training examples").arg(r.trainSize) : QString())
            .arg(ids),
        plot_);
}

void ResultPlot::onClick(QMouseEvent* e) {
    const int i = pointAt(e->pos());
    if (i >= 0 && !rows_[static_cast<size_t>(i)].runIds.empty()) Q_EMIT runSelected(rows_[static_cast<size_t>(i)].runIds.front());
}

bool ResultPlot::exportPng(const QString& path) { return plot_->savePng(path, 1200, 800); }
bool ResultPlot::exportPdf(const QString& path) { return plot_->savePdf(path, 1200, 800); }

bool ResultPlot::exportCsv(const QString& path) const { return writeTextFile(path, experiments::toCsv(rows_)); }

} // namespace adapterlab::ui
