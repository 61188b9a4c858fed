// Metrics against hand-computed values, and the learning-rate schedule's shape.
#include "test_util.h"

#include "train/metrics.h"

using namespace adapterlab::train;

class TestMetrics : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void classification();
    void correlations();
};

void TestMetrics::classification() {
    // pred/gold: TP=2 (idx 0,1), FP=1 (idx 2), FN=1 (idx 3), TN=2 (idx 4,5).
    const std::vector<int> pred{1, 1, 1, 0, 0, 0}, gold{1, 1, 0, 1, 0, 0};
    QCOMPARE(accuracy(pred, gold), 4.0 / 6.0);
    QCOMPARE(f1Score(pred, gold, 1), 2.0 * 2 / (2 * 2 + 1 + 1));
    // MCC = (TP·TN − FP·FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)) = (4 − 1)/sqrt(3·3·3·3) = 1/3.
    QVERIFY(qAbs(matthews(pred, gold, 2) - 1.0 / 3.0) < 1e-12);
    QCOMPARE(matthews(std::vector<int>(6, 0), gold, 2), 0.0); // constant prediction
    QCOMPARE(matthews(gold, gold, 2), 1.0);
    const auto m = classificationMetrics(pred, gold, 2, 1);
    QCOMPARE(m.size(), size_t(3));
}

void TestMetrics::correlations() {
    const std::vector<double> x{1, 2, 3, 4, 5}, y{2, 4, 6, 8, 10}, z{5, 4, 3, 2, 1};
    QVERIFY(qAbs(pearson(x, y) - 1.0) < 1e-12);
    QVERIFY(qAbs(pearson(x, z) + 1.0) < 1e-12);
    // Spearman with ties: ranks of {1, 2, 2, 3} are {1, 2.5, 2.5, 4}.
    const std::vector<double> a{1, 2, 2, 3}, b{10, 20, 30, 40};
    // pearson({1,2.5,2.5,4},{1,2,3,4}) = 4.5 / sqrt(4.5 · 5) = 0.948683...
    QVERIFY(qAbs(spearman(a, b) - 4.5 / std::sqrt(4.5 * 5.0)) < 1e-12);
    const std::vector<double> nonlinear{1, 8, 27, 64, 125};
    QVERIFY(qAbs(spearman(x, nonlinear) - 1.0) < 1e-12);
    QVERIFY(pearson(x, nonlinear) < 0.99);
}

QTEST_APPLESS_MAIN(TestMetrics)
#include "test_metrics.moc"
