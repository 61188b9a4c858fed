#include "runs_model.h"

#include "experiments/results.h"

#include <QBrush>
#include <QColor>
#include <QLocale>

#include <limits>

namespace adapterlab::ui {

RunsModel::RunsModel(QObject* parent) : QAbstractTableModel(parent) {}

void RunsModel::reload(std::vector<store::RunRecord> runs) {
    beginResetModel();
    runs_ = std::move(runs);
    endResetModel();
}

int RunsModel::rowOfRun(int64_t id) const {
    for (size_t i = 0; i < runs_.size(); ++i)
        if (runs_[i].id == id) return static_cast<int>(i);
    return -1;
}

int RunsModel::rowCount(const QModelIndex& parent) const {
    return parent.isValid() ? 0 : static_cast<int>(runs_.size());
}

int RunsModel::columnCount(const QModelIndex& parent) const { return parent.isValid() ? 0 : ColumnCount; }

QVariant RunsModel::data(const QModelIndex& index, int role) const {
    if (!index.isValid()) return {};
    using store::RunStatus;
    const auto& r = runs_.at(static_cast<size_t>(index.row()));
    const train::RunConfig& c = r.config;
    const bool sortRole = role == Qt::UserRole; // raw values for sorting
    if (role == Qt::ForegroundRole && index.column() == Status) {
        if (r.status == RunStatus::Failed) return QBrush(QColor(180, 30, 30));
        if (r.status == RunStatus::Interrupted || r.status == RunStatus::Cancelled)
            return QBrush(QColor(150, 100, 0));
        return {};
    }
    if (role == Qt::ToolTipRole && index.column() == Status && !r.error.empty()) return QString::fromStdString(r.error);
    if (role != Qt::DisplayRole && !sortRole) return {};
    switch (index.column()) {
    case Id: return qlonglong(r.id);
    case Task:
        return QString::fromStdString(experiments::taskDisplayName(c.task));
    case Method:
        return QString::fromStdString(r.methodId());
    case Size: {
        // The method's knob: adapters show m as a number (the paper's), others "k=3".
        const int64_t v = train::knobValue(c);
        if (sortRole) return qlonglong(v);
        if (!train::methodInfo(c.method.method).knob) return QString();
        if (train::methodInfo(c.method.method).usesAdapters) return qlonglong(v);
        return QString::fromStdString(train::knobText(c));
    }
    case InitStd:
        return sortRole ? QVariant(c.adapter.initStd)
                        : QVariant(QString::number(c.adapter.initStd, 'g', 3));
    case LearningRate:
        return sortRole ? QVariant(c.learningRate)
                        : QVariant(QString::number(c.learningRate, 'g', 3));
    case Epochs:
        return qlonglong(c.epochs);
    case Seed:
        return qlonglong(c.seed);
    case TrainSize: {
        // 0: the whole training split, sorted above every sample.
        const int64_t n = c.trainSize;
        if (sortRole) return qlonglong(n > 0 ? n : std::numeric_limits<int64_t>::max());
        return n > 0 ? QLocale().toString(qlonglong(n)) : tr("all");
    }
    case Trainable: return sortRole ? QVariant(qlonglong(r.paramsTrainable)) : QVariant(QLocale().toString(qlonglong(r.paramsTrainable)));
    case Best:
        if (r.status != RunStatus::Finished) return sortRole ? QVariant(-1.0) : QVariant(QString());
        return sortRole ? QVariant(r.bestScore)
                        : QVariant(QString("%1 %2").arg(QString::fromStdString(r.mainMetric)).arg(r.bestScore, 0, 'f', 4));
    case Status:
        return QString::fromLatin1(store::toString(r.status));
    case Duration:
        return sortRole ? QVariant(r.durationSeconds)
                        : QVariant(r.durationSeconds > 0 ? QString("%1 s").arg(r.durationSeconds, 0, 'f', 1) : QString());
    case Tags: return QString::fromStdString(r.tags.empty() ? r.notes : r.tags + (r.notes.empty() ? "" : " · " + r.notes));
    default: return {};
    }
}

QVariant RunsModel::headerData(int section, Qt::Orientation o, int role) const {
    if (o != Qt::Horizontal || role != Qt::DisplayRole) return {};
    static const char* names[] = {
        "Id",       "Task",        "Method",         "m / k",     "σ",        "Learning rate",
        "Epochs",   "Seed",        "Train examples", "Trainable", "Best dev", "Status",
        "Duration", "Tags / notes"};
    return tr(names[section]);
}

} // namespace adapterlab::ui
