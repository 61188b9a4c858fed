#include "train/method.h"

#include "util/error.h"

namespace adapterlab::train {

Method parseMethod(const std::string& s) {
    if (s == "adapter" || s == "adapters") return Method::Adapter;
    if (s == "full") return Method::Full;
    if (s == "top_k" || s == "topk") return Method::TopK;
    if (s == "layernorm" || s == "layer_norm") return Method::LayerNorm;
    if (s == "head_only" || s == "head") return Method::HeadOnly;
    throw Error("unknown method '" + s + "' (expected adapter, full, top_k, layernorm or head_only)");
}

const char* toString(Method m) {
    switch (m) {
    case Method::Adapter: return "adapter";
    case Method::Full: return "full";
    case Method::TopK: return "top_k";
    case Method::LayerNorm: return "layernorm";
    case Method::HeadOnly: return "head_only";
    }
    return "?";
}

void MethodSpec::validate(int64_t numLayers) const {
    if (method == Method::TopK && (topK < 1 || topK > numLayers))
        throw Error("top-k = " + std::to_string(topK) + " must be between 1 and the number of layers (" +
                    std::to_string(numLayers) + ")");
}

bool isTrainable(const model::ParamSpec& p, const MethodSpec& m, int64_t numLayers) {
    using model::ParamGroup;
    if (p.group == ParamGroup::Head) return true;
    switch (m.method) {
    case Method::Full: return true;
    case Method::Adapter: return p.group == ParamGroup::Adapters || p.group == ParamGroup::LayerNorm;
    case Method::LayerNorm: return p.group == ParamGroup::LayerNorm;
    case Method::HeadOnly: return false;
    case Method::TopK:
        return p.group == ParamGroup::Pooler || (p.layer >= 0 && p.layer >= numLayers - m.topK);
    }
    return false;
}

} // namespace adapterlab::train
