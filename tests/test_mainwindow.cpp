// The main window offscreen: it says what it is, names the engine, and renders.
#include "test_util.h"

#include "main_window.h"

#include <QLabel>
#include <QMenuBar>

class TestMainWindow : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void saysWhatItIs();
};

void TestMainWindow::saysWhatItIs() {
    adapterlab::ui::MainWindow w;
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QCOMPARE(w.windowTitle(), QString("AdapterLab"));
    auto* engine = w.findChild<QLabel*>("engineSummary");
    QVERIFY(engine);
    QVERIFY(engine->text().contains("LibTorch"));
    QStringList menus;
    for (auto* a : w.menuBar()->actions()) menus << a->text();
    QCOMPARE(menus, (QStringList{"&File", "&Help"}));
    const QImage shot = w.grab().toImage();
    QVERIFY(!shot.isNull());
    QCOMPARE(shot.size(), w.size() * w.devicePixelRatio());
    const QString out = qEnvironmentVariable("ADAPTERLAB_SCREENSHOT_DIR");
    if (!out.isEmpty()) QVERIFY(shot.save(out + "/main_window.png"));
}

QTEST_MAIN(TestMainWindow)
#include "test_mainwindow.moc"
