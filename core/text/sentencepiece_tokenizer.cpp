#include "text/sentencepiece_tokenizer.h"

#include "util/error.h"

#include <dlfcn.h>

#include <filesystem>
#include <mutex>

namespace adapterlab::text {
namespace {

// The module's C API (core/text/spm_module.cpp).
struct SpmApi {
    void* (*load)(const char*, char*, int) = nullptr;
    void (*free)(void*) = nullptr;
    int (*size)(void*) = nullptr;
    int (*encode)(void*, const char*, int, int*, int, char*, int) = nullptr;
    int (*piece)(void*, int, char*, int) = nullptr;
};

// Where the module is: $ADAPTERLAB_SENTENCEPIECE_MODULE, installed beside the executable
// (PREFIX/bin/.. + LIBDIR/adapterlab), else the build tree's.
std::string modulePath() {
    if (const char* env = std::getenv("ADAPTERLAB_SENTENCEPIECE_MODULE"); env && *env) return env;
    std::error_code ec;
    const auto exe = std::filesystem::read_symlink("/proc/self/exe", ec);
    if (!ec) {
        const auto installed = exe.parent_path().parent_path() / ADAPTERLAB_SPM_INSTALL_PATH;
        if (std::filesystem::exists(installed, ec)) return installed.string();
    }
    return ADAPTERLAB_SPM_BUILD_PATH;
}

const SpmApi& api() {
    static SpmApi a;
    static std::string error;
    static std::once_flag once;
    std::call_once(once, [] {
        const std::string path = modulePath();
#if defined(__SANITIZE_ADDRESS__)
        // ASan aborts on RTLD_DEEPBIND, and without it the two protobufs crash.
        error = "SentencePiece tokenizers are not available in sanitizer builds (the module "
                "needs RTLD_DEEPBIND)";
        return;
#endif
        // Local and deep-bound: its protobuf copy must not meet LibTorch's (see spm_module.cpp).
        void* h = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL | RTLD_DEEPBIND);
        if (!h) {
            error = "cannot load the SentencePiece module " + path + ": " + dlerror();
            return;
        }
        a.load = reinterpret_cast<decltype(a.load)>(dlsym(h, "adapterlab_spm_load"));
        a.free = reinterpret_cast<decltype(a.free)>(dlsym(h, "adapterlab_spm_free"));
        a.size = reinterpret_cast<decltype(a.size)>(dlsym(h, "adapterlab_spm_size"));
        a.encode = reinterpret_cast<decltype(a.encode)>(dlsym(h, "adapterlab_spm_encode"));
        a.piece = reinterpret_cast<decltype(a.piece)>(dlsym(h, "adapterlab_spm_piece"));
        if (!a.load || !a.free || !a.size || !a.encode || !a.piece) {
            a.load = nullptr;
            error = "the SentencePiece module " + path + " lacks its functions";
        }
    });
    if (!a.load) throw Error(error);
    return a;
}

const char* const kFairseq[] = {"<s>", "<pad>", "</s>", "<unk>"}; // ids 0..3

} // namespace

struct SentencePieceTokenizer::Handle {
    void* sp = nullptr;
    ~Handle() {
        if (sp) api().free(sp);
    }
};

SentencePieceTokenizer::SentencePieceTokenizer(const std::string& modelFile)
    : handle_(std::make_unique<Handle>()) {
    char err[512] = "";
    handle_->sp = api().load(modelFile.c_str(), err, sizeof err);
    if (!handle_->sp) throw Error(modelFile + ": not a SentencePiece model (" + err + ")");
    pieces_ = api().size(handle_->sp);
    special_ = {0, 2, 1, 3, static_cast<int32_t>(pieces_) + kOffset};
    framing_ = Framing::Roberta;
}

SentencePieceTokenizer::~SentencePieceTokenizer() = default;

size_t SentencePieceTokenizer::size() const {
    return static_cast<size_t>(pieces_) + kOffset + 1;
}

std::vector<int32_t> SentencePieceTokenizer::tokenizeToIds(std::string_view text) const {
    // XLMRobertaTokenizer: the pieces of sp_model.encode(text), each piece id + fairseq offset,
    // SentencePiece's unknown (0) as <unk> (3). Plain text never yields the control pieces.
    std::vector<int> spm(text.size() + 8);
    char err[512] = "";
    for (;;) {
        const int n = api().encode(handle_->sp, text.data(), static_cast<int>(text.size()),
                                   spm.data(), static_cast<int>(spm.size()), err, sizeof err);
        if (n < 0) throw Error(std::string("SentencePiece: ") + err);
        const bool fits = static_cast<size_t>(n) <= spm.size();
        spm.resize(static_cast<size_t>(n));
        if (fits) break;
    }
    std::vector<int32_t> ids;
    ids.reserve(spm.size());
    for (int id : spm)
        ids.push_back(id == 0 ? special_.unk : id + kOffset);
    return ids;
}

std::string SentencePieceTokenizer::token(int32_t id) const {
    if (id >= 0 && id < 4) return kFairseq[id];
    if (id == special_.mask) return "<mask>";
    if (id < 0 || static_cast<size_t>(id) >= size())
        throw Error("token id " + std::to_string(id) + " is out of range");
    std::string buf(256, '\0');
    int n = api().piece(handle_->sp, id - kOffset, buf.data(), static_cast<int>(buf.size()));
    if (n >= static_cast<int>(buf.size())) {
        buf.assign(static_cast<size_t>(n) + 1, '\0');
        n = api().piece(handle_->sp, id - kOffset, buf.data(), static_cast<int>(buf.size()));
    }
    buf.resize(static_cast<size_t>(n));
    return buf;
}

} // namespace adapterlab::text
