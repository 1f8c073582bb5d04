// Package declarative reads, writes and reconciles Kong 3.x declarative
// configuration files (kong.yml): Parse validates a whole file through the
// entity schemas, exactly as the Admin API would, and returns the flat
// entity lists; Dump renders entities back into the nested file format;
// Diff compares a desired configuration with the current one and Apply
// carries the changes out against the local store or a remote Admin API.
package declarative
