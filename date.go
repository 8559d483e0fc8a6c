package partnergraph

import (
	"strconv"
	"time"
)

// Date is an ISO 8601 calendar date with the precision its source gives: "2018",
// "2018-07" or "2018-07-11". Its string form sorts chronologically within one precision,
// and a coarser date sorts before the finer dates it contains.
type Date string

// ParseDate checks s is a valid reduced-precision calendar date and returns it.
func ParseDate(s string) (Date, error) {
	var layout string
	switch len(s) {
	case 4:
		layout = "2006"
	case 7:
		layout = "2006-01"
	case 10:
		layout = "2006-01-02"
	default:
		return "", Errorf(EINVALID, "%q is not a date: use YYYY, YYYY-MM or YYYY-MM-DD", s)
	}
	if _, err := time.Parse(layout, s); err != nil {
		return "", Errorf(EINVALID, "%q is not a date: use YYYY, YYYY-MM or YYYY-MM-DD", s)
	}
	return Date(s), nil
}

// Year returns the date's year.
func (d Date) Year() int {
	if len(d) < 4 {
		return 0
	}
	y, _ := strconv.Atoi(string(d[:4]))
	return y
}

// Start returns the first day the date covers, as YYYY-MM-DD: used for range filters.
func (d Date) Start() string {
	switch len(d) {
	case 4:
		return string(d) + "-01-01"
	case 7:
		return string(d) + "-01"
	}
	return string(d)
}

// End returns the last day the date covers, as YYYY-MM-DD: used for range filters.
func (d Date) End() string {
	switch len(d) {
	case 4:
		return string(d) + "-12-31"
	case 7:
		t, err := time.Parse("2006-01", string(d))
		if err != nil {
			return string(d) + "-31"
		}
		return t.AddDate(0, 1, -1).Format("2006-01-02")
	}
	return string(d)
}
