package master

import (
	"crypto/sha256"
	"fmt"
)

// LoopbackFor returns the IPv4 address the partition of the workspace at
// dir listens on: an address of 127.0.0.0/8 (all of which reaches this
// machine) derived from the path. As SlapOS gives every partition its own
// address, two Webrunners on one machine then never compete for the same
// ports, and free_port's choice is not taken by a neighbour's service.
func LoopbackFor(dir string) string {
	h := sha256.Sum256([]byte(dir))
	// 127.1.0.1 to 127.255.255.254: not 127.0.x.x (127.0.0.1 is often
	// in use), never a .0 or .255 last byte.
	return fmt.Sprintf("127.%d.%d.%d", 1+h[0]%255, h[1], 1+h[2]%254)
}
