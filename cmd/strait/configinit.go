package main

// starterConfig is the file `strait config init` writes: a small, valid
// kong.yml whose comments explain the format.
const starterConfig = `# Declarative configuration for Strait (Kong 3.x kong.yml format).
#
# Apply it to a running node with:   strait config sync kong.yml
# Preview the changes first with:    strait config diff kong.yml
# Check it without any node:         strait config validate kong.yml
#
# Top-level keys are entity types (services, routes, consumers, plugins,
# upstreams, targets, certificates, snis, ca_certificates, ...). Children may
# be nested under their parent (routes under services, targets under
# upstreams, ...); elsewhere a parent is referenced by name or id.
# Entities without an id get a stable one derived from their name.

_format_version: "3.0"

services:
  - name: example-service
    url: http://httpbin.org
    # Routes nested here belong to example-service.
    routes:
      - name: example-route
        paths:
          - /example

consumers:
  - username: example-user

# upstreams:
#   - name: example-upstream
#     targets:
#       - target: 10.0.0.1:8080
#         weight: 100

# plugins:
#   - name: rate-limiting
#     service: example-service
#     config:
#       minute: 60
`
