#include "ablation_worker.h"

#include "experiments/run_job.h"

namespace adapterlab::ui {

void AblationWorker::ablate(qint64 runId, const QString& dbPath) {
    beginJob();
    try {
        store::Store store(dbPath.toStdString());
        const auto rows = experiments::ablateRun(
            store, runId,
            [this, runId](int done, int total) { Q_EMIT progressed(runId, done, total); }, nullptr,
            nullptr, &cancel_);
        // Only a cancelled ablation returns no rows: a stored one has the intact model's.
        if (rows.empty())
            Q_EMIT cancelled(runId);
        else
            Q_EMIT computed(runId);
    } catch (const std::exception& e) {
        Q_EMIT failed(runId, QString::fromUtf8(e.what()));
    }
}

} // namespace adapterlab::ui
