#pragma once
// Training methods: which parameters are trainable (by name, so accounting and the trainer agree).
#include "model/param_spec.h"

#include <string>

namespace adapterlab::train {

enum class Method { Adapter, Full, TopK, LayerNorm, HeadOnly };

/// Parses "adapter" | "full" | "top_k" | "layernorm" | "head_only"; throws Error otherwise.
Method parseMethod(const std::string& s);
const char* toString(Method m);

struct MethodSpec {
    Method method = Method::Adapter;
    int topK = 1; ///< only for TopK: the number of top encoder layers trained

    /// Validates topK against the number of layers; throws Error with the reason.
    void validate(int64_t numLayers) const;
    /// Whether the model built for this method carries adapter modules.
    bool usesAdapters() const { return method == Method::Adapter; }
};

/// Trainable under the method? Adapters: adapters + all LayerNorms + head. Full: everything.
/// TopK: the top k encoder layers + pooler + head. LayerNorm: LayerNorms + head. HeadOnly: head.
bool isTrainable(const model::ParamSpec& p, const MethodSpec& m, int64_t numLayers);

} // namespace adapterlab::train
