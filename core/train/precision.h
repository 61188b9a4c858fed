#pragma once
// The arithmetic a run computes in (no torch here: the form, the CLI and the store read it).
#include <string>
#include <vector>

namespace adapterlab::train {

/// fp32: plain float32. tf32: float32 storage, TF32 tensor-core matrix products (CUDA, Ampere+).
/// bf16 / fp16: autocast forward passes in that type with float32 master weights and optimizer
/// state; fp16 adds dynamic loss scaling. auto: bf16 on a GPU that has it, else fp32.
enum class Precision { Auto, Fp32, Tf32, Bf16, Fp16 };

std::string toString(Precision p);
/// Throws Error naming the accepted values.
Precision parsePrecision(const std::string& name);
/// Every value, "auto" first (the form's choices, the CLI's help).
const std::vector<Precision>& allPrecisions();

} // namespace adapterlab::train
