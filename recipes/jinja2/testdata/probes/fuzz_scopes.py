#!/usr/bin/env python3
"""Write random scoping programs (set, do, for/else, if, macros with
defaults, with, namespace) as TestCases cases, expected outputs from the
corpus reference renderer.

  python3 fuzz_scopes.py SEED COUNT      # writes ../cases/scope-SEED-NNNN/
"""
import random, sys, os, json, subprocess
random.seed(int(sys.argv[1]))
VARS = ['a', 'b', 'c']
def val():
    return random.choice(['1', "'s'", 'a', 'b', 'c', '[1, 2]', 'l | length', "a ~ 'x'", 'loop.index if loop is defined else 0', 'ns.n', 'i if i is defined else -1'])
def block(d):
    out = []
    for _ in range(random.randint(1, 4)):
        r = random.random()
        ws = random.choice(['', '-'])
        ws2 = random.choice(['', '-'])
        if r < 0.2:
            out.append('{%%%s set %s = %s %s%%}' % (ws, random.choice(VARS), val(), ws2))
        elif r < 0.3:
            out.append('{%% do l.append(%s) %%}' % val())
        elif r < 0.4:
            out.append('{% set ns.n = ns.n + 1 %}')
        elif r < 0.55:
            out.append('[{{ %s }}]' % ' ~ '.join(random.choice(VARS + ['l', 'ns.n']) + (' is defined' if random.random() < 0.2 else '') for _ in range(2)))
        elif r < 0.65 and d < 3:
            out.append('{%% for i in %s %%}%s{%% if loop.last %%};{%% endif %%}{%% else %%}E{%% endfor %%}\n' % (random.choice(['[1, 2]', 'range(3)', '[]', "'ab'"]), block(d + 1)))
        elif r < 0.75 and d < 3:
            out.append('{%% if %s %%}%s{%% elif %s %%}%s{%% else %%}%s{%% endif %%}' % (random.choice(['a', 'b == 1', 'l', 'not c', 'i is defined']), block(d + 1), random.choice(['true', 'false']), block(d + 1), block(d + 1)))
        elif r < 0.85 and d < 2:
            name = 'm%d' % random.randint(0, 2)
            out.append('{%% macro %s(a=%s) %%}%s{%% endmacro %%}{{ %s() }}{{ %s(b) }}' % (name, val(), block(d + 1), name, name))
        elif r < 0.92 and d < 3:
            out.append('{%% with %s = %s %%}%s{%% endwith %%}' % (random.choice(VARS), val(), block(d + 1)))
        else:
            out.append('\n  ')
    return ''.join(out)
here = os.path.dirname(os.path.abspath(__file__))
root = os.path.join(here, '..', 'cases')
shared = os.environ.get('WEBRUNNER_SHARED', os.path.join(here, '..', '..', '..', '..', '..', 'shared'))
written = []
for k in range(int(sys.argv[2])):
    d = os.path.join(root, 'scope-%s-%04d' % (sys.argv[1], k)); os.makedirs(d, exist_ok=True); written.append(d)
    src = "{% set a = 'A' %}{% set b = 1 %}{% set c = none %}{% set l = [] %}{% set ns = namespace(n=0) %}" + block(0) + "\n{{ a }} {{ b }} {{ c }} {{ l }} {{ ns.n }}\n"
    open(os.path.join(d, 't.in'), 'w').write(src)
    json.dump({'template': 't.in', 'extensions': ['jinja2.ext.do', 'jinja2.ext.loopcontrols']}, open(os.path.join(d, 'case.json'), 'w'))
subprocess.run([sys.executable, os.path.join(shared, 'corpus', 'jinja2', 'render.py'), '--write'] + written, check=True, stdout=subprocess.DEVNULL)
print('%d cases written' % len(written))
