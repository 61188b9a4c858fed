#include "method_options.h"

#include "model/modules.h"

#include <algorithm>

namespace adapterlab::cli {
namespace {

// One row per option: its name, the run setting it sets, how a given value reaches it.
struct Row {
    const char* name;
    void (*apply)(const MethodOptions&, train::RunConfig&);
};

// "--lora-rank" -> "lora_rank"
std::string settingOf(const std::string& option) {
    std::string s = option.substr(2);
    std::replace(s.begin(), s.end(), '-', '_');
    return s;
}

const std::vector<Row>& rows() {
    static const std::vector<Row> r = {
        {"--method", [](const MethodOptions& o,
                        train::RunConfig& c) { c.method.method = train::parseMethod(o.method); }},
        {"--top-k",
         [](const MethodOptions& o, train::RunConfig& c) { c.method.topK = o.values.method.topK; }},
        {"--adapter-size", [](const MethodOptions& o,
                              train::RunConfig& c) { c.adapter.size = o.values.adapter.size; }},
        {"--init-std", [](const MethodOptions& o,
                          train::RunConfig& c) { c.adapter.initStd = o.values.adapter.initStd; }},
        {"--adapter-placement",
         [](const MethodOptions& o, train::RunConfig& c) {
             c.adapter.placement = model::parsePlacement(o.placement);
         }},
        {"--adapter-activation",
         [](const MethodOptions& o, train::RunConfig& c) {
             c.adapter.activation = model::parseActivation(o.activation);
         }},
        {"--adapter-norm",
         [](const MethodOptions& o, train::RunConfig& c) { c.adapter.innerNorm = o.norm; }},
        {"--adapter-layers",
         [](const MethodOptions& o, train::RunConfig& c) {
             c.adapter.hiddenLayers = o.values.adapter.hiddenLayers;
         }},
        {"--adapter-scaling",
         [](const MethodOptions& o, train::RunConfig& c) {
             c.adapterScaling = o.values.adapterScaling;
         }},
        {"--lora-rank",
         [](const MethodOptions& o, train::RunConfig& c) { c.lora.rank = o.values.lora.rank; }},
        {"--lora-alpha",
         [](const MethodOptions& o, train::RunConfig& c) { c.lora.alpha = o.values.lora.alpha; }},
        {"--lora-dropout", [](const MethodOptions& o,
                              train::RunConfig& c) { c.lora.dropout = o.values.lora.dropout; }},
        {"--lora-targets",
         [](const MethodOptions& o, train::RunConfig& c) {
             c.lora.targets = model::parseLoraTargets(o.targets);
         }},
        {"--prefix-length", [](const MethodOptions& o,
                               train::RunConfig& c) { c.prefix.length = o.values.prefix.length; }},
        {"--prefix-hidden", [](const MethodOptions& o,
                               train::RunConfig& c) { c.prefix.hidden = o.values.prefix.hidden; }},
        {"--prefix-shift-positions",
         [](const MethodOptions& o, train::RunConfig& c) { c.prefix.shiftPositions = o.shift; }},
    };
    return r;
}

} // namespace

void MethodOptions::apply(train::RunConfig& c) const {
    for (const auto& row : rows())
        if (cmd->get_option(row.name)->count() > 0) row.apply(*this, c);
    // An option of another method would be silently ignored: refuse it, naming the method's own.
    const auto& info = train::methodInfo(c.method.method);
    for (const auto& row : rows()) {
        const std::string name = row.name;
        if (name == "--method" || cmd->get_option(name)->count() == 0) continue;
        if (info.reads(settingOf(name))) continue;
        std::string own;
        for (const auto& s : info.settings) {
            std::string option = "--" + s;
            std::replace(option.begin(), option.end(), '_', '-');
            own += (own.empty() ? "" : ", ") + option;
        }
        throw CLI::ValidationError(
            name + " is not a setting of method " + info.id +
            (own.empty() ? std::string(" (it has none)") : " (its settings: " + own + ")"));
    }
}

std::vector<std::string> MethodOptions::names() const {
    std::vector<std::string> out;
    for (const auto& row : rows())
        out.push_back(row.name);
    return out;
}

std::shared_ptr<MethodOptions> addMethodOptions(CLI::App* cmd, bool methodRequired) {
    auto o = std::make_shared<MethodOptions>();
    o->cmd = cmd;
    auto& v = o->values;
    auto* method = cmd->add_option("--method", o->method, train::methodIdList());
    if (methodRequired) method->required();
    cmd->add_option("--top-k", v.method.topK, "layers trained by top_k");
    cmd->add_option("--adapter-size", v.adapter.size,
                    "bottleneck m of adapter, pfeiffer, parallel (default 64)");
    cmd->add_option("--init-std", v.adapter.initStd, "adapter init std sigma (default 1e-2)");
    cmd->add_option(
           "--adapter-placement", o->placement,
           "adapter sub-layers: both | attention | ffn (default: adapter both, parallel ffn)")
        ->check(CLI::IsMember({"default", "both", "attention", "ffn"}));
    cmd->add_option("--adapter-activation", o->activation,
                    "gelu | relu | tanh | swish (default gelu)")
        ->check(CLI::IsMember({"gelu", "relu", "tanh", "swish"}));
    cmd->add_flag("--adapter-norm", o->norm,
                  "a LayerNorm inside each adapter, on its input (=false: none)");
    cmd->add_option("--adapter-layers", v.adapter.hiddenLayers,
                    "hidden layers in each adapter (default 1)");
    cmd->add_option("--adapter-scaling", v.adapterScaling,
                    "output scale s of parallel adapters (default 4)");
    cmd->add_option("--lora-rank", v.lora.rank, "LoRA rank r (default 8)");
    cmd->add_option("--lora-alpha", v.lora.alpha,
                    "LoRA alpha; updates scale by alpha/r (default 16)");
    cmd->add_option("--lora-dropout", v.lora.dropout, "dropout on LoRA's input (default 0)");
    cmd->add_option(
        "--lora-targets", o->targets,
        "projections: query,key,value,attention_output,intermediate,output (default query,value)");
    cmd->add_option("--prefix-length", v.prefix.length, "prefix length l (default 10)");
    cmd->add_option(
        "--prefix-hidden", v.prefix.hidden,
        "width of the prefix's reparameterisation MLP while training; 0 = none (default 512)");
    cmd->add_flag("--prefix-shift-positions", o->shift,
                  "tokens take positions l..l+T-1 after the prefix, as PEFT's prefix tuning on "
                  "BERT (needed for export-adapter --format peft)");
    return o;
}

} // namespace adapterlab::cli
