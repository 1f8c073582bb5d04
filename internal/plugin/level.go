package plugin

// Level is the precedence rank of a plugin instance, from its scope: when
// several enabled instances of one plugin could apply to a request, the
// one with the lowest Level wins (Kong's eight combinations).
type Level uint8

// Precedence levels, highest precedence first.
const (
	LevelRouteServiceConsumer Level = iota + 1
	LevelRouteConsumer
	LevelServiceConsumer
	LevelRouteService
	LevelConsumer
	LevelRoute
	LevelService
	LevelGlobal
)

// levelOf returns the level of an instance scoped to the given ids ("" for
// an unset dimension).
func levelOf(route, service, consumer string) Level {
	r, s, c := route != "", service != "", consumer != ""
	switch {
	case r && s && c:
		return LevelRouteServiceConsumer
	case r && c:
		return LevelRouteConsumer
	case s && c:
		return LevelServiceConsumer
	case r && s:
		return LevelRouteService
	case c:
		return LevelConsumer
	case r:
		return LevelRoute
	case s:
		return LevelService
	}
	return LevelGlobal
}

// String names the level by its scope ("route+service+consumer").
func (l Level) String() string {
	switch l {
	case LevelRouteServiceConsumer:
		return "route+service+consumer"
	case LevelRouteConsumer:
		return "route+consumer"
	case LevelServiceConsumer:
		return "service+consumer"
	case LevelRouteService:
		return "route+service"
	case LevelConsumer:
		return "consumer"
	case LevelRoute:
		return "route"
	case LevelService:
		return "service"
	case LevelGlobal:
		return "global"
	}
	return "invalid"
}
