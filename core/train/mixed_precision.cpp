#include "train/mixed_precision.h"

#include "train/gpu.h"
#include "util/error.h"
#include "util/torch_compat.h"

#include <ATen/Context.h>
#include <ATen/ops/isfinite.h>
#include <ATen/ops/stack.h>

#include <fstream>
#include <sstream>
#include <string>

namespace adapterlab::train {

bool cpuHasNativeBf16() {
    std::ifstream in("/proc/cpuinfo");
    std::string line;
    while (std::getline(in, line)) {
        // x86: "flags : ... avx512_bf16 ... amx_bf16"; Arm: "Features : ... bf16 ..."
        if (line.rfind("flags", 0) != 0 && line.rfind("Features", 0) != 0) continue;
        std::istringstream words(line.substr(line.find(':') + 1));
        std::string w;
        while (words >> w)
            if (w == "avx512_bf16" || w == "amx_bf16" || w == "bf16") return true;
        return false; // the first processor's line speaks for all
    }
    return false;
}

PrecisionPlan planPrecision(Precision p, const c10::Device& device) {
    PrecisionPlan plan;
    plan.device = device;
    const bool cuda = device.is_cuda();
    bool gpuBf16 = false;
    std::string gpuName;
    if (cuda) {
        for (const auto& g : gpus())
            if (g.index == device.index()) {
                gpuBf16 = g.hasBf16();
                gpuName = g.describe();
            }
    }
    if (p == Precision::Auto) p = cuda && gpuBf16 ? Precision::Bf16 : Precision::Fp32;
    const std::string where = cuda ? device.str() + " (" + gpuName + ")" : "the CPU";
    switch (p) {
    case Precision::Tf32:
        if (!cuda)
            throw Error("precision tf32 is a CUDA setting (TF32 tensor cores): on the CPU use fp32 "
                        "or bf16");
        plan.tf32 = true;
        break;
    case Precision::Fp16:
        if (!cuda) throw Error("precision fp16 needs a CUDA device: on the CPU use bf16 or fp32");
        plan.autocast = true;
        plan.autocastType = c10::kHalf;
        plan.lossScaling = true;
        break;
    case Precision::Bf16:
        if (cuda && !gpuBf16)
            throw Error("precision bf16 needs compute capability 8.0 or later; " + where +
                        " has none: use fp16 or fp32");
        if (!cuda && !cpuHasNativeBf16())
            throw Error("precision bf16 on the CPU needs native bf16 arithmetic (AVX512-BF16, AMX "
                        "or Arm BF16), which this CPU lacks: use fp32");
        plan.autocast = true;
        plan.autocastType = c10::kBFloat16;
        break;
    case Precision::Fp32:
    case Precision::Auto:
        break;
    }
    plan.precision = p;
    return plan;
}

void applyMathFlags(const PrecisionPlan& plan) {
    auto& ctx = at::globalContext();
    ctx.setAllowTF32CuBLAS(plan.tf32);
    ctx.setAllowTF32CuDNN(plan.tf32);
    ctx.setBenchmarkCuDNN(false);
    ctx.setDeterministicCuDNN(true);
}

AutocastScope::AutocastScope(const PrecisionPlan& plan) : active_(plan.autocast) {
    if (!active_) return;
    type_ = plan.device.type();
    wasEnabled_ = compat::autocastEnabled(type_);
    wasType_ = compat::autocastDtype(type_);
    compat::setAutocast(type_, true, plan.autocastType);
    at::autocast::increment_nesting();
}

AutocastScope::~AutocastScope() {
    if (!active_) return;
    // The cast weights are cached while autocast is on; the last scope out drops them.
    if (at::autocast::decrement_nesting() == 0) at::autocast::clear_cache();
    compat::setAutocast(type_, wasEnabled_, wasType_);
}

LossScaler::LossScaler(bool enabled, double initScale, int64_t interval)
    : enabled_(enabled), scale_(initScale), interval_(interval) {}

at::Tensor LossScaler::scale(const at::Tensor& loss) const {
    return enabled_ ? loss * scale_ : loss;
}

bool LossScaler::unscale(const std::vector<at::Tensor>& params) const {
    if (!enabled_) return true;
    std::vector<at::Tensor> finite;
    for (const auto& p : params) {
        const at::Tensor& g = p.grad();
        if (!g.defined()) continue;
        g.mul_(1.0 / scale_);
        finite.push_back(at::isfinite(g).all());
    }
    // One device-to-host sync per step, not one per parameter.
    return finite.empty() || at::stack(finite).all().item<bool>();
}

void LossScaler::update(bool finite) {
    if (!enabled_) return;
    if (!finite) {
        scale_ *= 0.5;
        good_ = 0;
        ++skipped_;
        return;
    }
    if (++good_ >= interval_) {
        scale_ *= 2.0;
        good_ = 0;
    }
}

void LossScaler::restore(double scale, int64_t goodSteps, int64_t skippedSteps) {
    scale_ = scale;
    good_ = goodSteps;
    skipped_ = skippedSteps;
}

} // namespace adapterlab::train
