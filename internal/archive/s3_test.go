package archive

import (
	"os"
	"strings"
	"testing"

	"github.com/modelwatch/modelwatch/internal/store/postgres"
	"github.com/modelwatch/modelwatch/internal/store/storetest"
	"github.com/modelwatch/modelwatch/internal/testenv"
)

// TestArchivePostgresS3 runs the archive scenario on a real PostgreSQL
// into a real S3-compatible server (versitygw), under a key prefix.
func TestArchivePostgresS3(t *testing.T) {
	s3 := testenv.StartS3(t)
	s3.CreateBucket(t, "archive")
	for _, kv := range s3.Env() {
		k, v, _ := strings.Cut(kv, "=")
		t.Setenv(k, v)
	}
	pg := testenv.StartPostgres(t, testenv.PostgresOptions{})
	clock := storetest.NewClock(now)
	db, err := postgres.Open(t.Context(), pg.NewDatabase(t), postgres.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = db.Close() })
	b, err := OpenBucket(t.Context(), s3.URL("archive", "modelwatch/prod"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = b.Close() })
	testArchive(t, &Env{Store: db, Bucket: b, Clock: clock})

	// The objects are in the bucket under the prefix, and nothing else is.
	objects, err := os.ReadDir(s3.BucketDir("archive") + "/modelwatch/prod")
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, o := range objects {
		names = append(names, o.Name())
	}
	if strings.Join(names, ",") != "model_name=fraud,model_name=se%C3%B1or%20churn" {
		t.Errorf("objects under the prefix: %v", names)
	}
}
