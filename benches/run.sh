#!/usr/bin/env bash
# The passim benchmark suite: passim beside SQLite FTS5 and ripgrep on
# news-all (../shared/corpora: Reuters-21578, 20 Newsgroups, BBC News) at
# 25%, 50%, 100% and 400%. Prints a markdown report and writes it to
# target/bench-data/report.md.
#
#   bash benches/run.sh            # every scale (about 15 minutes on 2 cores)
#   bash benches/run.sh --quick    # the 25% scale only
#   bash benches/run.sh --help     # every option (scales, sample sizes, peers)
set -euo pipefail
cd "$(dirname "$0")/.."

corpora="${PASSIM_CORPORA:-../shared/corpora}"
for c in reuters21578 20newsgroups bbc-news; do
  if [[ ! -e "$corpora/$c/corpus.jsonl.gz" && ! -e "$corpora/$c/corpus.jsonl" ]]; then
    echo "bench: skipped: $corpora/$c/corpus.jsonl(.gz) is absent; the suite needs the shared corpora" >&2
    exit 0
  fi
done

# ripgrep is one of the peers; install it when missing (the suite leaves its
# column out if this fails).
if ! command -v rg >/dev/null 2>&1 && [[ ! -x "$HOME/.cargo/bin/rg" ]]; then
  echo "bench: installing ripgrep ..." >&2
  if command -v apt-get >/dev/null 2>&1 && [[ $(id -u) -eq 0 ]]; then
    apt-get install -y -q ripgrep >&2 || { apt-get update -q >&2 && apt-get install -y -q ripgrep >&2; } || true
  fi
  if ! command -v rg >/dev/null 2>&1; then
    cargo install --locked ripgrep >&2 || echo "bench: could not install ripgrep" >&2
  fi
fi

exec cargo bench --bench suite -- "$@"
