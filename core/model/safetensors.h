#pragma once
// The safetensors format, read and written by hand (no torch): an 8-byte little-endian header
// length, a JSON header {name: {dtype, shape, data_offsets}, "__metadata__": {str: str}}, then the
// data. Every length, offset and shape is bounds-checked; errors name the file and the tensor.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace adapterlab::model {

enum class DType { F32, F16, BF16, F64, I64, I32, I16, I8, U8, BOOL };

const char* toString(DType t);
size_t dtypeSize(DType t);

struct TensorInfo {
    std::string name;
    DType dtype = DType::F32;
    std::vector<int64_t> shape;
    size_t begin = 0; ///< byte offsets into the data section
    size_t end = 0;

    int64_t numel() const;
};

class SafetensorsFile {
public:
    /// Reads and validates a file; throws Error naming the file and the problem.
    static SafetensorsFile load(const std::string& path);
    /// Validates an in-memory image (used by load and by the fuzzer).
    static SafetensorsFile parse(std::vector<char> bytes, const std::string& origin);

    const TensorInfo* find(const std::string& name) const;
    const std::vector<TensorInfo>& tensors() const { return tensors_; }
    const std::map<std::string, std::string>& metadata() const { return metadata_; }
    const std::string& origin() const { return origin_; }

    /// The tensor's values converted to float32 (F32, F16, BF16 and F64 are accepted).
    std::vector<float> toFloat(const TensorInfo& t) const;

private:
    std::vector<char> bytes_;
    size_t dataStart_ = 0;
    std::vector<TensorInfo> tensors_;
    std::map<std::string, std::string> metadata_;
    std::string origin_;
};

/// One float32 tensor to write.
struct TensorToWrite {
    std::string name;
    std::vector<int64_t> shape;
    const float* data = nullptr;
};

/// Encodes float32 tensors as a safetensors image in memory.
std::vector<char> encodeSafetensors(const std::vector<TensorToWrite>& tensors,
                                    const std::map<std::string, std::string>& metadata);

/// Writes float32 tensors atomically (temporary file + rename): a failed write leaves no file.
void writeSafetensors(const std::string& path, const std::vector<TensorToWrite>& tensors,
                      const std::map<std::string, std::string>& metadata);

float halfToFloat(uint16_t h);
float bfloat16ToFloat(uint16_t h);

} // namespace adapterlab::model
