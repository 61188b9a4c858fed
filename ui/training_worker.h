#pragma once
// Runs training on a worker thread: a QObject moved to a QThread, its own store connection,
// progress back to the GUI by queued signals, cancellation by a flag checked between batches.
#include "metatypes.h"
#include "worker_thread.h"

#include <QString>
#include <QVariantMap>

namespace adapterlab::ui {

class TrainingWorker : public CancellableWorker {
    Q_OBJECT
public:
    explicit TrainingWorker(QObject* parent = nullptr) : CancellableWorker(parent) {}

public Q_SLOTS:
    /// Trains `config` into the experiment file `dbPath` (runs on the worker's thread).
    void train(const adapterlab::train::RunConfig& config, const QString& dbPath);
    /// Continues stored run `runId` from its last epoch checkpoint (or from the start without one).
    void resume(qint64 runId, const QString& dbPath);
    /// Runs (or resumes) sweep `sweepId` of the experiment file; progress per finished run.
    void sweep(qint64 sweepId, const QString& dbPath);

Q_SIGNALS:
    void started();
    void stepped(qint64 step, qint64 total, int epoch, double loss, double learningRate,
                 double examplesPerSecond, double etaSeconds);
    void evaluated(int epoch, double score, const QVariantMap& metrics, bool best);
    /// status: finished, cancelled or failed (with the error message).
    void done(qint64 runId, const QString& status, const QString& error);
    /// A sweep run ended: `done` of `total` runs are over.
    void sweepProgress(int done, int total, qint64 runId);
    void sweepDone(qint64 sweepId, const QString& status);
};

} // namespace adapterlab::ui
