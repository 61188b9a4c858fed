#pragma once
// Everything that defines a training run; serialisable to JSON and validated with clear messages.
#include "model/config.h"
#include "train/method.h"
#include "train/precision.h"
#include "util/field_error.h"

#include <nlohmann/json_fwd.hpp>

#include <cstdint>
#include <string>
#include <vector>

namespace adapterlab::train {

using adapterlab::FieldError;

/// Inclusive ranges of the integer settings (the form's spin boxes use them too).
struct IntRange {
    int64_t min, max;
};
constexpr IntRange kEpochsRange{1, 1000};
constexpr IntRange kBatchSizeRange{1, 65536};
constexpr IntRange kMaxLengthRange{3, 65536}; ///< the backbone's positions bound it further

struct RunConfig {
    std::string task;     ///< task SPEC (glue:NAME:DIR, file:..., lines:...)
    std::string backbone; ///< Hugging Face BERT folder
    MethodSpec method;
    /// Bottleneck adapters (Houlsby, Pfeiffer, parallel): size, init σ and the paper's variants
    /// (placement, activation, norm inside, hidden layers); the style follows the method.
    model::AdapterConfig adapter;
    double adapterScaling = 4.0; ///< s of parallel adapters (He et al. 2022)
    model::LoraConfig lora;
    model::PrefixConfig prefix;
    model::Pooling pooling = model::Pooling::Cls; ///< classifier input: [CLS] or mean of tokens
    double learningRate = 3e-4;
    int epochs = 3;
    int batchSize = 32;
    int maxLength = 128;
    double warmupFraction = 0.1;
    double weightDecay = 0.01;
    double clipNorm = 1.0;
    uint64_t seed = 1;
    std::string device = "auto"; ///< auto | cpu | cuda | cuda:N
    /// Resolved per device when the run starts (train::planPrecision); the store records that.
    Precision precision = Precision::Auto;
    int threads = 0;             ///< LibTorch intra-op threads; 0 = all cores
    bool skipMalformed = false;  ///< skip (and count) malformed data rows
    /// Training examples used: 0 = all, else a stratified sample of this many drawn with `seed`
    /// (learning curves; data::sampleTrainSplit).
    int64_t trainSize = 0;

    /// Every value's problems, one per field at most (empty: valid).
    std::vector<FieldError> check() const;
    /// check() and the backbone's limits: maximum length within its positions, top-k within
    /// its layers.
    std::vector<FieldError> checkFor(const model::BertConfig& backbone) const;
    /// Throws Error with the first problem of check().
    void validate() const;
    /// Throws Error with the first problem of checkFor().
    void validateFor(const model::BertConfig& backbone) const;

    nlohmann::json toJson() const;
    /// Fields absent from `j` keep their defaults; unknown fields are an error.
    static RunConfig fromJson(const nlohmann::json& j, const std::string& origin = "run config");
};

} // namespace adapterlab::train
