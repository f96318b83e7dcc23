#!/usr/bin/python3
"""Peer of Hermanar's bulk ranking in vectorised numpy.

Reads the dense-scoring inputs that `hermanar export-features --out DIR`
writes (DIR/features.json and one .npy file per candidate column), scores
every municipality against every candidate term by term with the same
float32 operations as the Go kernel (see matcher/kernel.go and
matcher/export.go), and writes the top-k GeoNames ids
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
    if meta.get("version") != 3:
        sys.exit("rank_numpy: features version %r, want 3" % meta.get("version"))
    cols = {name: np.load(os.path.join(d, fn)) for name, fn in meta["files"].items()}
    meta["layout"] = {name: np.load(os.path.join(d, fn)) for name, fn in (meta.get("layout_files") or {}).items()}
    n = meta["candidates"]
    for name, a in cols.items():
        if a.shape != (n,):
            sys.exit("rank_numpy: column %s has shape %s, want (%d,)" % (name, a.shape, n))
    for t in meta["terms"]:
        if t["op"] not in OPS:
            sys.exit("rank_numpy: unknown op %r of signal %s" % (t["op"], t["signal"]))
    return meta, cols


def queries(meta):
    qs = meta["queries"]
    m = len(qs)
    terms = meta["terms"]
    q = {
        "base": np.array([x["base"] for x in qs], dtype=F32).reshape(m, 1),
        # per term: weights (m x 1), query values (m x v), lookup tables (m x categories)
        "k": [np.array([x["k"][i] for x in qs], dtype=F32).reshape(m, 1) for i in range(len(terms))],
        "q": [np.array([x["q"][i] or [] for x in qs], dtype=F32).reshape(m, -1) for i in range(len(terms))],
        "tab": [None] * len(terms),
        "explicit": [],
    }
    for i, t in enumerate(terms):
        if t["op"] == "lookup":
            tab = np.zeros((m, meta["categories"][t["columns"][0]]), dtype=F32)
            for r, x in enumerate(qs):
                for cid, v in ((x.get("tables") or {}).get(str(i)) or {}).items():
                    tab[r, int(cid)] = v
            q["tab"][i] = tab
    for x in qs:
        e = np.array(x.get("explicit") or [], dtype=np.float64).reshape(-1, 2)
        q["explicit"].append((e[:, 0].astype(np.int64), e[:, 1].astype(F32)))
    return q


# The ops of the Go kernel (matcher/kernel.go), each rounding every step
# to float32 in the order the Go loop evaluates. acc is S for structure
# terms and T for network terms; W is scratch.

def op_clip_diff(acc, W, c, t, k, qv, a, b):
    # s -= k*min(|q - col|*inv, 1)
    np.subtract(qv[:, 0:1], c[t["columns"][0]][None, :], out=W)
    np.abs(W, out=W)
    W *= F32(t["inv"])
    np.minimum(W, F32(1), out=W)
    W *= k
    acc -= W


def op_scaled_diff(acc, W, c, t, k, qv, a, b):
    # s -= k*|q - col|*inv
    np.subtract(qv[:, 0:1], c[t["columns"][0] + ":f4"][None, :], out=W)
    np.abs(W, out=W)
    W *= k
    W *= F32(t["inv"])
    acc -= W


def op_unit_dot(acc, W, c, t, k, qv, a, b):
    # s += k*(q0*col0 + q1*col1 + q2*col2 - 1)
    x, y, z = t["columns"]
    U = np.empty_like(W)
    np.multiply(qv[:, 0:1], c[x][None, :], out=W)
    np.multiply(qv[:, 1:2], c[y][None, :], out=U)
    W += U
    np.multiply(qv[:, 2:3], c[z][None, :], out=U)
    W += U
    W -= F32(1)
    W *= k
    acc += W


def op_column(acc, W, c, t, k, qv, a, b):
    # t += k*col
    np.multiply(k, c[t["columns"][0]][None, :], out=W)
    acc += W


def op_lookup(acc, W, c, t, k, qv, a, b, tab=None):
    # t += k*table[col]
    np.take(tab, c[t["columns"][0] + ":i"], axis=1, out=W)
    W *= k
    acc += W


OPS = {"clip_diff": op_clip_diff, "scaled_diff": op_scaled_diff, "unit_dot": op_unit_dot,
       "column": op_column, "lookup": op_lookup}


def score_chunk(a, b, cols=None, explicit=True):
    """Scores of municipalities a..b-1 against every candidate of cols
    (default: all): (b-a) x n float32."""
    c, q = (COLS if cols is None else cols), Q
    n = len(c["id"])
    m = b - a
    S = np.empty((m, n), dtype=F32)
    T = np.zeros((m, n), dtype=F32)
    W = np.empty((m, n), dtype=F32)
    S[:] = q["base"][a:b]
    net = False
    for i, t in enumerate(META["terms"]):
        k = q["k"][i][a:b]
        if t["component"] == "network":
            # A term with weight 0 adds exactly 0; skip it.
            if not k.any():
                continue
            net = True
            acc = T
        else:
            acc = S
        qv = q["q"][i][a:b]
        if t["op"] == "lookup":
            tab = q["tab"][i][a:b]
            if not tab.any():
                continue
            op_lookup(acc, W, c, t, k, qv, a, b, tab=tab)
        else:
            OPS[t["op"]](acc, W, c, t, k, qv, a, b)
    if net:
        S += T
    if explicit:
        for i in range(m):
            idx, val = q["explicit"][a + i]
            if len(idx):
                S[i, idx] = val
    return S


# The pruned peer: the very groups of candidates the Go scan bounds (the
# leaves of its tree, exported as zone_order and zone_starts), each with
# every term column's minimum and maximum and its distinct lookup keys.
# For a chunk of queries at once, numpy computes every leaf's bound,
# scores the best-bound leaves of each query (at least 2k candidates),
# takes each query's k-th best score as its threshold, then scores every
# other leaf whose bound can still reach one (work_pruned).

MARGIN = 1e-5
ZONES = None


def build_zones():
    c, lay = COLS, META["layout"]
    order = lay["zone_order"].astype(np.intp)
    starts = lay["zone_starts"].astype(np.intp)
    n = len(order)
    if n != META["candidates"] or len(starts) == 0 or starts[0] != 0:
        sys.exit("rank_numpy: the exported layout does not cover the candidates")
    ends = np.append(starts[1:], n)
    lens = ends - starts
    z = {"starts": starts, "lens": lens, "P": {name: a[order] for name, a in c.items()}, "min": {}, "max": {}, "keys": {}}
    # where each candidate sits in the order, to leave explicit ones out
    pos = np.empty(n, dtype=np.intp)
    pos[order] = np.arange(n)
    z["pos"] = pos
    # the columns the terms read, as score_chunk reads them
    z["need"] = {"id"}
    for t in META["terms"]:
        for name in t["columns"]:
            z["need"].add(name)
        if t["op"] == "scaled_diff":
            z["need"].add(t["columns"][0] + ":f4")
        if t["op"] == "lookup":
            z["need"].add(t["columns"][0] + ":i")
    leaf = np.repeat(np.arange(len(starts)), lens)
    for t in META["terms"]:
        for name in t["columns"]:
            if name in z["min"]:
                continue
            col = z["P"][name].astype(np.float64)
            z["min"][name] = np.minimum.reduceat(col, starts)
            z["max"][name] = np.maximum.reduceat(col, starts)
        if t["op"] == "lookup":
            name = t["columns"][0]
            if name in z["keys"]:
                continue
            ncat = META["categories"][name]
            u = np.unique(leaf * ncat + z["P"][name + ":i"])
            ul, uk = u // ncat, u % ncat
            z["keys"][name] = (uk, np.searchsorted(ul, np.arange(len(starts))))
    return z


def leaf_bounds(a, b):
    """Upper bound of every leaf's scores for queries a..b-1: (b-a) x leaves, float64."""
    z, q = ZONES, Q
    bound = np.repeat(q["base"][a:b].astype(np.float64), len(z["starts"]), axis=1)
    for ti, t in enumerate(META["terms"]):
        k = q["k"][ti][a:b].astype(np.float64)
        if not k.any():
            continue
        qv = q["q"][ti][a:b].astype(np.float64)
        op = t["op"]
        if op in ("clip_diff", "scaled_diff"):
            name = t["columns"][0]
            q0 = qv[:, 0:1]
            d = np.maximum(np.maximum(z["min"][name][None, :] - q0, q0 - z["max"][name][None, :]), 0)
            d *= float(np.float32(t["inv"]))
            if op == "clip_diff":
                np.minimum(d, 1, out=d)
            d *= k
            bound -= d
        elif op == "unit_dot":
            dot = sum(np.maximum(qv[:, j:j + 1] * z["min"][name][None, :], qv[:, j:j + 1] * z["max"][name][None, :])
                      for j, name in enumerate(t["columns"]))
            np.minimum(dot, 1, out=dot)
            dot -= 1
            dot *= k
            bound += dot
        elif op == "column":
            bound += k * z["max"][t["columns"][0]][None, :]
        elif op == "lookup":
            tab = q["tab"][ti][a:b]
            if not tab.any():
                continue
            keys, off = z["keys"][t["columns"][0]]
            bound += k * np.maximum.reduceat(tab[:, keys].astype(np.float64), off, axis=1)
    return bound


def leaf_positions(leaves):
    """The positions in the layout's order of every candidate of the leaves."""
    z = ZONES
    st, ln = z["starts"][leaves], z["lens"][leaves]
    total = int(ln.sum())
    return np.arange(total) + np.repeat(st - (np.cumsum(ln) - ln), ln)


def score_positions(a, b, pos):
    """Scores of queries a..b-1 on the candidates at pos: (b-a) x len(pos);
    each query's explicit candidates are rejected (-1), scored apart."""
    z = ZONES
    cols = {name: z["P"][name][pos] for name in z["need"]}
    S = score_chunk(a, b, cols=cols, explicit=False)
    for r in range(b - a):
        e_idx = Q["explicit"][a + r][0]
        if len(e_idx):
            S[r, np.isin(pos, z["pos"][e_idx])] = -1
    return S


def work_pruned(span):
    """Top k ids of queries a..b-1 through the leaf bound, all queries of
    the span at once: the best-bound leaves of each (at least 2k
    candidates) are scored for all, each query's k-th score so far is its
    threshold, then every leaf whose bound reaches some query's threshold
    is scored for all. Exact: a leaf skipped has, for every query, a bound
    below a score that at least k candidates reach."""
    a, b = span
    z, k = ZONES, META["k"]
    m = b - a
    B = leaf_bounds(a, b)
    nl = B.shape[1]
    take = min(nl, 8)
    while True:
        first = np.argpartition(-B, take - 1, axis=1)[:, :take] if take < nl else np.tile(np.arange(nl), (m, 1))
        if take >= nl or int(z["lens"][first].sum(axis=1).min()) >= 2 * k:
            break
        take = min(nl, take * 4)
    u1 = np.unique(first)
    p1 = leaf_positions(u1)
    S1 = score_positions(a, b, p1)
    theta = np.full(m, -np.inf)
    for r in range(m):
        sc = np.concatenate([S1[r], Q["explicit"][a + r][1]])
        sc = sc[sc >= 0]
        if len(sc) >= k:
            theta[r] = float(np.partition(sc, len(sc) - k)[len(sc) - k])
    need = (B + MARGIN >= theta[:, None]).any(axis=0)
    need[u1] = False
    p2 = leaf_positions(np.flatnonzero(need))
    S2 = score_positions(a, b, p2)
    ids_p = z["P"]["id"][np.concatenate([p1, p2])]
    S = np.concatenate([S1, S2], axis=1)
    rows = np.full((m, META["k"]), -1, dtype=np.int64)
    for r in range(m):
        e_idx, e_val = Q["explicit"][a + r]
        cid = np.concatenate([ids_p, COLS["id"][e_idx]])
        val = np.concatenate([S[r], e_val])
        keep = val >= 0
        if np.count_nonzero(keep) > 4 * k:
            # only the candidates at or above the k-th score can be kept
            kth = np.partition(val[keep], np.count_nonzero(keep) - k)[np.count_nonzero(keep) - k]
            keep &= val >= kth
        cid, val = cid[keep], val[keep]
        top = np.lexsort((cid, -val.astype(np.float64)))[:k]
        rows[r, :len(top)] = cid[top]
    return a, rows, m * (len(p1) + len(p2))


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
    return a, top_k(score_chunk(a, b), COLS["id"], META["k"]), (b - a) * META["candidates"]


ARGS = None


def main():
    global META, COLS, Q, ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("features", help="directory written by hermanar export-features")
    ap.add_argument("out", help="where to write the top-k ids (.npy)")
    ap.add_argument("--chunk", type=int, default=8, help="municipalities scored at once (small chunks keep the temporaries in cache)")
    ap.add_argument("--procs", type=int, default=os.cpu_count() or 1, help="worker processes")
    ap.add_argument("--prune", action="store_true", help="score only the leaves of the Go scan's layout whose bound can reach the k-th score")
    ARGS = ap.parse_args()
    t0 = time.perf_counter()
    META, COLS = load(ARGS.features)
    for t in META["terms"]:
        col = t["columns"][0]
        if t["op"] == "scaled_diff":
            COLS[col + ":f4"] = COLS[col].astype(F32)
        if t["op"] == "lookup":
            COLS[col + ":i"] = COLS[col].astype(np.intp)
    Q = queries(META)
    global ZONES
    if ARGS.prune:
        ZONES = build_zones()
    t1 = time.perf_counter()

    m = len(META["queries"])
    procs = max(1, min(ARGS.procs, m))
    spans = [(s, min(s + ARGS.chunk, m)) for s in range(0, m, ARGS.chunk)]
    fn = work_pruned if ARGS.prune else work
    if procs == 1:
        results = [fn(s) for s in spans]
    else:
        import multiprocessing as mp
        with mp.get_context("fork").Pool(procs) as pool:
            results = pool.map(fn, spans)
    results.sort(key=lambda x: x[0])
    ids = np.concatenate([r for _, r, _ in results]) if results else np.zeros((0, META["k"]), np.int64)
    scored = sum(n for _, _, n in results)
    t2 = time.perf_counter()
    np.save(ARGS.out, ids)
    t3 = time.perf_counter()

    info = {"municipalities": m, "candidates": META["candidates"], "k": META["k"], "procs": procs,
            "chunk": ARGS.chunk, "pruned": ARGS.prune, "scored": int(scored), "load_s": round(t1 - t0, 4), "compute_s": round(t2 - t1, 4),
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
