package partnergraph

import "context"

// AnalyticsFilter chooses the partner network an analysis reads: the dashboard's filter on
// events and publications, the roles that count, and how units and event parts count.
type AnalyticsFilter struct {
	Stats StatsFilter
	// Roles narrows the relations that make an organisation part of a piece of work; empty
	// counts every role.
	Roles []Role
	// Units counts each organisation as itself; by default (false) a unit with no units of its
	// own is rolled up into the organisation it is part of, so its work is that organisation's.
	// Either way an organisation and its own unit or parent are never partners.
	Units bool
	// PerEvent counts the parts of an event (PART_OF) as engagements of their own; by default
	// an event and its parts are one engagement.
	PerEvent bool
}

// Engagement is one piece of shared work: an event with its parts, a publication or a
// programme, with the organisations that took part and its topics.
type Engagement struct {
	ID     string
	Kind   Kind // of the umbrella event, the publication or the programme
	Year   int  // 0 when unknown (programmes, undated work)
	Orgs   []string
	Topics []string
}

// PartnerData is what a partner network is computed from: the engagements of a filter, and
// for every organisation in them its parent (units) and its country.
type PartnerData struct {
	Engagements []Engagement
	Parent      map[string]string // unit id -> the organisation it is part of
	Country     map[string]string // organisation id -> ISO country code
}

// PartnerSource reads the partner data of a filter, as the viewer may see it.
type PartnerSource interface {
	// ContentVersion grows with every change to the content: analyses are kept per version.
	ContentVersion(ctx context.Context) (int64, error)
	// PartnerData returns EINVALID (a bad filter), EUNAVAILABLE, EBUSY.
	PartnerData(ctx context.Context, v Viewer, f AnalyticsFilter) (*PartnerData, error)
}

// OrganisationMetrics is one organisation's place in the partner network.
type OrganisationMetrics struct {
	ID             string
	Degree         int     // partners
	WeightedDegree float64 // shared engagements, summed over partners
	PageRank       float64
	Betweenness    float64 // normalised; over hops, from BetweennessSources sources
	Closeness      float64 // Wasserman-Faust, over hops
	Community      int
	Rank           int // 1-based, by PageRank
}

// Centrality names a ranking of the organisations of a network.
type Centrality string

const (
	CentralityPageRank       Centrality = "PAGE_RANK"
	CentralityBetweenness    Centrality = "BETWEENNESS"
	CentralityCloseness      Centrality = "CLOSENESS"
	CentralityDegree         Centrality = "DEGREE"
	CentralityWeightedDegree Centrality = "WEIGHTED_DEGREE"
)

// Centralities are the rankings, each with the value it ranks by.
var Centralities = map[Centrality]func(*OrganisationMetrics) float64{
	CentralityPageRank:       func(m *OrganisationMetrics) float64 { return m.PageRank },
	CentralityBetweenness:    func(m *OrganisationMetrics) float64 { return m.Betweenness },
	CentralityCloseness:      func(m *OrganisationMetrics) float64 { return m.Closeness },
	CentralityDegree:         func(m *OrganisationMetrics) float64 { return float64(m.Degree) },
	CentralityWeightedDegree: func(m *OrganisationMetrics) float64 { return m.WeightedDegree },
}

// Community is a group of organisations that work more with each other than with the rest.
type Community struct {
	ID        int
	Members   []string // by PageRank, highest first
	Topics    []Bucket // the topics of its members' engagements, most frequent first
	Countries []Bucket // its members' countries, most frequent first
}

// NetworkYear is the partner network of one year.
type NetworkYear struct {
	Year     int
	Active   int // organisations with at least one partner that year
	New      int // active that year and never before
	Retained int // active that year and the year before
	Links    int
	Density  float64
}

// NetworkAnalysis is the analysis of one partner network.
type NetworkAnalysis struct {
	Version       int64
	Organisations int
	Links         int
	Modularity    float64
	// BetweennessSources is how many sources the betweenness and closeness were computed
	// from: every organisation, or a seeded sample on large networks.
	BetweennessSources int
	Ranked             []*OrganisationMetrics // by PageRank, highest first
	// RankedBy holds the organisations ranked by each centrality, highest first (ties by
	// PageRank rank): computed with the analysis, so a page of a ranking costs no sort.
	RankedBy    map[Centrality][]*OrganisationMetrics
	ByID        map[string]*OrganisationMetrics
	Communities []Community // largest first
	Evolution   []NetworkYear
}

// PartnerSuggestion is an organisation another has not worked with, and why it may.
type PartnerSuggestion struct {
	ID             string
	Score          float64
	CommonPartners []string // strongest first
	SharedTopics   []string
}

// Partner is an organisation's partner in a partner network: the engagements they share.
type Partner struct {
	ID     string
	Shared []Engagement // ID and Kind only, newest engagements first where dated
}

// AnalyticsService analyses partner networks.
type AnalyticsService interface {
	// Analyse returns EINVALID, EUNAVAILABLE, EBUSY.
	Analyse(ctx context.Context, v Viewer, f AnalyticsFilter) (*NetworkAnalysis, error)
	// Suggest ranks organisations org has not worked with by common partners and shared
	// topics. Returns ENOTFOUND when org is not visible, EINVALID, EUNAVAILABLE, EBUSY.
	Suggest(ctx context.Context, v Viewer, f AnalyticsFilter, org string, limit int) ([]PartnerSuggestion, error)
	// Partners are org's partners, most shared engagements first (ties by id); a unit rolled
	// up answers for the organisation it counts as. Returns EINVALID, EUNAVAILABLE, EBUSY.
	Partners(ctx context.Context, v Viewer, f AnalyticsFilter, org string, limit int) ([]Partner, error)
	// PartnersPage is limit of them from offset, and how many there are in all.
	PartnersPage(ctx context.Context, v Viewer, f AnalyticsFilter, org string, offset, limit int) ([]Partner, int, error)
}
