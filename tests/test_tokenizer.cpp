// WordPiece tokenizer: the 46 Hugging Face reference cases, and the rules one by one.
#include "test_util.h"

#include "text/tokenizer.h"
#include "text/utf8.h"
#include "util/error.h"

#include <fstream>
#include <sstream>

using namespace adapterlab;
using text::Vocab;
using text::WordPieceTokenizer;

namespace {

Vocab smallVocab() {
    return Vocab::fromTokens({"[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", "hello", "world", "!",
                              ",", "un", "##aff", "##able", "cafe", "中", "国", "Hello", "a", "b",
                              "c", "d", "e"});
}

std::vector<int32_t> ids(const WordPieceTokenizer& t, const std::string& s) {
    return t.tokenizeToIds(s);
}

} // namespace

class TestTokenizer : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void referenceCases_data();
    void referenceCases();
    void greedyLongestMatch();
    void accentsAndCase();
    void cjkAndPunctuation();
    void controlCharactersRemoved();
    void longWordIsUnknown();
    void pairEncodingAndTruncation();
    void vocabularyNeedsSpecialTokens();
    void invalidUtf8IsDetected();
};

void TestTokenizer::referenceCases_data() {
    QTest::addColumn<QString>("input");
    QTest::addColumn<QString>("expected");
    if (!testutil::haveData("tokenizer/ggml-vocab-bert-bge.gguf.inp")) {
        QTest::newRow("absent") << QString() << QStringLiteral("SKIP");
        return;
    }
    std::ifstream inp(testutil::dataPath("tokenizer/ggml-vocab-bert-bge.gguf.inp"), std::ios::binary);
    std::ifstream out(testutil::dataPath("tokenizer/ggml-vocab-bert-bge.gguf.out"));
    std::stringstream ss;
    ss << inp.rdbuf();
    const std::string all = ss.str();
    const std::string sep = "\n__ggml_vocab_test__\n";
    size_t pos = 0;
    int n = 0;
    std::string expected;
    while (true) {
        const size_t next = all.find(sep, pos);
        if (next == std::string::npos) break;
        std::getline(out, expected);
        QTest::newRow(qPrintable(QString("case %1").arg(n++)))
            << QString::fromStdString(all.substr(pos, next - pos)) << QString::fromStdString(expected);
        pos = next + sep.size();
    }
    QCOMPARE(n, 46);
}

void TestTokenizer::referenceCases() {
    QFETCH(QString, input);
    QFETCH(QString, expected);
    if (expected == "SKIP") QSKIP("shared data absent: tokenizer/ggml-vocab-bert-bge.gguf.*");
    REQUIRE_SHARED_DATA("vocab/bert-base-uncased-vocab.txt");
    static const WordPieceTokenizer tok(
        Vocab::load(testutil::dataPath("vocab/bert-base-uncased-vocab.txt")));
    QString got;
    for (int32_t id : tok.tokenizeToIds(input.toStdString())) got += " " + QString::number(id);
    QCOMPARE(got, expected);
}

void TestTokenizer::greedyLongestMatch() {
    const WordPieceTokenizer tok(smallVocab());
    QCOMPARE(ids(tok, "unaffable"), (std::vector<int32_t>{9, 10, 11}));
    // No piece matches "##x": the whole word becomes [UNK].
    QCOMPARE(ids(tok, "unaffx hello"), (std::vector<int32_t>{1, 5}));
}

void TestTokenizer::accentsAndCase() {
    const WordPieceTokenizer uncased(smallVocab());
    QCOMPARE(ids(uncased, "Café HELLO"), (std::vector<int32_t>{12, 5}));
    const WordPieceTokenizer cased(smallVocab(), {false});
    QCOMPARE(ids(cased, "Hello hello"), (std::vector<int32_t>{15, 5}));
    QCOMPARE(ids(cased, "Café"), (std::vector<int32_t>{1})); // accent kept: not in vocab
}

void TestTokenizer::cjkAndPunctuation() {
    const WordPieceTokenizer tok(smallVocab());
    QCOMPARE(ids(tok, "hello,world!"), (std::vector<int32_t>{5, 8, 6, 7}));
    QCOMPARE(ids(tok, "中国hello"), (std::vector<int32_t>{13, 14, 5}));
    QCOMPARE(tok.basicTokenize("a\u3000b"), (std::vector<std::string>{"a", "b"})); // ideographic space
}

void TestTokenizer::controlCharactersRemoved() {
    const WordPieceTokenizer tok(smallVocab());
    QCOMPARE(ids(tok, std::string("he\x01llo\twor\u200bld")), (std::vector<int32_t>{5, 6}));
    QCOMPARE(ids(tok, std::string("hel\0lo", 6)), (std::vector<int32_t>{5}));
}

void TestTokenizer::longWordIsUnknown() {
    std::vector<std::string> tokens = smallVocab().tokens();
    const std::string longWord(101, 'a');
    tokens.push_back(longWord);
    tokens.push_back(std::string(100, 'a'));
    const WordPieceTokenizer tok(Vocab::fromTokens(tokens));
    QCOMPARE(ids(tok, longWord), (std::vector<int32_t>{1}));
    QCOMPARE(ids(tok, std::string(100, 'a')), (std::vector<int32_t>{static_cast<int32_t>(tokens.size() - 1)}));
}

void TestTokenizer::pairEncodingAndTruncation() {
    const WordPieceTokenizer tok(smallVocab());
    const auto e = tok.encode("hello world", std::string_view("a b c"), 512);
    QCOMPARE(e.inputIds, (std::vector<int64_t>{2, 5, 6, 3, 16, 17, 18, 3}));
    QCOMPARE(e.tokenTypeIds, (std::vector<int64_t>{0, 0, 0, 0, 1, 1, 1, 1}));
    QCOMPARE(e.attentionMask, std::vector<int64_t>(8, 1));
    // Longest first: the longer side loses tokens until both fit; ties drop from the second.
    const auto t = tok.encode("a b c d e", std::string_view("a b"), 7);
    QCOMPARE(t.inputIds, (std::vector<int64_t>{2, 16, 17, 3, 16, 17, 3}));
    const auto u = tok.encode("a b c", std::string_view("a b c"), 7);
    QCOMPARE(u.inputIds, (std::vector<int64_t>{2, 16, 17, 3, 16, 17, 3}));
    const auto single = tok.encode("a b c d e", std::nullopt, 4);
    QCOMPARE(single.inputIds, (std::vector<int64_t>{2, 16, 17, 3}));
    QVERIFY_THROWS_EXCEPTION(Error, tok.encode("a", std::string_view("b"), 2));
}

void TestTokenizer::vocabularyNeedsSpecialTokens() {
    const Vocab full = smallVocab();
    for (const char* missing : {"[UNK]", "[CLS]", "[SEP]"}) {
        std::vector<std::string> tokens;
        for (const auto& t : full.tokens())
            if (t != missing) tokens.push_back(t);
        try {
            Vocab::fromTokens(tokens, "v.txt");
            QFAIL("accepted a vocabulary without a special token");
        } catch (const Error& e) {
            QVERIFY2(std::string(e.what()).find(missing) != std::string::npos, e.what());
            QVERIFY(std::string(e.what()).find("v.txt") != std::string::npos);
        }
    }
    QVERIFY_THROWS_EXCEPTION(Error, Vocab::load("/nonexistent/vocab.txt"));
}

void TestTokenizer::invalidUtf8IsDetected() {
    QVERIFY(text::isValidUtf8("plain ascii and é and 中 and \xEF\xBF\xBD"));
    QVERIFY(!text::isValidUtf8("\xC3"));         // truncated
    QVERIFY(!text::isValidUtf8("\xC0\xAF"));     // overlong
    QVERIFY(!text::isValidUtf8("\xED\xA0\x80")); // surrogate
    const WordPieceTokenizer tok(smallVocab());
    QCOMPARE(ids(tok, "hello\xFF world"), (std::vector<int32_t>{5, 6})); // dropped, no crash
}

QTEST_APPLESS_MAIN(TestTokenizer)
#include "test_tokenizer.moc"
