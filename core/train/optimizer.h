#pragma once
// The paper's optimizer, one recipe for fine-tuning, pre-training and the benchmark: AdamW
// (β 0.9/0.999, ε 1e-6) with weight decay on weights, never on LayerNorm parameters or biases.
#include <torch/optim/adamw.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace adapterlab::train {

/// Whether weight decay applies to the parameter `name`: not to LayerNorm parameters (a name
/// holding "LayerNorm.") nor to any bias ("bias" itself, as the MLM head's, or ".bias" at the
/// end), with or without the "bert." prefix; as in BERT's recipe and the Python reference.
bool decaysWeight(const std::string& name);

/// AdamW over `named` in two groups: the decaying parameters with `weightDecay`, then the others
/// without; each group keeps `named`'s order. Saved optimizer states are matched by position,
/// so the order is part of the checkpoint format.
std::unique_ptr<torch::optim::AdamW>
makeAdamW(const std::vector<std::pair<std::string, torch::Tensor>>& named, double lr,
          double weightDecay);

/// Sets the learning rate of every parameter group (the schedule's value for the next step).
void setLearningRate(torch::optim::Optimizer& optimizer, double lr);

} // namespace adapterlab::train
