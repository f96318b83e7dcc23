#!/usr/bin/python3
"""Peer of Hermanar's bulk ranking in vectorised numpy.

Reads the dense-scoring inputs that `hermanar export-features --out DIR`
writes (DIR/features.json and one .npy file per candidate column), scores
every municipality against every candidate with the same float32 formula
as the Go engine (see matcher/export.go), and writes the top-k GeoNames ids
of each municipality, in the order of features.json, to OUT (.npy, int64,
shape municipalities x k, -1 where fewer than k candidates exist).

Run it with Debian's interpreter and python3-numpy:

    /usr/bin/python3 matcher/peer/rank_numpy.py DIR OUT.npy [--chunk 8] [--procs 2]

It prints one JSON object on stdout with its timings. Work is chunked over
municipalities (chunk x candidates float32 arrays, never the full matrix)
and split over --procs forked processes (default: every core), since numpy
runs elementwise operations on one thread.
"""

import argparse
import json
import os
import sys
import time

import numpy as np

F32 = np.float32

# Globals set before forking, so that workers share them copy-on-write.
META = None
COLS = None
Q = None


def load(d):
    with open(os.path.join(d, "features.json")) as f:
        meta = json.load(f)
    if meta.get("version") != 1:
        sys.exit("rank_numpy: features version %r, want 1" % meta.get("version"))
    cols = {name: np.load(os.path.join(d, fn)) for name, fn in meta["files"].items()}
    n = meta["candidates"]
    for name, a in cols.items():
        if a.shape != (n,):
            sys.exit("rank_numpy: column %s has shape %s, want (%d,)" % (name, a.shape, n))
    return meta, cols


def queries(meta):
    qs = meta["queries"]
    m = len(qs)

    def col(key):
        return np.array([q[key] for q in qs], dtype=F32)

    q = {
        "lp": col("lp"), "el": col("el"), "al": col("al"), "typ": col("typ"),
        "ux": col("ux"), "uy": col("uy"), "uz": col("uz"), "base": col("base"),
        "k": np.array([q["k"] for q in qs], dtype=F32).reshape(m, 5),
        "n": np.array([q["n"] for q in qs], dtype=F32).reshape(m, 4),
        "net": np.array([bool(q["net"]) for q in qs]),
        "twin": np.zeros((m, meta["countries"]), dtype=F32),
        "sv": np.zeros((m, meta["us_states"]), dtype=F32),
        "explicit": [],
    }
    for i, x in enumerate(qs):
        for cid, share in (x.get("twin_share") or {}).items():
            q["twin"][i, int(cid)] = share
        if x.get("state_val"):
            q["sv"][i, :] = np.array(x["state_val"], dtype=F32)
        e = np.array(x.get("explicit") or [], dtype=np.float64).reshape(-1, 2)
        q["explicit"].append((e[:, 0].astype(np.int64), e[:, 1].astype(F32)))
    return q


def score_chunk(a, b):
    """Scores of municipalities a..b-1 against every candidate: (b-a) x n float32."""
    c, q, cst = COLS, Q, META["constants"]
    n = META["candidates"]
    m = b - a
    S = np.empty((m, n), dtype=F32)
    T = np.empty((m, n), dtype=F32)
    U = np.empty((m, n), dtype=F32)
    one = F32(1)
    k = q["k"][a:b]

    def col(name):
        return q[name][a:b, None]

    # Every step rounds to float32, in the order the Go loop evaluates:
    # s = base - k0*min(|lp-log_pop|*inv_size, 1) - k1*|typ-ptype|*inv_type
    #          - k2*min(|el-elev|*inv_elev, 1) - k3*min(|al-abs_lat|*inv_clim, 1)
    #          + k4*(ux*ux' + uy*uy' + uz*uz' - 1)
    np.subtract(col("lp"), c["log_pop"][None, :], out=T)
    np.abs(T, out=T)
    T *= F32(cst["inv_size"])
    np.minimum(T, one, out=T)
    T *= k[:, 0:1]
    np.subtract(col("base"), T, out=S)

    np.subtract(col("typ"), c["ptype_f"][None, :], out=T)
    np.abs(T, out=T)
    T *= k[:, 1:2]
    T *= F32(cst["inv_type"])
    S -= T

    np.subtract(col("el"), c["elev"][None, :], out=T)
    np.abs(T, out=T)
    T *= F32(cst["inv_elev"])
    np.minimum(T, one, out=T)
    T *= k[:, 2:3]
    S -= T

    np.subtract(col("al"), c["abs_lat"][None, :], out=T)
    np.abs(T, out=T)
    T *= F32(cst["inv_clim"])
    np.minimum(T, one, out=T)
    T *= k[:, 3:4]
    S -= T

    np.multiply(col("ux"), c["ux"][None, :], out=T)
    np.multiply(col("uy"), c["uy"][None, :], out=U)
    T += U
    np.multiply(col("uz"), c["uz"][None, :], out=U)
    T += U
    T -= one
    T *= k[:, 4:5]
    S += T

    # Network: n0*pop_mx + n1*pop_all + n2*twin_share[country] + n4*state_val[us_state].
    if q["net"][a:b].any():
        nw = q["n"][a:b]
        np.multiply(nw[:, 0:1], c["pop_mx"][None, :], out=T)
        np.multiply(nw[:, 1:2], c["pop_all"][None, :], out=U)
        T += U
        tw = q["twin"][a:b]
        if tw.any():
            np.take(tw, c["country_i"], axis=1, out=U)
            U *= nw[:, 2:3]
            T += U
        sv = q["sv"][a:b]
        if sv.any():
            np.take(sv, c["us_state_i"], axis=1, out=U)
            U *= nw[:, 3:4]
            T += U
        # A query without the network term adds exactly 0.
        S += T

    for i in range(m):
        idx, val = q["explicit"][a + i]
        if len(idx):
            S[i, idx] = val
    return S


def top_k(S, ids, k):
    """Top k ids of each row: highest score first, equal scores by smaller id."""
    m, n = S.shape
    k = min(k, n)
    out = np.full((m, META["k"]), -1, dtype=np.int64)
    part = np.argpartition(S, n - k, axis=1)[:, n - k:]
    kth = np.take_along_axis(S, part, axis=1).min(axis=1)
    for i in range(m):
        row = S[i]
        cand = part[i]
        # argpartition breaks ties at the k-th score arbitrarily: widen to
        # every candidate with that score, then order by (score desc, id).
        if np.count_nonzero(row >= kth[i]) > k:
            cand = np.flatnonzero(row >= kth[i])
        cand = cand[row[cand] >= 0]
        order = np.lexsort((ids[cand], -row[cand].astype(np.float64)))
        sel = cand[order[:k]]
        out[i, :len(sel)] = ids[sel]
    return out


def work(span):
    a, b = span
    return a, top_k(score_chunk(a, b), COLS["id"], META["k"])


ARGS = None


def main():
    global META, COLS, Q, ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("features", help="directory written by hermanar export-features")
    ap.add_argument("out", help="where to write the top-k ids (.npy)")
    ap.add_argument("--chunk", type=int, default=8, help="municipalities scored at once (small chunks keep the temporaries in cache)")
    ap.add_argument("--procs", type=int, default=os.cpu_count() or 1, help="worker processes")
    ARGS = ap.parse_args()
    t0 = time.perf_counter()
    META, COLS = load(ARGS.features)
    COLS["ptype_f"] = COLS["ptype"].astype(F32)
    COLS["country_i"] = COLS["country"].astype(np.intp)
    COLS["us_state_i"] = COLS["us_state"].astype(np.intp)
    Q = queries(META)
    t1 = time.perf_counter()

    m = len(META["queries"])
    procs = max(1, min(ARGS.procs, m))
    spans = [(s, min(s + ARGS.chunk, m)) for s in range(0, m, ARGS.chunk)]
    if procs == 1:
        results = [work(s) for s in spans]
    else:
        import multiprocessing as mp
        with mp.get_context("fork").Pool(procs) as pool:
            results = pool.map(work, spans)
    ids = np.concatenate([r for _, r in sorted(results, key=lambda x: x[0])]) if results else np.zeros((0, META["k"]), np.int64)
    t2 = time.perf_counter()
    np.save(ARGS.out, ids)
    t3 = time.perf_counter()

    info = {"municipalities": m, "candidates": META["candidates"], "k": META["k"], "procs": procs,
            "chunk": ARGS.chunk, "load_s": round(t1 - t0, 4), "compute_s": round(t2 - t1, 4),
            "write_s": round(t3 - t2, 4), "numpy": np.__version__, "python": sys.version.split()[0]}
    # Which BLAS numpy loaded (the scoring itself is elementwise and calls
    # none), and whether the OpenBLAS overrides reached this process.
    info["openblas_env"] = {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE") if k in os.environ}
    try:
        with open("/proc/self/maps") as f:
            libs = sorted({line.split()[-1] for line in f if "blas" in line.lower() and "/" in line})
        info["blas_libs"] = libs
    except OSError:
        pass
    try:
        from threadpoolctl import threadpool_info
        info["blas"] = [{k: v for k, v in p.items() if k in ("internal_api", "version", "architecture", "num_threads")}
                        for p in threadpool_info()]
    except Exception:
        pass
    json.dump(info, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
