#!/usr/bin/env python3
"""Write feature cases for TestCases from a probe file, with expected outputs
from the corpus reference renderer (Python Jinja2 3.1).

  python3 gen.py p1.txt [p2.txt ...]      # writes ../cases/<name>/

A probe file holds cases separated by lines "=== NAME". The first line of a
case may be "--- {JSON context}"; the template follows. Extra files, made
importable under their own name (import-list type "file"), start with a line
"--- file NAME". Every case gets the do and loopcontrols extensions and the
imports json_module (json), re_module (re) and urlparse
(six.moves.urllib.parse).
"""
import json
import os
import subprocess
import sys

here = os.path.dirname(os.path.abspath(__file__))
shared = os.environ.get('WEBRUNNER_SHARED', os.path.join(here, '..', '..', '..', '..', '..', 'shared'))
render = os.path.join(shared, 'corpus', 'jinja2', 'render.py')
root = os.path.join(here, '..', 'cases')

written = []
for probe in sys.argv[1:]:
    src = '\n' + open(probe).read()
    for block in src.split('\n=== ')[1:]:
        name, _, rest = block.partition('\n')
        ctx = {}
        if rest.startswith('--- {'):
            line, _, rest = rest.partition('\n')
            ctx = json.loads(line[4:])
        d = os.path.join(root, name.strip())
        os.makedirs(d, exist_ok=True)
        parts = rest.split('\n--- file ')
        with open(os.path.join(d, 'template.in'), 'w') as f:
            f.write(parts[0])
        import_list = []
        for part in parts[1:]:
            fname, _, body = part.partition('\n')
            with open(os.path.join(d, fname.strip()), 'w') as f:
                f.write(body)
            import_list.append(['file', fname.strip(), fname.strip()])
        with open(os.path.join(d, 'case.json'), 'w') as f:
            json.dump({'template': 'template.in',
                       'extensions': ['jinja2.ext.do', 'jinja2.ext.loopcontrols'],
                       'context': ctx, 'import_list': import_list,
                       'import': {'json_module': 'json', 're_module': 're',
                                  'urlparse': 'six.moves.urllib.parse'}}, f)
        written.append(d)
subprocess.run([sys.executable, render, '--write'] + written, check=True, stdout=subprocess.DEVNULL)
print('%d cases written under %s' % (len(written), os.path.normpath(root)))
