#!/usr/bin/env python3
"""Write random list/dict method calls and builtin calls over assorted
collections as TestCases cases with reference outputs. (Sets of strings are
left out: CPython orders them by a per-process random hash.)

  python3 fuzz_collections.py SEED COUNT   # writes ../cases/col-SEED-NNNN/
"""
import random, sys, os, json, subprocess
random.seed(int(sys.argv[1]))
COLS = ["[3, 1, 2]", "[]", "['b', 'a']", "[1, 'a']", "[[1, 2], [0]]", "{'b': 1, 'a': 2}", "{}", "{1: 'x', 'y': 2}", "(1, 2, 2)", "()", "'abc'", "range(5)", "range(3, 0, -1)", "[1.5, -2, 0]", "[true, false]", "[none]"]
ARGS = ["", "0", "1", "-1", "5", "'a'", "'b', 9", "[9]", "{'z': 0}", "1, 'x'", "none", "x=1", "key=none", "reverse=true", "'a', none"]
LMETH = ['append', 'extend', 'insert', 'pop', 'remove', 'index', 'count', 'sort', 'reverse', 'copy', 'clear']
DMETH = ['get', 'keys', 'values', 'items', 'pop', 'popitem', 'setdefault', 'update', 'copy', 'clear']
BUILT = ['len', 'sorted', 'list', 'tuple', 'dict', 'min', 'max', 'sum', 'any', 'all', 'enumerate', 'zip', 'reversed', 'str', 'repr', 'bool', 'iter', 'abs', 'int', 'float', 'round', 'divmod', 'pow', 'hex', 'oct', 'bin', 'chr', 'ord', 'isinstance', 'callable', 'filter', 'map', 'format', 'next']
here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, '..', 'cases')
shared = os.environ.get('WEBRUNNER_SHARED', os.path.join(here, '..', '..', '..', '..', '..', 'shared'))
written = []
for k in range(int(sys.argv[2])):
    d = os.path.join(root, 'col-%s-%04d' % (sys.argv[1], k)); os.makedirs(d, exist_ok=True); written.append(d)
    c = random.choice(COLS)
    r = random.random()
    if r < 0.35:
        m = random.choice(LMETH + DMETH)
        src = '{%% set c = %s %%}{%% set r = c.%s(%s) %%}{{ r }}|{{ c }}' % (c, m, random.choice(ARGS))
    else:
        b = random.choice(BUILT)
        a = random.choice(ARGS)
        extra = {'isinstance': ', list', 'map': '', 'filter': ''}.get(b, '')
        if b in ('map', 'filter'):
            src = '{{ %s(%s, %s) | list }}' % (b, random.choice(['str', 'none', 'bool', 'len', 'abs']), c)
        elif b in ('enumerate', 'zip', 'reversed', 'iter'):
            src = '{{ %s(%s) | list }}' % (b, c + (', ' + a if a and random.random() < 0.3 else ''))
        elif b == 'next':
            src = '{{ next(iter(%s)%s) }}' % (c, ', ' + a if a else '')
        else:
            src = '{{ %s(%s%s) }}' % (b, c if random.random() < 0.7 else a, extra if b == 'isinstance' else (', ' + a if a and random.random() < 0.3 else ''))
    open(os.path.join(d, 't.in'), 'w').write(src)
    json.dump({'template': 't.in', 'extensions': ['jinja2.ext.do']}, open(os.path.join(d, 'case.json'), 'w'))
subprocess.run([sys.executable, os.path.join(shared, 'corpus', 'jinja2', 'render.py'), '--write'] + written, check=True, stdout=subprocess.DEVNULL)
print('%d cases written' % len(written))
