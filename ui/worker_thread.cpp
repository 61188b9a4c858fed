#include "worker_thread.h"

#include <QThread>

namespace adapterlab::ui {

void CancellableWorker::arm() {
    cancel_.store(false);
    // Read after the reset: a shutdown that raced it stored shutdown_ before its cancel_, so
    // either it is seen here or its cancel_ lands after the reset.
    if (shutdown_.load()) cancel_.store(true);
}

void CancellableWorker::beginJob() {
    if (shutdown_.load()) cancel_.store(true);
}

void CancellableWorker::shutdown() {
    shutdown_.store(true);
    cancel_.store(true);
}

WorkerThread::WorkerThread() = default;

WorkerThread::~WorkerThread() {
    stop();
}

void WorkerThread::startThread(CancellableWorker* worker) {
    Q_ASSERT(!thread_ && worker && !worker->parent());
    thread_ = std::make_unique<QThread>();
    worker_ = worker;
    worker->moveToThread(thread_.get());
    QObject::connect(thread_.get(), &QThread::finished, worker, &QObject::deleteLater);
    thread_->start();
}

void WorkerThread::stop() {
    if (!thread_) return;
    // The worker lives until its thread has finished, and that is after quit() below.
    if (worker_) worker_->shutdown();
    thread_->quit();
    thread_->wait();
}

bool WorkerThread::isRunning() const {
    return thread_ && thread_->isRunning();
}

} // namespace adapterlab::ui
