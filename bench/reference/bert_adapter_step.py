#!/usr/bin/env python3
"""Plain-PyTorch reference for AdapterLab's training step (issue 7).

The same BERT + Houlsby adapters, parameter names as in AdapterLab (Hugging Face names without
"bert."), the same optimizer recipe (AdamW, decay 0.01 except LayerNorm and biases, eps 1e-6,
clipping at 1.0). Two modes:
  --check WEIGHTS BATCH : load all parameters from a safetensors file written by the C++ engine,
                          run one forward in eval mode on the batch, print logits and loss as JSON.
  --time                : time training steps on a synthetic batch, print one JSON line.
--sdpa computes attention with F.scaled_dot_product_attention (PyTorch >= 2.0), as current
Hugging Face BERT does by default, instead of the explicit softmax(QKᵀ/√d + mask)·V.
Uses only torch and the standard library (the safetensors file is parsed by hand).
"""
import argparse
import json
import math
import struct
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


class Adapter(nn.Module):
    def __init__(self, d, m):
        super().__init__()
        self.down = nn.Linear(d, m)
        self.up = nn.Linear(m, d)

    def forward(self, h):  # [B, T, d] -> [B, T, d]
        return h + self.up(F.gelu(self.down(h)))


SDPA = False  # set by --sdpa


class Layer(nn.Module):
    def __init__(self, d, heads, ffn, m, eps):
        super().__init__()
        self.heads = heads
        self.attention = nn.Module()
        self.attention.self = nn.Module()
        self.attention.self.query = nn.Linear(d, d)
        self.attention.self.key = nn.Linear(d, d)
        self.attention.self.value = nn.Linear(d, d)
        self.attention.output = nn.Module()
        self.attention.output.dense = nn.Linear(d, d)
        self.attention.output.LayerNorm = nn.LayerNorm(d, eps=eps)
        self.intermediate = nn.Module()
        self.intermediate.dense = nn.Linear(d, ffn)
        self.output = nn.Module()
        self.output.dense = nn.Linear(ffn, d)
        self.output.LayerNorm = nn.LayerNorm(d, eps=eps)
        if m:
            self.attention.output.adapter = Adapter(d, m)
            self.output.adapter = Adapter(d, m)
        self.m = m

    def forward(self, x, bias):  # x [B, T, d], bias [B, 1, 1, T]
        B, T, d = x.shape
        a, s = self.attention, self.attention.self
        split = lambda t: t.view(B, T, self.heads, d // self.heads).transpose(1, 2)
        q, k, v = split(s.query(x)), split(s.key(x)), split(s.value(x))
        if SDPA:  # [B, h, T, d/h]; the additive mask broadcasts over heads and queries
            ctx = F.scaled_dot_product_attention(q, k, v, attn_mask=bias, dropout_p=0.1 if self.training else 0.0)
        else:
            scores = q @ k.transpose(-1, -2) / math.sqrt(d // self.heads) + bias
            ctx = F.dropout(torch.softmax(scores, -1), 0.1, self.training) @ v
        ctx = ctx.transpose(1, 2).reshape(B, T, d)
        h = F.dropout(a.output.dense(ctx), 0.1, self.training)
        if self.m:
            h = a.output.adapter(h)
        x = a.output.LayerNorm(h + x)
        f = F.dropout(self.output.dense(F.gelu(self.intermediate.dense(x))), 0.1, self.training)
        if self.m:
            f = self.output.adapter(f)
        return self.output.LayerNorm(f + x)


class Bert(nn.Module):
    def __init__(self, c, m, labels):
        super().__init__()
        d = c["hidden_size"]
        self.embeddings = nn.Module()
        self.embeddings.word_embeddings = nn.Embedding(c["vocab_size"], d)
        self.embeddings.position_embeddings = nn.Embedding(c["max_position_embeddings"], d)
        self.embeddings.token_type_embeddings = nn.Embedding(c["type_vocab_size"], d)
        self.embeddings.LayerNorm = nn.LayerNorm(d, eps=c["layer_norm_eps"])
        self.encoder = nn.Module()
        self.encoder.layer = nn.ModuleList(
            Layer(d, c["num_attention_heads"], c["intermediate_size"], m, c["layer_norm_eps"])
            for _ in range(c["num_hidden_layers"]))
        self.pooler = nn.Module()
        self.pooler.dense = nn.Linear(d, d)
        self.classifier = nn.Linear(d, labels)

    def forward(self, ids, types, mask):  # [B, T] each -> logits [B, labels]
        e = self.embeddings
        pos = torch.arange(ids.shape[1]).unsqueeze(0)
        h = F.dropout(e.LayerNorm(e.word_embeddings(ids) + e.position_embeddings(pos) + e.token_type_embeddings(types)),
                      0.1, self.training)
        bias = ((1.0 - mask.float()) * torch.finfo(torch.float32).min)[:, None, None, :]
        for layer in self.encoder.layer:
            h = layer(h, bias)
        pooled = torch.tanh(self.pooler.dense(h[:, 0]))
        return self.classifier(F.dropout(pooled, 0.1, self.training))


def trainable(name, method):
    if name.startswith("classifier."):
        return True
    if method == "full":
        return True
    return ".adapter." in name or "LayerNorm." in name  # adapters: adapters + LayerNorms + head


def read_safetensors(path):
    with open(path, "rb") as f:
        data = f.read()
    n = struct.unpack("<Q", data[:8])[0]
    header = json.loads(data[8:8 + n])
    out = {}
    for name, t in header.items():
        if name == "__metadata__":
            continue
        b, e = t["data_offsets"]
        out[name] = torch.frombuffer(bytearray(data[8 + n + b:8 + n + e]), dtype=torch.float32).view(t["shape"])
    return out


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--config", required=True, help="JSON with the Hugging Face config fields")
    p.add_argument("--method", default="adapter")
    p.add_argument("--adapter-size", type=int, default=64)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--steps", type=int, default=5)
    p.add_argument("--check", nargs=2, metavar=("WEIGHTS", "BATCH"))
    p.add_argument("--sdpa", action="store_true", help="attention through F.scaled_dot_product_attention")
    a = p.parse_args()
    global SDPA
    SDPA = a.sdpa
    torch.set_num_threads(a.threads)
    cfg = json.loads(a.config)
    m = a.adapter_size if a.method == "adapter" else 0
    model = Bert(cfg, m, 2)
    if a.check:
        state = read_safetensors(a.check[0])
        missing = set(dict(model.named_parameters())) - set(state)
        if missing:
            sys.exit(f"missing tensors: {sorted(missing)[:5]}")
        model.load_state_dict(state, strict=True)
        batch = json.load(open(a.check[1]))
        ids, types, mask = (torch.tensor(batch[k]) for k in ("ids", "types", "mask"))
        model.eval()
        with torch.no_grad():
            logits = model(ids, types, mask)
        loss = F.cross_entropy(logits, torch.tensor(batch["labels"]))
        print(json.dumps({"logits": logits.tolist(), "loss": loss.item()}))
        return
    names = dict(model.named_parameters())
    for n, t in names.items():
        t.requires_grad_(trainable(n, a.method))
    decay = [t for n, t in names.items() if t.requires_grad and not ("LayerNorm." in n or n.endswith(".bias"))]
    plain = [t for n, t in names.items() if t.requires_grad and ("LayerNorm." in n or n.endswith(".bias"))]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.01}, {"params": plain, "weight_decay": 0.0}],
                            lr=1e-4, betas=(0.9, 0.999), eps=1e-6)
    B, T = 32, 128
    # The same synthetic batch as adapterlab-bench: ids (i*131 + t*17) % 30000 + 100.
    ids = torch.tensor([[(i * 131 + t * 17) % 30000 + 100 for t in range(T)] for i in range(B)])
    types, mask, labels = torch.zeros_like(ids), torch.ones_like(ids), torch.arange(B) % 2
    model.train()
    params = [t for t in names.values() if t.requires_grad]

    def step():
        loss = F.cross_entropy(model(ids, types, mask), labels)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()

    step()  # warm-up, not timed (as the C++ side's first step allocates too)
    t0 = time.perf_counter()
    for _ in range(a.steps):
        step()
    ms = (time.perf_counter() - t0) / a.steps * 1e3
    print(json.dumps({"method": a.method, "ms_per_step": ms, "examples_per_s": B / (ms / 1e3),
                      "torch": torch.__version__, "sdpa": a.sdpa}))


if __name__ == "__main__":
    main()
