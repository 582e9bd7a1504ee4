package testenv

import (
	"fmt"
	"go/build"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// versitygwInstall is how to install the S3 server the tests use.
const versitygwInstall = "go install github.com/versity/versitygw/cmd/versitygw@v1.8.0"

// S3 is a real S3-compatible server (versitygw) started by a test, with a
// POSIX backend in a temporary directory.
type S3 struct {
	Endpoint  string // http://127.0.0.1:port
	Region    string
	AccessKey string
	SecretKey string
	dir       string
}

// StartS3 runs versitygw on a free loopback port until the test ends. The
// binary is looked for on PATH and in $(go env GOPATH)/bin; when it is
// missing the test fails under CI=true and is skipped otherwise, saying how
// to install it.
func StartS3(t testing.TB) *S3 {
	t.Helper()
	bin, err := exec.LookPath("versitygw")
	if err != nil {
		gopath := os.Getenv("GOPATH")
		if gopath == "" {
			gopath = build.Default.GOPATH
		}
		bin = filepath.Join(gopath, "bin", "versitygw")
		if _, err := os.Stat(bin); err != nil {
			msg := "versitygw is not installed (" + versitygwInstall + ")"
			if CI() {
				t.Fatal(msg)
			}
			t.Skip(msg)
		}
	}
	s := &S3{Region: "us-east-1", AccessKey: "modelwatch", SecretKey: "modelwatch-secret", dir: t.TempDir()}
	addr := fmt.Sprintf("127.0.0.1:%d", FreePort(t))
	s.Endpoint = "http://" + addr
	data := filepath.Join(s.dir, "data")
	if err := os.Mkdir(data, 0o700); err != nil {
		t.Fatal(err)
	}
	logf, err := os.Create(filepath.Join(s.dir, "versitygw.log"))
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(bin, "--port", addr, "posix", data)
	cmd.Env = append(os.Environ(), "ROOT_ACCESS_KEY_ID="+s.AccessKey, "ROOT_SECRET_ACCESS_KEY="+s.SecretKey)
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait(); _ = logf.Close() })
	deadline := time.Now().Add(30 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			c.Close()
			return s
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(filepath.Join(s.dir, "versitygw.log"))
			t.Fatalf("versitygw did not start listening on %s:\n%s", addr, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// CreateBucket creates a bucket: a directory of the POSIX backend.
func (s *S3) CreateBucket(t testing.TB, name string) {
	t.Helper()
	if err := os.Mkdir(filepath.Join(s.dir, "data", name), 0o700); err != nil {
		t.Fatal(err)
	}
}

// URL returns the s3:// URL of prefix in bucket, for gocloud.dev/blob.
func (s *S3) URL(bucket, prefix string) string {
	return fmt.Sprintf("s3://%s/%s?endpoint=%s&region=%s", bucket, prefix, s.Endpoint, s.Region)
}

// Env returns the environment variables that give an AWS SDK client the
// server's credentials.
func (s *S3) Env() []string {
	return []string{
		"AWS_ACCESS_KEY_ID=" + s.AccessKey, "AWS_SECRET_ACCESS_KEY=" + s.SecretKey, "AWS_REGION=" + s.Region,
		"AWS_EC2_METADATA_DISABLED=true", "AWS_CONFIG_FILE=/dev/null", "AWS_SHARED_CREDENTIALS_FILE=/dev/null",
	}
}

// BucketDir returns the directory that holds a bucket's objects.
func (s *S3) BucketDir(bucket string) string { return filepath.Join(s.dir, "data", bucket) }
