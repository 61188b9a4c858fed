#pragma once
// Sets up a sweep: a preset (or a hand-edited plan) over the form's run settings, with the number
// of runs and an estimate of the time before launch.
#include "experiments/sweep.h"

#include <QDialog>

#include <optional>

class QComboBox;
class QLabel;
class QPlainTextEdit;
class QPushButton;

namespace adapterlab::ui {

class SweepDialog : public QDialog {
    Q_OBJECT
public:
    /// `base`: the form's run settings; `secondsPerEpoch`: measured on earlier runs (<= 0: unknown).
    SweepDialog(const train::RunConfig& base, int numLayers, double secondsPerEpoch, QWidget* parent = nullptr);

    std::optional<experiments::SweepPlan> plan() const { return plan_; }
    QComboBox* presetSelector() const { return preset_; }
    QPlainTextEdit* planEditor() const { return editor_; }
    QLabel* summary() const { return summary_; }
    QPushButton* launchButton() const { return launch_; }

private:
    void fillFromPreset();
    void reparse();

    train::RunConfig base_;
    int numLayers_;
    double secondsPerEpoch_;
    std::optional<experiments::SweepPlan> plan_;
    QComboBox* preset_;
    QPlainTextEdit* editor_;
    QLabel* summary_;
    QPushButton* launch_;
};

} // namespace adapterlab::ui
