// hub download / hub list: the Hugging Face Hub and its cache.
#include "commands.h"

#include "hub/hub.h"

#include <nlohmann/json.hpp>

#include <chrono>
#include <cstdio>
#include <iostream>
#include <memory>

#include <unistd.h>

namespace adapterlab::cli {
namespace {

using nlohmann::json;

std::string humanBytes(double b) {
    const char* units[] = {"B", "kB", "MB", "GB", "TB"};
    int u = 0;
    while (b >= 1000 && u < 4) {
        b /= 1000;
        ++u;
    }
    char out[32];
    std::snprintf(out, sizeof out, u == 0 ? "%.0f %s" : "%.1f %s", b, units[u]);
    return out;
}

// Progress on stderr: rewritten in place on a terminal, a line every few seconds otherwise.
class ProgressPrinter {
public:
    bool operator()(const hub::Progress& p) {
        const auto now = std::chrono::steady_clock::now();
        const bool finished = p.total > 0 && p.done >= p.total;
        if (p.file != file_) {
            file_ = p.file;
            last_ = {};
        }
        const auto gap = tty_ ? std::chrono::milliseconds(200) : std::chrono::milliseconds(5000);
        if (!finished && now - last_ < gap) return true;
        if (finished && done_ == p.file) return true;
        last_ = now;
        std::string line = p.file + "  " + humanBytes(static_cast<double>(p.done));
        if (p.total > 0) line += " / " + humanBytes(static_cast<double>(p.total));
        if (p.bytesPerSecond > 0) {
            line += "  " + humanBytes(p.bytesPerSecond) + "/s";
            if (p.total > 0 && !finished)
                line += "  ETA " +
                        std::to_string(static_cast<int64_t>(
                            static_cast<double>(p.total - p.done) / p.bytesPerSecond + 0.5)) +
                        " s";
        }
        if (finished) done_ = p.file;
        if (tty_)
            std::cerr << "\r\033[K" << line << (finished ? "\n" : "") << std::flush;
        else
            std::cerr << line << '\n';
        return true;
    }

private:
    bool tty_ = ::isatty(2) != 0;
    std::string file_, done_;
    std::chrono::steady_clock::time_point last_{};
};

struct DownloadOptions {
    std::string model, revision;
    bool json = false;
};

void runDownload(const DownloadOptions& o) {
    auto ref = hub::ModelRef::parse(o.model);
    if (!o.revision.empty())
        ref.revision = hub::ModelRef::parse(ref.id + "@" + o.revision).revision;
    const auto env = hub::HubEnvironment::fromEnvironment();
    const auto s = hub::download(ref, env, hub::defaultDownloadOptions());
    if (!o.json) {
        std::cout << s.folder << '\n';
        return;
    }
    std::cout << json{{"model", s.id},
                      {"revision", s.revision},
                      {"commit", s.commit},
                      {"folder", s.folder},
                      {"files", s.files},
                      {"cache", env.cacheDir},
                      {"from_cache", s.fromCache},
                      {"downloaded_bytes", s.bytesDownloaded},
                      {"seconds", s.seconds}}
                     .dump()
              << '\n';
}

void runList(bool asJson) {
    const auto env = hub::HubEnvironment::fromEnvironment();
    for (const auto& m : hub::listCached(env)) {
        if (asJson) {
            std::cout << json{{"model", m.id},
                              {"revisions", m.revisions},
                              {"commits", m.commits},
                              {"bytes", m.bytes}}
                             .dump()
                      << '\n';
            continue;
        }
        std::string revs;
        for (const auto& r : m.revisions)
            revs += (revs.empty() ? "" : ",") + r;
        std::cout << m.id << '\t' << (revs.empty() ? "-" : revs) << '\t'
                  << humanBytes(double(m.bytes)) << '\n';
    }
}

} // namespace

void addHub(CLI::App& app) {
    // Every download of the process (hf: backbones too) reports like this.
    auto printer = std::make_shared<ProgressPrinter>();
    hub::defaultDownloadOptions().progress = [printer](const hub::Progress& p) {
        return (*printer)(p);
    };
    hub::defaultDownloadOptions().note = [](const std::string& s) {
        std::cerr << "note: " << s << '\n';
    };

    auto* hubCmd = app.add_subcommand(
        "hub", "the Hugging Face Hub and its cache (HF_ENDPOINT, HF_HOME, HF_HUB_CACHE, "
               "HF_HUB_OFFLINE, HF_TOKEN)");
    hubCmd->require_subcommand(1);
    auto o = std::make_shared<DownloadOptions>();
    auto* dl =
        hubCmd->add_subcommand("download", "fetch a backbone into the cache; prints its folder");
    dl->add_option("MODEL_ID", o->model, "ORG/NAME[@REVISION]")->required();
    dl->add_option("--revision", o->revision, "branch, tag or commit (default main)");
    dl->add_flag("--json", o->json, "one JSON object: folder, commit, files, bytes downloaded");
    dl->callback([o] { runDownload(*o); });
    auto listJson = std::make_shared<bool>(false);
    auto* ls = hubCmd->add_subcommand("list", "the models in the cache with a complete snapshot");
    ls->add_flag("--json", *listJson, "one JSON object per model");
    ls->callback([listJson] { runList(*listJson); });
}

} // namespace adapterlab::cli
