// The tokenizers of the other families: byte-level BPE (RoBERTa) on the 46 Hugging Face
// reference cases and the algorithm's rules, XLM-R's SentencePiece with the fairseq id layout
// against Debian's spm_encode, tokenizer.json (WordPiece and BPE), a folder's choice of files,
// and `tokenize --model`.
#include "test_util.h"

#include "text/bpe.h"
#include "text/sentencepiece_tokenizer.h"
#include "text/tokenizer.h"
#include "text/tokenizer_files.h"
#include "util/error.h"

#include <nlohmann/json.hpp>

#include <QTemporaryDir>

#include <fstream>
#include <sstream>

using namespace adapterlab;
using nlohmann::json;

namespace {

// The 46 inputs and expected id lines of a ggml reference pair (inputs split by a marker line).
std::vector<std::pair<std::string, std::string>> ggmlCases(const QString& stem) {
    std::ifstream inp(testutil::dataPath(stem + ".inp"), std::ios::binary);
    std::ifstream out(testutil::dataPath(stem + ".out"));
    std::stringstream ss;
    ss << inp.rdbuf();
    const std::string all = ss.str(), sep = "\n__ggml_vocab_test__\n";
    std::vector<std::pair<std::string, std::string>> cases;
    std::string expected;
    for (size_t pos = 0, next; (next = all.find(sep, pos)) != std::string::npos;
         pos = next + sep.size()) {
        std::getline(out, expected);
        cases.emplace_back(all.substr(pos, next - pos), expected);
    }
    return cases;
}

std::string idLine(const std::vector<int32_t>& ids) {
    std::string s;
    for (int32_t id : ids)
        s += " " + std::to_string(id);
    return s;
}

void writeFile(const QString& path, const std::string& text) {
    std::ofstream(path.toStdString(), std::ios::binary) << text;
}

QByteArray run(const QString& program, const QStringList& args, const QByteArray& input = {}) {
    QProcess p;
    p.start(program, args);
    p.waitForStarted();
    p.write(input);
    p.closeWriteChannel();
    if (!p.waitForFinished(10 * 60 * 1000) || p.exitCode() != 0)
        qFatal("%s failed: %s", qPrintable(program), p.readAllStandardError().constData());
    return p.readAllStandardOutput();
}

const char* const kHardCases[] = {
    "Crème brûlée à la carte, naïve façade",         // accents (NFKC in SentencePiece)
    "emoji 🦙🚀 and 😶‍🌫️",             // not in a small model: <unk>
    "中文字符和日本語のテキスト",                    // CJK
    "spaces   and\ttabs\n\nand lines",               // whitespace runs
    "pneumonoultramicroscopicsilicovolcanoconiosis", // a very long word
    "",
};

} // namespace

class TestSubword : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    text::TokenizerPtr roberta_;

    text::TokenizerPtr roberta() {
        if (!roberta_)
            roberta_ =
                text::ByteLevelBpe::fromFiles(testutil::dataPath("vocab/roberta-base-vocab.json"),
                                              testutil::dataPath("vocab/roberta-base-merges.txt"));
        return roberta_;
    }

private Q_SLOTS:
    // roberta-base's byte-level BPE gives Hugging Face's ids on all 46 cases.
    void bpeReferenceCases() {
        REQUIRE_SHARED_DATA("tokenizer/ggml-vocab-roberta-bpe.gguf.inp");
        REQUIRE_SHARED_DATA("vocab/roberta-base-vocab.json");
        const auto cases = ggmlCases("tokenizer/ggml-vocab-roberta-bpe.gguf");
        QCOMPARE(cases.size(), size_t(46));
        int wrong = 0;
        for (const auto& [input, expected] : cases) {
            const std::string got = idLine(roberta()->tokenizeToIds(input));
            if (got != expected) {
                ++wrong;
                qWarning("input %s: got '%s', expected '%s'", json(input).dump().c_str(),
                         got.c_str(), expected.c_str());
            }
        }
        QCOMPARE(wrong, 0);
        QCOMPARE(roberta()->size(), size_t(50265));
        QCOMPARE(roberta()->token(31414), std::string("Hello"));
        QCOMPARE(roberta()->token(232), std::string("\u0120world")); // Ġ: the byte of a space
    }

    // GPT-2's pre-tokenisation: contractions, a space joins the next word, the last of a run of
    // spaces joins the word after it, digits and punctuation in their own pieces.
    void bpePreTokenize() {
        REQUIRE_SHARED_DATA("vocab/roberta-base-vocab.json");
        const auto* bpe = dynamic_cast<const text::ByteLevelBpe*>(roberta().get());
        using V = std::vector<std::string>;
        QCOMPARE(bpe->preTokenize("I'm here!!"), (V{"I", "'m", " here", "!!"}));
        QCOMPARE(bpe->preTokenize("a  b"), (V{"a", " ", " b"}));
        QCOMPARE(bpe->preTokenize("x\n\ny"), (V{"x", "\n", "\n", "y"}));
        QCOMPARE(bpe->preTokenize("abc123 456"), (V{"abc", "123", " 456"}));
        QCOMPARE(bpe->preTokenize("Führer"), (V{"Führer"}));
    }

    // Merges apply by rank, each everywhere left to right; the byte map covers every byte.
    void bpeMergeOrder() {
        std::unordered_map<std::string, int32_t> vocab = {{"<s>", 0},   {"</s>", 1}, {"<pad>", 2},
                                                          {"<unk>", 3}, {"a", 4},    {"b", 5},
                                                          {"aa", 6},    {"aab", 7},  {"ab", 8}};
        const text::ByteLevelBpe bpe(vocab, {{"a", "a"}, {"aa", "b"}, {"a", "b"}}, {}, "test");
        QCOMPARE(bpe.tokenizeToIds("aab"), (std::vector<int32_t>{7}));
        QCOMPARE(bpe.tokenizeToIds("aaab"), (std::vector<int32_t>{6, 8}));
        QCOMPARE(bpe.tokenizeToIds("aaaab"), (std::vector<int32_t>{6, 7}));
        QCOMPARE(bpe.tokenizeToIds("c"), (std::vector<int32_t>{3})); // a byte not in the vocabulary
        // An id beyond the vocabulary's largest has no token.
        QVERIFY(!testutil::errorOf([&] { bpe.token(99); }).empty());
    }

    // <s> A </s></s> B </s>, token types all 0, four specials counted when truncating; the
    // prefix space option.
    void bpeFramingAndPrefixSpace() {
        REQUIRE_SHARED_DATA("vocab/roberta-base-vocab.json");
        const auto e = roberta()->encode("Hello world", std::string_view("Hello world"), 512);
        QCOMPARE(e.inputIds, (std::vector<int64_t>{0, 31414, 232, 2, 2, 31414, 232, 2}));
        QCOMPARE(e.tokenTypeIds, std::vector<int64_t>(8, 0));
        const auto t = roberta()->encode("Hello world", std::string_view("Hello world"), 6);
        QCOMPARE(t.inputIds, (std::vector<int64_t>{0, 31414, 2, 2, 31414, 2}));
        QVERIFY(
            !testutil::errorOf([&] { roberta()->encode("a", std::string_view("b"), 3); }).empty());
        text::BpeOptions o;
        o.addPrefixSpace = true;
        const auto spaced =
            text::ByteLevelBpe::fromFiles(testutil::dataPath("vocab/roberta-base-vocab.json"),
                                          testutil::dataPath("vocab/roberta-base-merges.txt"), o);
        QCOMPARE(spaced->tokenizeToIds("Hello"), roberta()->tokenizeToIds(" Hello"));
        QVERIFY(spaced->tokenizeToIds("Hello") != roberta()->tokenizeToIds("Hello"));
        QCOMPARE(roberta()->special().mask, int32_t(50264));
        QCOMPARE(roberta()->padId(), int32_t(1));
    }

    void bpeMalformedFiles() {
        const QString v = tmp_.filePath("v.json"), m = tmp_.filePath("m.txt");
        writeFile(v, R"({"<s>": 0, "</s>": 1, "a": 2})");
        writeFile(m, "#version: 0.2\na b\nab\n");
        std::string e = testutil::errorOf(
            [&] { text::ByteLevelBpe::fromFiles(v.toStdString(), m.toStdString()); });
        QVERIFY2(e.find("m.txt:3") != std::string::npos, e.c_str());
        writeFile(v, R"({"a": 2})");
        writeFile(m, "a b\n");
        e = testutil::errorOf(
            [&] { text::ByteLevelBpe::fromFiles(v.toStdString(), m.toStdString()); });
        QVERIFY2(e.find("<s>") != std::string::npos, e.c_str());
        writeFile(v, "[1, 2");
        e = testutil::errorOf(
            [&] { text::ByteLevelBpe::fromFiles(v.toStdString(), m.toStdString()); });
        QVERIFY2(e.find("v.json") != std::string::npos, e.c_str());
    }

    // XLM-R: pieces from SentencePiece, ids with the fairseq layout, checked against Debian's
    // spm_encode on a model spm_train makes here.
    void sentencePieceFairseqIds() {
        const QString train = QStandardPaths::findExecutable("spm_train"),
                      encode = QStandardPaths::findExecutable("spm_encode");
        if (train.isEmpty() || encode.isEmpty())
            QSKIP("spm_train/spm_encode absent (Debian: sentencepiece)");
#if defined(__SANITIZE_ADDRESS__)
        QSKIP("SentencePiece needs RTLD_DEEPBIND, which ASan refuses (see spm_module.cpp)");
#endif
        QString corpus;
        for (int i = 0; i < 300; ++i)
            corpus += QString("Line %1 of a small corpus, with cafés, naïve words and 中文 %2.\n")
                          .arg(i)
                          .arg(i * 7919 % 1000);
        writeFile(tmp_.filePath("corpus.txt"), corpus.toStdString());
        const QString prefix = tmp_.filePath("spm");
        run(train, {"--input=" + tmp_.filePath("corpus.txt"), "--model_prefix=" + prefix,
                    "--vocab_size=120", "--character_coverage=0.9995", "--minloglevel=2"});
        const text::SentencePieceTokenizer sp((prefix + ".model").toStdString());
        QCOMPARE(sp.size(), size_t(120 + 2)); // pieces + fairseq offset + <mask>
        QCOMPARE(sp.special().mask, int32_t(121));
        QCOMPARE(sp.token(121), std::string("<mask>"));
        std::vector<std::string> inputs(std::begin(kHardCases), std::end(kHardCases));
        inputs.push_back("Line 42 of a small corpus");
        bool sawUnknown = false;
        for (const auto& input : inputs) {
            if (input.empty() || input.find('\n') != std::string::npos)
                continue; // spm_encode reads lines
            const QByteArray line =
                run(encode, {"--model=" + prefix + ".model", "--output_format=id"},
                    QByteArray::fromStdString(input + "\n"));
            std::vector<int32_t> expected;
            for (const auto& tok : QString::fromUtf8(line).split(' ', Qt::SkipEmptyParts)) {
                const int spm = tok.trimmed().toInt();
                expected.push_back(spm == 0 ? 3 : spm + 1); // <unk> -> 3, others + fairseq offset
                sawUnknown = sawUnknown || spm == 0;
            }
            QCOMPARE(sp.tokenizeToIds(input), expected);
        }
        QVERIFY(sawUnknown); // the emoji case reached <unk>
        QVERIFY(sp.tokenizeToIds("").empty());
        const auto e = sp.encode("Line", std::string_view("corpus"), 64);
        QCOMPARE(e.inputIds.front(), int64_t(0));
        QCOMPARE(e.inputIds.back(), int64_t(2));
        QCOMPARE(std::count(e.inputIds.begin(), e.inputIds.end(), int64_t(2)), long(3));
        writeFile(tmp_.filePath("bad.model"), "not a model");
        const std::string err = testutil::errorOf(
            [&] { text::SentencePieceTokenizer(tmp_.filePath("bad.model").toStdString()); });
        QVERIFY2(err.find("bad.model") != std::string::npos, err.c_str());
    }

    // tokenizer.json: a WordPiece (BertNormalizer, BertProcessing) and a byte-level BPE (merges
    // as "a b" and as [a, b]) give the slow tokenizers' ids; other models are refused.
    void tokenizerJson() {
        REQUIRE_SHARED_DATA("vocab/bert-base-uncased-vocab.txt");
        REQUIRE_SHARED_DATA("vocab/roberta-base-vocab.json");
        const text::WordPieceTokenizer bert(
            text::Vocab::load(testutil::dataPath("vocab/bert-base-uncased-vocab.txt")));
        json vocab = json::object();
        for (size_t i = 0; i < bert.vocab().size(); ++i)
            vocab[bert.vocab().tokens()[i]] = i;
        const json wp = {
            {"version", "1.0"},
            {"normalizer", {{"type", "BertNormalizer"}, {"lowercase", true}}},
            {"pre_tokenizer", {{"type", "BertPreTokenizer"}}},
            {"post_processor",
             {{"type", "BertProcessing"}, {"sep", {"[SEP]", 102}}, {"cls", {"[CLS]", 101}}}},
            {"model",
             {{"type", "WordPiece"},
              {"unk_token", "[UNK]"},
              {"continuing_subword_prefix", "##"},
              {"max_input_chars_per_word", 100},
              {"vocab", vocab}}}};
        const QString wpPath = tmp_.filePath("wp.json");
        writeFile(wpPath, wp.dump());
        const auto fromJson = text::loadTokenizerJson(wpPath.toStdString());
        QCOMPARE(fromJson->kind(), std::string("wordpiece"));
        for (const char* s : kHardCases)
            QCOMPARE(fromJson->tokenizeToIds(s), bert.tokenizeToIds(s));
        QCOMPARE(fromJson->encode("a", std::string_view("b")).inputIds,
                 bert.encode("a", std::string_view("b")).inputIds);

        const json rv =
            json::parse(std::ifstream(testutil::dataPath("vocab/roberta-base-vocab.json")));
        json merges = json::array(), pairs = json::array();
        std::ifstream mf(testutil::dataPath("vocab/roberta-base-merges.txt"));
        std::string line;
        while (std::getline(mf, line)) {
            if (line.rfind("#version", 0) == 0 || line.empty()) continue;
            merges.push_back(line);
            const auto sp = line.find(' ');
            pairs.push_back({line.substr(0, sp), line.substr(sp + 1)});
        }
        json bpe = {{"version", "1.0"},
                    {"pre_tokenizer",
                     {{"type", "ByteLevel"}, {"add_prefix_space", false}, {"use_regex", true}}},
                    {"post_processor",
                     {{"type", "RobertaProcessing"}, {"sep", {"</s>", 2}}, {"cls", {"<s>", 0}}}},
                    {"model",
                     {{"type", "BPE"}, {"unk_token", nullptr}, {"vocab", rv}, {"merges", merges}}}};
        for (const json& m : {merges, pairs}) {
            bpe["model"]["merges"] = m;
            const QString path = tmp_.filePath("bpe.json");
            writeFile(path, bpe.dump());
            const auto t = text::loadTokenizerJson(path.toStdString());
            QCOMPARE(t->kind(), std::string("bpe"));
            QVERIFY(t->framing() == text::Framing::Roberta);
            for (const char* s : kHardCases)
                QCOMPARE(t->tokenizeToIds(s), roberta()->tokenizeToIds(s));
        }
        json unigram = {{"model", {{"type", "Unigram"}, {"vocab", json::array()}}}};
        writeFile(tmp_.filePath("u.json"), unigram.dump());
        std::string e = testutil::errorOf(
            [&] { text::loadTokenizerJson(tmp_.filePath("u.json").toStdString()); });
        QVERIFY2(e.find("\"Unigram\" is not supported") != std::string::npos &&
                     e.find("u.json") != std::string::npos,
                 e.c_str());
        bpe["pre_tokenizer"] = {{"type", "Whitespace"}};
        writeFile(tmp_.filePath("ws.json"), bpe.dump());
        e = testutil::errorOf(
            [&] { text::loadTokenizerJson(tmp_.filePath("ws.json").toStdString()); });
        QVERIFY2(e.find("only byte-level BPE") != std::string::npos, e.c_str());
    }

    // A folder: the slow tokenizer's files first, tokenizer.json otherwise, an error naming
    // what was looked for when there is none.
    void folderChoice() {
        REQUIRE_SHARED_DATA("vocab/roberta-base-vocab.json");
        const QString dir = tmp_.filePath("folder");
        QDir().mkpath(dir);
        std::string e = testutil::errorOf([&] { text::loadTokenizer(dir.toStdString()); });
        QVERIFY2(e.find("has no tokenizer") != std::string::npos &&
                     e.find("tokenizer.json") != std::string::npos,
                 e.c_str());
        QVERIFY(QFile::copy(tmp_.filePath("wp.json"), dir + "/tokenizer.json"));
        QCOMPARE(text::loadTokenizer(dir.toStdString())->kind(), std::string("wordpiece"));
        QFile::copy(QString::fromStdString(testutil::dataPath("vocab/roberta-base-vocab.json")),
                    dir + "/vocab.json");
        QFile::copy(QString::fromStdString(testutil::dataPath("vocab/roberta-base-merges.txt")),
                    dir + "/merges.txt");
        writeFile(dir + "/tokenizer_config.json", R"({"add_prefix_space": true})");
        const auto t = text::loadTokenizer(dir.toStdString());
        QCOMPARE(t->kind(), std::string("bpe"));
        QCOMPARE(t->tokenizeToIds("Hello"), roberta()->tokenizeToIds(" Hello"));
    }

    // `tokenize --model DIR` reads the folder's tokenizer; --vocab and --model exclude each other.
    void cliTokenizeModel() {
        const QString dir = tmp_.filePath("folder");
        if (!QFileInfo::exists(dir + "/vocab.json"))
            QSKIP("needs folderChoice's folder (shared data)");
        QFile::remove(dir + "/tokenizer_config.json");
        const QByteArray out =
            run(ADAPTERLAB_CLI, {"tokenize", "--model", dir}, "Hello world\tHello world\n");
        const json j = json::parse(out.toStdString());
        QVERIFY2(j["input_ids"] == json({0, 31414, 232, 2, 2, 31414, 232, 2}), j.dump().c_str());
        QCOMPARE(j["tokens"][1].get<std::string>(), std::string("Hello"));
        QVERIFY(j["token_type_ids"] == json(std::vector<int>(8, 0)));
        QProcess p;
        p.start(ADAPTERLAB_CLI, {"tokenize", "--model", dir, "--vocab", dir + "/vocab.json"});
        p.closeWriteChannel();
        QVERIFY(p.waitForFinished(60000));
        QCOMPARE(p.exitCode(), 2);
        QVERIFY(p.readAllStandardError().contains("either --vocab FILE or --model DIR"));
    }
};

QTEST_GUILESS_MAIN(TestSubword)
#include "test_subword.moc"
