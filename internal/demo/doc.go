// Package demo simulates a model service for `modelwatch demo`: a churn
// classifier whose inputs and concept drift after a while, sending its
// predictions, delayed labels and occasional errors through the Go SDK like
// any client.
package demo
