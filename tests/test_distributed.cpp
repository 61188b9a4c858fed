// Data-parallel training over real c10d processes (Gloo on loopback): N ranks at one global
// batch train what one process trains, a dead rank fails the run on the others, and the
// torchrun/srun environment is read as those launchers write it.
#include "test_util.h"
#include "train_fixture.h"

#include <QProcess>
#include <QProcessEnvironment>
#include <QThread>

#include "store/store.h"
#include "train/distributed.h"

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fstream>

namespace {

using namespace adapterlab;

using testutil::runCli;

int freePort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    close(fd);
    return ntohs(a.sin_port);
}

// The fixture's backbone without dropout: then N ranks and one process compute the same
// function of the same batch, and their losses agree to rounding.
struct DropoutFree : testutil::Fixture {
    DropoutFree() {
        const std::string file = path("bb/config.json");
        nlohmann::json c = nlohmann::json::parse(std::ifstream(file));
        c["hidden_dropout_prob"] = 0.0;
        c["attention_probs_dropout_prob"] = 0.0;
        std::ofstream(file) << c.dump();
    }
    QStringList trainArgs(const std::string& db, const QString& method, int epochs) const {
        QStringList args{"train", "--db", QString::fromStdString(db), "--task",
                         QString::fromStdString(taskSpec), "--backbone",
                         QString::fromStdString(backbone), "--method", method, "--lr", "3e-3",
                         "--epochs", QString::number(epochs),
                         // 256 examples: 18 batches, the last of one, which leaves rank 1 none
                         "--batch-size", "15", "--max-length", "32", "--threads", "1", "--json"};
        if (method == "adapters")
            args << "--adapter-size"
                 << "8";
        return args;
    }
};

} // namespace

class TestDistributed : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() {
        if (!train::distributedAvailable()) QSKIP("this build has no c10d Gloo (libgloo-dev)");
    }

    void twoProcessesTrainWhatOneDoes_data() {
        QTest::addColumn<QString>("method");
        QTest::newRow("adapters") << "adapters";
        QTest::newRow("full") << "full";
    }
    void twoProcessesTrainWhatOneDoes() {
        QFETCH(QString, method);
        DropoutFree f;
        const std::string one = f.path("one.db"), two = f.path("two.db");
        const auto a = runCli(f.trainArgs(one, method, 2));
        QVERIFY2(a.code == 0, a.err.constData());
        const auto b = runCli(f.trainArgs(two, method, 2) << "--nproc"
                                                          << "2");
        QVERIFY2(b.code == 0, b.err.constData());
        store::Store s1(one, true), s2(two, true);
        const auto r1 = s1.run(1), r2 = s2.run(1);
        QCOMPARE(r1.worldSize, int64_t(1));
        QCOMPARE(r2.worldSize, int64_t(2));
        QCOMPARE(s2.runs().size(), size_t(1)); // rank 1 wrote nothing
        const auto l1 = s1.steps(1), l2 = s2.steps(1);
        QCOMPARE(l1.size(), size_t(36));
        QCOMPARE(l2.size(), l1.size());
        double worst = 0;
        for (size_t i = 0; i < l1.size(); ++i)
            worst = std::max(worst, std::abs(l1[i].loss - l2[i].loss));
        qInfo("largest loss difference over %zu steps: %.3g", l1.size(), worst);
        QVERIFY2(worst < 1e-5, qPrintable(QString::number(worst)));
        // The curve is not flat, so agreement is not two constant curves.
        double lo = l1[0].loss, hi = lo;
        for (const auto& r : l1)
            lo = std::min(lo, r.loss), hi = std::max(hi, r.loss);
        qInfo("loss range %.4f .. %.4f", lo, hi);
        QVERIFY(hi - lo > 1e-2);
        QCOMPARE(r2.bestEpoch, r1.bestEpoch);
        QVERIFY(std::abs(r2.bestScore - r1.bestScore) < 1e-9);
        QVERIFY(r1.bestMetrics == r2.bestMetrics);
        QCOMPARE(r2.paramsTrainable, r1.paramsTrainable);
        QVERIFY(r2.provenance.contains("host"));
    }

    // Ctrl-C (SIGINT to the launcher) after epoch 1 cancels every rank; --resume with two
    // processes then ends where an unbroken single process ends.
    void resumeWithTwoProcesses() {
        DropoutFree f;
        const std::string db = f.path("resume.db"), ref = f.path("ref.db");
        QProcess launcher;
        launcher.start(ADAPTERLAB_CLI, f.trainArgs(db, "adapters", 20) << "--nproc"
                                                                       << "2");
        bool evaluated = false;
        for (int i = 0; i < 60000 && !evaluated && launcher.state() != QProcess::NotRunning; ++i) {
            QThread::msleep(10);
            try {
                if (QFile::exists(QString::fromStdString(db))) {
                    store::Store s(db, true);
                    evaluated = !s.runs().empty() && !s.evals(1).empty();
                }
            } catch (const std::exception&) {
            }
        }
        QVERIFY2(evaluated, launcher.readAllStandardError().constData());
        kill(static_cast<pid_t>(launcher.processId()), SIGINT);
        QVERIFY(launcher.waitForFinished(120000));
        {
            store::Store s(db, true);
            QVERIFY2(s.run(1).status == store::RunStatus::Cancelled,
                     launcher.readAllStandardError().constData());
            QVERIFY(s.steps(1).size() < size_t(20 * 18));
        }
        const auto resumed = runCli({"train", "--db", QString::fromStdString(db), "--resume", "1",
                                     "--nproc", "2", "--threads", "1"});
        QVERIFY2(resumed.code == 0, resumed.err.constData());
        QVERIFY2(resumed.err.contains("resumed run 1 after epoch"), resumed.err.constData());
        const auto unbroken = runCli(f.trainArgs(ref, "adapters", 20));
        QVERIFY2(unbroken.code == 0, unbroken.err.constData());
        store::Store s(db, true), r(ref, true);
        const auto a = s.steps(1), b = r.steps(1);
        QCOMPARE(a.size(), size_t(20 * 18));
        QCOMPARE(b.size(), a.size());
        double worst = 0;
        for (size_t i = 0; i < a.size(); ++i)
            worst = std::max(worst, std::abs(a[i].loss - b[i].loss));
        qInfo("resumed 2-process run vs unbroken single process: largest loss difference %.3g",
              worst);
        QVERIFY(worst < 1e-5);
        QVERIFY(s.run(1).status == store::RunStatus::Finished);
        QCOMPARE(s.run(1).bestEpoch, r.run(1).bestEpoch);
    }

    void rankZeroFailureReachesTheOthers() {
        DropoutFree f;
        QStringList args = f.trainArgs(f.path("bad.db"), "adapters", 1);
        args[args.indexOf("--task") + 1] = "file:" + QString::fromStdString(f.path("missing.tsv"));
        const auto r = runCli(args << "--nproc"
                                   << "2"
                                   << "--dist-timeout"
                                   << "30");
        QVERIFY(r.code != 0);
        QVERIFY2(r.err.contains("rank 0 could not start the run"), r.err.constData());
        QVERIFY2(r.err.contains("missing.tsv"), r.err.constData());
        store::Store s(f.path("bad.db"), true);
        QCOMPARE(s.runs().size(), size_t(1));
        QVERIFY(s.run(1).status == store::RunStatus::Failed);
    }

    // Launched as torchrun does (our own processes, their environment), one rank killed.
    void deadRankFailsTheRun() {
        DropoutFree f;
        const std::string db = f.path("dead.db");
        const QString port = QString::number(freePort());
        QProcess ranks[2];
        for (int r = 0; r < 2; ++r) {
            QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
            env.insert("RANK", QString::number(r));
            env.insert("LOCAL_RANK", QString::number(r));
            env.insert("WORLD_SIZE", "2");
            env.insert("MASTER_ADDR", "127.0.0.1");
            env.insert("MASTER_PORT", port);
            ranks[r].setProcessEnvironment(env);
            ranks[r].start(ADAPTERLAB_CLI, f.trainArgs(db, "adapters", 500) << "--dist-timeout"
                                                                            << "10");
        }
        // Kill rank 1 once rank 0 has recorded steps (the run is under way).
        bool training = false;
        for (int i = 0; i < 6000 && !training && ranks[0].state() != QProcess::NotRunning; ++i) {
            QThread::msleep(100);
            if (!QFile::exists(QString::fromStdString(db))) continue;
            try {
                store::Store s(db, true);
                training = !s.runs().empty() && !s.steps(1).empty();
            } catch (const std::exception&) {
            }
        }
        QVERIFY2(training, ranks[0].readAllStandardError().constData());
        ranks[1].kill();
        ranks[1].waitForFinished();
        QVERIFY(ranks[0].waitForFinished(120000));
        QVERIFY(ranks[0].exitCode() != 0);
        const QByteArray err = ranks[0].readAllStandardError();
        QVERIFY2(err.contains("rank 0 of 2") && err.contains("another process stopped"),
                 err.constData());
        store::Store s(db, true);
        const auto run = s.run(1);
        QVERIFY(run.status == store::RunStatus::Failed);
        QVERIFY2(run.error.find("another process stopped") != std::string::npos, run.error.c_str());
    }

    void environmentAsLaunchersWriteIt() {
        const auto clear = [] {
            for (const char* v : {"RANK", "WORLD_SIZE", "LOCAL_RANK", "MASTER_ADDR", "MASTER_PORT",
                                  "SLURM_NTASKS", "SLURM_PROCID", "SLURM_LOCALID"})
                qunsetenv(v);
        };
        clear();
        QVERIFY(!train::DistributedEnv::fromEnvironment());
        qputenv("WORLD_SIZE", "1");
        QVERIFY(!train::DistributedEnv::fromEnvironment()); // one process: not distributed
        qputenv("WORLD_SIZE", "4");
        qputenv("RANK", "2");
        qputenv("LOCAL_RANK", "0");
        qputenv("MASTER_ADDR", "node7");
        qputenv("MASTER_PORT", "29400");
        auto e = train::DistributedEnv::fromEnvironment();
        QVERIFY(e);
        QCOMPARE(e->rank, 2);
        QCOMPARE(e->worldSize, 4);
        QCOMPARE(e->localRank, 0);
        QCOMPARE(e->masterAddr, std::string("node7"));
        QCOMPARE(e->masterPort, 29400);
        qputenv("RANK", "4");
        QVERIFY(testutil::errorOf([] {
                    train::DistributedEnv::fromEnvironment();
                }).find("RANK='4'") != std::string::npos);
        qputenv("RANK", "x");
        QVERIFY(testutil::errorOf([] {
                    train::DistributedEnv::fromEnvironment();
                }).find("RANK='x'") != std::string::npos);
        clear();
        qputenv("SLURM_NTASKS", "2"); // srun without torchrun
        qputenv("SLURM_PROCID", "1");
        QVERIFY(testutil::errorOf([] {
                    train::DistributedEnv::fromEnvironment();
                }).find("MASTER_ADDR") != std::string::npos);
        qputenv("MASTER_ADDR", "node1");
        e = train::DistributedEnv::fromEnvironment();
        QVERIFY(e);
        QCOMPARE(e->rank, 1);
        QCOMPARE(e->worldSize, 2);
        QCOMPARE(e->masterPort, 29500);
        clear();
    }
};

QTEST_GUILESS_MAIN(TestDistributed)
#include "test_distributed.moc"
