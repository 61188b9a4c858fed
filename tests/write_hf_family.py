#!/usr/bin/env python3
"""Writes a tiny random encoder of one Hugging Face family, for test_families:

    write_hf_family.py FAMILY OUTDIR        FAMILY: roberta | xlm-roberta | electra | distilbert

OUTDIR gets config.json and pytorch_model.bin (torch.save of a state dict under the family's
*ForSequenceClassification names, 3 labels) and reference.json: inputs (ids, mask, token types),
the last hidden state and the logits computed in float64 by an independent re-implementation of
the family's forward pass as transformers' modeling_<family>.py defines it, the number of
parameters, and (not DistilBERT) the logits after a prefix of 3 cached keys and values per layer
with the positions numbered after it. Exact GELU (erf); eval mode (no dropout).
"""
import collections, json, math, os, sys
import torch
import torch.nn.functional as F

family, out = sys.argv[1], sys.argv[2]
torch.manual_seed({"roberta": 1, "xlm-roberta": 2, "electra": 3, "distilbert": 4}[family])
V, H, L, NH, FF, LABELS = 120, 32, 2, 4, 64, 3
E = 16 if family == "electra" else H        # ELECTRA: embedding_size != hidden_size
roberta = family in ("roberta", "xlm-roberta")
PAD = 1 if roberta else 0
P = 40 + (PAD + 1 if roberta else 0)         # RoBERTa's table starts after pad
EPS = 1e-5 if roberta else 1e-12
prefix = {"roberta": "roberta", "xlm-roberta": "roberta", "electra": "electra",
          "distilbert": "distilbert"}[family]
sd = collections.OrderedDict()


def param(name, *shape, scale=0.2):
    # rounded to float32 as stored, so the float64 reference uses the very same weights
    sd[name] = (torch.randn(*shape, dtype=torch.float64) * scale).float().double()
    return sd[name]


def linear(name, i, o):
    return param(name + ".weight", o, i), param(name + ".bias", o, scale=0.05)


def norm(name, d):
    w = (1.0 + param(name + ".weight", d, scale=0.1)).float().double()
    sd[name + ".weight"] = w
    return w, param(name + ".bias", d, scale=0.05)


# --- parameters, in the family's names -------------------------------------------------------
emb = prefix + ".embeddings."
word = param(emb + "word_embeddings.weight", V, E)
pos = param(emb + "position_embeddings.weight", P, E)
types = None if family == "distilbert" else param(emb + "token_type_embeddings.weight",
                                                  1 if roberta else 2, E)
emb_norm = norm(emb + "LayerNorm", E)
project = linear(prefix + ".embeddings_project", E, H) if E != H else None
layers = []
for i in range(L):
    if family == "distilbert":
        p = "%s.transformer.layer.%d." % (prefix, i)
        n = {"q": "attention.q_lin", "k": "attention.k_lin", "v": "attention.v_lin",
             "o": "attention.out_lin", "n1": "sa_layer_norm", "f1": "ffn.lin1",
             "f2": "ffn.lin2", "n2": "output_layer_norm"}
    else:
        p = "%s.encoder.layer.%d." % (prefix, i)
        n = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "o": "attention.output.dense", "n1": "attention.output.LayerNorm",
             "f1": "intermediate.dense", "f2": "output.dense", "n2": "output.LayerNorm"}
    layers.append({"q": linear(p + n["q"], H, H), "k": linear(p + n["k"], H, H),
                   "v": linear(p + n["v"], H, H), "o": linear(p + n["o"], H, H),
                   "n1": norm(p + n["n1"], H), "f1": linear(p + n["f1"], H, FF),
                   "f2": linear(p + n["f2"], FF, H), "n2": norm(p + n["n2"], H)})
if family == "distilbert":
    head = (linear("pre_classifier", H, H), linear("classifier", H, LABELS))
else:
    head = (linear("classifier.dense", H, H), linear("classifier.out_proj", H, LABELS))
count = sum(t.numel() for t in sd.values())

# --- inputs: three sequences, padding at the end of two -------------------------------------
T = 9
lengths = [9, 6, 4]
g = torch.Generator().manual_seed(7)
ids = torch.randint(4, V, (3, T), generator=g)
mask = torch.zeros(3, T, dtype=torch.long)
tt = torch.zeros(3, T, dtype=torch.long)
for b, n in enumerate(lengths):
    mask[b, :n] = 1
    ids[b, n:] = PAD
    if family in ("electra",):            # a pair: second segment has type 1
        tt[b, n // 2:n] = 1


# --- forward, written from modeling_<family>.py ----------------------------------------------
def lin(x, wb):
    return x @ wb[0].T + wb[1]


def layer_norm(x, wb, eps):
    mu = x.mean(-1, keepdim=True)
    var = ((x - mu) ** 2).mean(-1, keepdim=True)
    return (x - mu) / torch.sqrt(var + eps) * wb[0] + wb[1]


def forward(prefix=None):
    """Last hidden state and logits; prefix: [l, 2*L*H] keys and values (layer i: key chunk 2i,
    value 2i+1, as PEFT's get_prompt lays them out), with the positions after it as transformers
    numbers them after l cached keys."""
    l = 0 if prefix is None else prefix.shape[0]
    if roberta:   # create_position_ids_from_input_ids(ids, pad, past_key_values_length=l)
        keep = ids.ne(PAD).long()
        positions = (torch.cumsum(keep, 1) + l) * keep + PAD
    else:
        positions = torch.arange(l, l + T).unsqueeze(0).expand(3, T)
    x = word[ids] + pos[positions]
    if types is not None:
        x = x + types[tt]
    x = layer_norm(x, emb_norm, EPS)
    if project is not None:
        x = lin(x, project)
    full = torch.cat([torch.ones(3, l, dtype=torch.long), mask], 1)
    bias = (1.0 - full.double())[:, None, None, :] * torch.finfo(torch.float64).min
    kv = None if prefix is None else prefix.view(l, 2 * L, H)
    for i, lw in enumerate(layers):
        def heads(t):
            return t.view(3, t.shape[1], NH, dh).transpose(1, 2)
        k, v = lin(x, lw["k"]), lin(x, lw["v"])
        if kv is not None:
            k = torch.cat([kv[:, 2 * i].unsqueeze(0).expand(3, l, H), k], 1)
            v = torch.cat([kv[:, 2 * i + 1].unsqueeze(0).expand(3, l, H), v], 1)
        q, k, v = heads(lin(x, lw["q"])), heads(k), heads(v)
        scores = q @ k.transpose(-1, -2) / math.sqrt(dh) + bias
        ctx = (torch.softmax(scores, -1) @ v).transpose(1, 2).reshape(3, T, H)
        a = layer_norm(lin(ctx, lw["o"]) + x, lw["n1"], EPS)
        f = lin(F.gelu(lin(a, lw["f1"])), lw["f2"])
        x = layer_norm(f + a, lw["n2"], EPS)
    cls = x[:, 0]
    if family == "distilbert":
        logits = lin(torch.relu(lin(cls, head[0])), head[1])
    elif family == "electra":
        logits = lin(F.gelu(lin(cls, head[0])), head[1])
    else:
        logits = lin(torch.tanh(lin(cls, head[0])), head[1])
    return x, logits


dh = H // NH
x, logits = forward()
# DistilBERT takes no past keys and values: no prefix case there.
prefix = None if family == "distilbert" else (torch.randn(3, 2 * L * H) * 0.5).float().double()
prefix_logits = None if prefix is None else forward(prefix)[1]

# --- files ---------------------------------------------------------------------------------
os.makedirs(out, exist_ok=True)
labels = {"0": "neg", "1": "neu", "2": "pos"}
if family == "distilbert":
    config = {"model_type": "distilbert", "architectures": ["DistilBertForSequenceClassification"],
              "vocab_size": V, "dim": H, "n_layers": L, "n_heads": NH, "hidden_dim": FF,
              "max_position_embeddings": P, "activation": "gelu", "dropout": 0.1,
              "attention_dropout": 0.1, "seq_classif_dropout": 0.2,
              "sinusoidal_pos_embds": False, "pad_token_id": PAD}
else:
    arch = {"roberta": "RobertaForSequenceClassification",
            "xlm-roberta": "XLMRobertaForSequenceClassification",
            "electra": "ElectraForSequenceClassification"}[family]
    config = {"model_type": family, "architectures": [arch], "vocab_size": V, "hidden_size": H,
              "num_hidden_layers": L, "num_attention_heads": NH, "intermediate_size": FF,
              "max_position_embeddings": P, "type_vocab_size": 1 if roberta else 2,
              "hidden_act": "gelu", "layer_norm_eps": EPS, "hidden_dropout_prob": 0.1,
              "attention_probs_dropout_prob": 0.1, "pad_token_id": PAD,
              "position_embedding_type": "absolute"}
    if family == "electra":
        config["embedding_size"] = E
config.update({"id2label": labels, "label2id": {v: int(k) for k, v in labels.items()}})
with open(os.path.join(out, "config.json"), "w") as f:
    json.dump(config, f, indent=1)
state = collections.OrderedDict((k, v.float()) for k, v in sd.items())
# transformers keeps a position_ids buffer in the state dict of older versions
state[emb + "position_ids"] = torch.arange(P).unsqueeze(0)
torch.save(state, os.path.join(out, "pytorch_model.bin"))
with open(os.path.join(out, "reference.json"), "w") as f:
    json.dump({"input_ids": ids.tolist(), "attention_mask": mask.tolist(),
               "token_type_ids": tt.tolist(), "last_hidden_state": x.tolist(),
               "logits": logits.tolist(), "parameters": count,
               "prefix": None if prefix is None else prefix.tolist(),
               "prefix_logits": None if prefix is None else prefix_logits.tolist()}, f)
