// The SentencePiece module: Debian's libsentencepiece carries its own protobuf 3.14 and exports
// it, while LibTorch loads the system's libprotobuf 3.21; in one symbol scope the two crash at
// start-up. So the library is reached only through this module, which the tokenizer dlopens with
// RTLD_LOCAL | RTLD_DEEPBIND (each protobuf then binds to itself). A C API keeps the boundary
// free of C++ types.
#include <sentencepiece_processor.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

namespace {
void copyOut(const std::string& s, char* buf, int cap) {
    if (cap <= 0) return;
    const size_t n = std::min(s.size(), static_cast<size_t>(cap - 1));
    std::memcpy(buf, s.data(), n);
    buf[n] = '\0';
}
} // namespace

extern "C" {

/// A processor for the model file, or null with the reason in err.
__attribute__((visibility("default"))) void* adapterlab_spm_load(const char* path, char* err,
                                                                 int errCap) {
    auto* sp = new sentencepiece::SentencePieceProcessor();
    const auto status = sp->Load(path);
    if (!status.ok()) {
        copyOut(status.ToString(), err, errCap);
        delete sp;
        return nullptr;
    }
    return sp;
}

__attribute__((visibility("default"))) void adapterlab_spm_free(void* h) {
    delete static_cast<sentencepiece::SentencePieceProcessor*>(h);
}

__attribute__((visibility("default"))) int adapterlab_spm_size(void* h) {
    return static_cast<sentencepiece::SentencePieceProcessor*>(h)->GetPieceSize();
}

/// The piece ids of text[0, len) into ids[0, cap); returns their number (more than cap: call
/// again with room for that many), or -1 with the reason in err.
__attribute__((visibility("default"))) int adapterlab_spm_encode(void* h, const char* text, int len,
                                                                 int* ids, int cap, char* err,
                                                                 int errCap) {
    std::vector<int> out;
    const auto status = static_cast<sentencepiece::SentencePieceProcessor*>(h)->Encode(
        std::string(text, static_cast<size_t>(len)), &out);
    if (!status.ok()) {
        copyOut(status.ToString(), err, errCap);
        return -1;
    }
    std::copy_n(out.begin(), std::min(out.size(), static_cast<size_t>(std::max(cap, 0))), ids);
    return static_cast<int>(out.size());
}

/// The piece of an id (empty out of range) into buf; returns its full length.
__attribute__((visibility("default"))) int adapterlab_spm_piece(void* h, int id, char* buf,
                                                                int cap) {
    const auto* sp = static_cast<sentencepiece::SentencePieceProcessor*>(h);
    const std::string piece = id >= 0 && id < sp->GetPieceSize() ? sp->IdToPiece(id) : "";
    copyOut(piece, buf, cap);
    return static_cast<int>(piece.size());
}

} // extern "C"
