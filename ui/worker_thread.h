#pragma once
// One place for a background job's thread: a worker QObject on a QThread of its own, a cancel
// flag its jobs hand to the core, and a stop that cancels, quits and waits. The object that
// owns a WorkerThread owns the job: nothing outlives it or is left detached.
#include <QObject>
#include <QPointer>

#include <atomic>
#include <memory>

class QThread;

namespace adapterlab::ui {

/// Base of the workers: their jobs (slots run on the worker's thread) check the cancel flag.
class CancellableWorker : public QObject {
    Q_OBJECT
public:
    using QObject::QObject;

    /// Thread-safe: asks the running (or queued) job to stop after the current batch.
    void cancel() { cancel_.store(true); }
    /// Called by the owner just before it queues a job: forgets an earlier job's cancel (not a
    /// shutdown). A Cancel pressed while the job waits to start is therefore kept.
    void arm();

protected:
    /// Called by each job as it starts: a shutdown cancels it (a close right after a launch
    /// must not let the queued job run in full).
    void beginJob();
    /// What the jobs pass to the core (`&cancel_`), checked between batches.
    std::atomic<bool> cancel_{false};

private:
    friend class WorkerThread;
    void shutdown();
    std::atomic<bool> shutdown_{false};
};

/// Owns the thread of one worker. Not copyable; stop() (or the destructor) ends it for good.
class WorkerThread {
public:
    WorkerThread();
    ~WorkerThread();
    WorkerThread(const WorkerThread&) = delete;
    WorkerThread& operator=(const WorkerThread&) = delete;

    /// Moves `worker` (without a parent) to a new thread and starts the thread; the worker is
    /// deleted on its thread when the thread ends. Once per WorkerThread. Returns `worker`.
    template <class W> W* start(W* worker) {
        startThread(worker);
        return worker;
    }
    /// Cancels the running job, ends the thread's event loop and waits for the thread (and so
    /// for the job: the current batch at most). A job still queued runs cancelled, if at all.
    /// Idempotent.
    void stop();
    /// False before start() and after stop().
    bool isRunning() const;

private:
    void startThread(CancellableWorker* worker);
    std::unique_ptr<QThread> thread_;
    QPointer<CancellableWorker> worker_;
};

} // namespace adapterlab::ui
