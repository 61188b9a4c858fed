#include "hub/hub.h"

#include "hub/http.h"
#include "model/checkpoint_index.h"
#include "model/config.h"
#include "util/atomic_file.h"
#include "util/json_file.h"

#include <nlohmann/json.hpp>
#include <openssl/evp.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <thread>

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

namespace adapterlab::hub {
namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// What a backbone reads: the tokenizer files any family may use (absent ones are skipped) and the
// weights, first found wins (transformers' order: safetensors before pickles, single before
// sharded).
const std::vector<std::string> kTokenizerFiles = {"vocab.txt",
                                                  "tokenizer_config.json",
                                                  "special_tokens_map.json",
                                                  "tokenizer.json",
                                                  "vocab.json",
                                                  "merges.txt",
                                                  "sentencepiece.bpe.model",
                                                  "spiece.model"};
constexpr int kAttempts = 5; // per file: the first try and four resumes after a cut connection

std::string env(const char* name) {
    const char* v = std::getenv(name);
    return v ? std::string(v) : std::string();
}

bool truthy(std::string v) {
    std::transform(v.begin(), v.end(), v.begin(), [](unsigned char c) { return std::toupper(c); });
    return v == "1" || v == "ON" || v == "YES" || v == "TRUE";
}

bool isHex(const std::string& s, size_t n) {
    return s.size() == n && std::all_of(s.begin(), s.end(), [](unsigned char c) {
               return std::isdigit(c) || (c >= 'a' && c <= 'f');
           });
}

// A file name the Hub may give (a shard in an index): relative, inside the snapshot.
void checkRelativeName(const std::string& name, const std::string& origin) {
    const fs::path p(name);
    bool ok = !name.empty() && p.is_relative() && name.find('\\') == std::string::npos;
    for (const auto& part : p)
        ok = ok && part != ".." && part != ".";
    if (!ok) throw Error(origin + ": file name '" + name + "' is not a plain relative path");
}

// ETags come quoted, sometimes weak ("W/\"...\"").
std::string normalizeEtag(std::string e) {
    if (e.rfind("W/", 0) == 0) e = e.substr(2);
    if (e.size() >= 2 && e.front() == '"' && e.back() == '"') e = e.substr(1, e.size() - 2);
    return e;
}

std::string readText(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::string s((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
        s.pop_back();
    return s;
}

// sha256 (LFS files: their ETag) or the git blob sha1 (other files: "blob N\0" + bytes).
std::string digestOf(const fs::path& file, bool gitBlob) {
    std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(), EVP_MD_CTX_free);
    if (!ctx || !EVP_DigestInit_ex(ctx.get(), gitBlob ? EVP_sha1() : EVP_sha256(), nullptr))
        throw Error("cannot start a checksum (OpenSSL)");
    if (gitBlob) {
        const std::string header = "blob " + std::to_string(fs::file_size(file)) + '\0';
        EVP_DigestUpdate(ctx.get(), header.data(), header.size());
    }
    std::ifstream in(file, std::ios::binary);
    std::vector<char> buf(1 << 20);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        EVP_DigestUpdate(ctx.get(), buf.data(), static_cast<size_t>(in.gcount()));
    }
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int n = 0;
    EVP_DigestFinal_ex(ctx.get(), md, &n);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned int i = 0; i < n; ++i) {
        out += hex[md[i] >> 4];
        out += hex[md[i] & 15];
    }
    return out;
}

// An exclusive lock on .locks/models--X/ETAG.lock, the file huggingface_hub's filelock takes, so
// two downloaders (two sweep workers, or this and a Python tool) never write one blob together.
class BlobLock {
public:
    explicit BlobLock(const fs::path& path) {
        fs::create_directories(path.parent_path());
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT, 0644);
        if (fd_ < 0)
            throw Error("cannot open lock file '" + path.string() + "': " + std::strerror(errno));
        while (::flock(fd_, LOCK_EX) != 0 && errno == EINTR) {
        }
    }
    ~BlobLock() {
        if (fd_ >= 0) ::close(fd_); // releases the lock
    }
    BlobLock(const BlobLock&) = delete;
    BlobLock& operator=(const BlobLock&) = delete;

private:
    int fd_ = -1;
};

// Replaces `link` with a relative symlink to `target`, atomically.
void linkAtomically(const fs::path& target, const fs::path& link) {
    fs::create_directories(link.parent_path());
    const fs::path rel = target.lexically_relative(link.parent_path());
    const fs::path tmp = link.string() + ".tmp-link";
    std::error_code ec;
    fs::remove(tmp, ec);
    fs::create_symlink(rel, tmp);
    fs::rename(tmp, link);
}

// The metadata HEAD gives for one file of the repository.
struct FileMeta {
    std::string commit, etag, url;
    int64_t size = -1;
};

class Client {
public:
    Client(const ModelRef& ref, const HubEnvironment& env, const DownloadOptions& options)
        : ref_(ref), env_(env), options_(options),
          repo_(fs::path(env.cacheDir) / repoFolderName(ref.id)) {}

    // HEAD .../resolve/REV/FILE; nullopt when the repository has no such file. Throws Error for
    // a missing model or revision, missing rights and a server that cannot be reached (with
    // `network` set).
    std::optional<FileMeta> head(const std::string& revision, const std::string& file,
                                 bool* network = nullptr) {
        std::string url = resolveUrl(revision, file);
        HttpResponse r;
        for (int hop = 0;; ++hop) { // relative redirects: a renamed repository
            HttpRequest q;
            q.url = url;
            q.head = true;
            q.headers = authHeaders();
            q.headers.push_back("Accept-Encoding: identity");
            r = perform(q);
            if (r.transfer != Transfer::Done) {
                if (network) *network = true;
                throw Error("cannot reach " + env_.endpoint + " for '" + ref_.id + "': " + r.error +
                            " (with HF_HUB_OFFLINE=1 only the cache is used)");
            }
            const std::string location = r.header("location");
            if (r.status >= 300 && r.status < 400 && !location.empty() && location[0] == '/' &&
                hop < 5) {
                url = env_.endpoint + location;
                continue;
            }
            break;
        }
        const std::string code = r.header("x-error-code");
        const std::string what = "'" + ref_.id + "' on " + env_.endpoint;
        if (r.status == 404 && code == "EntryNotFound") return std::nullopt;
        if (r.status == 404 && code == "RevisionNotFound")
            throw Error("revision '" + revision + "' of " + what + " does not exist");
        if (r.status == 404 && (code == "RepoNotFound" || file == "config.json" || code.empty()))
            throw Error("model " + what +
                        " does not exist (check the id; a private model needs "
                        "HF_TOKEN)");
        if (r.status == 401 || r.status == 403) {
            if (code == "GatedRepo")
                throw Error("model " + what +
                            " is gated: accept its conditions on the Hub, then "
                            "set HF_TOKEN to a token of that account");
            throw Error("model " + what + " needs authorisation (HTTP " + std::to_string(r.status) +
                        "): " +
                        (env_.token.empty() ? "set HF_TOKEN to a token that can read it"
                                            : "the token in HF_TOKEN cannot read it"));
        }
        if (r.status >= 400)
            throw Error("'" + file + "' of " + what + ": HTTP " + std::to_string(r.status));
        FileMeta m;
        m.commit = r.header("x-repo-commit");
        m.etag = normalizeEtag(!r.header("x-linked-etag").empty() ? r.header("x-linked-etag")
                                                                  : r.header("etag"));
        const std::string size = !r.header("x-linked-size").empty() ? r.header("x-linked-size")
                                                                    : r.header("content-length");
        if (!size.empty()) m.size = std::strtoll(size.c_str(), nullptr, 10);
        if (m.commit.empty() || m.etag.empty())
            throw Error(env_.endpoint + " sent no X-Repo-Commit or ETag for '" + file + "' of '" +
                        ref_.id + "': is HF_ENDPOINT a Hugging Face Hub?");
        if (!isHex(m.commit, 40))
            throw Error(env_.endpoint + " sent an invalid commit '" + m.commit + "'");
        checkRelativeName(m.etag, "the ETag of '" + file + "'"); // it names the blob
        m.url = resolveUrl(m.commit, file);
        return m;
    }

    // Puts the file in blobs/ (unless there) and links it into the snapshot.
    void fetch(const FileMeta& m, const std::string& file) {
        const fs::path blob = repo_ / "blobs" / m.etag;
        const fs::path link = repo_ / "snapshots" / m.commit / file;
        {
            BlobLock lock(fs::path(env_.cacheDir) / ".locks" / repoFolderName(ref_.id) /
                          (m.etag + ".lock"));
            if (!fs::exists(blob)) downloadBlob(m, file, blob);
        }
        linkAtomically(blob, link);
    }

    void markMissing(const std::string& commit, const std::string& file) {
        const fs::path marker = repo_ / ".no_exist" / commit / file;
        std::error_code ec;
        fs::create_directories(marker.parent_path(), ec);
        std::ofstream(marker, std::ios::app); // best effort, as huggingface_hub
    }

    void writeRef(const std::string& revision, const std::string& commit) {
        if (revision == commit) return;
        writeFileAtomically((repo_ / "refs" / revision).string(), commit, "Hub ref",
                            MissingFolder::Create);
    }

    int64_t bytes = 0;
    double seconds = 0;

private:
    std::string resolveUrl(const std::string& revision, const std::string& file) const {
        std::string path;
        for (const auto& part : fs::path(file))
            path += "/" + urlEncode(part.string());
        return env_.endpoint + "/" + ref_.id + "/resolve/" + urlEncode(revision) + path;
    }

    std::vector<std::string> authHeaders() const {
        if (env_.token.empty()) return {};
        return {"Authorization: Bearer " + env_.token};
    }

    void downloadBlob(const FileMeta& m, const std::string& file, const fs::path& blob) {
        fs::create_directories(blob.parent_path());
        const fs::path part = blob.string() + ".incomplete";
        const auto start = std::chrono::steady_clock::now();
        for (int attempt = 1;; ++attempt) {
            std::error_code ec;
            int64_t offset = fs::exists(part) ? static_cast<int64_t>(fs::file_size(part)) : 0;
            if (m.size >= 0 && offset > m.size) {
                fs::remove(part, ec);
                offset = 0;
            }
            if (offset > 0 && options_.note)
                options_.note("resuming " + file + " of " + ref_.id + " at byte " +
                              std::to_string(offset));
            const auto r = transfer(m, file, part, offset, start);
            if (r.transfer == Transfer::Cancelled)
                throw Cancelled("download of '" + file + "' of '" + ref_.id +
                                "' cancelled (the part is kept; the next download resumes it)");
            if (r.transfer == Transfer::Write)
                throw Error("cannot write '" + part.string() + "': " + writeError_ +
                            " (the part is kept; the next download resumes it)");
            if (r.transfer == Transfer::Done && r.status == 416) { // our part is stale
                fs::remove(part, ec);
                continue;
            }
            if (r.transfer == Transfer::Done && r.status >= 400)
                throw Error("downloading '" + file + "' of '" + ref_.id + "': HTTP " +
                            std::to_string(r.status));
            const int64_t have = fs::exists(part) ? static_cast<int64_t>(fs::file_size(part)) : 0;
            if (r.transfer == Transfer::Done && (m.size < 0 || have == m.size)) break;
            if (attempt >= kAttempts)
                throw Error("downloading '" + file + "' of '" + ref_.id + "' failed after " +
                            std::to_string(kAttempts) + " attempts at byte " +
                            std::to_string(have) + ": " +
                            (r.error.empty() ? "the file is shorter than its size" : r.error) +
                            " (the part is kept; run the download again to resume)");
            if (options_.note)
                options_.note("connection cut in " + file + " at byte " + std::to_string(have) +
                              (r.error.empty() ? "" : " (" + r.error + ")") + "; retrying");
            std::this_thread::sleep_for(std::chrono::milliseconds(200 * attempt));
        }
        verify(m, file, part);
        fs::rename(part, blob);
        seconds += std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    }

    HttpResponse transfer(const FileMeta& m, const std::string& file, const fs::path& part,
                          int64_t offset, std::chrono::steady_clock::time_point start) {
        // A deleter type, not decltype(&fclose): glibc's attributes on fclose are not part of a
        // type.
        struct Close {
            void operator()(FILE* f) const { std::fclose(f); }
        };
        std::unique_ptr<FILE, Close> out;
        HttpRequest q;
        q.url = m.url;
        q.headers = authHeaders();
        q.headers.push_back("Accept-Encoding: identity");
        q.rangeFrom = offset > 0 ? offset : -1;
        q.sink = [&](const char* data, size_t n) {
            if (!out) { // the first bytes: 206 continues our part, 200 starts it again
                out.reset(std::fopen(part.c_str(), resumed_ ? "ab" : "wb"));
                if (!out) {
                    writeError_ = std::strerror(errno);
                    return false;
                }
            }
            if (std::fwrite(data, 1, n, out.get()) != n) {
                writeError_ = std::strerror(errno);
                return false;
            }
            bytes += static_cast<int64_t>(n);
            return true;
        };
        const int64_t base = offset;
        q.progress = [&, base](int64_t done, int64_t) {
            if (!options_.progress) return true;
            const double s =
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
            Progress p;
            p.file = file;
            p.done = (resumed_ ? base : 0) + done;
            p.total = m.size;
            p.bytesPerSecond = s > 0 ? static_cast<double>(bytes - bytesAtStart_) / s : 0;
            return options_.progress(p);
        };
        resumed_ = false;
        bytesAtStart_ = bytes;
        // The status is known before the body: curl calls the header callback first. A server
        // that ignores Range answers 200 and the part is written again from its start.
        q.onStatus = [&](long s) { resumed_ = offset > 0 && s == 206; };
        // Redirects by hand: a relative one (a renamed repository) stays on the Hub with the
        // token; an absolute one goes to the file CDN, whose signed URL needs no token, and
        // never gets it (curl would keep it for a CDN on the Hub's own host and port).
        HttpResponse r;
        for (int hop = 0;; ++hop) {
            r = perform(q);
            const std::string location = r.header("location");
            if (r.transfer != Transfer::Done || r.status < 300 || r.status >= 400 ||
                location.empty() || hop >= 10)
                break;
            if (location[0] == '/') {
                q.url = env_.endpoint + location;
            } else {
                q.url = location;
                q.headers = {"Accept-Encoding: identity"};
            }
        }
        if (out && std::fflush(out.get()) != 0 && r.transfer == Transfer::Done) {
            writeError_ = std::strerror(errno);
            r.transfer = Transfer::Write;
        }
        return r;
    }

    void verify(const FileMeta& m, const std::string& file, const fs::path& part) {
        std::error_code ec;
        const int64_t have = static_cast<int64_t>(fs::file_size(part));
        std::string problem;
        if (m.size >= 0 && have != m.size) {
            problem = "size " + std::to_string(have) + " bytes, expected " + std::to_string(m.size);
        } else if (isHex(m.etag, 64) || isHex(m.etag, 40)) {
            const std::string got = digestOf(part, m.etag.size() == 40);
            if (got != m.etag)
                problem = std::string(m.etag.size() == 64 ? "sha256" : "git sha1") + " " + got +
                          ", expected " + m.etag;
        }
        if (problem.empty()) return;
        fs::remove(part, ec);
        throw Error("downloaded '" + file + "' of '" + ref_.id + "' does not match the Hub's " +
                    "checksum (" + problem + "); it was discarded, nothing entered the cache");
    }

    ModelRef ref_;
    HubEnvironment env_;
    DownloadOptions options_;
    fs::path repo_;
    std::string writeError_;
    bool resumed_ = false;
    int64_t bytesAtStart_ = 0;
};

std::optional<std::string> commitOf(const ModelRef& ref, const fs::path& repo) {
    if (isHex(ref.revision, 40) && fs::is_directory(repo / "snapshots" / ref.revision))
        return ref.revision;
    const fs::path refFile = repo / "refs" / ref.revision;
    if (!fs::is_regular_file(refFile)) return std::nullopt;
    const std::string commit = readText(refFile);
    if (!isHex(commit, 40)) return std::nullopt;
    return commit;
}

// The files of a complete snapshot a backbone reads.
std::vector<std::string> filesIn(const fs::path& folder) {
    std::vector<std::string> files;
    for (const auto& f : kTokenizerFiles)
        if (fs::exists(folder / f)) files.push_back(f);
    files.push_back("config.json");
    const std::string weights = model::weightsFileIn(folder.string());
    if (!weights.empty()) {
        files.push_back(fs::path(weights).filename().string());
        if (model::isShardIndex(weights))
            for (const auto& s : model::shardNamesOf(weights))
                files.push_back(s);
    }
    return files;
}

} // namespace

HubEnvironment HubEnvironment::fromEnvironment() {
    HubEnvironment e;
    if (const auto v = env("HF_ENDPOINT"); !v.empty()) e.endpoint = v;
    while (!e.endpoint.empty() && e.endpoint.back() == '/')
        e.endpoint.pop_back();
    std::string home = env("HF_HOME");
    if (home.empty()) {
        std::string xdg = env("XDG_CACHE_HOME");
        if (xdg.empty()) xdg = (fs::path(env("HOME")) / ".cache").string();
        home = (fs::path(xdg) / "huggingface").string();
    }
    e.cacheDir = env("HF_HUB_CACHE");
    if (e.cacheDir.empty()) e.cacheDir = env("HUGGINGFACE_HUB_CACHE"); // the older name
    if (e.cacheDir.empty()) e.cacheDir = (fs::path(home) / "hub").string();
    e.offline = truthy(env("HF_HUB_OFFLINE"));
    e.token = env("HF_TOKEN");
    if (e.token.empty()) e.token = env("HUGGING_FACE_HUB_TOKEN");
    if (e.token.empty()) {
        std::string path = env("HF_TOKEN_PATH");
        if (path.empty()) path = (fs::path(home) / "token").string();
        if (fs::is_regular_file(path)) e.token = readText(path);
    }
    return e;
}

ModelRef ModelRef::parse(const std::string& text) {
    std::string s = text.rfind("hf:", 0) == 0 ? text.substr(3) : text;
    ModelRef ref;
    const auto at = s.find('@');
    if (at != std::string::npos) {
        ref.revision = s.substr(at + 1);
        s = s.substr(0, at);
    }
    ref.id = s;
    // huggingface_hub's validate_repo_id: [ORG/]NAME of [A-Za-z0-9_.-], no "--" or "..".
    const auto slash = s.find('/');
    bool ok = !s.empty() && s.size() <= 96 && s.find("--") == std::string::npos &&
              s.find("..") == std::string::npos && std::count(s.begin(), s.end(), '/') <= 1;
    for (const std::string& part :
         {s.substr(0, slash),
          slash == std::string::npos ? std::string("x") : s.substr(slash + 1)}) {
        ok = ok && !part.empty() && part.front() != '-' && part.front() != '.' &&
             part.back() != '-' && part.back() != '.';
        for (unsigned char c : part)
            ok = ok && (std::isalnum(c) || c == '_' || c == '-' || c == '.');
    }
    if (!ok)
        throw Error("'" + text +
                    "' is not a Hub model id (ORG/NAME[@REVISION], letters, digits, "
                    "'-', '_' and '.')");
    bool revOk = !ref.revision.empty() && ref.revision.find("..") == std::string::npos &&
                 ref.revision.front() != '/' && ref.revision.back() != '/';
    for (unsigned char c : ref.revision)
        revOk = revOk && (std::isalnum(c) || c == '_' || c == '-' || c == '.' || c == '/');
    if (!revOk) throw Error("'" + ref.revision + "' is not a revision (a branch, tag or commit)");
    return ref;
}

std::string ModelRef::text() const {
    return revision == "main" ? id : id + "@" + revision;
}

bool isHubSpec(const std::string& spec) {
    return spec.rfind("hf:", 0) == 0;
}

std::string repoFolderName(const std::string& id) {
    std::string out = "models--";
    for (char c : id)
        out += c == '/' ? std::string("--") : std::string(1, c);
    return out;
}

bool snapshotComplete(const std::string& folder) {
    const fs::path f(folder);
    if (!fs::exists(f / "config.json")) return false;
    const std::string weights = model::weightsFileIn(folder);
    if (weights.empty()) return false;
    if (!model::isShardIndex(weights)) return true;
    try {
        const auto shards = model::shardNamesOf(weights);
        return std::all_of(shards.begin(), shards.end(),
                           [&](const auto& s) { return fs::exists(f / s); });
    } catch (const Error&) {
        return false;
    }
}

std::optional<Snapshot> cached(const ModelRef& ref, const HubEnvironment& env) {
    const fs::path repo = fs::path(env.cacheDir) / repoFolderName(ref.id);
    const auto commit = commitOf(ref, repo);
    if (!commit) return std::nullopt;
    const fs::path folder = repo / "snapshots" / *commit;
    if (!snapshotComplete(folder.string())) return std::nullopt;
    Snapshot s;
    s.id = ref.id;
    s.revision = ref.revision;
    s.commit = *commit;
    s.folder = folder.string();
    s.files = filesIn(folder);
    s.fromCache = true;
    return s;
}

Snapshot download(const ModelRef& ref, const HubEnvironment& env, const DownloadOptions& options) {
    const std::string where = "'" + ref.text() + "'";
    if (env.offline) {
        if (auto s = cached(ref, env)) return *s;
        throw Error("HF_HUB_OFFLINE is set and " + where + " is not (completely) in the cache " +
                    env.cacheDir + ": unset HF_HUB_OFFLINE to download it");
    }
    Client client(ref, env, options);
    bool network = false;
    std::optional<FileMeta> config;
    try {
        config = client.head(ref.revision, "config.json", &network);
    } catch (const Error& e) {
        if (!network) throw;
        if (auto s = cached(ref, env)) { // as huggingface_hub: no server, the cache still works
            if (options.note)
                options.note(firstLine(e.what()) + "; using the cached snapshot " + s->commit);
            return *s;
        }
        throw;
    }
    if (!config)
        throw Error("model " + where + " on " + env.endpoint +
                    " has no config.json: not a transformers model");
    Snapshot s;
    s.id = ref.id;
    s.revision = ref.revision;
    s.commit = config->commit;
    client.writeRef(ref.revision, s.commit);
    const fs::path folder =
        fs::path(env.cacheDir) / repoFolderName(ref.id) / "snapshots" / s.commit;
    s.folder = folder.string();
    client.fetch(*config, "config.json");
    // Refuse an architecture not read here before its weights are downloaded.
    model::BertConfig::familyOf(readJsonFile((folder / "config.json").string(), "model config"),
                                ref.text() + " config.json");
    for (const auto& file : kTokenizerFiles) {
        if (auto m = client.head(s.commit, file)) {
            client.fetch(*m, file);
            s.files.push_back(file);
        } else {
            client.markMissing(s.commit, file);
        }
    }
    s.files.push_back("config.json");
    bool found = false;
    for (const auto& file : model::weightFileNames()) {
        auto m = client.head(s.commit, file);
        if (!m) {
            client.markMissing(s.commit, file);
            continue;
        }
        client.fetch(*m, file);
        s.files.push_back(file);
        if (model::isShardIndex(file)) {
            for (const auto& shard : model::shardNamesOf((folder / file).string())) {
                auto sm = client.head(s.commit, shard);
                if (!sm)
                    throw Error(file + " of " + where + " names '" + shard +
                                "', which the repository lacks");
                client.fetch(*sm, shard);
                s.files.push_back(shard);
            }
        }
        found = true;
        break;
    }
    if (!found)
        throw Error("model " + where +
                    " has no weights in a format read here (model.safetensors, "
                    "pytorch_model.bin or their sharded index)");
    s.bytesDownloaded = client.bytes;
    s.seconds = client.seconds;
    s.fromCache = client.bytes == 0;
    return s;
}

DownloadOptions& defaultDownloadOptions() {
    static DownloadOptions options;
    return options;
}

std::string resolveModelFolder(const std::string& spec) {
    if (!isHubSpec(spec)) return spec;
    const auto ref = ModelRef::parse(spec);
    const auto env = HubEnvironment::fromEnvironment();
    if (auto s = cached(ref, env)) return s->folder;
    return download(ref, env, defaultDownloadOptions()).folder;
}

std::vector<CachedModel> listCached(const HubEnvironment& env) {
    std::vector<CachedModel> out;
    std::error_code ec;
    if (!fs::is_directory(env.cacheDir, ec)) return out;
    for (const auto& entry : fs::directory_iterator(env.cacheDir, ec)) {
        const std::string name = entry.path().filename().string();
        if (!entry.is_directory() || name.rfind("models--", 0) != 0) continue;
        CachedModel m;
        std::string rest = name.substr(8);
        for (size_t p; (p = rest.find("--")) != std::string::npos;)
            rest.replace(p, 2, "/");
        m.id = rest;
        const fs::path snapshots = entry.path() / "snapshots";
        if (fs::is_directory(snapshots, ec))
            for (const auto& snap : fs::directory_iterator(snapshots, ec))
                if (snapshotComplete(snap.path().string()))
                    m.commits.push_back(snap.path().filename().string());
        if (m.commits.empty()) continue;
        std::sort(m.commits.begin(), m.commits.end());
        const fs::path refs = entry.path() / "refs";
        if (fs::is_directory(refs, ec))
            for (const auto& r : fs::recursive_directory_iterator(refs, ec)) {
                if (!r.is_regular_file()) continue;
                const std::string commit = readText(r.path());
                if (std::find(m.commits.begin(), m.commits.end(), commit) != m.commits.end())
                    m.revisions.push_back(r.path().lexically_relative(refs).string());
            }
        std::sort(m.revisions.begin(), m.revisions.end());
        const fs::path blobs = entry.path() / "blobs";
        if (fs::is_directory(blobs, ec))
            for (const auto& b : fs::directory_iterator(blobs, ec))
                if (b.is_regular_file()) m.bytes += static_cast<int64_t>(b.file_size());
        out.push_back(std::move(m));
    }
    std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.id < b.id; });
    return out;
}

} // namespace adapterlab::hub
