#!/usr/bin/env bash
# Indexing rate and peak memory of `passim index` (release build) next to
# SQLite FTS5 (porter tokenizer, Python's sqlite3) loading the same JSON
# Lines on the same machine in the same run. Rates are in MB of
# decompressed JSON Lines per second of wall time, for both.
#
#   benches/ingest_vs_fts5.sh [CORPUS.jsonl.gz ...]
#
# Default corpora: ../shared/corpora/{reuters21578,20newsgroups}/corpus.jsonl.gz
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin="$root/target/release/passim"
[ -x "$bin" ] || cargo build --release --manifest-path "$root/Cargo.toml"
if [ $# -eq 0 ]; then
  set -- "$root"/../shared/corpora/reuters21578/corpus.jsonl.gz \
         "$root"/../shared/corpora/20newsgroups/corpus.jsonl.gz
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# From `time -v`: wall seconds, CPU seconds (user + system; a fairer
# figure on a busy machine), peak resident set size in MB.
measure() {
  awk -F': ' '
    /Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i] }
    /User time|System time/ { cpu += $2 }
    /Maximum resident set size/ { rss = $2 / 1024 }
    END { printf "%.2f %.2f %.0f", s, cpu, rss }' "$1"
}

printf '%-14s %6s | %-42s | %-42s\n' corpus MB "passim: wall s, MB/s, CPU s, peak RSS" "sqlite3 FTS5: wall s, MB/s, CPU s, peak RSS"
for corpus in "$@"; do
  name=$(basename "$(dirname "$corpus")")
  bytes=$(gzip -dc "$corpus" | wc -c)
  mb=$(awk -v b="$bytes" 'BEGIN { printf "%.1f", b / 1e6 }')

  rm -rf "$work/idx"
  /usr/bin/time -v "$bin" --index "$work/idx" index --quiet "$corpus" 2>"$work/passim.time" >/dev/null
  read -r p_s p_cpu p_rss <<<"$(measure "$work/passim.time")"

  rm -f "$work/fts.db"
  /usr/bin/time -v python3 - "$corpus" "$work/fts.db" 2>"$work/fts.time" <<'PY'
import gzip, json, sqlite3, sys
corpus, db = sys.argv[1], sys.argv[2]
con = sqlite3.connect(db)
con.execute("create virtual table docs using fts5(id unindexed, title, body, tokenize='porter')")
with gzip.open(corpus, "rt", encoding="utf-8") as f, con:
    con.executemany(
        "insert into docs values (?, ?, ?)",
        ((d.get("id"), d.get("title", ""), d.get("body", "")) for d in map(json.loads, f)),
    )
con.close()
PY
  read -r f_s f_cpu f_rss <<<"$(measure "$work/fts.time")"

  rate() { awk -v m="$mb" -v s="$1" 'BEGIN { print m / s }'; }
  printf '%-14s %6s | %6.2f s %5.1f MB/s %6.2f s %5s MB | %6.2f s %5.1f MB/s %6.2f s %5s MB\n' \
    "$name" "$mb" "$p_s" "$(rate "$p_s")" "$p_cpu" "$p_rss" \
    "$f_s" "$(rate "$f_s")" "$f_cpu" "$f_rss"
done
