#pragma once
// The live view of a training run: progress with ETA, loss (raw faded, smoothed on top),
// learning rate and dev-metric curves, throughput, and Cancel.
#include <QVariantMap>
#include <QWidget>

class QCustomPlot;
class QLabel;
class QProgressBar;
class QPushButton;
class QSlider;

namespace adapterlab::ui {

class RunView : public QWidget {
    Q_OBJECT
public:
    explicit RunView(QWidget* parent = nullptr);

    QPushButton* cancelButton() const { return cancel_; }
    QCustomPlot* lossPlot() const { return loss_; }
    QCustomPlot* metricPlot() const { return metric_; }
    int pointCount() const { return static_cast<int>(raw_.size()); }

    /// Starts a fresh view for a new run.
    void reset(const QString& title);
    /// Shows a stored run's curves (steps and evaluations).
    void showCurves(const QString& title, const QVector<double>& steps, const QVector<double>& losses,
                    const QVector<double>& evalSteps, const QVector<double>& evalScores);

public Q_SLOTS:
    void onStep(qint64 step, qint64 total, int epoch, double loss, double learningRate,
                double examplesPerSecond, double etaSeconds);
    void onEval(int epoch, double score, const QVariantMap& metrics, bool best);
    void onDone(qint64 runId, const QString& status, const QString& error);

private:
    void replot();

    QLabel *title_, *status_;
    QProgressBar* progress_;
    QPushButton* cancel_;
    QSlider* smoothing_;
    QCustomPlot *loss_, *metric_;
    QVector<double> steps_, raw_, evalSteps_, evalScores_;
    qint64 lastStep_ = 0;
};

} // namespace adapterlab::ui
