#pragma once
// A trained run's per-task parameters as folders other tools read, and such folders loaded back:
// AdapterHub's save_adapter layout (bottleneck adapters: Houlsby, Pfeiffer, parallel), PEFT's
// (LoRA, (IA)³) and AdapterLab's own (every method). Names and configurations follow those
// libraries; what a format cannot express is refused or, where it only loses a trained part
// (the LayerNorms the paper trains with Houlsby adapters), said.
#include "model/bert.h"
#include "model/hf_import.h"
#include "train/run_config.h"

#include <string>
#include <vector>

namespace adapterlab::train {

enum class AdapterFormat { AdapterLab, Peft, AdapterHub };

const char* toString(AdapterFormat f);
AdapterFormat parseAdapterFormat(const std::string& s); ///< throws Error listing the formats

/// The formats a run's parameters can be written in (its method's, and for a prefix PEFT's only
/// when the tokens' positions follow the prefix, as they do there).
std::vector<AdapterFormat> formatsFor(const RunConfig& run);

struct ExportReport {
    std::vector<std::string> files; ///< written, relative to the folder
    std::vector<std::string> notes; ///< what the reader of the folder should know
};

/// Writes the model's trained parameters (`config` says the method and its settings) into
/// `dir` (made; an existing non-empty folder is refused). `name`: the adapter's name where the
/// format has one (AdapterHub). Files are written atomically; on failure nothing is left.
ExportReport exportAdapter(model::BertModel& model, const RunConfig& config, AdapterFormat format,
                           const std::string& dir, const std::string& name = "adapterlab");

/// The format of an adapter folder, from its files; throws Error saying what was found.
AdapterFormat detectAdapterFormat(const std::string& dir);

struct ImportedAdapter {
    AdapterFormat format = AdapterFormat::AdapterLab;
    RunConfig config; ///< the method and its settings as the folder describes them
    model::BertModel model{nullptr};
    std::vector<std::string> labels;
    bool regression = false;
};

/// The backbone with the folder's modules and trained parameters loaded. The adapter must fit
/// the backbone: layer count, hidden size, every tensor's shape; what does not fit is named.
ImportedAdapter importAdapter(const model::HfModelFiles& backbone, const std::string& dir);

} // namespace adapterlab::train
