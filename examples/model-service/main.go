package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/modelwatch/modelwatch/sdk"
)

func main() {
	addr := flag.String("addr", ":8081", "address to serve the model on")
	endpoint := flag.String("modelwatch", "http://localhost:8080", "base URL of the modelwatch server")
	flag.Parse()
	// A token with the ingest scope; from the environment, not a flag, so
	// that it does not show in ps.
	token := os.Getenv("MODELWATCH_TOKEN")

	// SIGTERM (as Kubernetes sends) or Ctrl-C starts a graceful shutdown.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		log.Fatal(err)
	}
	log.Printf("serving the churn model on %s, reporting to %s", ln.Addr(), *endpoint)
	if err := run(ctx, ln, *endpoint, token); err != nil {
		log.Fatal(err)
	}
}

// run serves the model on ln until ctx is cancelled, then shuts down:
// first the HTTP server, so that in-flight requests finish and log their
// predictions, then the modelwatch client, which delivers what is queued.
func run(ctx context.Context, ln net.Listener, endpoint, token string) error {
	client, err := sdk.New(sdk.Config{
		Endpoint: endpoint,
		Token:    token,
		// What could not be delivered (the defaults log it with slog too).
		OnError: func(err error) { log.Printf("modelwatch: %v", err) },
	})
	if err != nil {
		return err
	}
	svc := &service{model: &churnModel{name: "churn", version: "v1"}, client: client}
	srv := &http.Server{Handler: svc.handler(), ReadHeaderTimeout: 5 * time.Second}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()

	select {
	case err = <-served: // the server failed
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 20*time.Second)
	defer cancel()
	if err == nil {
		if err := srv.Shutdown(shutdown); err != nil {
			log.Printf("drain HTTP requests: %v", err)
		}
	}
	// Close after Shutdown: no handler can log any more. Within the
	// deadline, everything queued reaches modelwatch.
	if cerr := client.Close(shutdown); cerr != nil {
		err = errors.Join(err, cerr)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("model service: %w", err)
	}
	return nil
}
