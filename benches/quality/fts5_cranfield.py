#!/usr/bin/env python3
"""SQLite FTS5 (porter tokenizer, bm25() order) on a judged collection, as the
peer row of passim's ranking table. Writes a TREC run; score it with
`passim eval`-identical measures via --score.

Usage: python3 benches/quality/fts5_cranfield.py [CORPUS_DIR]   (default ../shared/corpora/cranfield)
Prints nDCG@10, MAP, Recall@100, P@10 computed like trec_eval (same rules as src/eval.rs).
"""
import json, math, re, sqlite3, sys, os

d = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "../../../shared/corpora/cranfield")
if not os.path.isdir(d):
    print(f"skipped: {d} is absent"); sys.exit(0)
db = sqlite3.connect(":memory:")
db.execute("create virtual table docs using fts5(id unindexed, title, body, tokenize='porter')")
with open(os.path.join(d, "corpus.jsonl")) as f:
    db.executemany("insert into docs values (?,?,?)", ((r["id"], r.get("title", ""), r.get("body", "")) for r in map(json.loads, f)))
qrels = {}
for line in open(os.path.join(d, "qrels.txt")):
    q, _, doc, g = line.split()
    qrels.setdefault(q, {})[doc] = int(g)
queries = dict(l.rstrip("\n").split("\t", 1) for l in open(os.path.join(d, "queries.tsv")) if l.strip())

def measures(run, judg):
    ranked = [d for d, _ in sorted(run, key=lambda x: (-x[1], [-ord(c) for c in x[0]]))][:1000]
    rel = sum(1 for g in judg.values() if g >= 1)
    dcg = sum(judg.get(d, 0) / math.log2(i + 2) for i, d in enumerate(ranked[:10]) if judg.get(d, 0) > 0)
    ideal = sorted((g for g in judg.values() if g > 0), reverse=True)[:10]
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    hits, ap = 0, 0.0
    for i, d in enumerate(ranked):
        if judg.get(d, 0) >= 1:
            hits += 1; ap += hits / (i + 1)
    return (dcg / idcg if idcg else 0, ap / rel, sum(1 for d in ranked[:100] if judg.get(d, 0) >= 1) / rel,
            sum(1 for d in ranked[:10] if judg.get(d, 0) >= 1) / 10)

tot = [0.0] * 4
judged = [q for q, j in qrels.items() if any(g >= 1 for g in j.values())]
for q in judged:
    words = re.findall(r"\w+", queries.get(q, ""))
    run = []
    if words:
        match = " OR ".join('"%s"' % w for w in words)
        run = [(i, -s) for i, s in db.execute("select id, bm25(docs) from docs where docs match ? order by bm25(docs) limit 1000", (match,))]
    for k, v in enumerate(measures(run, qrels[q])):
        tot[k] += v
n = len(judged)
print(f"SQLite {sqlite3.sqlite_version} FTS5 porter bm25: queries {n} nDCG@10 {tot[0]/n:.4f} MAP {tot[1]/n:.4f} Recall@100 {tot[2]/n:.4f} P@10 {tot[3]/n:.4f}")
