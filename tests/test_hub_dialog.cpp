// "Download from Hugging Face…" against the local Hub server: the download with its progress,
// Cancel, and the cached model offered by the run form's backbone menu and the banner.
#include "gui_fixture.h"
#include "hub/hub.h"
#include "hub_dialog.h"
#include "hub_fixture.h"

#include <QLabel>
#include <QMenu>
#include <QProgressBar>
#include <QRandomGenerator>
#include <QTemporaryDir>
#include <QToolButton>

#include <filesystem>

using namespace adapterlab;
namespace fs = std::filesystem;

class TestHubDialog : public QObject {
    Q_OBJECT

    QTemporaryDir tmp_;
    std::unique_ptr<testutil::Fixture> fixture_;
    std::unique_ptr<testutil::HubServer> server_;
    QString bigSha_;

private Q_SLOTS:
    void initTestCase() {
        if (QStandardPaths::findExecutable("python3").isEmpty())
            QSKIP("python3 (the local Hub server) is not installed");
        testutil::isolateSettings("test_hub_dialog");
        fixture_ = std::make_unique<testutil::Fixture>();
        server_ = std::make_unique<testutil::HubServer>(tmp_.filePath("srv"));
        const QString endpoint = server_->start();
        QVERIFY(!endpoint.isEmpty());
        server_->addCommit("org/tiny", QString(40, 'a'),
                           QString::fromStdString(fixture_->backbone));
        // A large, slowly served file, to be cancelled.
        const QString big = tmp_.filePath("big");
        QDir().mkpath(big);
        QFile::copy(QString::fromStdString(fixture_->backbone) + "/config.json",
                    big + "/config.json");
        QByteArray junk(4 << 20, '\0');
        for (auto& c : junk)
            c = static_cast<char>(QRandomGenerator::global()->generate());
        testutil::writeAll(big + "/model.safetensors", junk);
        bigSha_ = testutil::sha256(big + "/model.safetensors");
        server_->addCommit("org/big", QString(40, 'b'), big);
        server_->fault("slow", bigSha_);
        qputenv("HF_ENDPOINT", endpoint.toLatin1());
        qputenv("HF_HUB_CACHE", tmp_.filePath("cache").toLocal8Bit());
        qunsetenv("HF_HUB_OFFLINE");
        qunsetenv("HF_TOKEN");
    }

    void downloads() {
        ui::HubDialog d;
        d.show();
        d.modelId->setText("org/tiny");
        QTest::mouseClick(d.start, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(!d.spec().isEmpty() || d.start->isEnabled(), 60000);
        QVERIFY2(d.spec() == "hf:org/tiny", qPrintable(d.status->text()));
        QCOMPARE(d.progress->value(), 1000);
        QVERIFY(d.status->text().contains("Done"));
        testutil::saveShot(d, "hub-dialog-done");
        QVERIFY(
            hub::cached(hub::ModelRef::parse("org/tiny"), hub::HubEnvironment::fromEnvironment()));
        // An id the Hub would refuse never reaches the server.
        d.modelId->setText("../etc");
        QTest::mouseClick(d.start, Qt::LeftButton);
        QVERIFY(d.status->text().contains("not a Hub model id"));
        // A missing model: the Hub's answer, in words.
        d.modelId->setText("org/absent");
        QTest::mouseClick(d.start, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(d.start->isEnabled(), 60000);
        QVERIFY2(d.status->text().contains("does not exist"), qPrintable(d.status->text()));
    }

    void cancels() {
        ui::HubDialog d;
        d.show();
        d.modelId->setText("org/big");
        QTest::mouseClick(d.start, Qt::LeftButton);
        // config.json comes first; then the weights, slowly.
        QTRY_VERIFY_WITH_TIMEOUT(
            d.status->text().contains("model.safetensors") && d.progress->value() > 0, 60000);
        QVERIFY(d.progress->value() < 1000);
        testutil::saveShot(d, "hub-dialog-progress");
        QTest::mouseClick(d.cancel, Qt::LeftButton);
        QTRY_VERIFY_WITH_TIMEOUT(d.start->isEnabled(), 60000);
        QVERIFY2(d.status->text().contains("cancelled"), qPrintable(d.status->text()));
        QVERIFY(d.spec().isEmpty());
        const QString blobs = tmp_.filePath("cache/models--org--big/blobs/");
        QVERIFY(!QFileInfo::exists(blobs + bigSha_));                // nothing complete-looking
        QVERIFY(QFileInfo::exists(blobs + bigSha_ + ".incomplete")); // the part, for resuming
        QVERIFY(!QFileInfo::exists(tmp_.filePath("cache/models--org--big/snapshots/") +
                                   QString(40, 'b') + "/model.safetensors"));
    }

    // The run form offers the cached model; choosing it gives a valid backbone.
    void formOffersCachedModels() {
        ui::MainWindow w;
        w.show();
        QVERIFY(w.findChild<QPushButton*>("bannerDownload"));
        testutil::saveShot(w, "main-window-banner");
        auto* f = w.form();
        QMenu* menu = f->backbones->menu();
        QMetaObject::invokeMethod(menu, "aboutToShow");
        QAction* tiny = nullptr;
        bool download = false;
        for (auto* a : menu->actions()) {
            if (a->text() == "hf:org/tiny") tiny = a;
            if (a->objectName() == "downloadFromHub") download = true;
        }
        QVERIFY(tiny && download);
        f->task->setText(QString::fromStdString(fixture_->taskSpec));
        f->maxLength->setValue(32); // the tiny backbone has 64 positions
        tiny->trigger();
        QCOMPARE(f->backbone->text(), QString("hf:org/tiny"));
        QTRY_VERIFY2(f->config().has_value(), qPrintable(f->error()));
        QCOMPARE(f->config()->backbone, std::string("hf:org/tiny"));
        // Not in the cache: said at the field, nothing downloaded by typing.
        f->backbone->setText("hf:org/never");
        QVERIFY(f->error().contains("not in the Hugging Face cache"));
    }

    void cleanupTestCase() {
        server_.reset();
        for (const char* v : {"HF_ENDPOINT", "HF_HUB_CACHE"})
            qunsetenv(v);
    }
};

QTEST_MAIN(TestHubDialog)
#include "test_hub_dialog.moc"
