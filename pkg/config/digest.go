package config

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// Digest is a fingerprint of the configuration's content: two configurations
// with the same settings have the same digest, and any edit that changes a
// setting changes it. Comments, key order and formatting of the file do not
// count. The ledger keeps it with a terminal failure, so that the sweep
// tries such an account again once the configuration has changed.
func (c *Config) Digest() string {
	// A Config is plain data (strings, numbers, slices, maps with string
	// keys), which encoding/json always encodes, with map keys sorted.
	data, err := json.Marshal(c)
	if err != nil {
		panic("config: encoding a Config for its digest: " + err.Error())
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:12])
}
