#pragma once
// What a precision setting means on a device: autocast, TF32 and loss scaling for one run.
// Master weights and optimizer state stay float32 in every mode.
#include "train/precision.h"

#include <ATen/core/Tensor.h>
#include <c10/core/Device.h>

#include <cstdint>
#include <vector>

namespace adapterlab::train {

/// A precision resolved for one device.
struct PrecisionPlan {
    Precision precision = Precision::Fp32; ///< never Auto
    c10::Device device{c10::kCPU};
    bool autocast = false; ///< forward passes under autocast in autocastType
    c10::ScalarType autocastType = c10::kFloat;
    bool tf32 = false;        ///< TF32 matrix products (cuBLAS and cuDNN)
    bool lossScaling = false; ///< fp16: dynamic loss scaling
};

/// Resolves `p` on `device` (auto: bf16 on a GPU that has it, else fp32). Throws Error when the
/// device cannot compute in it: tf32 and fp16 need CUDA, bf16 a GPU of compute capability 8.0+
/// or a CPU with native bf16 (AVX512-BF16, AMX or Arm's BF16).
PrecisionPlan planPrecision(Precision p, const c10::Device& device);

/// Whether this CPU computes bf16 natively (its flags in /proc/cpuinfo).
bool cpuHasNativeBf16();

/// Sets LibTorch's process-wide math flags for the plan: TF32 for cuBLAS and cuDNN on only for
/// tf32, cuDNN deterministic and not benchmarking (reproducible algorithm choice).
void applyMathFlags(const PrecisionPlan& plan);

/// Autocast on the plan's device for the scope's lifetime (nothing for fp32/tf32); restores the
/// previous state and drops autocast's weight cache at the end, as torch.autocast does.
class AutocastScope {
public:
    explicit AutocastScope(const PrecisionPlan& plan);
    ~AutocastScope();
    AutocastScope(const AutocastScope&) = delete;
    AutocastScope& operator=(const AutocastScope&) = delete;

private:
    bool active_ = false;
    c10::DeviceType type_ = c10::DeviceType::CPU;
    bool wasEnabled_ = false;
    c10::ScalarType wasType_ = c10::kFloat;
};

/// Dynamic loss scaling as torch.amp.GradScaler does it: the loss is multiplied by the scale
/// before backward; the gradients are divided by it; a step with an inf/NaN gradient is skipped
/// and the scale halves; after `interval` good steps in a row it doubles.
class LossScaler {
public:
    explicit LossScaler(bool enabled, double initScale = 65536.0, int64_t interval = 2000);
    bool enabled() const { return enabled_; }
    /// loss: scalar -> loss · scale (the loss itself when disabled)
    at::Tensor scale(const at::Tensor& loss) const;
    /// Divides the gradients of `params` by the scale in place; false when any gradient is not
    /// finite (the optimizer step must be skipped). Always true when disabled.
    bool unscale(const std::vector<at::Tensor>& params) const;
    /// After a step: backs off on an overflow, grows after `interval` finite steps.
    void update(bool finite);
    double currentScale() const { return scale_; }
    int64_t goodSteps() const { return good_; }
    int64_t skippedSteps() const { return skipped_; }
    /// Checkpointed state (resume continues with the same scale).
    void restore(double scale, int64_t goodSteps, int64_t skippedSteps);

private:
    bool enabled_;
    double scale_;
    int64_t interval_;
    int64_t good_ = 0, skipped_ = 0;
};

} // namespace adapterlab::train
