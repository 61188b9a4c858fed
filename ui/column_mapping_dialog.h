#pragma once
// Maps a user's CSV/TSV/JSONL file to a task: which column is the text, the optional second
// text and the label, with a preview of the first rows. Produces a file: task spec.
#include <QDialog>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace adapterlab::ui {

class ColumnMappingDialog : public QDialog {
    Q_OBJECT
public:
    explicit ColumnMappingDialog(const QString& trainFile, QWidget* parent = nullptr);

    /// file:TRAIN[,dev=DEV],text=..[,text_pair=..],label=..  ("" while invalid)
    QString spec() const;
    QString error() const { return error_; }
    QTableWidget* preview() const { return preview_; }
    QComboBox *text, *pair, *label;
    QLineEdit* dev;

private:
    void recheck();

    QString train_;
    QString error_;
    QTableWidget* preview_;
    QLabel* status_;
    QPushButton* ok_;
};

} // namespace adapterlab::ui
