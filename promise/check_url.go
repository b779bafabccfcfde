package promise

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"webrunner/recipes/jinja2/pyval"
)

// maxRedirects is the redirect limit of python-requests.
const maxRedirects = 30

var errTooManyRedirects = errors.New("Exceeded 30 redirects.")

// newURLAvailable implements slapos.promise.plugin.check_url_available: a
// GET of url compared with the expected HTTP status. The historical
// check-secure option is accepted and ignored, as at slapos.toolbox HEAD.
func newURLAvailable(p *nativePromise) error {
	if err := p.setFrequency("2"); err != nil {
		return err
	}
	p.anomaly = evaluation{resultCount: 3, failureAmount: 3, anomaly: true}
	p.sense = func(ctx context.Context, log *senseLog) error {
		rawURL := p.cfg.get("url", "None")
		promiseTimeout, err := p.cfg.intDefault("promise-timeout", 20)
		if err != nil {
			return err
		}
		timeout, err := p.cfg.intDefault("timeout", max(1, min(5, promiseTimeout-1)))
		if err != nil {
			return err
		}
		expected, err := p.cfg.intDefault("http-code", 200)
		if err != nil {
			return err
		}
		ignoreCode, err := p.cfg.intDefault("ignore-code", 0)
		if err != nil {
			return err
		}
		verify, err := p.cfg.intDefault("verify", 0)
		if err != nil {
			return err
		}
		redirects, err := p.cfg.intDefault("allow-redirects", 1)
		if err != nil {
			return err
		}
		kind := "non-authenticated"
		username, password := p.cfg.get("username", ""), p.cfg.get("password", "")
		if p.cfg.has("username") && p.cfg.has("password") {
			kind = "authenticated"
		}

		u, msg := checkURL(rawURL)
		if msg != "" {
			log.error("ERROR: %s", msg)
			return nil
		}
		tlsConf := &tls.Config{InsecureSkipVerify: verify == 0}
		if p.cfg.has("ca-cert-file") {
			caFile := p.cfg.get("ca-cert-file", "")
			pem, err := os.ReadFile(caFile)
			pool := x509.NewCertPool()
			if err != nil || !pool.AppendCertsFromPEM(pem) {
				log.error("ERROR: Could not find a suitable TLS CA certificate bundle, invalid path: %s", caFile)
				return nil
			}
			tlsConf.RootCAs, tlsConf.InsecureSkipVerify = pool, false
		}
		if p.cfg.has("cert-file") && p.cfg.has("key-file") {
			cert, err := tls.LoadX509KeyPair(p.cfg.get("cert-file", ""), p.cfg.get("key-file", ""))
			if err != nil {
				log.error("ERROR: %v", err)
				return nil
			}
			tlsConf.Certificates = []tls.Certificate{cert}
		}
		tmo := time.Duration(timeout) * time.Second
		transport := &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: tmo}).DialContext,
			TLSClientConfig:       tlsConf,
			TLSHandshakeTimeout:   tmo,
			ResponseHeaderTimeout: tmo,
			DisableKeepAlives:     true,
		}
		defer transport.CloseIdleConnections()
		client := &http.Client{
			Transport: transport,
			CheckRedirect: func(req *http.Request, via []*http.Request) error {
				if redirects == 0 {
					return http.ErrUseLastResponse
				}
				if len(via) >= maxRedirects {
					return errTooManyRedirects
				}
				return nil
			},
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
		if err != nil {
			log.error("ERROR: %v", err)
			return nil
		}
		req.Header.Set("User-Agent", "python-requests/2.31.0")
		req.Header.Set("Accept", "*/*")
		if kind == "authenticated" {
			req.SetBasicAuth(username, password)
		}
		resp, err := client.Do(req)
		if err == nil {
			err = drainBody(resp.Body, tmo)
			resp.Body.Close()
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil // promise timeout: reported by the launcher
			}
			log.error("%s", describeHTTPError(err, rawURL, u, timeout))
			return nil
		}
		switch {
		case ignoreCode != 0:
			log.info("%s request to %s succeeded (return code ignored)", kind, pyval.QuoteString(rawURL))
		case resp.StatusCode == expected:
			log.info("%s request to %s succeeded (returned expected code %d)", kind, pyval.QuoteString(rawURL), expected)
		default:
			log.error("%s request to %s failed (returned %d, expected %d)", kind, pyval.QuoteString(rawURL), resp.StatusCode, expected)
		}
		return nil
	}
	return nil
}

// errReadTimeout marks a response body that stalled longer than the
// request timeout.
var errReadTimeout = errors.New("read timeout")

// drainBody reads the whole body (requests downloads it), failing when
// the body stalls for longer than timeout.
func drainBody(body io.Reader, timeout time.Duration) error {
	buf := make([]byte, 32<<10)
	for {
		type res struct {
			n   int
			err error
		}
		ch := make(chan res, 1)
		go func() {
			n, err := body.Read(buf)
			ch <- res{n, err}
		}()
		select {
		case r := <-ch:
			if r.err == io.EOF {
				return nil
			}
			if r.err != nil {
				return r.err
			}
		case <-time.After(timeout):
			return errReadTimeout
		}
	}
}

// checkURL validates a URL the way requests does before sending,
// returning the message of its InvalidURL/MissingSchema errors.
func checkURL(raw string) (*url.URL, string) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Sprintf("Invalid URL %s: %v", pyval.QuoteString(raw), err)
	}
	if u.Scheme == "" {
		return nil, fmt.Sprintf("Invalid URL %s: No scheme supplied. Perhaps you meant https://%s?", pyval.QuoteString(raw), raw)
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Sprintf("No connection adapters were found for %s", pyval.QuoteString(raw))
	}
	if u.Host == "" || u.Hostname() == "" {
		return nil, fmt.Sprintf("Invalid URL %s: No host supplied", pyval.QuoteString(raw))
	}
	return u, ""
}

// describeHTTPError turns a failed request into the message
// check_url_available logs for the matching requests exception.
func describeHTTPError(err error, raw string, u *url.URL, timeout int) string {
	var (
		verr  *tls.CertificateVerificationError
		uaerr x509.UnknownAuthorityError
		herr  x509.HostnameError
		cierr x509.CertificateInvalidError
		rherr tls.RecordHeaderError
		aerr  tls.AlertError
		operr *net.OpError
		nerr  net.Error
	)
	switch {
	case errors.As(err, &verr) || errors.As(err, &uaerr) || errors.As(err, &herr) || errors.As(err, &cierr):
		return fmt.Sprintf("ERROR SSL error while accessing %s: [SSL: CERTIFICATE_VERIFY_FAILED] certificate verify failed: %v", pyval.QuoteString(raw), unwrapURLError(err))
	case errors.As(err, &rherr) || errors.As(err, &aerr) || strings.Contains(err.Error(), "tls: "):
		return fmt.Sprintf("ERROR SSL error while accessing %s: %v", pyval.QuoteString(raw), unwrapURLError(err))
	case errors.Is(err, errTooManyRedirects):
		return "ERROR: " + errTooManyRedirects.Error()
	case errors.As(err, &operr) && operr.Op == "dial", errors.As(err, new(*net.DNSError)):
		return fmt.Sprintf("ERROR connection not possible while accessing %s", pyval.QuoteString(raw))
	case errors.Is(err, errReadTimeout), errors.As(err, &nerr) && nerr.Timeout():
		pool := "HTTPConnectionPool"
		port := "80"
		if u.Scheme == "https" {
			pool, port = "HTTPSConnectionPool", "443"
		}
		if u.Port() != "" {
			port = u.Port()
		}
		return fmt.Sprintf("ERROR: %s(host=%s, port=%s): Read timed out. (read timeout=%d)", pool, pyval.QuoteString(u.Hostname()), port, timeout)
	case errors.As(err, &operr), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		// Reset or closed connections are requests.ConnectionError too.
		return fmt.Sprintf("ERROR connection not possible while accessing %s", pyval.QuoteString(raw))
	}
	return fmt.Sprintf("ERROR: %v", unwrapURLError(err))
}

// unwrapURLError drops the `Get "…": ` prefix of net/http errors.
func unwrapURLError(err error) error {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err
	}
	return err
}
