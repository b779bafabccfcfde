#!/usr/bin/env python3
"""Write random %-formatting and str.format cases (flags, width, precision,
grouping, types, over numbers, strings and containers) as TestCases cases.

  python3 fuzz_format.py SEED COUNT      # writes ../cases/format-SEED-NNNN/
"""
import random, sys, os, json, subprocess
random.seed(int(sys.argv[1]))
VALS = ['0', '1', '-1', '42', '-42', '3.14159', '-2.5', '1e20', '1e-7', '0.0', '-0.0', '12345678901234567890', "'abc'", "'é'", "''", 'none', 'true', 'false', '[1, 2]', "{'a': 1}", '(1,)', '2.675', '1/3', '100000.0', '0.5', '1.5', '255']
CONV = 'sdifFeEgGxXorc%'
def pct():
    flags = ''.join(random.sample('-+ 0#', random.randint(0, 2)))
    width = random.choice(['', '', '5', '10', '1'])
    prec = random.choice(['', '', '.0', '.2', '.5', '.10'])
    return '%' + flags + width + prec + random.choice(CONV)
def fmt():
    fill = random.choice(['', '', '*', '0', ' '])
    align = random.choice(['', '', '<', '>', '^', '='])
    if fill and not align: fill = ''
    sign = random.choice(['', '', '+', '-', ' '])
    alt = random.choice(['', '', '#'])
    zero = random.choice(['', '', '0'])
    width = random.choice(['', '', '6', '12'])
    comma = random.choice(['', '', ','])
    prec = random.choice(['', '', '.0', '.3'])
    typ = random.choice(['', '', 's', 'd', 'f', 'e', 'g', 'x', 'X', 'o', 'b', '%', 'n', 'G', 'E', 'F'])
    return '{:' + fill + align + sign + alt + zero + width + comma + prec + typ + '}'
here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, '..', 'cases')
shared = os.environ.get('WEBRUNNER_SHARED', os.path.join(here, '..', '..', '..', '..', '..', 'shared'))
written = []
for k in range(int(sys.argv[2])):
    d = os.path.join(root, 'format-%s-%04d' % (sys.argv[1], k)); os.makedirs(d, exist_ok=True); written.append(d)
    if random.random() < 0.5:
        src = "{{ '[%s]' %% %s }}" % (pct(), random.choice(VALS))
    else:
        src = "{{ '[%s]'.format(%s) }}" % (fmt(), random.choice(VALS))
    open(os.path.join(d, 't.in'), 'w').write(src)
    json.dump({'template': 't.in'}, open(os.path.join(d, 'case.json'), 'w'))
subprocess.run([sys.executable, os.path.join(shared, 'corpus', 'jinja2', 'render.py'), '--write'] + written, check=True, stdout=subprocess.DEVNULL)
print('%d cases written' % len(written))
