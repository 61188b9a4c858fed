#include "launcher.h"

#include "util/error.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <thread>

namespace adapterlab::cli {
namespace {

std::vector<std::string> gCommandLine;

// A port the kernel says is free on 127.0.0.1 now (rank 0's rendezvous store binds it next).
int freeLoopbackPort() {
    const int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) throw Error(std::string("--nproc: no socket: ") + std::strerror(errno));
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    const bool ok = bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
                    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0;
    close(fd);
    if (!ok)
        throw Error(std::string("--nproc: no free port on 127.0.0.1: ") + std::strerror(errno));
    return ntohs(a.sin_port);
}

std::string describe(int rank, pid_t pid, int status) {
    const std::string who =
        "training process rank " + std::to_string(rank) + " (pid " + std::to_string(pid) + ")";
    if (WIFSIGNALED(status))
        return who + " was killed by signal " + std::to_string(WTERMSIG(status)) + " (" +
               strsignal(WTERMSIG(status)) + ")";
    return who + " exited with status " + std::to_string(WEXITSTATUS(status));
}

} // namespace

void setCommandLine(int argc, char** argv) {
    gCommandLine.assign(argv, argv + argc);
}
const std::vector<std::string>& commandLine() {
    return gCommandLine;
}

std::vector<std::string> withoutOption(const std::vector<std::string>& argv,
                                       const std::string& name) {
    std::vector<std::string> out;
    for (size_t i = 0; i < argv.size(); ++i) {
        if (argv[i] == name) {
            ++i; // and its value
            continue;
        }
        if (argv[i].rfind(name + "=", 0) == 0) continue;
        out.push_back(argv[i]);
    }
    return out;
}

LaunchResult launchRanks(int nproc, const std::vector<std::string>& args,
                         const std::atomic<bool>& cancel, std::chrono::milliseconds grace) {
    const std::string port = std::to_string(freeLoopbackPort());
    std::vector<char*> argv;
    for (const auto& a : args)
        argv.push_back(const_cast<char*>(a.c_str()));
    argv.push_back(nullptr);
    std::vector<pid_t> pids(static_cast<size_t>(nproc), -1);
    for (int r = 0; r < nproc; ++r) {
        const pid_t pid = fork();
        if (pid < 0)
            throw Error(std::string("--nproc: cannot start a process: ") + std::strerror(errno));
        if (pid == 0) {
            const std::string rank = std::to_string(r), world = std::to_string(nproc);
            setenv("RANK", rank.c_str(), 1);
            setenv("LOCAL_RANK", rank.c_str(), 1);
            setenv("WORLD_SIZE", world.c_str(), 1);
            setenv("LOCAL_WORLD_SIZE", world.c_str(), 1);
            setenv("MASTER_ADDR", "127.0.0.1", 1);
            setenv("MASTER_PORT", port.c_str(), 1);
            execv("/proc/self/exe", argv.data());
            _exit(127);
        }
        pids[static_cast<size_t>(r)] = pid;
    }
    LaunchResult result;
    size_t running = pids.size();
    bool forwarded = false;
    std::chrono::steady_clock::time_point killAt = std::chrono::steady_clock::time_point::max();
    while (running > 0) {
        if (cancel.load() && !forwarded) {
            for (pid_t p : pids)
                if (p > 0) kill(p, SIGINT);
            forwarded = true;
        }
        if (std::chrono::steady_clock::now() >= killAt) {
            for (pid_t p : pids)
                if (p > 0) kill(p, SIGKILL);
            killAt = std::chrono::steady_clock::time_point::max();
        }
        int status = 0;
        const pid_t done = waitpid(-1, &status, WNOHANG);
        if (done <= 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
            continue;
        }
        int rank = -1;
        for (size_t r = 0; r < pids.size(); ++r)
            if (pids[r] == done) {
                rank = static_cast<int>(r);
                pids[r] = -1;
            }
        if (rank < 0) continue;
        --running;
        const bool ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
        if (ok) continue;
        const int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
        if (result.failure.empty() || rank == 0) {
            result.exitCode = code;
            result.failure = describe(rank, done, status);
        }
        if (rank == 0 && WIFSIGNALED(status)) result.rank0Killed = true;
        if (killAt == std::chrono::steady_clock::time_point::max())
            killAt = std::chrono::steady_clock::now() + grace;
    }
    return result;
}

} // namespace adapterlab::cli
