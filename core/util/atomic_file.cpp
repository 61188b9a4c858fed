#include "util/atomic_file.h"

#include "util/error.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <system_error>

namespace adapterlab {
namespace fs = std::filesystem;
namespace {

constexpr int kAttempts = 5;

// fsync of a file or folder: the rename is durable only once the data it names is on the disk.
void sync(const fs::path& p, bool folder) {
    const int fd = ::open(p.c_str(), folder ? O_RDONLY | O_DIRECTORY : O_RDONLY);
    if (fd < 0) {
        if (folder) return; // some filesystems cannot open folders; the rename is done anyway
        throw std::system_error(errno, std::generic_category(), "cannot open " + p.string());
    }
    const int rc = ::fsync(fd);
    const int error = errno;
    ::close(fd);
    // Folders on some filesystems do not take fsync (EINVAL); the file itself must.
    if (rc != 0 && !folder) throw std::system_error(error, std::generic_category(), "fsync");
}

} // namespace

void writeFileAtomically(const std::string& path,
                         const std::function<void(const std::string& tmpPath)>& write,
                         const std::string& what, MissingFolder missing) {
    const std::string tmp = path + ".tmp";
    const fs::path parent = fs::path(path).parent_path();
    const fs::path folder = parent.empty() ? fs::path(".") : parent;
    std::error_code ec;
    const bool folderExisted = fs::is_directory(folder, ec);
    for (int attempt = 1;; ++attempt) {
        try {
            if (missing == MissingFolder::Create || attempt > 1) fs::create_directories(folder);
            write(tmp);
            sync(tmp, false);
            fs::rename(tmp, path); // the old file stays whole until the new one is
            sync(folder, true);
            return;
        } catch (...) {
            fs::remove(tmp, ec);
            const bool vanished = (folderExisted || missing == MissingFolder::Create) &&
                                  !fs::is_directory(folder, ec);
            if (attempt < kAttempts && vanished) continue;
            try {
                throw;
            } catch (const Error&) {
                throw;
            } catch (const std::exception& e) {
                throw Error("cannot write " + (what.empty() ? "" : what + " ") + "'" + path +
                            "': " + firstLine(e.what()));
            }
        }
    }
}

void writeFileAtomically(const std::string& path, std::string_view bytes, const std::string& what,
                         MissingFolder missing) {
    writeFileAtomically(
        path,
        [&](const std::string& tmp) {
            std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
            if (!out)
                throw std::system_error(errno, std::generic_category(), "cannot create " + tmp);
            out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
            out.close();
            if (!out) throw std::runtime_error("error while writing " + tmp + " (disk full?)");
        },
        what, missing);
}

} // namespace adapterlab
