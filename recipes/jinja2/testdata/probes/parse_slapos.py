#!/usr/bin/env python3
"""Record which SlapOS templates Python Jinja2 parses, for TestSlaposParse.

  python3 parse_slapos.py > ../slapos_parse.txt

Every *.in, *.jinja2, *.jinja and *.j2 file under
$WEBRUNNER_SHARED/corpus/slapos, and every other text file holding "{{" or
"{%" (instance-*.cfg profiles rendered by the recipe), is parsed with the recipe's environment (do and loopcontrols extensions,
StrictUndefined). Each output line is "ok PATH" or "error PATH LINE", PATH
relative to the corpus; files that are not UTF-8 are left out.
"""
import os
import sys

import jinja2

here = os.path.dirname(os.path.abspath(__file__))
shared = os.environ.get('WEBRUNNER_SHARED', os.path.join(here, '..', '..', '..', '..', '..', 'shared'))
root = os.path.normpath(os.path.join(shared, 'corpus', 'slapos'))

env = jinja2.Environment(extensions=['jinja2.ext.do', 'jinja2.ext.loopcontrols'],
                         undefined=jinja2.StrictUndefined)
ok = bad = 0
paths = []
for d, _, files in os.walk(root):
    for f in files:
        p = os.path.join(d, f)
        if not f.endswith(('.in', '.jinja2', '.jinja', '.j2')):
            with open(p, 'rb') as fp:
                data = fp.read()
            if b'{{' not in data and b'{%' not in data:
                continue
        paths.append(os.path.relpath(p, root))
for p in sorted(paths):
    try:
        with open(os.path.join(root, p), 'rb') as f:
            source = f.read().decode('utf-8')
    except UnicodeDecodeError:
        continue
    try:
        env.parse(source)
        print('ok', p)
        ok += 1
    except jinja2.TemplateSyntaxError as e:
        print('error', p, e.lineno)
        bad += 1
sys.stderr.write('python parses %d of %d\n' % (ok, ok + bad))
