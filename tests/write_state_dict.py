#!/usr/bin/env python3
"""Writes a state dict with PyTorch's own torch.save, for test_checkpoint:

    write_state_dict.py OUT.bin OUT.ref

The dict is an OrderedDict with _metadata (as nn.Module.state_dict() returns it) holding a
transposed view, a row at an offset into the same storage, fp16 and bf16 tensors, an
nn.Parameter and a float64 scalar. OUT.ref: per tensor, its name, shape and float32 values.
"""
import collections, struct, sys, torch
torch.manual_seed(0)
base = torch.randn(4, 6)
sd = collections.OrderedDict()
sd["a.weight"] = base
sd["a.t"] = base.t()                       # a view: strides (1, 6)
sd["a.row"] = base[2]                      # offset into the shared storage
sd["h.half"] = torch.randn(3, 5).half()
sd["h.bf16"] = torch.randn(7).bfloat16()
sd["p.param"] = torch.nn.Parameter(torch.randn(2, 2))
sd["s.scalar"] = torch.tensor(1.5, dtype=torch.float64)
sd._metadata = collections.OrderedDict([("", {"version": 1})])
torch.save(sd, sys.argv[1])
with open(sys.argv[2], "wb") as f:          # reference: name, shape, float32 values
    for k, v in sd.items():
        v = v.detach().float().contiguous()
        f.write(struct.pack("<I", len(k)) + k.encode() + struct.pack("<I", v.dim()))
        f.write(struct.pack("<%dq" % v.dim(), *v.shape) + v.numpy().tobytes())
