#!/usr/bin/env python3
"""Time Python Jinja2 rendering every public jinja2 corpus case in-process.

  python3 bench_python.py [SHARED_DIR]

Uses the corpus reference renderer (render.py: the recipe's environment,
default context, import-list loader), reading and parsing each case every
time as the recipe does, exactly like BenchmarkCorpus in conformance_test.go.
Prints the mean time per pass over all cases.
"""
import os
import sys
import time

shared = sys.argv[1] if len(sys.argv) > 1 else os.environ.get(
    'WEBRUNNER_SHARED',
    os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', '..', '..', 'shared'))
corpus = os.path.join(shared, 'corpus', 'jinja2')
sys.path.insert(0, corpus)
import render  # noqa: E402

cases = os.path.join(corpus, 'cases')
dirs = sorted(os.path.join(cases, n) for n in os.listdir(cases)
              if os.path.isfile(os.path.join(cases, n, 'case.json')))


def one_pass():
    for d in dirs:
        render._render_or_error(d)


one_pass()  # warm up imports
n = 0
start = time.perf_counter()
while time.perf_counter() - start < 3 or n < 3:
    one_pass()
    n += 1
elapsed = time.perf_counter() - start
print('%d cases, %d passes: %.0f µs/corpus' % (len(dirs), n, elapsed / n * 1e6))
