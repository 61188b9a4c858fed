#pragma once
// The observer that records a run's progress in the experiment file (used by every stored run;
// public so that the overhead benchmark times exactly what a stored run does).
#include "store/store.h"
#include "train/observer.h"

#include <chrono>
#include <vector>

namespace adapterlab::experiments {

// Buffers step rows and writes them in short transactions, so the store costs little time and a
// reader sees progress within about a second.
class StoreRecorder : public train::TrainObserver {
public:
    StoreRecorder(store::Store& store, int64_t runId, train::TrainObserver* next)
        : store_(store), runId_(runId), next_(next) {}
    ~StoreRecorder() override {
        try {
            flush();
        } catch (...) {
            // Destructors must not throw; the run's end is recorded separately.
        }
    }

    void onStep(const train::StepInfo& s) override {
        buffer_.push_back({s.step, s.epoch, s.loss, s.learningRate, s.examplesPerSecond});
        if (buffer_.size() >= 64 ||
            std::chrono::steady_clock::now() - lastFlush_ > std::chrono::seconds(1))
            flush();
        if (next_) next_->onStep(s);
    }
    void onEval(const train::EvalInfo& e) override {
        flush();
        store_.addEval(runId_, {"dev", e.epoch, e.step, nlohmann::json(e.metrics), e.score});
        if (next_) next_->onEval(e);
    }
    void flush() {
        store_.appendSteps(runId_, buffer_);
        buffer_.clear();
        lastFlush_ = std::chrono::steady_clock::now();
    }

private:
    store::Store& store_;
    int64_t runId_;
    train::TrainObserver* next_;
    std::vector<store::StepRow> buffer_;
    std::chrono::steady_clock::time_point lastFlush_ = std::chrono::steady_clock::now();
};

} // namespace adapterlab::experiments
