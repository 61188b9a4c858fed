// Task loaders on the real GLUE and sentclass files, user CSV/TSV/JSONL, and malformed input.
#include "test_util.h"

#include "data/builtin_tasks.h"
#include "data/table_reader.h"
#include "data/task_loader.h"
#include "pretrain/corpus.h"
#include "text/wordnet.h"
#include "util/error.h"

#include <QDir>
#include <QTemporaryDir>

#include <algorithm>
#include <fstream>
#include <map>
#include <set>

using namespace adapterlab;
using namespace adapterlab::data;

namespace {
using testutil::errorOf;

std::string write(QTemporaryDir& dir, const QString& name, const QByteArray& content) {
    QFile f(dir.filePath(name));
    f.open(QIODevice::WriteOnly);
    f.write(content);
    return f.fileName().toStdString();
}


} // namespace

class TestData : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void glueSizes_data();
    void glueSizes();
    void glueContent();
    void glueFormatsNotInSharedData();
    void sentclassLines();
    void userCsvTsvJsonl();
    void stratifiedSplitIsSeeded();
    void trainSampleIsStratifiedAndSeeded();
    void malformedInput_data();
    void malformedInput();
    void skipMalformedCounts();
    void builtinTaskParsing();
    void builtinTasksFromPackages();
};

void TestData::glueSizes_data() {
    QTest::addColumn<QString>("name");
    QTest::addColumn<int>("train");
    QTest::addColumn<int>("dev");
    QTest::addColumn<int>("test");
    QTest::addColumn<int>("labels");
    // Official GLUE sizes.
    QTest::newRow("CoLA") << "CoLA" << 8551 << 1043 << 1063 << 2;
    QTest::newRow("SST-2") << "SST-2" << 67349 << 872 << 1821 << 2;
    QTest::newRow("MRPC") << "MRPC" << 3668 << 408 << 1725 << 2;
    QTest::newRow("RTE") << "RTE" << 2490 << 277 << 3000 << 2;
    QTest::newRow("WNLI") << "WNLI" << 635 << 71 << 146 << 2;
}

void TestData::glueSizes() {
    QFETCH(QString, name);
    QFETCH(int, train);
    QFETCH(int, dev);
    QFETCH(int, test);
    QFETCH(int, labels);
    REQUIRE_SHARED_DATA("glue/" + name + "/train.tsv");
    const auto t = loadGlueTask(name.toStdString(), testutil::dataPath("glue/" + name));
    QCOMPARE(int(t.train.examples.size()), train);
    QCOMPARE(int(t.dev.examples.size()), dev);
    QVERIFY(t.test);
    QCOMPARE(int(t.test->examples.size()), test);
    QVERIFY(!t.test->labeled);
    QCOMPARE(int(t.labels.size()), labels);
    QCOMPARE(t.skippedRows, size_t(0));
    for (const auto& e : t.dev.examples) QVERIFY(e.label >= 0 && e.label < labels);
}

void TestData::glueContent() {
    REQUIRE_SHARED_DATA("glue/MRPC/train.tsv");
    const auto mrpc = loadGlueTask("MRPC", testutil::dataPath("glue/MRPC"));
    QVERIFY(mrpc.pairs);
    QCOMPARE(mrpc.mainMetric, std::string("f1"));
    QVERIFY(mrpc.train.examples[0].pair.has_value());
    QVERIFY(mrpc.train.examples[0].text.rfind("Amrozi", 0) == 0); // BOM stripped, header parsed
    const auto cola = loadGlueTask("CoLA", testutil::dataPath("glue/CoLA"));
    QCOMPARE(cola.mainMetric, std::string("matthews"));
    QCOMPARE(cola.train.examples[0].text, std::string("Our friends won't buy this analysis, let alone the next one we propose."));
    QCOMPARE(cola.labels, (std::vector<std::string>{"0", "1"}));
    QCOMPARE(cola.train.examples[0].label, 1);
    const auto rte = loadTask("glue:RTE:" + testutil::dataPath("glue/RTE"));
    QCOMPARE(rte.labels, (std::vector<std::string>{"entailment", "not_entailment"}));
    QVERIFY_THROWS_EXCEPTION(Error, loadTask("glue:XNLI:/tmp"));
}

void TestData::glueFormatsNotInSharedData() {
    // STS-B, MNLI, QNLI and QQP in their original column layouts (a few rows each).
    QTemporaryDir dir;
    QDir().mkpath(dir.filePath("STS-B"));
    const QByteArray sts = "index\tgenre\tfilename\tyear\told_index\tsource1\tsource2\tsentence1\tsentence2\tscore\n"
                           "0\tmain-captions\tMSRvid\t2012test\t0001\tnone\tnone\tA plane is taking off.\tAn air plane is taking off.\t5.000\n"
                           "1\tmain-captions\tMSRvid\t2012test\t0004\tnone\tnone\tA man plays a flute.\tA man plays a guitar.\t1.600\n";
    write(dir, "STS-B/train.tsv", sts);
    write(dir, "STS-B/dev.tsv", sts);
    const auto stsb = loadGlueTask("STS-B", dir.filePath("STS-B").toStdString());
    QVERIFY(stsb.regression);
    QCOMPARE(stsb.numLabels(), int64_t(1));
    QCOMPARE(stsb.train.examples[1].target, 1.6f);
    QCOMPARE(*stsb.train.examples[0].pair, std::string("An air plane is taking off."));
    QCOMPARE(taskMetrics(stsb), (std::vector<std::string>{"spearman", "pearson"}));

    QDir().mkpath(dir.filePath("MNLI"));
    QByteArray mnli = "index\tpromptID\tpairID\tgenre\tsentence1_binary_parse\tsentence2_binary_parse\tsentence1_parse\tsentence2_parse\tsentence1\tsentence2\tlabel1\tgold_label\n";
    for (const char* label : {"neutral", "entailment", "contradiction"})
        mnli += QByteArray("0\t1\t1n\tgov\t(x)\t(y)\t(X)\t(Y)\tPremise here.\tHypothesis here.\t") + label + "\t" + label + "\n";
    write(dir, "MNLI/train.tsv", mnli);
    write(dir, "MNLI/dev_matched.tsv", mnli);
    write(dir, "MNLI/dev_mismatched.tsv", mnli);
    const auto m = loadGlueTask("MNLI", dir.filePath("MNLI").toStdString());
    QCOMPARE(m.labels, (std::vector<std::string>{"contradiction", "entailment", "neutral"}));
    QCOMPARE(m.extraSplits.size(), size_t(1));
    QCOMPARE(m.extraSplits[0].first, std::string("dev_mismatched"));
    QCOMPARE(m.extraSplits[0].second.examples[0].label, 2);

    QDir().mkpath(dir.filePath("QNLI"));
    const QByteArray qnli = "index\tquestion\tsentence\tlabel\n0\tWho?\tHim.\tentailment\n1\tWhere?\tNo.\tnot_entailment\n";
    write(dir, "QNLI/train.tsv", qnli);
    write(dir, "QNLI/dev.tsv", qnli);
    QCOMPARE(loadGlueTask("QNLI", dir.filePath("QNLI").toStdString()).dev.examples.size(), size_t(2));
    QDir().mkpath(dir.filePath("QQP"));
    const QByteArray qqp = "id\tqid1\tqid2\tquestion1\tquestion2\tis_duplicate\n1\t1\t2\tHow?\tHow so?\t1\n2\t3\t4\tWhy?\tWhen?\t0\n";
    write(dir, "QQP/train.tsv", qqp);
    write(dir, "QQP/dev.tsv", qqp);
    const auto q = loadGlueTask("QQP", dir.filePath("QQP").toStdString());
    QCOMPARE(q.mainMetric, std::string("f1"));
}

void TestData::sentclassLines() {
    REQUIRE_SHARED_DATA("sentclass/TREC.train.all");
    // TREC train and SUBJ hold Latin-1 bytes: refused as UTF-8 with a hint, read as Latin-1.
    const std::string err = errorOf([] { loadTask("lines:" + testutil::dataPath("sentclass/TREC.train.all")); });
    QVERIFY2(err.find("TREC.train.all:66: invalid UTF-8 (for a Latin-1 file add ,encoding=latin1") != std::string::npos,
             err.c_str());
    const auto trec = loadTask("lines:" + testutil::dataPath("sentclass/TREC.train.all") +
                               ",test=" + testutil::dataPath("sentclass/TREC.test.all") + ",encoding=latin1");
    QCOMPARE(trec.labels.size(), size_t(6));
    QCOMPARE(trec.train.examples.size() + trec.dev.examples.size(), size_t(5452));
    QCOMPARE(trec.test->examples.size(), size_t(500));
    QVERIFY(!trec.devNote.empty());
    const auto sst1 = loadTask("lines:" + testutil::dataPath("sentclass/stsa.fine.train") +
                               ",dev=" + testutil::dataPath("sentclass/stsa.fine.dev"));
    QCOMPARE(sst1.labels.size(), size_t(5));
    QCOMPARE(sst1.train.examples.size(), size_t(8544));
    QCOMPARE(sst1.dev.examples.size(), size_t(1101));
    QVERIFY(sst1.devNote.empty());
    // CR and MPQA have a few label-only lines: an error naming the line, or counted skips.
    const std::string crErr = errorOf([] { loadTask("lines:" + testutil::dataPath("sentclass/custrev.all")); });
    QVERIFY2(crErr.find("custrev.all:769: expected 'LABEL text', found no text") != std::string::npos, crErr.c_str());
    LoadOptions skip;
    skip.skipMalformed = true;
    struct Case {
        const char* spec;
        size_t examples, skipped;
    };
    for (const Case& c : {Case{"custrev.all", 3771, 4}, Case{"mpqa.all", 10603, 3},
                          Case{"subj.all,encoding=latin1", 10000, 0}}) {
        const auto t = loadTask(std::string("lines:") + testutil::dataPath(QString("sentclass/") + c.spec), skip);
        QCOMPARE(t.labels.size(), size_t(2));
        QCOMPARE(t.train.examples.size() + t.dev.examples.size(), c.examples);
        QCOMPARE(t.skippedRows, c.skipped);
    }
}

void TestData::userCsvTsvJsonl() {
    QTemporaryDir dir;
    const auto csv = write(dir, "train.csv",
                           "review,stars,extra\n\"Great, really \"\"great\"\"\",pos,1\n"
                           "\"multi\nline\",neg,2\nfine,pos,3\nbad,neg,4\n");
    const auto t = loadTask("file:" + csv + ",dev=" + csv + ",text=review,label=stars");
    QCOMPARE(t.train.examples.size(), size_t(4));
    QCOMPARE(t.train.examples[0].text, std::string("Great, really \"great\""));
    QCOMPARE(t.train.examples[1].text, std::string("multi\nline"));
    QCOMPARE(t.labels, (std::vector<std::string>{"neg", "pos"}));
    const auto jsonl = write(dir, "d.jsonl",
                             "{\"text\": \"a\", \"text_pair\": \"b\", \"label\": 1}\n"
                             "{\"text\": \"c\", \"text_pair\": \"d\", \"label\": 0}\n");
    const auto j = loadTask("file:" + jsonl + ",dev=" + jsonl + ",text_pair=text_pair");
    QVERIFY(j.pairs);
    QCOMPARE(*j.train.examples[0].pair, std::string("b"));
    QCOMPARE(j.train.examples[0].label, 1);
    const auto tsv = write(dir, "t.tsv", "sentence\tlabel\nx y\t0\nz\t1\n");
    QCOMPARE(loadTask("file:" + tsv + ",dev=" + tsv).train.examples[0].text, std::string("x y"));
}

void TestData::stratifiedSplitIsSeeded() {
    QTemporaryDir dir;
    QByteArray lines;
    for (int i = 0; i < 200; ++i) lines += QByteArray::number(i % 4 == 0 ? 1 : 0) + " text " + QByteArray::number(i) + "\n";
    const auto path = write(dir, "x.txt", lines);
    LoadOptions o;
    const auto a = loadTask("lines:" + path, o);
    const auto b = loadTask("lines:" + path, o);
    QCOMPARE(a.dev.examples.size(), size_t(20));
    int positives = 0;
    for (size_t i = 0; i < a.dev.examples.size(); ++i) {
        QCOMPARE(a.dev.examples[i].text, b.dev.examples[i].text);
        positives += a.dev.examples[i].label == 1;
    }
    QCOMPARE(positives, 5); // 10% of the 50 positives: stratified
    o.splitSeed = 2;
    const auto c = loadTask("lines:" + path, o);
    bool differs = false;
    for (size_t i = 0; i < c.dev.examples.size(); ++i) differs |= c.dev.examples[i].text != a.dev.examples[i].text;
    QVERIFY(differs);
}

void TestData::trainSampleIsStratifiedAndSeeded() {
    // 1,000 examples: 700 of label 0, 250 of label 1, 50 of label 2; the text is the index.
    TaskData t;
    t.labels = {"a", "b", "c"};
    t.train.source = "t.tsv";
    for (int i = 0; i < 1000; ++i)
        t.train.examples.push_back({std::to_string(i), std::nullopt,
                                    i < 700   ? 0
                                    : i < 950 ? 1
                                              : 2});
    t.dev.examples = {{"dev", std::nullopt, 1}};
    const auto sample = [&](int64_t n, uint64_t seed) {
        TaskData s = t;
        sampleTrainSplit(s, n, seed);
        return s;
    };
    const auto indices = [](const TaskData& s) {
        std::vector<int> v;
        for (const auto& e : s.train.examples)
            v.push_back(std::stoi(e.text));
        return v;
    };
    const TaskData s = sample(100, 1);
    QCOMPARE(s.train.examples.size(), size_t(100));
    std::map<int, int> perLabel;
    for (const auto& e : s.train.examples)
        ++perLabel[e.label];
    QCOMPARE(perLabel[0], 70); // each label keeps its share
    QCOMPARE(perLabel[1], 25);
    QCOMPARE(perLabel[2], 5);
    const auto idx = indices(s);
    QVERIFY(std::is_sorted(idx.begin(), idx.end()));                  // file order kept
    QVERIFY(std::adjacent_find(idx.begin(), idx.end()) == idx.end()); // no repeats
    QVERIFY(idx.back() - idx.front() > 500);                          // drawn, not the first 100
    QCOMPARE(s.dev.examples.size(), size_t(1));                       // dev untouched
    QVERIFY2(s.train.source.find("100 of 1000, stratified, seed 1") != std::string::npos,
             s.train.source.c_str());
    QCOMPARE(indices(sample(100, 1)), idx);  // seeded
    QVERIFY(indices(sample(100, 2)) != idx); // another seed, another sample
    // Rounding: 7 = 4.9 + 1.75 + 0.35 → largest remainders 5 / 2 / 0, then label c takes one of
    // a's.
    std::map<int, int> small;
    for (const auto& e : sample(7, 3).train.examples)
        ++small[e.label];
    QCOMPARE(small[0], 4);
    QCOMPARE(small[1], 2);
    QCOMPARE(small[2], 1);
    // Every label present once the size allows it, even a rare one.
    std::set<int> seen;
    for (const auto& e : sample(3, 4).train.examples)
        seen.insert(e.label);
    QCOMPARE(seen.size(), size_t(3));
    QCOMPARE(indices(sample(1000, 5)).size(), size_t(1000)); // all: unchanged
    QCOMPARE(sample(1000, 5).train.source, std::string("t.tsv"));
    for (const int64_t bad : {int64_t(0), int64_t(-3), int64_t(1001)}) {
        TaskData b = t;
        const std::string e = testutil::errorOf([&] { sampleTrainSplit(b, bad, 1); });
        QVERIFY2(
            e.find("t.tsv: cannot keep " + std::to_string(bad) + " training examples of 1000") == 0,
            e.c_str());
        QCOMPARE(b.train.examples.size(), size_t(1000)); // nothing lost
    }
    // Regression: a plain seeded sample.
    TaskData r = t;
    r.regression = true;
    sampleTrainSplit(r, 10, 1);
    QCOMPARE(r.train.examples.size(), size_t(10));
    QVERIFY(r.train.source.find("stratified") == std::string::npos);
}

void TestData::malformedInput_data() {
    QTest::addColumn<QByteArray>("content");
    QTest::addColumn<QString>("options");
    QTest::addColumn<QString>("message");
    QTest::newRow("wrong column count") << QByteArray("sentence\tlabel\ngood\t1\nbad\n") << "" << "t.tsv:3: expected at least 2 columns";
    QTest::newRow("empty file") << QByteArray("\n\n") << "" << "file is empty";
    QTest::newRow("invalid utf-8") << QByteArray("sentence\tlabel\nok\t1\nb\xff\xfe\t0\n") << "" << "t.tsv:3: invalid UTF-8";
    QTest::newRow("missing column") << QByteArray("text\tlabel\na\t1\n") << ",label=stars" << "no label column 'stars'";
    QTest::newRow("empty label") << QByteArray("sentence\tlabel\na\t\n") << "" << "t.tsv:2: empty label";
    QTest::newRow("huge line") << (QByteArray("sentence\tlabel\n") + QByteArray(3 << 20, 'a') + "\t1\nb\t0\n") << "" << "OK";
    QTest::newRow("unknown option") << QByteArray("sentence\tlabel\na\t1\n") << ",colour=red" << "unknown option 'colour'";
}

void TestData::malformedInput() {
    QFETCH(QByteArray, content);
    QFETCH(QString, options);
    QFETCH(QString, message);
    QTemporaryDir dir;
    const auto path = write(dir, "t.tsv", content);
    const auto dev = write(dir, "dev.tsv", "sentence\tlabel\nq\t1\nr\t0\n");
    const std::string err = errorOf([&] { loadTask("file:" + path + ",dev=" + dev + options.toStdString()); });
    if (message == "OK") {
        QVERIFY2(err.empty(), err.c_str());
        return;
    }
    QVERIFY2(err.find(message.toStdString()) != std::string::npos, err.c_str());
}

void TestData::skipMalformedCounts() {
    QTemporaryDir dir;
    const auto path = write(dir, "t.tsv", "sentence\tlabel\ngood\t1\nbad\nfine\t0\n");
    const auto dev = write(dir, "dev.tsv", "sentence\tlabel\nq\t1\nr\tmaybe\n");
    LoadOptions o;
    o.skipMalformed = true;
    const auto t = loadTask("file:" + path + ",dev=" + path, o);
    QCOMPARE(t.train.examples.size(), size_t(2));
    QCOMPARE(t.skippedRows, size_t(2)); // once in train, once in dev
    // A dev label unseen in train is an error, never skipped.
    const std::string err = errorOf([&] { loadTask("file:" + path + ",dev=" + dev, o); });
    QVERIFY2(err.find("dev.tsv:3: label 'maybe' does not occur in the train split") != std::string::npos, err.c_str());
    const std::string jerr = errorOf([&] {
        loadTask("file:" + write(dir, "x.jsonl", "{\"text\":\"a\",\"label\":1}\n[1,2]\n"));
    });
    QVERIFY2(jerr.find("x.jsonl:2: a JSON Lines row must be an object") != std::string::npos, jerr.c_str());
}

void TestData::builtinTaskParsing() {
    // A miniature /usr/share with the packages' file formats.
    QTemporaryDir root;
    QDir().mkpath(root.filePath("wordnet"));
    QDir().mkpath(root.filePath("games/fortunes"));
    const auto synset = [](const char* off, const char* lex, char type, const char* gloss) {
        return QByteArray(off) + " " + lex + " " + type + " 01 word 0 000 | " + gloss + "\n";
    };
    QByteArray noun = "  1 This software and database is being provided\n";
    QByteArray verb, adj, adv;
    for (int i = 0; i < 20; ++i) {
        const QByteArray n = QByteArray::number(i);
        noun += synset("00000001", "05", 'n', "a small furry animal number " + n + "; \"the cat sat\"");
        noun += synset("00000002", "13", 'n', "a sweet food made of sugar " + n);
        verb += synset("00000003", "38", 'v', "move fast on foot " + n + "; \"run home\"");
        adj += synset("00000004", "00", i % 2 ? 's' : 'a', "having great size " + n);
        adv += synset("00000005", "02", 'r', "in a quick manner " + n);
    }
    noun += synset("00000006", "03", 'n', "the top of everything"); // noun.Tops: not a supersense
    for (const auto& [f, c] : std::vector<std::pair<const char*, QByteArray>>{
             {"wordnet/data.noun", noun}, {"wordnet/data.verb", verb}, {"wordnet/data.adj", adj},
             {"wordnet/data.adv", adv}})
        write(root, f, c);
    const auto pos = loadBuiltinTask("wordnet-pos", root.path().toStdString());
    QCOMPARE(pos.labels, (std::vector<std::string>{"adjective", "adverb", "noun", "verb"}));
    QCOMPARE(pos.train.examples.size() + pos.dev.examples.size() + pos.test->examples.size(), size_t(101));
    QCOMPARE(pos.dev.examples.size(), size_t(2 + 2 + 4 + 2)); // 10% of each class
    bool sawDefinition = false;
    for (const auto& e : pos.train.examples) {
        QVERIFY2(e.text.find('"') == std::string::npos, e.text.c_str()); // examples stripped
        sawDefinition |= e.text == "a small furry animal number 3";
    }
    QVERIFY(sawDefinition || std::any_of(pos.dev.examples.begin(), pos.dev.examples.end(),
                                         [](const Example& e) { return e.text == "a small furry animal number 3"; }));
    const auto ss = loadBuiltinTask("wordnet-supersense", root.path().toStdString());
    QCOMPARE(ss.labels, (std::vector<std::string>{"animal", "food"}));
    // The corpus builder reads the same files: each gloss a document, its parts sentences (the
    // repeated examples kept once; "Run home." is too short to keep: 101 + 1).
    QCOMPARE(text::glossParts("a cat; a feline; \"the cat sat; then left\""),
             (std::vector<std::string>{"a cat", "a feline", "the cat sat; then left"}));
    pretrain::CorpusOptions co;
    co.root = root.path().toStdString();
    const std::string corpusFile = root.filePath("corpus.txt").toStdString();
    const auto report = pretrain::buildCorpus(co, corpusFile);
    QCOMPARE(report.sources.at(0).documents, int64_t(101));
    QCOMPARE(report.sources.at(0).sentences, int64_t(102));
    {
        std::ifstream in(corpusFile);
        std::string a, b;
        std::getline(in, a);
        std::getline(in, b);
        QCOMPARE(a + " | " + b, std::string("A small furry animal number 0. | The cat sat."));
    }
    // A damaged synset line is named by file and line, for tasks and corpus alike.
    write(root, "wordnet/data.verb", verb + "00000007 3x v broken\n");
    for (const auto& err :
         {errorOf([&] { loadBuiltinTask("wordnet-pos", root.path().toStdString()); }),
          errorOf([&] { pretrain::buildCorpus(co, corpusFile); })})
        QVERIFY2(err.find("data.verb:21: not a WordNet synset line") != std::string::npos,
                 err.c_str());
    write(root, "wordnet/data.verb", verb);
    // Fortunes: "%" separators, overstrike removed, attributions dropped.
    QByteArray computers, other;
    for (int i = 0; i < 10; ++i) {
        computers += "Unix is user-friendly, it is just _\bp_\bi_\bc_\bk_\by " + QByteArray::number(i) +
                     "\n\t\t-- Anonymous\n%\n";
        other += "Vote early " + QByteArray::number(i) + "\n%\n";
    }
    write(root, "games/fortunes/computers", computers);
    write(root, "games/fortunes/politics", other);
    for (const char* topic : {"science", "work", "men-women", "art", "literature", "law", "education", "drugs"})
        write(root, QString("games/fortunes/") + topic, "");
    const auto ft = loadBuiltinTask("fortune-topic", root.path().toStdString());
    QCOMPARE(ft.labels, (std::vector<std::string>{"computers", "politics"}));
    std::vector<std::string> texts;
    for (const auto* s : {&ft.train, &ft.dev, &*ft.test})
        for (const auto& e : s->examples) texts.push_back(e.text);
    QVERIFY(std::find(texts.begin(), texts.end(), "Unix is user-friendly, it is just picky 4") != texts.end());
    // A missing package is named, with how to install it.
    QTemporaryDir empty;
    const std::string err = errorOf([&] { loadBuiltinTask("fortune-topic", empty.path().toStdString()); });
    QVERIFY2(err.find("sudo apt-get install fortunes") != std::string::npos, err.c_str());
    QVERIFY(errorOf([&] { loadTask("builtin:nope"); }).find("unknown built-in task 'nope'") != std::string::npos);
}

void TestData::builtinTasksFromPackages() {
    if (!QFile::exists("/usr/share/wordnet/data.noun") || !QFile::exists("/usr/share/games/fortunes/computers"))
        QSKIP("wordnet-base and fortunes are not installed (packaging/install-deps.sh installs them)");
    const std::map<std::string, size_t> classes = {{"wordnet-pos", 4}, {"wordnet-supersense", 25}, {"fortune-topic", 10}};
    for (const auto& info : builtinTasks()) {
        QVERIFY(info.available);
        const auto a = loadTask("builtin:" + info.name), b = loadTask("builtin:" + info.name);
        QCOMPARE(a.labels.size(), classes.at(info.name));
        QVERIFY(a.train.examples.size() > 1000 && a.dev.examples.size() > 100 && a.test->examples.size() > 100);
        // Fixed split: the same examples in the same order on every load.
        for (size_t i = 0; i < 50; ++i) QCOMPARE(a.train.examples[i].text, b.train.examples[i].text);
        // No text in two splits.
        std::set<std::string> train;
        for (const auto& e : a.train.examples) train.insert(e.text);
        for (const auto* s : {&a.dev, &*a.test})
            for (const auto& e : s->examples) QVERIFY2(!train.count(e.text), e.text.c_str());
        qInfo("%s: %zu classes, %zu/%zu/%zu train/dev/test", info.name.c_str(), a.labels.size(),
              a.train.examples.size(), a.dev.examples.size(), a.test->examples.size());
    }
}

QTEST_APPLESS_MAIN(TestData)
#include "test_data.moc"
