// The c10d Gloo process group that Debian's LibTorch exports (its header needs libgloo-dev's).
#include "train/distributed.h"

#include "util/error.h"

#include <ATen/Functions.h>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>

#include <cstdlib>
#include <map>

namespace adapterlab::train {

struct ProcessGroup::Impl {
    DistributedEnv env;
    std::chrono::milliseconds timeout;
    c10::intrusive_ptr<c10d::TCPStore> store;
    c10::intrusive_ptr<c10d::ProcessGroupGloo> group;

    // Runs a collective; a peer that died or hangs surfaces here as Gloo's error or timeout.
    template <typename F> void guarded(const char* what, F&& f) {
        try {
            f();
        } catch (const std::exception& e) {
            throw Error("distributed training, rank " + std::to_string(env.rank) + " of " +
                        std::to_string(env.worldSize) + ": " + what +
                        " failed: another process stopped or did not answer within " +
                        std::to_string(timeout.count() / 1000) + " s (" + firstLine(e.what()) +
                        ")");
        }
    }
};

bool distributedAvailable() {
    return true;
}

ProcessGroup::ProcessGroup(const DistributedEnv& env, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
    impl_->env = env;
    impl_->timeout = timeout;
    impl_->guarded("the rendezvous", [&] {
        c10d::TCPStoreOptions o;
        o.port = static_cast<uint16_t>(env.masterPort);
        o.isServer = env.rank == 0;
        o.numWorkers = static_cast<size_t>(env.worldSize);
        o.waitWorkers = true;
        o.timeout = timeout;
        impl_->store = c10::make_intrusive<c10d::TCPStore>(env.masterAddr, o);
        auto opts = c10d::ProcessGroupGloo::Options::create(timeout);
        // Loopback for one machine; GLOO_SOCKET_IFNAME (Gloo's convention) or the host's
        // address across nodes.
        if (const char* ifname = std::getenv("GLOO_SOCKET_IFNAME"))
            opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForInterface(ifname));
        else if (env.masterAddr == "localhost" || env.masterAddr.rfind("127.", 0) == 0)
            opts->devices.push_back(c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1"));
        else
            opts->devices.push_back(c10d::ProcessGroupGloo::createDefaultDevice());
        impl_->group = c10::make_intrusive<c10d::ProcessGroupGloo>(impl_->store, env.rank,
                                                                   env.worldSize, opts);
    });
}

ProcessGroup::~ProcessGroup() = default;

int ProcessGroup::rank() const {
    return impl_->env.rank;
}
int ProcessGroup::worldSize() const {
    return impl_->env.worldSize;
}

void ProcessGroup::allreduceSum(const std::vector<at::Tensor>& tensors, int64_t bucketBytes) {
    // Buckets of one dtype and device, in the given order (every rank passes the same list).
    struct Bucket {
        std::vector<at::Tensor> members;
        int64_t bytes = 0;
        at::Tensor flat; // [sum of numel]
    };
    std::vector<Bucket> buckets;
    std::map<std::pair<int, std::string>, size_t> open; // (dtype, device) -> its last bucket
    for (const auto& t : tensors) {
        const auto key = std::make_pair(static_cast<int>(t.scalar_type()), t.device().str());
        const int64_t bytes = t.numel() * static_cast<int64_t>(t.element_size());
        auto it = open.find(key);
        if (it == open.end() || buckets[it->second].bytes + bytes > bucketBytes) {
            buckets.emplace_back();
            open[key] = buckets.size() - 1;
            it = open.find(key);
        }
        buckets[it->second].members.push_back(t);
        buckets[it->second].bytes += bytes;
    }
    std::vector<c10::intrusive_ptr<c10d::Work>> pending;
    impl_->guarded("an all-reduce", [&] {
        for (auto& b : buckets) {
            std::vector<at::Tensor> flat;
            for (const auto& m : b.members)
                flat.push_back(m.reshape({-1}));
            b.flat = at::cat(flat);
            std::vector<at::Tensor> one{b.flat};
            pending.push_back(impl_->group->allreduce(one));
            bytesReduced_ += b.bytes;
        }
        for (auto& w : pending)
            w->wait(impl_->timeout);
    });
    for (auto& b : buckets) {
        int64_t at = 0;
        for (auto& m : b.members) {
            m.copy_(b.flat.narrow(0, at, m.numel()).view(m.sizes()));
            at += m.numel();
        }
    }
}

void ProcessGroup::broadcast(const std::vector<at::Tensor>& tensors, int root) {
    impl_->guarded("a broadcast", [&] {
        for (const auto& t : tensors) {
            std::vector<at::Tensor> one{t.is_contiguous() ? t : t.contiguous()};
            c10d::BroadcastOptions o;
            o.rootRank = root;
            impl_->group->broadcast(one, o)->wait(impl_->timeout);
            if (!t.is_contiguous()) const_cast<at::Tensor&>(t).copy_(one[0]);
        }
    });
}

void ProcessGroup::barrier() {
    impl_->guarded("a barrier", [&] { impl_->group->barrier()->wait(impl_->timeout); });
}

void ProcessGroup::publish(const std::string& key, const std::string& value) {
    impl_->guarded("publishing to the rendezvous store", [&] {
        impl_->store->set(key, std::vector<uint8_t>(value.begin(), value.end()));
    });
}

std::string ProcessGroup::lookup(const std::string& key) {
    std::string out;
    impl_->guarded("reading the rendezvous store", [&] {
        const auto v = impl_->store->get(key); // waits up to the store's timeout
        out.assign(v.begin(), v.end());
    });
    return out;
}

} // namespace adapterlab::train
