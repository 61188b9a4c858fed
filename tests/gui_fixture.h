#pragma once
// What the window tests share: throw-away settings, the fixture's run in the form, screenshots,
// and answering the window's questions (a message box runs its own event loop).
#include "train_fixture.h"

#include "main_window.h"
#include "run_form.h"

#include <QApplication>
#include <QComboBox>
#include <QLineEdit>
#include <QMessageBox>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTest>
#include <QTimer>

#include <memory>

namespace testutil {

// Training on a loaded machine (or under sanitizers) can take minutes; a wait that runs out is a
// failure, so the bound is generous and only a hang reaches it.
constexpr int kLongWaitMs = 600000;

/// Settings and data in throw-away test locations of `app`'s own: CTest may run two window
/// tests at once, and one must not read the other's last experiment file.
inline void isolateSettings(const QString& app) {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName("AdapterLabTest");
    QCoreApplication::setApplicationName(app);
    QSettings().clear();
}

/// The fixture's task and backbone with adapters (m = 8) in the run form.
inline void fillForm(adapterlab::ui::MainWindow& w, const Fixture& fixture, int epochs) {
    auto* f = w.form();
    f->task->setText(QString::fromStdString(fixture.taskSpec));
    f->backbone->setText(QString::fromStdString(fixture.backbone));
    f->setMethod(adapterlab::train::Method::Adapter);
    f->adapterSize->setValue(8);
    f->learningRate->setText("3e-3");
    f->epochs->setValue(epochs);
    f->batchSize->setValue(16);
    f->maxLength->setValue(32);
    f->device->setCurrentText("cpu");
}

/// Saves a PNG of `w` when ADAPTERLAB_SCREENSHOT_DIR is set.
inline void saveShot(QWidget& w, const QString& name) {
    const QString out = qEnvironmentVariable("ADAPTERLAB_SCREENSHOT_DIR");
    if (out.isEmpty()) return;
    QTest::qWait(50); // let queued plot redraws run
    QVERIFY(w.grab().save(out + "/" + name + ".png"));
}

/// Clicks `button` of the next message box while the returned timer lives.
inline std::unique_ptr<QTimer> answerMessageBox(QMessageBox::StandardButton button) {
    auto timer = std::make_unique<QTimer>();
    QTimer* t = timer.get();
    QObject::connect(t, &QTimer::timeout, [t, button] {
        if (auto* box = qobject_cast<QMessageBox*>(QApplication::activeModalWidget())) {
            t->stop();
            box->button(button)->click();
        }
    });
    t->start(20);
    return timer;
}

} // namespace testutil
