// Checkpoint formats: pytorch_model.bin (torch.save's zip, read by the restricted unpickler),
// sharded checkpoints, and the refusal of hostile or broken pickles.
#include "model/checkpoint.h"
#include "model/hf_import.h"
#include "test_util.h"
#include "train_fixture.h"

#include <QProcess>
#include <QStandardPaths>
#include <QTemporaryDir>
#include <QTest>

#include <caffe2/serialize/inline_container.h>
#include <nlohmann/json.hpp>
#include <torch/serialize.h>

#include <filesystem>
#include <fstream>

using namespace adapterlab;
namespace fs = std::filesystem;

namespace {

// The pooled output of a model folder for fixed ids.
torch::Tensor outputOf(const std::string& folder) {
    const auto files = model::HfModelFiles::inDirectory(folder, true);
    auto m = model::loadHfModel(files, std::nullopt, false);
    m->eval();
    torch::NoGradGuard g;
    const auto ids = torch::tensor({{2, 7, 9, 11, 3}, {2, 5, 3, 0, 0}}, torch::kLong);
    const auto mask = torch::tensor({{1, 1, 1, 1, 1}, {1, 1, 1, 0, 0}}, torch::kLong);
    return m->forward(ids, torch::zeros_like(ids), mask).pooled;
}

// A copy of a model folder without its weights.
std::string folderWithout(const std::string& from, const std::string& to) {
    fs::create_directories(to);
    for (const char* f : {"config.json", "vocab.txt"})
        fs::copy_file(fs::path(from) / f, fs::path(to) / f);
    return to;
}

// A torch.save-format zip holding `pickle` as data.pkl (and the given storages), written by
// LibTorch's own archive writer.
void writeArchive(const std::string& path, const std::string& pickle,
                  const std::map<std::string, std::string>& storages = {}) {
    caffe2::serialize::PyTorchStreamWriter w(path);
    w.writeRecord("data.pkl", pickle.data(), pickle.size());
    for (const auto& [key, bytes] : storages)
        w.writeRecord("data/" + key, bytes.data(), bytes.size());
    w.writeEndOfFile();
}

// Bytes of a literal with embedded NULs.
template <size_t N> std::string raw(const char (&s)[N]) {
    return std::string(s, N - 1);
}

// Pickle BINUNICODE.
std::string pickleText(const std::string& s) {
    const auto n = static_cast<uint32_t>(s.size());
    return "X" + std::string(reinterpret_cast<const char*>(&n), 4) + s;
}

} // namespace

class TestCheckpoint : public QObject {
    Q_OBJECT

    std::unique_ptr<testutil::Fixture> fixture_;
    QTemporaryDir tmp_;
    std::string path(const QString& rel) const { return tmp_.filePath(rel).toStdString(); }

private Q_SLOTS:
    void initTestCase() { fixture_ = std::make_unique<testutil::Fixture>(); }

    // LibTorch's pickle_save writes torch.save's format: the folder loads as from safetensors.
    void pytorchModelBin() {
        const auto st = model::Checkpoint::load(fixture_->backbone + "/model.safetensors");
        c10::Dict<std::string, torch::Tensor> dict;
        for (const auto& e : st.entries())
            dict.insert(e.name, st.tensor(e));
        const auto bytes = torch::pickle_save(dict);
        const std::string dir = folderWithout(fixture_->backbone, path("bin"));
        std::ofstream(dir + "/pytorch_model.bin", std::ios::binary)
            .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        QCOMPARE(model::weightsFileIn(dir), dir + "/pytorch_model.bin");
        const auto bin = model::Checkpoint::load(dir + "/pytorch_model.bin");
        QCOMPARE(bin.entries().size(), st.entries().size());
        QVERIFY(torch::equal(outputOf(dir), outputOf(fixture_->backbone)));
    }

    // Our own torch.save writer (exports' *.bin): every dtype it writes reads back exactly here,
    // and PyTorch loads it with weights_only=True (2.6's default), which refuses pickle_save's
    // type tags.
    void encodedStateDict() {
        torch::manual_seed(3);
        const std::vector<std::pair<std::string, torch::Tensor>> tensors = {
            {"a.weight", torch::randn({3, 4})},
            {"a.bias", torch::randn({4}).to(torch::kHalf)},
            {"b.scale", torch::randn({2, 2}).to(torch::kBFloat16)},
            {"b.t", torch::randn({4, 3}).t()}, // not contiguous: written contiguous
            {"c.ids", torch::arange(5, torch::kLong) - 2},
            {"c.d", torch::randn({2}, torch::kDouble)},
            {"c.scalar", torch::tensor(1.5f).reshape({})}};
        const auto bytes = model::encodeTorchStateDict(tensors);
        const std::string file = path("encoded.bin");
        std::ofstream(file, std::ios::binary)
            .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        const auto back = model::readTorchStateDict(file);
        QCOMPARE(back.size(), tensors.size());
        for (size_t i = 0; i < tensors.size(); ++i) {
            QCOMPARE(back[i].first, tensors[i].first);
            QVERIFY2(back[i].second.scalar_type() == tensors[i].second.scalar_type(),
                     back[i].first.c_str());
            QVERIFY2(torch::equal(back[i].second, tensors[i].second), back[i].first.c_str());
        }
        QVERIFY(!testutil::errorOf([] {
                     model::encodeTorchStateDict({{"x", torch::ones({2}, torch::kBool)}});
                 }).empty());
        const QString py = testutil::pythonWithTorch();
        if (py.isEmpty()) QSKIP("no python3 with PyTorch (Debian: python3-torch)");
        QProcess p;
        p.start(py, {"-c",
                     "import sys, torch; sd = torch.load(sys.argv[1], weights_only=True); "
                     "print(type(sd).__name__, ' "
                     "'.join(f'{k}:{str(v.dtype)[6:]}:{float(v.double().sum()):.6f}' "
                     "for k, v in sd.items()))",
                     QString::fromStdString(file)});
        QVERIFY(p.waitForFinished(60000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const QStringList got = QString(p.readAllStandardOutput()).trimmed().split(' ');
        QCOMPARE(got.size(), int(tensors.size()) + 1);
        QCOMPARE(got[0], QString("OrderedDict"));
        for (size_t i = 0; i < tensors.size(); ++i) {
            const QStringList g = got[int(i) + 1].split(':');
            QCOMPARE(g[0], QString::fromStdString(tensors[i].first));
            // The values, summed in float64 on both sides.
            QCOMPARE(g[2], QString::number(
                               tensors[i].second.to(torch::kDouble).sum().item<double>(), 'f', 6));
        }
        const QStringList dtypes = {"float32", "float16", "bfloat16", "float32",
                                    "int64",   "float64", "float32"};
        for (int i = 1; i < got.size(); ++i)
            QCOMPARE(got[i].split(':')[1], dtypes[i - 1]);
    }

    // Files written by PyTorch's own torch.save (an OrderedDict with _metadata, fp16 and bf16
    // tensors, a transposed view, two tensors sharing one storage, nn.Parameter).
    void realTorchSave() {
        const QString py = testutil::pythonWithTorch();
        if (py.isEmpty()) QSKIP("no python3 with PyTorch (Debian: python3-torch)");
        QProcess p;
        p.start(py, {QFINDTESTDATA("write_state_dict.py"), tmp_.filePath("real.bin"),
                     tmp_.filePath("real.ref")});
        QVERIFY(p.waitForFinished(120000));
        QVERIFY2(p.exitCode() == 0, p.readAllStandardError().constData());
        const auto c = model::Checkpoint::load(path("real.bin"));
        std::ifstream ref(path("real.ref"), std::ios::binary);
        size_t count = 0;
        for (uint32_t n; ref.read(reinterpret_cast<char*>(&n), 4); ++count) {
            std::string name(n, '\0');
            ref.read(name.data(), n);
            uint32_t dims = 0;
            ref.read(reinterpret_cast<char*>(&dims), 4);
            std::vector<int64_t> shape(dims);
            ref.read(reinterpret_cast<char*>(shape.data()), static_cast<std::streamsize>(dims * 8));
            auto expected = torch::empty(shape, torch::kFloat);
            ref.read(static_cast<char*>(expected.data_ptr()),
                     static_cast<std::streamsize>(expected.numel() * 4));
            const auto* e = c.find(name);
            QVERIFY2(e, name.c_str());
            QCOMPARE(e->shape, shape);
            QVERIFY2(torch::equal(c.tensor(*e), expected), name.c_str());
        }
        QCOMPARE(count, size_t(7));
        QCOMPARE(c.entries().size(), size_t(7));
    }

    // Sharded checkpoints: safetensors shards and pytorch_model.bin shards behind an index.
    void sharded() {
        const auto st = model::Checkpoint::load(fixture_->backbone + "/model.safetensors");
        const auto& entries = st.entries();
        const std::string dir = folderWithout(fixture_->backbone, path("sharded"));
        nlohmann::json map;
        std::vector<torch::Tensor> keep;
        std::vector<model::TensorToWrite> parts[2];
        for (size_t k = 0; k < entries.size(); ++k) {
            keep.push_back(st.tensor(entries[k]).contiguous());
            const int shard = k < entries.size() / 2 ? 0 : 1;
            parts[shard].push_back(
                {entries[k].name, entries[k].shape, keep.back().data_ptr<float>()});
            map[entries[k].name] =
                "model-0000" + std::to_string(shard + 1) + "-of-00002.safetensors";
        }
        for (int s = 0; s < 2; ++s)
            model::writeSafetensors(dir + "/model-0000" + std::to_string(s + 1) +
                                        "-of-00002.safetensors",
                                    parts[s], {});
        std::ofstream(dir + "/model.safetensors.index.json")
            << nlohmann::json{{"metadata", {{"total_size", 0}}}, {"weight_map", map}}.dump();
        QCOMPARE(model::weightsFileIn(dir), dir + "/model.safetensors.index.json");
        QVERIFY(torch::equal(outputOf(dir), outputOf(fixture_->backbone)));
        QVERIFY(model::checkpointFingerprint(dir + "/model.safetensors.index.json").find('+') !=
                std::string::npos);

        // The same split as two pytorch_model.bin shards.
        const std::string bins = folderWithout(fixture_->backbone, path("sharded-bin"));
        nlohmann::json binMap;
        c10::Dict<std::string, torch::Tensor> d[2];
        for (size_t k = 0; k < entries.size(); ++k) {
            const int shard = k % 2;
            d[shard].insert(entries[k].name, keep[k]);
            binMap[entries[k].name] =
                "pytorch_model-0000" + std::to_string(shard + 1) + "-of-00002.bin";
        }
        for (int s = 0; s < 2; ++s) {
            const auto bytes = torch::pickle_save(d[s]);
            std::ofstream(bins + "/pytorch_model-0000" + std::to_string(s + 1) + "-of-00002.bin",
                          std::ios::binary)
                .write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
        }
        std::ofstream(bins + "/pytorch_model.bin.index.json")
            << nlohmann::json{{"weight_map", binMap}}.dump();
        QVERIFY(torch::equal(outputOf(bins), outputOf(fixture_->backbone)));

        // A missing shard and a shard outside the folder are named.
        fs::remove(dir + "/model-00002-of-00002.safetensors");
        auto err = testutil::errorOf(
            [&] { model::Checkpoint::load(dir + "/model.safetensors.index.json"); });
        QVERIFY2(err.find("model-00002-of-00002.safetensors' is missing") != std::string::npos,
                 err.c_str());
        std::ofstream(dir + "/model.safetensors.index.json")
            << R"({"weight_map": {"x": "../../etc/passwd"}})";
        err = testutil::errorOf(
            [&] { model::Checkpoint::load(dir + "/model.safetensors.index.json"); });
        QVERIFY2(err.find("not a file next to the index") != std::string::npos, err.c_str());
    }

    // Pickles that would run code, and broken ones: refused with a message, nothing executed.
    void hostilePickles() {
        const std::string marker = path("pwned");
        // os.system("touch MARKER") as pickle protocol 2: GLOBAL posix.system, a tuple, REDUCE.
        writeArchive(path("evil.bin"), raw("\x80\x02") + "cposix\nsystem\n" + raw("q\x00") +
                                           pickleText("touch " + marker) + raw("q\x01\x85q\x02R."));
        auto err = testutil::errorOf([&] { model::readTorchStateDict(path("evil.bin")); });
        QVERIFY2(err.find("'posix.system'") != std::string::npos &&
                     err.find("refused") != std::string::npos,
                 err.c_str());
        QVERIFY(!fs::exists(marker));
        // builtins.eval through STACK_GLOBAL (protocol 4).
        writeArchive(path("eval.bin"), raw("\x80\x04\x8c\x08") + "builtins" + raw("\x8c\x04") +
                                           "eval" + raw("\x93."));
        err = testutil::errorOf([&] { model::readTorchStateDict(path("eval.bin")); });
        QVERIFY2(err.find("'builtins.eval'") != std::string::npos, err.c_str());

        const auto expect = [&](const std::string& file, const std::string& needle) {
            const auto e = testutil::errorOf(
                [&] { model::Checkpoint::load(path(QString::fromStdString(file))); });
            QVERIFY2(e.find(needle) != std::string::npos, (file + ": " + e).c_str());
        };
        writeArchive(path("list.bin"), raw("\x80\x02]q\x00.")); // a list
        expect("list.bin", "no dict of tensors");
        writeArchive(path("ints.bin"),
                     raw("\x80\x02}q\x00(") + pickleText("a") + raw("K\x01u.")); // {"a": 1}
        expect("ints.bin", "not a flat dict of name -> tensor (entry 'a')");
        writeArchive(path("cut.bin"), raw("\x80\x02}q\x00(") + pickleText("a"));
        expect("cut.bin", "ends early");
        // {"w": _rebuild_tensor_v2(storage of n floats, 0, (10,), (1,), False)}.
        const auto tensorOver = [](char n) {
            return raw("\x80\x02}") + pickleText("w") + "ctorch._utils\n_rebuild_tensor_v2\n((" +
                   pickleText("storage") + "ctorch\nFloatStorage\n" + pickleText("0") +
                   pickleText("cpu") + "K" + std::string(1, n) +
                   raw("tQK\x00K\x0a\x85K\x01\x85\x89tRs.");
        };
        const std::string oob = tensorOver(4); // 10 elements over 4
        writeArchive(path("oob.bin"), oob, {{"0", std::string(16, '\0')}});
        expect("oob.bin", "reaches element 9 of a storage of 4");
        // A storage record shorter than its element count.
        writeArchive(path("short.bin"), oob, {{"0", std::string(8, '\0')}});
        expect("short.bin", "holds 8 bytes, not 4 elements");
        // The same pickle with a storage that fits is read.
        writeArchive(path("fits.bin"), tensorOver(10), {{"0", std::string(40, '\0')}});
        const auto ok = model::readTorchStateDict(path("fits.bin"));
        QCOMPARE(ok.size(), size_t(1));
        QCOMPARE(ok[0].first, std::string("w"));
        QCOMPARE(ok[0].second.numel(), int64_t(10));
        // The legacy (pre-1.6) format and bytes that only look like a zip.
        std::ofstream(path("legacy.bin"), std::ios::binary) << raw("\x80\x02") << "legacy pickle";
        expect("legacy.bin", "PyTorch < 1.6");
        std::ofstream(path("zip.bin"), std::ios::binary) << "PK\x03\x04 not really a zip";
        expect("zip.bin", "not a readable torch.save archive");
        expect("missing.bin", "cannot open");
    }
};

QTEST_GUILESS_MAIN(TestCheckpoint)
#include "test_checkpoint.moc"
