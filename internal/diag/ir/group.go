package ir

import (
	"math"
	"slices"
)

// Group is the Mappings that answer the same requests: one route per
// Mapping, splitting traffic by canary weight, plus an optional shadow
// (mirrored traffic) and an optional host redirect.
type Group struct {
	ID       string      `json:"group_id"`
	Name     string      `json:"name"`
	Key      string      `json:"key"`
	Weight   RouteWeight `json:"group_weight"`
	Mappings []*Mapping  `json:"mappings"`
	Shadow   *Mapping    `json:"shadow,omitempty"`
	Redirect *Mapping    `json:"host_redirect,omitempty"`
	// order is insertion order, the tie-break Emissary uses.
	order int
}

// First is the Mapping that names the group.
func (g *Group) First() *Mapping {
	switch {
	case len(g.Mappings) > 0:
		return g.Mappings[0]
	case g.Redirect != nil:
		return g.Redirect
	default:
		return g.Shadow
	}
}

// groupMappings puts Mappings (already in key order) into groups,
// reporting the ones that conflict with their group.
func groupMappings(mappings []*Mapping, d *Diagnostics) []*Group {
	byID := make(map[string]*Group, len(mappings))
	groups := make([]*Group, 0, len(mappings))
	made := make([]Group, 0, len(mappings)) // in one allocation
	for _, m := range mappings {
		g, ok := byID[m.GroupID]
		if !ok {
			made = append(made, Group{ID: m.GroupID, Name: "GROUP: " + m.Name, Key: m.Key, Weight: m.RouteWeight, order: len(groups)})
			g = &made[len(made)-1]
			byID[m.GroupID] = g
			groups = append(groups, g)
		}
		g.add(m, d)
	}
	var kept []*Group
	for _, g := range groups {
		if len(g.Mappings) == 0 && g.Redirect == nil {
			if g.Shadow != nil {
				d.Error(g.Shadow.Key, "shadow Mapping has no Mapping to mirror")
			}
			continue
		}
		if !g.normalizeWeights(d) {
			continue
		}
		kept = append(kept, g)
	}
	// Most specific first: the greatest route weight, and among equals the
	// later one.
	type ranked struct {
		g    *Group
		nums [4]int
	}
	rs := make([]ranked, len(kept))
	for i, g := range kept {
		rs[i] = ranked{g, weightNumbers(g.Weight)}
	}
	// order breaks every tie, so an unstable sort gives the one order.
	slices.SortFunc(rs, func(a, b ranked) int {
		if c := compareRanked(b.g.Weight, a.g.Weight, b.nums, a.nums); c != 0 {
			return c
		}
		return b.g.order - a.g.order
	})
	for i, r := range rs {
		kept[i] = r.g
	}
	return kept
}

func (g *Group) add(m *Mapping, d *Diagnostics) {
	if first := g.First(); first != nil && first != m {
		if first.PrefixExact != m.PrefixExact || first.PrefixRegex != m.PrefixRegex {
			d.Error(m.Key, "cannot join group %s: prefix_exact and prefix_regex must be the same in all Mappings with the same match (canaries)", g.Name)
			return
		}
	}
	switch {
	case m.Shadow:
		if g.Shadow != nil {
			d.Error(m.Key, "cannot accept %s as second shadow after %s", m.Name, g.Shadow.Name)
			return
		}
		g.Shadow = m
	case m.HostRedirect:
		if g.Redirect != nil || len(g.Mappings) > 0 {
			d.Error(m.Key, "cannot accept %s as a host_redirect in group %s, which already routes", m.Name, g.Name)
			return
		}
		g.Redirect = m
	default:
		if g.Redirect != nil {
			d.Error(m.Key, "cannot accept %s in group %s, which is a host_redirect", m.Name, g.Name)
			return
		}
		g.Mappings = append(g.Mappings, m)
		// (The Mapping that made the group set its weight.)
		if !sameWeight(m.RouteWeight, g.Weight) && compareWeights(m.RouteWeight, g.Weight) > 0 {
			g.Weight = m.RouteWeight
		}
	}
}

// normalizeWeights gives each Mapping its cumulative canary threshold:
// weighted Mappings first, in order, then the unweighted ones sharing the
// rest, the last always 100.
func (g *Group) normalizeWeights(d *Diagnostics) bool {
	if len(g.Mappings) == 1 {
		g.Mappings[0].Cumulative = 100
		return true
	}
	var weighted, unweighted []*Mapping
	total := 0
	for _, m := range g.Mappings {
		if m.Weight != nil {
			weighted = append(weighted, m)
			total += *m.Weight
			m.Cumulative = total
		} else {
			unweighted = append(unweighted, m)
		}
	}
	if total > 100 {
		// Reported, but routed as Emissary routes it: thresholds past 100
		// never match, so later canaries get what is left.
		for _, m := range weighted {
			d.Error(m.Key, "Total weight of mappings in %s exceeds 100 (%d), please reconfigure for correct behavior", g.Name, total)
			m.Cumulative = min(m.Cumulative, 100)
		}
	}
	if len(unweighted) > 0 {
		per := int(math.RoundToEven(float64(100-total) / float64(len(unweighted))))
		for i, m := range unweighted {
			total += per
			m.Cumulative = total
			if i == len(unweighted)-1 {
				m.Cumulative = 100
			}
		}
	}
	g.Mappings = append(weighted, unweighted...)
	return true
}

// sameWeight says whether a and b are one route weight, not just equal.
func sameWeight(a, b RouteWeight) bool {
	return len(a) == len(b) && len(a) > 0 && &a[0] == &b[0]
}
