#pragma once
// Computes a run's layer ablation on a worker thread (see WorkerThread): its own store
// connection, the end back by queued signals, cancellable between batches with nothing stored.
#include "worker_thread.h"

#include <QString>

namespace adapterlab::ui {

class AblationWorker : public CancellableWorker {
    Q_OBJECT
public:
    using CancellableWorker::CancellableWorker;

public Q_SLOTS:
    /// Computes and stores the matrix of run `runId` of the experiment file `dbPath`.
    void ablate(qint64 runId, const QString& dbPath);

Q_SIGNALS:
    /// `done` of `total` dev batches are through every span.
    void progressed(qint64 runId, int done, int total);
    /// The matrix is stored.
    void computed(qint64 runId);
    /// Stopped by cancel(): nothing stored, the run keeps the matrix it had.
    void cancelled(qint64 runId);
    void failed(qint64 runId, const QString& error);
};

} // namespace adapterlab::ui
