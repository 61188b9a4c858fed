#pragma once
// The model's parameters by name and shape, computed from the config alone (no torch). The torch
// model registers exactly these names; the importer and the accounting use this list.
#include "model/config.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace adapterlab::model {

enum class ParamGroup { Embeddings, Attention, FeedForward, LayerNorm, Adapters, Pooler, Head };
constexpr int kNumParamGroups = 7;

const char* toString(ParamGroup g);

struct ParamSpec {
    std::string name;           ///< Hugging Face name without the "bert." prefix
    std::vector<int64_t> shape;
    ParamGroup group;
    int layer = -1;             ///< encoder layer index, -1 outside the encoder

    int64_t numel() const;
};

/// Every parameter of BERT (+ adapters when given, + classifier when withHead).
std::vector<ParamSpec> parameterSpecs(const BertConfig& config,
                                      const std::optional<AdapterConfig>& adapters, bool withHead);

/// Group of a parameter name (same rules as parameterSpecs), and its layer or -1.
ParamGroup groupOf(const std::string& name);
int layerOf(const std::string& name);

/// Parameters per adapter: 2·m·d + d + m.
inline int64_t adapterParams(int64_t d, int64_t m) { return 2 * m * d + d + m; }

} // namespace adapterlab::model
