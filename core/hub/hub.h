#pragma once
// The Hugging Face Hub and its cache, with huggingface_hub's conventions: the cache layout
// (models--ORG--NAME/{blobs,refs,snapshots}, blobs named by ETag, snapshots of relative symlinks,
// .no_exist markers, .locks), its environment variables (HF_ENDPOINT, HF_HOME, HF_HUB_CACHE,
// HF_HUB_OFFLINE, HF_TOKEN) and its resolve protocol (HEAD for X-Repo-Commit, X-Linked-Etag and
// X-Linked-Size; GET following the redirect to the file CDN). No torch, no Qt.
#include "util/error.h"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace adapterlab::hub {

/// Where the Hub and the cache are, from the environment (as huggingface_hub reads it).
struct HubEnvironment {
    std::string endpoint = "https://huggingface.co"; ///< HF_ENDPOINT, no trailing '/'
    std::string cacheDir; ///< HF_HUB_CACHE, else HF_HOME/hub, else ~/.cache/huggingface/hub
    std::string token;    ///< HF_TOKEN, else the token file (HF_TOKEN_PATH, HF_HOME/token)
    bool offline = false; ///< HF_HUB_OFFLINE=1: the cache only, no network at all

    static HubEnvironment fromEnvironment();
};

/// A model on the Hub: "ORG/NAME" (or "NAME") at a branch, tag or commit.
struct ModelRef {
    std::string id;
    std::string revision = "main";

    /// "ID[@REV]", also with the "hf:" prefix; throws Error for an id the Hub would refuse.
    static ModelRef parse(const std::string& text);
    std::string text() const; ///< "ID@REV" ("ID" for main)
};

/// "hf:ID[@REV]": a backbone named on the Hub rather than a folder.
bool isHubSpec(const std::string& spec);

/// The cache folder of a model: models--ORG--NAME.
std::string repoFolderName(const std::string& id);

struct Progress {
    std::string file;
    int64_t done = 0, total = 0; ///< bytes of this file (total 0: unknown)
    double bytesPerSecond = 0;
};

struct DownloadOptions {
    /// Called while a file downloads; false cancels (Cancelled is thrown, the part is kept for
    /// resuming).
    std::function<bool(const Progress&)> progress;
    /// Things the user should know that are not errors (a resumed file, a cache fallback).
    std::function<void(const std::string&)> note;
};

/// A model's files in the cache.
struct Snapshot {
    std::string id, revision, commit;
    std::string folder;             ///< snapshots/COMMIT: use it as a model folder
    std::vector<std::string> files; ///< the files the backbone uses, relative to folder
    bool fromCache = false;         ///< no network was used
    int64_t bytesDownloaded = 0;
    double seconds = 0; ///< downloading
};

/// A cancelled download.
class Cancelled : public Error {
public:
    using Error::Error;
};

/// Fetches what a backbone needs (config.json, the tokenizer files, the weights: safetensors or
/// pytorch_model.bin, single or sharded) into the cache, asking the server what `ref` points to
/// and downloading only blobs the cache lacks. With env.offline, or when the server cannot be
/// reached, a complete snapshot in the cache is used instead (otherwise Error says what to do).
Snapshot download(const ModelRef& ref, const HubEnvironment& env,
                  const DownloadOptions& options = {});

/// The complete snapshot `ref` points to in the cache, without any network.
std::optional<Snapshot> cached(const ModelRef& ref, const HubEnvironment& env);

/// A model folder for a backbone spec: a folder stays as it is; "hf:ID[@REV]" is its cached
/// snapshot, downloaded first (with defaultDownloadOptions()) when the cache lacks it.
std::string resolveModelFolder(const std::string& spec);

/// The options resolveModelFolder downloads with (the CLI prints progress on stderr).
DownloadOptions& defaultDownloadOptions();

struct CachedModel {
    std::string id;
    std::vector<std::string> revisions; ///< refs (branches, tags) with a complete snapshot
    std::vector<std::string> commits;   ///< complete snapshots
    int64_t bytes = 0;                  ///< of its blobs
};

/// The models in the cache with at least one complete snapshot, by id.
std::vector<CachedModel> listCached(const HubEnvironment& env);

/// True when `folder` holds config.json and complete weights (every shard of an index).
bool snapshotComplete(const std::string& folder);

} // namespace adapterlab::hub
