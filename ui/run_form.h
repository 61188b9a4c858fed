#pragma once
// The run form: task, backbone, method and every hyper-parameter, validated as the user types,
// with a live preview of the trainable parameters. Launch stays disabled while anything is wrong.
#include "metatypes.h"

#include <QWidget>

#include <map>
#include <optional>
#include <string>

class QCheckBox;
class QComboBox;
class QFormLayout;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QSettings;
class QToolButton;

namespace adapterlab::ui {

class RunForm : public QWidget {
    Q_OBJECT
public:
    explicit RunForm(QWidget* parent = nullptr);

    /// The run described by the form, when valid.
    std::optional<train::RunConfig> config() const { return config_; }
    /// Why the form is invalid ("" when valid).
    QString error() const { return error_; }
    QPushButton* launchButton() const { return launch_; }

    void setRunning(bool running);
    train::Method currentMethod() const;
    void setMethod(train::Method m);
    /// The widget of each run setting the form edits, by the setting's key ("adapter_size", …).
    std::map<std::string, QWidget*> fieldWidgets() const;
    void saveSettings(QSettings& s) const;
    void loadSettings(const QSettings& s);

    // Fields, public for tests and for the main window's wiring.
    QLineEdit *task, *backbone, *initStd, *learningRate;
    QComboBox *method, *pooling, *device, *precision;
    QSpinBox *adapterSize, *topK, *epochs, *batchSize, *maxLength, *seed, *trainSize;
    // The methods' own settings (shown for the method that reads them; see MethodInfo::settings).
    QComboBox *adapterPlacement, *adapterActivation;
    QCheckBox *adapterNorm, *prefixShift;
    QSpinBox *adapterLayers, *loraRank, *prefixLength, *prefixHidden;
    QLineEdit *adapterScaling, *loraAlpha, *loraDropout, *loraTargets;
    QLabel *preview, *message;
    QToolButton* backbones; ///< menu of backbones used before

    /// Backbone folders launched before, newest first (QSettings).
    static QStringList knownBackbones();
    static void rememberBackbone(const QString& dir);

public Q_SLOTS:
    /// Opens "Download from Hugging Face…"; a downloaded model becomes the backbone (hf:ID).
    void downloadFromHub();

Q_SIGNALS:
    void launchRequested(const adapterlab::train::RunConfig& config);

private:
    void revalidate();
    void mark(QWidget* field, const QString& why);

    std::optional<train::RunConfig> config_;
    QString error_;
    QPushButton* launch_;
    QFormLayout* form_;
    bool running_ = false;
};

} // namespace adapterlab::ui
