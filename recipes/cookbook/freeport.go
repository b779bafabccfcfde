package cookbook

import (
	"context"
	"fmt"
	"net"
	"os"
	"strconv"

	"webrunner/buildout"
	"webrunner/recipes/internal/option"
)

func init() {
	buildout.Register("slapos.cookbook:free_port", newFreePort)
}

// newFreePort makes the slapos.cookbook:free_port recipe: it sets option
// port to a TCP port of ip, between minimum and maximum (default 1024 and
// 49151), on which nothing listens. The port recorded for the part in
// .installed.cfg is kept while it is still in range for the same ip, so a
// service listening on it does not move at every run. No free port gives
// port = 0, as the Python recipe does.
func newFreePort(ctx context.Context, h buildout.Host, name string, opts *buildout.Options) (buildout.Recipe, error) {
	ip := option.Get(opts, "ip", "")
	minimum, err := portOption(opts, "minimum", 1024)
	if err != nil {
		return nil, err
	}
	maximum, err := portOption(opts, "maximum", 49151)
	if err != nil {
		return nil, err
	}
	port := 0
	if prev, ok := installedPort(h, name, ip); ok && prev >= minimum && prev <= maximum {
		port = prev
	} else {
		for p := minimum; p <= maximum; p++ {
			if portFree(ip, p) {
				port = p
				break
			}
		}
	}
	opts.Set("port", strconv.Itoa(port))
	return installer(func(context.Context) ([]string, error) { return []string{}, nil }), nil
}

func portOption(opts *buildout.Options, key string, def int) (int, error) {
	v := option.Get(opts, key, "")
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 0 || n > 65535 {
		return 0, fmt.Errorf("section %s: option %s: %q is not a port number", opts.Section(), key, v)
	}
	return n, nil
}

// installedPort returns the port that .installed.cfg records for part name
// when it was chosen for the same ip.
func installedPort(h buildout.Host, name, ip string) (int, bool) {
	b, err := h.Section("buildout")
	if err != nil {
		return 0, false
	}
	path, ok := b.Get("installed")
	if !ok {
		return 0, false
	}
	src, err := os.ReadFile(option.Abs(h, path))
	if err != nil {
		return 0, false
	}
	f, _ := buildout.Parse(path, src, nil)
	s := f.Section(name)
	if s == nil {
		return 0, false
	}
	portOpt, ipOpt := s.Option("port", '='), s.Option("ip", '=')
	if portOpt == nil || (ipOpt == nil) != (ip == "") || (ipOpt != nil && ipOpt.Value != ip) {
		return 0, false
	}
	port, err := strconv.Atoi(portOpt.Value)
	return port, err == nil && port > 0
}

// portFree reports whether a TCP listener can be opened on ip:port.
func portFree(ip string, port int) bool {
	l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(port)))
	if err != nil {
		return false
	}
	l.Close()
	return true
}
