#pragma once
// A model's weights in any of the formats Hugging Face folders use: model.safetensors,
// pytorch_model.bin (torch.save's zip format, read without running any pickle code) and sharded
// checkpoints (*.safetensors.index.json, pytorch_model.bin.index.json).
#include "model/checkpoint_index.h"
#include "model/safetensors.h"

#include <torch/types.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace adapterlab::model {

class Checkpoint {
public:
    struct Entry {
        std::string name;
        std::vector<int64_t> shape;
    };

    /// By file name: *.safetensors, *.bin / *.pt / *.pth (torch.save zip), *.index.json (shards
    /// next to it). Throws Error naming the file and what is wrong with it.
    static Checkpoint load(const std::string& path);
    static Checkpoint fromSafetensors(SafetensorsFile file);

    const Entry* find(const std::string& name) const;
    /// The tensor as float32 on the CPU (F16, BF16 and F64 converted).
    torch::Tensor tensor(const Entry& entry) const;
    const std::vector<Entry>& entries() const { return entries_; }
    const std::string& origin() const { return origin_; }

private:
    struct Source; // a safetensors file or a state dict read from a pickle
    std::string origin_;
    std::vector<Entry> entries_;
    /// Per entry: its source and its position there.
    std::vector<std::pair<std::shared_ptr<const Source>, size_t>> where_;
    std::map<std::string, size_t> index_; ///< name -> position in entries_
    void add(const std::shared_ptr<const Source>& source);
};

/// Reads torch.save's zip format ({archive}/data.pkl + data/N storages) holding a flat dict of
/// tensors, as transformers writes pytorch_model.bin. The pickle is interpreted by a restricted
/// reader: only the globals a state dict uses (collections.OrderedDict, torch._utils'
/// _rebuild_tensor_v2 and _rebuild_parameter, torch.*Storage, and the type tag LibTorch's
/// pickle_save adds) are known; any other global is
/// refused by name and nothing is ever executed. Also refused: the legacy (pre-1.6) format,
/// anything but a dict of string -> tensor, storages out of bounds.
std::vector<std::pair<std::string, torch::Tensor>> readTorchStateDict(const std::string& path);

/// Named tensors as torch.save writes a state dict (an OrderedDict of _rebuild_tensor_v2 over
/// torch.*Storage records, in the zip format): only the globals torch.load(weights_only=True) —
/// PyTorch 2.6's default — allows, unlike LibTorch's pickle_save, whose type tags it refuses.
/// Tensors keep their dtype (float, double, half, bfloat16, int64, int32).
std::vector<char>
encodeTorchStateDict(const std::vector<std::pair<std::string, torch::Tensor>>& tensors);

/// Named tensors (any dtype or device) as a float32 safetensors image.
std::vector<char> encodeTensors(const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                                const std::map<std::string, std::string>& metadata);

/// A short identity of a file: size and FNV-1a 64 of its bytes, as hex.
std::string fileFingerprint(const std::string& path);

/// fileFingerprint of the weights file, and of every shard of an index.
std::string checkpointFingerprint(const std::string& path);

} // namespace adapterlab::model
