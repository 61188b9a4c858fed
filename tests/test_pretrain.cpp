// The offline backbone: corpus building, WordPiece vocabulary training, MLM masking statistics,
// pre-training that lowers the loss, resumes bit-identically, and writes a folder the importer
// loads.
#include "test_util.h"

#include "model/hf_import.h"
#include "pretrain/corpus.h"
#include "pretrain/mlm.h"
#include "pretrain/word_vectors.h"
#include "text/tokenizer.h"
#include "text/wordpiece_trainer.h"
#include "util/error.h"

#include <QFile>
#include <QTemporaryDir>

#include <nlohmann/json.hpp>

#include <ATen/Parallel.h>
#include <torch/nn/functional/normalization.h>

#include <QDir>
#include <QFileInfo>
#include <QProcess>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <random>

using namespace adapterlab;

namespace {

// A small English-like corpus: 400 short documents from a few templates, every sentence
// different (the day), then the first document once more.
std::string writeCorpus(const QTemporaryDir& dir) {
    const std::vector<std::string> subjects{"The cat", "A dog", "The old man", "My sister", "The teacher",
                                            "A small bird", "The farmer", "Our neighbour"};
    const std::vector<std::string> verbs{"walked to", "looked at", "talked about", "painted", "cleaned",
                                         "remembered", "visited", "found"};
    const std::vector<std::string> objects{"the river", "a red house", "the market", "an old book",
                                           "the garden", "a quiet village", "the station", "the blue boat"};
    const std::string path = dir.filePath("corpus.txt").toStdString();
    std::ofstream out(path);
    for (int d = 0; d < 400; ++d) {
        for (int s = 0; s < 3; ++s)
            out << subjects[(d + s) % 8] << ' ' << verbs[(d * 3 + s) % 8] << ' ' << objects[(d * 5 + s * 7) % 8]
                << " on day " << d << ". ";
        out << "\n\n";
    }
    out << "The cat walked to the river on day 0. A dog looked at the blue boat on day 0.\n";
    return path;
}

// Pre-training of `steps` steps on writeCorpus's text into dir/out, on 2 CPU threads.
pretrain::PretrainOptions testOptions(const QTemporaryDir& dir, const QString& out, int64_t steps) {
    pretrain::PretrainOptions o;
    o.outDir = dir.filePath(out).toStdString();
    o.corpus.paths = {writeCorpus(dir)};
    o.corpus.debianText = false;
    o.maxSteps = steps;
    o.device = "cpu";
    o.threads = 2;
    return o;
}

// A number in dictd's base64 digits (most significant first).
std::string dictdNumber(int64_t v) {
    static const std::string a = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    std::string out;
    do {
        out.insert(out.begin(), a[static_cast<size_t>(v % 64)]);
        v /= 64;
    } while (v > 0);
    return out;
}

// NAME.index for entries of `text` (each entry ends with a blank line); the first entry is
// listed under two headwords, as dictd databases do for variants.
void writeDictd(const std::string& stem, const std::vector<std::string>& entries, std::string& text) {
    std::ofstream index(stem + ".index");
    index << "00databaseinfo\t" << dictdNumber(0) << "\t" << dictdNumber(0) << "\n";
    for (size_t i = 0; i < entries.size(); ++i) {
        const auto off = static_cast<int64_t>(text.size());
        text += entries[i] + "\n";
        const std::string where = dictdNumber(off) + "\t" + dictdNumber(static_cast<int64_t>(entries[i].size()));
        index << "word" << i << "\t" << where << "\n";
        if (i == 0) index << "variant\t" << where << "\n";
    }
}

} // namespace

class TestPretrain : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { at::set_num_threads(2); }
    void sentenceSplitting();
    void corpusBuilder();
    void dictionarySources();
    void taskTextJoinsTheCorpus();
    void vocabularyTraining();
    void maskingStatistics();
    void pretrainingLowersLossResumesAndLoads();
    void electraLearnsToDetectResumesAndLoads();
    void stopBeforeTrainingWritesNoState();
    void continuedPretrainingStartsFromABackbone();
    void wordVectorsSeparateContexts();
};

void TestPretrain::sentenceSplitting() {
    const auto s = pretrain::splitSentences("It rained.  Then it\nstopped! Did it? Yes. e.g. not here. 3 cats.");
    QCOMPARE(s, (std::vector<std::string>{"It rained.", "Then it stopped!", "Did it?", "Yes. e.g. not here.", "3 cats."}));
}

void TestPretrain::corpusBuilder() {
    QTemporaryDir dir;
    const std::string text = writeCorpus(dir);
    pretrain::CorpusOptions o;
    o.paths = {text};
    o.debianText = false;
    const std::string out = dir.filePath("built.txt").toStdString();
    const auto r = pretrain::buildCorpus(o, out);
    QCOMPARE(r.sources.size(), size_t(1));
    // The repeated document's sentences are dropped, and with them the document.
    QCOMPARE(r.documents, int64_t(400));
    QCOMPARE(r.sentences, int64_t(1200));
    QCOMPARE(r.duplicateSentences, int64_t(2));
    std::ifstream in(out);
    std::string first;
    std::getline(in, first);
    QCOMPARE(first, std::string("The cat walked to the river on day 0."));
    // Nothing to read is an error naming the path; an empty corpus is refused.
    o.paths = {dir.filePath("missing").toStdString()};
    QVERIFY(testutil::errorOf([&] { pretrain::buildCorpus(o, out); }).find("missing") != std::string::npos);
    o.paths = {};
    QVERIFY(testutil::errorOf([&] { pretrain::buildCorpus(o, out); }).find("corpus is empty") != std::string::npos);
}

void TestPretrain::taskTextJoinsTheCorpus() {
    // Task-adaptive pre-training: a task's training text (both texts of a pair) joins the
    // corpus, one document an example; its labels, dev and test are never read.
    QTemporaryDir dir;
    const std::string train = dir.filePath("reviews.tsv").toStdString(),
                      dev = dir.filePath("dev.tsv").toStdString();
    std::ofstream(train) << "sentence\tquestion\tlabel\n"
                         << "a gripping and tender film\twas it worth seeing at all\tLABELPOS\n"
                         << "dull , flat and far too long\twas it worth seeing at all\tLABELNEG\n"
                         << "ok\tfine\tLABELPOS\n"; // too short to be a sentence
    std::ofstream(dev) << "sentence\tquestion\tlabel\nthe dev sentence stays unseen\tand so does "
                          "this one\tLABELNEG\n";
    pretrain::CorpusOptions o;
    o.debianText = false;
    o.taskTexts = {"file:" + train + ",dev=" + dev +
                   ",text=sentence,text_pair=question,label=label"};
    const std::string out = dir.filePath("built.txt").toStdString();
    const auto r = pretrain::buildCorpus(o, out);
    QCOMPARE(r.sources.size(), size_t(1));
    QCOMPARE(r.sources[0].name, std::string("task reviews (training text, labels not read)"));
    QCOMPARE(r.sources[0].documents, int64_t(2));
    QCOMPARE(r.sources[0].sentences, int64_t(3)); // the repeated question once
    QCOMPARE(r.duplicateSentences, int64_t(1));
    std::vector<std::string> lines;
    std::ifstream in(out);
    for (std::string l; std::getline(in, l);)
        lines.push_back(l);
    QCOMPARE(lines,
             (std::vector<std::string>{"a gripping and tender film", "was it worth seeing at all",
                                       "", "dull , flat and far too long", ""}));
    // The report survives as JSON (a pre-training folder's corpus.json).
    const auto back = pretrain::corpusReportFromJson(pretrain::corpusReportJson(r));
    QCOMPARE(back.sources[0].name, r.sources[0].name);
    QCOMPARE(back.sentences, r.sentences);
    QCOMPARE(back.duplicateSentences, r.duplicateSentences);
    // A task that cannot be read is named, and the corpus built before is untouched.
    o.taskTexts = {"file:" + dir.filePath("missing.tsv").toStdString()};
    const std::string bad = testutil::errorOf([&] { pretrain::buildCorpus(o, out); });
    QVERIFY2(bad.find("missing.tsv") != std::string::npos, bad.c_str());
    QCOMPARE(QFileInfo(QString::fromStdString(out)).size(), qint64(85));
    QVERIFY(!QFileInfo::exists(QString::fromStdString(out + ".tmp")));
}

void TestPretrain::dictionarySources() {
    // A Debian root with dict-gcide (dictzip-compressed) and dict-devil (plain .dict) databases.
    QTemporaryDir dir;
    const std::string root = dir.path().toStdString();
    QVERIFY(QDir(dir.path()).mkpath("dictd"));
    std::string gcide;
    writeDictd(root + "/dictd/gcide",
               {"Abdication \\Ab`di*ca\"tion\\, n. [L. abdicatio: cf. F.\n   abdication.]\n"
                "   The act of abdicating; the renunciation of a high office,\n   dignity, or trust, by its "
                "holder; as, abdication of the\n   throne.\n   [1913 Webster]\n\n"
                "   2. A {renouncing} of the crown by the king. --Bailey.\n   [1913 Webster]\n",
                "Abdicator \\Ab\"di*ca`tor\\, n.\n   One who abdicates the throne of a land.\n   [1913 Webster]\n"},
               gcide);
    {
        std::ofstream(root + "/dictd/gcide.dict", std::ios::binary) << gcide;
        QProcess gzip;
        gzip.start("gzip", {QString::fromStdString(root + "/dictd/gcide.dict")});
        QVERIFY(gzip.waitForFinished() && gzip.exitCode() == 0);
        QVERIFY(QFile::rename(QString::fromStdString(root + "/dictd/gcide.dict.gz"),
                              QString::fromStdString(root + "/dictd/gcide.dict.dz")));
    }
    std::string devil;
    writeDictd(root + "/dictd/devil",
               {"ABNORMAL, adj.  Not conforming to standard.  In matters of thought and\nconduct, to be "
                "independent is to be abnormal -- so they say.\n",
                "ABRACADABRA.\n\n    By Abracadabra we signify\n        An infinite number of things.\n",
                // The part of speech ends the first line (this once looped forever).
                "ACCORD, n.\nHarmony of the heart and of the hand.\n"},
               devil);
    std::ofstream(root + "/dictd/devil.dict", std::ios::binary) << devil;

    pretrain::CorpusOptions o;
    o.root = root;
    const std::string out = dir.filePath("built.txt").toStdString();
    const auto r = pretrain::buildCorpus(o, out);
    QCOMPARE(r.sources.size(), size_t(2));
    QCOMPARE(r.sources[0].name, std::string("gcide (dict-gcide)"));
    QCOMPARE(r.sources[0].documents, int64_t(2)); // the variant headword adds no document
    QCOMPARE(r.sources[1].documents, int64_t(3));
    std::vector<std::string> lines;
    std::ifstream in(out);
    for (std::string l; std::getline(in, l);)
        if (!l.empty()) lines.push_back(l);
    QCOMPARE(lines, (std::vector<std::string>{
                        "The act of abdicating; the renunciation of a high office, dignity, or trust, by its "
                        "holder; as, abdication of the throne.",
                        "A renouncing of the crown by the king.", "One who abdicates the throne of a land.",
                        "Not conforming to standard.",
                        "In matters of thought and conduct, to be independent is to be abnormal -- so they say.",
                        "By Abracadabra we signify An infinite number of things.",
                        "Harmony of the heart and of the hand."}));

    // A damaged index names its file and line; a damaged text names its file.
    std::ofstream(root + "/dictd/devil.index", std::ios::app) << "broken line without tabs\n";
    const std::string bad = testutil::errorOf([&] { pretrain::buildCorpus(o, out); });
    QVERIFY2(bad.find("devil.index:6") != std::string::npos, bad.c_str());
    std::ofstream(root + "/dictd/devil.index") << "w\tA\t////\n";
    QVERIFY(testutil::errorOf([&] { pretrain::buildCorpus(o, out); }).find("inside the") != std::string::npos);
    std::ofstream(root + "/dictd/gcide.dict.dz", std::ios::binary) << "not gzip at all";
    const std::string notGzip = testutil::errorOf([&] { pretrain::buildCorpus(o, out); });
    QVERIFY2(notGzip.find("gcide.dict.dz") != std::string::npos && notGzip.find("gzip") != std::string::npos,
             notGzip.c_str());
    // The corpus built before is untouched, and no partial file is left.
    QCOMPARE(int64_t(QFileInfo(QString::fromStdString(out)).size()) > 0, true);
    QVERIFY(!QFileInfo::exists(QString::fromStdString(out + ".tmp")));
}

void TestPretrain::vocabularyTraining() {
    const auto train = [] {
        text::WordPieceTrainer t({80, 2, true});
        for (int i = 0; i < 50; ++i) t.addText("the lower lowest newer newest wider widest, the end.");
        return t.train();
    };
    const auto v = train();
    QVERIFY(v.size() <= 80);
    QCOMPARE(v.token(0), std::string("[PAD]"));
    QVERIFY(v.find("[MASK]") && v.find("[UNK]") && v.find("[CLS]") && v.find("[SEP]"));
    QVERIFY(v.find("the")); // a frequent word becomes one piece
    std::string all;
    for (const auto& t : v.tokens()) all += t + " ";
    QVERIFY2(v.find("##st") && v.find("lowest"), all.c_str()); // continuation pieces, then words
    QCOMPARE(train().tokens(), v.tokens()); // deterministic
    const text::WordPieceTokenizer tok(v);
    QCOMPARE(tok.tokenizeToIds("the").size(), size_t(1));
    // Every word of the corpus is covered without [UNK].
    for (int32_t id : tok.tokenizeToIds("lowest widest newer")) QVERIFY(id != v.unkId());
    QVERIFY_THROWS_EXCEPTION(Error, text::WordPieceTrainer({8, 2, true}));
}

void TestPretrain::maskingStatistics() {
    torch::manual_seed(3);
    const int64_t B = 256, T = 128, V = 1000, maskId = 4;
    auto ids = torch::randint(5, V, {B, T}, torch::kLong);
    auto special = torch::zeros({B, T}, torch::kBool);
    special.select(1, 0).fill_(true);
    special.select(1, T - 1).fill_(true);
    const auto [inputs, labels] = pretrain::maskForMlm(ids, special, maskId, V, 0.15);
    const auto chosen = labels.ne(-100);
    const double n = static_cast<double>(chosen.sum().item<int64_t>());
    const double eligible = static_cast<double>(B * (T - 2));
    QVERIFY2(std::abs(n / eligible - 0.15) < 0.005, qPrintable(QString::number(n / eligible)));
    QCOMPARE((chosen & special).sum().item<int64_t>(), int64_t(0)); // specials never
    QVERIFY(torch::equal(labels.masked_select(chosen), ids.masked_select(chosen)));
    QVERIFY(torch::equal(inputs.masked_select(~chosen), ids.masked_select(~chosen)));
    const double masked = static_cast<double>((chosen & inputs.eq(maskId)).sum().item<int64_t>()) / n;
    const double kept = static_cast<double>((chosen & inputs.eq(ids)).sum().item<int64_t>()) / n;
    const double random = 1 - masked - kept;
    qInfo("chosen %.4f: [MASK] %.4f, random %.4f, kept %.4f", n / eligible, masked, random, kept);
    QVERIFY(std::abs(masked - 0.8) < 0.01);
    QVERIFY(std::abs(kept - 0.1) < 0.01); // (a random draw equal to the token counts as kept: 0.1%)
    QVERIFY(std::abs(random - 0.1) < 0.01);
}

void TestPretrain::pretrainingLowersLossResumesAndLoads() {
    QTemporaryDir dir;
    const auto options = [&](const QString& out, int64_t steps) { return testOptions(dir, out, steps); };
    std::vector<double> losses;
    const auto whole = pretrain::pretrainBackbone(options("whole", 24),
                                                  [&](const pretrain::PretrainProgress& p) { losses.push_back(p.loss); });
    QCOMPARE(whole.steps, int64_t(24));
    QVERIFY(!whole.resumed && !whole.cancelled);
    QCOMPARE(int(losses.size()), 24);
    const double firstLoss = (losses[0] + losses[1] + losses[2]) / 3;
    const double lastLoss = (losses[21] + losses[22] + losses[23]) / 3;
    qInfo("MLM loss %.3f -> %.3f over 24 steps; vocabulary %lld", firstLoss, lastLoss,
          static_cast<long long>(whole.vocabSize));
    QVERIFY(lastLoss < firstLoss - 1.0);
    // The same pre-training stopped after 12 steps and continued gives the same weights.
    std::atomic<bool> stop{false};
    auto half = options("resumed", 24);
    const auto first = pretrain::pretrainBackbone(half, [&](const pretrain::PretrainProgress& p) {
        if (p.step == 12) stop.store(true);
    }, &stop);
    QVERIFY(first.cancelled);
    QCOMPARE(first.steps, int64_t(12));
    const auto second = pretrain::pretrainBackbone(half);
    QVERIFY(second.resumed);
    QCOMPARE(second.steps, int64_t(24));
    const auto a = model::SafetensorsFile::load(dir.filePath("whole/model.safetensors").toStdString());
    const auto b = model::SafetensorsFile::load(dir.filePath("resumed/model.safetensors").toStdString());
    QCOMPARE(a.tensors().size(), b.tensors().size());
    for (const auto& t : a.tensors()) QVERIFY2(a.toFloat(t) == b.toFloat(*b.find(t.name)), t.name.c_str());
    // The folder is a Hugging Face BERT the importer loads (with a fresh head for a task).
    model::ImportReport report;
    const auto files = model::HfModelFiles::inDirectory(dir.filePath("whole").toStdString(), true);
    auto m = model::loadHfModel(files, model::AdapterConfig{8, 1e-2}, true, &report);
    QVERIFY(report.unused.empty());
    QCOMPARE(m->config().vocabSize, whole.vocabSize);
    QCOMPARE(text::Vocab::load(files.vocab).size(), size_t(whole.vocabSize));
    // Another embedding init is another pre-training: its state is not taken for this one's.
    auto other = options("whole", 24);
    other.embeddingInit = "random";
    QVERIFY(testutil::errorOf([&] { pretrain::pretrainBackbone(other); }).find("belongs to another pre-training") !=
            std::string::npos);
    // The folder keeps what its corpus was made from: a continued run reports it, and asking
    // for other text in the same folder is refused instead of silently ignored.
    QVERIFY(!second.corpus.sources.empty());
    QCOMPARE(second.corpus.sources[0].name, first.corpus.sources[0].name);
    QCOMPARE(second.corpus.sentences, first.corpus.sentences);
    auto moreText = options("whole", 24);
    moreText.corpus.paths.push_back(moreText.corpus.paths[0]);
    const std::string refused = testutil::errorOf([&] { pretrain::pretrainBackbone(moreText); });
    QVERIFY2(refused.find("already holds a corpus built from other text") != std::string::npos,
             refused.c_str());
    QVERIFY(whole.wordVectorSeconds > 0); // the default
    auto plain = options("plain", 2);
    plain.embeddingInit = "random";
    QCOMPARE(pretrain::pretrainBackbone(plain).wordVectorSeconds, 0.0);
}

void TestPretrain::electraLearnsToDetectResumesAndLoads() {
    QTemporaryDir dir;
    const auto options = [&](const QString& out, int64_t steps) {
        auto o = testOptions(dir, out, steps);
        o.objective = "electra";
        return o;
    };
    std::vector<double> mlm, detection;
    const auto whole =
        pretrain::pretrainBackbone(options("whole", 16), [&](const pretrain::PretrainProgress& p) {
            mlm.push_back(p.loss);
            detection.push_back(p.detectionLoss);
        });
    QCOMPARE(int(detection.size()), 16);
    const auto mean3 = [](const std::vector<double>& v, size_t from) {
        return (v[from] + v[from + 1] + v[from + 2]) / 3;
    };
    qInfo(
        "ELECTRA over 16 steps: generator MLM loss %.3f -> %.3f, replaced-token loss %.3f -> %.3f",
        mean3(mlm, 0), mean3(mlm, 13), mean3(detection, 0), mean3(detection, 13));
    // An untrained detector says 0.5 everywhere (ln 2 = 0.693); a few steps learn at least that
    // replacements are rare (about 13% of tokens: 0.39 nats at that base rate).
    QVERIFY(std::abs(detection[0] - std::log(2.0)) < 0.05);
    QVERIFY(mean3(detection, 13) < 0.45);
    QVERIFY(mean3(mlm, 13) < mean3(mlm, 0) - 1.0);
    QVERIFY(std::abs(whole.finalDetectionLoss - [&] {
                double s = 0;
                for (double d : detection)
                    s += d / 16;
                return s;
            }()) < 1e-9);
    // Stopped and continued: the same weights (generator, detector and optimizer state resume too).
    std::atomic<bool> stop{false};
    auto half = options("resumed", 16);
    QVERIFY(pretrain::pretrainBackbone(
                half,
                [&](const pretrain::PretrainProgress& p) {
                    if (p.step == 8) stop.store(true);
                },
                &stop)
                .cancelled);
    QVERIFY(pretrain::pretrainBackbone(half).resumed);
    const auto a =
        model::SafetensorsFile::load(dir.filePath("whole/model.safetensors").toStdString());
    const auto b =
        model::SafetensorsFile::load(dir.filePath("resumed/model.safetensors").toStdString());
    for (const auto& t : a.tensors())
        QVERIFY2(a.toFloat(t) == b.toFloat(*b.find(t.name)), t.name.c_str());
    // The backbone written is the discriminator alone: a plain BERT the importer takes whole.
    model::ImportReport report;
    const auto files = model::HfModelFiles::inDirectory(dir.filePath("whole").toStdString(), true);
    model::loadHfModel(files, model::AdapterConfig{8, 1e-2}, true, &report);
    QVERIFY(report.unused.empty());
    // An MLM pre-training does not take an ELECTRA state for its own.
    auto asMlm = options("whole", 16);
    asMlm.objective = "mlm";
    QVERIFY(testutil::errorOf([&] {
                pretrain::pretrainBackbone(asMlm);
            }).find("belongs to another pre-training") != std::string::npos);
    asMlm.objective = "bert";
    QVERIFY(testutil::errorOf([&] {
                pretrain::pretrainBackbone(asMlm);
            }).find("unknown pre-training objective 'bert'") != std::string::npos);
}

void TestPretrain::stopBeforeTrainingWritesNoState() {
    // A stop asked for while the corpus is being built (Ctrl-C, the GUI's Stop) ends it at the
    // next document: no corpus (not even a partial one), no state, and the next run starts afresh.
    QTemporaryDir dir;
    auto o = testOptions(dir, "out", 4);
    std::atomic<bool> stop{true};
    const auto r = pretrain::pretrainBackbone(o, {}, &stop);
    QVERIFY(r.cancelled);
    QCOMPARE(r.steps, int64_t(0));
    QVERIFY(r.corpus.cancelled);
    const QDir out(dir.filePath("out"));
    QCOMPARE(out.entryList(QDir::Files), QStringList{});
    stop.store(false);
    const auto again = pretrain::pretrainBackbone(o, {}, &stop);
    QVERIFY(!again.cancelled && !again.resumed);
    QCOMPARE(again.steps, int64_t(4));
}

void TestPretrain::wordVectorsSeparateContexts() {
    // Tokens 0-9 only ever appear among themselves, 10-19 likewise; 20 appears twice (rare).
    std::mt19937_64 rng(5);
    std::vector<int64_t> stream;
    for (int sentence = 0; sentence < 4000; ++sentence) {
        const int64_t base = sentence % 2 ? 10 : 0;
        for (int k = 0; k < 8; ++k) stream.push_back(base + static_cast<int64_t>(rng() % 10));
    }
    stream[100] = stream[5000] = 20;
    const int64_t V = 24, dim = 4;
    const auto wv = pretrain::ppmiSvdVectors(stream, V, dim);
    QCOMPARE(wv.vectors.sizes().vec(), (std::vector<int64_t>{V, dim}));
    QVERIFY(wv.known[5].item<bool>() && !wv.known[20].item<bool>() && !wv.known[23].item<bool>());
    QVERIFY(wv.singularValues[0] >= wv.singularValues[1]);
    const auto unit = torch::nn::functional::normalize(wv.vectors, torch::nn::functional::NormalizeFuncOptions().dim(1));
    const auto cos = unit.matmul(unit.t()); // [V, V]
    double within = 1, across = -1;
    for (int i = 0; i < 20; ++i)
        for (int j = 0; j < 20; ++j) {
            if (i == j) continue;
            const double c = cos[i][j].item<double>();
            if ((i < 10) == (j < 10)) within = std::min(within, c);
            else across = std::max(across, c);
        }
    qInfo("cosine within a context group >= %.3f, across groups <= %.3f", within, across);
    QVERIFY(within > across + 0.5);
    // Known rows get the requested spread; unknown rows keep what they had.
    auto emb = torch::full({V, dim}, 7.0f);
    pretrain::initEmbeddings(emb, wv, 0.02);
    QVERIFY(std::abs(emb.slice(0, 0, 20).std().item<double>() - 0.02) < 1e-6);
    QCOMPARE(emb[20][0].item<float>(), 7.0f);
    QVERIFY(testutil::errorOf([&] { pretrain::ppmiSvdVectors({0, 1, 99}, V, dim); }).find("out of range") !=
            std::string::npos);
}

void TestPretrain::continuedPretrainingStartsFromABackbone() {
    QTemporaryDir dir;
    const auto base = pretrain::pretrainBackbone(testOptions(dir, "base", 8));
    const std::string baseDir = dir.filePath("base").toStdString();
    // Other text: the base's vocabulary is kept (no new one is trained on it).
    const std::string other = dir.filePath("other.txt").toStdString();
    {
        std::ofstream out(other);
        for (int d = 0; d < 300; ++d)
            out << "Every morning the farmer walked to the quiet market and found a blue boat "
                   "number "
                << d << ". The teacher remembered the station.\n\n";
    }
    const auto readAll = [](const std::string& path) {
        std::ifstream in(path);
        return std::string(std::istreambuf_iterator<char>(in), {});
    };
    // A step at a negligible rate leaves the base's weights: they were loaded, not drawn anew.
    auto o = testOptions(dir, "still", 1);
    o.corpus.paths = {other};
    o.initFrom = baseDir;
    o.learningRate = 1e-12;
    const auto still = pretrain::pretrainBackbone(o);
    QCOMPARE(still.vocabSize, base.vocabSize);
    QCOMPARE(readAll(dir.filePath("still/vocab.txt").toStdString()),
             readAll(baseDir + "/vocab.txt"));
    const auto a = model::SafetensorsFile::load(baseDir + "/model.safetensors");
    const auto b =
        model::SafetensorsFile::load(dir.filePath("still/model.safetensors").toStdString());
    QCOMPARE(a.tensors().size(), b.tensors().size());
    for (const auto& t : a.tensors()) {
        const auto x = a.toFloat(t), y = b.toFloat(*b.find(t.name));
        float worst = 0;
        for (size_t i = 0; i < x.size(); ++i)
            worst = std::max(worst, std::abs(x[i] - y[i]));
        QVERIFY2(worst < 1e-6f, (t.name + " moved by " + std::to_string(worst)).c_str());
    }
    // The continued model learns the new text.
    std::vector<double> losses;
    o.outDir = dir.filePath("continued").toStdString();
    o.learningRate = 1e-3;
    o.maxSteps = 12;
    pretrain::pretrainBackbone(
        o, [&](const pretrain::PretrainProgress& p) { losses.push_back(p.loss); });
    QCOMPARE(int(losses.size()), 12);
    qInfo("continued: MLM loss %.3f -> %.3f", losses[0], losses[11]);
    QVERIFY((losses[9] + losses[10] + losses[11]) / 3 <
            (losses[0] + losses[1] + losses[2]) / 3 - 0.5);
    // A BERT checkpoint's own MLM head (cls.predictions.*) is taken: here one that bets
    // everything on [PAD], so the first loss is far above anything a fresh head gives.
    const std::string withHead = dir.filePath("with-head").toStdString();
    std::filesystem::create_directories(withHead);
    for (const char* f : {"config.json", "vocab.txt"})
        std::filesystem::copy_file(baseDir + "/" + f, withHead + "/" + f);
    {
        std::vector<std::vector<float>> keep;
        std::vector<model::TensorToWrite> tensors;
        for (const auto& t : a.tensors()) {
            keep.push_back(a.toFloat(t));
            tensors.push_back({t.name, t.shape, keep.back().data()});
        }
        std::vector<float> bias(static_cast<size_t>(base.vocabSize), 0.f);
        bias[0] = 100.f;
        tensors.push_back({"cls.predictions.bias", {base.vocabSize}, bias.data()});
        model::writeSafetensors(withHead + "/model.safetensors", tensors, {{"format", "pt"}});
    }
    losses.clear();
    auto h = testOptions(dir, "headed", 1);
    h.initFrom = withHead;
    pretrain::pretrainBackbone(
        h, [&](const pretrain::PretrainProgress& p) { losses.push_back(p.loss); });
    QVERIFY2(losses.at(0) > 50, std::to_string(losses.at(0)).c_str());
    // Without --lr a continued run warms up to a tenth of the preset's rate.
    std::ifstream headedReport(dir.filePath("headed/pretrain.json").toStdString());
    QCOMPARE(nlohmann::json::parse(headedReport).at("learning_rate").get<double>(),
             pretrain::pretrainPreset("mini").learningRate / 10);
    // Errors name the folder and write nothing; a folder keeps the backbone it continues.
    auto missing = testOptions(dir, "never", 1);
    missing.initFrom = dir.filePath("no-such-bert").toStdString();
    const std::string e1 = testutil::errorOf([&] { pretrain::pretrainBackbone(missing); });
    QVERIFY2(e1.find("cannot continue from") != std::string::npos &&
                 e1.find("no-such-bert") != std::string::npos,
             e1.c_str());
    QVERIFY(!QFileInfo::exists(dir.filePath("never")));
    auto slash = o; // the same start written with a trailing slash continues the same folder
    slash.initFrom = baseDir + "/";
    QVERIFY(pretrain::pretrainBackbone(slash).resumed);
    auto fresh = o;
    fresh.initFrom.clear();
    const std::string e2 = testutil::errorOf([&] { pretrain::pretrainBackbone(fresh); });
    QVERIFY2(e2.find("already holds a corpus built from other text") != std::string::npos,
             e2.c_str());
    const std::string shortVocab = dir.filePath("short-vocab").toStdString();
    std::filesystem::create_directories(shortVocab);
    for (const char* f : {"config.json", "model.safetensors"})
        std::filesystem::copy_file(baseDir + "/" + f, shortVocab + "/" + f);
    std::ofstream(shortVocab + "/vocab.txt") << "[PAD]\n[UNK]\n[CLS]\n[SEP]\n[MASK]\nthe\n";
    auto mismatch = testOptions(dir, "mismatch", 1);
    mismatch.initFrom = shortVocab;
    const std::string e3 = testutil::errorOf([&] { pretrain::pretrainBackbone(mismatch); });
    QVERIFY2(e3.find("vocab_size") != std::string::npos && e3.find("6 tokens") != std::string::npos,
             e3.c_str());
    QVERIFY(!QFileInfo::exists(dir.filePath("mismatch")));
}

QTEST_APPLESS_MAIN(TestPretrain)
#include "test_pretrain.moc"
