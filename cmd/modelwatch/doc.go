// Command modelwatch monitors machine-learning models in production.
//
// Run "modelwatch --help" for the subcommands.
package main
