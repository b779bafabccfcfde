#!/usr/bin/env python3
"""Write random str method calls (valid and invalid arguments) as TestCases
cases with reference outputs.

  python3 fuzz_str.py SEED COUNT      # writes ../cases/str-SEED-NNNN/
"""
import random, sys, os, json, subprocess
random.seed(int(sys.argv[1]))
STRS = ["'Hello World'", "'  padded  '", "'a,b,,c'", "'x-y-z'", "''", "'ÉCOLE straße'", "'line1\\nline2\\r\\nline3'", "'123'", "'12.5'", "'CamelCase'", "'a\\tb'", "'aaa'", "'key=value=x'", "'ß'", "'İx'"]
ARGS = ["", "','", "'-'", "' '", "'a'", "'='", "1", "2", "-1", "0", "10", "'x', 'y'", "'a', 'b', 1", "',', 1", "None, 1", "5, '*'", "('a', 'H')", "'l'", "''"]
METH = ['upper', 'lower', 'title', 'capitalize', 'swapcase', 'casefold', 'strip', 'lstrip', 'rstrip', 'split', 'rsplit', 'splitlines', 'partition', 'rpartition',
        'replace', 'find', 'rfind', 'index', 'rindex', 'count', 'startswith', 'endswith', 'join', 'center', 'ljust', 'rjust', 'zfill', 'isdigit', 'isalpha', 'isalnum',
        'isspace', 'islower', 'isupper', 'istitle', 'isidentifier', 'isdecimal', 'isnumeric', 'expandtabs', 'removeprefix', 'removesuffix', 'format', 'encode']
here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, '..', 'cases')
shared = os.environ.get('WEBRUNNER_SHARED', os.path.join(here, '..', '..', '..', '..', '..', 'shared'))
written = []
for k in range(int(sys.argv[2])):
    d = os.path.join(root, 'str-%s-%04d' % (sys.argv[1], k)); os.makedirs(d, exist_ok=True); written.append(d)
    m = random.choice(METH)
    a = random.choice(ARGS)
    if m == 'join': a = random.choice(["['a', 'b']", "'xyz'", "[]"])
    src = '{{ %s.%s(%s) }}' % (random.choice(STRS), m, a)
    if m == 'encode': src = '{{ %s.encode() is defined }}' % random.choice(STRS)
    open(os.path.join(d, 't.in'), 'w').write(src)
    json.dump({'template': 't.in'}, open(os.path.join(d, 'case.json'), 'w'))
subprocess.run([sys.executable, os.path.join(shared, 'corpus', 'jinja2', 'render.py'), '--write'] + written, check=True, stdout=subprocess.DEVNULL)
print('%d cases written' % len(written))
