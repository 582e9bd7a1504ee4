package demo

import (
	"math"
	"math/rand/v2"
	"strconv"
)

// customer is one simulated input.
type customer struct {
	tenureMonths float64
	monthlySpend float64
	supportCalls float64
	plan         string
	region       string
	autoRenew    bool
}

var (
	plans   = []string{"basic", "plus", "pro"}
	regions = []string{"north", "south", "east", "west", "central"}
)

// draw returns a customer. After the drift, spending is higher, more
// customers are on the basic plan, support calls are more frequent, and a
// new region appears.
func draw(rng *rand.Rand, drifted bool) customer {
	c := customer{
		tenureMonths: math.Round((rng.ExpFloat64()*18+1)*10) / 10,
		monthlySpend: math.Round(math.Exp(rng.NormFloat64()*0.4+3.6)*100) / 100,
		supportCalls: float64(poisson(rng, 1.2)),
		plan:         plans[weighted(rng, []float64{0.5, 0.3, 0.2})],
		region:       regions[rng.IntN(len(regions))],
		autoRenew:    rng.Float64() < 0.6,
	}
	if drifted {
		c.monthlySpend = math.Round(c.monthlySpend*1.6*100) / 100
		c.supportCalls = float64(poisson(rng, 2.5))
		c.plan = plans[weighted(rng, []float64{0.75, 0.15, 0.1})]
		if rng.Float64() < 0.3 {
			c.region = "overseas"
		}
	}
	return c
}

func poisson(rng *rand.Rand, lambda float64) int {
	l, k, p := math.Exp(-lambda), 0, 1.0
	for {
		p *= rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func weighted(rng *rand.Rand, w []float64) int {
	x := rng.Float64()
	for i, p := range w {
		if x < p {
			return i
		}
		x -= p
	}
	return len(w) - 1
}

// churnScore is the log-odds of churning. The deployed model learned the
// pre-drift relation; after the drift the true relation changes (support
// calls and auto-renewal matter differently), which is concept drift.
func churnScore(c customer, concept int) float64 {
	z := -1.2 - 0.06*c.tenureMonths + 0.015*c.monthlySpend + 0.45*c.supportCalls
	if c.autoRenew {
		z -= 0.8
	}
	switch c.plan {
	case "plus":
		z -= 0.3
	case "pro":
		z -= 0.6
	}
	if concept == 1 {
		z = 0.5 - 0.02*c.tenureMonths - 0.3*c.supportCalls + 0.01*c.monthlySpend
		if c.autoRenew {
			z += 0.9
		}
	}
	return z
}

func sigmoid(z float64) float64 { return 1 / (1 + math.Exp(-z)) }

// features returns c as the JSON object the model service logs.
func (c customer) features() []byte {
	b := make([]byte, 0, 160)
	b = append(b, `{"tenure_months":`...)
	b = strconv.AppendFloat(b, c.tenureMonths, 'f', -1, 64)
	b = append(b, `,"monthly_spend":`...)
	b = strconv.AppendFloat(b, c.monthlySpend, 'f', -1, 64)
	b = append(b, `,"support_calls":`...)
	b = strconv.AppendFloat(b, c.supportCalls, 'f', -1, 64)
	b = append(b, `,"plan":"`...)
	b = append(b, c.plan...)
	b = append(b, `","region":"`...)
	b = append(b, c.region...)
	b = append(b, `","auto_renew":`...)
	b = strconv.AppendBool(b, c.autoRenew)
	return append(b, '}')
}

// csvRow returns c as a row of the reference CSV.
func (c customer) csvRow() string {
	renew := "False"
	if c.autoRenew {
		renew = "True"
	}
	return strconv.FormatFloat(c.tenureMonths, 'f', -1, 64) + "," + strconv.FormatFloat(c.monthlySpend, 'f', -1, 64) + "," +
		strconv.FormatFloat(c.supportCalls, 'f', -1, 64) + "," + c.plan + "," + c.region + "," + renew
}

const csvHeader = "tenure_months,monthly_spend,support_calls,plan,region,auto_renew"
