#pragma once
// Shared helpers for the tests: where the real data lives, and skipping when it is absent.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QStandardPaths>
#include <QString>
#include <QTest>

#include "util/error.h"

#include <functional>
#include <string>

namespace testutil {

/// Runs `f` and returns the message of the adapterlab::Error it throws ("" when none).
inline std::string errorOf(const std::function<void()>& f) {
    try {
        f();
    } catch (const adapterlab::Error& e) {
        return e.what();
    }
    return {};
}

/// ../shared/data (or $ADAPTERLAB_SHARED_DATA).
inline QString sharedData() {
    const QByteArray env = qgetenv("ADAPTERLAB_SHARED_DATA");
    return env.isEmpty() ? QString(ADAPTERLAB_SHARED_DATA) : QString::fromLocal8Bit(env);
}

inline std::string dataPath(const QString& rel) {
    return QDir(sharedData()).filePath(rel).toStdString();
}

inline bool haveData(const QString& rel) { return QFile::exists(QDir(sharedData()).filePath(rel)); }

/// A Python 3 that has PyTorch (Debian's python3-torch, at /usr/bin/python3 even where another
/// python3 comes first on PATH), or "" when there is none.
inline QString pythonWithTorch() {
    for (const QString& py :
         {QString("/usr/bin/python3"), QStandardPaths::findExecutable("python3")}) {
        if (py.isEmpty() || !QFileInfo::exists(py)) continue;
        QProcess p;
        p.start(py, {"-c", "import torch"});
        if (p.waitForFinished(60000) && p.exitCode() == 0) return py;
    }
    return {};
}

/// adapterlab-cli's exit code (-1: crashed, -2: still running after 30 min) and output.
struct Result {
    int code;
    QByteArray out, err;
};

inline Result runCli(const QStringList& args, const QByteArray& input = {}) {
    QProcess p;
    p.start(ADAPTERLAB_CLI, args);
    p.waitForStarted();
    p.write(input);
    p.closeWriteChannel();
    // Sanitizer builds are slow; a process that outlives the wait is a failure (-2), never the
    // exit code 0 QProcess reports for a process it is still waiting on.
    if (!p.waitForFinished(30 * 60 * 1000)) {
        p.kill();
        p.waitForFinished();
        return {-2, p.readAllStandardOutput(), p.readAllStandardError()};
    }
    return {p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1, p.readAllStandardOutput(),
            p.readAllStandardError()};
}

} // namespace testutil

/// Skips the test with a clear message when a shared data file is absent.
#define REQUIRE_SHARED_DATA(rel)                                                                   \
    do {                                                                                           \
        if (!testutil::haveData(rel))                                                              \
            QSKIP(qPrintable(QStringLiteral("shared data absent: ") + testutil::sharedData() +     \
                             "/" + (rel)));                                                        \
    } while (0)
