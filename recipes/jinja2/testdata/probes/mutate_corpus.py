#!/usr/bin/env python3
"""Write variants of the jinja2 corpus cases whose context has one or two
values changed at random (another type, a deleted key), for a differential
run of TestRealCases:

  python3 mutate_corpus.py DIR [COUNT [SEED]]
  JINJA2_REALCASES=DIR go test -run RealCases ./recipes/jinja2/

Each case directory of $WEBRUNNER_SHARED/corpus/jinja2/cases is copied COUNT
times (default 20) under DIR with a mutated case.json; render.py --write
records the reference output or exception class. MUTATE_FROM=CASES takes
the cases of another folder (realcases.py's output).
"""
import copy
import json
import os
import random
import shutil
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
shared = os.environ.get('WEBRUNNER_SHARED', os.path.join(here, '..', '..', '..', '..', '..', 'shared'))
cases = os.environ.get('MUTATE_FROM', os.path.join(shared, 'corpus', 'jinja2', 'cases'))
render = os.path.join(shared, 'corpus', 'jinja2', 'render.py')

VALUES = ['', 'x', '1', '0', 'a b', 'true', 'false', 0, 1, 3, -1, 2.5, True, False, None, [], ['a', 'b'],
          [1, 2], {}, {'k': 'v'}, {'__set__': ['10.0.0.1']}, {'__tuple__': ['a', 1]}, 'x\ny', "it's",
          'é%s$', '2001:db8::1', '10.0.0.1', 'http://[::1]:80/p?q=1', 10**20, 1e17, -0.0, '{}',
          '${a:b}', ' x ', [{'k': 'v', 'n': 1}], {'a': {'b': ['c']}}, {'__set__': [3, 1, 2]},
          '{"a": 1}', '[1, 2]', 'None', '8080', '/srv/a b']


def slots(v, out):
    """Collect (container, key) of every value below v."""
    if isinstance(v, dict) and not ('__set__' in v or '__tuple__' in v):
        for k in v:
            out.append((v, k))
            slots(v[k], out)
    elif isinstance(v, list):
        for i in range(len(v)):
            out.append((v, i))
            slots(v[i], out)
    return out


def main(argv):
    out_dir = os.path.abspath(argv[0])
    count = int(argv[1]) if len(argv) > 1 else 20
    rnd = random.Random(int(argv[2]) if len(argv) > 2 else 1)
    written = []
    for name in sorted(os.listdir(cases)):
        src = os.path.join(cases, name)
        with open(os.path.join(src, 'case.json')) as f:
            case = json.load(f)
        for i in range(count):
            c = copy.deepcopy(case)
            for _ in range(rnd.choice([1, 1, 2])):
                s = slots(c.get('context', {}), [])
                if not s:
                    break
                container, key = rnd.choice(s)
                if isinstance(container, dict) and rnd.random() < 0.2:
                    del container[key]
                else:
                    container[key] = copy.deepcopy(rnd.choice(VALUES))
            d = os.path.join(out_dir, '%s~%d' % (name, i))
            if os.path.isdir(d):
                shutil.rmtree(d)
            shutil.copytree(src, d)
            for n in ('expected.out', 'expected.error'):
                if os.path.exists(os.path.join(d, n)):
                    os.unlink(os.path.join(d, n))
            with open(os.path.join(d, 'case.json'), 'w') as f:
                json.dump(c, f, indent=1)
            written.append(d)
    # Some values make Python render without end (range(10**20)...): such
    # cases are dropped.
    kept = 0
    for i in range(0, len(written), 100):
        chunk = written[i:i + 100]
        try:
            subprocess.run([sys.executable, render, '--write'] + chunk, check=True,
                           stdout=subprocess.DEVNULL, timeout=120)
            kept += len(chunk)
            continue
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
            pass
        for d in chunk:
            try:
                subprocess.run([sys.executable, render, '--write', d], check=True,
                               stdout=subprocess.DEVNULL, timeout=10)
                kept += 1
            except (subprocess.CalledProcessError, subprocess.TimeoutExpired):
                shutil.rmtree(d)
    print('%d cases written under %s' % (kept, out_dir))


if __name__ == '__main__':
    sys.exit(main(sys.argv[1:]))
