// Package modelwatch is the vocabulary of the modelwatch ML model monitor:
// predictions, ground truth, model versions, statistics and errors.
//
// It depends on the standard library only. Every other package of the project
// speaks in these types: the HTTP API decodes requests into them, stores persist
// them, and the Go SDK sends them. See the README for what modelwatch does and
// DESIGN notes in the repository for how the pieces fit together.
package modelwatch
