#!/usr/bin/env python3
"""Write random for loops that read loop attributes while the body mutates
the iterated list, as TestCases cases with reference outputs.

  python3 fuzz_loops.py SEED COUNT      # writes ../cases/loop-SEED-NNNN/
"""
import random, sys, os, json, subprocess
random.seed(int(sys.argv[1]))
ATTRS = ['loop.index', 'loop.index0', 'loop.revindex', 'loop.revindex0', 'loop.first', 'loop.last', 'loop.length',
         '(loop.previtem if loop.previtem is defined else "-")', '(loop.nextitem if loop.nextitem is defined else "-")', 'loop.cycle("a", "b")', 'loop.changed(x)']
MUT = ['{% do l.append(x + 10) if x < 5 %}', '{% do l.insert(0, 9) if loop.first %}', '{% do l.pop() if l | length > 3 %}', '{% do l.remove(x) if x in l and x % 2 %}', '{% break if False %}', '{% if x == 3 %}{% continue %}{% endif %}', '']
here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, '..', 'cases')
shared = os.environ.get('WEBRUNNER_SHARED', os.path.join(here, '..', '..', '..', '..', '..', 'shared'))
written = []
for k in range(int(sys.argv[2])):
    d = os.path.join(root, 'loop-%s-%04d' % (sys.argv[1], k)); os.makedirs(d, exist_ok=True); written.append(d)
    body = ''.join(random.choice(['{{ %s }},' % random.choice(ATTRS), random.choice(MUT), '{{ x }};']) for _ in range(random.randint(2, 6)))
    src = '{%% set l = %s %%}{%% for x in l %%}%s{%% else %%}E{%% endfor %%}|{{ l }}' % (random.choice(['[1, 2, 3]', '[1]', '[]', '[4, 1, 2, 2]']), body)
    src = src.replace('{% break if False %}', '')
    open(os.path.join(d, 't.in'), 'w').write(src)
    json.dump({'template': 't.in', 'extensions': ['jinja2.ext.do', 'jinja2.ext.loopcontrols']}, open(os.path.join(d, 'case.json'), 'w'))
subprocess.run([sys.executable, os.path.join(shared, 'corpus', 'jinja2', 'render.py'), '--write'] + written, check=True, stdout=subprocess.DEVNULL)
print('%d cases written' % len(written))
