//go:build linux

package postgres_test

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/modelwatch/modelwatch/internal/testenv"
)

// BenchmarkIngestCPU says where the CPU of an ingest goes: for batches of
// 1000 predictions 1 s apart written by 1 and by 4 clients at once, through
// a bare pgx COPY (one connection per client), the store and the HTTP API,
// it reports rows/s and the CPU time per batch of this process
// (go-cpu-ms/batch: decoding, the store's Go side, the runtime) and of the
// PostgreSQL server (pg-cpu-ms/batch: its backends, background processes
// and the children it reaped). On 2 cores with 4 clients every mode is
// bound by the sum.
func BenchmarkIngestCPU(b *testing.B) {
	pg := testenv.StartPostgres(b, testenv.PostgresOptions{Durable: true})
	for _, clients := range []int{1, 4} {
		for _, mode := range []string{"copy", "store", "api"} {
			b.Run(fmt.Sprintf("clients=%d/mode=%s", clients, mode), func(b *testing.B) {
				url := pg.NewDatabase(b)
				db := openBench(b, url)
				srv := benchServer(b, db)
				conns := make([]*pgx.Conn, clients)
				for c := range conns {
					conn, err := pgx.Connect(context.Background(), url)
					if err != nil {
						b.Fatal(err)
					}
					defer conn.Close(context.Background())
					conns[c] = conn
				}
				postmaster := postmasterPID(b, conns[0])
				bodies := make([]*benchBody, clients)
				for c := range bodies {
					bodies[c] = newBenchBody(uint64(c+1), time.Second)
				}
				client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: clients}}
				write := func(c int) error {
					bb := bodies[c]
					body := bb.next(byte('a' + c))
					switch mode {
					case "copy":
						return copyBaseline(conns[c], bb)
					case "store":
						_, err := db.IngestPredictions(context.Background(), bb.preds)
						return err
					}
					return postBatch(client, srv.URL, body)
				}
				work := make(chan struct{})
				errs := make(chan error, clients)
				var wg sync.WaitGroup
				for c := range clients {
					wg.Go(func() {
						for range work {
							if err := write(c); err != nil {
								errs <- err
								return
							}
						}
					})
				}
				pg0, go0, start := serverCPU(b, postmaster), processCPU(), time.Now()
				batches := 0
				for b.Loop() {
					select {
					case work <- struct{}{}:
						batches++
					case err := <-errs:
						b.Fatal(err)
					}
				}
				close(work)
				wg.Wait()
				elapsed := time.Since(start)
				pgCPU, goCPU := serverCPU(b, postmaster)-pg0, processCPU()-go0
				b.ReportMetric(float64(batches*benchBatch)/elapsed.Seconds(), "rows/s")
				b.ReportMetric(float64(goCPU.Microseconds())/1000/float64(batches), "go-cpu-ms/batch")
				b.ReportMetric(float64(pgCPU.Microseconds())/1000/float64(batches), "pg-cpu-ms/batch")
			})
		}
	}
}

// processCPU returns the user and system CPU time of this process.
func processCPU() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// postmasterPID returns the pid of the server that conn is connected to: the
// parent of its backend.
func postmasterPID(b *testing.B, conn *pgx.Conn) int {
	var backend int
	if err := conn.QueryRow(context.Background(), `SELECT pg_backend_pid()`).Scan(&backend); err != nil {
		b.Fatal(err)
	}
	st, err := procStat(backend)
	if err != nil {
		b.Fatal(err)
	}
	return st.ppid
}

// serverCPU returns the CPU time of the server whose postmaster is pid:
// the postmaster's own and that of the children it reaped, and that of its
// children alive now.
func serverCPU(b *testing.B, pid int) time.Duration {
	ents, err := os.ReadDir("/proc")
	if err != nil {
		b.Fatal(err)
	}
	var ticks int64
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		st, err := procStat(p)
		if err != nil || (p != pid && st.ppid != pid) {
			continue
		}
		ticks += st.ticks
	}
	// Linux reports these times in clock ticks of 1/100 s (USER_HZ).
	return time.Duration(ticks) * 10 * time.Millisecond
}

type stat struct {
	ppid  int
	ticks int64 // utime + stime + cutime + cstime
}

// procStat reads /proc/pid/stat (see proc(5)).
func procStat(pid int) (stat, error) {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return stat{}, err
	}
	s := string(b)
	f := strings.Fields(s[strings.LastIndexByte(s, ')')+1:])
	if len(f) < 15 {
		return stat{}, fmt.Errorf("/proc/%d/stat: %d fields after the command", pid, len(f))
	}
	var st stat
	if st.ppid, err = strconv.Atoi(f[1]); err != nil {
		return stat{}, err
	}
	for _, v := range f[11:15] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return stat{}, err
		}
		st.ticks += n
	}
	return st, nil
}
