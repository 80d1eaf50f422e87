#!/usr/bin/env python3
"""Loads a safetensors file the way the safetensors library's default (mmap)
backend does under vLLM/SGLang: mmap the file, parse the header, then copy
every tensor out of the mapping in lexicographic key order (safe_open().keys()).
Prints {"seconds":..,"bytes":..}. Usage: load_safetensors.py FILE"""
import json, mmap, struct, sys, time

t0 = time.monotonic()
with open(sys.argv[1], "rb") as f:
    mm = mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ)
    n = struct.unpack("<Q", mm[:8])[0]
    header = json.loads(mm[8:8 + n])
    base = 8 + n
    total = 0
    for name in sorted(k for k in header if k != "__metadata__"):
        b, e = header[name]["data_offsets"]
        buf = bytes(mm[base + b:base + e])  # the copy into the tensor
        total += len(buf)
    mm.close()
print(json.dumps({"seconds": time.monotonic() - t0, "bytes": total}))
