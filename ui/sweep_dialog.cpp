#include "sweep_dialog.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

#include <cmath>

namespace adapterlab::ui {

SweepDialog::SweepDialog(const train::RunConfig& base, int numLayers, double secondsPerEpoch, QWidget* parent)
    : QDialog(parent), base_(base), numLayers_(numLayers), secondsPerEpoch_(secondsPerEpoch) {
    setWindowTitle(tr("New sweep"));
    preset_ = new QComboBox;
    for (const auto& p : experiments::presetNames()) preset_->addItem(QString::fromStdString(p));
    editor_ = new QPlainTextEdit;
    editor_->setObjectName("planEditor");
    editor_->setFont(QFont("monospace"));
    summary_ = new QLabel;
    summary_->setObjectName("sweepSummary");
    summary_->setWordWrap(true);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Cancel);
    launch_ = buttons->addButton(tr("Launch sweep"), QDialogButtonBox::AcceptRole);
    auto* top = new QHBoxLayout;
    top->addWidget(new QLabel(tr("Preset")));
    top->addWidget(preset_, 1);
    auto* layout = new QVBoxLayout(this);
    layout->addLayout(top);
    layout->addWidget(new QLabel(tr("Plan (JSON: a base and grids over any run setting; edit freely)")));
    layout->addWidget(editor_, 1);
    layout->addWidget(summary_);
    layout->addWidget(buttons);
    connect(preset_, &QComboBox::currentTextChanged, this, &SweepDialog::fillFromPreset);
    connect(editor_, &QPlainTextEdit::textChanged, this, &SweepDialog::reparse);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    resize(640, 560);
    fillFromPreset();
}

void SweepDialog::fillFromPreset() {
    // The form's settings are the base; the preset's axes are left free (not fixed by the base).
    const auto name = preset_->currentText().toStdString();
    nlohmann::json base = base_.toJson();
    for (const auto& free : experiments::presetAxes(name))
        base.erase(free);
    const auto plan = experiments::presetPlan(name, base, numLayers_);
    editor_->setPlainText(QString::fromStdString(plan.toJson().dump(2)));
}

void SweepDialog::reparse() {
    plan_.reset();
    try {
        const auto j = nlohmann::json::parse(editor_->toPlainText().toStdString());
        auto plan = experiments::SweepPlan::fromJson(j);
        const auto runs = plan.expand();
        int epochs = 0;
        for (const auto& r : runs) epochs += r.epochs;
        const double seconds = secondsPerEpoch_ * epochs;
        const QString estimate = secondsPerEpoch_ <= 0 ? tr("unknown until a run on this backbone has finished")
                                 : seconds < 60        ? tr("under a minute")
                                 : seconds < 3600      ? tr("about %1 min").arg(std::lround(seconds / 60))
                                                       : tr("about %1 h").arg(seconds / 3600.0, 0, 'f', 1);
        summary_->setText(tr("<b>%1 runs</b> (%2 epochs in all); estimated time %3").arg(runs.size()).arg(epochs).arg(estimate));
        summary_->setStyleSheet({});
        plan_ = plan;
    } catch (const std::exception& e) {
        summary_->setText(QString::fromUtf8(e.what()));
        summary_->setStyleSheet("color: #c0392b;");
    }
    launch_->setEnabled(plan_.has_value());
}

} // namespace adapterlab::ui
