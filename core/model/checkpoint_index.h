#pragma once
// Which file of a Hugging Face model folder holds the weights, and the shards a sharded
// checkpoint's index names. No torch: the Hub client uses it to know what to download.
#include <string>
#include <vector>

namespace adapterlab::model {

/// The weight files a folder may have, in the order transformers prefers them: safetensors
/// before pickles, single before sharded.
const std::vector<std::string>& weightFileNames();

/// `path` is a sharded checkpoint's index (*.index.json).
bool isShardIndex(const std::string& path);

/// The shard files an index's weight_map names (each once, sorted), relative to the index's
/// folder; throws Error for a malformed index or a name that leaves the folder.
std::vector<std::string> shardNamesOf(const std::string& indexPath);

/// The weights a model folder holds: the first of weightFileNames() present ("" if none).
std::string weightsFileIn(const std::string& dir);

} // namespace adapterlab::model
