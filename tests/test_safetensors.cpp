// The hand-written safetensors reader and writer: round trip, dtypes, and every malformed input.
#include "test_util.h"

#include "model/safetensors.h"
#include "util/error.h"

#include <QTemporaryDir>

#include <cstring>
#include <fstream>

using namespace adapterlab;
using namespace adapterlab::model;

namespace {

// Builds a file image from a header string and a data section.
std::vector<char> image(const std::string& header, const std::string& data) {
    std::vector<char> b(8);
    const uint64_t n = header.size();
    for (int i = 0; i < 8; ++i) b[i] = static_cast<char>((n >> (8 * i)) & 0xFF);
    b.insert(b.end(), header.begin(), header.end());
    b.insert(b.end(), data.begin(), data.end());
    return b;
}

// Parses and returns the error message ("" when it parsed).
std::string parseError(std::vector<char> bytes) {
    try {
        SafetensorsFile::parse(std::move(bytes), "bad.safetensors");
    } catch (const Error& e) {
        return e.what();
    }
    return {};
}

} // namespace

class TestSafetensors : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void roundTrip();
    void halfPrecisionConversions();
    void readsF16AndBF16();
    void malformed_data();
    void malformed();
    void referenceFileParses();
};

void TestSafetensors::roundTrip() {
    QTemporaryDir dir;
    const std::string path = dir.filePath("t.safetensors").toStdString();
    const std::vector<float> a{1.5f, -2.25f, 3e-8f, 1e30f, 0.f, -0.f};
    const std::vector<float> b{42.f};
    writeSafetensors(path, {{"a", {2, 3}, a.data()}, {"b.c", {1}, b.data()}}, {{"k", "v"}});
    const auto f = SafetensorsFile::load(path);
    QCOMPARE(f.tensors().size(), size_t(2));
    QCOMPARE(f.metadata().at("k"), std::string("v"));
    const TensorInfo* ta = f.find("a");
    QVERIFY(ta);
    QCOMPARE(ta->shape, (std::vector<int64_t>{2, 3}));
    const auto va = f.toFloat(*ta);
    QVERIFY(std::memcmp(va.data(), a.data(), a.size() * 4) == 0); // bit-exact
    QCOMPARE(f.toFloat(*f.find("b.c")), b);
    QVERIFY(!QFile::exists(dir.filePath("t.safetensors.tmp")));
}

void TestSafetensors::halfPrecisionConversions() {
    QCOMPARE(halfToFloat(0x3C00), 1.0f);
    QCOMPARE(halfToFloat(0xC000), -2.0f);
    QCOMPARE(halfToFloat(0x7BFF), 65504.0f);
    QCOMPARE(halfToFloat(0x0001), 5.9604644775390625e-08f); // smallest subnormal
    QVERIFY(std::isinf(halfToFloat(0x7C00)));
    QCOMPARE(bfloat16ToFloat(0x3F80), 1.0f);
    QCOMPARE(bfloat16ToFloat(0xC0A0), -5.0f);
}

void TestSafetensors::readsF16AndBF16() {
    const std::string data("\x00\x3C\x00\xC0\x80\x3F\xA0\xC0", 8);
    const auto f = SafetensorsFile::parse(
        image(R"({"h":{"dtype":"F16","shape":[2],"data_offsets":[0,4]},)"
              R"("b":{"dtype":"BF16","shape":[2],"data_offsets":[4,8]}})",
              data),
        "mem");
    QCOMPARE(f.toFloat(*f.find("h")), (std::vector<float>{1.f, -2.f}));
    QCOMPARE(f.toFloat(*f.find("b")), (std::vector<float>{1.f, -5.f}));
}

void TestSafetensors::malformed_data() {
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<QString>("message");
    const auto row = [](const char* name, const std::vector<char>& b, const char* msg) {
        QTest::newRow(name) << QByteArray(b.data(), static_cast<int>(b.size())) << QString(msg);
    };
    const std::string f4(16, '\0');
    row("truncated", std::vector<char>{1, 0, 0}, "truncated");
    auto beyond = image("{}", "");
    beyond[0] = 100; // claims a 100-byte header in a 10-byte file
    row("header beyond file", beyond, "runs past the end");
    row("header not json", image("{nope", ""), "not valid JSON");
    row("header not object", image("[1,2]", ""), "not a JSON object");
    row("offsets outside", image(R"({"t":{"dtype":"F32","shape":[4],"data_offsets":[0,32]}})", f4),
        "outside the data section");
    row("offsets reversed", image(R"({"t":{"dtype":"F32","shape":[0],"data_offsets":[8,4]}})", f4),
        "outside the data section");
    row("size mismatch", image(R"({"t":{"dtype":"F32","shape":[3],"data_offsets":[0,16]}})", f4),
        "need 12");
    row("overlap", image(R"({"a":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},)"
                         R"("b":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}})",
                         f4),
        "overlap");
    row("unknown dtype", image(R"({"t":{"dtype":"F8","shape":[4],"data_offsets":[0,4]}})", f4),
        "unknown dtype 'F8'");
    row("negative shape", image(R"({"t":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})", f4),
        "shape entries");
    row("missing fields", image(R"({"t":{"dtype":"F32"}})", f4), "needs dtype, shape");
    row("huge shape",
        image(R"({"t":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,4]}})", f4),
        "impossibly large");
    row("metadata not strings", image(R"({"__metadata__":{"a":1}})", ""), "not a string");
}

void TestSafetensors::malformed() {
    QFETCH(QByteArray, bytes);
    QFETCH(QString, message);
    const std::string err = parseError(std::vector<char>(bytes.begin(), bytes.end()));
    QVERIFY2(!err.empty(), "malformed input was accepted");
    QVERIFY2(err.find(message.toStdString()) != std::string::npos, err.c_str());
    QVERIFY2(err.find("bad.safetensors") != std::string::npos, err.c_str());
}

void TestSafetensors::referenceFileParses() {
    REQUIRE_SHARED_DATA("models/hf-tiny-bert/tiny_bert.safetensors");
    const auto f = SafetensorsFile::load(testutil::dataPath("models/hf-tiny-bert/tiny_bert.safetensors"));
    const TensorInfo* t = f.find("embeddings.word_embeddings.weight");
    QVERIFY(t);
    QCOMPARE(t->shape, (std::vector<int64_t>{11, 8}));
    QCOMPARE(f.tensors().size(), size_t(39));
    // A truncated copy of a real file is refused with a message.
    std::ifstream in(testutil::dataPath("models/hf-tiny-bert/tiny_bert.safetensors"), std::ios::binary);
    std::vector<char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    bytes.resize(bytes.size() - 100);
    QVERIFY(parseError(bytes).find("outside the data section") != std::string::npos);
}

QTEST_APPLESS_MAIN(TestSafetensors)
#include "test_safetensors.moc"
