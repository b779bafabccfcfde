package master

import (
	"net"
	"testing"
)

func TestLoopbackFor(t *testing.T) {
	seen := map[string]string{}
	for _, dir := range []string{"/srv/a", "/srv/b", "/home/user/workspace", "/tmp/TestX/001", "/tmp/TestX/002"} {
		ip := LoopbackFor(dir)
		if again := LoopbackFor(dir); again != ip {
			t.Errorf("LoopbackFor(%q) = %s then %s", dir, ip, again)
		}
		p := net.ParseIP(ip).To4()
		if p == nil || !p.IsLoopback() || p[1] == 0 || p[3] == 0 || p[3] == 255 {
			t.Errorf("LoopbackFor(%q) = %s, want an address of 127.1-255.x.1-254", dir, ip)
		}
		if other, dup := seen[ip]; dup {
			t.Errorf("%q and %q share %s", dir, other, ip)
		}
		seen[ip] = dir
		// The address is usable as is on Linux: 127.0.0.0/8 is on lo.
		l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
		if err != nil {
			t.Fatalf("listen on %s: %v", ip, err)
		}
		l.Close()
	}
}
