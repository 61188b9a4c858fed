#include "model/safetensors.h"

#include "util/atomic_file.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cstring>
#include <fstream>
#include <limits>

namespace adapterlab::model {
namespace {

using nlohmann::json;

constexpr uint64_t kMaxHeaderBytes = 100u << 20; // the format's own limit is 100 MB

DType parseDType(const std::string& s, const std::string& where) {
    static const std::pair<const char*, DType> table[] = {
        {"F32", DType::F32}, {"F16", DType::F16}, {"BF16", DType::BF16}, {"F64", DType::F64},
        {"I64", DType::I64}, {"I32", DType::I32}, {"I16", DType::I16},   {"I8", DType::I8},
        {"U8", DType::U8},   {"BOOL", DType::BOOL}};
    for (const auto& [name, t] : table)
        if (s == name) return t;
    throw Error(where + ": unknown dtype '" + s + "'");
}

} // namespace

const char* toString(DType t) {
    switch (t) {
    case DType::F32: return "F32";
    case DType::F16: return "F16";
    case DType::BF16: return "BF16";
    case DType::F64: return "F64";
    case DType::I64: return "I64";
    case DType::I32: return "I32";
    case DType::I16: return "I16";
    case DType::I8: return "I8";
    case DType::U8: return "U8";
    case DType::BOOL: return "BOOL";
    }
    return "?";
}

size_t dtypeSize(DType t) {
    switch (t) {
    case DType::F64:
    case DType::I64: return 8;
    case DType::F32:
    case DType::I32: return 4;
    case DType::F16:
    case DType::BF16:
    case DType::I16: return 2;
    case DType::I8:
    case DType::U8:
    case DType::BOOL: return 1;
    }
    return 1;
}

int64_t TensorInfo::numel() const {
    int64_t n = 1;
    for (auto s : shape) n *= s;
    return n;
}

float halfToFloat(uint16_t h) {
    const uint32_t sign = (h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1F;
    uint32_t mant = h & 0x3FF;
    uint32_t bits;
    if (exp == 0) {
        if (mant == 0) {
            bits = sign;
        } else { // subnormal: normalise
            exp = 127 - 15 + 1;
            while ((mant & 0x400) == 0) {
                mant <<= 1;
                --exp;
            }
            bits = sign | (exp << 23) | ((mant & 0x3FF) << 13);
        }
    } else if (exp == 0x1F) {
        bits = sign | 0x7F800000u | (mant << 13);
    } else {
        bits = sign | ((exp + 127 - 15) << 23) | (mant << 13);
    }
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

float bfloat16ToFloat(uint16_t h) {
    const uint32_t bits = static_cast<uint32_t>(h) << 16;
    float f;
    std::memcpy(&f, &bits, sizeof f);
    return f;
}

SafetensorsFile SafetensorsFile::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary | std::ios::ate);
    if (!in) throw Error("cannot open safetensors file '" + path + "'");
    const auto size = static_cast<size_t>(in.tellg());
    in.seekg(0);
    std::vector<char> bytes(size);
    if (size && !in.read(bytes.data(), static_cast<std::streamsize>(size)))
        throw Error("cannot read safetensors file '" + path + "'");
    return parse(std::move(bytes), path);
}

SafetensorsFile SafetensorsFile::parse(std::vector<char> bytes, const std::string& origin) {
    SafetensorsFile f;
    f.origin_ = origin;
    if (bytes.size() < 8)
        throw Error(origin + ": truncated safetensors file (" + std::to_string(bytes.size()) +
                    " bytes, need at least the 8-byte header length)");
    uint64_t headerLen = 0;
    for (int i = 7; i >= 0; --i) headerLen = (headerLen << 8) | static_cast<unsigned char>(bytes[i]);
    if (headerLen > kMaxHeaderBytes || headerLen > bytes.size() - 8)
        throw Error(origin + ": header length " + std::to_string(headerLen) +
                    " runs past the end of the file (" + std::to_string(bytes.size()) + " bytes)");
    json header;
    try {
        header = json::parse(bytes.begin() + 8, bytes.begin() + 8 + static_cast<long>(headerLen));
    } catch (const json::exception& e) {
        throw Error(origin + ": header is not valid JSON (" + e.what() + ")");
    }
    if (!header.is_object()) throw Error(origin + ": header is not a JSON object");
    f.dataStart_ = 8 + headerLen;
    const size_t dataSize = bytes.size() - f.dataStart_;

    for (const auto& [name, entry] : header.items()) {
        const std::string where = origin + ": tensor '" + name + "'";
        if (name == "__metadata__") {
            if (!entry.is_object()) throw Error(origin + ": __metadata__ is not an object");
            for (const auto& [k, v] : entry.items()) {
                if (!v.is_string()) throw Error(origin + ": metadata '" + k + "' is not a string");
                f.metadata_[k] = v.get<std::string>();
            }
            continue;
        }
        if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
            !entry.contains("data_offsets"))
            throw Error(where + ": needs dtype, shape and data_offsets");
        const auto& dt = entry["dtype"];
        const auto& shape = entry["shape"];
        const auto& offs = entry["data_offsets"];
        if (!dt.is_string()) throw Error(where + ": dtype is not a string");
        if (!shape.is_array()) throw Error(where + ": shape is not an array");
        if (!offs.is_array() || offs.size() != 2 || !offs[0].is_number_unsigned() ||
            !offs[1].is_number_unsigned())
            throw Error(where + ": data_offsets must be two non-negative integers");
        TensorInfo t;
        t.name = name;
        t.dtype = parseDType(dt.get<std::string>(), where);
        uint64_t numel = 1;
        for (const auto& s : shape) {
            if (!s.is_number_unsigned()) throw Error(where + ": shape entries must be >= 0");
            const uint64_t dim = s.get<uint64_t>();
            if (dim != 0 && numel > std::numeric_limits<uint64_t>::max() / 16 / dim)
                throw Error(where + ": shape is impossibly large");
            numel *= dim;
            t.shape.push_back(static_cast<int64_t>(dim));
        }
        const uint64_t begin = offs[0].get<uint64_t>(), end = offs[1].get<uint64_t>();
        if (begin > end || end > dataSize)
            throw Error(where + ": data_offsets [" + std::to_string(begin) + ", " +
                        std::to_string(end) + "] lie outside the data section (" +
                        std::to_string(dataSize) + " bytes)");
        if (end - begin != numel * dtypeSize(t.dtype))
            throw Error(where + ": holds " + std::to_string(end - begin) + " bytes but shape and " +
                        toString(t.dtype) + " need " + std::to_string(numel * dtypeSize(t.dtype)));
        t.begin = begin;
        t.end = end;
        f.tensors_.push_back(std::move(t));
    }
    // Tensors must not overlap.
    std::vector<const TensorInfo*> byOffset;
    for (const auto& t : f.tensors_) byOffset.push_back(&t);
    std::sort(byOffset.begin(), byOffset.end(),
              [](auto* a, auto* b) { return a->begin < b->begin || (a->begin == b->begin && a->end < b->end); });
    for (size_t i = 1; i < byOffset.size(); ++i)
        if (byOffset[i]->begin < byOffset[i - 1]->end)
            throw Error(origin + ": tensors '" + byOffset[i - 1]->name + "' and '" +
                        byOffset[i]->name + "' overlap");
    f.bytes_ = std::move(bytes);
    return f;
}

const TensorInfo* SafetensorsFile::find(const std::string& name) const {
    for (const auto& t : tensors_)
        if (t.name == name) return &t;
    return nullptr;
}

std::vector<float> SafetensorsFile::toFloat(const TensorInfo& t) const {
    const char* p = bytes_.data() + dataStart_ + t.begin;
    const size_t n = static_cast<size_t>(t.numel());
    std::vector<float> out(n);
    switch (t.dtype) {
    case DType::F32:
        std::memcpy(out.data(), p, n * 4);
        break;
    case DType::F64:
        for (size_t i = 0; i < n; ++i) {
            double v;
            std::memcpy(&v, p + 8 * i, 8);
            out[i] = static_cast<float>(v);
        }
        break;
    case DType::F16:
    case DType::BF16:
        for (size_t i = 0; i < n; ++i) {
            uint16_t h;
            std::memcpy(&h, p + 2 * i, 2);
            out[i] = t.dtype == DType::F16 ? halfToFloat(h) : bfloat16ToFloat(h);
        }
        break;
    default:
        throw Error(origin_ + ": tensor '" + t.name + "' has dtype " + toString(t.dtype) +
                    ", expected a floating-point type (F32, F16, BF16)");
    }
    return out;
}

std::vector<char> encodeSafetensors(const std::vector<TensorToWrite>& tensors,
                                    const std::map<std::string, std::string>& metadata) {
    json header = json::object();
    if (!metadata.empty()) header["__metadata__"] = metadata;
    size_t offset = 0;
    std::vector<size_t> sizes;
    for (const auto& t : tensors) {
        int64_t n = 1;
        for (auto s : t.shape) n *= s;
        sizes.push_back(static_cast<size_t>(n) * 4);
        header[t.name] = {{"dtype", "F32"}, {"shape", t.shape}, {"data_offsets", {offset, offset + sizes.back()}}};
        offset += sizes.back();
    }
    std::string h = header.dump();
    h.append((8 - h.size() % 8) % 8, ' '); // keep the data 8-byte aligned
    std::vector<char> out(8 + h.size() + offset);
    const uint64_t len = h.size();
    for (int i = 0; i < 8; ++i) out[static_cast<size_t>(i)] = static_cast<char>((len >> (8 * i)) & 0xFF);
    std::memcpy(out.data() + 8, h.data(), h.size());
    char* p = out.data() + 8 + h.size();
    for (size_t i = 0; i < tensors.size(); ++i) {
        if (sizes[i]) std::memcpy(p, tensors[i].data, sizes[i]);
        p += sizes[i];
    }
    return out;
}

void writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata) {
    writeFileAtomically(path, encodeSafetensors(tensors, metadata));
}

} // namespace adapterlab::model
