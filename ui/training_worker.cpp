#include "training_worker.h"

#include "experiments/run_job.h"
#include "experiments/sweep.h"

namespace adapterlab::ui {
namespace {

// Turns observer callbacks (training thread) into the worker's signals (queued to the GUI).
class SignalObserver : public train::TrainObserver {
public:
    explicit SignalObserver(TrainingWorker* w) : w_(w) {}
    void onStep(const train::StepInfo& s) override {
        Q_EMIT w_->stepped(s.step, s.totalSteps, s.epoch, s.loss, s.learningRate, s.examplesPerSecond, s.etaSeconds);
    }
    void onEval(const train::EvalInfo& e) override {
        QVariantMap m;
        for (const auto& [k, v] : e.metrics) m.insert(QString::fromStdString(k), v);
        Q_EMIT w_->evaluated(e.epoch, e.score, m, e.best);
    }

private:
    TrainingWorker* w_;
};

} // namespace

void TrainingWorker::train(const train::RunConfig& config, const QString& dbPath) {
    beginJob();
    Q_EMIT started();
    SignalObserver observer(this);
    int64_t id = 0;
    try {
        store::Store store(dbPath.toStdString());
        store.markInterrupted();
        id = experiments::runTraining(store, config, &observer, &cancel_);
        const auto r = store.run(id);
        Q_EMIT done(id, QString::fromLatin1(store::toString(r.status)), QString());
    } catch (const std::exception& e) {
        Q_EMIT done(id, QString::fromLatin1(store::toString(store::RunStatus::Failed)), QString::fromUtf8(e.what()));
    }
}

void TrainingWorker::resume(qint64 runId, const QString& dbPath) {
    beginJob();
    Q_EMIT started();
    SignalObserver observer(this);
    try {
        store::Store store(dbPath.toStdString());
        experiments::resumeRun(store, runId, &observer, &cancel_);
        Q_EMIT done(runId, QString::fromLatin1(store::toString(store.run(runId).status)),
                    QString());
    } catch (const std::exception& e) {
        Q_EMIT done(runId, QString::fromLatin1(store::toString(store::RunStatus::Failed)), QString::fromUtf8(e.what()));
    }
}

void TrainingWorker::sweep(qint64 sweepId, const QString& dbPath) {
    beginJob();
    Q_EMIT started();
    SignalObserver observer(this);
    try {
        store::Store store(dbPath.toStdString());
        experiments::runSweep(store, sweepId, &observer, &cancel_, [this](const experiments::SweepProgress& p) {
            Q_EMIT sweepProgress(p.done, p.total, p.runId);
        });
        // The sweep's own status: finished, cancelled or interrupted.
        QString status = "unknown";
        for (const auto& sw : store.sweeps())
            if (sw.id == sweepId) status = QString::fromLatin1(store::toString(sw.status));
        Q_EMIT sweepDone(sweepId, status);
    } catch (const std::exception& e) {
        Q_EMIT sweepDone(sweepId, QString::fromLatin1(store::toString(store::RunStatus::Failed)) + ": " + QString::fromUtf8(e.what()));
    }
}

} // namespace adapterlab::ui
