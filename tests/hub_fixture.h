#pragma once
// The local stand-in for the Hugging Face Hub (tests/hub_server.py on 127.0.0.1) that the Hub
// tests start: its manifest (repos, commits, refs, faults) and its request log.
#include <QCryptographicHash>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QList>
#include <QProcess>
#include <QStringList>
#include <QTest>

namespace testutil {

inline QByteArray readAll(const QString& path) {
    QFile f(path);
    f.open(QIODevice::ReadOnly);
    return f.readAll();
}

inline void writeAll(const QString& path, const QByteArray& bytes) {
    QDir().mkpath(QFileInfo(path).path());
    QFile f(path);
    if (!f.open(QIODevice::WriteOnly)) qFatal("cannot write %s", qPrintable(path));
    f.write(bytes);
}

inline QString sha256(const QString& path) {
    return QCryptographicHash::hash(readAll(path), QCryptographicHash::Sha256).toHex();
}

// The Hub server, its manifest and its request log.
class HubServer {
public:
    explicit HubServer(const QString& dir) : dir_(dir) {}
    ~HubServer() { stop(); }

    QJsonObject manifest{{"token", "hf_test_secret"}, {"repos", QJsonObject{}}};

    void save() { writeAll(dir_ + "/manifest.json", QJsonDocument(manifest).toJson()); }

    // Starts it and returns its endpoint.
    QString start() {
        save();
        proc_.setProcessChannelMode(QProcess::ForwardedErrorChannel);
        proc_.start("python3",
                    {QFINDTESTDATA("hub_server.py"), dir_ + "/manifest.json", dir_ + "/log.jsonl"});
        if (!proc_.waitForStarted(10000) || !proc_.waitForReadyRead(10000)) return {};
        const QByteArray line = proc_.readLine().trimmed();
        if (!line.startsWith("PORT ")) return {};
        return "http://127.0.0.1:" + QString::fromLatin1(line.mid(5));
    }
    void stop() {
        if (proc_.state() == QProcess::NotRunning) return;
        proc_.kill();
        proc_.waitForFinished(5000);
    }

    // Requests since the last call.
    QList<QJsonObject> takeLog() {
        QList<QJsonObject> out;
        if (!QFile::exists(dir_ + "/log.jsonl")) return out;
        for (const auto& line : readAll(dir_ + "/log.jsonl").split('\n'))
            if (!line.isEmpty()) out << QJsonDocument::fromJson(line).object();
        QFile::remove(dir_ + "/log.jsonl");
        return out;
    }

    // Adds (or replaces) a commit of a repo: its files from `folder` (weights as LFS files).
    void addCommit(const QString& repo, const QString& commit, const QString& folder,
                   const QStringList& refs = {"main"}) {
        auto repos = manifest["repos"].toObject();
        auto r = repos[repo].toObject();
        auto commits = r["commits"].toObject();
        QJsonObject files;
        for (const auto& name : QDir(folder).entryList(QDir::Files)) {
            const bool lfs = name.endsWith(".safetensors") || name.endsWith(".bin");
            files[name] = QJsonObject{{"path", QDir(folder).filePath(name)}, {"lfs", lfs}};
        }
        commits[commit] = files;
        r["commits"] = commits;
        auto refsObj = r["refs"].toObject();
        for (const auto& ref : refs)
            refsObj[ref] = commit;
        r["refs"] = refsObj;
        repos[repo] = r;
        manifest["repos"] = repos;
        save();
    }
    void setFlag(const QString& repo, const QString& flag) {
        auto repos = manifest["repos"].toObject();
        auto r = repos[repo].toObject();
        r[flag] = true;
        repos[repo] = r;
        manifest["repos"] = repos;
        save();
    }
    void fault(const QString& kind, const QString& sha) {
        auto list = manifest[kind].toArray();
        list.append(sha);
        manifest[kind] = list;
        save();
    }

private:
    QString dir_;
    QProcess proc_;
};

} // namespace testutil
