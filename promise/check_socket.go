package promise

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strconv"

	"webrunner/recipes/jinja2/pyval"
)

// addressUsage is check_socket_listening's message for a bad address.
const addressUsage = "Address must be specified in 1 of the following 3 forms: (host, port), path or abstract"

// pyError is a Python exception raised by a promise: Error returns str(e),
// as GenericPromise logs it; class is the exception class name.
type pyError struct {
	class string
	msg   string
}

func (e *pyError) Error() string { return e.msg }

// describe returns "Class: message" for errors raised outside sense.
func describe(err error) string {
	var pe *pyError
	if errors.As(err, &pe) {
		return pe.class + ": " + pe.msg
	}
	return err.Error()
}

// newSocketListening implements slapos.promise.plugin.check_socket_listening:
// a stream connect to (host, port), a unix socket path or an abstract
// unix socket.
func newSocketListening(p *nativePromise) error {
	if err := p.setFrequency("2"); err != nil {
		return err
	}
	count, err := p.cfg.intOr("result-count", 3)
	if err != nil {
		return err
	}
	amount, err := p.cfg.intOr("failure-amount", 3)
	if err != nil {
		return err
	}
	p.anomaly = evaluation{resultCount: count, failureAmount: amount, anomaly: true}
	p.sense = func(ctx context.Context, log *senseLog) error {
		host := p.cfg.get("host", "")
		port := p.cfg.get("port", "")
		path := p.cfg.get("pathname", "")
		abstract := p.cfg.get("abstract", "")
		var network, dial, repr string
		if p.cfg.has("host") {
			if p.cfg.has("pathname") || p.cfg.has("abstract") || !p.cfg.has("port") {
				log.error(addressUsage)
				return nil
			}
			n, err := pyParseInt(port)
			if err != nil {
				return err
			}
			addr, err := getaddrinfo(ctx, host, n)
			if err != nil {
				return err
			}
			network, dial, repr = "tcp", addr.dial, addr.repr
		} else {
			if p.cfg.has("pathname") == p.cfg.has("abstract") {
				log.error(addressUsage)
				return nil
			}
			network = "unix"
			if path != "" {
				dial, repr = path, pyval.QuoteString(path)
			} else {
				dial, repr = "@"+abstract, pyval.QuoteString("\x00"+abstract)
			}
		}
		var d net.Dialer
		conn, err := d.DialContext(ctx, network, dial)
		if err != nil {
			if ctx.Err() != nil {
				return nil // timed out: the launcher reports it
			}
			log.error("%s", pyExceptionText(err))
			return nil
		}
		conn.Close()
		log.info("socket connection OK %s", repr)
		return nil
	}
	return nil
}

// newPortListening implements the legacy slapos.promise.plugin.check_port_listening
// plugin: socket.create_connection((hostname, port)).
func newPortListening(p *nativePromise) error {
	p.test = evaluation{resultCount: 1, failureAmount: 1}
	p.anomaly = evaluation{resultCount: 3, failureAmount: 3}
	p.sense = func(ctx context.Context, log *senseLog) error {
		hv, _ := p.cfg.lookup("hostname")
		pv, _ := p.cfg.lookup("port")
		addr := "(" + pyValueRepr(hv) + ", " + pyValueRepr(pv) + ")"
		host, port := p.cfg.get("hostname", ""), p.cfg.get("port", "")
		var d net.Dialer
		conn, err := d.DialContext(ctx, "tcp", net.JoinHostPort(host, port))
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			var dnsErr *net.DNSError
			if errors.As(err, &dnsErr) {
				log.error("hostname/port (%s) is not correct: %s", addr, gaiError(dnsErr).msg)
			} else {
				_, text := pyExceptionParts(err)
				log.error("ERROR while connecting to %s: %s", addr, text)
			}
			return nil
		}
		conn.Close()
		log.info("port connection OK (%s)", addr)
		return nil
	}
	return nil
}

// sockaddr is a resolved stream address with its Python repr.
type sockaddr struct {
	dial string // for net.Dial
	repr string // ('127.0.0.1', 8080) or ('::1', 8080, 0, 0)
}

// getaddrinfo resolves host like socket.getaddrinfo(host, port)[0].
func getaddrinfo(ctx context.Context, host string, port int) (sockaddr, error) {
	if port < 0 || port > 65535 {
		return sockaddr{}, &pyError{"OverflowError", "getsockaddrarg: port must be 0-65535."}
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		ips, lerr := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
		if lerr != nil || len(ips) == 0 {
			var dnsErr *net.DNSError
			if errors.As(lerr, &dnsErr) {
				return sockaddr{}, gaiError(dnsErr)
			}
			return sockaddr{}, &pyError{"gaierror", "[Errno -2] Name or service not known"}
		}
		// getaddrinfo prefers IPv4 for names resolved from /etc/hosts and
		// most DNS answers on a default gai.conf.
		ip = ips[0]
		for _, a := range ips {
			if a.Is4() || a.Is4In6() {
				ip = a.Unmap()
				break
			}
		}
	}
	s := sockaddr{dial: net.JoinHostPort(ip.String(), strconv.Itoa(port))}
	if ip.Is4() {
		s.repr = fmt.Sprintf("(%s, %d)", pyval.QuoteString(ip.String()), port)
		return s, nil
	}
	scope := 0
	if z := ip.Zone(); z != "" {
		if n, err := strconv.Atoi(z); err == nil {
			scope = n
		} else if ifi, err := net.InterfaceByName(z); err == nil {
			scope = ifi.Index
		}
	}
	s.repr = fmt.Sprintf("(%s, %d, 0, %d)", pyval.QuoteString(ip.String()), port, scope)
	return s, nil
}

// gaiError converts a resolver error into Python's socket.gaierror.
func gaiError(e *net.DNSError) *pyError {
	if e.IsNotFound {
		return &pyError{"gaierror", "[Errno -2] Name or service not known"}
	}
	return &pyError{"gaierror", "[Errno -3] Temporary failure in name resolution"}
}

// pyExceptionParts returns the Python exception class and str() for a
// network or OS error.
func pyExceptionParts(err error) (class, text string) {
	if name, text, ok := pyOSError(err); ok {
		return name, text
	}
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		e := gaiError(dnsErr)
		return e.class, e.msg
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "TimeoutError", "timed out"
	}
	return "OSError", err.Error()
}

// pyExceptionText returns "<Class>: <str(e)>" for err.
func pyExceptionText(err error) string {
	class, text := pyExceptionParts(err)
	return class + ": " + text
}
