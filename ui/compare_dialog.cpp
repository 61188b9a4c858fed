#include "compare_dialog.h"

#include "qcp.h"

#include <QHeaderView>
#include <QSplitter>
#include <QTableWidget>
#include <QVBoxLayout>

#include <set>

namespace adapterlab::ui {

CompareDialog::CompareDialog(store::Store& store, const std::vector<int64_t>& runIds, QWidget* parent)
    : QDialog(parent) {
    setWindowTitle(tr("Compare runs"));
    std::vector<store::RunRecord> runs;
    for (auto id : runIds) runs.push_back(store.run(id));
    // Rows: every setting of any run plus the results.
    std::set<std::string> keys;
    for (const auto& r : runs)
        for (const auto& [k, v] : r.configJson.items())
            keys.insert(k);
    std::vector<std::pair<std::string, std::vector<std::string>>> rows;
    for (const auto& k : keys) {
        std::vector<std::string> values;
        for (const auto& r : runs)
            values.push_back(r.configJson.contains(k) ? r.configJson[k].dump() : "—");
        rows.emplace_back(k, values);
    }
    const auto add = [&](const char* name, auto get) {
        std::vector<std::string> values;
        for (const auto& r : runs) values.push_back(get(r));
        rows.emplace_back(name, values);
    };
    add("status", [](const store::RunRecord& r) { return std::string(store::toString(r.status)); });
    add("trainable parameters", [](const store::RunRecord& r) { return std::to_string(r.paramsTrainable); });
    add("best dev", [](const store::RunRecord& r) { return r.mainMetric + " " + std::to_string(r.bestScore); });
    add("best epoch", [](const store::RunRecord& r) { return std::to_string(r.bestEpoch); });

    table_ = new QTableWidget(static_cast<int>(rows.size()), static_cast<int>(runs.size()));
    table_->setObjectName("compareTable");
    QStringList headers;
    for (const auto& r : runs) headers << tr("run %1").arg(r.id);
    table_->setHorizontalHeaderLabels(headers);
    for (int i = 0; i < static_cast<int>(rows.size()); ++i) {
        const auto& [name, values] = rows[static_cast<size_t>(i)];
        table_->setVerticalHeaderItem(i, new QTableWidgetItem(QString::fromStdString(name)));
        const bool differs = std::set<std::string>(values.begin(), values.end()).size() > 1;
        if (differs) differences_ << QString::fromStdString(name);
        for (int c = 0; c < static_cast<int>(values.size()); ++c) {
            auto* item = new QTableWidgetItem(QString::fromStdString(values[static_cast<size_t>(c)]));
            if (differs) item->setBackground(QColor(255, 236, 179));
            table_->setItem(i, c, item);
        }
    }
    table_->horizontalHeader()->setSectionResizeMode(QHeaderView::Stretch);

    plot_ = new QCustomPlot;
    plot_->setObjectName("comparePlot");
    plot_->legend->setVisible(true);
    plot_->xAxis->setLabel(tr("step"));
    plot_->yAxis->setLabel(tr("training loss (smoothed)"));
    plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
    static const QColor palette[] = {QColor(214, 39, 40), QColor(31, 119, 180), QColor(44, 160, 44),
                                     QColor(148, 103, 189), QColor(255, 127, 14), QColor(127, 127, 127)};
    for (size_t i = 0; i < runs.size(); ++i) {
        QVector<double> x, y;
        double ema = 0;
        for (const auto& s : store.steps(runs[i].id)) {
            ema = x.isEmpty() ? s.loss : 0.9 * ema + 0.1 * s.loss;
            x << static_cast<double>(s.step);
            y << ema;
        }
        auto* g = plot_->addGraph();
        g->setData(x, y, true);
        g->setPen(QPen(palette[i % 6], 2));
        g->setName(tr("run %1").arg(runs[i].id));
    }
    plot_->rescaleAxes();
    auto* split = new QSplitter(Qt::Vertical);
    split->addWidget(table_);
    split->addWidget(plot_);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(split);
    resize(900, 700);
}

} // namespace adapterlab::ui
