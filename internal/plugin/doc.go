// Package plugin is the engine-neutral plugin contract of the gateway.
//
// It defines what a plugin sees of a request (Request, Response, Context,
// shaped like Kong's PDK: kong.request, kong.response, kong.client,
// kong.ctx.shared), what a plugin provides (Plugin and the optional phase
// interfaces Certificater, Rewriter, Accesser, HeaderFilterer,
// BodyFilterer and Logger), a Registry of available plugins, and the
// machinery that decides which configured instance runs for a request:
//
//   - Compile turns the enabled plugin entities of a configuration into a
//     Set, building each instance's typed configuration once and indexing
//     the instances by scope (Kong's eight precedence levels). Plugins
//     that implement InstanceFactory are built knowing their instance (id
//     and route, service and consumer scope) and the node's logger.
//   - A Set hands out Chains: the global chain (certificate and rewrite
//     phases, and requests that matched no route) and one chain per route,
//     both precomputed when the configuration is compiled.
//   - A Run carries one request through the phases of a chain, resolving
//     consumer-scoped instances lazily at each plugin's turn and
//     remembering which instances ran so the response and log phases see
//     the same ones.
//
// Nothing here depends on net/http: the proxy engine implements Request,
// Response and Context over its own header storage.
package plugin
