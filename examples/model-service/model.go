package main

import (
	"fmt"
	"math"
)

// customer is what the model sees: the request body of /predict, and the
// features logged with each prediction.
type customer struct {
	TenureMonths   float64 `json:"tenure_months"`
	MonthlyCharges float64 `json:"monthly_charges"`
	SupportCalls   float64 `json:"support_calls"`
	Contract       string  `json:"contract"` // month-to-month, one-year or two-year
}

// validate says what is wrong with c, or returns nil.
func (c *customer) validate() error {
	switch {
	case c.TenureMonths < 0 || c.TenureMonths > 1200:
		return fmt.Errorf("tenure_months must be between 0 and 1200, not %v", c.TenureMonths)
	case c.MonthlyCharges < 0:
		return fmt.Errorf("monthly_charges must not be negative, not %v", c.MonthlyCharges)
	case c.SupportCalls < 0:
		return fmt.Errorf("support_calls must not be negative, not %v", c.SupportCalls)
	}
	if _, ok := contractWeight(c.Contract); !ok {
		return fmt.Errorf("contract must be month-to-month, one-year or two-year, not %q", c.Contract)
	}
	return nil
}

// churnModel is a hand-written logistic regression: the probability of
// churn is σ(bias + Σ weight·feature), with the contract one-hot encoded.
type churnModel struct {
	name, version string
}

// The model's coefficients. Short tenure, high charges, many support calls
// and a monthly contract make churn likely.
const (
	bias          = -1.0
	tenureWeight  = -0.06
	chargesWeight = 0.02
	callsWeight   = 0.45
)

// contractWeight is the one-hot encoded contract times its weights; ok is
// false for an unknown contract.
func contractWeight(contract string) (w float64, ok bool) {
	switch contract {
	case "month-to-month":
		return 1.2, true
	case "one-year":
		return -0.5, true
	case "two-year":
		return -1.8, true
	}
	return 0, false
}

// predict returns the probability that the customer churns.
func (m *churnModel) predict(c *customer) float64 {
	contract, _ := contractWeight(c.Contract)
	z := bias + tenureWeight*c.TenureMonths + chargesWeight*c.MonthlyCharges +
		callsWeight*c.SupportCalls + contract
	return 1 / (1 + math.Exp(-z))
}

// classify turns the probability of churn into the predicted class, the
// probability of each class, and the confidence in the prediction.
func classify(pChurn float64) (class string, probs map[string]float64, confidence float64) {
	probs = map[string]float64{"churn": pChurn, "stay": 1 - pChurn}
	if pChurn >= 0.5 {
		return "churn", probs, pChurn
	}
	return "stay", probs, 1 - pChurn
}
