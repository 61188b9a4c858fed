#include "column_mapping_dialog.h"

#include "data/table_reader.h"
#include "data/task_loader.h"

#include <QComboBox>
#include <QDialogButtonBox>
#include <QFileDialog>
#include <QFormLayout>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

namespace adapterlab::ui {
namespace {
constexpr int kPreviewRows = 20;
const char* kNone = "(none)";
} // namespace

ColumnMappingDialog::ColumnMappingDialog(const QString& trainFile, QWidget* parent) : QDialog(parent), train_(trainFile) {
    setWindowTitle(tr("Columns of %1").arg(QFileInfo(trainFile).fileName()));
    text = new QComboBox;
    pair = new QComboBox;
    label = new QComboBox;
    dev = new QLineEdit;
    dev->setPlaceholderText(tr("optional: without one, a seeded stratified 10% of train is held out"));
    preview_ = new QTableWidget;
    preview_->setObjectName("preview");
    status_ = new QLabel;
    status_->setWordWrap(true);
    auto* browse = new QPushButton(tr("File…"));
    auto* devRow = new QHBoxLayout;
    devRow->addWidget(dev, 1);
    devRow->addWidget(browse);
    auto* form = new QFormLayout;
    form->addRow(tr("Text column"), text);
    form->addRow(tr("Second text (pairs)"), pair);
    form->addRow(tr("Label column"), label);
    form->addRow(tr("Dev file"), devRow);
    auto* buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel);
    ok_ = buttons->button(QDialogButtonBox::Ok);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(preview_, 1);
    layout->addLayout(form);
    layout->addWidget(status_);
    layout->addWidget(buttons);
    connect(buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(browse, &QPushButton::clicked, this, [this] {
        const QString f = QFileDialog::getOpenFileName(this, tr("Dev file"), QFileInfo(train_).path());
        if (!f.isEmpty()) dev->setText(f);
    });

    try {
        const auto path = trainFile.toStdString();
        const auto table = data::readTable(path, data::formatFromPath(path));
        QStringList cols;
        for (const auto& h : table.header) cols << QString::fromStdString(h);
        preview_->setColumnCount(cols.size());
        preview_->setHorizontalHeaderLabels(cols);
        const int n = std::min<int>(kPreviewRows, static_cast<int>(table.rows.size()));
        preview_->setRowCount(n);
        for (int r = 0; r < n; ++r)
            for (int c = 0; c < cols.size() && c < static_cast<int>(table.rows[static_cast<size_t>(r)].fields.size()); ++c)
                preview_->setItem(r, c, new QTableWidgetItem(QString::fromStdString(table.rows[static_cast<size_t>(r)].fields[static_cast<size_t>(c)])));
        preview_->horizontalHeader()->setSectionResizeMode(QHeaderView::Interactive);
        text->addItems(cols);
        pair->addItem(kNone);
        pair->addItems(cols);
        label->addItems(cols);
        // Sensible first guesses from common names.
        for (const char* n : {"text", "sentence", "sentence1", "question", "review"})
            if (cols.contains(n)) { text->setCurrentText(n); break; }
        for (const char* n : {"text_pair", "sentence2"})
            if (cols.contains(n)) { pair->setCurrentText(n); break; }
        for (const char* n : {"label", "labels", "class", "gold_label"})
            if (cols.contains(n)) { label->setCurrentText(n); break; }
    } catch (const std::exception& e) {
        error_ = QString::fromUtf8(e.what());
    }
    for (auto* c : {text, pair, label}) connect(c, &QComboBox::currentTextChanged, this, &ColumnMappingDialog::recheck);
    connect(dev, &QLineEdit::textChanged, this, &ColumnMappingDialog::recheck);
    resize(760, 520);
    recheck();
}

QString ColumnMappingDialog::spec() const {
    if (!error_.isEmpty()) return {};
    QString s = "file:" + train_;
    if (!dev->text().trimmed().isEmpty()) s += ",dev=" + dev->text().trimmed();
    s += ",text=" + text->currentText();
    if (pair->currentText() != kNone) s += ",text_pair=" + pair->currentText();
    s += ",label=" + label->currentText();
    return s;
}

void ColumnMappingDialog::recheck() {
    QString problem = error_;
    if (problem.isEmpty() && text->currentText() == label->currentText()) problem = tr("The text and the label must be different columns.");
    if (problem.isEmpty()) {
        // Load the whole task once: labels from train, dev checked, bad rows named.
        try {
            const auto task = data::loadTask(spec().toStdString());
            status_->setText(tr("%1 training and %2 dev examples, %3 labels: %4%5")
                                 .arg(task.train.examples.size())
                                 .arg(task.dev.examples.size())
                                 .arg(task.labels.size())
                                 .arg(QString::fromStdString([&] {
                                     std::string l;
                                     for (size_t i = 0; i < task.labels.size() && i < 10; ++i) l += (i ? ", " : "") + task.labels[i];
                                     return l;
                                 }()))
                                 .arg(task.devNote.empty() ? QString() : tr("<br>dev: %1").arg(QString::fromStdString(task.devNote))));
            status_->setStyleSheet({});
        } catch (const std::exception& e) {
            problem = QString::fromUtf8(e.what());
        }
    }
    if (!problem.isEmpty()) {
        status_->setText(problem);
        status_->setStyleSheet("color: #c0392b;");
    }
    ok_->setEnabled(problem.isEmpty());
}

} // namespace adapterlab::ui
