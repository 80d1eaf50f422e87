#!/usr/bin/env python3
"""Writes a real safetensors file of about SIZE_MB with a few hundred tensors of
mixed dtypes (F32 norms + BF16 weights, Qwen-like names), laid out the way the
safetensors library does: 8-byte header length, JSON header padded to 8, data
sorted by descending dtype then name. Usage: make_safetensors.py OUT SIZE_MB"""
import json, os, struct, sys

out, size_mb = sys.argv[1], int(sys.argv[2])
hidden = 1024
layers = []
# One layer: q,k,v,o (hidden x hidden BF16), gate/up/down (hidden x 2.75 hidden BF16),
# two F32 norms. Choose the layer count to reach the size.
inter = hidden * 11 // 4
per_layer = 2 * (4 * hidden * hidden + 3 * hidden * inter) + 2 * 4 * hidden
n_layers = max(1, size_mb * 1024 * 1024 // per_layer)
tensors = {}
for i in range(n_layers):
    p = f"model.layers.{i}."
    for n in ("q_proj", "k_proj", "v_proj", "o_proj"):
        tensors[p + f"self_attn.{n}.weight"] = ("BF16", [hidden, hidden])
    for n, shape in (("gate_proj", [inter, hidden]), ("up_proj", [inter, hidden]), ("down_proj", [hidden, inter])):
        tensors[p + f"mlp.{n}.weight"] = ("BF16", shape)
    tensors[p + "input_layernorm.weight"] = ("F32", [hidden])
    tensors[p + "post_attention_layernorm.weight"] = ("F32", [hidden])
tensors["model.norm.weight"] = ("F32", [hidden])
width = {"F32": 4, "BF16": 2}
order = {"F32": 0, "BF16": 1}  # descending dtype: F32 before BF16 (safetensors' prepare())
names = sorted(tensors, key=lambda n: (order[tensors[n][0]], n))
header, off = {}, 0
for n in names:
    dt, shape = tensors[n]
    nbytes = width[dt]
    for d in shape:
        nbytes *= d
    header[n] = {"dtype": dt, "shape": shape, "data_offsets": [off, off + nbytes]}
    off += nbytes
h = json.dumps(header, separators=(",", ":")).encode()
h += b" " * ((8 - len(h) % 8) % 8)
block = os.urandom(1 << 20)
with open(out, "wb") as f:
    f.write(struct.pack("<Q", len(h)))
    f.write(h)
    left = off
    while left > 0:
        n = min(left, len(block))
        f.write(block[:n])
        left -= n
print(f"{out}: {len(names)} tensors, {off / 2**20:.0f} MiB of data, {n_layers} layers")
