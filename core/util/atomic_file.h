#pragma once
// Replacing a file whole or not at all: a crash, a full disk or a failed write leaves the old
// file (or none), never a half-written one. No torch.
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace adapterlab {

/// What writeFileAtomically does when the file's folder does not exist.
enum class MissingFolder {
    Fail,  ///< an error, unless the folder existed when the write began and vanished meanwhile
    Create ///< made (with its parents) before every attempt
};

/// Writes `path` atomically: `write` fills `path + ".tmp"` in the same folder (the path is passed,
/// so writers that take a file name, like LibTorch's archives, can use it); that file is synced,
/// renamed over `path` and the folder synced. Another run of the same store (a parallel sweep
/// worker, another process) removes a shared checkpoint folder once it is empty
/// (Store::removeCheckpoint), so a folder that vanishes during a write is made again and the
/// write retried (5 attempts in all).
/// On failure the temporary file is removed, `path` keeps its old contents, and Error reads
/// "cannot write <what> '<path>': <reason>"; an Error (or a non-standard exception) thrown by
/// `write` itself passes unchanged, as its message already says what went wrong.
void writeFileAtomically(const std::string& path,
                         const std::function<void(const std::string& tmpPath)>& write,
                         const std::string& what = {}, MissingFolder folder = MissingFolder::Fail);

/// The same with the file's bytes in memory.
void writeFileAtomically(const std::string& path, std::string_view bytes,
                         const std::string& what = {}, MissingFolder folder = MissingFolder::Fail);

inline void writeFileAtomically(const std::string& path, const std::vector<char>& bytes,
                                const std::string& what = {},
                                MissingFolder folder = MissingFolder::Fail) {
    writeFileAtomically(path, std::string_view(bytes.data(), bytes.size()), what, folder);
}

} // namespace adapterlab
