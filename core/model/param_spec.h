#pragma once
// The model's parameters by name and shape, computed from the config alone (no torch). The torch
// model registers exactly these names; the importer and the accounting use this list.
#include "model/config.h"
#include "model/modules.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace adapterlab::model {

/// Adapters: everything a method adds (bottleneck adapters, LoRA, prefix, (IA)³ scalings).
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

/// Every parameter of the encoder (+ the method's modules, + the family's head when withHead), in
/// the order the torch model registers them. Names follow BERT's layout (see model/family.h).
std::vector<ParamSpec> parameterSpecs(const BertConfig& config, const MethodModules& modules,
                                      bool withHead);

/// Group of a parameter name (same rules as parameterSpecs), and its layer or -1.
ParamGroup groupOf(const std::string& name);
int layerOf(const std::string& name);

/// Parameters per (plain) adapter: 2·m·d + d + m.
inline int64_t adapterParams(int64_t d, int64_t m) { return 2 * m * d + d + m; }

/// (in, out) widths of a LoRA target in a layer of `config`.
std::pair<int64_t, int64_t> loraTargetShape(const BertConfig& config, LoraTarget t);

} // namespace adapterlab::model
