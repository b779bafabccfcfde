package pyval

// Code generated from Python 3 pprint.pformat(x, indent=2) (dicts of str, tuples of str); DO NOT EDIT.

var pformatIndent2Dicts = []struct {
	in   [][2]string
	want string
}{
	{[][2]string{{"host", "2001:db8::1"}, {"port", "8081"}}, "{'host': '2001:db8::1', 'port': '8081'}"},
	{[][2]string{}, "{}"},
	{[][2]string{{"url", "https://erp5.com/a/very/long/path/that/goes/on/and/on/forever/and/ever"}, {"check-secure", "1"}, {"b", "x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x "}}, "{ 'b': 'x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x x '\n       'x x x x x x x x x x x x x x x ',\n  'check-secure': '1',\n  'url': 'https://erp5.com/a/very/long/path/that/goes/on/and/on/forever/and/ever'}"},
	{[][2]string{{"param1; print \"toto\"", "#xxxx\"\nimport os; os.stat(f)"}, {"param4", "param\nin multi line\n123444\n"}, {"k", "YY^@12"}, {"q", "23'91'"}}, "{ 'k': 'YY^@12',\n  'param1; print \"toto\"': '#xxxx\"\\nimport os; os.stat(f)',\n  'param4': 'param\\nin multi line\\n123444\\n',\n  'q': \"23'91'\"}"},
	{[][2]string{{"command", "line one is quite long and it has many words in it so it wraps\nline two\nyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy"}, {"z", "\u00e9\t\u0001"}}, "{ 'command': 'line one is quite long and it has many words in it so it wraps\\n'\n             'line two\\n'\n             'yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy',\n  'z': '\u00e9\\t\\x01'}"},
}

var pformatIndent2Tuples = []struct {
	in   []string
	want string
}{
	{[]string{}, "()"},
	{[]string{"a"}, "('a',)"},
	{[]string{"/srv/slapgrid/slappart0/eggs/slapos.toolbox-0.167-py3.egg", "/srv/slapgrid/eggs/requests-2.31.0-py3.egg"}, "( '/srv/slapgrid/slappart0/eggs/slapos.toolbox-0.167-py3.egg',\n  '/srv/slapgrid/eggs/requests-2.31.0-py3.egg')"},
	{[]string{"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "b"}, "( 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',\n  'b')"},
}
