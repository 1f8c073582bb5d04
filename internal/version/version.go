// Package version holds the versions Strait reports.
package version

// Strait is the version of this build; release builds set it with
// -ldflags "-X github.com/straitgw/strait/internal/version.Strait=...".
var Strait = "0.1.0-dev"

// Kong is the Kong Gateway version whose Admin API and proxy behaviour
// Strait reproduces. It is what GET / reports as "version" and what the
// Server and Via tokens carry (kong/<Kong>), because decK and go-kong
// branch on it.
const Kong = "3.9.1"
