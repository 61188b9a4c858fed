#include "model/checkpoint.h"

#include "util/error.h"
#include "util/json_file.h"

#include <caffe2/serialize/inline_container.h>

#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

namespace adapterlab::model {
namespace fs = std::filesystem;

namespace {

bool endsWith(const std::string& s, const std::string& tail) {
    return s.size() >= tail.size() && s.compare(s.size() - tail.size(), tail.size(), tail) == 0;
}

// ---- The restricted pickle reader -------------------------------------------------------------

struct Value;
using Ptr = std::shared_ptr<Value>;

struct Value {
    enum Kind { None, Bool, Int, Float, Str, Tuple, List, Dict, Global, Tensor } kind = None;
    int64_t i = 0;
    double f = 0;
    std::string s;                         // Str; Global: "module.name"
    std::vector<Ptr> items;                // Tuple, List
    std::vector<std::pair<Ptr, Ptr>> dict; // Dict, in insertion order
    torch::Tensor tensor;                  // Tensor; a storage is a 1-D tensor too
    bool storage = false;

    static Ptr make(Kind k) {
        auto v = std::make_shared<Value>();
        v->kind = k;
        return v;
    }
};

const std::map<std::string, torch::ScalarType>& storageTypes() {
    static const std::map<std::string, torch::ScalarType> types = {
        {"torch.DoubleStorage", torch::kDouble}, {"torch.FloatStorage", torch::kFloat},
        {"torch.HalfStorage", torch::kHalf},     {"torch.BFloat16Storage", torch::kBFloat16},
        {"torch.LongStorage", torch::kLong},     {"torch.IntStorage", torch::kInt},
        {"torch.ShortStorage", torch::kShort},   {"torch.CharStorage", torch::kChar},
        {"torch.ByteStorage", torch::kByte},     {"torch.BoolStorage", torch::kBool}};
    return types;
}

bool knownGlobal(const std::string& g) {
    return g == "collections.OrderedDict" || g == "torch._utils._rebuild_tensor_v2" ||
           g == "torch._utils._rebuild_parameter" ||
           g == "torch.jit._pickle.restore_type_tag" || // LibTorch's pickle_save: (value,
                                                        // "Dict[...]")
           storageTypes().count(g);
}

class Unpickler {
public:
    Unpickler(const char* data, size_t size, std::string origin,
              std::function<torch::Tensor(const std::string& key, torch::ScalarType, int64_t numel)>
                  storage)
        : p_(data), end_(data + size), origin_(std::move(origin)),
          loadStorage_(std::move(storage)) {}

    Ptr run() {
        for (;;) {
            const auto op = static_cast<unsigned char>(byte());
            switch (op) {
            case 0x80:
                byte();
                break; // PROTO
            case 0x95:
                bytes(8);
                break; // FRAME
            case '}':
                push(Value::make(Value::Dict));
                break;
            case ']':
                push(Value::make(Value::List));
                break;
            case ')':
                push(Value::make(Value::Tuple));
                break;
            case '(':
                marks_.push_back(stack_.size());
                break;
            case 't':
                push(tuple(popMark()));
                break;
            case 'l': {
                auto l = Value::make(Value::List);
                l->items = popMark();
                push(l);
                break;
            }
            case 'd': {
                auto d = Value::make(Value::Dict);
                auto kv = popMark();
                if (kv.size() % 2) fail("odd DICT");
                for (size_t k = 0; k < kv.size(); k += 2)
                    d->dict.emplace_back(kv[k], kv[k + 1]);
                push(d);
                break;
            }
            case 0x85:
            case 0x86:
            case 0x87: { // TUPLE1..3
                const size_t n = op - 0x84;
                push(tuple(popN(n)));
                break;
            }
            case 'X':
                push(str(bytes(u32())));
                break; // BINUNICODE
            case 0x8c:
                push(str(bytes(byte8())));
                break; // SHORT_BINUNICODE
            case 0x8d:
                push(str(bytes(u64())));
                break; // BINUNICODE8
            case 'T':
            case 'B':
                push(str(bytes(u32())));
                break; // BINSTRING, BINBYTES
            case 'U':
            case 'C':
                push(str(bytes(byte8())));
                break; // SHORT_BINSTRING/BYTES
            case 'q':
                memo(byte8());
                break; // BINPUT
            case 'r':
                memo(u32());
                break; // LONG_BINPUT
            case 0x94:
                memo(memo_.size());
                break; // MEMOIZE
            case 'h':
                push(get(byte8()));
                break; // BINGET
            case 'j':
                push(get(u32()));
                break; // LONG_BINGET
            case 'J': {
                int32_t v;
                std::memcpy(&v, bytes(4).data(), 4);
                push(integer(v));
                break;
            }
            case 'K':
                push(integer(byte8()));
                break;
            case 'M': {
                uint16_t v;
                std::memcpy(&v, bytes(2).data(), 2);
                push(integer(v));
                break;
            }
            case 0x8a:
                push(integer(longN(byte8())));
                break;  // LONG1
            case 'G': { // BINFLOAT, big-endian
                const std::string b = bytes(8);
                uint64_t u = 0;
                for (unsigned char c : b)
                    u = (u << 8) | c;
                auto v = Value::make(Value::Float);
                std::memcpy(&v->f, &u, 8);
                push(v);
                break;
            }
            case 0x88:
            case 0x89: {
                auto v = Value::make(Value::Bool);
                v->i = op == 0x88;
                push(v);
                break;
            }
            case 'N':
                push(Value::make(Value::None));
                break;
            case 'c': { // GLOBAL
                const std::string module = line(), name = line();
                push(global(module + "." + name));
                break;
            }
            case 0x93: { // STACK_GLOBAL
                const auto name = pop(), module = pop();
                if (name->kind != Value::Str || module->kind != Value::Str)
                    fail("bad STACK_GLOBAL");
                push(global(module->s + "." + name->s));
                break;
            }
            case 'R': { // REDUCE
                const auto args = pop(), fn = pop();
                push(call(fn, args));
                break;
            }
            case 'b':
                pop();
                break; // BUILD: a state dict's _metadata; the dict itself is kept
            case 's': {
                const auto v = pop(), k = pop();
                dictOf(top())->dict.emplace_back(k, v);
                break;
            }
            case 'u': { // SETITEMS
                auto kv = popMark();
                if (kv.size() % 2) fail("odd SETITEMS");
                auto d = dictOf(top());
                for (size_t k = 0; k < kv.size(); k += 2)
                    d->dict.emplace_back(kv[k], kv[k + 1]);
                break;
            }
            case 'a': {
                const auto v = pop();
                listOf(top())->items.push_back(v);
                break;
            }
            case 'e': {
                auto vs = popMark();
                auto l = listOf(top());
                for (auto& v : vs)
                    l->items.push_back(v);
                break;
            }
            case 'Q':
                push(persistent(pop()));
                break; // BINPERSID
            case '0':
                pop();
                break;
            case '2':
                push(top());
                break;
            case '.':
                return pop(); // STOP
            default: {
                char hex[8];
                std::snprintf(hex, sizeof hex, "0x%02x", op);
                fail(std::string("pickle opcode ") + hex + " is not read here (not a state dict?)");
            }
            }
        }
    }

private:
    [[noreturn]] void fail(const std::string& what) const { throw Error(origin_ + ": " + what); }

    char byte() {
        if (p_ >= end_) fail("the pickle ends early");
        return *p_++;
    }
    size_t byte8() { return static_cast<unsigned char>(byte()); }
    std::string bytes(uint64_t n) {
        if (n > static_cast<uint64_t>(end_ - p_)) fail("the pickle ends early");
        std::string s(p_, static_cast<size_t>(n));
        p_ += n;
        return s;
    }
    uint32_t u32() {
        uint32_t v;
        std::memcpy(&v, bytes(4).data(), 4);
        return v;
    }
    uint64_t u64() {
        uint64_t v;
        std::memcpy(&v, bytes(8).data(), 8);
        return v;
    }
    int64_t longN(size_t n) {
        if (n > 8) fail("integer too large");
        const std::string b = bytes(n);
        uint64_t u = 0;
        for (size_t k = 0; k < n; ++k)
            u |= uint64_t(static_cast<unsigned char>(b[k])) << (8 * k);
        if (n > 0 && n < 8 && (static_cast<unsigned char>(b[n - 1]) & 0x80))
            u |= ~uint64_t(0) << (8 * n);
        return static_cast<int64_t>(u);
    }
    std::string line() {
        std::string s;
        for (char c; (c = byte()) != '\n';)
            s += c;
        return s;
    }

    void push(Ptr v) {
        if (stack_.size() > 1'000'000) fail("the pickle is too deep");
        stack_.push_back(std::move(v));
    }
    Ptr pop() {
        if (stack_.size() <= (marks_.empty() ? 0 : marks_.back())) fail("pickle stack underflow");
        auto v = stack_.back();
        stack_.pop_back();
        return v;
    }
    Ptr top() {
        if (stack_.empty()) fail("pickle stack underflow");
        return stack_.back();
    }
    std::vector<Ptr> popN(size_t n) {
        std::vector<Ptr> out(n);
        for (size_t k = n; k-- > 0;)
            out[k] = pop();
        return out;
    }
    std::vector<Ptr> popMark() {
        if (marks_.empty()) fail("pickle MARK missing");
        const size_t m = marks_.back();
        marks_.pop_back();
        std::vector<Ptr> out(stack_.begin() + static_cast<std::ptrdiff_t>(m), stack_.end());
        stack_.resize(m);
        return out;
    }
    void memo(size_t k) {
        if (k > 10'000'000) fail("memo index too large");
        if (memo_.size() <= k) memo_.resize(k + 1);
        memo_[k] = top();
    }
    Ptr get(size_t k) {
        if (k >= memo_.size() || !memo_[k]) fail("pickle memo " + std::to_string(k) + " unset");
        return memo_[k];
    }
    static Ptr tuple(std::vector<Ptr> items) {
        auto t = Value::make(Value::Tuple);
        t->items = std::move(items);
        return t;
    }
    static Ptr str(std::string s) {
        auto v = Value::make(Value::Str);
        v->s = std::move(s);
        return v;
    }
    static Ptr integer(int64_t i) {
        auto v = Value::make(Value::Int);
        v->i = i;
        return v;
    }
    Ptr dictOf(const Ptr& v) const {
        if (v->kind != Value::Dict) fail("SETITEM on something that is not a dict");
        return v;
    }
    Ptr listOf(const Ptr& v) const {
        if (v->kind != Value::List) fail("APPEND on something that is not a list");
        return v;
    }
    Ptr global(const std::string& name) const {
        if (!knownGlobal(name))
            fail("the pickle refers to '" + name +
                 "', which is not part of a state dict of "
                 "tensors; it is refused, as loading it could run code");
        auto g = Value::make(Value::Global);
        g->s = name;
        return g;
    }

    std::vector<int64_t> ints(const Ptr& t, const char* what) const {
        if (t->kind != Value::Tuple) fail(std::string(what) + " is not a tuple");
        std::vector<int64_t> out;
        for (const auto& v : t->items) {
            if (v->kind != Value::Int) fail(std::string(what) + " holds a non-integer");
            out.push_back(v->i);
        }
        return out;
    }

    Ptr call(const Ptr& fn, const Ptr& args) {
        if (fn->kind != Value::Global || args->kind != Value::Tuple)
            fail("REDUCE of a non-callable");
        const auto& a = args->items;
        if (fn->s == "collections.OrderedDict") {
            if (!a.empty()) fail("OrderedDict with arguments");
            return Value::make(Value::Dict);
        }
        if (fn->s == "torch.jit._pickle.restore_type_tag") {
            if (a.empty()) fail("bad restore_type_tag");
            return a[0];
        }
        if (fn->s == "torch._utils._rebuild_parameter") {
            if (a.empty() || a[0]->kind != Value::Tensor || a[0]->storage)
                fail("bad _rebuild_parameter");
            return a[0];
        }
        if (fn->s == "torch._utils._rebuild_tensor_v2") {
            if (a.size() < 4 || a[0]->kind != Value::Tensor || !a[0]->storage ||
                a[1]->kind != Value::Int)
                fail("bad _rebuild_tensor_v2 arguments");
            const auto size = ints(a[2], "a tensor's size"),
                       stride = ints(a[3], "a tensor's stride");
            const int64_t offset = a[1]->i, numel = a[0]->tensor.numel();
            if (size.size() != stride.size() || offset < 0) fail("bad tensor size/stride");
            int64_t last = offset, count = 1;
            for (size_t k = 0; k < size.size(); ++k) {
                if (size[k] < 0 || stride[k] < 0) fail("negative tensor size or stride");
                count *= size[k];
                if (size[k] > 0) last += (size[k] - 1) * stride[k];
            }
            if (count > 0 && last >= numel)
                fail("a tensor reaches element " + std::to_string(last) + " of a storage of " +
                     std::to_string(numel));
            auto t = Value::make(Value::Tensor);
            t->tensor = a[0]->tensor.as_strided(size, stride, offset);
            return t;
        }
        fail("'" + fn->s + "' cannot be called");
    }

    Ptr persistent(const Ptr& pid) {
        const auto& a = pid->items;
        if (pid->kind != Value::Tuple || a.size() < 5 || a[0]->kind != Value::Str ||
            a[0]->s != "storage" || a[1]->kind != Value::Global || a[2]->kind != Value::Str ||
            a[4]->kind != Value::Int)
            fail("a persistent id that is not a tensor storage");
        const auto type = storageTypes().find(a[1]->s);
        if (type == storageTypes().end()) fail("'" + a[1]->s + "' is not a storage type");
        auto& cached = storages_[a[2]->s];
        if (!cached.defined()) cached = loadStorage_(a[2]->s, type->second, a[4]->i);
        auto v = Value::make(Value::Tensor);
        v->tensor = cached;
        v->storage = true;
        return v;
    }

    const char* p_;
    const char* end_;
    std::string origin_;
    std::function<torch::Tensor(const std::string&, torch::ScalarType, int64_t)> loadStorage_;
    std::vector<Ptr> stack_, memo_;
    std::vector<size_t> marks_;
    std::map<std::string, torch::Tensor> storages_;
};

// The shard files of an index, as paths next to it.
std::vector<std::string> shardPathsOf(const std::string& index) {
    std::vector<std::string> out;
    for (const auto& s : shardNamesOf(index))
        out.push_back((fs::path(index).parent_path() / s).string());
    return out;
}

} // namespace

std::vector<std::pair<std::string, torch::Tensor>> readTorchStateDict(const std::string& path) {
    {
        std::ifstream in(path, std::ios::binary);
        if (!in) throw Error("cannot open '" + path + "'");
        char magic[4] = {};
        in.read(magic, 4);
        if (std::memcmp(magic, "PK\x03\x04", 4) != 0)
            throw Error(path + ": not torch.save's zip format (files saved by PyTorch < 1.6 are "
                               "not read: re-save with a newer PyTorch, or use model.safetensors)");
    }
    std::unique_ptr<caffe2::serialize::PyTorchStreamReader> reader;
    try {
        reader = std::make_unique<caffe2::serialize::PyTorchStreamReader>(path);
    } catch (const c10::Error& e) {
        throw Error(path + ": not a readable torch.save archive: " + firstLine(e.what()));
    }
    const std::string origin = path;
    try {
        if (reader->hasRecord("byteorder")) {
            auto [data, n] = reader->getRecord("byteorder");
            if (std::string(static_cast<const char*>(data.get()), n) != "little")
                throw Error(path + ": big-endian archives are not read");
        }
        if (!reader->hasRecord("data.pkl"))
            throw Error(path + ": no data.pkl (a TorchScript file?)");
        auto [pkl, pklSize] = reader->getRecord("data.pkl");
        Unpickler u(static_cast<const char*>(pkl.get()), pklSize, origin + " (data.pkl)",
                    [&](const std::string& key, torch::ScalarType type, int64_t numel) {
                        const std::string record = "data/" + key;
                        if (!reader->hasRecord(record))
                            throw Error(path + ": storage '" + key + "' is missing");
                        auto [data, n] = reader->getRecord(record);
                        const auto elem = static_cast<int64_t>(c10::elementSize(type));
                        if (numel < 0 || static_cast<int64_t>(n) != numel * elem)
                            throw Error(path + ": storage '" + key + "' holds " +
                                        std::to_string(n) + " bytes, not " + std::to_string(numel) +
                                        " elements");
                        auto t = torch::empty({numel}, torch::TensorOptions().dtype(type));
                        if (n) std::memcpy(t.data_ptr(), data.get(), n);
                        return t;
                    });
        const Ptr root = u.run();
        if (root->kind != Value::Dict) throw Error(path + ": holds no dict of tensors");
        std::vector<std::pair<std::string, torch::Tensor>> out;
        for (const auto& [k, v] : root->dict) {
            if (k->kind != Value::Str || v->kind != Value::Tensor || v->storage)
                throw Error(path + ": is not a flat dict of name -> tensor" +
                            (k->kind == Value::Str ? " (entry '" + k->s + "')" : std::string()));
            out.emplace_back(k->s, v->tensor);
        }
        return out;
    } catch (const c10::Error& e) {
        throw Error(path + ": " + firstLine(e.what()));
    }
}

struct Checkpoint::Source {
    std::optional<SafetensorsFile> safetensors;
    std::vector<std::pair<std::string, torch::Tensor>> tensors; // from a pickle
};

void Checkpoint::add(const std::shared_ptr<const Source>& source) {
    const auto put = [&](const std::string& name, std::vector<int64_t> shape, size_t k) {
        if (!index_.emplace(name, entries_.size()).second)
            throw Error(origin_ + ": tensor '" + name + "' is in two shards");
        entries_.push_back({name, std::move(shape)});
        where_.emplace_back(source, k);
    };
    if (source->safetensors) {
        const auto& ts = source->safetensors->tensors();
        for (size_t k = 0; k < ts.size(); ++k)
            put(ts[k].name, ts[k].shape, k);
    } else {
        for (size_t k = 0; k < source->tensors.size(); ++k)
            put(source->tensors[k].first, source->tensors[k].second.sizes().vec(), k);
    }
}

Checkpoint Checkpoint::fromSafetensors(SafetensorsFile file) {
    Checkpoint c;
    c.origin_ = file.origin();
    auto s = std::make_shared<Source>();
    s->safetensors.emplace(std::move(file));
    c.add(s);
    return c;
}

Checkpoint Checkpoint::load(const std::string& path) {
    if (isShardIndex(path)) {
        Checkpoint c;
        c.origin_ = path;
        for (const auto& shard : shardPathsOf(path)) {
            if (!fs::exists(shard)) throw Error(path + ": shard '" + shard + "' is missing");
            const Checkpoint part = load(shard); // one source: the shard's file
            if (!part.where_.empty()) c.add(part.where_.front().first);
        }
        return c;
    }
    if (endsWith(path, ".safetensors")) return fromSafetensors(SafetensorsFile::load(path));
    if (endsWith(path, ".bin") || endsWith(path, ".pt") || endsWith(path, ".pth")) {
        Checkpoint c;
        c.origin_ = path;
        auto s = std::make_shared<Source>();
        s->tensors = readTorchStateDict(path);
        c.add(s);
        return c;
    }
    throw Error("'" + path +
                "' is not a checkpoint format read here (.safetensors, .bin, "
                ".index.json)");
}

const Checkpoint::Entry* Checkpoint::find(const std::string& name) const {
    const auto it = index_.find(name);
    return it == index_.end() ? nullptr : &entries_[it->second];
}

torch::Tensor Checkpoint::tensor(const Entry& entry) const {
    const auto& [source, k] = where_.at(index_.at(entry.name));
    if (source->safetensors) {
        const auto& info = source->safetensors->tensors()[k];
        std::vector<float> values = source->safetensors->toFloat(info);
        return torch::from_blob(values.data(), info.shape, torch::kFloat).clone();
    }
    const auto& t = source->tensors[k].second;
    if (!t.is_floating_point())
        throw Error(origin_ + ": tensor '" + entry.name + "' is not floating point");
    return t.to(torch::kFloat).contiguous();
}

std::string fileFingerprint(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw Error("cannot open '" + path + "'");
    uint64_t h = 1469598103934665603ULL;
    uint64_t size = 0;
    std::vector<char> buf(1 << 20);
    while (in) {
        in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
        const auto n = static_cast<size_t>(in.gcount());
        for (size_t i = 0; i < n; ++i)
            h = (h ^ static_cast<unsigned char>(buf[i])) * 1099511628211ULL;
        size += n;
    }
    char out[64];
    std::snprintf(out, sizeof out, "%llu-%016llx", static_cast<unsigned long long>(size),
                  static_cast<unsigned long long>(h));
    return out;
}

namespace {

// The pickle opcodes a state dict needs (protocol 2), written as torch.save writes them.
class PickleWriter {
public:
    std::string bytes = "\x80\x02"; // PROTO 2
    void global(const char* module, const char* name) {
        bytes += 'c';
        bytes += module;
        bytes += '\n';
        bytes += name;
        bytes += '\n';
    }
    void text(const std::string& s) { // BINUNICODE
        bytes += 'X';
        appendLittle(static_cast<uint32_t>(s.size()), 4);
        bytes += s;
    }
    void integer(int64_t v) {
        if (v >= INT32_MIN && v <= INT32_MAX) { // BININT
            bytes += 'J';
            appendLittle(static_cast<uint32_t>(static_cast<int32_t>(v)), 4);
        } else { // LONG1: 8 bytes two's complement
            bytes += "\x8a\x08";
            appendLittle(static_cast<uint64_t>(v), 8);
        }
    }
    void tuple(const std::vector<int64_t>& values) {
        if (values.empty()) {
            bytes += ')'; // EMPTY_TUPLE
            return;
        }
        bytes += '(';
        for (int64_t v : values)
            integer(v);
        bytes += 't';
    }
    void emptyOrderedDict() {
        global("collections", "OrderedDict");
        bytes += ")R"; // EMPTY_TUPLE, REDUCE
    }

private:
    void appendLittle(uint64_t v, int n) {
        for (int k = 0; k < n; ++k)
            bytes += static_cast<char>((v >> (8 * k)) & 0xff);
    }
};

const char* storageName(torch::ScalarType t) {
    switch (t) {
    case torch::kFloat:
        return "FloatStorage";
    case torch::kDouble:
        return "DoubleStorage";
    case torch::kHalf:
        return "HalfStorage";
    case torch::kBFloat16:
        return "BFloat16Storage";
    case torch::kLong:
        return "LongStorage";
    case torch::kInt:
        return "IntStorage";
    default:
        throw Error(std::string("torch.save format: no storage for dtype ") + c10::toString(t));
    }
}

} // namespace

std::vector<char>
encodeTorchStateDict(const std::vector<std::pair<std::string, torch::Tensor>>& tensors) {
    std::vector<torch::Tensor> data;
    PickleWriter p;
    p.emptyOrderedDict();
    p.bytes += '('; // MARK: the items
    for (const auto& [name, t] : tensors) {
        const torch::Tensor c = t.detach().to(torch::kCPU).contiguous();
        const std::string key = std::to_string(data.size());
        p.text(name);
        // _rebuild_tensor_v2(storage, offset, size, stride, requires_grad, backward_hooks)
        p.global("torch._utils", "_rebuild_tensor_v2");
        p.bytes += '(';
        p.bytes += '('; // persistent id ('storage', type, key, location, numel)
        p.text("storage");
        p.global("torch", storageName(c.scalar_type()));
        p.text(key);
        p.text("cpu");
        p.integer(c.numel());
        p.bytes += "tQ"; // TUPLE, BINPERSID
        p.integer(0);
        p.tuple(c.sizes().vec());
        p.tuple(c.strides().vec());
        p.bytes += '\x89'; // NEWFALSE: requires_grad
        p.emptyOrderedDict();
        p.bytes += "tR";
        data.push_back(c);
    }
    p.bytes += "u."; // SETITEMS, STOP
    std::vector<char> out;
    {
        caffe2::serialize::PyTorchStreamWriter w([&](const void* buf, size_t n) {
            const auto* b = static_cast<const char*>(buf);
            out.insert(out.end(), b, b + n);
            return n;
        });
        w.writeRecord("data.pkl", p.bytes.data(), p.bytes.size());
        w.writeRecord("byteorder", "little", 6);
        for (size_t i = 0; i < data.size(); ++i)
            w.writeRecord("data/" + std::to_string(i), data[i].data_ptr(),
                          static_cast<size_t>(data[i].numel()) * data[i].element_size());
        w.writeEndOfFile();
    }
    return out;
}

std::vector<char> encodeTensors(const std::vector<std::pair<std::string, torch::Tensor>>& tensors,
                                const std::map<std::string, std::string>& metadata) {
    std::vector<torch::Tensor> keep; // contiguous float copies alive until encoded
    std::vector<TensorToWrite> out;
    for (const auto& [name, t] : tensors) {
        keep.push_back(t.detach().to(torch::kCPU, torch::kFloat).contiguous());
        out.push_back({name, keep.back().sizes().vec(), keep.back().data_ptr<float>()});
    }
    return encodeSafetensors(out, metadata);
}

std::string checkpointFingerprint(const std::string& path) {
    std::string fp = fileFingerprint(path);
    if (isShardIndex(path))
        for (const auto& shard : shardPathsOf(path))
            fp += "+" + fileFingerprint(shard);
    return fp;
}

} // namespace adapterlab::model
