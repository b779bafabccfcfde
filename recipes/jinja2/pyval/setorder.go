package pyval

import (
	"math"
	"math/big"
)

// CPython iterates a set in hash-table order. For numbers the hash is
// deterministic, so the order can be reproduced by replaying the insertions
// into a model of CPython's table (Objects/setobject.c); strings hash with a
// per-process random seed, so sets holding them keep insertion order.

const (
	hashBits    = 61
	hashModulus = 1<<hashBits - 1
	linearProbe = 9
	perturbBits = 5
	setMinSize  = 8
)

// pyHash returns CPython's hash of a number, and false for other values.
func pyHash(v Value) (int64, bool) {
	switch x := v.(type) {
	case bool:
		if x {
			return 1, true
		}
		return 0, true
	case int:
		return hashInt(big.NewInt(int64(x))), true
	case *big.Int:
		return hashInt(x), true
	case float64:
		if math.IsInf(x, 0) || math.IsNaN(x) {
			return 0, false
		}
		if x == math.Trunc(x) && math.Abs(x) < 1e18 {
			return hashInt(big.NewInt(int64(x))), true
		}
		return hashFloat(x), true
	}
	return 0, false
}

func hashInt(z *big.Int) int64 {
	m := new(big.Int).Mod(new(big.Int).Abs(z), big.NewInt(hashModulus)).Int64()
	if z.Sign() < 0 {
		m = -m
	}
	if m == -1 {
		m = -2
	}
	return m
}

func hashFloat(v float64) int64 {
	m, e := math.Frexp(v)
	sign := int64(1)
	if m < 0 {
		sign, m = -1, -m
	}
	var x uint64
	for m != 0 {
		x = ((x << 28) & hashModulus) | x>>(hashBits-28)
		m *= 268435456.0
		e -= 28
		y := uint64(m)
		m -= float64(y)
		x += y
		if x >= hashModulus {
			x -= hashModulus
		}
	}
	if e >= 0 {
		e %= hashBits
	} else {
		e = hashBits - 1 - ((-1 - e) % hashBits)
	}
	x = ((x << uint(e)) & hashModulus) | x>>(hashBits-uint(e))
	h := int64(x) * sign
	if h == -1 {
		h = -2
	}
	return h
}

// setOrder returns items in the order CPython iterates a set built by
// adding them one by one, or items unchanged if some hash is not
// deterministic.
func setOrder(items []Value) []Value {
	if len(items) < 2 {
		return items
	}
	hashes := make([]int64, len(items))
	for i, it := range items {
		h, ok := pyHash(it)
		if !ok {
			return items
		}
		hashes[i] = h
	}
	type slot struct {
		used bool
		idx  int
	}
	table := make([]slot, setMinSize)
	insert := func(table []slot, idx int) {
		mask := uint64(len(table) - 1)
		h := uint64(hashes[idx])
		perturb := h
		i := h & mask
		for {
			if !table[i].used {
				table[i] = slot{true, idx}
				return
			}
			if i+linearProbe <= mask {
				for j := uint64(1); j <= linearProbe; j++ {
					if !table[i+j].used {
						table[i+j] = slot{true, idx}
						return
					}
				}
			}
			perturb >>= perturbBits
			i = (i*5 + 1 + perturb) & mask
		}
	}
	used := 0
	for idx := range items {
		insert(table, idx)
		used++
		mask := len(table) - 1
		if used*5 >= mask*3 {
			minUsed := used * 4
			if used > 50000 {
				minUsed = used * 2
			}
			size := setMinSize
			for size <= minUsed {
				size <<= 1
			}
			old := table
			table = make([]slot, size)
			for _, s := range old {
				if s.used {
					insert(table, s.idx)
				}
			}
		}
	}
	out := make([]Value, 0, len(items))
	for _, s := range table {
		if s.used {
			out = append(out, items[s.idx])
		}
	}
	return out
}
